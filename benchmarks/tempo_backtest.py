"""Rolling-origin backtest of the raid-tempo model on the public record (figures for the docs).

    python benchmarks/tempo_backtest.py [CSV] [--first-origin 2023-06] [--sims 1000]
        [--window 120] [--halflife 30] [--trend] [--lookback 4] [--error-months 12] [--phi 0.8]
        [--horizons 3]

Prints per kind (and for the aggregates ``drones`` and ``missiles``) the one-month-ahead MAE,
RMSE, MAPE, sMAPE, MAE relative to the last-month and 3-month-mean baselines and the coverage of
the model's 80 % / 95 % intervals, for the model and the two naive baselines, and the CPU time
(``time.process_time``; the development machine is shared). The data set is read in place
(CC BY-NC-SA 4.0), never copied.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import pandas as pd

from airshield.calibrate.backtest import rolling_origin
from airshield.calibrate.tempo import nightly_series
from airshield.history.importer import read_daily_csv

DEFAULT = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "data"
    / "attacks"
    / "missile_attacks_daily.csv"
)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("csv", nargs="?", default=os.environ.get("AIRSHIELD_ATTACKS_CSV", str(DEFAULT)))
    ap.add_argument("--first-origin", default="2023-06")
    ap.add_argument("--sims", type=int, default=1000)
    ap.add_argument("--window", type=int, default=120)
    ap.add_argument("--halflife", type=float, default=30.0)
    ap.add_argument("--trend", action="store_true")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--lookback", type=int, default=4, help="months scoring the forecasters")
    ap.add_argument("--error-months", type=int, default=12, help="months of past errors")
    ap.add_argument("--phi", type=float, default=0.8, help="monthly damping")
    ap.add_argument("--horizons", type=int, default=3, help="months ahead scored per origin")
    args = ap.parse_args()
    if not Path(args.csv).exists():
        print(f"{args.csv}: file not found", file=sys.stderr)
        return 2
    series = nightly_series(read_daily_csv(args.csv).frame)
    t = time.process_time()
    bt = rolling_origin(
        series,
        first_origin=args.first_origin,
        window_nights=args.window,
        trend=args.trend,
        halflife_nights=args.halflife or None,
        sims=args.sims,
        seed=args.seed,
        lookback_months=args.lookback,
        error_months=args.error_months,
        phi=args.phi,
        horizons=args.horizons,
    )
    elapsed = time.process_time() - t
    pd.set_option("display.width", 200)
    origins = sorted(bt.forecasts["origin"].unique())
    print(
        f"origins {origins[0]} … {origins[-1]} ({len(origins)} months), window {args.window} "
        f"nights, half-life {args.halflife}, trend {args.trend}; {elapsed:.1f} s CPU"
    )
    print(bt.metrics.round(3).to_string(index=False))
    for r in bt.metrics[bt.metrics["method"] == "model"].to_dict(orient="records"):
        if r["kind"] in ("drones", "missiles"):
            print(
                f"{r['kind']}: MAE {r['mae_vs_mean_3_months']:.3f} x mean_3_months "
                f"(target <= 0.8), 80 % coverage {r['coverage80']:.2f} (target 0.70-0.90)"
            )
    if bt.by_horizon is not None and args.horizons > 1:
        cols = ["horizon", "kind", "method", "origins", "mae", "rmse", "mae_vs_last_month"]
        cols += ["mae_vs_mean_3_months", "coverage80", "coverage95"]
        h = bt.by_horizon[bt.by_horizon["kind"].isin(["drones", "missiles"])]
        print("per horizon (months ahead of the origin; baselines from the months before it):")
        print(h[cols].round(3).to_string(index=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
