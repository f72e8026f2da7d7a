"""``--workers`` has one meaning and one default on every command (airshield.workers)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from airshield.cli import app
from airshield.workers import DEFAULT_WORKERS, available_cpus, resolve_workers

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _commands(cmd: Any, prefix: str = "") -> dict[str, Any]:
    """Every command by its full name (typer vendors click: duck-typed)."""
    out = {prefix.strip(): cmd}
    if hasattr(cmd, "commands"):
        for name, sub in cmd.commands.items():
            out.update(_commands(sub, f"{prefix} {name}"))
    return out


def test_every_workers_option_is_the_same() -> None:
    commands = _commands(typer.main.get_command(app))
    with_workers = {}
    for name, cmd in commands.items():
        for p in cmd.params:
            if p.name == "workers":
                with_workers[name] = p
    # the commands that run work in processes all take it
    assert {
        "demo",
        "run",
        "campaign run",
        "campaign compare",
        "campaign allocate",
        "sweep run",
    } <= set(with_workers)
    for name, p in with_workers.items():
        assert p.opts == ["--workers"], name
        assert p.default == DEFAULT_WORKERS == 1, name
        assert p.min == 0 and p.max is None, name
        assert p.envvar == "AIRSHIELD_WORKERS", name
        assert "0 = one per CPU" in (p.help or ""), name


def test_resolve_workers() -> None:
    assert resolve_workers(0) == resolve_workers(None) == available_cpus() >= 1
    assert resolve_workers(3) == 3
    with pytest.raises(ValueError, match="0 = all CPUs"):
        resolve_workers(-1)


def test_zero_workers_gives_the_one_worker_result() -> None:
    runner = CliRunner()
    args = ["run", str(EXAMPLES / "one-battery.yaml"), "--reps", "12", "--seed", "4", "--json"]
    one = runner.invoke(app, [*args, "--workers", "1"])
    every = runner.invoke(app, [*args, "--workers", "0"])
    assert one.exit_code == 0 and every.exit_code == 0, every.output
    a, b = json.loads(one.stdout), json.loads(every.stdout)
    assert a["totals"] == b["totals"] and a["threats"] == b["threats"]
