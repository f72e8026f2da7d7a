"""Solver names, known without importing the solvers (numba, scipy, HiGHS) or numpy.

``airshield validate`` checks a scenario's ``doctrine.assigner`` against :func:`solver_names`;
``tests/test_startup.py`` keeps :data:`BUILTIN_SOLVER_NAMES` equal to what the built-in modules
register.
"""

from __future__ import annotations

import sys

#: the solvers that :mod:`airshield.assign.registry` registers from its built-in modules
BUILTIN_SOLVER_NAMES: tuple[str, ...] = ("greedy", "matching", "local_search", "vlns", "exact")


def solver_names() -> set[str]:
    """Every solver name a scenario may ask for: the built-in ones and any registered in this
    process (the registry is consulted only where it is already loaded)."""
    names = set(BUILTIN_SOLVER_NAMES)
    registry = sys.modules.get("airshield.assign.registry")
    if registry is not None:
        names |= set(registry._REGISTRY)
    return names
