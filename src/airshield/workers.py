"""The one ``workers`` rule of every command and entry point.

``workers`` is the number of worker processes: ``1`` (the default everywhere) runs in this
process, ``n > 1`` runs ``n`` processes, ``0`` (or ``None``) means one per CPU available to this
process. Results never depend on it: replication ``i`` of any run uses child ``i`` of
``numpy.random.SeedSequence(seed)``, whichever process runs it.
"""

from __future__ import annotations

import os

#: the default of every ``--workers`` option and ``workers=`` argument
DEFAULT_WORKERS = 1
#: the value that asks for one worker per available CPU
ALL_CPUS = 0


def available_cpus() -> int:
    """CPUs this process may run on (its affinity mask where the OS has one)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - non-Linux
        return max(1, os.cpu_count() or 1)


def resolve_workers(workers: int | None) -> int:
    """Worker processes to start for ``workers`` (see the module docstring)."""
    if workers is None or workers == ALL_CPUS:
        return available_cpus()
    if workers < 0:
        raise ValueError(f"workers must be >= 0 (0 = all CPUs), got {workers}")
    return int(workers)
