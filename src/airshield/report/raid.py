"""The raid report: one self-contained HTML file from a :class:`RaidResult` and its scenario.

Sections: header (scenario, hash, seed, replications, engine, version), headline numbers, a map
(country outlines, assets sized by expected damage, fire units with envelopes, the threat tracks
of one sample replication coloured by fate), the leakers distribution, outcomes by threat type,
rounds and cost by effector type, damage by asset.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from airshield import fmt
from airshield.report import html as h
from airshield.report.basemap import DEFAULT_BASEMAP, Basemap, basemap_note
from airshield.report.maps import FATE_STYLE, scenario_map
from airshield.vocab import Outcome

if TYPE_CHECKING:
    from airshield.raid.result import RaidResult
    from airshield.scenario import Scenario

SAMPLE_REP = 0


def asset_table(result: RaidResult, sc: Scenario) -> pd.DataFrame:
    """Assets with position, value and expected damage / hits (mean, 5-95 %)."""
    rows = []
    by_name = {a.name: a for a in sc.assets}
    for i, name in enumerate(result.asset_names):
        a = by_name[name]
        d = result.damage_usd[:, i] if result.reps else np.zeros(1)
        hts = result.hits[:, i] if result.reps else np.zeros(1)
        rows.append(
            {
                "name": name,
                "lat": a.lat,
                "lon": a.lon,
                "value_usd": a.value_usd,
                "damage_mean": float(np.mean(d)),
                "damage_p5": float(np.percentile(d, 5)),
                "damage_p95": float(np.percentile(d, 95)),
                "hits_mean": float(np.mean(hts)),
            }
        )
    return pd.DataFrame(rows)


def map_figure(
    result: RaidResult, sc: Scenario, rep: int = SAMPLE_REP, basemap: Basemap = DEFAULT_BASEMAP
) -> go.Figure:
    """The raid map: the basemap, envelopes, fire units, launch areas, assets sized by expected
    damage, and the threat tracks of replication ``rep``."""
    from airshield.raid.trace import sample_night

    tracks = sample_night(sc, seed=result.seed, rep=rep, engine=result.engine)
    return scenario_map(
        sc,
        asset_table(result, sc),
        tracks,
        f"Sample replication {rep} (seed {result.seed})",
        basemap=basemap,
    )


def harmful_leakers(result: RaidResult) -> np.ndarray:
    harmful = np.array([k != "decoy" for k in result.threat_kinds], dtype=bool)
    return (
        result.outcomes[:, harmful, Outcome.LEAKED].sum(axis=1)
        if result.reps
        else np.zeros(0, np.int64)
    )


def leakers_figure(result: RaidResult) -> go.Figure:
    """Share of replications with each number of harmful leakers, with mean and 5-95 % marks."""
    x = harmful_leakers(result)
    fig = go.Figure()
    if x.size:
        counts = np.bincount(x)
        vals = np.arange(counts.size)
        nz = counts > 0
        fig.add_trace(
            go.Bar(
                x=vals[nz],
                y=100.0 * counts[nz] / x.size,
                name="replications",
                marker_color=FATE_STYLE["leaked"][0],
                hovertemplate="%{x} leakers: %{y:.1f}% of replications<extra></extra>",
            )
        )
        for q, label, dash in (
            (float(x.mean()), "mean", "solid"),
            (float(np.percentile(x, 5)), "5 %", "dot"),
            (float(np.percentile(x, 95)), "95 %", "dot"),
        ):
            fig.add_vline(x=q, line_dash=dash, line_color="#37474f", annotation_text=label)
    fig.update_layout(
        title={
            "text": f"Harmful leakers per night ({result.reps} replications)",
            "font": {"size": 14},
        },
        xaxis_title="threats that hit (decoys excluded)",
        yaxis_title="% of replications",
        height=360,
        margin={"l": 60, "r": 20, "t": 50, "b": 50},
        bargap=0.1,
        showlegend=False,
    )
    return fig


def outcomes_figure(s: dict[str, Any]) -> go.Figure:
    """Mean destroyed / lost / leaked by threat type (stacked), hover shows the 5-95 % band."""
    names = [t["threat_type"] for t in s["threats"]]
    fig = go.Figure()
    for key, label in (("destroyed", "destroyed"), ("lost", "lost (EW)"), ("leaked", "leaked")):
        colour: str | list[str] = FATE_STYLE[key][0]
        if key == "leaked":  # leaked decoys are harmless: grey
            colour = [
                FATE_STYLE["decoy_leaked"][0] if t["kind"] == "decoy" else FATE_STYLE["leaked"][0]
                for t in s["threats"]
            ]
            label = "leaked (grey: decoys, harmless)"
        fig.add_trace(
            go.Bar(
                x=names,
                y=[t[key]["mean"] for t in s["threats"]],
                name=label,
                marker_color=colour,
                customdata=[[t[key]["p5"], t[key]["p95"]] for t in s["threats"]],
                hovertemplate="%{x}: %{y:.1f} [%{customdata[0]:.0f}–%{customdata[1]:.0f}]"
                f" {label}<extra></extra>",
            )
        )
    fig.update_layout(
        barmode="stack",
        title={"text": "Outcomes by threat type (mean per night)", "font": {"size": 14}},
        yaxis_title="threats",
        height=360,
        margin={"l": 60, "r": 20, "t": 50, "b": 60},
        legend={"orientation": "h", "y": -0.2},
    )
    return fig


def effectors_figure(s: dict[str, Any]) -> go.Figure:
    """Rounds fired and their cost by effector type: means with 5-95 % error bars."""
    names = [e["effector_type"] for e in s["effectors"]]
    fig = make_subplots(rows=1, cols=2, subplot_titles=("rounds fired", "cost of rounds (USD)"))
    for col, key, colour in ((1, "rounds", "#1f5f8b"), (2, "cost_usd", "#b26a00")):
        mean = np.array([e[key]["mean"] for e in s["effectors"]], dtype=float)
        lo = np.array([e[key]["p5"] for e in s["effectors"]], dtype=float)
        hi = np.array([e[key]["p95"] for e in s["effectors"]], dtype=float)
        fig.add_trace(
            go.Bar(
                x=names,
                y=mean,
                marker_color=colour,
                showlegend=False,
                name=key,
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": np.maximum(hi - mean, 0),
                    "arrayminus": np.maximum(mean - lo, 0),
                    "color": "#37474f",
                },
                hovertemplate="%{x}: %{y:,.1f}<extra>" + key + "</extra>",
            ),
            row=1,
            col=col,
        )
    fig.update_layout(
        title={
            "text": "Rounds and cost by effector type (mean, bars 5–95 %)",
            "font": {"size": 14},
        },
        height=360,
        margin={"l": 60, "r": 20, "t": 70, "b": 60},
    )
    return fig


def raid_report_html(
    result: RaidResult,
    sc: Scenario,
    title: str | None = None,
    basemap: Basemap = DEFAULT_BASEMAP,
) -> str:
    """The raid report as one self-contained HTML string (``basemap``: ``vector``, the default,
    ``outline`` or ``none``; see :mod:`airshield.report.basemap`)."""
    s = result.summary()
    tot = s["totals"]
    title = title or f"AirShield raid report: {s['scenario']}"
    meta = h.meta_list(
        [
            ("scenario hash", s["scenario_hash"]),
            ("seed", s["seed"]),
            ("replications", f"{s['reps']} of {s['reps_requested']}"),
            ("engine", s["engine"]),
            ("airshield", s["version"]),
            ("threats launched", fmt.count(tot["launched"]["mean"])),
        ]
    )
    header = (
        f"<h1>{h.esc(title)}</h1><p>{h.esc(sc.description or '')}</p>"
        + ("<p>Notional laydown: no real unit positions.</p>" if sc.notional else "")
        + meta
    )
    parts: list[str] = []
    if s["interrupted"]:
        parts.append(
            f'<p class="warn">Interrupted: {s["reps"]} of {s["reps_requested"]} replications '
            "finished; the figures below are from those.</p>"
        )
    parts.append(
        '<section id="headline"><h2>Headline: mean [5–95 %] per night</h2><div class="kpis">'
        + h.kpi_band("harmful leakers", tot["leaked_harmful"])
        + h.kpi_band("destroyed", tot["destroyed"])
        + h.kpi_band("lost (EW)", tot["lost"])
        + h.kpi(
            "decoys leaked",
            fmt.count(tot["decoy_leaked"]["mean"]),
            f"[{fmt.count(tot['decoy_leaked']['p5'])}–{fmt.count(tot['decoy_leaked']['p95'])}]"
            " harmless",
        )
        + h.kpi_band("expected damage", tot["damage_usd"], money=True)
        + h.kpi(
            "defender cost",
            fmt.money(tot["defender_cost_usd"]["mean"]),
            f"[{fmt.money(tot['defender_cost_usd']['p5'])}–"
            f"{fmt.money(tot['defender_cost_usd']['p95'])}] attacker cost "
            f"{fmt.money(tot['attacker_cost_usd'])}",
        )
        + "</div></section>"
    )
    parts.append(
        '<section id="map"><h2>Map</h2><p class="note">'
        + h.esc(basemap_note(basemap))
        + " Assets are sized by expected damage; envelopes show each fire unit's maximum "
        "(and minimum) range. Tracks are one sample replication, each drawn to where the threat "
        "was intercepted, made lost by EW or reached its aim point. Scroll to zoom."
        "</p>" + h.figure_div(map_figure(result, sc, basemap=basemap), "map-figure") + "</section>"
    )
    parts.append(
        '<section id="distributions"><div class="grid2">'
        + h.figure_div(leakers_figure(result), "leakers-figure")
        + h.figure_div(outcomes_figure(s), "outcomes-figure")
        + "</div></section>"
    )
    parts.append(
        '<section id="effectors">'
        + h.figure_div(effectors_figure(s), "effectors-figure")
        + "</section>"
    )
    values = {a.name: a.value_usd for a in sc.assets}
    parts.append(
        '<section id="tables"><h2>Tables: mean [5–95 %]</h2>'
        + h.table(
            ["threat type", "kind", "launched", "destroyed", "lost (EW)", "leaked"],
            [
                [
                    t["threat_type"],
                    t["kind"],
                    fmt.count(t["launched"]["mean"]),
                    fmt.band(t["destroyed"]),
                    fmt.band(t["lost"]),
                    fmt.band(t["leaked"]),
                ]
                for t in s["threats"]
            ],
            numeric_from=2,
        )
        + h.table(
            ["effector type", "rounds", "cost", "destroyed", "lost (EW)"],
            [
                [
                    e["effector_type"],
                    fmt.band(e["rounds"]),
                    fmt.band(e["cost_usd"], "money"),
                    fmt.band(e["destroyed"]),
                    fmt.band(e["lost"]),
                ]
                for e in s["effectors"]
            ],
        )
        + h.table(
            ["asset", "value", "hits", "damage"],
            [
                [
                    a["asset"],
                    fmt.money(values[a["asset"]]),
                    fmt.band(a["hits"]),
                    fmt.band(a["damage_usd"], "money"),
                ]
                for a in s["assets"]
            ],
        )
        + "</section>"
    )
    return h.page(title, header, "".join(parts), footer_html=f"Scenario {h.esc(s['scenario'])}.")


def write_raid_report(
    result: RaidResult, sc: Scenario, path: str | Path, basemap: Basemap = DEFAULT_BASEMAP
) -> Path:
    """Write the raid report to ``path`` (one self-contained HTML file); return the path."""
    p = Path(path)
    if p.parent and not p.parent.exists():
        p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(raid_report_html(result, sc, basemap=basemap), encoding="utf-8")
    return p
