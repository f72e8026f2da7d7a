"""Writing raid results: per-replication Parquet with the scenario hash and seed in its metadata."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from airshield.raid.result import RaidResult


def write_result_parquet(result: RaidResult, path: str | Path) -> None:
    """One row per replication and threat type (``rep, threat_type, kind, launched, destroyed,
    lost, leaked, decoy_leaked``); provenance in the file's key-value metadata."""
    table = pa.Table.from_pandas(result.to_frame(), preserve_index=False)
    meta = {
        "airshield.scenario": result.scenario_name,
        "airshield.scenario_hash": result.scenario_hash,
        "airshield.seed": str(result.seed),
        "airshield.reps": str(result.reps),
        "airshield.version": result.version,
        "airshield.summary": json.dumps(result.summary()),
    }
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), **meta})
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path)
