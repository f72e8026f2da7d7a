"""The tempo model's monthly level: combination by hand, trend recovery, bounded horizons."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from airshield.calibrate.backtest import rolling_origin
from airshield.calibrate.tempo import (
    CANDIDATES,
    TEMPO_KINDS,
    TREND_LEVEL,
    LevelForecast,
    TempoModel,
    _candidates,
    fit_level,
    fit_tempo,
    monthly_rates,
    trend_is_significant,
    with_aggregates,
)


def _series(rate_of_night: np.ndarray, start: str = "2023-01-01", missiles: float = 0.0):
    idx = pd.date_range(start, periods=len(rate_of_night), freq="D", name="night")
    df = pd.DataFrame(0, index=idx, columns=[*TEMPO_KINDS, "total"], dtype="int64")
    df["drone"] = np.asarray(rate_of_night).astype("int64")
    df["cruise_missile"] = int(missiles)
    df["total"] = df[list(TEMPO_KINDS)].sum(axis=1)
    return df


def _monthly_constant(rates: list[float], start: str = "2023-01-01") -> pd.DataFrame:
    """Every night of month i launches ``rates[i]`` drones."""
    months = pd.period_range(start, periods=len(rates), freq="M")
    nights = np.concatenate([[r] * m.days_in_month for r, m in zip(rates, months, strict=True)])
    return _series(nights, start)


def test_candidates_by_hand() -> None:
    rates = np.array([10.0, 12.0, 11.0, 20.0])
    nightly = np.array([30.0, 10.0])  # the last two nights before the origin
    c = dict(zip(CANDIDATES, _candidates(rates, nightly), strict=True))
    assert c["last_month"] == 20.0
    assert c["mean_3_months"] == pytest.approx((12 + 11 + 20) / 3)
    assert c["mean_12_months"] == pytest.approx(53 / 4)
    w = 0.5 ** (1 / 20)  # the older night's weight (half-life 20 nights)
    assert c["ewma_20"] == pytest.approx((w * 30 + 10) / (w + 1))
    g = np.median(np.diff(np.log1p(rates)))
    assert c["trend"] == pytest.approx(np.expm1(np.log1p(20.0) + 0.5 * g))


def test_monthly_rates_keep_complete_months_only() -> None:
    s = _series(np.full(75, 6.0), start="2024-01-10")  # 10 Jan .. 24 Mar
    r = monthly_rates(s)
    assert list(r.index.astype(str)) == ["2024-02"]
    assert r.loc["2024-02", "drones"] == 6.0 and r.loc["2024-02", "total"] == 6.0


def test_backtest_scores_by_hand() -> None:
    # 10 drones every night: the month totals differ only by their number of nights
    s = _monthly_constant([10.0] * 9)
    bt = rolling_origin(s, window_nights=60, sims=200, seed=1, kinds=("drones",))
    f = bt.forecasts.set_index(["origin", "method"])
    origins = sorted(bt.forecasts["origin"].unique())
    assert origins == ["2023-04", "2023-05", "2023-06", "2023-07", "2023-08", "2023-09"]
    days = {o: pd.Period(o, "M").days_in_month for o in origins}
    by_hand_last, by_hand_mean3 = [], []
    for o in origins:
        p = pd.Period(o, "M")
        actual = 10.0 * days[o]
        prev = [10.0 * (p - i).days_in_month for i in (1, 2, 3)]
        assert f.loc[(o, "last_month"), "forecast"] == prev[0]
        assert f.loc[(o, "mean_3_months"), "forecast"] == pytest.approx(np.mean(prev))
        # the model forecasts the per-night rate: exactly 10 a night, whatever the month's length
        assert f.loc[(o, "model"), "forecast"] == pytest.approx(actual)
        by_hand_last.append(abs(prev[0] - actual))
        by_hand_mean3.append(abs(np.mean(prev) - actual))
    m = bt.metrics.set_index("method")
    assert m.loc["last_month", "mae"] == pytest.approx(np.mean(by_hand_last))  # 10 nights' worth
    assert m.loc["mean_3_months", "mae"] == pytest.approx(np.mean(by_hand_mean3))
    assert m.loc["model", "mae"] == pytest.approx(0.0, abs=1e-6)
    assert m.loc["model", "mae_vs_mean_3_months"] == pytest.approx(0.0, abs=1e-6)
    assert m.loc["model", "coverage80"] == 1.0


def test_recovers_a_known_trend() -> None:
    # nightly rate growing 6 % a month (log-linear), Poisson nights
    rng = np.random.default_rng(np.random.SeedSequence(5))
    n = 30 * 30
    t = np.arange(n) / 30.4375
    true = 40.0 * np.exp(0.06 * t)
    s = _series(rng.poisson(true))
    origin = pd.Timestamp("2025-05-01")
    s = s[s.index < origin]
    lv = fit_level(with_aggregates(s), "drones", origin, rule=None)  # the combination
    assert lv is not None
    truth = 40.0 * np.exp(0.06 * ((origin + pd.Timedelta(days=15)) - s.index[0]).days / 30.4375)
    # the monthly log growth is recovered; the forecast lags a steady trend by design (the trend
    # forecaster carries half of it, damped) but tracks it far better than the 3-month mean
    assert lv.log_growth == pytest.approx(0.06, abs=0.015)
    assert 0.0 < lv.growth <= lv.log_growth
    mean3 = float(monthly_rates(s)["drones"].iloc[-3:].mean())
    assert abs(lv.rate - truth) < 0.6 * abs(mean3 - truth)
    assert lv.rate == pytest.approx(truth, rel=0.08)
    assert lv.weights["trend"] + lv.weights["last_month"] > 0.5  # the lagging means lose weight
    assert lv.weights["mean_12_months"] < 0.1
    # the structural rule recent_trend alone: all its weight, the six-month slope halved for
    # months 2+, one month ahead within a month's growth of the truth
    rt = fit_level(with_aggregates(s), "drones", origin, rule="recent_trend")
    assert rt is not None
    assert rt.weights["recent_trend"] == 1.0
    assert rt.growth == pytest.approx(0.5 * 0.06, abs=0.01)
    assert abs(rt.rate - truth) < 0.6 * abs(mean3 - truth)
    assert rt.rate == pytest.approx(truth, rel=0.08)
    # the drones' default rule: a 6 % monthly trend on 40+ a night is significant, so the
    # significant-trend rule is the recent trend, with its growth for months 2+
    st = fit_level(with_aggregates(s), "drones", origin)
    assert st is not None and st.weights["significant_trend"] == 1.0
    assert st.rate == pytest.approx(rt.rate)
    assert st.growth == pytest.approx(rt.growth)
    # missiles' default rule is the 18-month mean
    pr = fit_level(with_aggregates(s), "missiles", origin)
    assert pr is not None and pr.weights["mean_18_months"] == 1.0
    assert lv.weights["mean_18_months"] == 0.0  # a rule only, never in the combination
    with pytest.raises(ValueError, match="rule must be one of"):
        fit_level(with_aggregates(s), "drones", origin, rule="oracle")


def test_structural_rules_by_hand() -> None:
    # the two structural forecasters computed by hand on monthly totals
    rates = np.array([10.0, 20.0, 15.0, 30.0, 25.0, 40.0, 35.0, 50.0])
    c = dict(zip(CANDIDATES, _candidates(rates, np.zeros(0)), strict=True))
    lr = np.log1p(rates[-6:])
    slope, icpt = np.polyfit(np.arange(6.0), lr, 1)
    assert c["recent_trend"] == pytest.approx(np.expm1(0.5 * (lr[-1] + icpt + 5 * slope)))
    assert c["production"] == pytest.approx(np.sqrt(51.0 * (1 + rates.mean())) - 1)
    assert c["mean_18_months"] == pytest.approx(rates.mean())  # fewer than 18 months: all
    longer = np.arange(1.0, 25.0)
    c = dict(zip(CANDIDATES, _candidates(longer, np.zeros(0)), strict=True))
    assert c["mean_18_months"] == pytest.approx(longer[-18:].mean())


@pytest.mark.parametrize("seed", range(30))
def test_significant_trend_is_the_t_test_on_the_six_month_slope(seed: int) -> None:
    # the rule's test against scipy's regression p-value (two-sided, 4 degrees of freedom)
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    rates = np.exp(rng.normal(4.0, 0.4, 9) + rng.uniform(-0.3, 0.3) * np.arange(9))
    lr = np.log1p(rates[-6:])
    p_value = stats.linregress(np.arange(6.0), lr).pvalue
    assert trend_is_significant(rates) == (p_value < TREND_LEVEL)
    c = dict(zip(CANDIDATES, _candidates(rates, np.zeros(0)), strict=True))
    expected = c["recent_trend"] if p_value < TREND_LEVEL else c["mean_3_months"]
    assert c["significant_trend"] == pytest.approx(expected)


def test_significant_trend_is_the_3_month_mean_on_a_flat_record() -> None:
    rates = np.array([300.0, 520.0, 280.0, 410.0, 690.0, 270.0, 380.0, 500.0])
    assert not trend_is_significant(rates)
    c = dict(zip(CANDIDATES, _candidates(rates, np.zeros(0)), strict=True))
    assert c["significant_trend"] == pytest.approx(rates[-3:].mean())
    assert trend_is_significant(np.array([100.0, 150.0, 210.0, 330.0, 480.0, 700.0]))
    assert not trend_is_significant(np.array([100.0, 150.0]))  # too few months to test


def test_long_horizons_are_bounded() -> None:
    # explosive growth in the history: 25 % a month for two years
    months = [20.0 * 1.25**i for i in range(24)]
    s = _monthly_constant(months)
    model = fit_tempo(s, origin="2025-01-01")
    lv = model.levels["drones"]
    # the log scale of a damped AR(1) never exceeds sd / sqrt(1 - phi^2)
    h = np.arange(1, 200)
    assert np.all(lv.log_sd(h) <= lv.sd / np.sqrt(1 - lv.phi**2) + 1e-12)
    # total growth in log volume is bounded by growth * phi / (1 - phi)
    assert np.all(lv.log_mean(h) - np.log1p(lv.rate) <= lv.growth * lv.phi / (1 - lv.phi) + 1e-12)
    fc = model.forecast(months=13, sims=300, seed=0).set_index(["month", "kind"])
    first = fc.loc[("2025-01", "drones")]
    last = fc.loc[("2026-01", "drones")]
    last_month_total = months[-1] * 31
    assert first["median"] == pytest.approx(lv.rate * 31)
    # 13 months out: the 95 % upper bound stays within a few times the present volume
    assert last["hi95"] < 6 * last_month_total
    assert last["median"] < 3 * last_month_total
    assert last["lo95"] <= last["median"] <= last["hi95"]


def test_nights_follow_the_level() -> None:
    rng = np.random.default_rng(np.random.SeedSequence(9))
    s = _series(rng.negative_binomial(3, 3 / (3 + 50.0), size=400), start="2023-01-01")
    model = fit_tempo(s, origin="2024-02-01")
    lv = model.levels["drone"]
    draws = model.sample_nights(pd.date_range("2024-02-01", "2024-02-29"), 3, sims=4000)
    month = draws[:, :, TEMPO_KINDS.index("drone")].sum(axis=1)
    assert month.mean() == pytest.approx(float(lv.mean(1)) * 29, rel=0.1)
    q10, q90 = np.quantile(month, [0.1, 0.9])
    assert q10 == pytest.approx(float(lv.quantile(1, 0.1)) * 29, rel=0.15)
    assert q90 == pytest.approx(float(lv.quantile(1, 0.9)) * 29, rel=0.15)
    # deserialised models sample the same nights
    back = TempoModel.from_dict(model.to_dict())
    assert (back.sample_nights(20, 5, sims=2) == model.sample_nights(20, 5, sims=2)).all()
    assert isinstance(back.levels["drone"], LevelForecast)


def test_intervals_calibrated_on_a_noisy_level() -> None:
    # a log-normal month-to-month level around 60 a night (no trend): the 80 % interval should
    # cover roughly 80 % of the months it forecasts
    rng = np.random.default_rng(np.random.SeedSequence(21))
    months = list(60.0 * np.exp(rng.normal(0, 0.3, 40)))
    s = _monthly_constant(months)
    bt = rolling_origin(s, window_nights=60, sims=200, seed=3, kinds=("drones",))
    m = bt.metrics.set_index("method")
    assert m.loc["model", "origins"] >= 30
    assert 0.65 <= m.loc["model", "coverage80"] <= 0.95
    assert m.loc["model", "coverage95"] >= 0.85


def test_rules_override_the_default_per_series() -> None:
    # months of 10, 20, 30, 40 drones a night: last month 40, 3-month mean 30, 18-month mean 25
    s = _monthly_constant([10.0, 20.0, 30.0, 40.0])
    default = fit_tempo(s, origin="2023-05-01", window_nights=60)
    assert default.levels["missiles"].weights["mean_18_months"] == 1.0
    assert default.levels["drones"].weights["mean_18_months"] == 0.0
    picked = fit_tempo(
        s,
        origin="2023-05-01",
        window_nights=60,
        rules={"drones": "last_month", "total": "mean_18_months", "missiles": None},
    )
    assert picked.levels["drones"].rate == pytest.approx(40.0)
    assert picked.levels["total"].rate == pytest.approx(25.0)
    assert picked.levels["missiles"].weights["mean_18_months"] == 0.0  # the combination
    assert picked.levels["drone"].rate == pytest.approx(default.levels["drone"].rate)
