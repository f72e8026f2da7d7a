"""Rolling-origin backtest of the raid-tempo model on the public record (figures for the docs).

    python benchmarks/tempo_backtest.py [CSV] [--first-origin 2023-06] [--sims 1000]
        [--window 120] [--halflife 30] [--trend] [--lookback 4] [--error-months 12] [--phi 0.8]
        [--horizons 3] [--select]

Prints per kind (and for the aggregates ``drones`` and ``missiles``) the one-month-ahead MAE,
RMSE, MAPE, sMAPE, MAE relative to the last-month and 3-month-mean baselines and the coverage of
the model's 80 % / 95 % intervals, for the model and the two naive baselines, and the CPU time
(``time.process_time``; the development machine is shared). The data set is read in place
(CC BY-NC-SA 4.0), never copied.

``--select`` runs the model-class selection protocol instead: every level class (the
Bates-Granger combination and each forecaster of ``CANDIDATES`` alone) is backtested one month
ahead; the class with the lowest MAE over the 3-month mean's on the *early* origins
(``--early``, default 2023-06 … 2024-06) is chosen per series, and its ratio on the *late*
origins (``--late``, default 2024-07 … 2025-04) is the confirmation, with no re-tuning. Both
slices are printed for every class.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import pandas as pd

from airshield.calibrate.backtest import rolling_origin
from airshield.calibrate.tempo import CANDIDATES, RULES, nightly_series
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
    ap.add_argument("--select", action="store_true", help="run the class selection protocol")
    ap.add_argument("--early", default="2023-06:2024-06", help="selection origins FIRST:LAST")
    ap.add_argument("--late", default="2024-07:2025-04", help="confirmation origins FIRST:LAST")
    args = ap.parse_args()
    if not Path(args.csv).exists():
        print(f"{args.csv}: file not found", file=sys.stderr)
        return 2
    series = nightly_series(read_daily_csv(args.csv).frame)
    if args.select:
        return select(series, args)
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


def _ratio(forecasts: pd.DataFrame, kind: str, lo: str, hi: str) -> tuple[float, float, int]:
    """MAE over the 3-month mean's and 80 % coverage of one series on origins lo..hi."""
    f = forecasts[(forecasts["kind"] == kind) & (forecasts["horizon"] == 1)]
    f = f[(f["origin"] >= lo) & (f["origin"] <= hi)]
    err = (f["forecast"] - f["actual"]).abs()
    model = f["method"] == "model"
    base = f["method"] == "mean_3_months"
    m = f[model]
    cover = float(((m["actual"] >= m["lo80"]) & (m["actual"] <= m["hi80"])).mean())
    return float(err[model].mean() / err[base].mean()), cover, int(model.sum())


def select(series: pd.DataFrame, args: argparse.Namespace) -> int:
    """The class selection protocol (see the module docstring)."""
    early = args.early.split(":")
    late = args.late.split(":")
    classes: list[str | None] = [None, *CANDIDATES]
    table = []
    t = time.process_time()
    for c in classes:
        bt = rolling_origin(
            series,
            first_origin=early[0],
            last_origin=late[1],
            sims=min(args.sims, 200),
            seed=args.seed,
            kinds=("drones", "missiles"),
            rules={"drones": c, "missiles": c},
        )
        for kind in ("drones", "missiles"):
            e, ec, _ = _ratio(bt.forecasts, kind, *early)
            lt, lc, _ = _ratio(bt.forecasts, kind, *late)
            a, ac, _ = _ratio(bt.forecasts, kind, early[0], late[1])
            name = c or "combination"
            table.append((kind, name, e, ec, lt, lc, a, ac))
    elapsed = time.process_time() - t
    print(
        f"class selection: chosen on origins {early[0]} … {early[1]}, confirmed on "
        f"{late[0]} … {late[1]}; one month ahead, MAE / 3-month mean's (80 % coverage); "
        f"{elapsed:.1f} s CPU"
    )
    print(f"{'series':9} {'class':17} {'early':>14} {'late':>14} {'all':>14}")
    for kind in ("drones", "missiles"):
        rows = [r for r in table if r[0] == kind]
        low = min(r[2] for r in rows)
        # classes whose early forecasts score the same (e.g. ``significant_trend`` is the
        # 3-month mean wherever no six-month trend is significant): the early origins cannot
        # tell them apart, and each is reported with its confirmation
        tied = [r for r in rows if abs(r[2] - low) < 1e-9]
        default = RULES.get(kind, "combination")
        for r in rows:
            mark = "  <- chosen" if r in tied else ""
            mark += "  (default)" if r[1] == default else ""
            print(
                f"{kind:9} {r[1]:17} {r[2]:7.3f} ({r[3]:.2f}) {r[4]:7.3f} ({r[5]:.2f}) "
                f"{r[6]:7.3f} ({r[7]:.2f}){mark}"
            )
        for r in tied:
            print(
                f"{kind}: chosen {r[1]} (early {r[2]:.3f}"
                + (f", tied with {len(tied) - 1} other class(es)" if len(tied) > 1 else "")
                + f"); confirmation on the late origins {r[4]:.3f} (target <= 0.8), "
                f"80 % coverage {r[5]:.2f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
