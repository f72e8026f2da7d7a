"""The procurement optimiser: spec validation, team pools, the MILP against brute force, limits,
Pareto front, zero budget, shadow-price signs, workers, the command line."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from airshield.campaign import load_campaign, run_campaign
from airshield.campaign.engine import run_fast_variants, team_caps
from airshield.errors import ScenarioError
from airshield.examples import examples_dir
from airshield.plan.procure import (
    brute_force,
    build_model,
    collect_curves,
    confirm_detailed,
    encode,
    non_dominated,
    optimise,
    prepare,
    schedule_of,
    solve_milp,
)
from airshield.plan.procure_models import load_procurement

EX = examples_dir()

CAMPAIGN = f"""
name: procure-test
notional: true
raid: {EX / "campaign-small-night.yaml"}
start_date: 2025-06-01
nights: 61
attacker:
  launch_sites:
    sites: {{kind: constant, value: 5}}
    launches_per_site: 15
  threats:
    - threat: shahed-136
      stock: 60
      production_per_day: {{kind: constant, value: 30}}
    - threat: gerbera
      stock: 20
      production_per_day: {{kind: constant, value: 8}}
    - threat: kalibr
      stock: 6
      production_per_day: {{kind: constant, value: 0.5}}
      launch: own
      max_per_night: 4
  tempo: {{kind: accumulate, every_nights: 4, between_fraction: 0.4}}
defender:
  pools:
    - name: sam-rounds
      stock: 40
    - name: rockets
      stock: 150
      deliveries:
        - {{kind: recurring, start: 2025-06-03, end: 2025-07-31, every_days: 7, rounds: 30}}
  teams:
    - {{name: crews, pool: rockets, teams: 3, engagements_per_team: 4}}
"""

SPEC = """
name: procure-small
campaign: campaign.yaml
budget_usd: {budget}
options:
  - {{name: sam, kind: rounds, pool: sam-rounds, unit_cost_usd: 4.3e5, lead_time_days: 10, max_per_month: 6, min_lot: 2}}
  - {{name: rockets, kind: rounds, pool: rockets, unit_cost_usd: 3.0e4, lead_time_days: 5, max_per_month: 10}}
  - {{name: crews, kind: team, teams: crews, unit_cost_usd: 1.0e5, lead_time_days: 7, max_per_month: 3}}
{extra}levels: 4
"""


def write_spec(tmp: Path, budget: float = 3.0e6, extra: str = "") -> Path:
    (tmp / "campaign.yaml").write_text(CAMPAIGN)
    p = tmp / "spec.yaml"
    p.write_text(SPEC.format(budget=budget, extra=extra))
    return p


@pytest.fixture(scope="module")
def spec_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_spec(tmp_path_factory.mktemp("procure"))


@pytest.fixture(scope="module")
def solved(spec_path: Path):  # type: ignore[no-untyped-def]
    loaded = load_procurement(spec_path)
    return loaded, optimise(loaded, reps=40, seed=3, confirm_reps=3, pareto_points=8,
                            check_kinds=True)  # fmt: skip


# ---- validation ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("edit", "field", "expect"),
    [
        ("unit_cost_usd: 4.3e5", "options[0].unit_cost_usd", "greater than or equal to 0"),
        ("lead_time_days: 10", "options[0].lead_time_days", "beyond the horizon"),
        ("pool: sam-rounds", "options[0].pool", "unknown pool"),
        ("teams: crews", "options[2].teams", "unknown team pool"),
        ("max_per_month: 6,", "options[0].colour", "unknown field"),
    ],
)
def test_bad_specs_name_file_line_and_field(
    tmp_path: Path, edit: str, field: str, expect: str
) -> None:
    p = write_spec(tmp_path)
    text = p.read_text()
    bad = {
        "unit_cost_usd: 4.3e5": "unit_cost_usd: -4.3e5",
        "lead_time_days: 10": "lead_time_days: 90",
        "pool: sam-rounds": "pool: sam-round",
        "teams: crews": "teams: crew",
        "max_per_month: 6,": "max_per_month: 6, colour: red,",
    }[edit]
    p.write_text(text.replace(edit, bad, 1))
    with pytest.raises(ScenarioError) as err:
        load_procurement(p)
    msg = str(err.value)
    assert field in msg and expect in msg
    line = next(i for i, t in enumerate(p.read_text().splitlines(), 1) if bad in t)
    assert f"spec.yaml:{line}" in msg


def test_unknown_effector_type_and_asset(tmp_path: Path) -> None:
    p = write_spec(
        tmp_path,
        extra="""  - {name: guns, kind: fire_unit, effector: laser-x, unit_cost_usd: 1.0e6,
     lead_time_days: 5, max_per_month: 1, max_total: 2,
     laydown: {kind: ring, around: nowhere, radius_km: 5}}
""",
    )
    with pytest.raises(ScenarioError) as err:
        load_procurement(p)
    msg = str(err.value)
    assert "unknown effector type 'laser-x'" in msg
    assert "unknown asset 'nowhere'" in msg


def test_cli_bad_spec_exit_2_no_traceback(tmp_path: Path) -> None:
    p = write_spec(tmp_path)
    p.write_text(p.read_text().replace("unit_cost_usd: 4.3e5", "unit_cost_usd: -1"))
    r = subprocess.run([sys.executable, "-m", "airshield", "plan", "procure", str(p)],
                       capture_output=True, text=True, timeout=300)  # fmt: skip
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    assert "spec.yaml:" in r.stderr and "options[0].unit_cost_usd" in r.stderr


# ---- team pools and the vectorised variants ---------------------------------------------------------
def test_team_pool_caps_rounds_fired_per_night(tmp_path: Path) -> None:
    write_spec(tmp_path)
    c = load_campaign(tmp_path / "campaign.yaml")
    cap = np.array(c.defender.teams[0].cap_per_night(c.dates))
    assert (cap == 12).all()
    for mode, reps in (("fast", 30), ("detailed", 2)):
        r = run_campaign(c, mode, reps, 1)
        k = r.pool_names.index("rockets")
        assert r.fired[:, :, k].max() <= 12
        assert r.fired[:, :, k].max() == 12  # the cap binds on big nights
    # without the team pool, more is fired: the cap is what limited it
    free = c.model_copy(update={"defender": c.defender.model_copy(update={"teams": []})})
    r2 = run_campaign(free.with_template(c.template, c.path), "fast", 30, 1)
    assert r2.fired[:, :, k].max() > 12


def test_training_pipeline_and_additions() -> None:
    import datetime as dt

    from airshield.campaign.models import TeamAddition, TeamPool

    tp = TeamPool(name="t", pool="p", teams=2, engagements_per_team=2.5, trained_per_month=3,
                  training_days=10, additions=[TeamAddition(date=dt.date(2025, 1, 20), teams=4)])  # fmt: skip
    dates = [dt.date(2025, 1, 1) + dt.timedelta(days=i) for i in range(40)]
    teams = tp.teams_per_night(dates)
    assert teams[:9] == [2] * 9  # nobody graduates before training_days
    # 3 a month = 0.1 a day, ready 10 days after entering (floored running total); 4 more from
    # 20 January (night 19)
    assert teams[18] == 2 and teams[19] == 2 + 1 + 4
    assert teams[39] == 2 + 3 + 4
    assert tp.cap_per_night(dates)[39] == int(9 * 2.5)


def test_a_campaign_without_teams_is_unchanged_by_a_cap_that_never_binds(tmp_path: Path) -> None:
    write_spec(tmp_path)
    c = load_campaign(tmp_path / "campaign.yaml")
    big = c.defender.teams[0].model_copy(update={"teams": 10**6})
    none = c.model_copy(update={"defender": c.defender.model_copy(update={"teams": []})})
    huge = c.model_copy(update={"defender": c.defender.model_copy(update={"teams": [big]})})
    a = run_campaign(none.with_template(c.template, c.path), "fast", 20, 5)
    b = run_campaign(huge.with_template(c.template, c.path), "fast", 20, 5)
    assert np.array_equal(a.leaked, b.leaked) and np.array_equal(a.stock_end, b.stock_end)


def test_stacked_variants_equal_their_own_runs(spec_path: Path) -> None:
    """Each block of a vectorised run is the run of that variant alone (common random numbers),
    and a delivery given as extra rows equals the same delivery written into the campaign."""
    loaded = load_procurement(spec_path)
    prep = prepare(loaded)
    x = np.zeros(prep.arrival.shape, np.int64)
    x[0, 0], x[2, 1] = 4, 2
    from airshield.plan.procure import materialise

    extra, caps = encode(prep, 0, schedule_of(prep, x))
    zero, caps0 = encode(prep, 0, {})
    res = run_fast_variants(prep.campaigns[0], prep.surrogate, 15, 9, np.stack([zero, extra]),
                            np.stack([caps0, caps]))  # fmt: skip
    alone = run_campaign(materialise(prep, 0, x), "fast", 15, 9, surrogate=prep.surrogate)
    sq = run_campaign(prep.campaigns[0], "fast", 15, 9, surrogate=prep.surrogate)
    assert np.array_equal(res.leaked[15:], alone.leaked)
    assert np.array_equal(res.stock_end[15:], alone.stock_end)
    assert np.array_equal(res.leaked[:15], sq.leaked)
    assert (team_caps(materialise(prep, 0, x), prep.pool_names) == caps).all()


# ---- the optimiser ----------------------------------------------------------------------------------
def test_milp_equals_brute_force_on_the_same_surrogate(spec_path: Path) -> None:
    loaded = load_procurement(spec_path)
    prep = prepare(loaded)
    data = collect_curves(prep, {}, 30, 3, None)
    model, _ = build_model(prep, data, loaded.spec.budget_usd)
    for budget in (0.0, 1.0e6, 3.0e6):
        m = model.with_budget(budget)
        x, v, status = solve_milp(m)
        xb, vb = brute_force(m)
        assert status == "Optimal"
        assert v == pytest.approx(vb, rel=1e-9, abs=1e-9)
        assert m.value(x) == pytest.approx(m.value(xb), abs=1e-6)
        assert m.feasible(x)
    assert model.with_budget(0.0).value(solve_milp(model.with_budget(0.0))[0]) == pytest.approx(
        model.value(np.zeros_like(x))
    )


def test_limits_never_violated(solved) -> None:  # type: ignore[no-untyped-def]
    loaded, res = solved
    spec = loaded.spec
    prep = prepare(loaded)
    points = [res.best, *res.pareto, *res.candidates]
    for p in points:
        x = p.x
        assert p.cost_usd <= spec.budget_usd + 1e-6
        for o, opt in enumerate(spec.options):
            assert (x[o] <= opt.max_per_month).all()
            assert ((x[o] == 0) | (x[o] >= opt.min_lot)).all()
        # nothing arrives before its lead time, nothing is ordered that cannot arrive in time
        for o, arrivals in schedule_of(prep, x).items():
            for a, _ in arrivals:
                assert a >= spec.options[o].lead_time_days
        assert (x[prep.arrival < 0] == 0).all()


def test_pareto_front_non_dominated_sorted_from_zero(solved) -> None:  # type: ignore[no-untyped-def]
    _, res = solved
    s = res.summary()
    costs = [p["cost_usd"] for p in s["pareto"]]
    means = [p["objective"]["mean"] for p in s["pareto"]]
    assert costs == sorted(costs) and len(set(costs)) == len(costs)
    assert all(b < a for a, b in itertools.pairwise(means))
    assert costs[0] == 0.0  # the status quo is the first point
    assert len(costs) >= 3
    # the budget ranges tile zero to the full budget: each point is the front's best from its
    # own cost up to the next point's
    ranges = [p["budget_range_usd"] for p in s["pareto"]]
    assert ranges[0][0] == 0.0 and ranges[-1][1] == max(s["budget_usd"], costs[-1])
    assert all(a[1] == b[0] for a, b in itertools.pairwise(ranges))
    assert all(lo == c and lo <= hi for (lo, hi), c in zip(ranges, costs, strict=True))
    # non_dominated drops what another point beats on both
    pts = res.pareto
    assert non_dominated(list(reversed(pts)) + pts) == pts


def test_best_beats_status_quo_and_outputs(solved) -> None:  # type: ignore[no-untyped-def]
    _, res = solved
    s = res.summary()
    for key in ("best", "status_quo", "pareto", "shadow_price", "confirmed", "per_scenario"):
        assert key in s
    assert s["best"]["objective"]["mean"] < s["status_quo"]["objective"]["mean"]
    c = s["confirmed"]
    assert c["mode"] == "detailed" and c["reps"] == 3
    assert set(c["difference"]) >= {"mean", "ci_low", "ci_high"}
    assert c["difference"]["ci_low"] <= c["difference"]["mean"] <= c["difference"]["ci_high"]
    assert {m["option"] for m in s["best"]["mix"]} == {"sam", "rockets", "crews"}
    # HiGHS's certificate: the final MILP is solved to optimality and no mix beats its bound
    cert = s["info"]["certificate"]
    assert cert["milp"]["status"] == "Optimal" and cert["milp"]["mip_gap"] <= 1e-6
    assert cert["gap_to_bound"] >= -1e-6 * max(1.0, abs(cert["chosen_milp_objective"]))
    # the surrogate's error per option kind, measured against detailed mode
    kinds = {k["kind"] for k in c["surrogate_error_by_kind"]}
    assert kinds == {"rounds", "team"}
    for k in c["surrogate_error_by_kind"]:
        assert k["error"] == pytest.approx(k["fast_effect"]["mean"] - k["detailed_effect"]["mean"])


def test_detailed_screen_chooses_the_recommendation(solved) -> None:  # type: ignore[no-untyped-def]
    """The confirmation runs the best fast-mode mixes, the proportional split and the status quo
    in detailed mode with common random numbers; the recommendation is the screen's winner, and
    ``confirmed.difference`` is the winner against the status quo in those same runs."""
    loaded, res = solved
    c = res.summary()["confirmed"]
    rows = c["screen"]
    assert rows[-1]["candidate"] == "status quo" and rows[-1]["cost_usd"] == 0.0
    assert any(r["candidate"] == "proportional" for r in rows)
    assert len(rows) >= 3
    sel = [r for r in rows if r["selected"]]
    assert len(sel) == 1 and sel[0]["eligible"] and sel[0]["retained"]
    assert sel[0]["candidate"] == c["selected"]
    # no eligible mix is better in detailed mode and no dearer (the price of money is >= 0)
    for r in rows:
        if r["eligible"] and not r["selected"] and r["cost_usd"] <= sel[0]["cost_usd"]:
            assert r["detailed"]["mean"] >= sel[0]["detailed"]["mean"], r
    assert c["difference"]["mean"] == pytest.approx(
        sel[0]["detailed"]["mean"] - rows[-1]["detailed"]["mean"]
    )
    assert res.best is not None and res.best.cost_usd == sel[0]["cost_usd"]
    # the best mix's detailed runs are the plain detailed runs of its campaign (same seed)
    from airshield.plan.procure import materialise

    prep = prepare(loaded)
    runs = [run_campaign(materialise(prep, s, res.best.x), "detailed", 3, 3)
            for s in range(len(prep.campaigns))]  # fmt: skip
    got = sum(w * r.leaked_harmful().sum(axis=1) for w, r in zip(prep.weights, runs, strict=True))
    assert float(np.mean(got)) == pytest.approx(c["best"]["mean"])


def test_zero_budget_returns_the_status_quo(tmp_path: Path) -> None:
    loaded = load_procurement(write_spec(tmp_path, budget=0.0))
    res = optimise(loaded, reps=20, seed=3, confirm_reps=2, pareto_points=3)
    assert res.best is not None and res.best.x.sum() == 0 and res.best.cost_usd == 0.0
    d = res.summary()["confirmed"]["difference"]
    assert d["mean"] == 0.0 and d["ci_low"] == 0.0 and d["ci_high"] == 0.0


def test_shadow_prices_have_the_sign_of_a_finite_difference(solved) -> None:  # type: ignore[no-untyped-def]
    _, res = solved
    checked = 0
    for sp in res.shadow:
        fd = sp["simulated"]["difference"]
        if fd is None:
            continue
        clear = fd["ci_high"] < 0 or fd["ci_low"] > 0
        if clear and sp["per_unit"] != 0 and not sp["beyond_limits"]:
            assert np.sign(sp["per_unit"]) == np.sign(fd["mean"]), sp
            checked += 1
    assert checked >= 1


def test_same_answer_for_one_and_two_workers(solved) -> None:  # type: ignore[no-untyped-def]
    loaded, res = solved
    prep = prepare(loaded)
    from airshield.plan.procure import run_cells_here

    a = confirm_detailed(prep, res.best.x, 3, 3)  # every cell in this process
    b = confirm_detailed(prep, res.best.x, 3, 3, workers=2)  # one pool of worker processes
    c = confirm_detailed(prep, res.best.x, 3, 3,  # a caller's runner (here over 2 workers)
                         runner=lambda cells, progress: run_cells_here(cells, progress, 2))  # fmt: skip
    assert (a["backend"], b["backend"], c["backend"]) == ("this process", "processes (2)", "runner")
    assert a["difference"] == b["difference"] == c["difference"]
    assert a["per_scenario"] == b["per_scenario"] == c["per_scenario"]
    assert a["difference"] == res.confirmed["difference"]


def _answer(res) -> dict:  # type: ignore[no-untyped-def]
    s = res.summary()
    keys = ("best", "status_quo", "proportional", "improvement", "pareto", "shadow_price",
            "doctrine")  # fmt: skip
    return {k: s[k] for k in keys}


def test_fast_evaluations_through_the_sweep_backends_same_answer(solved) -> None:  # type: ignore[no-untyped-def]
    """The fast-mode evaluations (curves, candidates, Pareto points, finite differences) fan out
    through the sweep backends as CallTasks; local processes with 2 workers and the serial
    backend (one worker) give exactly the in-process answer (the split into jobs
    differs)."""
    from airshield.plan.fanout import Evaluator

    loaded, res = solved
    answers = []
    for backend, workers in (("processes", 2), ("serial", 1)):
        ev = Evaluator(backend, workers)
        try:
            r = optimise(loaded, reps=40, seed=3, confirm=False, pareto_points=8, evaluator=ev)
        finally:
            ev.close()
        assert r.info["fast_backend"]["backend"] == backend
        assert r.info["fast_backend"]["jobs"] > 0
        answers.append(_answer(r))
    assert answers[0] == answers[1] == _answer(res)


def test_cli_json_and_report(spec_path: Path, tmp_path: Path) -> None:
    html = tmp_path / "r.html"
    r = subprocess.run(
        [sys.executable, "-m", "airshield", "plan", "procure", str(spec_path), "--json",
         "--reps", "20", "--seed", "3", "--confirm-reps", "2", "--pareto-points", "4",
         "--report", str(html), "--out", str(tmp_path / "out")],
        capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["confirmed"]["mode"] == "detailed"
    assert doc["best"]["objective"].keys() >= {"mean", "p5", "p95"}
    import re

    from plotly.offline import get_plotlyjs

    text = html.read_text()
    assert "Pareto front" in text and "Stocks: best mix against the status quo" in text
    assert "<h2>Detailed screen</h2>" in text
    assert text.count(get_plotlyjs()) == 1  # plotly.js inlined once; nothing else fetched
    rest = text.replace(get_plotlyjs(), "")
    assert "<script src" not in rest.lower()
    assert [u for u in re.findall(r"https?://[^\s\"'<>)]+", rest)
            if not u.startswith("http://www.w3.org/")] == []  # fmt: skip
    assert (tmp_path / "out" / "result.json").exists()
    best = load_campaign(tmp_path / "out" / "campaign-best.yaml")
    assert best.n_nights == 61


def test_facade_campaign_plan_procure_is_the_optimiser(tmp_path: Path) -> None:
    """``Campaign.plan.procure(spec)`` runs the real optimiser on that campaign (same answer as
    ``optimise``), and refuses a spec written for another campaign."""
    path = write_spec(tmp_path, budget=0.0)
    loaded = load_procurement(path)
    res = loaded.campaign.plan.procure(path, reps=20, seed=3, confirm_reps=2, pareto_points=3)
    direct = optimise(loaded, reps=20, seed=3, confirm_reps=2, pareto_points=3)
    assert res.summary()["best"]["cost_usd"] == direct.summary()["best"]["cost_usd"] == 0.0
    assert res.summary()["status_quo"] == direct.summary()["status_quo"]
    other = loaded.campaign.model_copy(update={"name": "another-campaign"})
    with pytest.raises(ValueError, match="plans for campaign"):
        other.plan.procure(path, reps=20, seed=3)


def test_nested_slot_levels_of_the_surrogate_design() -> None:
    """Fire-unit slots fill in order: the design runs every 'first j slots bought' state (the
    other pools full, other groups empty) and each other pool empty with no slot bought."""
    from airshield.campaign.surrogate import DesignSpec, stock_levels
    from airshield.campaign.surrogate.design import nested_levels

    a_max = np.array([5, 3, 2, 2, 2, 7], np.int64)
    rows = nested_levels(a_max, [[2, 3, 4], [5]])
    expect = [
        [5, 3, 0, 0, 0, 0], [5, 3, 2, 0, 0, 0], [5, 3, 2, 2, 0, 0], [5, 3, 2, 2, 2, 0],
        [5, 3, 0, 0, 0, 0], [5, 3, 0, 0, 0, 7],
        [0, 3, 0, 0, 0, 0], [5, 0, 0, 0, 0, 0],
    ]  # fmt: skip
    assert rows.tolist() == expect
    spec = DesignSpec(stock_levels=3, nested_pools=(("c", "d", "e"), ("f",)))
    plain = DesignSpec(stock_levels=3)
    got = stock_levels(a_max, spec, np.random.default_rng(1), [[2, 3, 4], [5]])
    ref = stock_levels(a_max, plain, np.random.default_rng(1))
    # the random levels are drawn as without groups; the nested ones come after
    assert np.array_equal(got[: len(ref)], ref) and got[len(ref) :].tolist() == expect
    assert spec.runs(6) - plain.runs(6) == spec.compositions * len(expect) * spec.reps


def test_design_key_of_a_spec_without_nested_pools_is_unchanged() -> None:
    """Adding ``nested_pools`` leaves the cache keys of existing fits alone; naming groups makes
    a different fit."""
    import hashlib
    import json
    from dataclasses import astuple

    from airshield.campaign.surrogate import SURROGATE_VERSION, DesignSpec, design_key
    from airshield.provenance import engine_code_hash
    from airshield.scenario import load_scenario

    tpl = load_scenario(EX / "campaign-small-night.yaml")
    comps = np.array([[3, 1, 0], [5, 2, 1]], np.int64)
    spec = DesignSpec(compositions=2)
    old = json.dumps(
        {"v": SURROGATE_VERSION, "engine": engine_code_hash(), "template": tpl.content_hash(),
         "threats": ["a", "b", "c"],
         "comps": hashlib.sha256(np.ascontiguousarray(comps).tobytes()).hexdigest(),
         "shape": [2, 3], "spec": list(astuple(spec))[:-1]},
        sort_keys=True,
    ).encode()  # fmt: skip
    assert design_key(tpl, ["a", "b", "c"], comps, spec) == hashlib.sha256(old).hexdigest()[:20]
    other = DesignSpec(compositions=2, nested_pools=(("sam-rounds",),))
    assert design_key(tpl, ["a", "b", "c"], comps, other) != design_key(
        tpl, ["a", "b", "c"], comps, spec
    )


def test_priced_doctrine_run_is_paired_with_the_plain_run(spec_path: Path) -> None:
    """A price schedule that keeps the sticker price is the plain fast run, replication by
    replication; a schedule that prices a round from some night on changes nothing before that
    night and makes its units stop engaging what the cost threshold now forbids."""
    from airshield.plan.doctrine import PriceSchedule, run_priced

    loaded = load_procurement(spec_path)
    prep = prepare(loaded)
    camp = prep.campaigns[0]
    plain = run_campaign(camp, "fast", 12, 5, surrogate=prep.surrogate)
    eff = next(p.effector for p in prep.template.pools if p.name == "rockets")
    sticker = prep.template.resolved_catalog().effectors[eff].cost_per_shot_usd
    n = prep.n_nights
    same = run_priced(camp, PriceSchedule([eff], [[sticker]], np.zeros(n, np.int64), []), 12, 5)
    assert np.array_equal(same.leaked, plain.leaked)
    assert np.array_equal(same.stock_end, plain.stock_end)
    cut = 20
    which = (np.arange(n) >= cut).astype(np.int64)
    priced = run_priced(camp, PriceSchedule([eff], [[sticker], [1.0e9]], which, []), 12, 5)
    assert np.array_equal(priced.leaked[:, :cut], plain.leaked[:, :cut])
    k = priced.pool_names.index("rockets")
    assert priced.fired[:, cut:, k].sum() == 0 < plain.fired[:, cut:, k].sum()
    # booked costs stay the sticker prices
    assert np.allclose(priced.pool_cost_usd, plain.pool_cost_usd)


def test_robust_worst_milp_equals_brute_force(tmp_path: Path) -> None:
    """``robust: worst`` minimises the worst scenario (a min-max epigraph in the MILP): the MILP
    equals brute-force enumeration of the same surrogate, and its value is the worst
    scenario's."""
    extra = (
        "scenarios:\n  - {name: base, weight: 0.5}\n"
        "  - {name: high, weight: 0.5, attacker_scale: {factor: 1.5, threats: [shahed-136]}}\n"
        "robust: worst\n"
    )
    loaded = load_procurement(write_spec(tmp_path, extra=extra))
    prep = prepare(loaded)
    data = collect_curves(prep, {}, 20, 3, None)
    model, _ = build_model(prep, data, loaded.spec.budget_usd)
    assert model.robust == "worst"
    for budget in (1.0e6, 3.0e6):
        m = model.with_budget(budget)
        x, v, status = solve_milp(m)
        _, vb = brute_force(m)
        assert status == "Optimal"
        assert v == pytest.approx(vb, rel=1e-9, abs=1e-9)
        assert m.value(x) == pytest.approx(float(m.scenario_values(x).max()))
    # the worst scenario is the high tempo one at the status quo
    zero = np.zeros_like(x)
    assert int(np.argmax(model.scenario_values(zero))) == 1


def test_priced_detailed_run_with_sticker_prices_is_the_detailed_run(spec_path: Path) -> None:
    """Detailed mode under a price schedule draws night n of replication r from the same seed as
    ``run_campaign(..., "detailed")``: with sticker prices it is that run, for 1 and 2 workers;
    a prohibitive price from night 20 on leaves the first 20 nights alone."""
    from airshield.plan.doctrine import PriceSchedule, run_priced_detailed

    loaded = load_procurement(spec_path)
    prep = prepare(loaded)
    camp = prep.campaigns[0]
    eff = next(p.effector for p in prep.template.pools if p.name == "rockets")
    sticker = prep.template.resolved_catalog().effectors[eff].cost_per_shot_usd
    n = prep.n_nights
    plain = run_campaign(camp, "detailed", 3, 4)
    same = run_priced_detailed(camp, PriceSchedule([eff], [[sticker]], np.zeros(n, np.int64), []),
                               3, 4, workers=2)  # fmt: skip
    assert np.array_equal(same.leaked, plain.leaked)
    assert np.array_equal(same.fired, plain.fired)
    which = (np.arange(n) >= 20).astype(np.int64)
    priced = run_priced_detailed(camp, PriceSchedule([eff], [[sticker], [1.0e9]], which, []), 3, 4)
    assert np.array_equal(priced.leaked[:, :20], plain.leaked[:, :20])
    k = priced.pool_names.index("rockets")
    assert priced.fired[:, 20:, k].sum() == 0 < plain.fired[:, 20:, k].sum()
