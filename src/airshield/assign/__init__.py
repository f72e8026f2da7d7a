"""Weapon-target assignment (WTA): problem model, solvers behind one interface, one result type.

>>> import numpy as np
>>> from airshield.assign import WTAProblem, solve
>>> p = WTAProblem(values=np.array([10.0, 5.0]), pk=np.array([[0.8, 0.5]]), rounds=np.array([1]))
>>> solve(p, solver="greedy").triples()
[(0, 0, 1)]
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

# the public names load on first use (PEP 562), so importing a submodule such as
# ``airshield.assign.names`` costs nothing (no numpy)
_WHERE = {
    "WTAProblem": "airshield.assign.problem",
    "AssignerFeature": "airshield.assign.registry",
    "SolverInfo": "airshield.assign.registry",
    "available_assigners": "airshield.assign.registry",
    "best_solver": "airshield.assign.registry",
    "solve": "airshield.assign.registry",
    "AssignmentResult": "airshield.assign.result",
    "SolveStatus": "airshield.assign.result",
    "TerminationCondition": "airshield.assign.result",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'airshield.assign' has no attribute {name!r}")
