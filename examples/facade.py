"""The façade in five lines each (NOTIONAL examples): a raid scenario and a campaign carry the
verbs, like PyPSA's ``Network``; the free functions underneath stay the implementation.

Run from the repository root:

    python examples/facade.py [--reps 200] [--seed 1]

Prints a raid's harmful leakers, the paired difference half the rounds make (common random
numbers), the same laydown run as a four-week campaign, and that campaign against a variant.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import airshield

HERE = Path(__file__).resolve().parent


def band(b: dict[str, float]) -> str:
    return f"{b['mean']:,.1f} [5-95 %: {b['p5']:,.0f}-{b['p95']:,.0f}]"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    # a raid: one night, Monte Carlo
    sc = airshield.load_scenario(HERE / "one-battery.yaml")
    res = sc.simulate(reps=args.reps, seed=args.seed)
    print(f"{sc.name}: harmful leakers {band(res.summary()['totals']['leaked_harmful'])}")

    # a variant with half the rounds in every pool, paired replication by replication (same
    # seed: common random numbers)
    half = sc.model_copy(
        update={"pools": [p.model_copy(update={"stock": p.stock // 2}) for p in sc.pools]}
    )
    d = sc.compare(half, names=["as is", "half the rounds"], reps=args.reps, seed=args.seed)
    row = d.differences().set_index("metric").loc["leaked_harmful"]
    print(
        f"half the rounds - as is: {row['diff_mean']:+.2f} harmful leakers "
        f"[{row['diff_lo']:+.2f}, {row['diff_hi']:+.2f}] (95 % paired interval)"
    )

    # a campaign: four weeks of stocks, production, a pause and diversions (fast mode)
    camp = airshield.load_campaign(HERE / "campaign-small.yaml")
    cr = camp.simulate(mode="fast", reps=args.reps, seed=args.seed)
    s = cr.summary()
    print(
        f"{camp.name}: {s['nights']} nights, harmful leakers {band(s['totals']['leaked_harmful'])}"
    )
    for p in s["pools"]:
        print(f"  {p['pool']}: empty in {p['depletion']['empty']['share_depleted']:.0%} of runs")

    # the campaign's own raid template, run through the campaign as a raid scenario would be
    again = camp.template.campaign(camp, mode="fast", reps=args.reps, seed=args.seed)
    same = (again.leaked == cr.leaked).all()
    print(f"template.campaign(campaign) reproduces campaign.simulate(): {bool(same)}")


if __name__ == "__main__":
    main()
