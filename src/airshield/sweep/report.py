"""A sweep report: one self-contained HTML file (plotly.js inline, no CDN, no MathJax).

Sections: what was swept (manifest), the influence ranking, response curves of each outcome
against each parameter with bands, and heatmaps of the outcome over pairs of the most
influential parameters. Methods are in :mod:`airshield.sweep.analysis`.
"""

from __future__ import annotations

import html
import itertools
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from airshield.store import read_manifest
from airshield.sweep.analysis import OUTCOMES, groups_of, influence_ranking, load_summary

REPORT_OUTCOMES = ("leaked_harmful", "defender_cost_usd", "damage_usd", "first_empty_night")
MAX_HEATMAP_PARAMS = 4
COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b")


def _label(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


def _group_table(frame: pd.DataFrame, name: str, outcome: str) -> pd.DataFrame:
    """Per group of parameter ``name``: representative x, label, mean, mean p5, mean p95."""
    labels, _ = groups_of(frame[name])
    g = frame.assign(_g=labels).groupby("_g", sort=True)
    out = pd.DataFrame(
        {
            "x": g[name].mean() if pd.api.types.is_numeric_dtype(frame[name]) else g[name].first(),
            "lo": g[name].min(),
            "hi": g[name].max(),
            "mean": g[f"{outcome}_mean"].mean(),
            "p5": g[f"{outcome}_p5"].mean(),
            "p95": g[f"{outcome}_p95"].mean(),
            "cells": g.size(),
        }
    )
    out["label"] = [
        _label(a) if a == b else f"{_label(a)}–{_label(b)}"
        for a, b in zip(out["lo"], out["hi"], strict=True)
    ]
    return out.reset_index(drop=True)


def _response_figure(frame: pd.DataFrame, params: list[dict[str, Any]], outcome: str) -> Any:
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    n = len(params)
    cols = min(3, n)
    rows = (n + cols - 1) // cols
    fig = make_subplots(
        rows=rows, cols=cols, subplot_titles=[p["name"] for p in params], shared_yaxes=True
    )
    for i, p in enumerate(params):
        r, c = i // cols + 1, i % cols + 1
        t = _group_table(frame, p["name"], outcome)
        numeric = p["type"] in ("int64", "float64")
        x = t["x"] if numeric else t["label"]
        colour = COLOURS[0]
        if numeric and len(t) > 1:
            fig.add_trace(
                go.Scatter(x=list(x) + list(x)[::-1], y=list(t["p95"]) + list(t["p5"])[::-1],
                           fill="toself", fillcolor="rgba(31,119,180,0.18)", line={"width": 0},
                           hoverinfo="skip", showlegend=i == 0, name="5–95 % of replications"),
                row=r, col=c,
            )  # fmt: skip
        fig.add_trace(
            go.Scatter(
                x=x, y=t["mean"], mode="lines+markers", line={"color": colour},
                name="mean", showlegend=i == 0,
                error_y=None if numeric and len(t) > 1 else {
                    "type": "data", "array": list(t["p95"] - t["mean"]),
                    "arrayminus": list(t["mean"] - t["p5"]), "visible": True},
                customdata=np.stack([t["label"], t["cells"]], axis=-1),
                hovertemplate="%{customdata[0]}: %{y:.4g} (%{customdata[1]} cells)<extra></extra>",
            ),
            row=r, col=c,
        )  # fmt: skip
    fig.update_layout(
        height=320 * rows, margin={"t": 60, "b": 40}, title=f"{OUTCOMES[outcome]}: mean over cells"
    )
    return fig


def _heatmap(frame: pd.DataFrame, a: str, b: str, outcome: str) -> Any:
    import plotly.graph_objects as go

    la, ka = groups_of(frame[a])
    lb, kb = groups_of(frame[b])
    f = frame.assign(_a=la, _b=lb)
    z = np.full((kb, ka), np.nan)
    g = f.groupby(["_b", "_a"])[f"{outcome}_mean"].mean()
    for key, v in g.items():
        pair: tuple[Any, Any] = key  # type: ignore[assignment]
        z[int(pair[0]), int(pair[1])] = float(v)
    xa = _group_table(frame, a, outcome)["label"]
    xb = _group_table(frame, b, outcome)["label"]
    fig = go.Figure(
        go.Heatmap(z=z, x=list(xa), y=list(xb), colorscale="Viridis",
                   colorbar={"title": outcome}, hovertemplate=f"{a}=%{{x}}<br>{b}=%{{y}}<br>"
                   "mean %{z:.4g}<extra></extra>")
    )  # fmt: skip
    fig.update_layout(
        title=f"{outcome}: {b} against {a}", xaxis_title=a, yaxis_title=b, height=420,
        xaxis={"type": "category"}, yaxis={"type": "category"},
    )  # fmt: skip
    return fig


def _influence_figure(rankings: dict[str, list[dict[str, Any]]], params: list[str]) -> Any:
    import plotly.graph_objects as go

    fig = go.Figure()
    for i, (outcome, rows) in enumerate(rankings.items()):
        s1 = {r["parameter"]: r["s1"] for r in rows}
        fig.add_trace(
            go.Bar(y=params, x=[s1.get(p, 0.0) for p in params], orientation="h", name=outcome,
                   marker_color=COLOURS[i % len(COLOURS)])
        )  # fmt: skip
    fig.update_layout(
        barmode="group", title="First-order influence S1 (share of the spread of the cell means)",
        xaxis={"range": [0, 1], "title": "S1"}, yaxis={"autorange": "reversed"},
        height=120 + 60 * len(params) * max(1, len(rankings)) // 2,
    )  # fmt: skip
    return fig


def _table_html(rows: list[dict[str, Any]], cols: list[str]) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in cols)
    body = []
    for r in rows:
        cells = []
        for c in cols:
            v = r.get(c)
            s = "" if v is None else (f"{v:.3f}" if isinstance(v, float) else str(v))
            cells.append(f"<td>{html.escape(s)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def build_report(out: str | Path) -> str:
    """The report's HTML text."""
    man = read_manifest(out)
    frame, params = load_summary(out)
    outcomes = [o for o in REPORT_OUTCOMES if f"{o}_mean" in frame.columns]
    rankings = {o: influence_ranking(frame, params, f"{o}_mean") for o in outcomes}
    names = [r["parameter"] for r in rankings[outcomes[0]]]
    figs: list[tuple[str, Any]] = [("Influence ranking", _influence_figure(rankings, names))]
    for o in outcomes:
        figs.append((f"Response curves: {OUTCOMES[o]}", _response_figure(frame, params, o)))
    top = [n for n in names if frame[n].nunique() > 1][:MAX_HEATMAP_PARAMS]
    aliased = {r["parameter"]: set(r["aliased_with"]) for r in rankings[outcomes[0]]}
    for a, b in itertools.combinations(top, 2):
        if b in aliased.get(a, set()):
            continue  # they move together: the heatmap would be a diagonal
        figs.append((f"Heatmap: {a} × {b}", _heatmap(frame, a, b, outcomes[0])))

    parts = []
    for i, (title, fig) in enumerate(figs):
        div = fig.to_html(full_html=False, include_plotlyjs=i == 0, include_mathjax=False)
        parts.append(f"<h2>{html.escape(title)}</h2>\n{div}")
    info = [
        ("sweep", man["name"]), ("description", man.get("description", "")),
        ("cells done", f"{len(frame)} of {man['n_cells']}"),
        ("replications per cell", man["reps"]), ("root seed", man["seed"]),
        ("base scenario", f"{man['base_scenario']} (hash {man['base_hash']})"),
        ("spec hash", man["spec_hash"]), ("engine", man["engine"]),
        ("airshield version", man["version"]),
    ]  # fmt: skip
    info_html = "".join(
        f"<tr><th>{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>" for k, v in info
    )
    ptable = _table_html(
        [{"name": p["name"], "path": p["path"], "axis": f"{p['axis']} ({p['axis_kind']})",
          "values": int(frame[p["name"]].nunique()),
          "min": _label(frame[p["name"]].min()), "max": _label(frame[p["name"]].max())}
         for p in params],
        ["name", "path", "axis", "values", "min", "max"],
    )  # fmt: skip
    itables = "".join(
        f"<h3>{html.escape(OUTCOMES[o])}</h3>"
        + _table_html(rows, ["rank", "parameter", "s1", "noise_floor", "src", "linear_r2"])
        for o, rows in rankings.items()
    )
    partial = (
        "" if len(frame) == man["n_cells"]
        else f"<p class='warn'>Partial sweep: {len(frame)} of {man['n_cells']} cells finished; "
        "figures are from those. Rerun <code>airshield sweep run</code> to finish it.</p>"
    )  # fmt: skip
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>AirShield sweep: {html.escape(man["name"])}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1200px; color: #222; }}
table {{ border-collapse: collapse; margin: 0.5em 0 1.5em; }}
th, td {{ border: 1px solid #ccc; padding: 3px 8px; text-align: left; font-size: 0.9em; }}
.warn {{ color: #a00; }} .note {{ color: #555; font-size: 0.9em; }}
</style></head><body>
<h1>Sweep: {html.escape(man["name"])}</h1>
{partial}
<table>{info_html}</table>
<h2>Parameters</h2>{ptable}
<p class="note">Outcomes are per-cell means over the replications of each cell. Response curves
show, for each value of a parameter (or each decile when it takes many values), the mean over
the cells with that value (the other parameters averaged as the design spreads them); the band
is the mean of those cells' 5–95 % replication bands. S1 is the first-order sensitivity index
(share of the variance of the cell means explained by the parameter alone, η² of the grouping);
below <em>noise_floor</em> it is indistinguishable from no effect; 1 − ΣS1 is interactions plus
Monte Carlo noise. SRC: standardised regression coefficient (direction of a linear effect),
with the fit's R².</p>
{itables}
{"".join(parts)}
</body></html>
"""


def write_report(out: str | Path, path: str | Path) -> Path:
    """Write the report of sweep directory ``out`` to ``path``."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(build_report(out), encoding="utf-8")
    return p
