"""Every ``--json`` command, run as a real subprocess, prints exactly one JSON document on stdout.

The in-process CLI runner cannot see what C libraries write to file descriptor 1 (highspy's
banner, for one), so each command here runs as ``python -m airshield.cli ...`` on small data
made in the test, and its whole stdout must parse with ``json.loads``. ``CASES`` is discovered
against the typer application: a new command with a ``--json`` option fails
:func:`test_every_json_command_is_covered` until a case for it is added below.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from airshield.testing import TINY_RAID_YAML

pytestmark = pytest.mark.slow

SWEEP = """\
name: json-sweep
base: {kind: raid, scenario: tiny.yaml}
reps: 3
seed: 7
parameters:
  - kind: grid
    path: waves[drones].count
    name: drones
    values: [4, 8]
outputs: [replications]
"""

ALLOCATION = """\
name: two-regions
campaign: campaign-small.yaml
split: [rockets]
levels: 3
regions:
  - {name: heavy, raid: campaign-small-night.yaml, share: 0.5, weight: 3.0}
  - {name: light, raid: campaign-small-night.yaml, share: 0.5, weight: 1.0}
"""

BULLETIN = (
    "Overnight the enemy attacked with 120 Shahed drones and 4 Iskander-M missiles against "
    "Kyiv; air defence shot down 100 drones and 2 missiles."
)


def _wta_instance(path: Path, n_weapons: int = 6, n_targets: int = 12, mu: int = 2) -> Path:
    """A random instance in the published WTA text format."""
    rng = np.random.default_rng(3)
    lines = [f"{n_weapons} {n_targets} {mu}"]
    lines += [str(int(v)) for v in rng.integers(1, 101, n_targets)]
    pk = rng.uniform(0.1, 0.9, (n_weapons, n_targets))
    lines += [f"{i} {j} {pk[i, j]:.12g}" for i in range(n_weapons) for j in range(n_targets)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _stationary_nights(start: str, days: int) -> list[tuple[pd.Timestamp, dict]]:  # type: ignore[type-arg]
    rng = np.random.default_rng(11)
    out = []
    for day in pd.date_range(start, periods=days, freq="D"):
        n = int(rng.poisson(30))
        d = int(rng.binomial(n, 0.8))
        out.append((day, {"drone": (n, d, int(rng.binomial(n - d, 0.5)))}))
    return out


#: A small procurement spec on the small campaign (notional): SAM rounds and rockets.
PROCURE = """\
name: json-procure
campaign: campaign-small.yaml
budget_usd: 2.0e6
options:
  - {name: sam, kind: rounds, pool: sam-rounds, unit_cost_usd: 4.3e5, lead_time_days: 5,
     max_per_month: 4}
  - {name: rockets, kind: rounds, pool: rockets, unit_cost_usd: 3.0e4, lead_time_days: 3,
     max_per_month: 40, min_lot: 10}
levels: 3
"""


@dataclass
class Data:
    """Paths of the small inputs every case uses (made once per session)."""

    root: Path
    scenario: Path
    wta: Path
    campaign: Path
    allocation: Path
    sweep_spec: Path
    daily_csv: Path
    record_csv: Path
    long_record_csv: Path
    bulletin: Path


@pytest.fixture(scope="session")
def data(tmp_path_factory: pytest.TempPathFactory) -> Data:
    from airshield.examples import examples_dir

    # the record builders of the calibrate and history tests (test packages next to this file)
    if str(Path(__file__).parent) not in sys.path:
        sys.path.insert(0, str(Path(__file__).parent))
    from attack.cases import SIDED_ATTACK, TINY_LAYDOWN, TINY_RAID
    from calibrate.synth_record import write_record
    from history.attack_rows import ROWS, to_csv

    root = tmp_path_factory.mktemp("json-stdout")
    (root / "tiny.yaml").write_text(TINY_RAID_YAML, encoding="utf-8")
    (root / "spec.yaml").write_text(SWEEP, encoding="utf-8")
    for name in ("campaign-small.yaml", "campaign-small-night.yaml"):
        (root / name).write_text((examples_dir() / name).read_text(encoding="utf-8"))
    (root / "alloc.yaml").write_text(ALLOCATION, encoding="utf-8")
    (root / "procure.yaml").write_text(PROCURE, encoding="utf-8")
    (root / "attack.yaml").write_text(SIDED_ATTACK, encoding="utf-8")
    (root / "raid.yaml").write_text(TINY_RAID, encoding="utf-8")
    (root / "laydown.yaml").write_text(TINY_LAYDOWN, encoding="utf-8")
    (root / "daily.csv").write_text(to_csv(ROWS), encoding="utf-8")
    short = [(d, {"drone": (12, 9, 2)}) for d in pd.date_range("2024-10-01", periods=8)]
    write_record(root / "rec.csv", short)
    write_record(root / "long.csv", _stationary_nights("2024-01-01", 200))
    # raids big enough for the share model (50+ drones), and nights to predict
    rng = np.random.default_rng(5)
    share = []
    for day in pd.date_range("2025-01-01", periods=90):
        n = int(rng.integers(60, 160))
        share.append((day, {"drone": (n, int(rng.binomial(n, 0.9)), None)}))
    write_record(root / "share.csv", share)
    (root / "nights.csv").write_text(
        "night,drones,cruise,ballistic\n2025-04-05,120,4,2\n2025-04-06,0,6,0\n", encoding="utf-8"
    )
    (root / "bulletin.txt").write_text(BULLETIN, encoding="utf-8")
    (root / "cache").mkdir()
    return Data(
        root=root,
        scenario=root / "tiny.yaml",
        wta=_wta_instance(root / "wta.txt"),
        campaign=root / "campaign-small.yaml",
        allocation=root / "alloc.yaml",
        sweep_spec=root / "spec.yaml",
        daily_csv=root / "daily.csv",
        record_csv=root / "rec.csv",
        long_record_csv=root / "long.csv",
        bulletin=root / "bulletin.txt",
    )


@dataclass(frozen=True)
class Case:
    """One ``--json`` invocation: the command path and its arguments built from ``Data``."""

    command: str  #: space-separated command path, e.g. "campaign run"
    args: Callable[[Data], list[str]]
    label: str = ""
    #: commands that must run before this one (in the same session data folder)
    needs: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return self.command.replace(" ", "-") + (f"[{self.label}]" if self.label else "")


def _s(p: Path) -> str:
    return str(p)


CASES: list[Case] = [
    Case("catalog", lambda d: []),
    Case("warmup", lambda d: ["--group", "assign"]),
    Case("examples list", lambda d: []),
    Case("run", lambda d: [_s(d.scenario), "--reps", "3", "--seed", "1"]),
    Case("wta", lambda d: [_s(d.wta), "--solver", "exact", "--time-limit", "5"], "exact"),
    Case("wta", lambda d: [_s(d.wta), "--solver", "vlns", "--time-limit", "0.2"], "vlns"),
    Case("wta", lambda d: ["--list"], "list"),
    Case("campaign run", lambda d: [_s(d.campaign), "--reps", "4"]),
    Case("campaign compare", lambda d: [_s(d.campaign), _s(d.campaign), "--reps", "4"]),
    Case("campaign allocate", lambda d: [_s(d.allocation), "--reps", "10"]),
    Case(
        "plan procure",
        lambda d: [
            _s(d.root / "procure.yaml"),
            "--reps",
            "4",
            "--curve-reps",
            "4",
            "--confirm-reps",
            "2",
            "--pareto-points",
            "3",
        ],
    ),
    Case("plan laydown", lambda d: [_s(d.root / "laydown.yaml")]),
    Case("attack plans", lambda d: [_s(d.root / "attack.yaml")]),
    Case(
        "attack best-response",
        lambda d: [_s(d.root / "attack.yaml"), "--reps", "6", "--budget-evals", "60"],
    ),
    Case(
        "sweep run",
        lambda d: [_s(d.sweep_spec), "--out", _s(d.root / "sweep"), "--backend", "serial"],
    ),
    Case("sweep summary", lambda d: [_s(d.root / "sweep")], needs=("sweep run",)),
    Case("history import", lambda d: [_s(d.daily_csv), "--out", _s(d.root / "tidy.parquet")]),
    Case("history stats", lambda d: [_s(d.root / "tidy.parquet")], needs=("history import",)),
    Case("bulletin parse", lambda d: [_s(d.bulletin), "--date", "2025-03-01"]),
    Case(
        "calibrate fit",
        lambda d: [
            _s(d.root / "share.csv"),
            "--laydown",
            _s(d.scenario),
            "--period",
            "all",
            "--reps",
            "2",
            "--bootstrap",
            "3",
            "--out",
            _s(d.root / "cal"),
        ],
    ),
    Case(
        "calibrate predict",
        lambda d: [_s(d.root / "cal"), _s(d.root / "nights.csv")],
        needs=("calibrate fit",),
    ),
    Case(
        "calibrate backtest",
        lambda d: [
            _s(d.root / "share.csv"),
            *("--first-origin", "2025-03", "--last-origin", "2025-03"),
            *("--horizon-months", "1", "--min-drones", "50", "--sims", "200"),
        ],
    ),
    Case(
        "tempo forecast",
        lambda d: [_s(d.record_csv), "--months", "1", "--sims", "200", "--window", "14"],
    ),
    Case(
        "tempo backtest",
        lambda d: [_s(d.long_record_csv), "--window", "60", "--sims", "100"],
    ),
]


def json_commands() -> set[str]:
    """Every command path of the ``airshield`` application that has a ``--json`` option."""
    import typer

    from airshield.cli import app

    found: set[str] = set()

    def walk(cmd: Any, path: tuple[str, ...]) -> None:
        subs = getattr(cmd, "commands", None)  # a group (typer vendors its own click)
        if isinstance(subs, dict):
            for name, sub in subs.items():
                walk(sub, (*path, name))
            return
        if any("--json" in getattr(p, "opts", ()) for p in cmd.params):
            found.add(" ".join(path))

    walk(typer.main.get_command(app), ())
    return found


def test_every_json_command_is_covered() -> None:
    discovered = json_commands()
    assert {"wta", "run", "campaign allocate", "sweep summary"} <= discovered  # sanity
    covered = {c.command for c in CASES}
    assert discovered - covered == set(), "add a Case for each new --json command"
    assert covered - discovered == set(), "a Case names a command without --json"


def _run(args: list[str], data: Data) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "AIRSHIELD_CACHE_DIR": str(data.root / "cache"), "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "airshield.cli", *args],
        capture_output=True,
        text=True,
        cwd=data.root,
        env=env,
        timeout=600,
    )


_DONE: set[str] = set()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_json_stdout_is_one_document(case: Case, data: Data) -> None:
    for need in case.needs:
        if need not in _DONE:
            dep = next(c for c in CASES if c.command == need)
            res = _run([*dep.command.split(), *dep.args(data), "--json"], data)
            assert res.returncode == 0, res.stderr
            _DONE.add(need)
    res = _run([*case.command.split(), *case.args(data), "--json"], data)
    assert res.returncode == 0, (
        f"exit {res.returncode}\nstdout:\n{res.stdout}\nstderr:\n{res.stderr}"
    )
    assert "Running HiGHS" not in res.stdout
    doc = json.loads(res.stdout)  # the whole stdout: one document, nothing before or after
    assert isinstance(doc, dict | list) and doc
    _DONE.add(case.command)


def test_tempo_fit_prints_only_json(data: Data) -> None:
    """``tempo fit`` without ``--out`` prints its model as JSON (it has no ``--json`` flag)."""
    res = _run(["tempo", "fit", str(data.record_csv), "--window", "14"], data)
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)


def test_wta_json_reports_status_and_bound(data: Data) -> None:
    """The exact solver's JSON carries an honest status, termination, bound <= objective."""
    res = _run(["wta", str(data.wta), "--solver", "exact", "--time-limit", "5", "--json"], data)
    doc = json.loads(res.stdout)
    assert doc["status"] in ("optimal", "feasible")
    assert doc["termination"] in ("optimal", "time_limit", "completed")
    assert doc["bound"] <= doc["objective"] + 1e-12
    assert doc["assignment"], "a non-empty assignment"


def test_new_highs_prints_nothing_on_stdout(tmp_path: Path) -> None:
    """The first HiGHS of a fresh process, made by ``new_highs``, leaves stdout empty."""
    code = (
        "from airshield.assign.highs import new_highs\n"
        "h = new_highs()\n"
        "h2 = new_highs(time_limit=1.0)\n"
        "def get(x, name):\n"
        "    v = x.getOptionValue(name)\n"
        "    return v[1] if isinstance(v, tuple) else v\n"
        "assert get(h2, 'time_limit') == 1.0\n"
        "assert get(h, 'output_flag') is False and get(h, 'log_to_console') is False\n"
    )
    res = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout == ""
