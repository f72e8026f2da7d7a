"""Procurement optimiser benchmark: time to solve the 6-option, 12-month example including the
detailed-mode confirmation, with one and with two workers, the surrogate fitted cold and cached,
and the improvement of the best mix over the status quo and over a proportional split of the
same budget, in the same run.

    python benchmarks/procure.py [--spec examples/procure-2026.yaml] [--reps 200]
                                 [--confirm-reps 8] [--workers 1 2] [--repeats 2] [--seed 1]
                                 [--json OUT]

For each worker count: one run with an empty surrogate cache (cold: the fit is part of the
time), then ``--repeats`` runs with the surrogate on disk (cached; the in-memory copy is dropped
before each run, as in a new process). ``--workers 2`` runs the fast-mode evaluations through
local worker processes (the command line's default backend for more than one worker), the
surrogate's design runs and the detailed cells in two processes. Reported per run: wall time and
CPU time (``time.process_time`` of this process plus the CPU of every descendant process, read
by a monitor process that samples them with psutil every 0.2 s: pool workers started by a fork
server are not our children, so ``getrusage`` would miss them); medians per configuration. The
development machine is shared (2 cores, several sessions at once): the load average is printed
with every run, and wall times are an upper bound of what two idle cores do.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

#: the monitor: samples the CPU time of every descendant of a process until SIGTERM, then prints
#: the sum of each descendant's last reading (seconds)
MONITOR = r"""
import signal, sys, time, psutil
root = psutil.Process(int(sys.argv[1])); me = psutil.Process().pid; seen = {}
stop = []
signal.signal(signal.SIGTERM, lambda *a: stop.append(1))
while not stop:
    try:
        kids = root.children(recursive=True)
    except psutil.Error:
        break
    for k in kids:
        if k.pid == me:
            continue
        try:
            t = k.cpu_times()
            seen[(k.pid, k.create_time())] = t.user + t.system
        except psutil.Error:
            pass
    time.sleep(0.2)
print(sum(seen.values()), flush=True)
"""


class CpuMeter:
    """CPU seconds of this process and all its descendants between ``start`` and ``stop``."""

    def start(self) -> None:
        self.own = time.process_time()
        self.mon = subprocess.Popen([sys.executable, "-c", MONITOR, str(os.getpid())],
                                    stdout=subprocess.PIPE, text=True)  # fmt: skip
        time.sleep(0.3)  # the monitor is up before the work starts

    def stop(self) -> float:
        own = time.process_time() - self.own
        self.mon.send_signal(signal.SIGTERM)
        out, _ = self.mon.communicate(timeout=30)
        return own + float(out.strip() or 0.0)


def _detailed_vs(s: dict[str, Any], label: str) -> dict[str, Any] | None:
    """The chosen mix against a screened mix in detailed mode (the screen's paired interval)."""
    rows = (s.get("confirmed") or {}).get("screen", [])
    row = next((r for r in rows if r["candidate"] == label and not r["selected"]), None)
    if row is None:
        return None
    v = row["vs_selected"]  # screened - chosen
    return {"mean": -v["mean"], "ci_low": -v["ci_high"], "ci_high": -v["ci_low"],
            "level": v["level"]}  # fmt: skip


def one_run(loaded: Any, args: argparse.Namespace, workers: int, k: int) -> dict[str, Any]:
    from airshield.campaign.surrogate.cache import clear_memory
    from airshield.plan.fanout import Evaluator
    from airshield.plan.procure import optimise, paired

    clear_memory()
    load0 = os.getloadavg()[0]
    meter = CpuMeter()
    meter.start()
    w0 = time.perf_counter()
    ev = Evaluator("processes" if workers > 1 else "inline", workers)
    try:
        res = optimise(
            loaded, reps=args.reps, seed=args.seed, confirm_reps=args.confirm_reps,
            workers=workers, keep_results=False, evaluator=ev,
        )  # fmt: skip
    finally:
        ev.close()
    wall = time.perf_counter() - w0
    cpu = meter.stop()
    s = res.summary()
    assert res.best is not None and res.status_quo is not None and res.proportional is not None
    r = {
        "run": k, "workers": workers, "wall_s": wall, "cpu_s": cpu,
        "load_average": [load0, os.getloadavg()[0]],
        "stages_s": s["stages_s"],
        "surrogate_cached": bool(s["info"]["surrogate"]["cached"]),
        "decisions": s["info"]["decisions"],
        "fast_jobs": s["info"]["fast_backend"]["jobs"],
        "memo_hits": s["info"]["fast_backend"]["memo_hits"],
        "status_quo": s["status_quo"]["objective"],
        "proportional": s["proportional"]["objective"],
        "best": s["best"]["objective"],
        "best_cost_usd": s["best"]["cost_usd"],
        "proportional_cost_usd": s["proportional"]["cost_usd"],
        "vs_status_quo": paired(res.best.per_rep, res.status_quo.per_rep, "fast"),
        "vs_proportional": paired(res.best.per_rep, res.proportional.per_rep, "fast"),
        "confirmed": s["confirmed"]["difference"] if s["confirmed"] else None,
        "detailed_cells": (s["confirmed"] or {}).get("cells"),
        "screen": (s["confirmed"] or {}).get("screen", []),
        "selected": (s["confirmed"] or {}).get("selected"),
        "detailed_vs_proportional": _detailed_vs(s, "proportional"),
        "pareto_points": len(s["pareto"]),
        "warnings": s["warnings"],
        "best_mix": {m["option"]: m["units"] for m in s["best"]["mix"]},
        "best_constraints": s["best"]["constraints"],
    }  # fmt: skip
    print(f"  workers {workers}, {'cached' if r['surrogate_cached'] else 'cold'}: wall "
          f"{wall:.1f} s, CPU {cpu:.1f} s (load average {load0:.1f} -> "
          f"{r['load_average'][1]:.1f}); stages (wall, cumulative) {r['stages_s']}",
          flush=True)  # fmt: skip
    return r


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--spec", default=str(EXAMPLES / "procure-2026.yaml"))
    ap.add_argument("--reps", type=int, default=200)
    ap.add_argument("--confirm-reps", type=int, default=8)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--repeats", type=int, default=2, help="cached runs per worker count")
    ap.add_argument("--no-cold", action="store_true", help="skip the cold runs")
    ap.add_argument("--cache-dir", default=None,
                    help="surrogate cache folder to use (default: a new empty one per worker count)")  # fmt: skip
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", default=None)
    args = ap.parse_args(argv)

    from airshield.plan.procure_models import load_procurement

    loaded = load_procurement(args.spec)
    runs: list[dict[str, Any]] = []
    print(f"{Path(args.spec).name}: reps {args.reps}, confirmation {args.confirm_reps} detailed "
          f"reps, workers {args.workers}, {args.repeats} cached run(s) each", flush=True)  # fmt: skip
    for w in args.workers:
        os.environ["AIRSHIELD_CACHE_DIR"] = args.cache_dir or tempfile.mkdtemp(
            prefix="airshield-bench-"
        )
        print(f"  surrogate cache: {os.environ['AIRSHIELD_CACHE_DIR']}", flush=True)
        if not args.no_cold:
            runs.append(one_run(loaded, args, w, len(runs)))
        for _ in range(args.repeats):
            runs.append(one_run(loaded, args, w, len(runs)))
    table = []
    for w in args.workers:
        for cached in (False, True):
            sel = [r for r in runs if r["workers"] == w and r["surrogate_cached"] == cached]
            if sel:
                table.append({
                    "workers": w, "surrogate": "cached" if cached else "cold", "runs": len(sel),
                    "cpu_s_median": statistics.median(r["cpu_s"] for r in sel),
                    "wall_s_median": statistics.median(r["wall_s"] for r in sel),
                    "load_average": [r["load_average"] for r in sel],
                })  # fmt: skip
    r0 = runs[-1]
    print(f"\n{r0['decisions']} order decisions; median per configuration:")
    print("  workers  surrogate  runs   CPU (s)   wall (s)   load average (start -> end)")
    for t in table:
        loads = ", ".join(f"{a:.1f}->{b:.1f}" for a, b in t["load_average"])
        print(f"  {t['workers']:7d}  {t['surrogate']:9s}  {t['runs']:4d}  "
              f"{t['cpu_s_median']:8.1f}  {t['wall_s_median']:9.1f}   {loads}")  # fmt: skip
    same = all(r["best_mix"] == r0["best_mix"] and r["best"] == r0["best"] for r in runs)
    print(f"  same answer in every run (any workers, cold or cached): {same}")
    for label in ("status_quo", "proportional", "best"):
        b = r0[label]
        print(f"  {label:12s} {b['mean']:10,.1f} [{b['p5']:,.1f}-{b['p95']:,.1f}] (fast mode)")
    for label in ("vs_status_quo", "vs_proportional"):
        d = r0[label]
        print(f"  best {label}: {d['mean']:+,.1f} [{d['ci_low']:+,.1f}, {d['ci_high']:+,.1f}] "
              "(fast mode, paired 95 %)")  # fmt: skip
    if r0["confirmed"]:
        d = r0["confirmed"]
        print(
            f"  confirmed (detailed, {r0['detailed_cells']} cells): best - status quo "
            f"{d['mean']:+,.1f} [{d['ci_low']:+,.1f}, {d['ci_high']:+,.1f}]; selected in detailed "
            f"mode: {r0['selected']}"
        )
        v = r0["detailed_vs_proportional"]
        if v:
            print(f"  detailed: best - proportional {v['mean']:+,.1f} "
                  f"[{v['ci_low']:+,.1f}, {v['ci_high']:+,.1f}] (Bonferroni level {v['level']:.3f})")  # fmt: skip
        for row in r0["screen"]:
            cons = "; ".join(
                f"{c['pool']} {c['kind']}: fast {c['fast']['achieved']:.3g} / detailed "
                f"{c['detailed']['achieved']:.3g}{'' if c['detailed']['met'] else ' (violated)'}"
                for c in row.get("constraints", [])
            )
            print(f"    screen {row['candidate']:16s} ${row['cost_usd'] / 1e9:5.2f}B  fast "
                  f"{row['fast']['mean']:10,.1f}  detailed {row['detailed']['mean']:10,.1f}  "
                  f"ranks {row['fast_rank']}/{row['detailed_rank']}"
                  f"{'  chosen' if row['selected'] else ('  retained' if row['retained'] else '')}"
                  f"  [{cons}]")  # fmt: skip
    print(f"  best mix {r0['best_mix']} (${r0['best_cost_usd'] / 1e9:.2f}B); "
          f"Pareto points {r0['pareto_points']}")  # fmt: skip
    for w_ in r0["warnings"]:
        print(f"  warning: {w_}")
    if args.json:
        out = {
            "machine": {"python": sys.version.split()[0], "platform": platform.platform(),
                        "cpus": os.cpu_count(), "note": "shared development machine, loaded"},
            "spec": args.spec, "reps": args.reps, "confirm_reps": args.confirm_reps,
            "table": table, "runs": runs,
        }  # fmt: skip
        Path(args.json).write_text(json.dumps(out, indent=2, default=str) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
