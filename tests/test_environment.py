"""The locked environment: .ci/run runs the README's test command verbatim, and that command
installs through constraints.txt, which pins every dependency of the dev install."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def readme_test_command() -> str:
    for line in (ROOT / "README.md").read_text().splitlines():
        if "python -m pytest -q" in line and "pip install" in line:
            return line.strip()
    raise AssertionError("README has no test command")


def test_ci_runs_the_readme_command_through_the_constraints() -> None:
    cmd = readme_test_command()
    assert "-c constraints.txt" in cmd
    assert cmd in (ROOT / ".ci" / "run").read_text().splitlines()


def test_constraints_pin_the_dependencies_exactly() -> None:
    lines = [
        ln for ln in (ROOT / "constraints.txt").read_text().splitlines()
        if ln and not ln.startswith("#")
    ]  # fmt: skip
    assert all(re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[A-Za-z0-9_.+!\-]+", ln) for ln in lines), lines
    names = {ln.split("==")[0].lower().replace("_", "-") for ln in lines}
    assert "airshield" not in names
    for dep in ("numpy", "numba", "highspy", "pydantic", "duckdb", "fastapi", "hypothesis", "ruff"):
        assert dep in names, dep


def test_scripts_exist_and_are_executable() -> None:
    for name in ("lock.sh", "test-latest.sh"):
        p = ROOT / "scripts" / name
        assert p.stat().st_mode & 0o111, name
    assert "scripts/test-latest.sh" in (ROOT / "README.md").read_text()
