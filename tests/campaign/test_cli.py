"""``airshield campaign``: validate, run (Parquet, JSON, report hook), compare."""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from airshield.cli import app

runner = CliRunner()


def test_validate(small_path, tmp_path, small_yaml):
    res = runner.invoke(app, ["campaign", "validate", str(small_path)])
    assert res.exit_code == 0, res.output
    assert "ok" in res.output and "28 nights" in res.output
    bad = tmp_path / "campaign-bad.yaml"
    (tmp_path / "campaign-small-night.yaml").write_text(
        (small_path.parent / "campaign-small-night.yaml").read_text()
    )
    bad.write_text(small_yaml.replace("stock: 300", "stock: -3"))
    res = runner.invoke(app, ["campaign", "validate", str(bad)])
    assert res.exit_code == 2
    line = small_yaml.splitlines().index("      stock: 300") + 1
    assert f"campaign-bad.yaml:{line}: defender.pools[1].stock" in res.output


def test_run_writes_parquet_and_json(small_path, tmp_path):
    out = tmp_path / "ledger.parquet"
    res = runner.invoke(
        app,
        [
            "campaign",
            "run",
            str(small_path),
            "--reps",
            "20",
            "--seed",
            "3",
            "--out",
            str(out),
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    s = json.loads(res.output)
    assert s["reps"] == 20 and s["mode"] == "fast" and s["nights"] == 28
    assert {p["pool"] for p in s["pools"]} == {"sam-rounds", "rockets"}
    table = pq.read_table(out)
    df = table.to_pandas()
    assert len(df) == 20 * 28 * 2
    for col in (
        "rep",
        "night",
        "pool",
        "stock_start",
        "produced",
        "delivered",
        "diverted",
        "fired",
        "stock_end",
    ):
        assert col in df.columns
    assert (
        df.stock_end == df.stock_start + df.produced + df.delivered - df.diverted - df.fired
    ).all()
    assert (df.stock_end >= 0).all()
    meta = table.schema.metadata
    assert meta[b"airshield.seed"] == b"3" and b"airshield.summary" in meta


def test_run_tables_and_detailed(small_path):
    res = runner.invoke(
        app, ["campaign", "run", str(small_path), "--mode", "detailed", "--reps", "2"]
    )
    assert res.exit_code == 0, res.output
    assert "Campaign totals" in res.output and "sam-rounds" in res.output
    res = runner.invoke(app, ["campaign", "run", str(small_path), "--mode", "slow", "--reps", "2"])
    assert res.exit_code == 2


def test_report_hook(small_path, tmp_path, monkeypatch):
    import airshield.report as report

    calls = []

    def fake(result, campaign, path, *, basemap="vector"):  # type: ignore[no-untyped-def]
        assert basemap == "vector"  # the default map style reaches the report
        calls.append((result, campaign, path))
        path.write_text("<html></html>")

    monkeypatch.setattr(report, "write_campaign_report", fake, raising=False)
    out = tmp_path / "r.html"
    res = runner.invoke(
        app, ["campaign", "run", str(small_path), "--reps", "5", "--report", str(out)]
    )
    assert res.exit_code == 0, res.output
    assert out.exists() and len(calls) == 1
    result, campaign, path = calls[0]
    assert result.reps == 5 and campaign.name == "small" and path == out
    # what a report needs, by documented methods
    assert set(result.stock_bands().columns) >= {
        "night",
        "date",
        "pool",
        "mean",
        "p5",
        "p50",
        "p95",
    }
    assert set(result.depletion_frame().columns) >= {"pool", "share_depleted", "p50_date"}


@pytest.mark.parametrize("mode", ["fast", "detailed"])
def test_compare_identical_is_zero(small_path, mode):
    reps = "30" if mode == "fast" else "2"
    res = runner.invoke(
        app,
        [
            "campaign",
            "compare",
            str(small_path),
            str(small_path),
            "--reps",
            reps,
            "--mode",
            mode,
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    diffs = json.loads(res.output)["differences"]
    assert diffs and all(
        d["diff_mean"] == 0 and d["diff_lo"] == 0 and d["diff_hi"] == 0 for d in diffs
    )


def test_compare_diversion_costs_rockets(small_path, tmp_path, small_yaml):
    (tmp_path / "campaign-small-night.yaml").write_text(
        (small_path.parent / "campaign-small-night.yaml").read_text()
    )
    more = tmp_path / "campaign-more.yaml"
    more.write_text(
        small_yaml.replace("{date: 2025-06-10, rounds: 150", "{date: 2025-06-10, rounds: 250")
    )
    res = runner.invoke(
        app, ["campaign", "compare", str(small_path), str(more), "--reps", "200", "--json"]
    )
    assert res.exit_code == 0, res.output
    d = {x["metric"]: x for x in json.loads(res.output)["differences"]}
    assert d["rockets.fired"]["diff_hi"] < 0  # fewer rockets to fire
    assert d["leaked_harmful"]["diff_lo"] > 0  # more leakers, beyond the noise
