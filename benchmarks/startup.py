"""Start-up cost of the ``airshield`` command: CPU time of whole processes.

    python benchmarks/startup.py [--repeats 7]

Runs ``airshield --help``, ``airshield validate examples/kyiv-2025-07-04.yaml`` and
``airshield catalog`` as fresh processes (``python -m airshield``, so the same interpreter and
environment) ``--repeats`` times each and prints the CPU time (user + system of the child,
``resource.getrusage``) and the wall time: min / median / max. The target (issue 14) is under
0.5 s of CPU for ``--help`` and ``validate``. The load average is printed alongside: on a
shared machine CPU time grows with contention (caches, frequency), so compare medians taken
under similar load. A structural check that no heavy module is imported lives in
``tests/test_startup.py``.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = {
    "--help": ["--help"],
    "validate": ["validate", str(ROOT / "examples" / "kyiv-2025-07-04.yaml")],
    "catalog": ["catalog"],
}


def measure(args: list[str], repeats: int) -> tuple[list[float], list[float]]:
    cpu, wall = [], []
    for _ in range(repeats):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        res = subprocess.run(
            [sys.executable, "-m", "airshield", *args], capture_output=True, check=False
        )
        wall.append(time.perf_counter() - t0)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if res.returncode != 0:
            raise SystemExit(f"airshield {' '.join(args)} failed: {res.stderr.decode()[-400:]}")
        cpu.append((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
    return cpu, wall


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=7)
    args = ap.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load {os.getloadavg()}")
    print(f"{'command':<10} {'CPU s min / median / max':>28} {'wall s median':>14}")
    for name, argv in COMMANDS.items():
        cpu, wall = measure(argv, args.repeats)
        print(
            f"{name:<10} {min(cpu):8.3f} / {statistics.median(cpu):6.3f} / {max(cpu):6.3f}"
            f"   {statistics.median(wall):12.3f}"
        )
    print(f"load after: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
