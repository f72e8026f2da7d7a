"""Procurement optimiser benchmark: time to solve the 6-option, 12-month example including the
detailed-mode confirmation, and the improvement of the best mix over the status quo and over a
proportional split of the same budget, in the same run.

    python benchmarks/procure.py [--spec examples/procure-2026.yaml] [--reps 200]
                                 [--confirm-reps 8] [--workers 2] [--repeats 1] [--json OUT]

Reports wall time and CPU time (``time.process_time`` of this process plus its finished
children) per stage, medians over ``--repeats`` runs; the surrogate fit is timed cold (an empty
cache) in the first run and cached after. The development machine is shared (2 cores, several
sessions at once): figures are an upper bound of what an idle machine does.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _cpu() -> float:
    ch = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + ch.ru_utime + ch.ru_stime


def _detailed_vs(s: dict[str, Any], label: str) -> dict[str, Any] | None:
    """The chosen mix against a screened mix in detailed mode (the screen's paired interval)."""
    rows = (s.get("confirmed") or {}).get("screen", [])
    row = next((r for r in rows if r["candidate"] == label and not r["selected"]), None)
    if row is None:
        return None
    v = row["vs_selected"]  # screened - chosen
    return {"mean": -v["mean"], "ci_low": -v["ci_high"], "ci_high": -v["ci_low"],
            "level": v["level"]}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--spec", default=str(EXAMPLES / "procure-2026.yaml"))
    ap.add_argument("--reps", type=int, default=200)
    ap.add_argument("--confirm-reps", type=int, default=8)
    ap.add_argument("--workers", type=int, default=1,
                    help="detailed-confirmation worker processes")  # fmt: skip
    ap.add_argument(
        "--fast-backend",
        default="inline",
        choices=("inline", "serial", "processes"),
        help="where the fast-mode evaluations run (processes: --workers of them)",
    )
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", default=None)
    args = ap.parse_args(argv)
    os.environ.setdefault("AIRSHIELD_CACHE_DIR", tempfile.mkdtemp(prefix="airshield-bench-"))

    from airshield.plan.fanout import Evaluator
    from airshield.plan.procure import optimise, paired
    from airshield.plan.procure_models import load_procurement

    loaded = load_procurement(args.spec)
    runs: list[dict[str, Any]] = []
    for k in range(args.repeats):
        w0, c0 = time.perf_counter(), _cpu()
        ev = Evaluator(args.fast_backend, args.workers)
        res = optimise(
            loaded, reps=args.reps, seed=args.seed, confirm_reps=args.confirm_reps,
            workers=args.workers, keep_results=False, evaluator=ev,
        )  # fmt: skip
        ev.close()
        wall, cpu = time.perf_counter() - w0, _cpu() - c0
        s = res.summary()
        assert res.best is not None and res.status_quo is not None and res.proportional is not None
        runs.append(
            {
                "run": k,
                "wall_s": wall,
                "cpu_s": cpu,
                "stages_s": s["stages_s"],
                "surrogate_cached": bool(s["info"]["surrogate"]["cached"]),
                "decisions": s["info"]["decisions"],
                "status_quo": s["status_quo"]["objective"],
                "proportional": s["proportional"]["objective"],
                "best": s["best"]["objective"],
                "best_cost_usd": s["best"]["cost_usd"],
                "proportional_cost_usd": s["proportional"]["cost_usd"],
                "vs_status_quo": paired(res.best.per_rep, res.status_quo.per_rep, "fast"),
                "vs_proportional": paired(res.best.per_rep, res.proportional.per_rep, "fast"),
                "confirmed": s["confirmed"]["difference"] if s["confirmed"] else None,
                "screen": (s["confirmed"] or {}).get("screen", []),
                "selected": (s["confirmed"] or {}).get("selected"),
                "detailed_vs_proportional": _detailed_vs(s, "proportional"),
                "pareto_points": len(s["pareto"]),
                "warnings": s["warnings"],
                "best_mix": {m["option"]: m["units"] for m in s["best"]["mix"]},
            }
        )
        print(f"  (run {k}: wall {wall:.1f} s, CPU {cpu:.1f} s)", flush=True)
    warm = [r for r in runs if r["surrogate_cached"]] or runs
    out = {
        "machine": {"python": sys.version.split()[0], "platform": platform.platform(),
                    "cpus": os.cpu_count(), "note": "shared development machine, loaded"},
        "spec": args.spec, "reps": args.reps, "confirm_reps": args.confirm_reps,
        "workers": args.workers,
        "wall_s_median": statistics.median(r["wall_s"] for r in warm),
        "cpu_s_median": statistics.median(r["cpu_s"] for r in warm),
        "runs": runs,
    }  # fmt: skip
    r0 = runs[-1]
    print(f"{Path(args.spec).name}: {r0['decisions']} order decisions, reps {args.reps}, "
          f"confirmation {args.confirm_reps} detailed reps, {args.workers} workers")  # fmt: skip
    for r in runs:
        print(f"  run {r['run']}: wall {r['wall_s']:.1f} s, CPU {r['cpu_s']:.1f} s "
              f"(surrogate {'cached' if r['surrogate_cached'] else 'fitted cold'}); "
              f"stages {r['stages_s']}")  # fmt: skip
    print(f"  median over {len(warm)} run(s) with the surrogate "
          f"{'cached' if warm[0]['surrogate_cached'] else 'fitted cold'}: CPU {out['cpu_s_median']:.1f} s, "
          f"wall {out['wall_s_median']:.1f} s (load average {os.getloadavg()[0]:.1f})")  # fmt: skip
    for label in ("status_quo", "proportional", "best"):
        b = r0[label]
        print(f"  {label:12s} {b['mean']:10,.1f} [{b['p5']:,.1f}-{b['p95']:,.1f}]")
    for label in ("vs_status_quo", "vs_proportional"):
        d = r0[label]
        print(f"  best {label}: {d['mean']:+,.1f} [{d['ci_low']:+,.1f}, {d['ci_high']:+,.1f}]")
    if r0["confirmed"]:
        d = r0["confirmed"]
        print(
            f"  confirmed (detailed): {d['mean']:+,.1f} [{d['ci_low']:+,.1f}, {d['ci_high']:+,.1f}]"
            f" vs the status quo; selected in detailed mode: {r0['selected']}"
        )
        v = r0["detailed_vs_proportional"]
        if v:
            print(f"  detailed: best - proportional {v['mean']:+,.1f} "
                  f"[{v['ci_low']:+,.1f}, {v['ci_high']:+,.1f}] (Bonferroni level {v['level']:.3f})")  # fmt: skip
        for row in r0["screen"]:
            print(f"    screen {row['candidate']:16s} ${row['cost_usd'] / 1e9:5.2f}B  fast "
                  f"{row['fast']['mean']:10,.1f}  detailed {row['detailed']['mean']:10,.1f}  "
                  f"ranks {row['fast_rank']}/{row['detailed_rank']}"
                  f"{'  chosen' if row['selected'] else ('  retained' if row['retained'] else '')}")  # fmt: skip
    print(f"  best mix {r0['best_mix']} (${r0['best_cost_usd'] / 1e9:.2f}B); "
          f"Pareto points {r0['pareto_points']}")  # fmt: skip
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=2, default=str) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
