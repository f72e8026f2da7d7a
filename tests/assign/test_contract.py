"""The contract the raid engine relies on: problem, greedy semantics, result type."""

from __future__ import annotations

import numpy as np
import pytest

from airshield.assign import (
    AssignerFeature,
    AssignmentResult,
    WTAProblem,
    available_assigners,
    solve,
)


def reference_greedy(p: WTAProblem) -> np.ndarray:
    """Pure-Python greedy MMR with exactly the documented semantics (full scan every step)."""
    n_w, n_t = p.pk.shape
    x = np.zeros((n_w, n_t), dtype=np.int64)
    surv = [1.0] * n_t
    rem = p.rounds.tolist()
    cost = p.cost_vector().tolist()
    ch = p.channel_vector().tolist()
    cap = p.target_cap()
    engaged = [0] * n_w
    on_t = [0] * n_t
    allowed = p.allowed
    while True:
        best = None
        for j in range(n_t):
            if on_t[j] >= cap:
                continue
            for i in range(n_w):
                if not allowed[i, j] or rem[i] <= 0:
                    continue
                if x[i, j] == 0 and engaged[i] >= ch[i]:
                    continue
                gain = float(p.values[j]) * surv[j] * float(p.pk[i, j]) - cost[i]
                if best is None or gain > best[0]:
                    best = (gain, j, i)
        if best is None or not best[0] > 0.0:
            return x
        _, j, i = best
        if x[i, j] == 0:
            engaged[i] += 1
        x[i, j] += 1
        rem[i] -= 1
        on_t[j] += 1
        surv[j] = surv[j] * (1.0 - float(p.pk[i, j]))


def random_problem(rng: np.random.Generator, n_w: int, n_t: int, rich: bool) -> WTAProblem:
    values = rng.integers(1, 20, n_t).astype(float)
    pk = np.round(rng.uniform(0, 1, (n_w, n_t)), 1)  # coarse values create ties
    rounds = rng.integers(0, 4, n_w)
    if not rich:
        return WTAProblem(values=values, pk=pk, rounds=rounds)
    return WTAProblem(
        values=values,
        pk=pk,
        rounds=rounds,
        shot_cost=rng.choice([0.0, 0.5, 2.0], n_w),
        channels=rng.integers(1, 3, n_w),
        feasible=rng.uniform(size=(n_w, n_t)) < 0.6,
        max_rounds_per_target=int(rng.integers(1, 3)),
    )


@pytest.mark.parametrize("rich", [False, True])
@pytest.mark.parametrize("seed", range(40))
def test_greedy_matches_reference(seed: int, rich: bool) -> None:
    rng = np.random.default_rng(seed)
    p = random_problem(rng, int(rng.integers(1, 7)), int(rng.integers(1, 9)), rich)
    res = solve(p, solver="greedy")
    np.testing.assert_array_equal(res.assignment, reference_greedy(p))
    assert p.is_feasible(res.assignment)
    assert res.objective == pytest.approx(p.objective(res.assignment))


def test_result_shape_and_triples() -> None:
    p = WTAProblem(
        values=np.array([10.0, 5.0, 1.0]),
        pk=np.array([[0.8, 0.5, 0.1], [0.6, 0.9, 0.2]]),
        rounds=np.array([2, 1]),
        max_rounds_per_target=1,
    )
    res = solve(p, solver="greedy", time_limit_s=None, seed=None)
    assert isinstance(res, AssignmentResult)
    assert res.assignment.shape == (2, 3)
    assert res.triples() == [(0, 0, 1), (0, 2, 1), (1, 1, 1)]
    expected = 10 * 0.2 + 5 * 0.1 + 1 * 0.9
    assert res.objective == pytest.approx(expected)
    assert res.bound is None
    assert res.solver == "greedy"


def test_greedy_tie_breaking() -> None:
    # Equal gains everywhere: smallest target first, then smallest weapon.
    p = WTAProblem(values=np.ones(3), pk=np.full((2, 3), 0.5), rounds=np.array([1, 1]))
    assert solve(p).triples() == [(0, 0, 1), (1, 1, 1)]


def test_shot_cost_stops_unprofitable_rounds() -> None:
    p = WTAProblem(
        values=np.array([1.0]),
        pk=np.array([[0.5]]),
        rounds=np.array([5]),
        shot_cost=np.array([0.2]),
    )
    # gains 0.5-0.2, 0.25-0.2, 0.125-0.2 -> two rounds
    assert solve(p).triples() == [(0, 0, 2)]


def test_registry_flags() -> None:
    reg = available_assigners()
    assert "greedy" in reg
    assert AssignerFeature.MULTI_SHOT in reg["greedy"].features


def test_problem_validation() -> None:
    with pytest.raises(ValueError):
        WTAProblem(values=np.ones(2), pk=np.ones((1, 3)), rounds=np.array([1]))
    with pytest.raises(ValueError):
        WTAProblem(values=np.ones(2), pk=np.full((1, 2), 1.5), rounds=np.array([1]))
    with pytest.raises(ValueError):
        WTAProblem(values=np.ones(2), pk=np.ones((1, 2)), rounds=np.array([1.5]))
