"""Share model, layered fit and tempo: fit times and rolling backtests inside the training slice.

    python benchmarks/calibrate.py [CSV] [--repeats 5] [--sims 1000] [--level reverting]
        [--tempo-sims 300] [--no-tempo] [--json]

CSV defaults to ``../shared/data/attacks/missile_attacks_daily.csv`` next to the repository (or
``$AIRSHIELD_ATTACKS_CSV``). The data set is CC BY-NC-SA 4.0 and is read in place, never copied.

Prints the CPU time (``time.process_time``, median of ``--repeats``) of one fit on the whole
slice, then, for several backtests (origins inside the slice, each fitted on the nights before
its origin only, scored on the big raids of the following months), the drone MAE in points of
neutralised share for the model and the persistence baselines, their ratios, the share of raids
within +/-5 points and the 90 % interval coverage; the CPU time of the layered drone fit
(coverage apart from pk, :mod:`airshield.calibrate.layers`); and the tempo model's one-month-ahead
MAE over the 3-month mean's and its 80 % coverage (drones, missiles) for several origin ranges of
one rolling backtest (each origin fitted on the nights before it only). The machine is shared:
CPU time, not wall.
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
    {"first_origin": "2025-01", "last_origin": "2025-01", "horizon_months": 4},
    {"first_origin": "2024-07", "last_origin": "2025-01", "horizon_months": 3},
    {"first_origin": "2024-03", "last_origin": "2025-02", "horizon_months": 6},
    {"first_origin": "2024-07", "last_origin": "2025-04", "horizon_months": 1},
    {"first_origin": "2023-10", "last_origin": "2024-05", "horizon_months": 12},
)
"""Backtests run: the issue's one origin (fit to 2024-10-31, score 2024-11 to 2025-04), one fit
to 2024-12-31 scored on 2025-01 to 2025-04, rolling
monthly origins with 1-, 3- and 6-month horizons, and 12 months ahead (the horizon of a fit
judged on a year of later nights)."""

LEVELS: dict[str, dict[str, bool]] = {
    "reverting": {"local_level": True, "level_reverts": True},
    "walk": {"local_level": True, "level_reverts": False},
    "none": {"local_level": False},
}
"""Share-level variants: the default (Ornstein-Uhlenbeck), a random walk, the static regression."""

TEMPO_RANGES: tuple[tuple[str, str], ...] = (
    ("2023-06", "2025-04"),
    ("2023-06", "2024-06"),
    ("2024-01", "2025-04"),
    ("2024-07", "2025-04"),
)
"""Origin ranges the tempo ratios are reported for (one backtest, scored by range)."""


def tempo_ratios(series: Any, sims: int) -> tuple[float, list[dict[str, Any]]]:
    """CPU time of the rolling tempo backtest and its one-month ratios per origin range."""
    import numpy as np

    from airshield.calibrate.backtest import rolling_origin

    t = time.process_time()
    bt = rolling_origin(
        series, first_origin=TEMPO_RANGES[0][0], sims=sims, kinds=("drones", "missiles")
    )
    cpu = time.process_time() - t
    f = bt.forecasts[bt.forecasts["horizon"] == 1]
    rows = []
    for lo, hi in TEMPO_RANGES:
        sel = f[(f["origin"].astype(str).str[:7] >= lo) & (f["origin"].astype(str).str[:7] <= hi)]
        for kind in ("drones", "missiles"):
            k = sel[sel["kind"] == kind]
            err = {
                m: float(np.mean(np.abs(g["forecast"] - g["actual"])))
                for m, g in k.groupby("method")
            }
            mod = k[k["method"] == "model"]
            inside = (mod["lo80"] <= mod["actual"]) & (mod["actual"] <= mod["hi80"])
            rows.append(
                {
                    "origins": f"{lo}..{hi}",
                    "kind": kind,
                    "months": len(mod),
                    "mae_ratio_mean_3_months": err["model"] / err["mean_3_months"],
                    "coverage80": float(inside.mean()),
                }
            )
    return cpu, rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("csv", nargs="?", default=os.environ.get("AIRSHIELD_ATTACKS_CSV", str(DEFAULT)))
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--sims", type=int, default=1000)
    ap.add_argument("--min-drones", type=int, default=100)
    ap.add_argument("--level", choices=sorted(LEVELS), default="reverting")
    ap.add_argument("--tempo-sims", type=int, default=300)
    ap.add_argument("--no-tempo", action="store_true", help="skip the tempo backtest")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    path = Path(args.csv)
    if not path.exists():
        print(f"{path}: file not found (give the daily-attack CSV as an argument)", file=sys.stderr)
        return 2

    from airshield.calibrate.layers import fit_layers
    from airshield.calibrate.predictive import fit_predictive, raid_table
    from airshield.calibrate.share_backtest import rolling_share_backtest
    from airshield.calibrate.tempo import nightly_series
    from airshield.history.importer import read_daily_csv

    frame = read_daily_csv(path).frame
    raids = raid_table(frame)
    layer_cpu = []
    for _ in range(args.repeats):
        t = time.process_time()
        fit_layers(frame, until="2025-04-30")
        layer_cpu.append(time.process_time() - t)
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
        "layers_fit_cpu_s_median": statistics.median(layer_cpu),
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
    if not args.no_tempo:
        cpu, rows = tempo_ratios(nightly_series(frame), args.tempo_sims)
        out["tempo"] = {"cpu_s": cpu, "sims": args.tempo_sims, "ranges": rows}
    if args.json:
        print(json.dumps(out, indent=2))
        return 0
    print(
        f"level {args.level}; fit on the slice (to 2025-04-30): "
        f"{out['fit_cpu_s_median']:.2f} s CPU (median of {args.repeats})"
    )
    print(
        "origins           horizon raids  MAE model / last month / last 3 m   "
        "ratio 1m  ratio 3m  ±5 model/l3m  cover90  bias   CPU s"
    )
    for b in out["backtests"]:
        mae = b["mae"]
        print(
            f"{b['first_origin']}..{b['last_origin']}  {b['horizon_months']:>4} m {b['raids']:>6}  "
            f"{mae['model']:5.2f} / {mae['last_month']:5.2f} / {mae['last_3_months']:5.2f}"
            f"        {b['mae_ratio_last_month']:6.3f}    {b['mae_ratio_last_3_months']:6.3f}"
            f"   {b['within5']['model']:4.2f} / {b['within5']['last_3_months']:4.2f}"
            f"   {b['coverage90']:5.2f}  {b['bias']:+5.2f}"
            f"  {b['cpu_s']:6.1f}"
        )
    print(f"layered drone fit (to 2025-04-30): {out['layers_fit_cpu_s_median']:.2f} s CPU")
    if "tempo" in out:
        print(
            f"tempo, one month ahead ({out['tempo']['cpu_s']:.0f} s CPU for the rolling "
            "backtest): model MAE / 3-month mean's, 80 % coverage"
        )
        for r in out["tempo"]["ranges"]:
            print(
                f"  {r['origins']}  {r['kind']:8s} {r['months']:>3} months  "
                f"{r['mae_ratio_mean_3_months']:.3f}  {r['coverage80']:.2f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
