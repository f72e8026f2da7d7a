"""Error of fast mode against detailed mode on the bundled campaigns (the table in
docs/campaign.md, "Error of fast mode against detailed mode").

    python benchmarks/campaign_error.py [--fast-reps 1000] [--seed 1] [--json OUT.json]
                                        [--only campaign-small,campaign-summer-2025]

For each example: fast mode with ``--fast-reps`` replications and detailed mode (100
replications, 50 for the year-long ones) with the same seed; per campaign total (harmful
leakers, threats destroyed, damage, rounds fired per pool) the relative difference of the means,
with the detailed run's Monte Carlo standard error (relative) beside it. The surrogate is fitted
in a fresh cache folder, so the figures are those of the code checked out.

``--stock-curve`` adds the shape along one pool's stock: on the median and the largest night of
``procure-2026-campaign.yaml``, expected leakers (all threats) against the interceptor-drone
pool's usable rounds (0 to its ``A_max``, the other pools full), from the surrogate and from the
raid engine (40 replications a point).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from campaign import EXAMPLES, error_table

#: (example, detailed replications, nights: None = the whole campaign)
CASES = [
    ("campaign-small", 100, None),
    ("campaign-summer-2025", 100, 90),
    ("campaign-year-2025", 50, None),
    ("campaign-year-2025-diverted", 50, None),
]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fast-reps", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--only", default="", help="comma-separated example names")
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--stock-curve", action="store_true", help="also the leakers along a pool")
    ap.add_argument("--curve-only", action="store_true", help="only the stock curve")
    args = ap.parse_args()
    os.environ["AIRSHIELD_CACHE_DIR"] = tempfile.mkdtemp(prefix="airshield-bench-")
    from airshield.campaign import load_campaign, run_campaign

    only = {s for s in args.only.split(",") if s}
    out: list[dict[str, object]] = []
    for name, reps, nights in CASES:
        if args.curve_only or (only and name not in only):
            continue
        c = load_campaign(EXAMPLES / f"{name}.yaml")
        if nights is not None and c.n_nights > nights:
            c = c.model_copy(update={"end_date": None, "nights": nights}).with_template(
                c.template, c.path
            )
        t0 = time.process_time()
        fast = run_campaign(c, "fast", args.fast_reps, args.seed)
        t1 = time.process_time()
        det = run_campaign(c, "detailed", reps, args.seed)
        t2 = time.process_time()
        rows = error_table(fast, det)
        print(f"{name} ({c.n_nights} nights): fast {args.fast_reps} reps {t1 - t0:.1f} s CPU "
              f"(fit included), detailed {reps} reps {t2 - t1:.1f} s CPU")  # fmt: skip
        for r in rows:
            se = r["detailed_se"] / r["detailed"] if r["detailed"] else float("nan")
            print(f"  {r['quantity']:<32} fast {r['fast']:>14,.1f}  detailed {r['detailed']:>14,.1f}"
                  f"  {100 * r['rel_error']:+6.1f} %  (s.e. {100 * se:.1f} %)")  # fmt: skip
        out.append({"campaign": name, "nights": c.n_nights, "fast_reps": args.fast_reps,
                    "detailed_reps": reps, "rows": rows})  # fmt: skip
    if args.stock_curve or args.curve_only:
        out.append({"stock_curve": stock_curve()})
    if args.json:
        args.json.write_text(json.dumps(out, indent=2))
    return 0


def stock_curve(pool: str = "interceptor-drones", points: int = 6, engine_reps: int = 40) -> list:  # type: ignore[type-arg]
    """Expected leakers along one pool's usable rounds, surrogate against raid engine."""
    import numpy as np

    from airshield.campaign import attacker_plan, fit_surrogate, load_campaign
    from airshield.campaign.bridge import RaidBridge

    c = load_campaign(EXAMPLES / "procure-2026-campaign.yaml")
    plan = attacker_plan(c)
    sur = fit_surrogate(c.template, plan.threat_types, plan.launched)
    bridge = RaidBridge(c.template, sur.threat_types)
    k = sur.pool_names.index(pool)
    tot = plan.launched.sum(axis=1)
    order = np.argsort(tot, kind="stable")
    rows = []
    grid = np.linspace(0, sur.a_max[k], points).astype(np.int64)
    print(f"leakers along {pool} usable rounds (other pools full), surrogate / raid engine "
          f"({engine_reps} replications):")  # fmt: skip
    print("  usable rounds " + " ".join(f"{g:>13,}" for g in grid))
    for label, i in (("median night", order[len(order) // 2]), ("largest night", order[-1])):
        counts = plan.launched[i]
        av = np.repeat(np.asarray(sur.a_max, np.int64)[None, :], grid.size, axis=0)
        av[:, k] = grid
        fast = sur.expected(counts, av)["leaked"].sum(axis=1)
        eng = []
        for a in av:
            seeds = np.random.SeedSequence(5).spawn(engine_reps)
            eng.append(np.mean([bridge.run(counts, a, np.random.default_rng(q)).leaked.sum()
                                for q in seeds]))  # fmt: skip
        print(f"  {label} {counts.tolist()}: "
              + " ".join(f"{f:>6.1f}/{e:<6.1f}" for f, e in zip(fast, eng, strict=True)))  # fmt: skip
        rows.append({"night": label, "counts": counts.tolist(), "usable": grid.tolist(),
                     "surrogate": fast.tolist(), "engine": eng})  # fmt: skip
    return rows


if __name__ == "__main__":
    raise SystemExit(main())
