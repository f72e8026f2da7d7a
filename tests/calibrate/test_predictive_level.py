"""The share model's time-varying level: the Kalman filter against closed forms, and what it
learns from generated records (nothing is copied from the public record)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import special, stats

from airshield.calibrate.predictive import (
    LEVEL_PRIOR_VAR,
    LocalLevel,
    _kalman,
    fit_predictive,
    raid_table,
)
from calibrate.synth_record import record_frame
from calibrate.test_predictive import synth_nights


def _case(seed: int, m: int = 25) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    day = np.sort(rng.integers(0, 200, m)).astype(float)
    day -= day[0]
    return rng.normal(0.0, 0.5, m), rng.uniform(0.05, 0.4, m), day


@pytest.mark.parametrize("q", [0.0, 0.004])
def test_filter_likelihood_is_the_joint_gaussian(q: float) -> None:
    """The prediction-error decomposition equals the joint normal of the residuals: level with
    prior variance P0 and random-walk covariance ``q * min(t_i, t_j)``, plus each raid's noise."""
    r, s2, day = _case(1)
    kappa = 1.3
    ll, mean, var = _kalman(r, s2, day, q, kappa, None)
    cov = LEVEL_PRIOR_VAR + q * np.minimum.outer(day, day) + np.diag(kappa * s2)
    assert ll == pytest.approx(stats.multivariate_normal(np.zeros(len(r)), cov).logpdf(r))
    # filtered level at the last raid: the conditional normal of x_T given every residual
    c_xr = LEVEL_PRIOR_VAR + q * np.minimum(day[-1], day)
    gain = np.linalg.solve(cov, c_xr)
    assert mean == pytest.approx(float(gain @ r))
    assert var == pytest.approx(LEVEL_PRIOR_VAR + q * day[-1] - float(gain @ c_xr))


def test_filter_with_mean_reversion_is_the_joint_gaussian() -> None:
    r, s2, day = _case(2)
    q, kappa, tau = 0.01, 0.8, 40.0
    ll, mean, _ = _kalman(r, s2, day, q, kappa, tau)
    stat = q * tau / 2
    # OU covariance, started from N(0, P0): a_ij * (P0 a_0i a_0j + stat (1 - a_0min^2))
    dmin = np.minimum.outer(day, day)
    lag = np.abs(np.subtract.outer(day, day))
    cov_x = np.exp(-lag / tau) * (
        LEVEL_PRIOR_VAR * np.exp(-2 * dmin / tau) + stat * (1 - np.exp(-2 * dmin / tau))
    )
    cov = cov_x + np.diag(kappa * s2)
    assert ll == pytest.approx(stats.multivariate_normal(np.zeros(len(r)), cov).logpdf(r))
    assert mean == pytest.approx(float(np.linalg.solve(cov, cov_x[-1]) @ r))


def test_level_at_widens_with_the_horizon_and_reverts() -> None:
    rw = LocalLevel(0.01, None, 1.0, -0.4, 0.05, "2025-04-30", 0.0, 0.0, 10)
    m, v = rw.at(pd.to_datetime(["2025-04-01", "2025-05-01", "2025-07-29"]))
    assert np.allclose(m, -0.4)
    assert v == pytest.approx([0.05, 0.06, 0.05 + 0.01 * 90])
    ou = LocalLevel(0.01, 30.0, 1.0, -0.4, 0.05, "2025-04-30", 0.0, 0.0, 10)
    m, v = ou.at(pd.to_datetime(["2025-05-30", "2030-01-01"]))
    assert m[0] == pytest.approx(-0.4 * np.exp(-1.0))
    assert abs(m[1]) < 1e-6 and v[1] == pytest.approx(0.01 * 30 / 2)  # the stationary level


def test_a_step_in_the_share_is_followed(tmp_path: Path) -> None:
    """A record whose level drops by 1 on the logit scale 60 nights before the fit date: the
    level models learn a positive drift and move toward the new level, and the intervals cover
    the next nights; the static regression (recency-weighted) stays between the two levels."""
    before = synth_nights("2025-08-01", 300, seed=21, intercept=2.5, log_size=0.0)
    after = synth_nights("2026-05-28", 120, seed=22, intercept=1.5, log_size=0.0)
    frame = record_frame(tmp_path, before + after)
    until = "2026-07-26"  # 60 nights after the step
    level = fit_predictive(frame, until=until)
    walk = fit_predictive(frame, until=until, level_reverts=False)
    static = fit_predictive(frame, until=until, local_level=False)
    lv = level.fits["drone"].level
    assert lv is not None and lv.q_per_night > 1e-4 and lv.mean < -0.3
    assert lv.loglik > lv.static_loglik + 5
    nxt = raid_table(frame)
    nxt = nxt[nxt["night"] > pd.Timestamp(until)].reset_index(drop=True)
    obs = (nxt["drone_neutralised"] / nxt["drones"]).to_numpy()
    p_level = level.predict(nxt, sims=1000, seed=1)
    p_static = static.predict(nxt, sims=1000, seed=1)
    truth = special.expit(
        1.5 + TRUE_MISSILE_SHARE * nxt["missiles"] / (nxt["drones"] + nxt["missiles"])
    )
    p_walk = walk.predict(nxt, sims=1000, seed=1)
    err_level = np.abs(p_level["drone_neutralised_mean"] - truth).mean()
    err_walk = np.abs(p_walk["drone_neutralised_mean"] - truth).mean()
    err_static = np.abs(p_static["drone_neutralised_mean"] - truth).mean()
    # a permanent step is the random walk's case; the reverting level (which treats part of
    # it as transient) still follows it better than the static regression
    assert err_walk < 0.5 * err_static
    assert err_level < 0.75 * err_static
    inside = (obs >= p_level["drone_neutralised_p5"]) & (obs <= p_level["drone_neutralised_p95"])
    assert inside.mean() >= 0.8


TRUE_MISSILE_SHARE = 1.0


def test_a_constant_share_gets_a_quiet_level(tmp_path: Path) -> None:
    frame = record_frame(tmp_path, synth_nights("2025-08-01", 400, seed=31))
    level = fit_predictive(frame, halflife_nights=None)
    static = fit_predictive(frame, halflife_nights=None, local_level=False)
    lv = level.fits["drone"].level
    assert lv is not None and abs(lv.mean) < 0.15
    # the level's spread 90 nights ahead stays small (no drift learnt from a constant record)
    assert lv.at(pd.to_datetime([lv.last_night]) + pd.Timedelta(days=90))[1][0] < 0.05
    nights = raid_table(frame).iloc[-30:].reset_index(drop=True)
    a = level.predict(nights, sims=1000, seed=2)["drone_neutralised_mean"]
    b = static.predict(nights, sims=1000, seed=2)["drone_neutralised_mean"]
    assert np.abs(a - b).max() < 0.02
