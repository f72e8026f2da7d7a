"""Matching-based construction: layers of linear assignment problems.

Each layer gives every weapon that still has rounds (and a free channel or an engaged target)
at most one more round, and every target at most one more round, choosing the round set that
maximises the total marginal gain ``V_j S_j p_ij - c_i`` with
:func:`scipy.optimize.linear_sum_assignment`; survivals are then updated and the next layer
is solved, until no positive gain is left. The same routine re-assigns a subset of weapons
inside the very-large-neighbourhood search (:mod:`airshield.assign.local_search`).
"""

from __future__ import annotations

import time

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import linear_sum_assignment

from airshield.assign.greedy import heuristic_result
from airshield.assign.problem import WTAProblem
from airshield.assign.registry import AssignerFeature, register_solver
from airshield.assign.result import AssignmentResult


def matching_layers(
    problem: WTAProblem,
    x: NDArray[np.int64] | None = None,
    weapons: NDArray[np.int64] | None = None,
    max_layers: int | None = None,
    deadline: float | None = None,
) -> NDArray[np.int64]:
    """Complete ``x`` (default: empty) by assignment layers over ``weapons`` (default: all).

    Returns a new feasible assignment; ``x`` must be feasible. With ``deadline`` (a
    ``time.perf_counter()`` value) no layer starts after it, and none whose predecessor's
    duration would carry it past the deadline.
    """
    p = problem
    x = np.zeros(p.pk.shape, dtype=np.int64) if x is None else x.copy()
    ws = np.arange(p.n_weapons) if weapons is None else np.asarray(weapons, dtype=np.int64)
    cost = p.cost_vector()[ws]
    chan = p.channel_vector()[ws]
    cap = p.target_cap()
    q = 1.0 - p.pk
    surv = p.survival(x)
    allowed = p.allowed[ws]
    pk = p.pk[ws]
    layers = 0
    step_s = 0.0
    while max_layers is None or layers < max_layers:
        if deadline is not None and time.perf_counter() + step_s >= deadline:
            break
        t_layer = time.perf_counter()
        layers += 1
        sub = x[ws]
        left = p.rounds[ws] - sub.sum(axis=1)
        engaged = sub > 0
        may = allowed & (left > 0)[:, None] & (x.sum(axis=0) < cap)[None, :]
        may &= engaged | ((engaged.sum(axis=1) < chan)[:, None])
        rows = np.nonzero(may.any(axis=1))[0]
        if rows.size == 0:
            break
        gain = p.values[None, :] * surv[None, :] * pk[rows] - cost[rows, None]
        gain = np.where(may[rows] & (gain > 0), gain, 0.0)
        if not gain.any():
            break
        r, c = linear_sum_assignment(gain, maximize=True)
        keep = gain[r, c] > 0
        r, c = r[keep], c[keep]
        if r.size == 0:
            break
        wi = ws[rows[r]]
        x[wi, c] += 1
        surv[c] *= q[wi, c]
        step_s = time.perf_counter() - t_layer
    return x


@register_solver(
    "matching",
    {
        AssignerFeature.MULTI_SHOT,
        AssignerFeature.SIDE_CONSTRAINTS,
        AssignerFeature.DETERMINISTIC,
        AssignerFeature.WARM_START,
    },
    "Layers of linear assignment problems (scipy linear_sum_assignment), one round per weapon "
    "and target per layer.",
    rank=60,
)
def solve_matching(
    problem: WTAProblem,
    time_limit_s: float | None = None,
    seed: int | None = None,
    warm_start: NDArray[np.int64] | None = None,
) -> AssignmentResult:
    """Registry entry of the matching-based construction (completes ``warm_start`` if given)."""
    t0 = time.perf_counter()
    x0 = None if warm_start is None else problem.feasible_start(warm_start)
    return heuristic_result(problem, matching_layers(problem, x0), "matching", t0)
