"""Load (or compile) the numba kernels once per process and say how long that took."""

from __future__ import annotations

import time

import numpy as np

_READY = False


def warm_up() -> float:
    """Run every WTA kernel once on a 2x2 problem (first call per process only).

    Returns the seconds it took: 0.0 when the kernels were already loaded in this process.

    Numba compiles on first use (or loads its on-disk cache, which still takes a moment).
    Time-limited solvers call this first thing: the time it takes (on the first call in a
    process only) counts against their limit and is part of their ``runtime_s``, so a result
    never claims less time than the call took.
    The calls go through the same code paths as the solvers, so the argument types (the
    problem's arrays are read-only) match and no second specialisation is compiled later.
    """
    global _READY
    if _READY:
        return 0.0
    t0 = time.perf_counter()
    from airshield.assign.colgen import lagrangian_bound
    from airshield.assign.greedy import greedy_assignment
    from airshield.assign.local_search import descend
    from airshield.assign.problem import WTAProblem
    from airshield.kernels.wta import enumerate_target_patterns, objective_of

    p = WTAProblem(
        values=np.array([1.0, 2.0]),
        pk=np.array([[0.5, 0.6], [0.7, 1.0]]),
        rounds=np.array([1, 2]),
        shot_cost=np.array([0.0, 0.1]),
        channels=np.array([2, 2]),
    )
    x = greedy_assignment(p)
    x = descend(p, x)
    objective_of(x, p.values, p.pk, p.cost_vector())
    lam = np.array([0.1, 0.2])
    lagrangian_bound(p, lam)
    lagrangian_bound(p, lam, np.array([0.0, 0.1]))
    enumerate_target_patterns(
        0, p.values, *p.target_major, p.rounds, p.cost_vector() + lam, np.zeros(2),
        p.target_cap(), 1.0, 1.0, 1000, 10, 2, 1,
    )  # fmt: skip
    _READY = True
    return time.perf_counter() - t0
