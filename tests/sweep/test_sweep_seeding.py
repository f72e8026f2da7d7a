"""The one seeding rule in sweeps: replication r of cell k uses child r of SeedSequence(cell
seed), so a sweep's first k replications per cell equal a k-replication sweep."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from airshield.sweep import read_table, run_sweep
from sweep.conftest import SPEC, write


def test_first_k_replications_of_every_cell_equal_a_k_replication_sweep(
    serial_dir: Path, tmp_path: Path
) -> None:
    short_spec = write(tmp_path / "spec", SPEC.replace("reps: 6", "reps: 2"))
    out = tmp_path / "out"
    run = run_sweep(short_spec, out, backend="serial")
    assert run.complete
    short = read_table(out, "replications")
    long = read_table(serial_dir, "replications")
    assert sorted(short["rep"].unique()) == [0, 1]
    head = long[long["rep"] < 2].reset_index(drop=True)
    cols = [c for c in short.columns if c != "batch"]
    pd.testing.assert_frame_equal(
        short[cols].reset_index(drop=True), head[cols], check_dtype=False, check_exact=True
    )
    # the cells really differ from each other (one shared stream would not be a test)
    assert short.groupby("cell")["destroyed"].sum().nunique() > 1
