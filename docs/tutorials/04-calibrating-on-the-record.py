"""# 4. Calibrating on the record

The catalog's kill probabilities are public estimates; the daily attack record says how many
drones and missiles were launched and how many were destroyed or lost to electronic warfare.
`calibrate` fits a logit shift of the laydown's kinetic kill probabilities (per threat kind) and
of its EW loss probability, period by period, so that the engine reproduces the record, with
bootstrap intervals over the raid nights.

To see that the fit recovers what it should, this tutorial first **makes a record whose answer
is known**: nights simulated by the engine itself with the drone kill probability shifted by
+1.0 on the logit scale, written in the record's 22-column CSV layout. With the public record
(the Ukrainian Air Force's daily claims as collected in the public Kaggle data set, CC BY-NC-SA,
read in place) the command is `airshield calibrate fit missile_attacks_daily.csv --out calib/`.
"""

# %%
import csv
import os

import numpy as np
import pandas as pd

import airshield
from airshield.calibrate.calibration import EngineSimulator, calibrate
from airshield.history.importer import read_daily_csv

REPS = max(4, int(os.environ.get("AIRSHIELD_TUTORIAL_REPS", "40")) // 5)
TRUE_SHIFT = 1.0
laydown = airshield.load_scenario("one-battery")
sim = EngineSimulator(laydown)

# the engine's destroyed and lost fractions of drones at the true shift (and no EW shift)
raid = {"drone": 24}
frac = sim.fractions(raid, {"drone": TRUE_SHIFT}, 0.0, 4 * REPS, 99)["drone"]
print(f"engine at shift {TRUE_SHIFT:+}: destroyed {frac[0]:.2f}, lost (EW) {frac[1]:.2f}")

# %% [markdown]
# Thirty raid nights of 24 drones, with binomial noise around those fractions, in the record's
# CSV layout:

# %%
HEADER = (
    "time_start,time_end,model,launch_place,target,target_main,launched,destroyed,"
    "not_reach_goal,still_attacking,border_crossing,is_shahed,num_hit_location,"
    "num_fall_fragment_location,carrier,turbojet,turbojet_destroyed,affected region,"
    "destroyed_details,launched_details,launch_place_details,source"
).split(",")
rng = np.random.default_rng(np.random.SeedSequence(2024))
with open("record.csv", "w", newline="", encoding="utf-8") as f:
    w = csv.DictWriter(f, fieldnames=HEADER)
    w.writeheader()
    for day in pd.date_range("2024-10-01", periods=30):
        n = 24
        d = int(rng.binomial(n, frac[0]))
        lost = int(rng.binomial(n - d, frac[1] / max(1e-9, 1 - frac[0])))
        row = dict.fromkeys(HEADER, "")
        row.update(
            time_start=f"{day:%Y-%m-%d} 19:00", time_end=f"{day + pd.Timedelta(days=1):%Y-%m-%d} 08:00",
            model="Shahed-136/131", target="Ukraine", launched=f"{n}.0", destroyed=f"{d}.0",
            not_reach_goal=f"{lost}.0", border_crossing="{}", source=f"made-up/{day:%Y%m%d}",
        )  # fmt: skip
        w.writerow(row)
record = read_daily_csv("record.csv").frame
record[["night", "kind", "launched", "destroyed", "lost"]].head()

# %% [markdown]
# The fit: a grid of engine runs per period (common random numbers across the grid), a smooth
# surface through it, the best shift, and a bootstrap over nights for its interval.

# %%
res = calibrate(
    record, sim, period="all", kin_grid=(-2.0, 0.0, 1.0, 2.0), ew_grid=(-2.0, 0.0, 2.0),
    reps=REPS, bootstrap=100, seed=3,
)  # fmt: skip
params = res.params()
params[["period", "kind", "nights", "kin_shift", "kin_lo", "kin_hi", "ew_shift", "ew_lo", "ew_hi"]]

# %%
row = params[params["kind"] == "drone"].iloc[0]
print(
    f"true drone shift {TRUE_SHIFT:+.2f}; fitted {row['kin_shift']:+.2f} "
    f"[{row['kin_lo']:+.2f}, {row['kin_hi']:+.2f}] (95 % bootstrap interval)"
)

# %% [markdown]
# What the fit looks at: the engine's destroyed fraction as the kinetic shift moves (common
# random numbers: one seed for every point), against the record's fraction and its 95 %
# interval. The fitted shift is where the curve meets the record.

# %%
import plotly.graph_objects as go

shifts = [-2.0, -1.0, 0.0, 0.5, 1.0, 1.5, 2.0]
curve = [sim.fractions(raid, {"drone": s}, 0.0, REPS, 3)["drone"][0] for s in shifts]
obs = res.report.iloc[0]
fig = go.Figure(go.Scatter(x=shifts, y=curve, mode="lines+markers", name="engine"))
fig.add_hrect(y0=obs["obs_destroyed_lo"], y1=obs["obs_destroyed_hi"], fillcolor="#c62828",
              opacity=0.15, line_width=0, annotation_text="record, 95 %")  # fmt: skip
fig.add_vline(x=row["kin_shift"], line_dash="dash", annotation_text="fitted")
fig.update_layout(
    title="Destroyed fraction of drones against the kinetic logit shift",
    xaxis_title="shift of logit(pk), drones",
    yaxis_title="destroyed / launched",
    height=380,
)
fig

# %% [markdown]
# Observed against simulated fractions per month, with the record's 95 % interval:

# %%
res.report
