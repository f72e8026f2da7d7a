"""Greedy maximum-marginal-return (MMR) assignment, one round at a time (numba kernel)."""

from __future__ import annotations

import time

import numpy as np
from numpy.typing import NDArray

from airshield.assign.problem import WTAProblem
from airshield.assign.registry import AssignerFeature, register_solver
from airshield.assign.result import AssignmentResult, SolveStatus, TerminationCondition
from airshield.kernels.wta import greedy_mmr


def greedy_assignment(problem: WTAProblem) -> NDArray[np.int64]:
    """The greedy MMR assignment of ``problem`` as a ``(W, T)`` int array.

    Repeatedly adds the round with the largest gain ``V_j * S_j * p_ij - c_i`` while it is
    strictly positive; ties go to the smallest target, then the smallest weapon.
    """
    return np.asarray(greedy_mmr(*problem.kernel_arrays()))


def heuristic_result(
    problem: WTAProblem,
    x: NDArray[np.int64],
    solver: str,
    t0: float,
    termination: TerminationCondition = TerminationCondition.COMPLETED,
    **info: object,
) -> AssignmentResult:
    """Wrap a heuristic's assignment in an :class:`AssignmentResult` (no bound)."""
    x = np.ascontiguousarray(x, dtype=np.int64)
    return AssignmentResult(
        assignment=x,
        objective=problem.objective(x),
        bound=None,
        gap=None,
        status=SolveStatus.FEASIBLE,
        termination=termination,
        runtime_s=time.perf_counter() - t0,
        solver=solver,
        info=dict(info),
    )


@register_solver(
    "greedy",
    {
        AssignerFeature.MULTI_SHOT,
        AssignerFeature.SIDE_CONSTRAINTS,
        AssignerFeature.DETERMINISTIC,
    },
    "Greedy maximum marginal return, one round at a time (numba); milliseconds.",
    rank=50,
)
def solve_greedy(
    problem: WTAProblem,
    time_limit_s: float | None = None,
    seed: int | None = None,
    warm_start: NDArray[np.int64] | None = None,
) -> AssignmentResult:
    """Registry entry of the greedy MMR solver (ignores time limit, seed and warm start)."""
    t0 = time.perf_counter()
    return heuristic_result(problem, greedy_assignment(problem), "greedy", t0)
