"""Every solver against brute force on tiny instances; bounds never exceed objectives."""

from __future__ import annotations

import time
from collections.abc import Callable

import highspy
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from airshield.assign import (
    AssignerFeature,
    SolveStatus,
    WTAProblem,
    available_assigners,
    solve,
)

SOLVERS = list(available_assigners())
QUICK_S = 0.05  # time budget for the search solvers in tests


def _check(p: WTAProblem, name: str, opt: float, seed: int = 0) -> None:
    res = solve(p, solver=name, time_limit_s=QUICK_S if name == "vlns" else 20.0, seed=seed)
    assert res.solver == name
    assert p.is_feasible(res.assignment), p.violations(res.assignment)
    assert res.objective == pytest.approx(p.objective(res.assignment), rel=1e-12, abs=1e-12)
    tol = 1e-9 * max(1.0, abs(opt))
    assert res.objective >= opt - tol
    if res.bound is not None:
        assert res.bound <= opt + tol, "bound above the true optimum"
        assert res.bound <= res.objective + tol
        assert res.gap is not None and res.gap >= 0
    if available_assigners()[name].has(AssignerFeature.EXACT):
        assert res.bound is not None
        assert res.objective == pytest.approx(opt, rel=1e-9, abs=1e-9)
        assert res.status == SolveStatus.OPTIMAL


@pytest.mark.parametrize("rich", [False, True])
@pytest.mark.parametrize("seed", range(25))
def test_solvers_against_brute_force(
    seed: int,
    rich: bool,
    tiny_problem: Callable[[int, bool], WTAProblem],
    enumerate_optimum: Callable[[WTAProblem], tuple[float, np.ndarray]],
) -> None:
    p = tiny_problem(seed, rich)
    opt, _ = enumerate_optimum(p)
    for name in SOLVERS:
        _check(p, name, opt, seed)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    n_w=st.integers(1, 3),
    n_t=st.integers(1, 3),
    data=st.data(),
)
def test_property_random_instances(
    n_w: int,
    n_t: int,
    data: st.DataObject,
    enumerate_optimum: Callable[[WTAProblem], tuple[float, np.ndarray]],
) -> None:
    prob = st.floats(0.0, 1.0, allow_nan=False)
    pk = np.array(data.draw(st.lists(prob, min_size=n_w * n_t, max_size=n_w * n_t))).reshape(
        n_w, n_t
    )
    values = np.array(data.draw(st.lists(st.floats(0.0, 100.0), min_size=n_t, max_size=n_t)))
    rounds = np.array(data.draw(st.lists(st.integers(0, 2), min_size=n_w, max_size=n_w)))
    rich = data.draw(st.booleans())
    kw: dict[str, object] = {}
    if rich:
        kw = {
            "shot_cost": np.array(
                data.draw(st.lists(st.floats(0.0, 10.0), min_size=n_w, max_size=n_w))
            ),
            "channels": np.array(
                data.draw(st.lists(st.integers(0, 2), min_size=n_w, max_size=n_w))
            ),
            "feasible": np.array(
                data.draw(st.lists(st.booleans(), min_size=n_w * n_t, max_size=n_w * n_t))
            ).reshape(n_w, n_t),
            "max_rounds_per_target": data.draw(st.one_of(st.none(), st.integers(0, 2))),
        }
    p = WTAProblem(values=values, pk=pk, rounds=rounds, **kw)  # type: ignore[arg-type]
    opt, _ = enumerate_optimum(p)
    for name in SOLVERS:
        _check(p, name, opt)


def test_bigger_instance_solvers_agree_with_bound() -> None:
    """On a 12x20 instance: exact proves optimality; heuristics are feasible and not below it."""
    rng = np.random.default_rng(7)
    p = WTAProblem(
        values=rng.integers(1, 100, 20).astype(float),
        pk=rng.uniform(0.1, 0.9, (12, 20)),
        rounds=rng.integers(1, 4, 12),
    )
    ex = solve(p, solver="exact", time_limit_s=30.0, seed=0)
    assert ex.status == SolveStatus.OPTIMAL
    assert ex.bound is not None and ex.bound <= ex.objective
    for name in SOLVERS:
        res = solve(p, solver=name, time_limit_s=0.2, seed=1)
        assert p.is_feasible(res.assignment)
        assert res.objective >= ex.bound - 1e-9


def test_vlns_is_seeded() -> None:
    rng = np.random.default_rng(3)
    p = WTAProblem(
        values=rng.integers(1, 100, 30).astype(float),
        pk=rng.uniform(0.1, 0.9, (15, 30)),
        rounds=rng.integers(1, 3, 15),
    )
    from airshield.assign.greedy import greedy_assignment
    from airshield.assign.local_search import vlns

    a = vlns(p, greedy_assignment(p), float("inf"), np.random.default_rng(5), max_iter=30)
    b = vlns(p, greedy_assignment(p), float("inf"), np.random.default_rng(5), max_iter=30)
    np.testing.assert_array_equal(a[0], b[0])
    assert a[1] == b[1]


def test_registry_lists_capabilities() -> None:
    reg = available_assigners()
    assert {"greedy", "matching", "local_search", "vlns", "exact"} <= set(reg)
    assert reg["exact"].has(AssignerFeature.EXACT)
    assert reg["vlns"].has(AssignerFeature.TIME_LIMIT)
    assert next(iter(reg)) == "exact"  # best available first
    with pytest.raises(KeyError):
        solve(WTAProblem(values=np.ones(1), pk=np.ones((1, 1)), rounds=np.ones(1)), "nope")


def test_warm_start_is_used() -> None:
    rng = np.random.default_rng(11)
    p = WTAProblem(
        values=rng.integers(1, 100, 10).astype(float),
        pk=rng.uniform(0.1, 0.9, (5, 10)),
        rounds=np.full(5, 2),
    )
    ex = solve(p, "exact", time_limit_s=10)
    for name, info in available_assigners().items():
        if info.has(AssignerFeature.WARM_START):
            res = solve(p, name, time_limit_s=0.05, warm_start=ex.assignment)
            assert res.objective <= ex.objective + 1e-9
    bad = np.full(p.pk.shape, 5)
    with pytest.raises(ValueError):
        solve(p, "local_search", warm_start=bad)


@pytest.mark.parametrize(
    "problem",
    [
        WTAProblem(values=np.ones(3), pk=np.zeros((0, 3)), rounds=np.zeros(0, int)),
        WTAProblem(values=np.ones(0), pk=np.zeros((2, 0)), rounds=np.ones(2, int)),
        WTAProblem(values=np.zeros(3), pk=np.full((2, 3), 0.5), rounds=np.ones(2, int)),
        WTAProblem(values=np.ones(3), pk=np.full((2, 3), 0.5), rounds=np.zeros(2, int)),
        WTAProblem(values=np.ones(3), pk=np.ones((2, 3)), rounds=np.full(2, 3)),
    ],
    ids=["no-weapons", "no-targets", "zero-values", "no-rounds", "certain-kills"],
)
def test_degenerate_problems(problem: WTAProblem) -> None:
    for name in SOLVERS:
        res = solve(problem, name, time_limit_s=0.05)
        assert problem.is_feasible(res.assignment)
        if res.bound is not None:
            assert res.bound <= res.objective
        if available_assigners()[name].has(AssignerFeature.EXACT):
            assert res.status == SolveStatus.OPTIMAL


@pytest.mark.parametrize("seed", range(25))
def test_exact_without_the_matching_start_against_brute_force(
    seed: int,
    monkeypatch: pytest.MonkeyPatch,
    tiny_problem: Callable[[int, bool], WTAProblem],
    enumerate_optimum: Callable[[WTAProblem], tuple[float, np.ndarray]],
) -> None:
    """Large instances with several rounds per weapon start without the matching construction:
    the exact solver still proves the brute-force optimum on that path."""
    import airshield.assign.exact as exact

    calls: list[int] = []
    real = exact.matching_layers

    def counted(*args: object, **kwargs: object) -> np.ndarray:
        calls.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(exact, "MATCHING_MAX_PAIRS", 0)
    monkeypatch.setattr(exact, "matching_layers", counted)
    p = tiny_problem(seed, seed % 2 == 0)
    opt, _ = enumerate_optimum(p)
    _check(p, "exact", opt, seed)
    assert bool(calls) == bool(p.rounds.max(initial=0) <= 1)


def test_master_mip_interrupt_keeps_a_valid_bound_and_a_feasible_solution() -> None:
    """``stop_at`` interrupts HiGHS on its callback (once its bound reaches the given value and
    its gap is within the given one): the answer is feasible and its bound is below the
    optimum over the same columns."""
    from airshield.assign.colgen import column_generation, initial_multipliers
    from airshield.assign.exact import enumerate_columns, solve_master_mip
    from airshield.assign.greedy import greedy_assignment
    from airshield.assign.instances import random_wta_instance

    p = random_wta_instance(40, 20, 2, seed=3)
    x0 = greedy_assignment(p)
    cg = column_generation(
        p, time.perf_counter() + 60, initial=[x0], lam0=initial_multipliers(p, x0)
    )
    gap = p.objective(x0) - cg.bound
    pats, _, complete = enumerate_columns(p, cg, 0.2 * gap, 50_000, time.perf_counter() + 60)
    assert complete
    full = solve_master_mip(p, pats, 60.0, x0)
    assert full.optimal and full.assignment is not None
    opt = p.objective(full.assignment)
    stopped = solve_master_mip(p, pats, 60.0, x0, stop_at=(-np.inf, 1.0))
    assert stopped.status == highspy.HighsModelStatus.kInterrupt
    assert stopped.assignment is not None and p.is_feasible(stopped.assignment)
    assert p.objective(stopped.assignment) >= opt - 1e-12 * opt
    assert stopped.bound <= opt * (1 + 1e-9)
