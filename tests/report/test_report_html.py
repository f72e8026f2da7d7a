"""Raid and campaign reports as HTML: self-contained, no network reference, the right content."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from airshield.examples import example_path
from airshield.geo import to_local_km
from airshield.report.maps import base_geo, fit_extent, track_path, track_traces
from airshield.scenario import expand_fire_units

PLOTLY_BUNDLE = re.compile(
    r"<script type=\"text/javascript\">/\*\*\s*\n?\s*\* plotly\.js.*?</script>", re.S
)


def strip_plotly_bundle(text: str) -> str:
    """The page without the inlined plotly.js bundle (which names CDNs it would use only for
    features the reports keep off)."""
    from plotly.offline import get_plotlyjs

    js = get_plotlyjs()
    assert text.count(js) == 1, "plotly.js must be inlined exactly once"
    return text.replace(js, "")


def assert_self_contained(text: str) -> None:
    rest = strip_plotly_bundle(text)
    assert "<script src" not in rest.lower()
    assert not re.search(r"<link[^>]+href", rest, re.I)
    urls = re.findall(r"https?://[^\s\"'<>)]+", rest)
    allowed = ("http://www.w3.org/",)  # SVG/XML namespaces, never fetched
    assert [u for u in urls if not u.startswith(allowed)] == []
    assert "mathjax" not in rest.lower()
    assert "Content-Security-Policy" in rest and "default-src 'none'" in rest


def figures(text: str) -> dict[str, dict[str, Any]]:
    """Figure JSON by div id, parsed from the Plotly.newPlot calls."""
    out = {}
    rest = strip_plotly_bundle(text)
    for m in re.finditer(
        r'Plotly\.newPlot\(\s*"([^"]+)",\s*(\[.*?\]),\s*(\{.*?\}),\s*\{"displaylogo"', rest, re.S
    ):
        out[m.group(1)] = {"data": json.loads(m.group(2)), "layout": json.loads(m.group(3))}
    return out


def test_raid_report_is_self_contained(raid_report: Path) -> None:
    text = raid_report.read_text(encoding="utf-8")
    assert_self_contained(text)
    assert '"displaylogo": false' in text


def test_raid_report_header_and_sections(raid_report: Path, raid_result: Any) -> None:
    text = raid_report.read_text(encoding="utf-8")
    s = raid_result.summary()
    for needle in (s["scenario_hash"], f"<dd>{s['seed']}</dd>", s["version"], "one-battery"):
        assert needle in text
    for section in ("map", "headline", "distributions", "effectors", "tables"):
        assert f'id="{section}"' in text
    figs = figures(text)
    assert set(figs) == {"map-figure", "leakers-figure", "outcomes-figure", "effectors-figure"}


def test_map_keeps_plotly_base_layers_off(raid_report: Path) -> None:
    geo = figures(raid_report.read_text(encoding="utf-8"))["map-figure"]["layout"]["geo"]
    for layer in (
        "land",
        "ocean",
        "lakes",
        "rivers",
        "countries",
        "coastlines",
        "subunits",
        "frame",
    ):
        assert geo[f"show{layer}"] is False, layer
    assert geo["lonaxis"]["range"][0] < 30.0 < geo["lonaxis"]["range"][1]


def test_map_traces(raid_report: Path, raid_result: Any, one_battery: Any) -> None:
    from airshield.raid import sample_night

    data = figures(raid_report.read_text(encoding="utf-8"))["map-figure"]["data"]
    names = [t.get("name", "") for t in data]
    assert "coastlines" in names and "borderlines" in names
    assert any(n.startswith("nasams-irist") for n in names)
    assets = next(t for t in data if t["name"].startswith("assets"))
    # assets sized by expected damage: the one with more damage has the bigger marker
    dmg = raid_result.damage_usd.mean(axis=0)
    sizes = assets["marker"]["size"]
    assert (sizes[0] > sizes[1]) == (dmg[0] > dmg[1])
    # tracks of the sample replication: legend counts match the fates of sample_night
    night = sample_night(one_battery, seed=raid_result.seed, rep=0)
    counts = {
        "destroyed": int((night.fate == "destroyed").sum()),
        "lost (EW)": int((night.fate == "lost").sum()),
        "leaked (hit)": int(((night.fate == "leaked") & (night.kind != "decoy")).sum()),
        "decoy leaked (harmless)": int(((night.fate == "leaked") & (night.kind == "decoy")).sum()),
    }
    for label, n in counts.items():
        if n:
            assert f"{label} ({n})" in names


def values(v: Any) -> list[float]:
    """A plotly array: a list, or a typed array ``{"dtype": ..., "bdata": base64}``."""
    if isinstance(v, dict):
        import base64

        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=np.dtype(v["dtype"])).tolist()
    return list(v)


def test_leakers_histogram_sums_to_100(raid_report: Path, raid_result: Any) -> None:
    bar = figures(raid_report.read_text(encoding="utf-8"))["leakers-figure"]["data"][0]
    assert sum(values(bar["y"])) == pytest.approx(100.0)
    assert raid_result.reps == 40


def test_track_path_ends_where_the_threat_met_its_fate() -> None:
    import pandas as pd

    row = pd.Series(
        {"lat0": 50.0, "lon0": 33.0, "lat1": 50.0, "lon1": 31.5, "lat2": 50.0, "lon2": 30.0,
         "waypoint_s": 100.0, "fate_s": 50.0, "lat_fate": 50.0, "lon_fate": 32.2}
    )  # fmt: skip
    assert track_path(row) == ([50.0, 50.0], [33.0, 32.2])  # before the waypoint
    row["fate_s"] = 150.0
    row["lon_fate"] = 30.7
    assert track_path(row) == ([50.0, 50.0, 50.0], [33.0, 31.5, 30.7])
    # a four-leg route: every waypoint passed before the fate
    pts = [(50.0, 33.0, 0.0), (49.0, 32.0, 80.0), (49.5, 31.0, 120.0), (50.0, 30.5, 160.0),
           (50.0, 30.0, 200.0)]  # fmt: skip
    legs = pd.Series({**row.to_dict(), "route_points": pts}, dtype=object)
    assert track_path(legs) == ([50.0, 49.0, 49.5, 50.0], [33.0, 32.0, 31.0, 30.7])


def test_sample_night_fate_points_lie_on_the_route(one_battery: Any) -> None:
    from airshield.raid import sample_night

    night = sample_night(one_battery, seed=3, rep=0)
    assert ((night.fate_s >= night.launch_s) & (night.fate_s <= night.impact_s + 1e-6)).all()
    leaked = night[night.fate == "leaked"]
    assert np.allclose(leaked.lat_fate, leaked.lat2) and np.allclose(leaked.lon_fate, leaked.lon2)
    # destroyed threats end inside the envelope of the unit that destroyed them
    units = {u.name: u for u in expand_fire_units(one_battery)}
    cat = one_battery.resolved_catalog()
    for r in night[night.fate == "destroyed"].itertuples():
        u = units[r.by_unit]
        x, y = to_local_km(np.array([r.lat_fate]), np.array([r.lon_fate]), u.lat, u.lon)
        assert float(np.hypot(x, y)[0]) <= cat.effectors[u.effector].range_max_km * 1.01


def test_track_traces_split_by_fate() -> None:
    import pandas as pd

    tracks = pd.DataFrame(
        {
            "threat": [0, 1, 2],
            "threat_type": ["a", "a", "d"],
            "kind": ["drone", "drone", "decoy"],
            "wave": ["w", "w", "w"],
            "target": ["city", "city", "city"],
            "fate": ["destroyed", "leaked", "leaked"],
            "by_unit": ["u1", "", ""],
            "lat0": [50.0] * 3,
            "lon0": [33.0] * 3,
            "lat1": [50.0] * 3,
            "lon1": [31.5] * 3,
            "lat2": [50.0] * 3,
            "lon2": [30.0] * 3,
            "waypoint_s": [100.0] * 3,
            "fate_s": [50.0, 200.0, 200.0],
            "lat_fate": [50.0] * 3,
            "lon_fate": [32.0, 30.0, 30.0],
        }
    )
    names = [t.name for t in track_traces(tracks)]
    assert "destroyed (1)" in names and "leaked (hit) (1)" in names
    assert "decoy leaked (harmless) (1)" in names and not any(n.startswith("lost") for n in names)


def test_fit_extent_contains_points() -> None:
    e = fit_extent([49.0, 51.0], [29.0, 35.0])
    assert e[0] < 29.0 and e[2] > 35.0 and e[1] < 49.0 and e[3] > 51.0
    assert base_geo(e)["projection"]["type"] == "mercator"


def test_cli_run_writes_report(tmp_path: Path) -> None:
    from airshield.cli import app

    out = tmp_path / "sub" / "report.html"
    res = CliRunner().invoke(
        app,
        [
            "run",
            str(example_path("one-battery")),
            "--reps",
            "10",
            "--seed",
            "3",
            "--report",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    text = out.read_text(encoding="utf-8")
    assert_self_contained(text)
    assert "<dd>3</dd>" in text


def test_campaign_report_is_self_contained(campaign_report: Path, campaign_result: Any) -> None:
    text = campaign_report.read_text(encoding="utf-8")
    assert_self_contained(text)
    s = campaign_result.summary()
    for needle in (s["campaign_hash"], s["raid_hash"], "tiny-campaign", s["version"]):
        assert needle in text
    figs = figures(text)
    assert set(figs) == {"stock-figure", "nights-figure", "cost-figure", "map-figure"}
    stock = figs["stock-figure"]["data"]
    # per pool: a band (two edges) and a mean line
    means = [t for t in stock if t.get("name") in campaign_result.pool_names]
    assert len(means) == len(campaign_result.pool_names)
    geo = figs["map-figure"]["layout"]["geo"]
    assert geo["showcountries"] is False and geo["showland"] is False


def test_campaign_report_shows_depletion_dates(campaign_report: Path, campaign_result: Any) -> None:
    text = campaign_report.read_text(encoding="utf-8")
    dep = campaign_result.depletion_frame()
    empty = dep[(dep["criterion"] == "empty") & (dep["share_depleted"] >= 0.5)]
    assert len(empty), "the fixture campaign is built to run pools empty"
    for d in empty["p50_date"]:
        assert f"{d:%Y-%m-%d}" in text
        assert f"empty {d:%d %b} (median)" in text
