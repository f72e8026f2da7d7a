"""Import time of the public daily-attack record (the whole training CSV): must be under 1 s.

    python benchmarks/history_import.py [CSV] [--runs 7] [--json]

CSV defaults to ``../shared/data/attacks/missile_attacks_daily.csv`` next to the repository (or
``$AIRSHIELD_ATTACKS_CSV``). The data set is CC BY-NC-SA 4.0 and is read in place, never copied.
The first import (module imports, pandas warm-up) is reported apart; the figure that counts is
the median CPU time (``time.process_time``) of the following runs, since wall time on a shared
machine measures the other jobs too (both are printed). Exit status 1 if that median is 1 s or
more.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

DEFAULT = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "data"
    / "attacks"
    / "missile_attacks_daily.csv"
)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("csv", nargs="?", default=os.environ.get("AIRSHIELD_ATTACKS_CSV", str(DEFAULT)))
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    path = Path(args.csv)
    if not path.exists():
        print(f"{path}: file not found (give the daily-attack CSV as an argument)", file=sys.stderr)
        return 2

    t0 = time.perf_counter()
    from airshield.history.importer import read_daily_csv

    res = read_daily_csv(path)
    first = time.perf_counter() - t0
    times = []
    cpu = []
    for _ in range(args.runs):
        t = time.perf_counter()
        c = time.process_time()
        res = read_daily_csv(path)
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    med = statistics.median(times)
    cpu_med = statistics.median(cpu)
    out = {
        "file": str(path),
        "rows_in": res.rows_in,
        "rows_out": len(res.frame),
        "nights": res.nights,
        "first_import_s": round(first, 3),
        "median_s": round(med, 3),
        "min_s": round(min(times), 3),
        "max_s": round(max(times), 3),
        "cpu_median_s": round(cpu_med, 3),
        "runs": args.runs,
        "under_1s": cpu_med < 1.0,
    }
    if args.json:
        print(json.dumps(out, indent=2))
    else:
        print(f"{out['rows_in']} rows -> {out['rows_out']} tidy rows, {out['nights']} nights")
        print(f"first import (with module imports): {first:.3f} s")
        print(
            f"import of the whole CSV: median {med:.3f} s, min {min(times):.3f} s, "
            f"max {max(times):.3f} s over {args.runs} runs (wall)"
        )
        print(
            f"CPU time (process_time): median {cpu_med:.3f} s -> "
            + ("OK (< 1 s)" if cpu_med < 1.0 else "TOO SLOW (>= 1 s)")
        )
    return 0 if cpu_med < 1.0 else 1


if __name__ == "__main__":
    sys.exit(main())
