from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from airshield.calibrate.tempo import (
    TEMPO_KINDS,
    TempoModel,
    fit_kind,
    fit_tempo,
    monthly_level_sd,
    nightly_series,
)
from calibrate.synth_record import record_frame, stationary_nights


@pytest.fixture(scope="module")
def series(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    tmp = tmp_path_factory.mktemp("tempo")
    nights = stationary_nights("2024-01-01", 240, seed=7, mean=lambda i: 60.0, p_use=0.8)
    return nightly_series(record_frame(tmp, nights))


def test_series_fills_calendar(series: pd.DataFrame) -> None:
    assert list(series.columns) == [*TEMPO_KINDS, "total"]
    days = (series.index.max() - series.index.min()).days + 1
    assert len(series) == days  # nights without launches are zeros, not missing
    assert (series["total"] == series[list(TEMPO_KINDS)].sum(axis=1)).all()
    assert series["drone"].eq(0).sum() > 20


def test_fit_recovers_known_parameters() -> None:
    rng = np.random.default_rng(np.random.SeedSequence(3))
    n = 4000
    used = rng.random(n) < 0.7
    counts = rng.negative_binomial(4, 4 / (4 + 50.0), size=n)
    y = np.where(used, counts, 0)
    tau = np.linspace(-4, 0, n)
    kt = fit_kind("drone", tau, y, trend=False)
    # the hurdle absorbs the NB's own zeros; P(y > 0) = 0.7 * (1 - P0)
    p0 = (4 / 54) ** 4
    assert float(kt.p_use(0.0)) == pytest.approx(0.7 * (1 - p0), abs=0.03)
    assert np.exp(kt.positive[0]) == pytest.approx(50.0, rel=0.08)
    assert np.exp(kt.positive[2]) == pytest.approx(4.0, rel=0.25)
    assert float(kt.expected(0.0)) == pytest.approx(0.7 * 50.0, rel=0.08)


def test_inactive_kind_is_zero() -> None:
    kt = fit_kind("decoy", np.zeros(10), np.zeros(10))
    assert not kt.active and float(kt.expected(0.5)) == 0.0


def test_forecast_intervals_and_level(series: pd.DataFrame) -> None:
    model = fit_tempo(series, origin="2024-07-01", window_nights=120)
    fc = model.forecast(months=2, sims=1500, seed=1).set_index(["month", "kind"])
    row = fc.loc[("2024-07", "drone")]
    assert row["lo95"] <= row["lo80"] <= row["median"] <= row["hi80"] <= row["hi95"]
    # 31 nights x 0.8 x 60 (nights with a zero NB draw are rare at mean 60)
    assert row["median"] == pytest.approx(31 * 0.8 * 60, rel=0.15)
    assert fc.loc[("2024-07", "decoy"), "hi95"] == 0
    later = fc.loc[("2024-08", "drone")]
    assert later["hi95"] - later["lo95"] >= row["hi95"] - row["lo95"]  # uncertainty grows


def test_sampling_is_seeded_and_serialisable(series: pd.DataFrame) -> None:
    model = fit_tempo(series, origin="2024-07-01")
    a = model.sample_nights(20, 5, sims=3)
    b = model.sample_nights(20, 5, sims=3)
    c = model.sample_nights(20, 6, sims=3)
    assert a.shape == (3, 20, len(TEMPO_KINDS))
    assert (a == b).all() and not (a == c).all()
    back = TempoModel.from_dict(model.to_dict())
    assert (back.sample_nights(20, 5, sims=3) == a).all()


def test_big_raid_share(series: pd.DataFrame) -> None:
    model = fit_tempo(series, origin="2024-07-01", big_raid_threshold=60)
    window = series.loc["2024-03-03":"2024-06-30"]
    share = float((window["total"] >= 60).mean())
    assert model.big_raid_share == pytest.approx(share)
    lo, hi = model.big_raid_share_ci
    assert lo <= share <= hi


def test_level_sd() -> None:
    idx = pd.date_range("2024-01-01", "2024-06-30", freq="D")
    flat = pd.Series(10, index=idx)
    assert monthly_level_sd(flat) == pytest.approx(
        np.sqrt(np.mean(np.diff(np.log1p([310, 290, 310, 300, 310, 300])) ** 2))
    )


def test_no_history_is_an_error(series: pd.DataFrame, tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        fit_tempo(series, origin="2020-01-01")


def test_schedule_for_the_campaign_engine(series: pd.DataFrame) -> None:
    from airshield.campaign.models import ScheduleTempo

    model = fit_tempo(series, origin="2024-07-01")
    sched = model.to_schedule(10, seed=4, decoy_share=0.25)
    tempo = ScheduleTempo.model_validate(sched)
    assert tempo.raids and all(r.threats for r in tempo.raids)
    total = sum(sum(r.threats.values()) for r in tempo.raids if r.threats)
    path = model.sample_nights(
        pd.date_range("2024-07-01", periods=10, freq="D"),
        np.random.default_rng(np.random.SeedSequence(4)),
    )[0]
    assert total == int(path.sum())  # the same path, relabelled by threat type
    gerbera = sum((r.threats or {}).get("gerbera", 0) for r in tempo.raids)
    assert gerbera == pytest.approx(0.25 * total, abs=len(tempo.raids))
