"""Out-of-sample share prediction in a few lines: fit to a date, predict later nights, backtest,
and the layered fit (EW and kinetic coverage apart from each layer's kill probability).

    python examples/calibrate_predict.py [CSV]

CSV defaults to ``../shared/data/attacks/missile_attacks_daily.csv`` (read in place: the data set
is CC BY-NC-SA 4.0 and is not part of this repository). The nights predicted are the invented
raids of ``examples/nights-to-predict.csv``. The same from the command line:

    airshield calibrate fit CSV --until 2025-04-30 --no-engine --out cal/
    airshield calibrate predict cal/ examples/nights-to-predict.csv --out pred.csv
    airshield calibrate backtest CSV --first-origin 2024-07 --last-origin 2025-01
"""

from __future__ import annotations

import sys
from pathlib import Path

from airshield.calibrate.layers import fit_layers
from airshield.calibrate.predictive import fit_predictive, raid_table, read_nights
from airshield.calibrate.share_backtest import rolling_share_backtest
from airshield.history.importer import read_daily_csv

HERE = Path(__file__).resolve().parent
DEFAULT = HERE.parents[1] / "shared" / "data" / "attacks" / "missile_attacks_daily.csv"


def main(path: Path) -> None:
    frame = read_daily_csv(path).frame
    raids = raid_table(frame)
    model = fit_predictive(raids, until="2025-04-30")
    print("share model fitted to 2025-04-30 (posterior mode and 90 % interval):")
    print(model.params().query("active")[["kind", "term", "mode", "lo90", "hi90"]].round(3))
    nights = read_nights(HERE / "nights-to-predict.csv")
    pred = model.predict(nights, sims=2000)
    print("\npredicted neutralised share (mean, 90 % interval):")
    for r in pred.itertuples(index=False):
        parts = [
            f"{r.night:%Y-%m-%d}: {int(r.drones)} drones, {int(r.cruise + r.ballistic)} missiles"
        ]
        for kind in ("drone", "missile"):
            m = getattr(r, f"{kind}_neutralised_mean")
            if m == m:  # not NaN
                lo, hi = getattr(r, f"{kind}_neutralised_p5"), getattr(r, f"{kind}_neutralised_p95")
                parts.append(f"{kind} {100 * m:.1f} % [{100 * lo:.1f}, {100 * hi:.1f}]")
        print("  " + "; ".join(parts))
    layers = fit_layers(frame, until="2025-04-30")
    print("\nlayered drone fit to 2025-04-30: coverage moves with raid size, pk does not")
    cols = ["drones", "ew_coverage_mean", "ew_pk_mean", "kin_coverage_mean", "kin_pk_mean"]
    cols += ["lost_mean", "destroyed_mean", "neutralised_mean", "neutralised_p5", "neutralised_p95"]
    print(layers.shares([100.0, 300.0, 800.0])[cols].round(3).to_string(index=False))
    bt = rolling_share_backtest(
        raids, first_origin="2024-07", last_origin="2025-01", horizon_months=3, sims=500
    )
    print("\nbacktest, origins 2024-07 … 2025-01, 3 months ahead, raids of 100+ drones:")
    print(bt.metrics.round(3).to_string(index=False))


if __name__ == "__main__":
    csv = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    if not csv.exists():
        print(f"{csv}: file not found (give the daily-attack CSV as an argument)", file=sys.stderr)
        sys.exit(2)
    main(csv)
