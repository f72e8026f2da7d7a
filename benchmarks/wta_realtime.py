"""Raid-epoch assignment benchmark: 200 threats x 100 fire units with sparse feasibility.

Usage::

    python benchmarks/wta_realtime.py [--instances 20] [--threats 200] [--units 100]
                                      [--exact-time 20] [--seed 0]

Each synthetic epoch places fire units and threats on a 300 km x 300 km map; a unit can engage a
threat only inside its range (so each unit sees a few percent of the threats), kill
probabilities depend on unit type, threat values are asset-based (value at risk, USD), rounds
cost money, units have 1-4 fire channels and 2-8 ready rounds, and doctrine allows one or two
rounds per threat. For every epoch it times the assigners (median and 95th percentile over
``--repeat`` calls, JIT excluded) and measures their quality against the exact solver's
objective and certified bound.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

from airshield.assign import WTAProblem, solve


def raid_epoch(
    rng: np.random.Generator, n_threats: int = 200, n_units: int = 100, cap: int | None = 1
) -> WTAProblem:
    """One synthetic decision epoch (notional parameters)."""
    side_km = 300.0
    units_xy = rng.uniform(0, side_km, (n_units, 2))
    threats_xy = rng.uniform(0, side_km, (n_threats, 2))
    kind = rng.choice(3, n_units, p=[0.5, 0.35, 0.15])  # gun / short-range SAM / long-range SAM
    range_km = np.array([10.0, 35.0, 90.0])[kind]
    dist_km = np.linalg.norm(units_xy[:, None, :] - threats_xy[None, :, :], axis=2)
    feasible = dist_km <= range_km[:, None]
    base_pk = np.array([0.35, 0.7, 0.85])[kind]
    pk = np.clip(base_pk[:, None] * rng.uniform(0.7, 1.1, (n_units, n_threats)), 0.0, 0.99)
    values = rng.lognormal(np.log(2e5), 1.2, n_threats)  # value at risk, USD
    shot_cost = np.array([2e3, 1.5e5, 1e6])[kind] * rng.uniform(0.8, 1.2, n_units)
    channels = np.array([1, 2, 4])[kind]
    rounds = np.array([8, 4, 2])[kind]
    return WTAProblem(
        values=values,
        pk=pk,
        rounds=rounds,
        shot_cost=shot_cost,
        channels=channels,
        feasible=feasible,
        max_rounds_per_target=cap,
    )


def _time(problem: WTAProblem, solver: str, repeat: int) -> tuple[float, float, float]:
    times = []
    res = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        res = solve(problem, solver, seed=0)
        times.append(time.perf_counter() - t0)
    assert res is not None
    return float(np.median(times)), float(np.percentile(times, 95)), res.objective


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--instances", type=int, default=20)
    ap.add_argument("--threats", type=int, default=200)
    ap.add_argument("--units", type=int, default=100)
    ap.add_argument("--cap", type=int, default=1, help="rounds per threat (0: no cap)")
    ap.add_argument("--repeat", type=int, default=50)
    ap.add_argument("--exact-time", type=float, default=20.0)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    cap = None if args.cap == 0 else args.cap
    rng = np.random.default_rng(args.seed)
    warm = raid_epoch(np.random.default_rng(999), 20, 10, cap)
    for s in ("greedy", "local_search", "matching", "exact"):
        solve(warm, s, time_limit_s=1.0)
    heur = ("greedy", "local_search", "matching")
    print(
        f"{'epoch':>5} {'pairs%':>6} "
        + " ".join(f"{s + ' ms':>16} {s + ' gap%':>18}" for s in heur)
        + f" {'exact obj':>14} {'exact gap%':>10} {'exact s':>8}"
    )
    stats: dict[str, list[tuple[float, float, float]]] = {s: [] for s in heur}
    ex_gaps, ex_secs = [], []
    for e in range(args.instances):
        p = raid_epoch(rng, args.threats, args.units, cap)
        ex = solve(p, "exact", time_limit_s=args.exact_time, seed=0)
        assert ex.bound is not None
        ex_gaps.append(100 * (ex.gap or 0.0))
        ex_secs.append(ex.runtime_s)
        cols = []
        for s in heur:
            med, p95, obj = _time(
                p, s, args.repeat if s != "matching" else max(3, args.repeat // 10)
            )
            gap = 100 * (obj - ex.bound) / obj  # vs the certified bound: an upper bound on the loss
            stats[s].append((med, p95, gap))
            cols.append(f"{1e3 * med:16.3f} {gap:18.4f}")
        print(
            f"{e:5d} {100 * p.allowed.mean():6.2f} "
            + " ".join(cols)
            + f" {ex.objective:14.1f} {100 * (ex.gap or 0):10.2e} {ex.runtime_s:8.2f}",
            flush=True,
        )
    print("\nsummary over epochs (gap = (objective - exact lower bound) / objective)")
    for s in heur:
        arr = np.array(stats[s])
        print(
            f"  {s:<13} median {1e3 * np.median(arr[:, 0]):7.3f} ms, worst p95 "
            f"{1e3 * arr[:, 1].max():7.3f} ms, gap mean {arr[:, 2].mean():.3f} % "
            f"max {arr[:, 2].max():.3f} %"
        )
    print(
        f"  exact         median {np.median(ex_secs):.2f} s, max {max(ex_secs):.2f} s, "
        f"proven gap max {max(ex_gaps):.2e} %"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
