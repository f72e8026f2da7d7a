"""Raid engine benchmark: replications per second, peak memory, kernel vs reference, scaling.

    python benchmarks/raid.py [--reps 2000] [--workers 2] [--quick]

Prints:
- replications/s of the 550-threat reference raid (kyiv-2025-07-04) after warm-up, 1 and N workers;
- peak resident memory of this process;
- the speed ratio of the numba kernel to the readable reference engine, measured in the same run;
- scaling from 100 to 5,000 threats: time per replication against the number of engagement
  windows (threat-unit pairs that can actually engage) and against all threat-unit pairs.
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

import numpy as np

import airshield
from airshield.raid import compile_scenario, draw_night
from airshield.raid.engines import run_kernel, window_arrays
from airshield.raid.reference import run_reference

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def scaled(sc: airshield.Scenario, total: int) -> airshield.Scenario:
    """The reference raid with every wave scaled so that the raid has about ``total`` threats."""
    f = total / sc.total_threats()
    waves = [w.model_copy(update={"count": max(1, round(w.count * f))}) for w in sc.waves]
    return sc.model_copy(update={"waves": waves})


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=2000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--quick", action="store_true", help="fewer replications (smoke run)")
    args = ap.parse_args()
    reps = 200 if args.quick else args.reps

    sc = airshield.load_scenario(EXAMPLES / "kyiv-2025-07-04.yaml")
    sc.simulate(reps=2, seed=0)  # warm-up: numba compile / cache load
    print(f"# kyiv-2025-07-04: {sc.total_threats()} threats")
    t = time.perf_counter()
    r1 = sc.simulate(reps=reps, seed=1, workers=1)
    dt1 = time.perf_counter() - t
    print(f"reps/s, 1 worker : {reps / dt1:8.1f}   ({reps} reps in {dt1:.2f} s)")
    if args.workers > 1:
        sc.simulate(reps=args.workers * 2, seed=0, workers=args.workers)  # start-up
        t = time.perf_counter()
        rn = sc.simulate(reps=reps, seed=1, workers=args.workers)
        dtn = time.perf_counter() - t
        same = np.array_equal(r1.outcomes, rn.outcomes)
        print(
            f"reps/s, {args.workers} workers: {reps / dtn:8.1f}   (identical to 1 worker: {same})"
        )
    print(f"peak RSS: {peak_rss_mib():.0f} MiB")

    # kernel vs reference, same nights
    c = compile_scenario(sc)
    nights = [draw_night(c, np.random.default_rng(i)) for i in range(3)]
    t = time.perf_counter()
    for n in nights:
        run_reference(c, n)
    t_ref = (time.perf_counter() - t) / len(nights)
    k = 50
    t = time.perf_counter()
    for i in range(k):
        run_kernel(c, nights[i % len(nights)])
    t_ker = (time.perf_counter() - t) / k
    print(
        f"per night: reference {t_ref * 1e3:.1f} ms, kernel {t_ker * 1e3:.2f} ms, ratio {t_ref / t_ker:.0f}x"
    )

    print("\n# scaling (one replication = draw + windows + event loop)")
    print(
        f"{'threats':>8} {'units':>6} {'all pairs':>10} {'windows':>8} {'ms/rep':>8} {'us/window':>10}"
    )
    for total in (100, 300, 1000, 2000, 5000):
        s2 = scaled(sc, total)
        c2 = compile_scenario(s2)
        rng = np.random.default_rng(7)
        n0 = draw_night(c2, rng)
        run_kernel(c2, n0)
        w = window_arrays(c2, n0)
        m = max(3, int(200 / max(1, total / 100)))
        t = time.perf_counter()
        for _ in range(m):
            run_kernel(c2, draw_night(c2, rng))
        per = (time.perf_counter() - t) / m
        pairs = c2.n_threats * len(c2.unit_names)
        print(
            f"{c2.n_threats:8d} {len(c2.unit_names):6d} {pairs:10d} {len(w[0]):8d} {per * 1e3:8.2f} "
            f"{per * 1e6 / max(1, len(w[0])):10.2f}"
        )


if __name__ == "__main__":
    main()
