"""Shared helpers for the WTA tests: tiny random instances and brute-force enumeration."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np
import pytest

from airshield.assign import WTAProblem


def make_problem(rng: np.random.Generator, n_w: int, n_t: int, rich: bool) -> WTAProblem:
    """A random instance; ``rich`` adds costs, channels, a mask and a per-target cap."""
    values = rng.integers(1, 30, n_t).astype(float)
    pk = rng.uniform(0.05, 0.95, (n_w, n_t))
    if rng.random() < 0.3:
        pk[rng.uniform(size=pk.shape) < 0.2] = 1.0  # certain kills exercise q == 0
    rounds = rng.integers(0, 3, n_w)
    if not rich:
        return WTAProblem(values=values, pk=pk, rounds=rounds)
    return WTAProblem(
        values=values,
        pk=pk,
        rounds=rounds,
        shot_cost=rng.choice([0.0, 0.5, 3.0], n_w),
        channels=rng.integers(1, 3, n_w),
        feasible=rng.uniform(size=(n_w, n_t)) < 0.7,
        max_rounds_per_target=int(rng.integers(1, 3)) if rng.random() < 0.7 else None,
    )


def brute_force(p: WTAProblem) -> tuple[float, np.ndarray]:
    """Optimum of a tiny instance by enumerating every feasible rounds matrix."""
    per_weapon: list[list[tuple[int, ...]]] = []
    for i in range(p.n_weapons):
        rows = [
            r
            for r in itertools.product(range(int(p.rounds[i]) + 1), repeat=p.n_targets)
            if sum(r) <= p.rounds[i]
        ]
        per_weapon.append(rows)
    best = np.inf
    best_x = np.zeros(p.pk.shape, dtype=np.int64)
    for combo in itertools.product(*per_weapon):
        x = np.array(combo, dtype=np.int64).reshape(p.pk.shape)
        if not p.is_feasible(x):
            continue
        v = p.objective(x)
        if v < best:
            best, best_x = v, x
    return float(best), best_x


@pytest.fixture
def tiny_problem() -> Callable[[int, bool], WTAProblem]:
    """Factory ``tiny_problem(seed, rich)`` of instances small enough to enumerate."""

    def make(seed: int, rich: bool) -> WTAProblem:
        rng = np.random.default_rng(seed)
        return make_problem(rng, int(rng.integers(1, 4)), int(rng.integers(1, 4)), rich)

    return make


@pytest.fixture
def enumerate_optimum() -> Callable[[WTAProblem], tuple[float, np.ndarray]]:
    """The brute-force optimum ``(value, assignment)``."""
    return brute_force
