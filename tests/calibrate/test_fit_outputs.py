"""``calibrate fit`` on a degenerate record is a clean error that leaves no partial outputs, and
``--out`` onto a file fails before the fit."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
from tests.calibrate.synth_record import write_record


def fit(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "airshield", "calibrate", "fit", *args],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip


def test_nan_kill_probability_is_a_clean_error_without_partial_outputs(tmp_path: Path) -> None:
    # 31 valid nights where every drone is destroyed: the fitted pk of some kinds is NaN
    days = pd.date_range("2025-01-01", periods=31)
    rec = write_record(tmp_path / "rec.csv", [(d, {"drone": (10, 10, None)}) for d in days])
    out = tmp_path / "cal"
    res = fit(str(rec), "--reps", "2", "--bootstrap", "0", "--period", "all", "--out", str(out))
    assert res.returncode == 2, res.stderr
    assert "Traceback" not in res.stderr and "finite" in res.stderr
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".cal")] == []


def test_out_onto_a_file_fails_before_the_fit(tmp_path: Path) -> None:
    f = tmp_path / "taken"
    f.write_text("keep")
    res = fit(str(tmp_path / "no-record.csv"), "--out", str(f))
    assert res.returncode == 2
    assert "--out" in res.stderr and "not a folder" in res.stderr
    assert f.read_text() == "keep"
