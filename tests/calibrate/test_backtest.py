from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from airshield.calibrate.backtest import error_metrics, monthly_actuals, rolling_origin
from airshield.calibrate.tempo import nightly_series
from calibrate.synth_record import record_frame, stationary_nights


def test_error_metrics_closed_form() -> None:
    f = pd.DataFrame({
        "origin": ["a", "b", "a", "b"], "kind": ["total"] * 4,
        "method": ["model", "model", "last_month", "last_month"],
        "actual": [100.0, 0.0, 100.0, 0.0], "forecast": [110.0, 10.0, 80.0, 20.0],
        "lo80": [90.0, 2.0, np.nan, np.nan], "hi80": [120.0, 5.0, np.nan, np.nan],
        "lo95": [80.0, 0.0, np.nan, np.nan], "hi95": [130.0, 20.0, np.nan, np.nan],
    })  # fmt: skip
    m = error_metrics(f).set_index("method")
    assert m.loc["model", "mae"] == 10.0 and m.loc["last_month", "mae"] == 20.0
    assert m.loc["model", "rmse"] == 10.0
    assert m.loc["model", "mape"] == pytest.approx(0.1)  # the zero actual is left out
    assert m.loc["model", "smape"] == pytest.approx((10 / 105 + 2.0) / 2)
    assert m.loc["model", "coverage80"] == 0.5 and m.loc["model", "coverage95"] == 1.0
    assert m.loc["model", "mae_vs_last_month"] == 0.5


def test_rolling_origin_baselines(tmp_path) -> None:  # type: ignore[no-untyped-def]
    nights = stationary_nights("2024-01-01", 300, seed=11, mean=lambda i: 20 + i / 10)
    series = nightly_series(record_frame(tmp_path, nights))
    bt = rolling_origin(series, window_nights=60, sims=200, seed=2, kinds=("drone",))
    actual = monthly_actuals(series)["drone"]
    f = bt.forecasts
    origins = sorted(f["origin"].unique())
    assert origins[0] == "2024-04"  # needs 3 complete months and 60 nights of history
    for o in origins:
        p = pd.Period(o, "M")
        row = f[(f["origin"] == o)].set_index("method")["forecast"]
        assert row["last_month"] == actual[p - 1]
        assert row["mean_3_months"] == pytest.approx(actual[[p - 1, p - 2, p - 3]].mean())
        assert (f[f["origin"] == o]["actual"] == actual[p]).all()
    m = bt.metrics.set_index("method")
    assert set(m.index) == {"model", "last_month", "mean_3_months"}
    assert 0.0 <= m.loc["model", "coverage95"] <= 1.0


def test_rolling_origin_per_horizon(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Months 2 and 3 after an origin are scored against the same flat baselines (made from the
    months before the origin) and the model's forecast made at the origin; months past the
    record are left out."""
    nights = stationary_nights("2024-01-01", 300, seed=11, mean=lambda i: 20 + i / 10)
    series = nightly_series(record_frame(tmp_path, nights))
    one = rolling_origin(series, window_nights=60, sims=200, seed=2, kinds=("drone",))
    bt = rolling_origin(series, window_nights=60, sims=200, seed=2, kinds=("drone",), horizons=3)
    actual = monthly_actuals(series)["drone"]
    f = bt.forecasts
    # the one-month-ahead summary is the same as a one-horizon run's
    pd.testing.assert_frame_equal(bt.metrics, one.metrics)
    last_complete = max(pd.Period(o, "M") for o in f["origin"].unique())
    for (o, hh), g in f.groupby(["origin", "horizon"]):
        p, h = pd.Period(str(o), "M"), int(hh)
        row = g.set_index("method")
        assert (row["actual"] == float(actual[p + (h - 1)])).all()
        assert row.loc["last_month", "forecast"] == actual[p - 1]
        assert row.loc["mean_3_months", "forecast"] == pytest.approx(
            actual[[p - 1, p - 2, p - 3]].mean()
        )
        assert p + (h - 1) <= last_complete
    assert set(f["horizon"]) == {1, 2, 3}
    byh = bt.by_horizon
    assert byh is not None
    h3 = f[(f["horizon"] == 3) & (f["method"] == "mean_3_months")]
    mae = (h3["forecast"] - h3["actual"]).abs().mean()
    got = byh[(byh["horizon"] == 3) & (byh["method"] == "mean_3_months")]["mae"].iloc[0]
    assert got == pytest.approx(mae)
    # the origin's last months have fewer horizons left in the record
    n1 = byh[byh["horizon"] == 1]["origins"].to_numpy()
    n3 = byh[byh["horizon"] == 3]["origins"].to_numpy()
    assert (n3 == n1 - 2).all()
