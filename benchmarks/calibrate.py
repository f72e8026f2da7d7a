"""Share model: fit time and rolling backtests against persistence inside the training slice.

    python benchmarks/calibrate.py [CSV] [--repeats 5] [--sims 1000] [--level reverting] [--json]

CSV defaults to ``../shared/data/attacks/missile_attacks_daily.csv`` next to the repository (or
``$AIRSHIELD_ATTACKS_CSV``). The data set is CC BY-NC-SA 4.0 and is read in place, never copied.

Prints the CPU time (``time.process_time``, median of ``--repeats``) of one fit on the whole
slice, then, for several backtests (origins inside the slice, each fitted on the nights before
its origin only, scored on the big raids of the following months), the drone MAE in points of
neutralised share for the model and the persistence baselines, their ratios, the share of raids
within +/-5 points and the 90 % interval coverage. The machine is shared: CPU time, not wall.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

DEFAULT = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "data"
    / "attacks"
    / "missile_attacks_daily.csv"
)

BACKTESTS: tuple[dict[str, Any], ...] = (
    {"first_origin": "2024-11", "last_origin": "2024-11", "horizon_months": 6},
    {"first_origin": "2024-07", "last_origin": "2025-01", "horizon_months": 3},
    {"first_origin": "2024-03", "last_origin": "2025-02", "horizon_months": 6},
    {"first_origin": "2024-07", "last_origin": "2025-04", "horizon_months": 1},
    {"first_origin": "2023-10", "last_origin": "2024-05", "horizon_months": 12},
)
"""Backtests run: the issue's one origin (fit to 2024-10-31, score 2024-11 to 2025-04), rolling
monthly origins with 1-, 3- and 6-month horizons, and 12 months ahead (the horizon of a fit
judged on a year of later nights)."""

LEVELS: dict[str, dict[str, bool]] = {
    "reverting": {"local_level": True, "level_reverts": True},
    "walk": {"local_level": True, "level_reverts": False},
    "none": {"local_level": False},
}
"""Share-level variants: the default (Ornstein-Uhlenbeck), a random walk, the static regression."""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("csv", nargs="?", default=os.environ.get("AIRSHIELD_ATTACKS_CSV", str(DEFAULT)))
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--sims", type=int, default=1000)
    ap.add_argument("--min-drones", type=int, default=100)
    ap.add_argument("--level", choices=sorted(LEVELS), default="reverting")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    path = Path(args.csv)
    if not path.exists():
        print(f"{path}: file not found (give the daily-attack CSV as an argument)", file=sys.stderr)
        return 2

    from airshield.calibrate.predictive import fit_predictive, raid_table
    from airshield.calibrate.share_backtest import rolling_share_backtest
    from airshield.history.importer import read_daily_csv

    raids = raid_table(read_daily_csv(path).frame)
    fit_cpu = []
    for _ in range(args.repeats):
        t = time.process_time()
        fit_predictive(raids, until="2025-04-30", **LEVELS[args.level])
        fit_cpu.append(time.process_time() - t)
    out: dict[str, Any] = {
        "csv": str(path),
        "level": args.level,
        "fit_cpu_s_median": statistics.median(fit_cpu),
        "fit_cpu_s": fit_cpu,
        "backtests": [],
    }
    for spec in BACKTESTS:
        t = time.process_time()
        bt = rolling_share_backtest(
            raids, min_drones=args.min_drones, sims=args.sims, **LEVELS[args.level], **spec
        )
        cpu = time.process_time() - t
        m = bt.metrics[bt.metrics["kind"] == "drone"].set_index("method")
        out["backtests"].append(
            {
                **spec,
                "cpu_s": cpu,
                "raids": int(m.loc["model", "raids"]),
                "mae": {k: float(m.loc[k, "mae"]) for k in m.index},
                "within5": {k: float(m.loc[k, "within5"]) for k in m.index},
                "mae_ratio_last_month": float(m.loc["model", "mae_ratio_last_month"]),
                "mae_ratio_last_3_months": float(m.loc["model", "mae_ratio_last_3_months"]),
                "coverage90": float(m.loc["model", "coverage90"]),
                "bias": float(m.loc["model", "bias"]),
            }
        )
    if args.json:
        print(json.dumps(out, indent=2))
        return 0
    print(
        f"level {args.level}; fit on the slice (to 2025-04-30): "
        f"{out['fit_cpu_s_median']:.2f} s CPU (median of {args.repeats})"
    )
    print(
        "origins           horizon raids  MAE model / last month / last 3 m   "
        "ratio 1m  ratio 3m  ±5 pts  cover90  bias   CPU s"
    )
    for b in out["backtests"]:
        mae = b["mae"]
        print(
            f"{b['first_origin']}..{b['last_origin']}  {b['horizon_months']:>4} m {b['raids']:>6}  "
            f"{mae['model']:5.2f} / {mae['last_month']:5.2f} / {mae['last_3_months']:5.2f}"
            f"        {b['mae_ratio_last_month']:6.3f}    {b['mae_ratio_last_3_months']:6.3f}"
            f"   {b['within5']['model']:5.2f}   {b['coverage90']:5.2f}  {b['bias']:+5.2f}"
            f"  {b['cpu_s']:6.1f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
