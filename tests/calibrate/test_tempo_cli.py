"""`airshield tempo backtest|forecast` as real subprocesses on a generated record."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from calibrate.synth_record import write_record


def _record(tmp_path: Path) -> Path:
    rng = np.random.default_rng(np.random.SeedSequence(17))
    nights = []
    for i, day in enumerate(pd.date_range("2023-01-01", periods=540, freq="D")):
        mu = 30.0 * np.exp(0.03 * i / 30.4375)
        n = int(rng.negative_binomial(4, 4 / (4 + mu)))
        counts = {"drone": (n, int(0.8 * n), None)} if n else {}
        if i % 4 == 0:
            counts["cruise_missile"] = (int(rng.integers(2, 12)), 1, None)
        if counts:
            nights.append((day, counts))
    return write_record(tmp_path / "record.csv", nights)


def _airshield(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "airshield", *args],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_backtest_json_and_table(tmp_path: Path) -> None:
    rec = _record(tmp_path)
    r = _airshield("tempo", "backtest", str(rec), "--sims", "200", "--json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    for kind in ("drones", "missiles"):
        s = doc["summary"][kind]
        assert s["origins"] >= 10
        assert s["mae_vs_mean_3_months"] > 0 and 0.0 <= s["coverage80"] <= 1.0
    m = {(x["kind"], x["method"]): x for x in doc["metrics"]}
    assert m[("drones", "mean_3_months")]["mae_vs_mean_3_months"] == 1.0
    r = _airshield("tempo", "backtest", str(rec), "--sims", "200")
    assert r.returncode == 0, r.stderr
    assert "x the 3-month mean's" in r.stdout and "80 % intervals cover" in r.stdout


def test_backtest_per_horizon(tmp_path: Path) -> None:
    rec = _record(tmp_path)
    args = ("tempo", "backtest", str(rec), "--sims", "200")
    one = json.loads(_airshield(*args, "--json").stdout)
    r = _airshield(*args, "--horizons", "2", "--json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["metrics"] == one["metrics"]  # the one-month summary is unchanged
    by = {(x["horizon"], x["kind"], x["method"]): x for x in doc["by_horizon"]}
    assert (
        by[(1, "drones", "model")]["mae_vs_mean_3_months"]
        == (doc["summary"]["drones"]["mae_vs_mean_3_months"])
    )
    h2 = by[(2, "drones", "model")]
    assert h2["origins"] == by[(1, "drones", "model")]["origins"] - 1
    r = _airshield(*args, "--horizons", "2")
    assert r.returncode == 0, r.stderr
    assert "drones, 2 months ahead: MAE" in r.stdout


def test_forecast_long_horizon_json(tmp_path: Path) -> None:
    rec = _record(tmp_path)
    r = _airshield("tempo", "forecast", str(rec), "--months", "13", "--sims", "200", "--json")
    assert r.returncode == 0, r.stderr
    rows = [x for x in json.loads(r.stdout)["forecast"] if x["kind"] == "drones"]
    assert len(rows) >= 13
    first, last = rows[0], rows[-1]
    assert last["hi95"] < 8 * first["median"]  # bounded, not compounding
    assert all(x["lo80"] <= x["median"] <= x["hi80"] for x in rows)
