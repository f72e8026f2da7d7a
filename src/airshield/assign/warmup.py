"""Load (or compile) the numba kernels once per process, outside any solver's time limit."""

from __future__ import annotations

import numpy as np

_READY = False


def warm_up() -> None:
    """Run every WTA kernel once on a 2x2 problem (first call per process only).

    Numba compiles on first use (or loads its on-disk cache, which still takes a moment);
    time-limited solvers call this before starting their clock so the limit buys search time.
    The calls go through the same code paths as the solvers, so the argument types (the
    problem's arrays are read-only) match and no second specialisation is compiled later.
    """
    global _READY
    if _READY:
        return
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
        0, p.values, p.pk, p.allowed, p.rounds, p.cost_vector() + lam, np.zeros(2),
        p.target_cap(), 1.0, 1.0, 1000, 10, 2,
    )  # fmt: skip
    _READY = True
