"""HTML report of a procurement result: Pareto front, the mix over time, stocks with bands for the
best mix against the status quo (self-contained, offline: the report helpers of
:mod:`airshield.report.html`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import plotly.graph_objects as go

from airshield import fmt
from airshield.report.campaign import band_traces
from airshield.report.html import (
    esc,
    figure_div,
    kpi,
    kpi_band,
    meta_list,
    page,
    table,
)

if TYPE_CHECKING:  # the report takes the result as data; it does not import the planning layer
    from airshield.plan.procure import ProcurementResult

COLOURS = ["#1f5f8b", "#c44e52", "#55a868", "#8172b2", "#ccb974", "#64b5cd", "#dd8452", "#937860"]


def pareto_figure(s: dict[str, Any]) -> go.Figure:
    xs = [p["cost_usd"] / 1e6 for p in s["pareto"]]
    ys = [p["objective"]["mean"] for p in s["pareto"]]
    lo = [p["objective"]["mean"] - p["objective"]["p5"] for p in s["pareto"]]
    hi = [p["objective"]["p95"] - p["objective"]["mean"] for p in s["pareto"]]
    fig = go.Figure(
        go.Scatter(
            x=xs, y=ys, mode="lines+markers", name="Pareto front",
            error_y={"type": "data", "symmetric": False, "array": hi, "arrayminus": lo},
            line={"color": COLOURS[0]},
        )
    )  # fmt: skip
    for label, colour, symbol in (("status_quo", "#444444", "square"), ("best", "#c44e52", "star"),
                                  ("proportional", "#55a868", "diamond")):  # fmt: skip
        p = s.get(label)
        if p:
            fig.add_trace(
                go.Scatter(
                    x=[p["cost_usd"] / 1e6], y=[p["objective"]["mean"]], mode="markers",
                    name=label.replace("_", " "),
                    marker={"size": 13, "color": colour, "symbol": symbol},
                )
            )  # fmt: skip
    fig.update_layout(
        xaxis_title="cost (USD million)", yaxis_title=s["objective"].replace("_", " "),
        height=420, margin={"l": 60, "r": 20, "t": 30, "b": 50},
    )  # fmt: skip
    return fig


def mix_figure(s: dict[str, Any]) -> go.Figure:
    """Spending per order month and option (stacked bars) of the best mix."""
    months = [m[:7] for m in s["months"]]
    fig = go.Figure()
    for k, m in enumerate(s["best"]["mix"]):
        spend = {o["month"][:7]: o["cost_usd"] / 1e6 for o in m["orders"]}
        units = {o["month"][:7]: o["units"] for o in m["orders"]}
        fig.add_trace(
            go.Bar(
                x=months, y=[spend.get(mm, 0.0) for mm in months], name=m["option"],
                marker_color=COLOURS[k % len(COLOURS)],
                customdata=[units.get(mm, 0) for mm in months],
                hovertemplate="%{x}: %{customdata:,} units, $%{y:,.1f}M<extra>" + m["option"]
                + "</extra>",
            )
        )  # fmt: skip
    fig.update_layout(
        barmode="stack", yaxis_title="ordered (USD million)", height=380,
        margin={"l": 60, "r": 20, "t": 30, "b": 50},
    )  # fmt: skip
    return fig


def stocks_figure(res: ProcurementResult, pool: str) -> go.Figure:
    """Stock at the end of each night, mean and 5-95 % band: best mix against the status quo."""
    fig = go.Figure()
    for label, colour in (("status_quo", "#444444"), ("best", "#c44e52")):
        r = res.results.get(label)
        if r is None:
            continue
        sb = r.stock_bands()
        sb = sb[sb["pool"] == pool]
        for tr in band_traces(sb["date"], sb["p5"], sb["mean"], sb["p95"], colour,
                              label.replace("_", " ")):  # fmt: skip
            fig.add_trace(tr)
    fig.update_layout(
        title=pool, yaxis_title="rounds", height=320, margin={"l": 60, "r": 20, "t": 40, "b": 40}
    )
    return fig


def screen_rows(s: dict[str, Any]) -> list[list[str]]:
    """The detailed screen as table rows: each screened mix with its fast-mode mean, its
    detailed-mode mean and 5–95 % range, both ranks, the paired difference against the chosen
    mix with its interval (Bonferroni level), the mixes whose order the two modes swap, each
    constraint in fast / detailed mode, and the verdict."""
    money = s["objective"] == "damage_usd"
    f = fmt.money if money else fmt.count
    out = []
    for r in (s.get("confirmed") or {}).get("screen") or []:
        v, d = r["vs_selected"], r["detailed"]
        verdict = "chosen" if r["selected"] else ("retained" if r["retained"] else "screened out")
        if not r["eligible"]:
            verdict += " (fails a constraint)"
        out.append([
            r["candidate"], fmt.money(r["cost_usd"]), f(r["fast"]["mean"]),
            f"{f(d['mean'])} [{f(d['p5'])}–{f(d['p95'])}]",
            f"{r['fast_rank']} / {r['detailed_rank']}",
            "–" if r["selected"] else
            f"{f(v['mean'])} [{f(v['ci_low'])}, {f(v['ci_high'])}] ({v['level']:.1%})",
            ", ".join(r["fast_better_detailed_worse_than"]) or "–",
            "; ".join(fmt.constraint(cn) for cn in r.get("constraints", [])) or "–",
            verdict,
        ])  # fmt: skip
    return out


SCREEN_HEADERS = ["mix", "cost", "fast mode", "detailed [5–95 %]", "rank fast / detailed",
                  "− chosen, detailed (paired)", "fast ranks it above, detailed below",
                  "constraints fast / detailed", ""]  # fmt: skip


def screen_section(s: dict[str, Any]) -> str:
    """The detailed screen's table (empty without a confirmation)."""
    rows = screen_rows(s)
    if not rows:
        return ""
    c = s["confirmed"]
    changes = c.get("ranking_changes") or []
    note = (
        f"The best fast-mode mixes, the proportional split and the status quo re-run in detailed "
        f"mode ({c['reps']} replications, common random numbers). The recommendation is the "
        f"detailed-mode best among the mixes that meet the constraints in detailed mode "
        f"(selected: {c.get('selected')}); a mix is retained when no other beats it beyond the "
        "Bonferroni paired interval. "
        + ("Where the fast mode's error changes the ranking: " + "; ".join(changes) + "."
           if changes else "The two modes order no pair of screened mixes clearly differently.")
    )  # fmt: skip
    return ("<section><h2>Detailed screen</h2>"
            f'<p class="note">{esc(note)}</p>'
            + table(SCREEN_HEADERS, rows, 1) + "</section>")  # fmt: skip


def procurement_report_html(res: ProcurementResult) -> str:
    s = res.summary()
    money = s["objective"] == "damage_usd"
    obj = s["objective"].replace("_", " ")
    header = (
        f"<h1>Procurement: {esc(s['name'])}</h1>"
        f"<p>What to buy, when: expected {esc(obj)} ({esc(s['robust'])} over the scenarios), "
        "MILP on a fast-mode surrogate, confirmed in detailed mode. Notional numbers.</p>"
        + meta_list(
            [("budget", fmt.money(s["budget_usd"])), ("reps", s["reps"]), ("seed", s["seed"]),
             ("scenarios", ", ".join(f"{x['name']} ({x['weight']:.2f})" for x in s["scenarios"])),
             ("months", f"{s['months'][0]} … {s['months'][-1]}")]
        )
    )  # fmt: skip
    parts: list[str] = []
    kp = [
        kpi_band(f"status quo: {obj}", s["status_quo"]["objective"], money),
        kpi_band(f"best mix: {obj}", s["best"]["objective"], money),
        kpi("best mix: cost", fmt.money(s["best"]["cost_usd"])),
    ]
    c = s.get("confirmed")
    if c:
        d = c["difference"]
        f = fmt.money if money else fmt.count
        kp.append(kpi(f"detailed mode ({c['reps']} reps): best − status quo", f(d["mean"]),
                      f"95 % [{f(d['ci_low'])}, {f(d['ci_high'])}]"))  # fmt: skip
    parts.append(f'<section><div class="kpis">{"".join(kp)}</div></section>')
    if s["warnings"]:
        items = "".join(f"<p>{esc(w)}</p>" for w in s["warnings"])
        parts.append(f'<section><div class="warn">{items}</div></section>')
    parts.append("<section><h2>Pareto front</h2>"
                 '<p class="note">The MILP at budgets from zero to the full budget, each answer '
                 "simulated (fast mode, common random numbers); bars: 5–95 % across "
                 "replications.</p>" + figure_div(pareto_figure(s), "pareto") + "</section>")  # fmt: skip
    rows = []
    for m in s["best"]["mix"]:
        orders = ", ".join(f"{o['month'][:7]}: {o['units']:,}" for o in m["orders"]) or "–"
        rows.append([m["option"], m["kind"], f"{m['units']:,}", fmt.money(m["cost_usd"]), orders])
    parts.append("<section><h2>The best mix over time</h2>"
                 + figure_div(mix_figure(s), "mix")
                 + table(["option", "kind", "units", "cost", "orders (month: units)"], rows, 2)
                 + "</section>")  # fmt: skip
    screen = screen_section(s)
    if screen:
        parts.append(screen)
    cons = []
    for label in ("status_quo", "proportional", "best"):
        for cn in (s.get(label) or {}).get("constraints", []):
            cons.append([label.replace("_", " "), cn["kind"], cn["pool"], f"{cn['limit']:.3g}",
                         f"{cn['achieved']:.3g}", "met" if cn["met"] else "VIOLATED"])  # fmt: skip
    if cons:
        parts.append("<section><h2>Constraints</h2>"
                     + table(["mix", "constraint", "pool", "limit", "achieved", ""], cons, 3)
                     + "</section>")  # fmt: skip
    figs = []
    r0 = res.results.get("best")
    if r0 is not None:
        for k, pool in enumerate(r0.pool_names):
            figs.append(figure_div(stocks_figure(res, pool), f"stock-{k}"))
    parts.append("<section><h2>Stocks: best mix against the status quo</h2>"
                 f'<p class="note">First scenario ({esc(s["scenarios"][0]["name"])}), fast mode, '
                 "mean and 5–95 % band of the stock at the end of each night.</p>"
                 f'<div class="grid2">{"".join(figs)}</div></section>')  # fmt: skip
    sp = [fmt.shadow_price(r) for r in s["shadow_price"]]
    parts.append(f"<section><h2>Shadow prices at the best mix</h2>"
                 f'<p class="note">Change in {esc(obj)} from a few more units (negative: '
                 "better), from the surrogate and from a simulated finite difference with "
                 "common random numbers (its paired 95 % interval).</p>"
                 + table(list(fmt.SHADOW_PRICE_COLUMNS), sp)
                 + "</section>")  # fmt: skip
    if s["doctrine"]:
        dr = [[d["pool"], d["effector"], f"{d['leakers_per_round']:+.3g}",
               fmt.money(d["sticker_cost_usd"]), fmt.money(d["effective_cost_per_shot_usd"])]
              for d in s["doctrine"]]  # fmt: skip
        parts.append("<section><h2>Doctrine: effective cost per shot</h2>"
                     + table(["pool", "effector", "leakers per round", "sticker", "effective"], dr, 2)
                     + "</section>")  # fmt: skip
        monthly = [d for d in s["doctrine"] if len(d.get("by_month", [])) > 1]
        if monthly:
            months = [m["month"][:7] for m in monthly[0]["by_month"]]
            rows_m = [[d["effector"], *(fmt.money(m["effective_cost_per_shot_usd"])
                                        for m in d["by_month"])] for d in monthly]  # fmt: skip
            parts.append("<section><h2>Doctrine: effective cost per shot by month</h2>"
                         '<p class="note">Sticker price plus the value of one more round on hand '
                         "at the start of the month (time-varying shadow price; months where it "
                         "is not measurable keep the sticker price).</p>"
                         + table(["effector", *months], rows_m, 1) + "</section>")  # fmt: skip
    kinds = (c or {}).get("surrogate_error_by_kind") or []
    if kinds:
        f = fmt.money if money else fmt.count
        kr = [[k["kind"], k["mix"], ", ".join(f"{n}: {u:,}" for n, u in k["units"].items()),
               f(k["fast_effect"]["mean"]),
               f"{f(k['detailed_effect']['mean'])} [{f(k['detailed_effect']['ci_low'])}, "
               f"{f(k['detailed_effect']['ci_high'])}]",
               f"{k['relative_error']:+.0%}" if k["relative_error"] == k["relative_error"] else "–"]
              for k in kinds]  # fmt: skip
        parts.append("<section><h2>Surrogate against detailed mode, per option kind</h2>"
                     '<p class="note">Effect of each kind\'s part of the best mix (or a probe) '
                     "against the status quo, first scenario, common random numbers.</p>"
                     + table(["kind", "mix", "units", "fast mode", "detailed (95 %)", "error"],
                             kr, 3) + "</section>")  # fmt: skip
    ps = []
    for row in s["per_scenario"]:
        ps.append([row["scenario"], f"{row['weight']:.2f}",
                   fmt.band(row["status_quo"], "money" if money else "count"), fmt.band(row["best"], "money" if money else "count")])  # fmt: skip
    parts.append("<section><h2>Per scenario</h2>"
                 + table(["scenario", "weight", "status quo", "best"], ps) + "</section>")  # fmt: skip
    return page(f"Procurement {s['name']}", header, "".join(parts))


def write_procurement_report(res: ProcurementResult, path: str | Path) -> Path:
    p = Path(path)
    p.write_text(procurement_report_html(res), encoding="utf-8")
    return p
