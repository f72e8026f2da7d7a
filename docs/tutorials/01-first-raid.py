"""# 1. A first raid

Load a bundled scenario, simulate one night's raid by Monte Carlo, read the outcomes with their
5–95 % bands, draw the report's figures and write the self-contained HTML report.

The scenario is `one-battery`: a notional city and a power plant defended by one medium-range
SAM battery, anti-drone rocket teams, a gun and an EW site, against Shahed-type drones, Gerbera
decoys and a few cruise missiles.
"""

# %%
import os

import airshield

REPS = int(os.environ.get("AIRSHIELD_TUTORIAL_REPS", "500"))

sc = airshield.load_scenario("one-battery")  # a bundled example by name, or a path
print(f"{sc.name}: {len(sc.assets)} assets, {sc.total_threats()} threats in {len(sc.waves)} waves")

# %% [markdown]
# `simulate` runs `reps` replications of the night. Replication *i* uses child *i* of
# `SeedSequence(seed)`, so the same seed always gives the same numbers, on any number of workers,
# and the first *k* replications of a long run equal a *k*-replication run.

# %%
res = sc.simulate(reps=REPS, seed=7)
res

# %% [markdown]
# In a notebook the result shows its headline table: every figure is the mean across
# replications with the 5–95 % band in brackets. The same numbers, as data:

# %%
res.summary()["totals"]["leaked_harmful"]

# %%
res.to_frame().groupby(["threat_type", "kind"])[
    ["launched", "destroyed", "lost", "leaked"]
].mean().reset_index()

# %% [markdown]
# The distribution of harmful leakers (decoys excluded) across replications, one of the
# report's figures, from the `.plot` accessor:

# %%
res.plot.leakers()

# %% [markdown]
# The map: assets (labelled, sized by expected damage), fire units by type with their envelopes
# (click an entry in the legend to hide or show it), launch areas and the tracks of one sample
# replication, coloured by fate. The scale bar is true at any zoom.

# %%
res.plot.map(sc)

# %% [markdown]
# Rounds and their cost by effector type, with 5–95 % bars:

# %%
res.plot.effectors()

# %% [markdown]
# The whole report is one HTML file that opens anywhere and makes no network request (the
# command line equivalent is `airshield run one-battery --report raid.html`):

# %%
from airshield.report import write_raid_report

path = write_raid_report(res, sc, "raid.html")
print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB)")
