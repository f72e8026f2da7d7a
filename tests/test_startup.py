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


def test_a_command_run_builds_only_its_own_command() -> None:
    """``main`` hands typer an app holding just the command named on the command line (typer
    builds every command it holds on each run); anything else gets the whole app."""
    from airshield.cli import _command_app, app

    lean = _command_app(["validate", "x.yaml"])
    assert lean is not app
    assert [c.callback.__name__ for c in lean.registered_commands] == ["validate"]  # type: ignore[union-attr]
    assert lean.registered_groups == []
    assert lean.registered_callback is not None and app.registered_callback is not None
    assert lean.registered_callback.callback is app.registered_callback.callback
    group = _command_app(["campaign", "run", "x.yaml"])
    assert [g.name for g in group.registered_groups] == ["campaign"]
    assert group.registered_commands == []
    for argv in ([], ["--help"], ["--version"], ["no-such-command"]):
        assert _command_app(argv) is app


def test_command_modules_name_every_command_of_the_whole_app() -> None:
    """``COMMAND_MODULES`` (what a run imports for its first word) lists exactly the commands
    and groups of the whole app, each with the module that registers it, in the help's order."""
    import importlib

    import typer
    from typer.main import get_command_name

    from airshield.cli import COMMAND_MODULES, app

    def names(a: typer.Typer) -> list[str]:
        return [
            c.name or get_command_name(c.callback.__name__)  # type: ignore[union-attr]
            for c in a.registered_commands
        ] + [str(g.name) for g in a.registered_groups]

    assert sorted(names(app)) == sorted(COMMAND_MODULES)
    for module in set(COMMAND_MODULES.values()):
        alone = typer.Typer()
        importlib.import_module(f"airshield.cli.{module}").register(alone)
        assert sorted(names(alone)) == sorted(n for n, m in COMMAND_MODULES.items() if m == module)


def test_a_run_imports_only_its_command_module() -> None:
    """``airshield validate`` imports the raid command module and neither rich nor another
    command group's module (they cost start-up time: issue 14)."""
    mods = loaded("validate", str(EXAMPLES / "one-battery.yaml"))
    cli = sorted(m for m in mods if m.startswith("airshield.cli."))
    assert cli == ["airshield.cli.kit", "airshield.cli.raid"], cli
    assert offenders(mods, ("rich",)) == []


def test_help_of_a_command_and_errors_match_the_whole_app(tmp_path: Path) -> None:
    """The lean app prints the same help, usage errors and exit codes as the whole one."""
    from typer.testing import CliRunner

    from airshield.cli import _command_app, app

    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [unclosed\n")
    runner = CliRunner()
    for argv in (
        ["validate", "--help"],
        ["campaign", "--help"],
        ["run", "--reps", "0", str(bad)],
        ["validate", str(bad)],
        ["wta", "--help"],
    ):
        whole = runner.invoke(app, argv)
        lean = runner.invoke(_command_app(argv), argv)
        assert (lean.exit_code, lean.output) == (whole.exit_code, whole.output), argv


def test_the_command_line_loads_no_pydantic_plugins() -> None:
    """pydantic's plugin scan (entry points of every distribution) is off in the CLI only."""
    code = (
        "import os, runpy, sys\n"
        "sys.argv = ['airshield', 'validate', sys.argv[1]]\n"
        "try:\n    runpy.run_module('airshield', run_name='__main__')\n"
        "except SystemExit as exc:\n    assert exc.code in (0, None), exc.code\n"
        "import pydantic.plugin._loader as L\n"
        "print(os.environ.get('PYDANTIC_DISABLE_PLUGINS'), L._plugins)\n"
    )
    res = subprocess.run(
        [sys.executable, "-c", code, str(EXAMPLES / "kyiv-2025-07-04.yaml")],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    assert res.stdout.split()[-2:] == ["__all__", "None"]
