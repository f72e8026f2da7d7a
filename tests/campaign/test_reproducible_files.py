"""Campaign Parquet files are the same bytes for any number of workers: run metadata that is
not determined by the inputs and the seed (elapsed time) lives in a sidecar, not in the file."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq

from airshield.campaign import load_campaign, run_campaign

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_parquet_bytes_do_not_depend_on_workers(tmp_path: Path) -> None:
    camp = load_campaign(EXAMPLES / "campaign-small.yaml")
    files = []
    for w in (1, 2):
        res = run_campaign(camp, mode="detailed", reps=2, seed=7, workers=w)
        f = tmp_path / f"w{w}.parquet"
        res.to_parquet(f)
        files.append(f)
        side = json.loads((tmp_path / f"w{w}.parquet.run.json").read_text())
        assert side["elapsed_s"] > 0
        meta = pq.read_schema(f).metadata
        assert b"elapsed_s" not in meta[b"airshield.summary"]
    assert files[0].read_bytes() == files[1].read_bytes()
