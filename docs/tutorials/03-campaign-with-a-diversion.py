"""# 3. A campaign with a diversion

A night is not a war. A campaign runs the raid model night after night over a year: the
attacker's production and tempo, the defender's pools of interceptors with their deliveries,
pauses, diversions and purchases. Here the notional year 2025 is run twice: as planned, and with
the 20,000 anti-drone missiles delivered in spring diverted to another theatre. Both runs use
the same seed, so the comparison is paired replication by replication (common random numbers).

`fast` mode replaces the nightly raid engine by a surrogate fitted to it (cached on disk, so the
second run of the same template fits nothing); `detailed` mode runs the engine every night.
"""

# %%
import os

from airshield import fmt
from airshield.campaign import compare_campaigns, load_campaign

REPS = int(os.environ.get("AIRSHIELD_TUTORIAL_REPS", "500"))
planned = load_campaign("campaign-year-2025")
diverted = load_campaign("campaign-year-2025-diverted")
print(f"{planned.name}: {planned.n_nights} nights from {planned.start_date}")
print([p.name for p in planned.defender.pools])

# %%
cmp = compare_campaigns(
    [planned, diverted], ["planned", "diverted"], mode="fast", reps=REPS, seed=1
)
res_planned, res_diverted = cmp.results
res_diverted

# %% [markdown]
# Interceptor stocks night by night, with their 5–95 % bands and the median date each pool runs
# empty, in the diverted year:

# %%
res_diverted.plot.stocks()

# %% [markdown]
# When each pool runs out: "never" means not within the year in any replication.

# %%
dep = res_diverted.depletion_frame()
dep = dep[dep["criterion"] == "empty"]
dep.assign(
    share=dep["share_depleted"].map(fmt.fraction),
    median=dep["p50_date"].map(fmt.date_or_never),
)[["pool", "effector", "share", "median"]]

# %% [markdown]
# The paired differences, diverted − planned, with their 95 % intervals (what
# `airshield campaign compare` prints):

# %%
d = cmp.differences()
d = d[~d["metric"].str.contains(r"\.")]  # the campaign totals; per-pool rows are there too
d.assign(
    quantity=d["metric"].map(fmt.label),
    planned=[
        fmt.number(v, fmt.kind_of(m)) for v, m in zip(d["baseline_mean"], d["metric"], strict=False)
    ],
    diverted=[
        fmt.number(v, fmt.kind_of(m)) for v, m in zip(d["variant_mean"], d["metric"], strict=False)
    ],
    difference=[
        fmt.diff(a, b, c, fmt.kind_of(m))
        for a, b, c, m in zip(d["diff_mean"], d["diff_lo"], d["diff_hi"], d["metric"], strict=False)
    ],
)[["quantity", "planned", "diverted", "difference"]]

# %% [markdown]
# Leakers night by night: once the anti-drone missiles are gone, the drones that they would have
# taken leak or fall to more expensive interceptors.

# %%
res_diverted.plot.nights()
