"""The laydown report: optimised and rule-based laydowns side by side with the attacker's worst
routes, and the double-oracle bounds by iteration (``airshield plan laydown --report``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import plotly.graph_objects as go

from airshield.report.html import esc, figure_div, kpi, meta_list, page, table

if TYPE_CHECKING:
    from airshield.plan.laydown import LaydownResult, LoadedLaydown
    from airshield.scenario import Scenario


def _routes_trace(routes: list[dict[str, Any]], name: str) -> go.Scattergeo:
    lat: list[float | None] = []
    lon: list[float | None] = []
    for r in routes:
        for la, lo in r["points"]:
            lat.append(la)
            lon.append(lo)
        lat.append(None)
        lon.append(None)
    return go.Scattergeo(lat=lat, lon=lon, mode="lines", name=name, hoverinfo="skip",
                         line={"color": "#c62828", "width": 2, "dash": "dot"},
                         legendgroup="attack")  # fmt: skip


def laydown_map(sc: Scenario, routes: list[dict[str, Any]], title: str) -> go.Figure:
    """The scenario's map (units with envelopes, assets, launch areas) plus the worst plan's
    routes (launch -> waypoints -> main target)."""
    from airshield.report.maps import scenario_map

    assets = pd.DataFrame(
        [{"name": a.name, "lat": a.lat, "lon": a.lon, "value_usd": a.value_usd} for a in sc.assets]
    )
    fig = scenario_map(sc, assets, None, title)
    fig.add_trace(_routes_trace(routes, "worst plan's routes"))
    fig.update_layout(height=620)
    return fig


def bounds_figure(bounds: list[dict[str, Any]]) -> go.Figure:
    it = [b["iteration"] for b in bounds]
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=it, y=[b["lower"] for b in bounds], mode="lines+markers",
                             name="pure game: lower bound (defender MILP)"))  # fmt: skip
    fig.add_trace(go.Scatter(x=it, y=[b["upper"] for b in bounds], mode="lines+markers",
                             name="pure game: upper bound (attacker best response)"))  # fmt: skip
    if bounds and "mixed_lower" in bounds[0]:
        fig.add_trace(go.Scatter(x=it, y=[b["mixed_lower"] for b in bounds],
                                 mode="lines+markers", line={"dash": "dot"},
                                 name="mixed game: lower bound (defender vs the attacker's mix)"))  # fmt: skip
        fig.add_trace(go.Scatter(x=it, y=[b["mixed_upper"] for b in bounds],
                                 mode="lines+markers", line={"dash": "dot"},
                                 name="mixed game: upper bound (attacker vs the defender's mix)"))  # fmt: skip
    fig.update_layout(title="double oracle: model game value (harmful leakers) by iteration",
                      xaxis_title="iteration", yaxis_title="harmful leakers (model)",
                      height=380)  # fmt: skip
    return fig


def write_laydown_report(ld: LoadedLaydown, res: LaydownResult, path: str | Path) -> None:
    def band(b: dict[str, float]) -> str:
        return f"{b['mean']:.1f} ({b['p5']:.0f}–{b['p95']:.0f})"

    kpis = "".join([
        kpi("worst case, optimised", f"{res.worst_case['mean']:.1f}", band(res.worst_case)),
        kpi("worst case, rule-based", f"{res.baseline['worst_case']['mean']:.1f}",
            band(res.baseline["worst_case"])),
        kpi("mean case, optimised", f"{res.mean_case['mean']:.1f}", band(res.mean_case)),
        kpi("mean case, rule-based", f"{res.baseline['mean_case']['mean']:.1f}",
            band(res.baseline["mean_case"])),
    ])  # fmt: skip
    maps = (
        '<div style="display:grid;grid-template-columns:1fr 1fr;gap:12px">'
        + figure_div(laydown_map(res.scenario_optimised, res.worst_routes,
                                 "optimised laydown and its worst plan"), "map-opt")
        + figure_div(laydown_map(ld.scenario, res.baseline_routes,
                                 "rule-based laydown and its worst plan"), "map-base")
        + "</div>"
    )  # fmt: skip
    plans = table(
        ["laydown", "attacker's worst plan"],
        [["optimised", ", ".join(f"{k}={v}" for k, v in res.attacker_plan.items())],
         ["rule-based", ", ".join(f"{k}={v}" for k, v in res.baseline["attacker_plan"].items())]],
    )  # fmt: skip
    bt = table(
        ["iteration", "pure lower", "pure upper", "mixed lower", "mixed upper", "plan added",
         "attacker's mix"],
        [[b["iteration"], f"{b['lower']:.2f}", f"{b['upper']:.2f}",
          f"{b.get('mixed_lower', float('nan')):.2f}",
          f"{b.get('mixed_upper', float('nan')):.2f}",
          ", ".join(f"{k}={v}" for k, v in b["attacker_plan"].items()),
          "; ".join(f"{p:.2f}: {k}" for k, p in b.get("attacker_mix", {}).items())]
         for b in res.bounds],
    )  # fmt: skip
    body = (
        f'<section><div class="kpis">{kpis}</div>'
        "<p>Harmful leakers per night, mean (5–95 % band), simulated with the raid engine: the "
        "mean case is the scenario's default attacker plan, the worst case the attacker's best "
        "response found with the KN guard.</p></section>"
        f"<section><h2>Laydowns and worst routes</h2>{maps}{plans}</section>"
        f"<section><h2>Bounds</h2>{figure_div(bounds_figure(res.bounds), 'bounds')}{bt}"
        "<p>Model bounds, not simulated numbers: they bracket the coefficient model's game "
        "value (docs/plan.md, Laydown). The pure game is the attacker who sees the laydown "
        "and answers it (what the worst case simulates); the mixed game the attacker who "
        "randomises over its plans, which can never be worth more to it.</p></section>"
    )
    header = f"<h1>{esc(res.name)}</h1>" + meta_list([
        ("scenario", res.scenario), ("candidate sites", res.sites), ("seed", res.seed),
        ("replications", res.reps), ("converged", "yes" if res.converged else "no"),
    ])  # fmt: skip
    Path(path).write_text(page(f"laydown: {res.name}", header, body), encoding="utf-8")
