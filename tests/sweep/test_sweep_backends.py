"""Run anywhere, same answer: serial, local processes and Dask give the same bytes."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from airshield.raid import simulate
from airshield.sweep import load_plan, read_manifest, read_table, run_sweep
from sweep.conftest import part_bytes


def test_serial_outputs_are_complete(serial_dir: Path) -> None:
    man = read_manifest(serial_dir)
    assert man["complete"] and man["cells_done"] == 12 and man["batches_done"] == 6
    assert man["seed"] == 20250704 and man["version"]
    assert man["outputs"] == ["summary", "replications", "effectors", "assets"]
    summary = read_table(serial_dir)
    assert summary["cell"].tolist() == list(range(12))
    assert (summary["reps"] == 6).all()
    reps = read_table(serial_dir, "replications")
    assert len(reps) == 12 * 6 * 3  # cells x replications x threat types
    # conservation in every row: launched = destroyed + lost + leaked
    assert (reps["launched"] == reps["destroyed"] + reps["lost"] + reps["leaked"]).all()
    assert set(read_table(serial_dir, "effectors")["effector_type"]) == {
        "nasams-irist", "apkws-rocket", "ew-jammer"
    }  # fmt: skip
    assert len(read_table(serial_dir, "assets")) == 12 * 6 * 2


def test_a_cell_is_the_raid_engine_run_with_the_cell_seed(
    serial_dir: Path, spec_path: Path
) -> None:
    plan = load_plan(spec_path)
    reps = read_table(serial_dir, "replications")
    for k in (0, 7):
        direct = simulate(plan.cell_scenario(k), reps=6, seed=plan.cells[k].seed).to_frame()
        got = reps[reps["cell"] == k][direct.columns].reset_index(drop=True)
        pd.testing.assert_frame_equal(got, direct, check_dtype=False, check_exact=True)


@pytest.mark.timeout(180)
def test_processes_match_serial_bytes(serial_dir: Path, spec_path: Path, tmp_path: Path) -> None:
    run = run_sweep(spec_path, tmp_path / "out", backend="processes", workers=2)
    assert run.complete and run.workers == 2 and run.batches_run == 6
    assert part_bytes(tmp_path / "out") == part_bytes(serial_dir)


@pytest.mark.timeout(180)
def test_dask_local_cluster_matches_serial_bytes(
    serial_dir: Path, spec_path: Path, tmp_path: Path
) -> None:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        # through the scheduler address, as a remote cluster would be used
        run = run_sweep(
            spec_path, tmp_path / "out", backend="dask", scheduler=cluster.scheduler_address
        )
    assert run.complete and run.backend == "dask" and run.workers == 2
    assert part_bytes(tmp_path / "out") == part_bytes(serial_dir)
    a = read_table(serial_dir, "replications")
    b = read_table(tmp_path / "out", "replications")
    pd.testing.assert_frame_equal(a, b, check_exact=True)


@pytest.mark.timeout(120)
def test_dask_started_here_matches_serial(
    serial_dir: Path, spec_path: Path, tmp_path: Path
) -> None:
    pytest.importorskip("distributed")
    run = run_sweep(spec_path, tmp_path / "out", backend="dask", workers=2, dask_processes=False)
    assert run.complete
    assert part_bytes(tmp_path / "out") == part_bytes(serial_dir)


def test_scheduler_needs_dask_backend(spec_path: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="backend='dask'"):
        run_sweep(spec_path, tmp_path / "out", backend="processes", scheduler="tcp://127.0.0.1:1")
