"""Fuzz suite settings: a fixed hypothesis profile (derandomised, so CI runs the same cases every
time; no example database) and the tallies printed at the end of the session."""

from __future__ import annotations

import os
from typing import Any

from hypothesis import HealthCheck, settings
from tests.fuzz.harness import TALLY, write_report

settings.register_profile(
    "fuzz",
    derandomize=os.environ.get("AIRSHIELD_FUZZ_RANDOM") != "1",
    database=None,
    deadline=None,  # the harness has its own per-case time limit
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)

#: examples per format, scaled by $AIRSHIELD_FUZZ_SCALE (default 1: a few thousand in total)
SCALE = float(os.environ.get("AIRSHIELD_FUZZ_SCALE", "1"))


def n(examples: int) -> int:
    return max(1, int(examples * SCALE))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not TALLY:
        return
    doc = write_report()
    tr = terminalreporter
    tr.write_sep("-", "fuzz tallies")
    for fmt, t in sorted(TALLY.items()):
        tr.write_line(
            f"{fmt:18s} cases {t['cases']:5d}  valid {t['valid']:5d}  clean errors "
            f"{t['clean']:5d}  hangs {t['hang']}  memory {t['memory']}  crashes {t['crash']}  "
            f"slowest {t['max_case_s']:.2f} s"
        )
    tot = doc["total"]
    tr.write_line(
        f"{'total':18s} cases {tot['cases']:5d}  valid {tot['valid']:5d}  clean errors "
        f"{tot['clean']:5d}  hangs {tot['hang']}  memory {tot['memory']}  crashes {tot['crash']}"
    )
