"""Shadow prices feed doctrine (NOTIONAL): turn the procurement result's shadow price of each
scarce round (leakers later caused by firing it now) into the cost per shot that the nightly cost
threshold uses, and show what that changes.

Run from the repository root:

    python examples/procure_doctrine.py [--reps 100] [--seed 1]

1. ``airshield plan procure examples/procure-2026.yaml`` (fast mode, no detailed confirmation)
   gives the best mix and, per pool, the effective cost per shot = sticker + opportunity cost;
2. the best mix is written into the campaign twice: with the template as it is (sticker prices
   in the cost threshold) and with the shadow-priced template
   (:func:`airshield.plan.procure.doctrine_template`, what ``--doctrine-out`` writes);
3. the two run side by side with common random numbers (``compare_campaigns``, fast mode): the
   rounds each pool fires, harmful leakers and the nights the Patriot-class pool runs dry.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from airshield.campaign import compare_campaigns
from airshield.plan.procure import doctrine_template, materialise, optimise, prepare
from airshield.plan.procure_models import load_procurement

HERE = Path(__file__).resolve().parent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    loaded = load_procurement(HERE / "procure-2026.yaml")
    res = optimise(loaded, reps=args.reps, seed=args.seed, confirm=False, keep_results=False)
    assert res.best is not None
    print("effective cost per shot at the best mix (sticker + leakers a round saves later):")
    for d in res.doctrine:
        print(f"  {d['pool']:22s} {d['effector']:18s} {d['leakers_per_round']:+8.3f} leakers/round"
              f"  sticker ${d['sticker_cost_usd']:>12,.0f} -> ${d['effective_cost_per_shot_usd']:>12,.0f}")  # fmt: skip
    prep = prepare(loaded)
    best = materialise(prep, 0, res.best.x)
    priced = doctrine_template(best.template, res.doctrine)
    shadow = best.model_copy(update={"name": f"{best.name}/shadow-priced"}).with_template(
        priced, best.path
    )
    cmp = compare_campaigns([best, shadow], ["sticker prices", "shadow prices"], "fast",
                            args.reps, args.seed)  # fmt: skip
    a, b = cmp.results
    print("\nthe best mix with sticker prices against shadow prices in the cost threshold "
          "(fast mode, common random numbers):")  # fmt: skip
    for k, pool in enumerate(a.pool_names):
        fa, fb = a.fired[:, :, k].sum(axis=1).mean(), b.fired[:, :, k].sum(axis=1).mean()
        print(f"  rounds fired, {pool:22s} {fa:12,.1f} -> {fb:12,.1f}")
    la, lb = a.leaked_harmful().sum(axis=1), b.leaked_harmful().sum(axis=1)
    print(f"  harmful leakers                      {la.mean():12,.1f} -> {lb.mean():12,.1f} "
          f"(paired difference {np.mean(lb - la):+,.1f})")  # fmt: skip
    k = a.pool_names.index("patriot-rounds")
    ball = a.launched[:, a.threat_kinds.index("ballistic_missile")] > 0
    for name, r in (("sticker", a), ("shadow", b)):
        dry = (r.stock_end[:, ball, k] == 0).any(axis=1).mean()
        print(
            f"  {name:8s} prices: Patriot-class pool empty on a ballistic night in {dry:.0%} "
            "of replications"
        )


if __name__ == "__main__":
    main()
