"""# 6. Deciding what to buy

Two questions a planner asks of the same stocks: where should they go, and what would more of
them buy? The first is an optimisation: `allocate_regions` splits the anti-drone missiles and
interceptor drones of the summer-2025 campaign across three notional regions so as to minimise
the expected weighted harmful leakers: response curves of each region from the fast campaign
model, their convex envelopes, a linear programme on HiGHS, then a check of the chosen split
against the proportional one by joint simulation with common random numbers. The second is a
paired comparison of campaigns with and without a purchase.
"""

# %%
import os

from airshield import fmt
from airshield.campaign import compare_campaigns, load_campaign
from airshield.plan.allocation import allocate_regions, load_allocation

REPS = int(os.environ.get("AIRSHIELD_TUTORIAL_REPS", "200"))
alloc = load_allocation("campaign-regions")
for r in alloc.spec.regions:
    print(f"{r.name}: {fmt.fraction(r.share)} of the raids, a leaker there weighs {r.weight:g}")

# %%
res = allocate_regions(alloc, reps=REPS, seed=1)
res

# %%
res.plot.shares()

# %%
res.to_frame().assign(
    optimised=lambda f: f["optimised"].map(fmt.fraction),
    proportional=lambda f: f["proportional"].map(fmt.fraction),
)

# %% [markdown]
# ## What would 5,000 more anti-drone missiles buy?
#
# In the notional year of tutorial 3 where the spring deliveries of anti-drone missiles are
# diverted, the pool runs empty within days. A variant with its starting stock raised by 5,000,
# run with the same seed as the baseline, answers what those missiles would buy: the difference
# is paired replication by replication.

# %%
base = load_campaign("campaign-year-2025-diverted")
pools = [
    p.model_copy(update={"stock": p.stock + 5000}) if p.name == "anti-drone-missiles" else p
    for p in base.defender.pools
]
more = base.model_copy(
    update={
        "name": "year-2025-diverted-plus-5000",
        "defender": base.defender.model_copy(update={"pools": pools}),
    }
)
cmp = compare_campaigns(
    [base, more], ["baseline", "+5,000 missiles"], mode="fast", reps=REPS, seed=2
)
d = cmp.differences()
d = d[
    d["metric"].isin(
        ["leaked_harmful", "damage_usd", "defender_cost_usd", "anti-drone-missiles.fired"]
    )
]
table = d.assign(
    quantity=d["metric"].map(fmt.label),
    difference=[
        fmt.diff(a, b, c, fmt.kind_of(m))
        for a, b, c, m in zip(d["diff_mean"], d["diff_lo"], d["diff_hi"], d["metric"], strict=True)
    ],
)[["quantity", "difference"]]
table

# %%
lk = d[d["metric"] == "leaked_harmful"].iloc[0]
dmg = d[d["metric"] == "damage_usd"].iloc[0]
print(
    f"5,000 more anti-drone missiles change the year's harmful leakers by "
    f"{fmt.diff(lk['diff_mean'], lk['diff_lo'], lk['diff_hi'])} and its damage by "
    f"{fmt.diff(dmg['diff_mean'], dmg['diff_lo'], dmg['diff_hi'], 'money')} (95 % paired intervals)."
)

# %% [markdown]
# Whether that is worth the price of 5,000 missiles is the planner's call, now with an interval
# instead of a guess.
