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
