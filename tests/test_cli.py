"""The airshield command line: exit codes, JSON, Parquet, and no tracebacks on bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from airshield.cli import app

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
runner = CliRunner()


def test_run_json_and_parquet(tmp_path: Path) -> None:
    out = tmp_path / "r.parquet"
    res = runner.invoke(
        app,
        [
            "run",
            str(EXAMPLES / "one-battery.yaml"),
            "--reps",
            "8",
            "--seed",
            "3",
            "--json",
            "--out",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    s = json.loads(res.stdout)
    assert s["reps"] == 8 and s["seed"] == 3
    assert {t["threat_type"] for t in s["threats"]} == {"shahed-136", "gerbera", "kalibr"}
    df = pd.read_parquet(out)
    assert {"rep", "threat_type", "launched", "destroyed", "lost", "leaked"} <= set(df.columns)
    assert len(df) == 8 * 3


def test_run_table() -> None:
    res = runner.invoke(app, ["run", str(EXAMPLES / "one-battery.yaml"), "--reps", "5"])
    assert res.exit_code == 0, res.output
    assert "Outcomes by threat type" in res.stdout and "shahed-136" in res.stdout


def test_validate_ok_and_bad(tmp_path: Path) -> None:
    res = runner.invoke(app, ["validate", str(EXAMPLES / "kyiv-2025-07-04.yaml")])
    assert res.exit_code == 0 and "550 threats" in res.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text((EXAMPLES / "one-battery.yaml").read_text().replace("count: 40", "count: -40"))
    res = runner.invoke(app, ["validate", str(bad)])
    assert res.exit_code == 2
    assert "waves[0].count" in res.output and "bad.yaml:" in res.output


def test_bad_input_never_prints_a_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nassets: 3\n")
    for args in (
        ["run", str(bad)],
        ["validate", str(bad)],
        ["run", str(tmp_path / "missing.yaml")],
    ):
        proc = subprocess.run(
            [sys.executable, "-m", "airshield.cli", *args], capture_output=True, text=True
        )
        assert proc.returncode == 2, proc.stderr
        assert "Traceback" not in proc.stderr + proc.stdout
        assert "error" in proc.stderr or "invalid" in proc.stderr


def test_catalog_lists_types_and_sources() -> None:
    res = runner.invoke(app, ["catalog"])
    assert res.exit_code == 0
    for word in ("shahed-136", "patriot", "Sources", "CSIS"):
        assert word in res.stdout
    res = runner.invoke(app, ["catalog", "--json"])
    data = json.loads(res.stdout)
    assert len(data["threats"]) >= 7 and len(data["effectors"]) >= 6


def test_error_paths_with_brackets_are_printed_literally(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    text = (
        (EXAMPLES / "one-battery.yaml")
        .read_text()
        .replace("targets: {city: 1}", "targets: {moon: 1}")
    )
    bad.write_text(text)
    proc = subprocess.run(
        [sys.executable, "-m", "airshield.cli", "run", str(bad)], capture_output=True, text=True
    )
    assert proc.returncode == 2
    assert "waves[1].targets.moon" in proc.stderr


def test_demo_runs_the_reference_raid() -> None:
    res = runner.invoke(app, ["demo", "--reps", "4", "--workers", "1"])
    assert res.exit_code == 0, res.output
    assert "kyiv-2025-07-04" in res.stdout and "550" in res.stdout
    res = runner.invoke(app, ["demo", "--help"])
    assert res.exit_code == 0


def test_print_input_error_keeps_bracketed_names(capsys) -> None:  # type: ignore[no-untyped-def]
    from airshield.cli.kit import print_input_error
    from airshield.errors import Problem, ScenarioError

    print_input_error(
        ScenarioError("c.yaml", [Problem("defender.pools[sam-rounds].stock", "bad", 3)])
    )
    assert "c.yaml:3: defender.pools[sam-rounds].stock: bad" in capsys.readouterr().err
