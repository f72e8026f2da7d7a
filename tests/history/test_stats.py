from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps

from airshield.history.importer import read_daily_csv
from airshield.history.stats import (
    jeffreys_interval,
    largest_raids,
    monthly_records,
    monthly_stats,
    nightly_totals,
    raid_size_distribution,
)
from history.attack_rows import row


def test_jeffreys_closed_form() -> None:
    lo, hi = jeffreys_interval(np.array([7.0]), np.array([20.0]), 0.95)
    assert lo[0] == pytest.approx(sps.beta.ppf(0.025, 7.5, 13.5))
    assert hi[0] == pytest.approx(sps.beta.ppf(0.975, 7.5, 13.5))
    # boundary conventions
    lo, hi = jeffreys_interval(np.array([0.0, 10.0]), np.array([10.0, 10.0]))
    assert lo[0] == 0.0 and hi[1] == 1.0
    assert hi[0] == pytest.approx(sps.beta.ppf(0.975, 0.5, 10.5))
    lo, hi = jeffreys_interval(np.array([0.0]), np.array([0.0]))
    assert np.isnan(lo[0]) and np.isnan(hi[0])


@settings(max_examples=80, deadline=None)
@given(st.integers(1, 5000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_jeffreys_contains_estimate(xn: tuple[int, int]) -> None:
    x, n = xn
    lo, hi = jeffreys_interval(np.array([float(x)]), np.array([float(n)]))
    assert 0.0 <= lo[0] <= x / n <= hi[0] <= 1.0


def test_monthly_golden(daily_csv: Path) -> None:
    f = read_daily_csv(daily_csv).frame
    m = monthly_stats(f).set_index(["month", "kind"])
    d = m.loc[("2024-03", "drone")]
    # Shahed 40/35 on the night of 10 Mar plus Orlan 3/3 on 11 Mar
    assert (d["launched"], d["destroyed"], d["nights"]) == (43, 38, 2)
    assert pd.isna(d["lost"])  # not reported before July 2024: None, not 0
    assert d["fraction"] == pytest.approx(38 / 43)
    c = m.loc[("2024-03", "cruise_missile")]
    # launched 6, destroyed not reported: no fraction, counts kept apart
    assert c["launched"] == 6 and pd.isna(c["destroyed"]) and pd.isna(c["fraction"])
    a = m.loc[("2024-08", "drone")]
    assert (a["launched"], a["destroyed"], a["lost"], a["neutralised"]) == (100, 60, 30, 90)
    assert a["fraction"] == pytest.approx(0.9)
    cm = m.loc[("2024-08", "cruise_missile")]
    assert (cm["launched"], cm["destroyed"], cm["lost"]) == (30, 20, 3)
    b = m.loc[("2024-08", "other")]  # the unsplit mixed bundle
    assert b["launched"] == 5
    j = m.loc[("2025-07", "drone")]
    assert pd.isna(j["lost"]) and j["neutralised"] == 282  # 280 combined + Молнія 2


def test_monthly_records_json_ready(daily_csv: Path) -> None:
    recs = monthly_records(monthly_stats(read_daily_csv(daily_csv).frame))
    keys = {"month", "kind", "launched", "destroyed", "lost"}
    assert all(keys <= set(r) for r in recs)
    r = next(r for r in recs if r["month"] == "2024-03" and r["kind"] == "drone")
    assert r["lost"] is None and isinstance(r["launched"], int)


def test_nightly_and_largest(make_csv) -> None:  # type: ignore[no-untyped-def]
    rows = []
    sizes = {"2025-01-05": 50, "2025-01-06": 200, "2025-01-08": 120}
    for day, n in sizes.items():
        rows.append(
            row(
                time_start=f"{day} 20:00",
                time_end=f"{day} 23:00",
                model="Shahed-136/131",
                launched=f"{n}.0",
                destroyed=f"{n // 2}.0",
            )
        )
        rows.append(
            row(
                time_start=f"{day} 20:00",
                time_end=f"{day} 23:00",
                model="Kalibr",
                launched="4.0",
                destroyed="4.0",
            )
        )
        rows.append(
            row(time_start=day, time_end=day, model="Orlan-10", launched="9.0", destroyed="9.0")
        )
    f = read_daily_csv(make_csv(rows)).frame
    nt = nightly_totals(f)
    assert list(nt["total"]) == [54, 204, 124]  # tactical drones excluded
    big = largest_raids(f, 2)
    assert list(big["raid_id"]) == ["R2025-01-06", "R2025-01-08"]
    assert big["fraction"].iloc[0] == pytest.approx((100 + 4) / 204)
    dist = raid_size_distribution(f)
    assert dist.nights == 3 and dist.histogram["nights"].sum() == 3
    assert dist.quantiles["max"] == 204
    assert int(dist.histogram.set_index("size").loc["100-199", "nights"]) == 1


def test_strategic_only(daily_csv: Path) -> None:
    f = read_daily_csv(daily_csv).frame
    m = monthly_stats(f, strategic_only=True).set_index(["month", "kind"])
    assert m.loc[("2024-03", "drone"), "launched"] == 40


def test_header_only_file(make_csv) -> None:  # type: ignore[no-untyped-def]
    f = read_daily_csv(make_csv([])).frame
    assert len(f) == 0 and f["strategic"].dtype == bool
    assert monthly_records(monthly_stats(f)) == []
    assert nightly_totals(f).empty and largest_raids(f).empty
    assert raid_size_distribution(f).nights == 0
