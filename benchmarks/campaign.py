"""Campaign engine benchmark: fast mode over a year, detailed mode over 90 nights, and the error
of fast mode against detailed mode.

    python benchmarks/campaign.py [--fast-reps 1000] [--detailed-reps 100] [--workers 1]
                                  [--quick] [--json OUT.json]

Measures, on the bundled notional examples:

- fast mode, 365 nights x ``--fast-reps`` replications (``campaign-year-2025.yaml``): the
  surrogate fit (cold, in an empty cache) and the campaign itself with the fitted surrogate
  (median of 3 runs);
- detailed mode, 90 nights x ``--detailed-reps`` replications (the first 90 nights of
  ``campaign-summer-2025.yaml``): every night through the raid engine (numba kernel), with
  ``--workers`` processes; the first raid call (numba load) is timed apart;
- the error of fast mode against that detailed run (same campaign, same seed): relative
  difference of the mean campaign totals (harmful leakers, threats destroyed, damage, rounds
  fired per pool), with the detailed run's Monte Carlo standard error beside each.

``--quick`` shrinks everything for a smoke test (365 x 100 fast, 30 x 10 detailed).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _totals(r: Any) -> dict[str, np.ndarray]:
    out = {
        "leaked_harmful": r.leaked_harmful().sum(axis=1).astype(float),
        "destroyed": r.destroyed.sum(axis=(1, 2)).astype(float),
        "damage_usd": r.damage_usd.sum(axis=1),
    }
    for k, p in enumerate(r.pool_names):
        out[f"fired:{p}"] = r.fired[:, :, k].sum(axis=1).astype(float)
    return out


def error_table(fast: Any, detailed: Any) -> list[dict[str, float | str]]:
    f, d = _totals(fast), _totals(detailed)
    rows: list[dict[str, float | str]] = []
    for key in f:
        fm, dm = float(f[key].mean()), float(d[key].mean())
        se = float(d[key].std(ddof=1) / np.sqrt(d[key].size)) if d[key].size > 1 else 0.0
        rows.append(
            {
                "quantity": key,
                "fast": fm,
                "detailed": dm,
                "detailed_se": se,
                "rel_error": (fm - dm) / dm if dm else float("nan"),
            }
        )
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fast-reps", type=int, default=1000)
    ap.add_argument("--detailed-reps", type=int, default=100)
    ap.add_argument("--detailed-nights", type=int, default=90)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--detailed-repeats", type=int, default=3, help="repeats of the detailed run")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument(
        "--detailed-only", action="store_true", help="only the detailed-mode run (no fast mode)"
    )
    ap.add_argument("--json", type=Path, default=None, help="write the figures as JSON")
    args = ap.parse_args()
    if args.quick:
        args.fast_reps, args.detailed_reps, args.detailed_nights = 100, 10, 30
    # a cold surrogate cache, so the fit is measured
    os.environ["AIRSHIELD_CACHE_DIR"] = tempfile.mkdtemp(prefix="airshield-bench-")

    from airshield.campaign import attacker_plan, fit_surrogate, load_campaign, run_campaign
    from airshield.campaign.bridge import RaidBridge

    out: dict[str, Any] = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                    "platform": platform.platform()},
    }  # fmt: skip

    # warm the numba kernel (load or compile) once, timed apart
    year = load_campaign(EXAMPLES / "campaign-year-2025.yaml")
    t0 = time.perf_counter()
    b = RaidBridge(year.template, attacker_plan(year).threat_types)
    b.run(np.array([10, 5, 1, 1]), np.full(len(b.pool_names), 100), np.random.default_rng(0))
    out["kernel_warmup_s"] = time.perf_counter() - t0

    out["load_before"] = os.getloadavg()
    if args.detailed_only:
        return detailed_only(args, out)

    # ---- fast mode: a year x N replications -------------------------------------------------
    plan = attacker_plan(year)
    t0 = time.perf_counter()
    sur = fit_surrogate(year.template, plan.threat_types, plan.launched, workers=args.workers)
    fit_s = time.perf_counter() - t0
    times, cpus = [], []
    for _ in range(3):
        t0, c0 = time.perf_counter(), time.process_time()
        rf_year = run_campaign(year, "fast", args.fast_reps, args.seed, surrogate=sur)
        times.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    out["fast"] = {
        "campaign": year.name,
        "nights": year.n_nights,
        "reps": args.fast_reps,
        "surrogate_fit_s": fit_s,
        "surrogate_raid_runs": sur.info["raid_runs"],
        "run_s_median": statistics.median(times),
        "run_s_all": times,
        "cpu_s_median": statistics.median(cpus),
        "cpu_s_all": cpus,
        "leaked_harmful_mean": float(rf_year.leaked_harmful().sum(axis=1).mean()),
    }

    # ---- detailed mode: 90 nights x M replications ------------------------------------------
    rd, out["detailed"] = _detailed(args)
    c90 = _c90(args)

    # ---- error of fast mode against that detailed run ---------------------------------------
    p90 = attacker_plan(c90)
    t0 = time.perf_counter()
    sur90 = fit_surrogate(c90.template, p90.threat_types, p90.launched, workers=args.workers)
    fit90 = time.perf_counter() - t0
    rf = run_campaign(c90, "fast", max(args.fast_reps, 400), args.seed, surrogate=sur90)
    out["error_vs_detailed"] = {
        "campaign": c90.name,
        "fast_reps": rf.reps,
        "detailed_reps": rd.reps,
        "surrogate_fit_s": fit90,
        "rows": error_table(rf, rd),
    }

    # ---- report ------------------------------------------------------------------------------
    f, d, e = out["fast"], out["detailed"], out["error_vs_detailed"]
    print(f"kernel warm-up (numba load/compile): {out['kernel_warmup_s']:.2f} s")
    print(
        f"fast:     {f['nights']} nights x {f['reps']} reps: {f['run_s_median']:.2f} s "
        f"(median of 3; surrogate fit {f['surrogate_fit_s']:.1f} s, {f['surrogate_raid_runs']} "
        "raid runs, cached after)"
    )
    print(
        f"fast CPU: median {f['cpu_s_median']:.2f} s (min {min(f['cpu_s_all']):.2f}, "
        f"max {max(f['cpu_s_all']):.2f})"
    )
    print_detailed(d)
    print(f"fast vs detailed on {e['campaign']} ({e['fast_reps']} vs {e['detailed_reps']} reps):")
    for r in e["rows"]:
        print(
            f"  {r['quantity']:32s} fast {r['fast']:14.1f}  detailed {r['detailed']:14.1f} "
            f"± {r['detailed_se']:9.1f}  rel. error {r['rel_error']:+.3f}"
        )
    print(f"load average before {out['load_before']}, after {os.getloadavg()}")
    if args.json is not None:
        args.json.write_text(json.dumps(out, indent=2))
        print(f"wrote {args.json}")
    return 0


def _c90(args: argparse.Namespace) -> Any:
    from airshield.campaign import load_campaign

    summer = load_campaign(EXAMPLES / "campaign-summer-2025.yaml")
    c90 = summer.model_copy(update={"end_date": None, "nights": args.detailed_nights})
    return c90.with_template(summer.template, summer.path)


def _detailed(args: argparse.Namespace) -> tuple[Any, dict[str, Any]]:
    """Detailed mode, 90 nights x M replications: wall and CPU (this process and workers)."""
    import resource

    from airshield.campaign import run_campaign

    c90 = _c90(args)
    walls, cpus = [], []
    rd = None
    for _ in range(args.detailed_repeats):
        ch = resource.getrusage(resource.RUSAGE_CHILDREN)
        c0 = time.process_time() + ch.ru_utime + ch.ru_stime
        t0 = time.perf_counter()
        rd = run_campaign(c90, "detailed", args.detailed_reps, args.seed, workers=args.workers)
        walls.append(time.perf_counter() - t0)
        ch = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(time.process_time() + ch.ru_utime + ch.ru_stime - c0)
    assert rd is not None
    raid_nights = int((rd.launched.sum(axis=1) > 0).sum())
    calls = raid_nights * args.detailed_reps
    return rd, {
        "campaign": c90.name,
        "nights": c90.n_nights,
        "reps": args.detailed_reps,
        "workers": args.workers,
        "run_s": statistics.median(walls),
        "run_s_all": walls,
        "cpu_s": statistics.median(cpus),
        "cpu_s_all": cpus,
        "raid_engine_calls": calls,
        "ms_per_raid_night": 1000 * statistics.median(cpus) / max(1, calls),
        "threats_per_night_mean": float(rd.launched.sum(axis=1).mean()),
    }


def print_detailed(d: dict[str, Any]) -> None:
    print(
        f"detailed: {d['nights']} nights x {d['reps']} reps, {d['workers']} worker(s): "
        f"CPU median {d['cpu_s']:.2f} s (min {min(d['cpu_s_all']):.2f}, max "
        f"{max(d['cpu_s_all']):.2f}), wall median {d['run_s']:.2f} s; {d['raid_engine_calls']} "
        f"raid nights, {d['ms_per_raid_night']:.2f} ms CPU each, "
        f"{d['threats_per_night_mean']:.0f} threats a night on average"
    )


def detailed_only(args: argparse.Namespace, out: dict[str, Any]) -> int:
    _rd, out["detailed"] = _detailed(args)
    print(f"kernel warm-up (numba load/compile): {out['kernel_warmup_s']:.2f} s")
    print_detailed(out["detailed"])
    print(f"load average before {out['load_before']}, after {os.getloadavg()}")
    if args.json is not None:
        args.json.write_text(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
