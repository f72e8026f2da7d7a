"""The web compare: B − A with the paired interval (same seed) or Welch's (different seeds), the
numbers from the runs' kept per-replication totals; edited runs told apart."""

from __future__ import annotations

import html
import re
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from airshield import fmt
from airshield.examples import example_path
from airshield.web.pages import difference_interval
from airshield.web.runner import totals_path

HEADERS = {"X-AirShield": "1"}


def _text() -> str:
    return example_path("one-battery").read_text(encoding="utf-8")


def _run(client: Any, app: Any, text: str, reps: int, seed: int) -> int:
    r = client.post("/api/runs", json={"text": text, "reps": reps, "seed": seed}, headers=HEADERS)
    assert r.status_code == 202, r.text
    run_id = int(r.json()["id"])
    app.state.runner.wait(run_id, timeout=300)
    return run_id


def test_paired_interval_is_the_t_interval_of_the_differences() -> None:
    rng = np.random.default_rng(1)
    a = rng.poisson(10, 50).astype(float)
    b = a + rng.normal(1.0, 0.5, 50)
    d = difference_interval(a, b, paired=True)
    diff = b - a
    half = stats.t.ppf(0.975, 49) * diff.std(ddof=1) / np.sqrt(50)
    assert d["mean"] == pytest.approx(diff.mean())
    assert (d["lo"], d["hi"]) == pytest.approx((diff.mean() - half, diff.mean() + half))
    # the paired interval is much tighter than the unpaired one on correlated samples
    w = difference_interval(a, b, paired=False)
    assert w["mean"] == pytest.approx(d["mean"])
    assert (w["hi"] - w["lo"]) > 3 * (d["hi"] - d["lo"])
    # unequal lengths: paired over the common prefix
    assert difference_interval(a, b[:20], paired=True)["n"] == 20


def test_welch_interval_matches_scipy() -> None:
    rng = np.random.default_rng(2)
    a, b = rng.normal(0, 1, 30), rng.normal(0.5, 2, 40)
    w = difference_interval(a, b, paired=False)
    res = stats.ttest_ind(b, a, equal_var=False)
    ci = res.confidence_interval(0.95)
    assert (w["lo"], w["hi"]) == pytest.approx((ci.low, ci.high), rel=1e-9)


def test_compare_page_shows_b_minus_a_with_intervals(client: Any, app: Any) -> None:
    text = _text()
    ia = _run(client, app, text, 30, 4)
    ib = _run(client, app, text.replace("stock: 12", "stock: 2"), 30, 4)
    page = client.get(f"/compare?a={ia}&b={ib}").text
    # the numbers are those of the runs' per-replication totals, paired by replication
    ra, rb = (client.get(f"/api/runs/{i}").json() for i in (ia, ib))
    ta, tb = (pd.read_parquet(totals_path(r["report_path"])) for r in (ra, rb))
    d = difference_interval(ta["leaked_harmful"], tb["leaked_harmful"], paired=True)
    expected = fmt.diff(d["mean"], d["lo"], d["hi"])
    row = re.search(r"<tr><td>harmful leakers</td>(.*?)</tr>", page)
    assert row is not None
    assert html.escape(expected) in row.group(1)
    assert "mean paired difference" in page and "common random numbers" in page
    # the same scenario name with different YAML: marked, and the difference shown
    assert page.count("badge-edited") == 2
    assert 'id="yaml-diff"' in page and "stock: 2" in page
    # different seeds: Welch's interval, said so
    ic = _run(client, app, text, 30, 9)
    page2 = client.get(f"/compare?a={ia}&b={ic}").text
    assert "Welch" in page2 and "badge-edited" not in page2 and "yaml-diff" not in page2


def test_index_marks_runs_of_edited_scenarios(client: Any, app: Any) -> None:
    text = _text()
    _run(client, app, text, 5, 1)
    _run(client, app, text.replace("stock: 12", "stock: 3"), 5, 1)
    page = client.get("/").text
    assert page.count('class="badge badge-edited"') == 1
    assert page.count('class="hash"') == 2
