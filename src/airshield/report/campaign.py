"""The campaign report: one self-contained HTML file from a :class:`CampaignResult`.

Sections: header (campaign, hashes, mode, seed, replications, horizon, version), headline totals,
interceptor stock curves per pool with 5-95 % bands and depletion dates, raids and harmful leakers
night by night, cumulative costs, a map of the raid template's laydown, and tables (pool ledgers,
depletion, totals). Built only from the result's documented frames (``stock_bands``,
``night_bands``, ``depletion_frame``) and ``summary()``.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from airshield import fmt
from airshield.report import html as h
from airshield.report.basemap import DEFAULT_BASEMAP, Basemap, basemap_note
from airshield.report.maps import PALETTE, scenario_map

if TYPE_CHECKING:
    from airshield.campaign import Campaign, CampaignResult


def _rgba(hex_colour: str, alpha: float) -> str:
    c = hex_colour.lstrip("#")
    r, g, b = int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)
    return f"rgba({r},{g},{b},{alpha})"


def band_traces(
    x: Iterable[Any],
    lo: Iterable[Any],
    mid: Iterable[Any],
    hi: Iterable[Any],
    colour: str,
    name: str,
    showlegend: bool = True,
    group: str | None = None,
) -> list[go.Scatter]:
    """A 5-95 % band (filled) and its mean line."""
    group = group or name
    x, lo, mid, hi = (
        list(x),
        [float(v) for v in lo],
        [float(v) for v in mid],
        [float(v) for v in hi],
    )
    return [
        go.Scatter(
            x=list(x),
            y=list(lo),
            mode="lines",
            line={"width": 0},
            hoverinfo="skip",
            showlegend=False,
            legendgroup=group,
            name=f"{name} 5 %",
        ),
        go.Scatter(
            x=list(x),
            y=list(hi),
            mode="lines",
            line={"width": 0},
            fill="tonexty",
            fillcolor=_rgba(colour, 0.22),
            hoverinfo="skip",
            showlegend=False,
            legendgroup=group,
            name=f"{name} 95 %",
        ),
        go.Scatter(
            x=list(x),
            y=list(mid),
            mode="lines",
            line={"color": colour, "width": 2},
            name=name,
            legendgroup=group,
            showlegend=showlegend,
            customdata=list(zip(lo, hi, strict=True)),
            hovertemplate="%{x|%d %b %Y}: %{y:,.0f} [%{customdata[0]:,.0f}–%{customdata[1]:,.0f}]"
            f"<extra>{name}</extra>",
        ),
    ]


def stock_figure(result: CampaignResult) -> go.Figure:
    """Rounds in stock at the end of each night, per pool: mean with a 5-95 % band, the level
    that fills the pool's magazines (dotted) and the median date the pool runs empty."""
    sb = result.stock_bands()
    dep = result.depletion_frame()
    pools = list(result.pool_names)
    n = max(len(pools), 1)
    fig = make_subplots(
        rows=n,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=min(0.08, 0.3 / n),
        subplot_titles=[f"{p} ({e})" for p, e in zip(pools, result.pool_effectors, strict=True)],
    )
    for k, pool in enumerate(pools):
        colour = PALETTE[k % len(PALETTE)]
        d = sb[sb["pool"] == pool].sort_values("night")
        dates = [pd.Timestamp(x).to_pydatetime() for x in d["date"]]
        for tr in band_traces(dates, d["p5"], d["mean"], d["p95"], colour, pool):
            fig.add_trace(tr, row=k + 1, col=1)
        mag = int(result.magazine_rounds[k])
        if mag > 0:
            fig.add_hline(
                y=mag, line_dash="dot", line_color="#78909c", line_width=1, row=k + 1, col=1
            )
        empty = dep[(dep["pool"] == pool) & (dep["criterion"] == "empty")]
        if len(empty) and float(empty["share_depleted"].iloc[0]) >= 0.5:
            when = pd.Timestamp(empty["p50_date"].iloc[0]).to_pydatetime()
            fig.add_shape(
                type="line",
                x0=when,
                x1=when,
                y0=0,
                y1=1,
                yref="y domain",
                line={"color": "#c62828", "dash": "dash", "width": 1.5},
                row=k + 1,
                col=1,
            )
            fig.add_annotation(
                x=when,
                y=1,
                yref="y domain",
                text=f"empty {when:%d %b} (median)",
                showarrow=False,
                xanchor="left",
                yanchor="top",
                font={"color": "#c62828", "size": 11},
                row=k + 1,
                col=1,
            )
        fig.update_yaxes(title_text="rounds", rangemode="tozero", row=k + 1, col=1)
    fig.update_layout(
        title={
            "text": "Interceptor stocks at the end of each night (mean, band 5–95 %; dotted: "
            "rounds that fill the pool's magazines)",
            "font": {"size": 14},
        },
        height=170 * n + 110,
        margin={"l": 70, "r": 20, "t": 80, "b": 40},
        showlegend=False,
    )
    return fig


def _metric(nb: pd.DataFrame, name: str) -> pd.DataFrame:
    return nb[nb["metric"] == name].sort_values("night")


def nights_figure(result: CampaignResult) -> go.Figure:
    """Threats launched each night (bars) and harmful leakers (mean, 5-95 % band)."""
    nb = result.night_bands()
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.08,
        subplot_titles=("threats launched", "harmful leakers (mean, band 5–95 %)"),
    )
    la = _metric(nb, "launched")
    dates = [pd.Timestamp(x).to_pydatetime() for x in la["date"]]
    fig.add_trace(
        go.Bar(
            x=dates,
            y=list(la["mean"]),
            marker_color="#78909c",
            name="launched",
            hovertemplate="%{x|%d %b %Y}: %{y:,.0f}<extra>launched</extra>",
        ),
        row=1,
        col=1,
    )
    lk = _metric(nb, "leaked_harmful")
    for tr in band_traces(dates, lk["p5"], lk["mean"], lk["p95"], "#c62828", "harmful leakers"):
        fig.add_trace(tr, row=2, col=1)
    fig.update_layout(
        title={"text": "Raids and leakers night by night", "font": {"size": 14}},
        height=460,
        margin={"l": 70, "r": 20, "t": 80, "b": 40},
        showlegend=False,
    )
    return fig


def cost_figure(result: CampaignResult) -> go.Figure:
    """Cumulative defender cost (rounds and purchases) against the attacker's, and cumulative
    damage, with 5-95 % bands."""
    nb = result.night_bands()
    fig = make_subplots(
        rows=1, cols=2, subplot_titles=("cumulative cost (USD)", "cumulative damage (USD)")
    )
    for metric, colour, name, col in (
        ("cum_defender_cost_usd", "#1f5f8b", "defender", 1),
        ("cum_attacker_cost_usd", "#b26a00", "attacker", 1),
        ("cum_damage_usd", "#c62828", "damage", 2),
    ):
        m = _metric(nb, metric)
        dates = [pd.Timestamp(x).to_pydatetime() for x in m["date"]]
        for tr in band_traces(dates, m["p5"], m["mean"], m["p95"], colour, name):
            fig.add_trace(tr, row=1, col=col)
    fig.update_layout(
        title={"text": "Costs and damage over the campaign", "font": {"size": 14}},
        height=380,
        margin={"l": 70, "r": 20, "t": 80, "b": 40},
        legend={"orientation": "h", "y": -0.15},
    )
    return fig


def _date(x: Any) -> str:
    return fmt.date_or_never(x)


def campaign_report_html(
    result: CampaignResult,
    campaign: Campaign,
    title: str | None = None,
    basemap: Basemap = DEFAULT_BASEMAP,
) -> str:
    """The campaign report as one self-contained HTML string (``basemap`` as for the raid
    report)."""
    s = result.summary()
    tot = s["totals"]
    title = title or f"AirShield campaign report: {s['campaign']}"
    meta = h.meta_list(
        [
            ("campaign hash", s["campaign_hash"]),
            ("raid template", f"{s['raid']} ({s['raid_hash']})"),
            ("mode", s["mode"]),
            ("seed", s["seed"]),
            ("replications", s["reps"]),
            ("nights", f"{s['nights']} ({s['start_date']} – {s['end_date']})"),
            ("airshield", s["version"]),
        ]
    )
    header = (
        f"<h1>{h.esc(title)}</h1><p>{h.esc(campaign.description or '')}</p>"
        + (
            "<p>Notional parameters: no real stocks or unit positions.</p>"
            if campaign.notional
            else ""
        )
        + meta
    )
    parts: list[str] = []
    er = tot.get("exchange_ratio")
    parts.append(
        '<section id="headline"><h2>Over the whole campaign: mean [5–95 %]</h2><div class="kpis">'
        + h.kpi(
            "threats launched",
            fmt.count(float(tot["launched"])),
            f"{s['attacker']['raid_nights']} raid nights, largest {s['attacker']['largest_raid']}",
        )
        + h.kpi_band("harmful leakers", tot["leaked_harmful"])
        + h.kpi_band("damage", tot["damage_usd"], money=True)
        + h.kpi(
            "defender cost",
            fmt.money(tot["defender_cost_usd"]["mean"]),
            f"[{fmt.money(tot['defender_cost_usd']['p5'])}–"
            f"{fmt.money(tot['defender_cost_usd']['p95'])}] "
            f"rounds {fmt.money(tot['rounds_cost_usd']['mean'])}, "
            f"purchases {fmt.money(tot['purchase_cost_usd']['mean'])}",
        )
        + h.kpi(
            "attacker cost",
            fmt.money(float(tot["attacker_cost_usd"])),
            f"exchange ratio {fmt.ratio(er['mean'])} [{fmt.ratio(er['p5'])}–{fmt.ratio(er['p95'])}]"
            if er
            else "",
        )
        + "</div></section>"
    )
    parts.append(
        '<section id="stocks"><h2>Interceptor stocks and depletion</h2>'
        + h.figure_div(stock_figure(result), "stock-figure")
        + "</section>"
    )
    dep = result.depletion_frame()
    parts.append(
        '<section id="depletion"><h2>When pools run out</h2><p class="note">empty: no rounds '
        "left at the end of a night; short: the rounds on hand before the raid do not fill the "
        "magazines of the pool's units. Dates are 5/50/95 % across replications; never: not "
        "within the horizon.</p>"
        + h.table(
            ["pool", "effector", "criterion", "replications depleted", "5 %", "median", "95 %"],
            [
                [
                    r["pool"],
                    r["effector"],
                    r["criterion"],
                    fmt.fraction(r["share_depleted"]),
                    _date(r["p5_date"]),
                    _date(r["p50_date"]),
                    _date(r["p95_date"]),
                ]
                for r in dep.to_dict("records")
            ],
            numeric_from=3,
        )
        + "</section>"
    )
    parts.append(
        '<section id="nights">'
        + h.figure_div(nights_figure(result), "nights-figure")
        + "</section>"
    )
    parts.append(
        '<section id="costs">' + h.figure_div(cost_figure(result), "cost-figure") + "</section>"
    )
    tpl = campaign.template
    assets = pd.DataFrame(
        [{"name": a.name, "lat": a.lat, "lon": a.lon, "value_usd": a.value_usd} for a in tpl.assets]
    )
    parts.append(
        '<section id="map"><h2>Nightly laydown (raid template)</h2><p class="note">'
        + h.esc(basemap_note(basemap))
        + " Envelopes show each fire unit's maximum (and minimum) range.</p>"
        + h.figure_div(
            scenario_map(tpl, assets, None, f"Raid template: {tpl.name}", basemap=basemap),
            "map-figure",
        )
        + "</section>"
    )
    parts.append(
        '<section id="tables"><h2>Pool ledgers over the campaign: mean [5–95 %]</h2>'
        + h.table(
            [
                "pool",
                "effector",
                "start",
                "produced",
                "delivered",
                "diverted",
                "purchased",
                "fired",
                "end",
            ],
            [
                [
                    p["pool"],
                    p["effector"],
                    str(p["stock_start"]),
                    fmt.band(p["produced"]),
                    fmt.band(p["delivered"]),
                    fmt.band(p["diverted"]),
                    fmt.band(p["purchased"]),
                    fmt.band(p["fired"]),
                    fmt.band(p["stock_end"]),
                ]
                for p in s["pools"]
            ],
            numeric_from=2,
        )
        + h.table(
            ["total", "mean [5–95 %]"],
            [
                ["destroyed", fmt.band(tot["destroyed"])],
                ["lost (EW)", fmt.band(tot["lost"])],
                ["leaked (all)", fmt.band(tot["leaked"])],
                ["decoys leaked", fmt.band(tot["decoy_leaked"])],
                [
                    "defender USD per threat defeated",
                    fmt.band(tot["defender_usd_per_threat_defeated"], "money"),
                ],
                [
                    "attacker USD per harmful leaker",
                    fmt.band(tot["attacker_usd_per_harmful_leaker"], "money"),
                ],
            ],
        )
        + "</section>"
    )
    return h.page(title, header, "".join(parts), footer_html=f"Campaign {h.esc(s['campaign'])}.")


def write_campaign_report(
    result: CampaignResult,
    campaign: Campaign,
    path: str | Path,
    basemap: Basemap = DEFAULT_BASEMAP,
) -> Path:
    """Write the campaign report to ``path`` (one self-contained HTML file); return the path."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(campaign_report_html(result, campaign, basemap=basemap), encoding="utf-8")
    return p
