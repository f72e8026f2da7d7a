"""The one result type every WTA solver returns."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

#: A time-limited loop starts an iteration only when this many times the last iteration's
#: duration is left before its deadline (iterations vary in length, and a time limit is a
#: contract: ``runtime_s`` stays within 5 % of it).
STEP_MARGIN = 2.0


class SolveStatus(enum.StrEnum):
    """How trustworthy the returned assignment is (every status but ``ERROR`` comes with a
    feasible assignment; ``bound`` and ``gap`` say how far from optimal it can be)."""

    OPTIMAL = "optimal"  #: proven optimal (within the solver's gap tolerance)
    #: the time limit stopped the search before a proof: the best feasible assignment found so
    #: far, with the bound and gap reached (``bound`` is ``None`` if none was computed yet)
    TIME_LIMIT = "time_limit"
    FEASIBLE = "feasible"  #: feasible, optimality not proven (a heuristic that ran to its end)
    ERROR = "error"  #: the solver failed; the assignment is the empty one


class TerminationCondition(enum.StrEnum):
    """Why the solver stopped."""

    OPTIMAL = "optimal"  #: proved optimality
    COMPLETED = "completed"  #: a heuristic ran to its natural end
    TIME_LIMIT = "time_limit"  #: stopped by the time limit
    ERROR = "error"


@dataclass(frozen=True, eq=False)
class AssignmentResult:
    """Assignment plus objective, certified lower bound, gap, status and timing.

    ``objective`` is always recomputed from ``assignment`` with
    :meth:`airshield.assign.WTAProblem.objective`. ``bound`` is a proven lower bound on the optimum
    (``None`` for heuristics); ``gap = (objective - bound) / max(|objective|, tiny)``.
    """

    assignment: NDArray[np.int64]
    objective: float
    bound: float | None
    gap: float | None
    status: SolveStatus
    termination: TerminationCondition
    runtime_s: float
    solver: str
    info: dict[str, Any] = field(default_factory=dict)

    def triples(self) -> list[tuple[int, int, int]]:
        """``[(weapon, target, rounds), ...]`` for every pair with rounds > 0, sorted."""
        rows, cols = np.nonzero(self.assignment)
        return sorted(
            (int(i), int(j), int(self.assignment[i, j]))
            for i, j in zip(rows.tolist(), cols.tolist(), strict=True)
        )

    @property
    def rounds_fired(self) -> int:
        """Total rounds in the assignment."""
        return int(self.assignment.sum())

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (the ``airshield wta --json`` shape plus status fields)."""
        return {
            "objective": self.objective,
            "bound": self.bound,
            "gap": self.gap,
            "status": str(self.status),
            "termination": str(self.termination),
            "solver": self.solver,
            "runtime_s": self.runtime_s,
            "assignment": [list(t) for t in self.triples()],
        }


def relative_gap(objective: float, bound: float | None) -> float | None:
    """``(objective - bound) / |objective|`` clipped at 0; ``None`` without a bound."""
    if bound is None:
        return None
    diff = objective - bound
    if diff <= 0.0:
        return 0.0
    denom = abs(objective)
    if denom < 1e-12:  # objective ~ 0: judge the absolute difference
        return 0.0 if diff <= 1e-12 else float("inf")
    return diff / denom
