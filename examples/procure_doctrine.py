"""Shadow prices feed doctrine (NOTIONAL): the value of a scarce round, month by month, turned into
the cost per shot that the nightly cost threshold and the cost-weighted assignment use; and what
that changes, against the sticker price and against one flat shadow price for the whole year.

Run from the repository root:

    python examples/procure_doctrine.py [--reps 100] [--detailed-reps 6] [--workers 2] [--seed 1]
                                        [--pools anti-drone-missiles] [--best]

1. the stocks of ``procure-2026.yaml``'s status quo (no procurement; ``--best`` for the best
   mix of the optimiser instead, slower): the value of one more round on hand at the start of
   each month, per pool, by a fast-mode finite difference with common random numbers
   (:func:`airshield.plan.doctrine.round_values`);
2. the doctrine: each month the effector type's cost per shot is its sticker price plus that
   month's opportunity cost (:func:`~airshield.plan.doctrine.doctrine_schedule`), so rounds are
   dear while the pool is short and cheap again once deliveries have caught up;
3. the campaign under the sticker price, under that time-varying price and under a flat price
   (the first month's value all year, what a single shadow price does), side by side in
   **detailed** mode with common random numbers
   (:func:`~airshield.plan.doctrine.run_priced_detailed`: the raid engine every night, each
   night with its month's costs per shot): harmful leakers and damage with paired 95 %
   intervals, rounds fired per pool. (Fast mode would need a surrogate fitted per price list, and
   two fits differ by more than a doctrine changes: docs/plan.md.)
4. the same doctrine **in the objective's own unit** (harmful leakers): the template valued so
   that every harmful threat is worth the same (:func:`~airshield.plan.doctrine.
   objective_valued_template`), so the threshold compares the leakers a round causes later
   against the leakers it saves now (no sticker price: the rounds are paid for); against no
   price under the same valuation (the shadow price alone) and against the plain sticker run.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import numpy as np

from airshield.plan.doctrine import (
    PriceSchedule,
    doctrine_schedule,
    objective_valued_template,
    round_values,
    run_priced_detailed,
)
from airshield.plan.procure import optimise, paired, prepare, schedule_of, simulate
from airshield.plan.procure_models import load_procurement

HERE = Path(__file__).resolve().parent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=100, help="fast-mode replications (round values)")
    ap.add_argument("--detailed-reps", type=int, default=6,
                    help="detailed-mode replications of each doctrine run")  # fmt: skip
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--pools", nargs="*", default=["anti-drone-missiles"],
                    help="pools whose rounds get the shadow price (default: the rockets)")  # fmt: skip
    ap.add_argument("--best", action="store_true", help="at the optimiser's best mix")
    ap.add_argument("--skip-flat", action="store_true", help="leave out the flat-price run")
    args = ap.parse_args()

    loaded = load_procurement(HERE / "procure-2026.yaml")
    prep = prepare(loaded)
    x = np.zeros(prep.arrival.shape, np.int64)
    if args.best:
        res = optimise(loaded, reps=args.reps, seed=args.seed, confirm=False, keep_results=False)
        assert res.best is not None
        x = res.best.x
    _, kept = simulate(prep, 0, [schedule_of(prep, x)], args.reps, args.seed, keep=True)
    r0 = kept[0]
    usd = float(r0.damage_usd.sum(axis=1).mean() / r0.leaked_harmful().sum(axis=1).mean())
    values = round_values(prep, x, args.reps, args.seed, usd_per_leaker=usd, pools=args.pools)
    print(f"value of one more round on hand at the start of each month ({'best mix' if args.best else 'status quo'}; "
          f"${usd:,.0f} of damage per harmful leaker):")  # fmt: skip
    for v in values:
        print(f"  {v['pool']} ({v['effector']}, sticker ${v['sticker_cost_usd']:,.0f})")
        for m in v["by_month"]:
            d = m["objective_per_round"]
            print(f"    {m['month'][:7]}  {d['mean']:+.3f} [{d['ci_low']:+.3f}, {d['ci_high']:+.3f}] "
                  f"leakers/round  -> opportunity cost ${m['opportunity_cost_usd']:,.0f}")  # fmt: skip
    sched = doctrine_schedule(prep, values)
    flat_row = [float(v["sticker_cost_usd"]) + values_first(v) for v in values]
    flat = PriceSchedule(sched.effectors, [flat_row], np.zeros(prep.n_nights, np.int64), [])
    print("\ntime-varying cost per shot:")
    for k, row in enumerate(sched.prices):
        months = [sched.months[m][:7] for m in range(len(sched.months))
                  if sched.which[_start(prep, m)] == k]  # fmt: skip
        print(f"  {', '.join(f'{e} ${p:,.0f}' for e, p in zip(sched.effectors, row, strict=True))}"
              f"  in {', '.join(months)}")  # fmt: skip
    camp = prep.campaigns[0] if not x.any() else _with_mix(prep, x)
    sticker = PriceSchedule(sched.effectors, [[float(v["sticker_cost_usd"]) for v in values]],
                            np.zeros(prep.n_nights, np.int64), [])  # fmt: skip
    dr, w = args.detailed_reps, args.workers
    # the objective's own unit: every harmful threat worth the same (usd per leaker), so the
    # threshold weighs leakers caused later (the shadow price) against leakers saved now
    in_leakers = camp.with_template(objective_valued_template(camp.template, usd), camp.path)
    sched_l = doctrine_schedule(prep, values, unit="objective")
    sunk = PriceSchedule(sched.effectors, [[0.0] * len(values)],
                         np.zeros(prep.n_nights, np.int64), [])  # fmt: skip
    arms = [("sticker", camp, sticker), ("time-varying", camp, sched), ("flat", camp, flat),
            ("no price, in leakers", in_leakers, sunk),
            ("time-varying, in leakers", in_leakers, sched_l)]  # fmt: skip
    if args.skip_flat:
        arms = [a for a in arms if a[0] != "flat"]
    runs = {name: run_priced_detailed(c, sc, dr, args.seed, workers=w) for name, c, sc in arms}
    plain = runs["sticker"]
    print(f"\n{prep.names[0]} scenario, detailed mode, {dr} replications, common random numbers "
          "(damage only under the plain valuation: the leaker-valued template values every "
          "asset alike):")  # fmt: skip
    for name, r in runs.items():
        lh, dmg = r.leaked_harmful().sum(axis=1), r.damage_usd.sum(axis=1)
        valued = "in leakers" not in name
        line = f"  {name:25s} harmful leakers {lh.mean():10,.1f}"
        line += f"   damage ${dmg.mean() / 1e9:6.3f}B" if valued else " " * 19
        if r is not plain:
            d = paired(lh, plain.leaked_harmful().sum(axis=1), "detailed")
            line += f"   vs sticker: {d['mean']:+,.1f} [{d['ci_low']:+,.1f}, {d['ci_high']:+,.1f}] leakers"
            if valued:
                e = paired(dmg, plain.damage_usd.sum(axis=1), "detailed")
                line += (f", {e['mean'] / 1e6:+,.1f}M [{e['ci_low'] / 1e6:+,.1f}M, "
                         f"{e['ci_high'] / 1e6:+,.1f}M] damage")  # fmt: skip
        print(line)  # fmt: skip
    a, b = runs["time-varying, in leakers"], runs["no price, in leakers"]
    d = paired(a.leaked_harmful().sum(axis=1), b.leaked_harmful().sum(axis=1), "detailed")
    print(f"  the shadow price alone, in leakers (time-varying - no price, both leaker-valued): "
          f"{d['mean']:+,.1f} [{d['ci_low']:+,.1f}, {d['ci_high']:+,.1f}] harmful leakers")  # fmt: skip
    names = [p.name for p in prep.template.pools if not p.name.startswith("gun-groups-")]
    for pool in names:
        k = plain.pool_names.index(pool)
        fired = "  ".join(
            f"{name} {r.fired[:, :, k].sum(axis=1).mean():10,.0f}" for name, r in runs.items()
        )
        print(f"  rounds fired, {pool:22s} {fired}")  # fmt: skip


def values_first(v: dict[str, Any]) -> float:
    from airshield.plan.doctrine import price_step

    return price_step(v["by_month"][0]["opportunity_cost_usd"], float(v["sticker_cost_usd"]))


def _start(prep: Any, m: int) -> int:
    return (prep.months[m] - prep.campaigns[0].start_date).days


def _with_mix(prep: Any, x: Any) -> Any:
    from airshield.plan.procure import materialise

    return materialise(prep, 0, x)


if __name__ == "__main__":
    main()
