"""Summary (DuckDB over the parts), influence ranking, report and the command line."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from airshield.cli import app
from airshield.sweep import read_table, sweep_summary, write_sweep_report
from airshield.sweep.analysis import influence_ranking
from sweep.conftest import SPEC, write

PARAMS = [
    {"name": "a", "path": "a", "type": "float64"},
    {"name": "b", "path": "b", "type": "float64"},
    {"name": "c", "path": "c", "type": "string"},
]


def grid_frame() -> pd.DataFrame:
    a, b, c = np.meshgrid(np.arange(5.0), np.arange(5.0), np.array([0, 1]), indexing="ij")
    return pd.DataFrame({"a": a.ravel(), "b": b.ravel(), "c": np.where(c.ravel(), "x", "y")})


def test_influence_ranks_the_dominant_parameter_first() -> None:
    f = grid_frame()
    f["y_mean"] = 10 * f["a"] + 0.5 * f["b"] + np.where(f["c"] == "x", 0.1, 0.0)
    rows = influence_ranking(f, PARAMS, "y_mean")
    assert [r["parameter"] for r in rows] == ["a", "b", "c"]
    s1 = {r["parameter"]: r["s1"] for r in rows}
    # exact variance decomposition of a balanced full-factorial, additive response
    var_a, var_b, var_c = 100 * 2.0, 0.25 * 2.0, 0.01 * 0.25
    total = var_a + var_b + var_c
    assert s1["a"] == pytest.approx(var_a / total)
    assert s1["b"] == pytest.approx(var_b / total)
    assert s1["c"] == pytest.approx(var_c / total)
    assert rows[0]["src"] > 0.99 and rows[0]["linear_r2"] == pytest.approx(1.0, abs=1e-4)
    assert rows[2]["src"] is None  # no regression coefficient for a categorical parameter


def test_influence_sees_a_non_monotone_effect_that_a_regression_misses() -> None:
    f = grid_frame()
    f["y_mean"] = (f["b"] - 2.0) ** 2  # U-shaped in b, nothing else matters
    rows = {r["parameter"]: r for r in influence_ranking(f, PARAMS, "y_mean")}
    assert rows["b"]["s1"] == pytest.approx(1.0) and rows["b"]["rank"] == 1
    assert abs(rows["b"]["src"]) < 1e-9  # the linear reading says "no effect"
    assert rows["a"]["s1"] == pytest.approx(0.0, abs=1e-12)


def test_influence_on_continuous_samples_uses_bins_and_reports_a_noise_floor() -> None:
    rng = np.random.default_rng(3)
    f = pd.DataFrame({"a": rng.random(400), "b": rng.random(400)})
    f["y_mean"] = np.sin(3 * f["a"]) + 0.05 * rng.standard_normal(400)
    rows = influence_ranking(f, PARAMS[:2], "y_mean")
    assert rows[0]["parameter"] == "a" and rows[0]["groups"] == 10
    assert rows[0]["s1"] > 0.9
    assert rows[1]["s1"] < 3 * rows[1]["noise_floor"]  # b: indistinguishable from no effect
    assert rows[1]["noise_floor"] == pytest.approx(9 / 399)


def test_summary_is_duckdb_over_the_parts(serial_dir: Path) -> None:
    s = sweep_summary(str(serial_dir))
    assert s["complete"] and s["cells_done"] == 12 and s["n_cells"] == 12
    assert [p["name"] for p in s["parameters"]] == [
        "drones", "doctrine_cost_threshold", "sam_stock", "raid_decoy_share"
    ]  # fmt: skip
    table = read_table(serial_dir)
    drones = s["parameters"][0]
    assert [r["value"] for r in drones["response"]] == [4, 8, 16]
    expect = table.groupby("drones")["leaked_harmful_mean"].mean()
    assert [r["mean"] for r in drones["response"]] == pytest.approx(expect.tolist())
    assert [r["cells"] for r in drones["response"]] == [4, 4, 4]
    assert s["overall"]["min"] == pytest.approx(table["leaked_harmful_mean"].min())
    best = s["overall"]["best_cell"]["cell"]
    assert table.loc[best, "leaked_harmful_mean"] == table["leaked_harmful_mean"].min()
    ranked = [r["parameter"] for r in s["influence"]]
    assert sorted(ranked) == sorted(p["name"] for p in s["parameters"])
    # the two parameters of the list axis move together: flagged as aliased
    alias = {r["parameter"]: r["aliased_with"] for r in s["influence"]}
    assert alias["sam_stock"] == ["raid_decoy_share"]
    cost = sweep_summary(str(serial_dir), "defender_cost_usd")
    assert cost["outcome"] == "defender_cost_usd"


def test_partial_sweep_summary(spec_path: Path, serial_dir: Path, tmp_path: Path) -> None:
    partial = tmp_path / "partial"
    shutil.copytree(serial_dir, partial)
    for f in (partial / "parts" / "summary").glob("part-00000[345].parquet"):
        f.unlink()
    s = sweep_summary(str(partial))
    assert not s["complete"] and s["cells_done"] == 6


def test_report_is_self_contained(serial_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    write_sweep_report(str(serial_dir), str(out))
    text = out.read_text(encoding="utf-8")
    assert text.count("Plotly.newPlot") >= 4  # influence, 3 response figures, heatmaps
    assert "Heatmap: " in text and "Response curves: " in text and "Influence ranking" in text
    assert '<script src="http' not in text and "<script src='http" not in text
    assert len(text) > 1_000_000  # plotly.js is inline
    # no MathJax loaded (plotly.js itself mentions it, so look for a script that loads it)
    assert not re.search(r"<script[^>]*src=[^>]*mathjax", text, re.IGNORECASE)
    # the same page builder as the raid and campaign reports: its CSP and header
    assert 'http-equiv="Content-Security-Policy"' in text and "default-src 'none'" in text
    assert '<header class="report">' in text


@pytest.mark.browser
@pytest.mark.timeout(120)
@pytest.mark.browser
def test_report_opens_offline_in_chromium(
    serial_dir: Path, tmp_path: Path, page: Any, watch: Any
) -> None:
    """The sweep report in headless Chromium (shared session browser; never skipped in CI)."""
    out = tmp_path / "report.html"
    write_sweep_report(str(serial_dir), str(out))
    w = watch(page)
    page.goto(out.as_uri())
    page.wait_for_selector(".plot-container")
    n_plots = page.locator(".js-plotly-plot").count()
    w.assert_clean()
    assert n_plots >= 4


# ---- command line ---------------------------------------------------------------------------
runner = CliRunner()


def test_cli_run_summary_report_cell(tmp_path: Path) -> None:
    body = SPEC.replace("outputs: [replications, effectors, assets]", "outputs: []")
    spec = write(tmp_path, body)
    out = tmp_path / "out"
    res = runner.invoke(app, ["sweep", "run", str(spec), "--out", str(out), "--backend", "serial"])
    assert res.exit_code == 0, res.output
    assert "waves[drones].count" in res.output and "12 of 12 cells done" in res.output
    res = runner.invoke(app, ["sweep", "run", str(spec), "--out", str(out), "--json"])
    assert res.exit_code == 0 and json.loads(res.output)["cells_run"] == 0
    res = runner.invoke(app, ["sweep", "summary", str(out), "--json"])
    assert res.exit_code == 0
    data = json.loads(res.output)
    assert data["cells_done"] == 12 and data["influence"]
    res = runner.invoke(app, ["sweep", "summary", str(out), "--outcome", "damage_usd"])
    assert res.exit_code == 0 and "Influence on damage_usd" in res.output
    html = tmp_path / "r.html"
    res = runner.invoke(app, ["sweep", "report", str(out), "--out", str(html)])
    assert res.exit_code == 0 and html.exists()
    cell = tmp_path / "cell.yaml"
    res = runner.invoke(app, ["sweep", "cell", str(out), "5", "--out", str(cell)])
    assert res.exit_code == 0 and "airshield run" in res.output and cell.exists()
    res = runner.invoke(app, ["sweep", "summary", str(out), "--outcome", "nope"])
    assert res.exit_code == 2


def test_cli_bad_path_exits_2_before_work(tmp_path: Path) -> None:
    spec = write(tmp_path, SPEC.replace("path: waves[drones].count", "path: waves[drone].count"))
    out = tmp_path / "out"
    res = runner.invoke(app, ["sweep", "run", str(spec), "--out", str(out)])
    assert res.exit_code == 2
    assert f"{spec}:10: parameters[0].path: waves[drone].count: no item named 'drone'" in res.output
    assert "available: drones, decoys, cruise" in res.output
    assert not out.exists()
    res = runner.invoke(app, ["sweep", "validate", str(spec)])
    assert res.exit_code == 2
