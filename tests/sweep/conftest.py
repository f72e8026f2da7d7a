"""Fixtures for the sweep tests: a tiny raid and a small finished sweep, run once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from airshield.testing import TINY_RAID_YAML

TINY = TINY_RAID_YAML

#: 3 x 2 grid x a 2-point list = 12 cells, all three per-replication tables
SPEC = """\
name: small
description: a small sweep for the tests
base:
  kind: raid
  scenario: tiny.yaml
reps: 6
seed: 20250704
parameters:
  - kind: grid
    path: waves[drones].count
    name: drones
    values: [4, 8, 16]
  - kind: grid
    path: doctrine.cost_threshold
    values: [0.05, 1.0]
  - kind: list
    parameters:
      - path: pools[sam-rounds].stock
        name: sam_stock
      - path: raid.decoy_share
    points:
      - [0, 0.2]
      - [8, 0.5]
outputs: [replications, effectors, assets]
batch_cells: 2
"""


def write(folder: Path, spec: str = SPEC, name: str = "spec.yaml") -> Path:
    """Write the tiny base scenario and a spec into ``folder``; return the spec path."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "tiny.yaml").write_text(TINY, encoding="utf-8")
    p = folder / name
    p.write_text(spec, encoding="utf-8")
    return p


def part_bytes(out: Path) -> dict[str, bytes]:
    """Every Parquet file a sweep wrote, by relative path (cells table and parts)."""
    files = [out / "cells.parquet", *sorted((out / "parts").glob("*/part-*.parquet"))]
    return {str(f.relative_to(out)): f.read_bytes() for f in files}


@pytest.fixture(scope="session")
def spec_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write(tmp_path_factory.mktemp("spec"))


@pytest.fixture(scope="session")
def serial_dir(spec_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small sweep, run serially: the reference every other backend must match."""
    from airshield.sweep import run_sweep

    out = tmp_path_factory.mktemp("serial") / "out"
    run = run_sweep(spec_path, out, backend="serial")
    assert run.complete and not run.interrupted
    return out
