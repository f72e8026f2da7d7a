"""Weapon-target assignment (WTA): problem model, solvers behind one interface, one result type.

>>> import numpy as np
>>> from airshield.assign import WTAProblem, solve
>>> p = WTAProblem(values=np.array([10.0, 5.0]), pk=np.array([[0.8, 0.5]]), rounds=np.array([1]))
>>> solve(p, solver="greedy").triples()
[(0, 0, 1)]
"""

from __future__ import annotations

from airshield.assign.problem import WTAProblem
from airshield.assign.registry import (
    AssignerFeature,
    SolverInfo,
    available_assigners,
    best_solver,
    solve,
)
from airshield.assign.result import AssignmentResult, SolveStatus, TerminationCondition

__all__ = [
    "AssignerFeature",
    "AssignmentResult",
    "SolveStatus",
    "SolverInfo",
    "TerminationCondition",
    "WTAProblem",
    "available_assigners",
    "best_solver",
    "solve",
]
