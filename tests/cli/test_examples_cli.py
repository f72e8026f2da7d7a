"""``airshield examples``, bare example names, --version, completion, exit codes: as subprocesses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from airshield.examples import (
    bundled_examples,
    copy_example,
    example_path,
    examples_dir,
    resolve_example,
)

ENV = {**os.environ, "PYTHONUNBUFFERED": "1", "NO_COLOR": "1"}


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "airshield", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=ENV,
        timeout=300,
    )


def test_bundled_examples_have_kinds_and_descriptions() -> None:
    items = {e.name: e for e in bundled_examples()}
    assert items["kyiv-2025-07-04"].kind == "scenario"
    assert items["campaign-summer-2025"].kind == "campaign"
    assert items["campaign-regions"].kind == "allocation"
    assert items["sweep-one-battery"].kind == "sweep"
    assert items["bulletin"].kind == "text"
    assert all(e.description for e in items.values() if e.kind != "yaml")


def test_resolve_example_prefers_real_paths(tmp_path: Path) -> None:
    assert resolve_example("one-battery") == example_path("one-battery")
    assert resolve_example("one-battery.yaml") == examples_dir() / "one-battery.yaml"
    # a file of that name in the working directory wins (it exists)
    local = tmp_path / "one-battery.yaml"
    local.write_text("name: x\n", encoding="utf-8")
    cwd = Path.cwd()
    os.chdir(tmp_path)
    try:
        assert resolve_example("one-battery.yaml") == Path("one-battery.yaml")
    finally:
        os.chdir(cwd)
    # a path with a folder part is never redirected
    assert resolve_example("nowhere/one-battery.yaml") == Path("nowhere/one-battery.yaml")
    assert resolve_example("no-such-example") == Path("no-such-example")


def test_copy_brings_the_files_an_example_refers_to(tmp_path: Path) -> None:
    written = {p.name for p in copy_example("campaign-regions", tmp_path / "x")}
    assert written == {
        "campaign-regions.yaml",
        "campaign-summer-2025.yaml",
        "campaign-summer-2025-night.yaml",
        "campaign-region-capital-night.yaml",
        "campaign-region-east-night.yaml",
        "campaign-region-south-night.yaml",
    }
    from airshield.plan.allocation import load_allocation

    load_allocation(tmp_path / "x" / "campaign-regions.yaml")  # the copy loads on its own
    with pytest.raises(FileExistsError):
        copy_example("campaign-regions", tmp_path / "x")


def test_examples_list_and_copy_commands(tmp_path: Path) -> None:
    r = cli("examples", "list", "--json")
    assert r.returncode == 0, r.stderr
    names = {d["name"] for d in json.loads(r.stdout)}
    assert {"kyiv-2025-07-04", "one-battery", "campaign-summer-2025"} <= names
    r = cli("examples", "list")
    assert r.returncode == 0 and "kyiv-2025-07-04" in r.stdout
    r = cli("examples", "copy", "campaign-small", str(tmp_path / "mine"))
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "mine" / "campaign-small.yaml").is_file()
    assert (tmp_path / "mine" / "campaign-small-night.yaml").is_file()
    r = cli("examples", "copy", "campaign-small", str(tmp_path / "mine"))
    assert r.returncode == 2 and "not overwritten" in r.stderr and "Traceback" not in r.stderr
    r = cli("examples", "copy", "no-such", str(tmp_path / "other"))
    assert r.returncode == 2 and "no bundled example 'no-such'" in r.stderr


def test_bare_example_names_work_from_any_folder(tmp_path: Path) -> None:
    r = cli("validate", "one-battery", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "ok" in r.stdout
    r = cli("campaign", "validate", "campaign-small", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    r = cli("run", "one-battery", "--reps", "20", "--json", "--engine", "reference", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["scenario"] == "one-battery"
    r = cli("validate", "no-such-example", cwd=tmp_path)
    assert r.returncode == 2 and "file not found" in r.stderr


def test_version_help_completion_and_exit_codes() -> None:
    from airshield import __version__

    r = cli("--version")
    assert r.returncode == 0 and r.stdout.strip() == f"airshield {__version__}"
    r = cli("--help")
    assert r.returncode == 0
    for text in ("--install-completion", "--show-completion", "130 interrupted", "examples"):
        assert text in r.stdout, text
    # the quick-start's dependencies are core: no command needs an extra to start
    r = cli("run", "--help")
    assert "--out" in r.stdout and "Parquet" in r.stdout


def test_require_modules_names_the_exact_install_command(
    capsys: pytest.CaptureFixture[str],
) -> None:
    import typer

    from airshield.cli.kit import require_modules

    with pytest.raises(typer.Exit) as exc:
        require_modules(("airshield_no_such_module",), "pip install 'airshield[web]'")
    assert exc.value.exit_code == 2
    err = capsys.readouterr().err
    assert (
        err == "error: this command needs airshield_no_such_module: pip install 'airshield[web]'\n"
    )


def _default_sigint() -> None:  # a background job inherits SIGINT ignored; a terminal does not
    import signal

    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize(
    ("engine", "workers", "attempt"),
    [("reference", 1, i) for i in range(4)] + [("kernel", 1, 0), ("reference", 2, 0)],
)
def test_ctrl_c_exits_130_without_a_traceback(
    tmp_path: Path, engine: str, workers: int, attempt: int
) -> None:
    """SIGINT to the run's own process during a run: the finished prefix is printed, exit status
    130, no traceback, no crash. Delivered at the first progress line, it lands in the second
    replication's kernel calls, where a signal taken inside compiled code crashed the
    interpreter about one run in seven (status -11; hence several attempts). With worker
    processes it comes once they are under way and reaches the parent only (as ``kill -INT``):
    the parent ends the workers' chunks in flight (250 reference replications each, about two
    minutes) instead of waiting for them, so the run ends well inside the minute allowed."""
    import signal
    import time

    proc = subprocess.Popen(
        [sys.executable, "-m", "airshield", "run", "kyiv-2025-07-04", "--reps", "100000",
         "--engine", engine, "--workers", str(workers)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV, cwd=tmp_path,
        preexec_fn=_default_sigint,
    )  # fmt: skip
    assert proc.stderr is not None
    seen = []
    try:
        for line in proc.stderr:  # the signal once replications are under way, however slow
            seen.append(line)
            if line.startswith("replications:"):
                if workers > 1:
                    time.sleep(3.0)  # the workers' first chunks are in flight
                proc.send_signal(signal.SIGINT)
                break
        out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()  # a run that ignored the signal must not outlive the test
        proc.wait()
    err = "".join(seen) + err
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert "interrupted" in (out + err)
    reps = int(out.split("reps=", 1)[1].split()[0])  # the finished prefix, a run of its own
    assert 1 <= reps < 100_000, out
