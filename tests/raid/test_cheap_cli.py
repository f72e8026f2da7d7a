"""`airshield run` on the cheap-layer example, and its validation messages, as subprocesses."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
EXAMPLE = EXAMPLES / "kyiv-cheap-layer-2026.yaml"


def airshield(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "airshield.cli", *args], capture_output=True, text=True, timeout=1200
    )


def test_run_cheap_layer_example_json() -> None:
    proc = airshield("run", str(EXAMPLE), "--reps", "4", "--seed", "3", "--json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)  # exactly one JSON document on stdout
    assert doc["scenario"] == "kyiv-cheap-layer-2026"
    t = doc["totals"]
    assert t["launched"]["mean"] == pytest.approx(
        t["destroyed"]["mean"] + t["lost"]["mean"] + t["leaked"]["mean"]
    )
    by = {e["effector_type"]: e for e in doc["effectors"]}
    assert by["interceptor-drone"]["destroyed"]["mean"] > 0
    assert by["mobile-gun"]["destroyed"]["mean"] > 0


def test_bad_team_group_names_file_line_and_field(tmp_path: Path) -> None:
    text = EXAMPLE.read_text().replace(
        "teams: 6, pool: interceptor-drones}",
        "teams: 6, pool: interceptor-drones, hunt: {recovery: 1}}",
        1,
    )
    bad = tmp_path / "bad.yaml"
    bad.write_text(text)
    proc = airshield("validate", str(bad))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr + proc.stdout
    out = proc.stderr + proc.stdout
    assert "bad.yaml:" in out and "hunt.recovery" in out
    text = EXAMPLE.read_text().replace("track_capacity: 40", "track_capacity: 0", 1)
    bad.write_text(text)
    proc = airshield("validate", str(bad))
    assert proc.returncode == 2 and "track_capacity" in proc.stderr + proc.stdout
