"""Start-up stays cheap: only the command that runs imports its engine (checked structurally, by
the modules a fresh process has loaded, never by time; ``benchmarks/startup.py`` measures)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
HEAVY = ("numba", "scipy", "pandas", "pyarrow", "duckdb", "highspy", "plotly")
ENGINES = ("airshield.campaign", "airshield.kernels", "airshield.raid", "airshield.sweep")

PROBE = """
import json, runpy, sys
sys.argv = ["airshield", *json.loads(sys.argv[1])]
if sys.argv[1:] == ["<import>"]:
    import airshield.cli
else:
    try:
        runpy.run_module("airshield", run_name="__main__")
    except SystemExit as exc:
        code = exc.code
        if code not in (0, None):
            raise
print(json.dumps(sorted(sys.modules)), file=sys.__stderr__)
"""


def loaded(*args: str) -> set[str]:
    """Modules loaded by a fresh interpreter after ``airshield ARGS`` (or ``<import>``)."""
    res = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(list(args))],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert res.returncode == 0, res.stderr[-2000:]
    return set(json.loads(res.stderr.strip().splitlines()[-1]))


def offenders(mods: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(m for m in mods if any(m == n or m.startswith(n + ".") for n in names))


def test_import_cli_loads_no_engine_and_no_numpy() -> None:
    mods = loaded("<import>")
    assert "airshield.cli" in mods and "typer" in mods
    assert offenders(mods, (*HEAVY, *ENGINES, "numpy")) == []


def test_help_loads_no_engine() -> None:
    mods = loaded("--help")
    assert offenders(mods, (*HEAVY, *ENGINES, "numpy")) == []
    mods = loaded("campaign", "--help")
    assert offenders(mods, (*HEAVY, *ENGINES)) == []


def test_validate_loads_the_scenario_layer_only() -> None:
    mods = loaded("validate", str(EXAMPLES / "kyiv-2025-07-04.yaml"))
    assert "airshield.scenario.models" in mods and "airshield.catalog" in mods
    assert offenders(mods, (*HEAVY, *ENGINES, "airshield.assign.registry")) == []


def test_catalog_listing_needs_no_pandas() -> None:
    mods = loaded("catalog")
    assert offenders(mods, (*HEAVY, *ENGINES)) == []


def test_the_run_command_does_load_its_engine() -> None:
    """The probe is not blind: a command that simulates does import the raid engine."""
    mods = loaded("run", str(EXAMPLES / "one-battery.yaml"), "--reps", "2", "--json")
    assert "airshield.raid.montecarlo" in mods and "numpy" in mods


def test_builtin_solver_names_match_the_registry() -> None:
    code = (
        "from airshield.assign import available_assigners\n"
        "from airshield.assign.names import BUILTIN_SOLVER_NAMES, solver_names\n"
        "assert set(available_assigners()) == set(BUILTIN_SOLVER_NAMES) == solver_names(), "
        "(sorted(available_assigners()), BUILTIN_SOLVER_NAMES)\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]


def test_an_unknown_assigner_is_still_an_input_error(tmp_path: Path) -> None:
    text = (EXAMPLES / "one-battery.yaml").read_text()
    bad = tmp_path / "bad.yaml"
    assert "doctrine:" in text
    bad.write_text(text.replace("doctrine:", "doctrine:\n  assigner: simplex-magic", 1))
    res = subprocess.run(
        [sys.executable, "-m", "airshield", "validate", str(bad)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.returncode == 2, res.stdout + res.stderr
    assert "unknown assigner 'simplex-magic'" in res.stderr and "greedy" in res.stderr
    assert "Traceback" not in res.stderr
