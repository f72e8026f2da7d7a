"""Fixtures for the sweep tests: a tiny raid and a small finished sweep, run once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

TINY = """\
name: tiny
description: one SAM, two rocket teams and EW against a very small raid (notional)
assets:
  - {name: city, lat: 50.0, lon: 30.0, value_usd: 5.0e9, radius_km: 6}
  - {name: power-plant, lat: 50.15, lon: 30.35, value_usd: 2.0e9, radius_km: 1}
sensors:
  - {kind: radar, name: radar-east, lat: 50.05, lon: 30.6, range_km: 120, p_detect: 0.95,
     p_discriminate_decoy: 0.5, altitude_min_km: 0.03}
fire_units:
  - {kind: unit, name: sam-1, effector: nasams-irist, lat: 50.05, lon: 30.15, pool: sam-rounds}
  - {kind: ring, name: rockets, effector: apkws-rocket, around: city, count: 2, radius_km: 8,
     bearing_deg: 90, arc_deg: 90, pool: rockets}
  - {kind: unit, name: ew-1, effector: ew-jammer, lat: 50.02, lon: 30.3}
pools:
  - {name: sam-rounds, effector: nasams-irist, stock: 4}
  - {name: rockets, effector: apkws-rocket, stock: 8}
launch_sites:
  - {name: east, lat: 50.3, lon: 34.0}
  - {name: sea, lat: 46.0, lon: 32.0}
waves:
  - {name: drones, threat: shahed-136, count: 8, launch_site: east, launch_start_s: 0,
     launch_end_s: 1800, targets: {city: 3, power-plant: 1}, route_jitter_km: 10}
  - {name: decoys, threat: gerbera, count: 4, launch_site: east, launch_start_s: 0,
     launch_end_s: 1800, targets: {city: 1}}
  - {name: cruise, threat: kalibr, count: 1, launch_site: sea, launch_start_s: 2400,
     launch_end_s: 2400, targets: {power-plant: 1}}
doctrine:
  cost_threshold: 1.0
"""

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
