"""The fuzz harness: run one generated case through a real command in-process, classify what
happened, and fail on anything but a clean outcome.

A case is *valid* (exit status 0, or the function returned), a *clean error* (exit status 2
with an error message, a :class:`~airshield.errors.ScenarioError`, or an HTTP 4xx), a *hang*
(over :data:`CASE_TIMEOUT_S`, interrupted by SIGALRM), a *memory* failure (the process's peak
resident memory grew by more than :data:`CASE_MEMORY_MB` in one case) or a *crash* (anything
else: a traceback, exit status 1, HTTP 5xx). Hangs, memory failures and crashes fail the test
with the input that caused them (hypothesis shrinks it). The tallies of every format are
written to ``$AIRSHIELD_FUZZ_REPORT`` (JSON) and printed at the end of the test session.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

#: the longest one case may take (a hang guard; the slowest valid case takes well under 1 s)
CASE_TIMEOUT_S = float(os.environ.get("AIRSHIELD_FUZZ_CASE_TIMEOUT_S", "20"))
#: the most one case may add to the process's peak resident memory
CASE_MEMORY_MB = 512

OUTCOMES = ("valid", "clean", "hang", "memory", "crash")
TALLY: dict[str, dict[str, Any]] = {}


class Hang(Exception):
    """A case ran past its time limit."""


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: KiB


@contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    def fire(signum: int, frame: Any) -> None:
        raise Hang(f"case ran past {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, fire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def record(fmt: str, outcome: str, seconds: float) -> None:
    t = TALLY.setdefault(fmt, {k: 0 for k in OUTCOMES} | {"cases": 0, "max_case_s": 0.0})
    t["cases"] += 1
    t[outcome] += 1
    t["max_case_s"] = max(t["max_case_s"], round(seconds, 3))


def check(fmt: str, case: Callable[[], str], shown: object) -> str:
    """Run ``case`` (which returns ``"valid"`` or ``"clean"``, or raises); record and judge it."""
    before = _peak_mb()
    started = time.perf_counter()
    outcome = "crash"
    try:
        with _alarm(CASE_TIMEOUT_S):
            outcome = case()
        if _peak_mb() - before > CASE_MEMORY_MB:
            outcome = "memory"
            raise AssertionError(f"{fmt}: one case raised peak memory by over {CASE_MEMORY_MB} MB")
        return outcome
    except Hang:
        outcome = "hang"
        raise AssertionError(f"{fmt}: hang (> {CASE_TIMEOUT_S:g} s) on {shown!r:.2000}") from None
    finally:
        record(fmt, outcome, time.perf_counter() - started)


def write_report() -> dict[str, Any]:
    total = {k: sum(int(t[k]) for t in TALLY.values()) for k in ("cases", *OUTCOMES)}
    doc = {"formats": TALLY, "total": total}
    path = os.environ.get("AIRSHIELD_FUZZ_REPORT")
    if path:
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(doc, fh, indent=1, sort_keys=True)
    return doc
