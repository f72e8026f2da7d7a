"""The procurement optimiser's constraints beyond the fast mode: measured in detailed mode for
every screened mix (and used in the choice), and the constraint repair's step."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import tests.plan.test_procure as tp

from airshield.campaign import run_campaign
from airshield.plan.procure import (
    Point,
    build_model,
    collect_curves,
    detailed_eligibility,
    evaluate_mixes,
    materialise,
    optimise,
    prepare,
    repair_constraints,
    repair_step,
)
from airshield.plan.procure_models import load_procurement

#: the test campaign of test_procure with one launch site: the rocket pool is not always empty
#: at the end, and the fast mode overstates what is left of it (detailed mode fires more rockets)
CAMPAIGN = tp.CAMPAIGN.replace(
    "sites: {kind: constant, value: 5}", "sites: {kind: constant, value: 1}"
)


def write_spec(tmp: Path, extra: str) -> Path:
    (tmp / "campaign.yaml").write_text(CAMPAIGN)
    p = tmp / "spec.yaml"
    p.write_text(tp.SPEC.format(budget=3.0e6, extra=extra))
    return p


@pytest.fixture(scope="module")
def disagree(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """At least 8 rockets left at the end: the fast mode says the mixes that buy crews meet it,
    detailed mode (crews fire more rockets) that they do not, while the status quo meets it in
    both."""
    path = write_spec(tmp_path_factory.mktemp("disagree"),
                      "constraints:\n  - {kind: min_stock, pool: rockets, rounds: 8}\n")  # fmt: skip
    loaded = load_procurement(path)
    return loaded, optimise(loaded, reps=40, seed=3, confirm_reps=4, pareto_points=6)


def test_detailed_constraint_values_are_the_detailed_runs(disagree) -> None:  # type: ignore[no-untyped-def]
    """Every screened mix carries each constraint in fast and in detailed mode; the detailed
    value is the mean end stock of the plain detailed run of that mix's campaign (same seed and
    replications), the fast value the fast-mode evaluation's."""
    loaded, res = disagree
    prep = prepare(loaded)
    rows = res.summary()["confirmed"]["screen"]
    assert len(res.screened) == len(rows) and res.screened[-1] is res.status_quo
    checked = 0
    for r, p in zip(rows, res.screened, strict=True):
        (cn,) = r["constraints"]
        assert cn["kind"] == "min_stock" and cn["pool"] == "rockets" and cn["limit"] == 8
        assert r["cost_usd"] == p.cost_usd
        assert cn["fast"]["achieved"] == pytest.approx(float(p.end_stock[0, 0]))
        assert cn["detailed"]["reps"] == 4
        assert cn["detailed"]["ci_low"] <= cn["detailed"]["achieved"] <= cn["detailed"]["ci_high"]
        assert r["meets_fast"] == (cn["fast"]["achieved"] >= 8)
        assert r["meets_detailed"] == (cn["detailed"]["achieved"] >= 8)
        if checked < 2:  # two of them against an independent detailed run
            run = run_campaign(materialise(prep, 0, p.x), "detailed", 4, 3)
            k = run.pool_names.index("rockets")
            assert cn["detailed"]["achieved"] == pytest.approx(run.stock_end[:, -1, k].mean())
            checked += 1
    # the best mix's own constraint entries have both modes
    (bc,) = res.summary()["best"]["constraints"]
    assert bc["detailed"]["reps"] == 4 and "achieved" in bc["detailed"]


def test_a_mix_violating_in_detailed_mode_is_ruled_out_only_when_clear(disagree) -> None:  # type: ignore[no-untyped-def]
    """Fast and detailed mode disagree on this spec: some screened mix meets the constraint in
    fast mode and violates it in detailed mode by its point estimate. It is ruled out only when
    the violation is clear of the Monte Carlo error of the detailed replications (the limit is
    outside its 95 % interval); otherwise it stays eligible and a warning names it. The
    recommendation is the best eligible mix in detailed mode."""
    _, res = disagree
    s = res.summary()
    rows = s["confirmed"]["screen"]
    split = [r for r in rows if r["meets_fast"] and not r["meets_detailed"]]
    assert split, "the spec no longer shows a fast/detailed disagreement"
    for r in split:
        d = r["constraints"][0]["detailed"]
        assert r["eligible"] == (d["ci_high"] >= 8), r
    if any(r["eligible"] for r in split):
        assert any("within the Monte Carlo error of 4 detailed replications" in w
                   for w in s["warnings"])  # fmt: skip
    sel = next(r for r in rows if r["selected"])
    assert sel["eligible"]
    for r in rows:
        if r["eligible"] and r["cost_usd"] <= sel["cost_usd"]:
            assert r["detailed"]["mean"] >= sel["detailed"]["mean"], r


def _pt(label: str, end: float, fast_end: float) -> Point:
    one = np.zeros((1, 1))
    return Point(np.zeros((1, 1), np.int64), 0.0, np.zeros(3), np.zeros((1, 3)),
                 np.full((1, 1), np.nan), np.full((1, 1), fast_end), math.nan, label,
                 det_stockout=np.full((1, 1), np.nan), det_end_stock=one + end, det_reps=3)  # fmt: skip


def test_detailed_eligibility_rules(disagree) -> None:  # type: ignore[no-untyped-def]
    """A screened mix meeting the constraints in detailed mode excludes every mix that does not;
    if none does, the mixes closest to meeting them (fewest violated) remain, those that passed
    the fast checks first, and a warning says that no screened mix meets them."""
    loaded, _ = disagree
    prep = prepare(loaded)
    a, b, c = _pt("A", 5.0, 20.0), _pt("B", 9.0, 9.0), _pt("", 7.0, 7.0)
    ok, why = detailed_eligibility(prep, [a, b, c], [True, True, False])
    assert ok == [False, True, False]
    assert any("'A' met the constraints in fast mode but clearly not in detailed mode" in w
               for w in why)  # fmt: skip
    # a violation within the Monte Carlo error of the replications does not rule a mix out
    noisy = _pt("N", 7.0, 20.0)
    noisy.det_end_stock_reps = np.array([[[0.0], [14.0], [7.0]]])
    ok, why = detailed_eligibility(prep, [noisy, b], [True, True])
    assert ok == [True, True]
    assert any("'N' violates a constraint in detailed mode by its point estimate" in w
               for w in why)  # fmt: skip
    ok, why = detailed_eligibility(prep, [a, c], [True, False])
    assert ok == [True, False]  # both violate it; A passed the fast checks
    assert any("no screened mix meets every constraint in detailed mode" in w for w in why)
    ok, _ = detailed_eligibility(prep, [a, c], [False, False])
    assert ok == [True, True]


def test_repair_tightens_by_the_constrained_pools_own_step(tmp_path: Path) -> None:
    """The repair of a violated constraint on the rocket pool tightens its bound by one curve
    step of the rockets option (20 units at most), not of the largest option (6,000 cheap SAM
    rounds): the tightened MILP stays feasible, keeps the constraint and meets the tighter
    bound. (With the largest option's step the bound needed 1,500 more rockets than can be
    bought, and the MILP dropped the constraints.)"""
    extra = (
        "  - {name: sam-bulk, kind: rounds, pool: sam-rounds, unit_cost_usd: 100,"
        " lead_time_days: 5, max_per_month: 3000}\n"
        "constraints:\n  - {kind: min_stock, pool: rockets, rounds: 70}\n"
    )
    loaded = load_procurement(write_spec(tmp_path, extra))
    prep = prepare(loaded)
    data = collect_curves(prep, {}, 30, 3, None)
    assert int(data.levels[1][-1]) == 20 and int(max(lv[-1] for lv in data.levels)) == 6000
    model, _ = build_model(prep, data, loaded.spec.budget_usd)
    (bound,) = model.bounds
    zero = np.zeros(prep.arrival.shape, np.int64)
    sq = evaluate_mixes(prep, [zero], model, 30, 3)[0]
    assert sq.end_stock[0, 0] < 70  # the status quo violates it in simulation
    assert repair_step(prep, data, 0) == pytest.approx(20 / loaded.spec.levels)
    rep = repair_constraints(prep, data, zero, model, sq, 30, 3)
    assert not rep.infeasible and rep.statuses[0] == "Optimal"
    assert rep.tighten == {(0, 0): pytest.approx(5.0)}
    (tight,) = rep.model.bounds
    assert tight.rhs == pytest.approx(bound.rhs + 5.0) and tight.rhs <= 20
    assert rep.model.feasible(rep.x)  # the tightened bound holds, nothing dropped
    assert (rep.x[1] * (prep.arrival[1] >= 0)).sum() >= tight.rhs


def _screen_table(html: str) -> list[list[str]]:
    """The rows of the report's detailed-screen table (cell text, HTML entities decoded)."""
    import html as html_mod
    import re

    sec = html.split("<h2>Detailed screen</h2>", 1)[1].split("</section>", 1)[0]
    body = sec.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [
        [html_mod.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", tr)]
        for tr in re.findall(r"<tr>(.*?)</tr>", body)
    ]


def test_report_shows_the_detailed_screen(disagree) -> None:  # type: ignore[no-untyped-def]
    """The HTML report has the detailed screen's table: one row per screened mix with its cost,
    fast-mode mean, detailed-mode mean and range, both ranks, the paired difference against the
    chosen mix, the ranking changes, each constraint in both modes and the verdict."""
    from airshield import fmt
    from airshield.report.procure import procurement_report_html

    _, res = disagree
    s = res.summary()
    rows = s["confirmed"]["screen"]
    got = _screen_table(procurement_report_html(res))
    assert len(got) == len(rows) >= 3
    for cells, r in zip(got, rows, strict=True):
        d, v = r["detailed"], r["vs_selected"]
        assert cells[0] == r["candidate"]
        assert cells[1] == fmt.money(r["cost_usd"])
        assert cells[2] == fmt.count(r["fast"]["mean"])
        assert cells[3] == f"{fmt.count(d['mean'])} [{fmt.count(d['p5'])}–{fmt.count(d['p95'])}]"
        assert cells[4] == f"{r['fast_rank']} / {r['detailed_rank']}"
        if r["selected"]:
            assert cells[5] == "–" and cells[8] == "chosen"
        else:
            assert cells[5].startswith(
                f"{fmt.count(v['mean'])} [{fmt.count(v['ci_low'])}, {fmt.count(v['ci_high'])}]"
            )
        assert cells[6] == (", ".join(r["fast_better_detailed_worse_than"]) or "–")
        (cn,) = r["constraints"]
        fast, det = cn["fast"], cn["detailed"]
        assert f"{fast['achieved']:.3g}" in cells[7] and f"{det['achieved']:.3g}" in cells[7]
        assert ("(violated)" in cells[7].split(" / ")[1]) == (not det["met"])
        assert ("fails a constraint" in cells[8]) == (not r["eligible"])
    # the detailed means in the table are the screen's, which are the detailed runs'
    sel = next(c for c, r in zip(got, rows, strict=True) if r["selected"])
    assert sel[3].startswith(fmt.count(s["confirmed"]["best"]["mean"]))
