"""Solver registry: names, capability flags and the :func:`solve` entry point."""

from __future__ import annotations

import enum
import importlib
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from airshield.assign.problem import WTAProblem
from airshield.assign.result import AssignmentResult


class AssignerFeature(enum.StrEnum):
    """Capability flags of a registered solver."""

    EXACT = "exact"  #: proves optimality / returns a certified lower bound
    TIME_LIMIT = "time_limit"  #: honours ``time_limit_s``
    WARM_START = "warm_start"  #: accepts an initial assignment
    MULTI_SHOT = "multi_shot"  #: may put several rounds on one target
    SIDE_CONSTRAINTS = "side_constraints"  #: handles channels, masks and per-target caps
    DETERMINISTIC = "deterministic"  #: same answer for any seed


SolverFn = Callable[
    [WTAProblem, "float | None", "int | None", "NDArray[np.int64] | None"], AssignmentResult
]


@dataclass(frozen=True)
class SolverInfo:
    """One registered solver."""

    name: str
    features: frozenset[AssignerFeature]
    description: str
    fn: SolverFn
    #: lower is preferred when the caller asks for the "best available" solver
    rank: int = 100

    def has(self, feature: AssignerFeature) -> bool:
        """True when the solver has ``feature``."""
        return feature in self.features


_REGISTRY: dict[str, SolverInfo] = {}


def register_solver(
    name: str,
    features: set[AssignerFeature] | frozenset[AssignerFeature],
    description: str,
    rank: int = 100,
) -> Callable[[SolverFn], SolverFn]:
    """Decorator adding a solver function ``fn(problem, time_limit_s, seed, warm_start)``."""

    def deco(fn: SolverFn) -> SolverFn:
        _REGISTRY[name] = SolverInfo(name, frozenset(features), description, fn, rank)
        return fn

    return deco


#: Modules whose import registers the built-in solvers.
_BUILTIN_MODULES: tuple[str, ...] = (
    "airshield.assign.greedy",
    "airshield.assign.matching",
    "airshield.assign.local_search",
    "airshield.assign.exact",
)


def _load_builtin() -> None:
    for mod in _BUILTIN_MODULES:
        importlib.import_module(mod)


def available_assigners() -> dict[str, SolverInfo]:
    """All registered solvers by name, best-available first."""
    _load_builtin()
    return dict(sorted(_REGISTRY.items(), key=lambda kv: (kv[1].rank, kv[0])))


def best_solver() -> str:
    """Name of the solver used when none is requested."""
    return next(iter(available_assigners()))


def solve(
    problem: WTAProblem,
    solver: str | None = "greedy",
    time_limit_s: float | None = None,
    seed: int | None = None,
    warm_start: NDArray[np.int64] | None = None,
) -> AssignmentResult:
    """Solve ``problem`` with the named solver (``None``: the best available one).

    ``time_limit_s`` bounds the wall time of solvers with the ``TIME_LIMIT`` feature (``None``
    lets each use its own default); ``seed`` makes randomised solvers reproducible.
    """
    registry = available_assigners()
    name = best_solver() if solver is None else solver
    if name not in registry:
        raise KeyError(f"unknown WTA solver {name!r}; available: {', '.join(registry)}")
    if time_limit_s is not None and not time_limit_s > 0:
        raise ValueError("time_limit_s must be > 0")
    t0 = time.perf_counter()
    res = registry[name].fn(problem, time_limit_s, seed, warm_start)
    if res.runtime_s <= 0.0:
        object.__setattr__(res, "runtime_s", time.perf_counter() - t0)
    return res
