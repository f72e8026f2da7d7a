"""Notebook views of results: short reprs, HTML headline tables with bands, ``.plot`` accessors.

Every result class (:class:`~airshield.raid.result.RaidResult`,
:class:`~airshield.campaign.result.CampaignResult`, :class:`~airshield.sweep.runner.SweepRun`,
:class:`~airshield.plan.allocation.AllocationResult`) delegates here: ``repr(result)`` is one
line, ``result._repr_html_()`` (what Jupyter shows) a small table of the headline figures as
``mean [5–95 %]``, and ``result.plot.<figure>()`` returns the report's plotly figures, so a
notebook shows the same pictures as the HTML report. Numbers go through :mod:`airshield.fmt`.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from airshield import fmt

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from airshield.campaign.result import CampaignResult
    from airshield.plan.allocation import AllocationResult
    from airshield.raid.result import RaidResult
    from airshield.scenario import Scenario
    from airshield.sweep.runner import SweepRun

STYLE = (
    "border-collapse:collapse;font-size:13px;"
    "font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif"
)
CELL = "padding:3px 10px;border-bottom:1px solid #d9dee3"


def html_table(
    title: str, rows: Sequence[tuple[str, str]], note: str = "", head: tuple[str, str] | None = None
) -> str:
    """A two-column HTML table (quantity, value) with a caption and an optional note."""
    esc = html.escape
    hdr = ""
    if head:
        hdr = (
            f'<thead><tr><th style="{CELL};text-align:left">{esc(head[0])}</th>'
            f'<th style="{CELL};text-align:right">{esc(head[1])}</th></tr></thead>'
        )
    body = "".join(
        f'<tr><td style="{CELL};text-align:left">{esc(k)}</td>'
        f'<td style="{CELL};text-align:right;font-variant-numeric:tabular-nums">{esc(v)}</td></tr>'
        for k, v in rows
    )
    cap = f'<caption style="text-align:left;font-weight:600;padding:4px 0">{esc(title)}</caption>'
    foot = f'<div style="color:#5b6773;font-size:12px">{esc(note)}</div>' if note else ""
    return f'<div><table style="{STYLE}">{cap}{hdr}<tbody>{body}</tbody></table>{foot}</div>'


# ---- raid -------------------------------------------------------------------------------------
def raid_repr(r: RaidResult) -> str:
    s = r.summary()["totals"]
    lk = fmt.band(s["leaked_harmful"]) if r.reps else "–"
    part = " (interrupted)" if r.interrupted else ""
    return (
        f"<RaidResult {r.scenario_name!r}: {r.reps} reps{part}, seed {r.seed}, engine {r.engine}; "
        f"harmful leakers {lk}>"
    )


def raid_rows(r: RaidResult) -> list[tuple[str, str]]:
    t = r.summary()["totals"]
    return [
        ("threats launched", fmt.count(t["launched"]["mean"])),
        (fmt.label("leaked_harmful"), fmt.band(t["leaked_harmful"])),
        (fmt.label("destroyed"), fmt.band(t["destroyed"])),
        (fmt.label("lost"), fmt.band(t["lost"])),
        (fmt.label("decoy_leaked"), fmt.band(t["decoy_leaked"])),
        ("expected damage", fmt.band(t["damage_usd"], "money")),
        (fmt.label("defender_cost_usd"), fmt.band(t["defender_cost_usd"], "money")),
        (fmt.label("attacker_cost_usd"), fmt.money(t["attacker_cost_usd"])),
    ]


def raid_html(r: RaidResult) -> str:
    return html_table(
        f"Raid {r.scenario_name}: {r.reps} replications, seed {r.seed}, engine {r.engine}",
        raid_rows(r),
        "mean [5–95 %] across replications; result.plot.leakers() / .outcomes() / "
        ".effectors() / .map(scenario) draw the report's figures",
        head=("per night", "mean [5–95 %]"),
    )


class RaidPlot:
    """``result.plot``: the raid report's figures (plotly)."""

    def __init__(self, result: RaidResult) -> None:
        self._r = result

    def leakers(self) -> go.Figure:
        """Distribution of harmful leakers per night, with mean and 5–95 % marks."""
        from airshield.report.raid import leakers_figure

        return leakers_figure(self._r)

    def outcomes(self) -> go.Figure:
        """Destroyed / lost / leaked by threat type (stacked means; hover shows the band)."""
        from airshield.report.raid import outcomes_figure

        return outcomes_figure(self._r.summary())

    def effectors(self) -> go.Figure:
        """Rounds fired and their cost by effector type, with 5–95 % bars."""
        from airshield.report.raid import effectors_figure

        return effectors_figure(self._r.summary())

    def map(self, scenario: Scenario, rep: int = 0) -> go.Figure:
        """The defended-area map with the tracks of replication ``rep`` (needs the scenario)."""
        from airshield.report.raid import map_figure

        return map_figure(self._r, scenario, rep)

    def __call__(self) -> go.Figure:
        return self.leakers()


# ---- campaign ---------------------------------------------------------------------------------
def campaign_repr(c: CampaignResult) -> str:
    s = c.summary()["totals"]
    return (
        f"<CampaignResult {c.campaign_name!r}: {c.reps} reps × {c.nights} nights, mode {c.mode}, "
        f"seed {c.seed}; harmful leakers {fmt.band(s['leaked_harmful'])}>"
    )


def campaign_rows(c: CampaignResult) -> list[tuple[str, str]]:
    s = c.summary()
    t = s["totals"]
    rows = [
        ("threats launched", fmt.count(t["launched"])),
        (fmt.label("leaked_harmful"), fmt.band(t["leaked_harmful"])),
        (fmt.label("destroyed"), fmt.band(t["destroyed"])),
        (fmt.label("damage_usd"), fmt.band(t["damage_usd"], "money")),
        (fmt.label("defender_cost_usd"), fmt.band(t["defender_cost_usd"], "money")),
        (fmt.label("attacker_cost_usd"), fmt.money(t["attacker_cost_usd"])),
    ]
    for p in s["pools"]:
        d = p["depletion"]["empty"]
        when = "never" if not d["share_depleted"] else f"{d['date']['p50'] or 'after the horizon'}"
        rows.append(
            (
                f"{p['pool']}: empty (median date, share of replications)",
                f"{when} ({fmt.fraction(d['share_depleted'])})",
            )
        )
    return rows


def campaign_html(c: CampaignResult) -> str:
    return html_table(
        f"Campaign {c.campaign_name}: {c.reps} replications × {c.nights} nights "
        f"({c.mode} mode, seed {c.seed})",
        campaign_rows(c),
        "totals over the campaign, mean [5–95 %] across replications; result.plot.stocks() / "
        ".nights() / .costs() draw the report's figures",
        head=("over the campaign", "mean [5–95 %]"),
    )


class CampaignPlot:
    """``result.plot``: the campaign report's figures (plotly)."""

    def __init__(self, result: CampaignResult) -> None:
        self._r = result

    def stocks(self) -> go.Figure:
        """Rounds in stock per pool with 5–95 % bands and the median date each runs empty."""
        from airshield.report.campaign import stock_figure

        return stock_figure(self._r)

    def nights(self) -> go.Figure:
        """Threats launched and harmful leakers night by night."""
        from airshield.report.campaign import nights_figure

        return nights_figure(self._r)

    def costs(self) -> go.Figure:
        """Cumulative defender and attacker cost and damage, with bands."""
        from airshield.report.campaign import cost_figure

        return cost_figure(self._r)

    def __call__(self) -> go.Figure:
        return self.stocks()


def campaign_xarray(c: CampaignResult) -> Any:
    """The pool ledger as an ``xarray.Dataset`` over (rep, night, pool) and the raid outcomes
    over (rep, night, threat_type)."""
    try:
        import xarray as xr
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise ImportError("to_xarray() needs xarray: pip install xarray") from exc
    import numpy as np

    coords = {
        "rep": np.arange(c.reps),
        "night": np.arange(c.nights),
        "pool": list(c.pool_names),
        "threat_type": list(c.threat_types),
    }
    pool = ("rep", "night", "pool")
    threat = ("rep", "night", "threat_type")
    data: dict[str, Any] = {
        name: (pool, getattr(c, name))
        for name in (
            "stock_start",
            "produced",
            "delivered",
            "diverted",
            "fired",
            "stock_end",
            "purchased",
        )
    }
    data.update({name: (threat, getattr(c, name)) for name in ("destroyed", "lost", "leaked")})
    data["damage_usd"] = (("rep", "night"), c.damage_usd)
    ds = xr.Dataset(data, coords=coords)
    ds = ds.assign_coords(date=("night", [np.datetime64(d) for d in c.dates]))
    ds.attrs.update(campaign=c.campaign_name, mode=c.mode, seed=c.seed)
    return ds


def raid_xarray(r: RaidResult) -> Any:
    """Outcomes as an ``xarray.Dataset`` over (rep, threat_type), rounds and cost over
    (rep, effector_type), hits and damage over (rep, asset)."""
    try:
        import xarray as xr
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise ImportError("to_xarray() needs xarray: pip install xarray") from exc
    import numpy as np

    from airshield.raid.result import OUTCOMES

    coords = {
        "rep": np.arange(r.reps),
        "threat_type": list(r.threat_types),
        "effector_type": list(r.effector_types),
        "asset": list(r.asset_names),
    }
    data: dict[str, Any] = {
        o: (("rep", "threat_type"), r.outcomes[:, :, i]) for i, o in enumerate(OUTCOMES)
    }
    data["rounds"] = (("rep", "effector_type"), r.shots)
    data["cost_usd"] = (("rep", "effector_type"), r.cost_usd)
    data["hits"] = (("rep", "asset"), r.hits)
    data["damage_usd"] = (("rep", "asset"), r.damage_usd)
    ds = xr.Dataset(data, coords=coords)
    ds = ds.assign_coords(kind=("threat_type", list(r.threat_kinds)))
    ds.attrs.update(scenario=r.scenario_name, seed=r.seed, engine=r.engine)
    return ds


# ---- sweep ------------------------------------------------------------------------------------
def sweep_repr(s: SweepRun) -> str:
    state = "complete" if s.complete else f"{s.cells_done} of {s.n_cells} cells"
    return (
        f"<SweepRun {s.name!r}: {state}, {s.cells_run} cells run in "
        f"{fmt.duration(s.elapsed_s)} ({s.backend}, {s.workers} workers); out {str(s.out)!r}>"
    )


def sweep_html(s: SweepRun) -> str:
    from airshield.sweep.analysis import influence_ranking, load_summary

    frame, params = load_summary(s.out)
    rows: list[tuple[str, str]] = [
        ("cells done", f"{s.cells_done} of {s.n_cells}"),
        ("cells run now", fmt.count(s.cells_run)),
    ]
    if "leaked_harmful_mean" in frame.columns and len(frame):
        band = {
            "mean": float(frame["leaked_harmful_mean"].mean()),
            "p5": float(frame["leaked_harmful_mean"].quantile(0.05)),
            "p95": float(frame["leaked_harmful_mean"].quantile(0.95)),
        }
        rows.append(("harmful leakers (cell means)", fmt.band(band)))
        for r in influence_ranking(frame, params, "leaked_harmful_mean")[:5]:
            rows.append((f"influence S1: {r['parameter']}", fmt.ratio(r["s1"])))
    return html_table(
        f"Sweep {s.name}",
        rows,
        "cell means: mean [5–95 % across cells]; result.plot.influence() / .response() draw "
        "the report's figures; result.to_frame() is the per-cell summary",
    )


class SweepPlot:
    """``result.plot``: the sweep report's figures (plotly)."""

    def __init__(self, run: SweepRun) -> None:
        self._s = run

    def influence(self, outcome: str = "leaked_harmful") -> go.Figure:
        """First-order influence S1 of each parameter on ``outcome``."""
        from airshield.sweep.analysis import influence_ranking, load_summary
        from airshield.sweep.report import _influence_figure

        frame, params = load_summary(self._s.out)
        rank = influence_ranking(frame, params, f"{outcome}_mean")
        return _influence_figure({outcome: rank}, [r["parameter"] for r in rank])

    def response(self, outcome: str = "leaked_harmful") -> go.Figure:
        """Response curves of ``outcome`` against every parameter, with bands."""
        from airshield.sweep.analysis import load_summary
        from airshield.sweep.report import _response_figure

        frame, params = load_summary(self._s.out)
        return _response_figure(frame, params, outcome)

    def __call__(self) -> go.Figure:
        return self.influence()


# ---- allocation -------------------------------------------------------------------------------
def allocation_repr(a: AllocationResult) -> str:
    d = a.difference()
    return (
        f"<AllocationResult {a.name!r}: {len(a.regions)} regions, pools {a.split_pools}, "
        f"{a.reps} reps; optimised − proportional {fmt.diff(d['mean'], d['lo'], d['hi'])} "
        "weighted leakers>"
    )


def allocation_html(a: AllocationResult) -> str:
    from airshield.raid.result import band

    d = a.difference()
    rows = [
        ("weighted leakers, proportional split", fmt.band(band(a.weighted_proportional))),
        ("weighted leakers, optimised split", fmt.band(band(a.weighted_optimised))),
        (
            f"optimised − proportional [{d['level']:.0%} paired interval]",
            fmt.diff(d["mean"], d["lo"], d["hi"]),
        ),
    ]
    for g, r in enumerate(a.regions):
        for k, p in enumerate(a.pools):
            if p in a.split_pools:
                rows.append(
                    (
                        f"{r}: share of {p} (proportional)",
                        f"{fmt.fraction(a.optimised[g, k])} ({fmt.fraction(a.proportional[g, k])})",
                    )
                )
    return html_table(
        f"Allocation {a.name}: {a.reps} replications, seed {a.seed}",
        rows,
        "mean [5–95 %] across replications; result.plot.shares() / .curves() draw figures",
    )


class AllocationPlot:
    """``result.plot``: the allocation's figures (plotly)."""

    def __init__(self, result: AllocationResult) -> None:
        self._a = result

    def shares(self) -> go.Figure:
        """Share of each split pool per region: optimised against proportional."""
        import plotly.graph_objects as go

        a = self._a
        fig = go.Figure()
        for k, p in enumerate(a.pools):
            if p not in a.split_pools:
                continue
            fig.add_trace(go.Bar(x=a.regions, y=list(a.optimised[:, k]), name=f"{p} optimised"))
            fig.add_trace(
                go.Bar(
                    x=a.regions,
                    y=list(a.proportional[:, k]),
                    name=f"{p} proportional",
                    marker_pattern_shape="/",
                )
            )
        fig.update_layout(
            barmode="group",
            yaxis={"tickformat": ".0%", "title": "share of the pool"},
            title="Share of each pool per region",
            height=380,
        )
        return fig

    def curves(self) -> go.Figure:
        """Each region's response curve: weighted leakers against its fraction of the pools."""
        import plotly.graph_objects as go

        a = self._a
        fig = go.Figure()
        xcol = a.split_pools[0]
        for region, g in a.curves.groupby("region", sort=False):
            fig.add_trace(
                go.Scatter(
                    x=list(g[xcol]), y=list(g["weighted_leakers"]), mode="lines+markers",
                    name=str(region),
                )
            )  # fmt: skip
        fig.update_layout(
            xaxis={"tickformat": ".0%", "title": f"fraction of {xcol}"},
            yaxis={"title": "weighted harmful leakers"},
            title="Response curves by region (fast model)",
            height=380,
        )
        return fig

    def __call__(self) -> go.Figure:
        return self.shares()
