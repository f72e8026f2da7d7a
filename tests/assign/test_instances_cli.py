"""Instance reader (format and error messages) and the ``airshield wta`` command."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import typer
from typer.testing import CliRunner

from airshield.assign import solve
from airshield.assign.instances import parse_wta_text, read_wta_instance
from airshield.cli import assign as assign_cli
from airshield.cli.kit import fail_on_input_errors
from airshield.errors import ScenarioError


def _instance_text(n_w: int = 2, n_t: int = 3, mu: int = 2, seed: int = 0) -> str:
    rng = np.random.default_rng(seed)
    lines = [f"{n_w} {n_t} {mu}"]
    lines += [str(int(v)) for v in rng.integers(1, 100, n_t)]
    for i in range(n_w):
        for j in range(n_t):
            lines.append(f"{i} {j} {rng.uniform(0.05, 0.95):.6f}")
    return "\n".join(lines)  # no trailing newline, like the published files


def test_reader_round_trip(tmp_path: Path) -> None:
    f = tmp_path / "wta_2x3x2.txt"
    f.write_text(_instance_text())
    p = read_wta_instance(f)
    assert p.pk.shape == (2, 3)
    assert p.rounds.tolist() == [2, 2]
    lines = f.read_text().splitlines()
    assert p.values[0] == float(lines[1])
    i, j, pij = lines[4 + 3].split()
    assert p.pk[int(i), int(j)] == pytest.approx(float(pij))


@pytest.mark.parametrize(
    ("text", "line", "field"),
    [
        ("", 1, "header"),
        ("2 3", 1, "header"),
        ("1 1 " + "9" * 400 + "\n0.0\n0 0 0.0\n", 1, "header"),  # mu past int64 (fuzz find)
        ("1 2 1\n5\n", 3, "values"),
        ("1 2 1\n5\nabc\n0 0 0.5\n0 1 0.5", 3, "values[1]"),
        ("1 2 1\n5\n6\n0 0 0.5", 5, "pk"),
        ("1 2 1\n5\n6\n0 0 0.5\n0 1 1.5", 5, "pk"),
        ("1 2 1\n5\n6\n0 0 0.5\n0 7 0.5", 5, "pk"),
        ("1 2 1\n5\n6\n0 0 0.5\n0 0 0.5", 5, "pk"),
        ("1 2 1\n5\n6\n0 0 0.5\n0 x 0.5", 5, "pk"),
        ("1 2 1\n5\n6\n0 0 0.5\n0 1 0.5\n0 1 0.5", 6, "pk"),
    ],
)
def test_reader_errors_name_line_and_field(text: str, line: int, field: str) -> None:
    with pytest.raises(ScenarioError) as exc:
        parse_wta_text(text, "bad.txt")
    prob = exc.value.problems[0]
    assert prob.line == line
    assert prob.field == field
    msg = str(exc.value)
    assert "bad.txt" in msg
    assert "expected" in msg or "twice" in msg


def _app() -> typer.Typer:
    app = typer.Typer()
    assign_cli.register(app)

    @app.callback()
    def _root() -> None:  # keeps "wta" a sub-command
        pass

    return app


def test_cli_json(tmp_path: Path) -> None:
    f = tmp_path / "inst.txt"
    f.write_text(_instance_text(3, 4, 2, seed=1))
    r = CliRunner().invoke(_app(), ["wta", str(f), "--solver", "exact", "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert set(out) >= {"objective", "bound", "solver", "runtime_s", "assignment"}
    p = read_wta_instance(f)
    x = np.zeros(p.pk.shape, dtype=np.int64)
    for i, j, n in out["assignment"]:
        x[i, j] = n
    assert p.is_feasible(x)
    assert out["objective"] == pytest.approx(p.objective(x))
    assert out["bound"] <= out["objective"] + 1e-9
    assert out["objective"] == pytest.approx(solve(p, "exact").objective)


def test_cli_default_and_list(tmp_path: Path) -> None:
    f = tmp_path / "inst.txt"
    f.write_text(_instance_text())
    r = CliRunner().invoke(_app(), ["wta", str(f), "--time-limit", "5"])
    assert r.exit_code == 0, r.output
    assert "exact" in r.stdout and "objective" in r.stdout
    r = CliRunner().invoke(_app(), ["wta", "--list"])
    assert r.exit_code == 0
    for name in ("greedy", "matching", "local_search", "vlns", "exact"):
        assert name in r.stdout
    r = CliRunner().invoke(_app(), ["wta", str(f), "--solver", "nope"])
    assert r.exit_code == 2


def test_cli_bad_file_exits_2_without_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "bad.txt"
    f.write_text("2 3\n")
    app = _app()
    for path in (f, tmp_path / "missing.txt"):
        with pytest.raises(SystemExit) as exc, fail_on_input_errors():
            app(["wta", str(path)], standalone_mode=False)
        assert exc.value.code == 2
        err = capsys.readouterr().err
        assert str(path.name) in err and "Traceback" not in err


def test_instance_round_limit_is_the_scenario_limit() -> None:
    """assign keeps its own copy of the rounds limit (it sits below scenario in the layers):
    the two must not drift apart."""
    from airshield.assign import instances
    from airshield.scenario import limits

    assert instances.MAX_ROUNDS == limits.MAX_ROUNDS
