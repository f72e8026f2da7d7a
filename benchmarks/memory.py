"""Peak memory of the raid path: what a worker process holds, stage by stage.

    python benchmarks/memory.py [--reps 1000] [--workers 2]

Part 1 runs a fresh interpreter that imports numpy, numba, the raid engine, loads the reference
raid (``examples/kyiv-2025-07-04.yaml``), runs one replication (loading the kernels from numba's
cache) and then 200 more, and prints its resident memory (current ``VmRSS`` and the peak
``ru_maxrss``) after each stage, and which heavy libraries it has imported. Part 2 runs
``airshield demo --reps R --workers W`` in a fresh process and prints the peak resident memory
of its largest process (the demo itself or one of its worker processes: ``ru_maxrss`` of the
children waited for), with wall and CPU time. Run ``airshield warmup`` first: on an empty cache
part 2 also counts the child process that compiles the kernels (a one-time, LLVM-sized peak).
The target (issue 14) is under 300 MiB per worker.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

STAGES = """
import json, resource, sys
def rss():
    with open("/proc/self/status") as f:
        cur = next(int(x.split()[1]) for x in f if x.startswith("VmRSS"))
    return cur / 1024, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
out = [("interpreter", *rss())]
import numpy
out.append(("import numpy", *rss()))
import numba
out.append(("import numba", *rss()))
import airshield
from airshield.raid import simulate
out.append(("import airshield.raid", *rss()))
sc = airshield.load_scenario(sys.argv[1])
out.append(("load the reference raid", *rss()))
simulate(sc, reps=1, seed=1)
out.append(("1 replication (kernels loaded)", *rss()))
simulate(sc, reps=200, seed=1)
out.append(("200 more replications", *rss()))
heavy = ("pandas", "pyarrow", "scipy", "highspy", "duckdb", "plotly", "xarray")
print(json.dumps([out, [m for m in heavy if m in sys.modules]]))
"""

PEAK = """
import json, resource, subprocess, sys, time
t0 = time.perf_counter()
r = subprocess.run(sys.argv[1:], capture_output=True, text=True)
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps([r.returncode, time.perf_counter() - t0, ru.ru_utime + ru.ru_stime,
                  ru.ru_maxrss / 1024, r.stderr[-2000:]]))
"""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=1000)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    print(f"load {os.getloadavg()}")
    res = subprocess.run(
        [sys.executable, "-c", STAGES, str(ROOT / "examples" / "kyiv-2025-07-04.yaml")],
        capture_output=True,
        text=True,
        check=True,
    )
    stages, heavy = json.loads(res.stdout)
    print(f"{'stage':<34} {'RSS MiB':>8} {'peak MiB':>9}")
    for name, cur, peak in stages:
        print(f"{name:<34} {cur:8.0f} {peak:9.0f}")
    print(f"heavy libraries imported: {', '.join(heavy) or 'none'}")
    demo = ["demo", "--reps", str(args.reps), "--workers", str(args.workers)]
    res = subprocess.run(
        [sys.executable, "-c", PEAK, sys.executable, "-m", "airshield", *demo],
        capture_output=True,
        text=True,
        check=True,
    )
    rc, wall, cpu, rss, err = json.loads(res.stdout)
    if rc != 0:
        raise SystemExit(f"airshield {' '.join(demo)} failed: {err[-400:]}")
    compiled = "compiled" in err
    print(
        f"airshield {' '.join(demo)}: peak RSS of its largest process {rss:.0f} MiB, "
        f"wall {wall:.2f} s, CPU {cpu:.2f} s"
        + (
            " (this run compiled the kernels: the peak is the compiling child's)"
            if compiled
            else ""
        )
    )
    print(f"load after {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
