"""Killed and restarted, a sweep resumes, loses no finished cell and ends with the same bytes."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

import airshield
import airshield.sweep.worker as worker
from airshield.errors import ScenarioError
from airshield.sweep import load_plan, read_manifest, run_sweep
from airshield.sweep.worker import CellFailed
from sweep.conftest import SPEC, part_bytes, write


def stop_after(cells: int) -> Any:
    """A progress callback that interrupts the run once ``cells`` cells are committed."""

    def cb(done: int, total: int) -> None:
        if done >= cells:
            raise KeyboardInterrupt

    return cb


def test_interrupted_then_resumed_on_another_backend(
    serial_dir: Path, spec_path: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    first = run_sweep(spec_path, out, backend="serial", progress=stop_after(4))
    assert first.interrupted and not first.complete
    assert first.cells_done == 4 and first.batches_run == 2
    man = read_manifest(out)
    assert man["cells_done"] == 4 and not man["complete"]
    # a crash in the middle of a commit leaves a temporary file and a part of a batch whose
    # summary part (the commit mark) was never renamed into place
    (out / "parts" / "effectors" / ".part-000003.parquet.tmp").write_bytes(b"half")
    (out / "parts" / "replications" / "part-000004.parquet").write_bytes(b"not committed")
    second = run_sweep(spec_path, out, backend="dask", workers=2, dask_processes=False)
    assert second.complete and second.cells_run == 8 and second.batches_run == 4
    assert part_bytes(out) == part_bytes(serial_dir)
    assert not list(out.glob("parts/*/.*.tmp"))
    # a third run has nothing to do
    third = run_sweep(spec_path, out, backend="serial")
    assert third.cells_run == 0 and third.complete


@pytest.mark.timeout(120)
def test_killed_process_resumes_without_losing_finished_cells(tmp_path: Path) -> None:
    spec = SPEC.replace("reps: 6", "reps: 25").replace("batch_cells: 2", "batch_cells: 1")
    spec = spec.replace("[4, 8, 16]", "[4, 6, 8, 10, 12, 14, 16, 18, 20, 22]")  # 40 cells
    spec = spec.replace("outputs: [replications, effectors, assets]", "outputs: [replications]")
    p = write(tmp_path, spec)
    out = tmp_path / "killed"
    code = (
        "import sys; from airshield.cli import main; "
        f"sys.argv = ['airshield', 'sweep', 'run', {str(p)!r}, '--out', {str(out)!r}, "
        "'--backend', 'serial', '--json']; main()"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.DEVNULL)
    summary = out / "parts" / "summary"
    deadline = time.monotonic() + 90
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if summary.exists() and any(summary.glob("part-*.parquet")):
                break
            time.sleep(0.005)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finished = {f.name for f in summary.glob("part-*.parquet")}
    assert 0 < len(finished) < 40, "the kill should land in the middle of the sweep"
    before = {n: (summary / n).read_bytes() for n in finished}

    resumed = run_sweep(p, out, backend="serial")
    assert resumed.complete
    assert resumed.cells_run == 40 - len(finished)  # nothing finished was run again
    assert {n: (summary / n).read_bytes() for n in finished} == before
    clean = run_sweep(p, tmp_path / "clean", backend="serial")
    assert clean.complete
    assert part_bytes(out) == part_bytes(tmp_path / "clean")


def test_a_different_spec_is_refused(serial_dir: Path, tmp_path: Path) -> None:
    changed = write(tmp_path, SPEC.replace("[4, 8, 16]", "[4, 8, 32]"))
    before = part_bytes(serial_dir)
    with pytest.raises(ScenarioError) as info:
        run_sweep(changed, serial_dir, backend="serial")
    text = str(info.value)
    assert "spec hash" in text and "new --out directory" in text
    assert read_manifest(serial_dir)["spec_hash"] in text
    assert part_bytes(serial_dir) == before


def test_another_version_and_foreign_dirs_are_refused(spec_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run_sweep(spec_path, out, backend="serial", progress=stop_after(2))
    man = json.loads((out / "manifest.json").read_text())
    man["version"] = "0.0.1"
    (out / "manifest.json").write_text(json.dumps(man))
    with pytest.raises(ScenarioError, match=r"written by airshield 0\.0\.1"):
        run_sweep(spec_path, out, backend="serial")
    man["version"] = airshield.__version__
    man["code_hash"] = "0123456789abcdef"  # the engines were edited since
    (out / "manifest.json").write_text(json.dumps(man))
    with pytest.raises(ScenarioError, match="engine code changed since this sweep was written"):
        run_sweep(spec_path, out, backend="serial")
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    with pytest.raises(ScenarioError, match="holds no sweep manifest"):
        run_sweep(spec_path, foreign, backend="serial")


def test_a_failing_cell_stops_the_sweep_and_keeps_what_finished(
    serial_dir: Path, spec_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = load_plan(spec_path)
    bad_seed = plan.cells[5].seed
    real = worker.simulate

    def flaky(sc: Any, *args: Any, **kw: Any) -> Any:
        if kw.get("seed") == bad_seed:
            raise RuntimeError("engine fault")
        return real(sc, *args, **kw)

    monkeypatch.setattr(worker, "simulate", flaky)
    out = tmp_path / "out"
    with pytest.raises(CellFailed, match=f"cell 5 \\(seed {bad_seed}\\)"):
        run_sweep(plan, out, backend="serial")
    assert read_manifest(out)["cells_done"] == 4  # batches 0 and 1 were committed
    monkeypatch.setattr(worker, "simulate", real)
    assert run_sweep(plan, out, backend="serial").complete
    assert part_bytes(out) == part_bytes(serial_dir)


def test_interrupted_replications_are_not_kept(
    spec_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``simulate`` returns the finished prefix on Ctrl-C; a sweep must not keep such a cell."""
    plan = load_plan(spec_path)
    real = worker.simulate

    def ctrl_c_in_cell_3(sc: Any, *args: Any, **kw: Any) -> Any:
        res = real(sc, *args, **kw)
        if kw.get("seed") == plan.cells[3].seed:
            res.interrupted = True
        return res

    monkeypatch.setattr(worker, "simulate", ctrl_c_in_cell_3)
    run = run_sweep(plan, tmp_path / "out", backend="serial")
    assert run.interrupted and run.cells_done == 2  # batch 1 (cells 2, 3) was dropped
    assert sorted(f.name for f in (tmp_path / "out" / "parts" / "summary").iterdir()) == [
        "part-000000.parquet"
    ]
