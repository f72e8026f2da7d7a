"""Solvers under deadlines: any time limit gives a feasible answer with an honest status.

Instances are generated here (sizes from 4 x 8 to 120 x 240, one with more weapons than
targets, one with costs, channels, masks and a cap); time limits run from 1 ms up, so that the
limit stops the exact solver in each of its phases (primal start, column generation, MILPs,
enumeration, VLNS). Nothing here asserts a duration: only what the results claim.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from airshield.assign import (
    AssignerFeature,
    SolveStatus,
    TerminationCondition,
    WTAProblem,
    available_assigners,
    solve,
)
from airshield.assign.colgen import column_generation
from airshield.assign.exact import round_master_lp
from airshield.assign.instances import format_wta_instance, random_wta_instance

LIMITS_S = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)


def _rich(n_w: int, n_t: int, seed: int) -> WTAProblem:
    """Round costs, channels, an engagement mask and a per-target cap."""
    rng = np.random.default_rng(seed)
    return WTAProblem(
        values=rng.integers(1, 101, n_t).astype(float),
        pk=rng.uniform(0.05, 0.95, (n_w, n_t)),
        rounds=rng.integers(0, 4, n_w),
        shot_cost=rng.choice([0.0, 0.5, 3.0], n_w),
        channels=rng.integers(1, 3, n_w),
        feasible=rng.uniform(size=(n_w, n_t)) < 0.6,
        max_rounds_per_target=2,
    )


def _instances() -> dict[str, WTAProblem]:
    rich = _rich(30, 60, seed=5)
    return {
        "4x8x2": random_wta_instance(4, 8, 2, seed=1),
        "40x80x3": random_wta_instance(40, 80, 3, seed=2),
        "120x240x2": random_wta_instance(120, 240, 2, seed=3),
        "100x50x2": random_wta_instance(100, 50, 2, seed=4),
        "30x60-rich": rich,
    }


INSTANCES = _instances()


def check_honest(problem: WTAProblem, res) -> None:  # type: ignore[no-untyped-def]
    """What every result must satisfy, whatever stopped the solver."""
    assert problem.is_feasible(res.assignment), problem.violations(res.assignment)
    assert res.objective == pytest.approx(problem.objective(res.assignment), rel=1e-12, abs=1e-12)
    assert isinstance(res.status, SolveStatus) and res.status is not SolveStatus.ERROR
    assert isinstance(res.termination, TerminationCondition)
    if res.bound is not None:
        assert np.isfinite(res.bound)
        assert res.bound <= res.objective + 1e-12 * max(1.0, abs(res.objective))
        assert res.gap is not None and res.gap >= 0.0
        assert res.gap == pytest.approx(
            max(0.0, res.objective - res.bound) / max(abs(res.objective), 1e-300), abs=1e-12
        )
    else:
        assert res.gap is None
    if res.status is SolveStatus.OPTIMAL:
        assert res.termination is TerminationCondition.OPTIMAL
        assert (
            res.bound is not None and res.gap is not None and res.gap <= 1e-8
        )  # tolerance plus the bound's safety shave
    if res.status is SolveStatus.TIME_LIMIT:
        assert res.termination is TerminationCondition.TIME_LIMIT
    # firing nothing is feasible: no solver may return worse
    empty = np.zeros(problem.pk.shape, dtype=np.int64)
    assert res.objective <= problem.objective(empty) + 1e-12


TIMED = [n for n, s in available_assigners().items() if s.has(AssignerFeature.TIME_LIMIT)]


@pytest.mark.parametrize("name", list(INSTANCES))
@pytest.mark.parametrize("limit_s", LIMITS_S)
@pytest.mark.parametrize("solver", TIMED)
def test_any_time_limit_gives_an_honest_feasible_answer(
    solver: str, limit_s: float, name: str
) -> None:
    problem = INSTANCES[name]
    res = solve(problem, solver, time_limit_s=limit_s, seed=0)
    check_honest(problem, res)
    if solver == "exact":
        # the exact solver says optimal only with a proof, time_limit otherwise
        assert res.status in (SolveStatus.OPTIMAL, SolveStatus.TIME_LIMIT)


@pytest.mark.parametrize("name", list(INSTANCES))
def test_untimed_solvers_are_honest(name: str) -> None:
    problem = INSTANCES[name]
    for solver, info in available_assigners().items():
        if info.has(AssignerFeature.TIME_LIMIT):
            continue
        res = solve(problem, solver, time_limit_s=0.001, seed=0)
        check_honest(problem, res)
        assert res.status is SolveStatus.FEASIBLE and res.bound is None


def test_exact_with_time_proves_the_small_ones() -> None:
    for name in ("4x8x2", "40x80x3"):
        res = solve(INSTANCES[name], "exact", time_limit_s=30, seed=0)
        check_honest(INSTANCES[name], res)
        assert res.status is SolveStatus.OPTIMAL


def test_round_master_lp_after_columns_added_but_not_resolved() -> None:
    """The IndexError of ``wta --time-limit 0.05``: column generation stopped by its deadline
    after adding columns but before re-solving the LP; rounding must use the LP it has."""
    problem = random_wta_instance(20, 40, 3, seed=9)
    cg = column_generation(problem, float("inf"))
    master = cg.master
    n_before = len(master.patterns)
    assert master.up_to_date
    # a pattern the LP has not seen (every weapon with one round on target 0)
    assert master.add(0, np.arange(3, dtype=np.int64), np.ones(3, dtype=np.int64))
    assert len(master.patterns) == n_before + 1 and not master.up_to_date
    z = master.column_values()
    assert z.shape == (n_before + 1,) and z[-1] == 0.0
    x = round_master_lp(problem, master)
    assert problem.is_feasible(x)
    # and the master still solves with the new column afterwards
    lp_value, *_ = master.solve()
    assert master.up_to_date and lp_value <= cg.lp_value + 1e-9 * abs(cg.lp_value)


def test_column_generation_stopped_at_once_keeps_a_valid_bound() -> None:
    problem = random_wta_instance(30, 60, 2, seed=4)
    cg = column_generation(problem, 0.0)  # deadline already passed: no LP solve at all
    assert cg.master.n_solved == 0 and cg.iterations == 0
    assert np.all(cg.master.column_values() == 0.0)
    opt = solve(problem, "exact", time_limit_s=30, seed=0)
    assert opt.status is SolveStatus.OPTIMAL
    assert cg.bound <= opt.objective + 1e-9
    x = round_master_lp(problem, cg.master)
    assert problem.is_feasible(x)


@pytest.mark.parametrize("limit", ["0.001", "0.05"])
def test_cli_wta_short_time_limit(tmp_path: Path, limit: str) -> None:
    path = tmp_path / "inst.txt"
    problem = random_wta_instance(120, 240, 3, seed=7)
    path.write_text(format_wta_instance(problem), encoding="utf-8")
    res = subprocess.run(
        [sys.executable, "-m", "airshield.cli", "wta", str(path), "--time-limit", limit, "--json"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    assert doc["status"] in ("optimal", "time_limit")
    x = np.zeros(problem.pk.shape, dtype=np.int64)
    for i, j, n in doc["assignment"]:
        x[i, j] = n
    assert problem.is_feasible(x)
    assert doc["objective"] == pytest.approx(problem.objective(x), rel=1e-12)
    if doc["bound"] is not None:
        assert doc["bound"] <= doc["objective"]


@pytest.mark.parametrize("factor", [1e-9, 1.0, 1e6])
def test_exact_is_invariant_to_the_scale_of_values(factor: float) -> None:
    """Scaling every value by a constant scales the optimum and nothing else (HiGHS' absolute
    tolerances would make tiny objectives noise without the cost scaling)."""
    base = random_wta_instance(12, 6, 2, seed=21)  # more weapons than targets
    ref = solve(base, "exact", time_limit_s=60, seed=0)
    assert ref.status is SolveStatus.OPTIMAL
    scaled = WTAProblem(values=base.values * factor, pk=base.pk, rounds=base.rounds)
    res = solve(scaled, "exact", time_limit_s=60, seed=0)
    check_honest(scaled, res)
    assert res.status is SolveStatus.OPTIMAL
    assert res.objective == pytest.approx(ref.objective * factor, rel=1e-9)
    assert res.bound == pytest.approx(ref.bound * factor, rel=1e-8)


def test_exact_equals_brute_force_with_more_weapons_than_targets() -> None:
    """Tiny W > T instances (the hard shape for the formulation) against enumeration."""
    import itertools

    for seed in range(6):
        p = random_wta_instance(4, 2, 2, seed=100 + seed)
        best = np.inf
        # each weapon puts 0..2 rounds on target 0 and 0..(2 - that) on target 1
        rows = [(a, b) for a in range(3) for b in range(3) if a + b <= 2]
        for combo in itertools.product(rows, repeat=p.n_weapons):
            best = min(best, p.objective(np.array(combo, dtype=np.int64)))
        res = solve(p, "exact", time_limit_s=30, seed=0)
        assert res.status is SolveStatus.OPTIMAL
        assert res.objective == pytest.approx(best, rel=1e-9, abs=1e-15)


def test_random_instance_round_trips_through_the_text_format(tmp_path: Path) -> None:
    from airshield.assign.instances import read_wta_instance

    p = random_wta_instance(7, 5, 3, seed=2)
    assert set(np.unique(p.values)) <= set(range(1, 101))
    assert np.all((p.pk > 0) & (p.pk < 1)) and np.all(p.rounds == 3)
    path = tmp_path / "x.txt"
    path.write_text(format_wta_instance(p), encoding="utf-8")
    q = read_wta_instance(path)
    np.testing.assert_array_equal(q.pk, p.pk)
    np.testing.assert_array_equal(q.values, p.values)
    np.testing.assert_array_equal(q.rounds, p.rounds)
    with pytest.raises(ValueError, match="one mu"):
        format_wta_instance(_rich(3, 4, seed=1))


def test_target_major_matches_pk() -> None:
    p = _rich(5, 7, seed=3)
    pk_t, logkill_t, allowed_t = p.target_major
    np.testing.assert_array_equal(pk_t, p.pk.T)
    np.testing.assert_array_equal(allowed_t, p.allowed.T)
    np.testing.assert_allclose(logkill_t, -np.log1p(-p.pk.T), rtol=1e-15)
    assert pk_t.flags.c_contiguous and not pk_t.flags.writeable
    certain = WTAProblem(values=np.ones(2), pk=np.array([[1.0, 0.5]]), rounds=np.array([1]))
    assert np.isinf(certain.target_major[1][0, 0])


@pytest.mark.parametrize("name", list(INSTANCES))
@pytest.mark.parametrize("limit_s", (0.2, 1.0))
@pytest.mark.parametrize("solver", TIMED)
def test_runtime_stays_within_five_percent_of_the_limit(
    solver: str, limit_s: float, name: str
) -> None:
    """The contract of a time limit: ``runtime_s`` (which counts from entry, including any
    numba loading that happens in the call) never exceeds the limit by more than 5 %. The
    kernels are loaded first, so no compilation happens in the call and none is reported."""
    from airshield.assign.warmup import warm_up

    warm_up()
    res = solve(INSTANCES[name], solver, time_limit_s=limit_s, seed=0)
    check_honest(INSTANCES[name], res)
    assert "jit_s" not in res.info
    assert res.runtime_s <= 1.05 * limit_s, (res.runtime_s, res.info.get("phase_s"))


def test_runtime_counts_numba_loading_when_it_happens() -> None:
    """A fresh process's first exact call loads the kernels inside its clock: ``jit_s`` is
    reported and is part of ``runtime_s``; the second call loads nothing."""
    code = (
        "import json\n"
        "from airshield.assign import solve\n"
        "from airshield.assign.instances import random_wta_instance\n"
        "p = random_wta_instance(20, 40, 2, seed=0)\n"
        "a = solve(p, 'exact', time_limit_s=600, seed=0)\n"
        "b = solve(p, 'exact', time_limit_s=600, seed=0)\n"
        "print(json.dumps([a.runtime_s, a.info.get('jit_s'), b.runtime_s, b.info.get('jit_s')]))\n"
    )
    res = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=600, check=True
    )
    rt_a, jit_a, _rt_b, jit_b = json.loads(res.stdout.strip().splitlines()[-1])
    assert jit_a is not None and 0 < jit_a <= rt_a
    assert jit_b is None
