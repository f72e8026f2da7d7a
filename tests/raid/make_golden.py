"""Regenerate tests/raid/golden/one_battery_seed42.json (only after a deliberate model change)."""

from __future__ import annotations

import json
from pathlib import Path

import airshield

HERE = Path(__file__).resolve().parent
r = airshield.load_scenario(HERE.parents[1] / "examples" / "one-battery.yaml").simulate(
    reps=25, seed=42
)
out = {
    "outcomes_sum": r.outcomes.sum(axis=0).tolist(),
    "shots_sum": r.shots.sum(axis=0).tolist(),
    "hits_sum": r.hits.sum(axis=0).tolist(),
}
(HERE / "golden" / "one_battery_seed42.json").write_text(json.dumps(out, indent=1) + "\n")
print(out)

# the reference raid, 130 replications (two kernel batches), seed 3
k = airshield.load_scenario(HERE.parents[1] / "examples" / "kyiv-2025-07-04.yaml").simulate(
    reps=130, seed=3
)
kyiv = {
    "outcomes_per_rep": k.outcomes.sum(axis=1).tolist(),
    "unit_shots_sum": k.unit_shots.sum(axis=0).tolist(),
    "hits_sum": k.hits.sum(axis=0).tolist(),
}
(HERE / "golden" / "kyiv_seed3.json").write_text(json.dumps(kyiv) + "\n")
