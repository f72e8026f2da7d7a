"""Sweep throughput: cells per second for the reference raid at 100 replications a cell, and the
speed-up from 1 to 2 (or more) workers.

    python benchmarks/sweep.py                      # 24 cells, serial + processes with 1 and 2
    python benchmarks/sweep.py --cells 48 --workers 1,2,4 --dask --json out/bench-sweep.json

Each configuration runs the same sweep into a fresh directory (wall time of ``run_sweep``,
including the start of worker processes); the outputs of every configuration are checked to be
the same bytes. Numba's cache is warmed first, so no configuration pays for compilation.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import tempfile
import time
from pathlib import Path

SPEC = """\
name: bench-{scenario}
base: {{kind: raid, scenario: {scenario}}}
reps: {reps}
seed: 1
parameters:
  - kind: grid
    path: doctrine.cost_threshold
    start: 0.05
    stop: 2.0
    num: {cells}
    log: true
outputs: [replications]
"""


def part_bytes(out: Path) -> dict[str, bytes]:
    files = sorted((out / "parts").glob("*/part-*.parquet"))
    return {str(f.relative_to(out)): f.read_bytes() for f in files}


def main() -> None:
    from airshield.examples import DEFAULT_SCENARIO, list_examples
    from airshield.sweep import load_plan, run_sweep

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scenario", default=None, help="bundled example (default: reference raid)")
    ap.add_argument("--cells", type=int, default=24)
    ap.add_argument("--reps", type=int, default=100)
    ap.add_argument("--workers", default="1,2", help="process worker counts, e.g. 1,2,4")
    ap.add_argument("--dask", action="store_true", help="also a local Dask cluster (threads)")
    ap.add_argument("--json", type=Path, default=None, help="write the figures here")
    args = ap.parse_args()
    scenario = args.scenario or (
        DEFAULT_SCENARIO if DEFAULT_SCENARIO in list_examples() else "one-battery"
    )
    tmp = Path(tempfile.mkdtemp(prefix="airshield-bench-sweep-"))
    spec = tmp / "spec.yaml"
    spec.write_text(SPEC.format(scenario=scenario, reps=args.reps, cells=args.cells))
    plan = load_plan(spec)

    # warm numba's on-disk cache (and this process) with one small sweep
    run_sweep(load_plan(spec), tmp / "warm", backend="serial", workers=1)

    configs: list[tuple[str, str, int]] = [("serial", "serial", 1)]
    configs += [(f"processes x{w}", "processes", w) for w in map(int, args.workers.split(","))]
    if args.dask:
        configs += [(f"dask threads x{w}", "dask", w) for w in (1, 2)]
    rows = []
    reference: dict[str, bytes] | None = None
    for label, backend, workers in configs:
        out = tmp / label.replace(" ", "-")
        started = time.perf_counter()
        run = run_sweep(plan, out, backend=backend, workers=workers, dask_processes=False)
        wall = time.perf_counter() - started
        got = part_bytes(out)
        if reference is None:
            reference = got
        same = got == reference
        rows.append(
            {
                "config": label,
                "backend": backend,
                "workers": run.workers,
                "cells": run.cells_run,
                "wall_s": round(wall, 3),
                "cells_per_s": round(run.cells_run / wall, 3),
                "same_bytes_as_serial": same,
            }
        )
        print(f"{label:>18}: {run.cells_run} cells in {wall:6.2f} s = "
              f"{run.cells_run / wall:6.2f} cells/s  (same bytes: {same})")  # fmt: skip
    by = {r["config"]: r for r in rows}
    speedup = None
    if "processes x1" in by and "processes x2" in by:
        speedup = by["processes x2"]["cells_per_s"] / by["processes x1"]["cells_per_s"]
        print(f"speed-up 1 -> 2 worker processes: {speedup:.2f}x")
    result = {
        "scenario": scenario,
        "reps_per_cell": args.reps,
        "cells": plan.n_cells,
        "cpus": len(os.sched_getaffinity(0))
        if hasattr(os, "sched_getaffinity")
        else os.cpu_count(),
        "load_avg": os.getloadavg() if hasattr(os, "getloadavg") else None,
        "python": platform.python_version(),
        "results": rows,
        "speedup_1_to_2_processes": speedup,
    }
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=1))
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
