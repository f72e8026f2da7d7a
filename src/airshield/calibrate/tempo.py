"""Raid tempo: a model of launch volume by threat kind, fitted to the record.

Two layers:

**Monthly level** (:class:`LevelForecast`, :func:`fit_level`): the per-night launch rate of the
coming months, for each kind and for the aggregates ``drones`` (Shahed-type drones and decoys)
and ``missiles`` (cruise, ballistic and other strategic weapons). It is a *forecast
combination* of simple forecasters of the per-night rate (:data:`CANDIDATES`: last month, mean of
the last three months, mean of the last twelve, a nightly EWMA with a 20-night half-life, the last
month grown by half the median monthly log growth of the last six months, the last month with a
six-month log-linear level, and the 12-month production mean with the last month; the
18-month mean is a rule only, :data:`COMBINED`), except where :data:`RULES` gives one structural
forecaster (missiles: ``mean_18_months``; the drone line, its kinds and the total:
``significant_trend``, the 3-month mean unless the six-month log-linear slope is significant at
5 %; chosen by a class selection protocol on early origins and confirmed on later ones,
docs/tempo.md). Each forecaster is
scored on the months before the origin (rolling one-month-ahead, on the rate, so February's 28
nights do not count as a drop) and weighted by its inverse mean squared error over the last
``lookback`` months (Bates-Granger weights): in a growth phase (2024-25) the last-month and trend
forecasters carry the weight, in a flat noisy phase (2023) the means do, and the model moves
between them as the record does. The predictive distribution is log-normal around the combined
rate; its one-month scale is the RMS log error of the combined forecast over up to
``error_months`` past months (so the interval is calibrated by construction on the record's own
errors, and carries the night-to-night variation and the model's own uncertainty together).

Longer horizons are damped: the trend term decays by ``phi`` per month (a bounded total growth
of ``g * phi / (1 - phi)`` in log volume) and the log scale follows a stationary AR(1) with
coefficient ``phi``: ``var_h = sd_1^2 * sum_{i<h} phi^(2i)``, bounded by ``sd_1^2 / (1 - phi^2)``.
Attacker volume is production-limited (public production reports put Shahed-type output at a
few thousand a month, growing by tens of percent a year, not exponentially without end), so a
forecast that keeps compounding the last months' growth or whose spread grows without bound is
not a forecast.

**Nights** (:class:`KindTempo`): for each kind the number launched on night ``t`` follows a
*hurdle* model fitted on a trailing window of nights:

- whether the kind is used at all that night: ``P(y > 0) = logistic(a0 + a1 * tau)``;
- how many when it is: a zero-truncated negative binomial with mean parameter
  ``mu = exp(b0 + b1 * tau)`` and size ``r`` (over-dispersion: big raids and quiet nights);

``tau`` is time in months relative to the forecast origin. Parameters are maximum-likelihood
estimates from :func:`scipy.optimize.minimize`; their uncertainty is the inverse of a
finite-difference Hessian. Simulated nights (:meth:`TempoModel.sample_nights`, the attacker
tempo of a campaign) draw a monthly level from the log-normal level forecast and scale the
nightly model to it, so a month's simulated nights add up to the level forecast in distribution
while keeping the record's nightly shape (quiet nights, big raids). Every draw comes from a
``numpy.random.Generator`` built on ``SeedSequence(seed)``.

Kinds are drawn with one shared monthly level shift (big missile months coincide with big drone
months in the record) but independent nights given the level.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, special

from airshield.history.models import THREAT_KINDS
from airshield.history.stats import jeffreys_interval, nightly_totals

TEMPO_KINDS: tuple[str, ...] = THREAT_KINDS
"""Kinds the tempo model forecasts (strategic weapons only: no tactical drones)."""

AGGREGATES: dict[str, tuple[str, ...]] = {
    "drones": ("drone", "decoy"),
    "missiles": ("cruise_missile", "ballistic_missile", "other"),
    "total": THREAT_KINDS,
}
"""Sums of kinds that get their own level forecast (``drones`` is the record's drone line)."""

LEVEL_SERIES: tuple[str, ...] = (*TEMPO_KINDS, *AGGREGATES)
"""Every series with a level forecast: the kinds and the aggregates."""

CANDIDATES: tuple[str, ...] = (
    "last_month",
    "mean_3_months",
    "mean_12_months",
    "ewma_20",
    "trend",
    "recent_trend",
    "production",
    "mean_18_months",
    "significant_trend",
)
"""The simple forecasters of the per-night rate (combined, or one chosen by :data:`RULES`)."""

COMBINED: tuple[str, ...] = CANDIDATES[:7]
"""The forecasters the Bates-Granger combination weighs (``mean_18_months`` is a rule only: it
was added for the missile rule's selection and is not part of the drones' combination)."""

RULES: dict[str, str] = {
    "missiles": "mean_18_months",
    "drones": "significant_trend",
    "drone": "significant_trend",
    "decoy": "significant_trend",
    "total": "significant_trend",
}
"""Series whose level is one structural forecaster rather than the combination.

Chosen by the class selection protocol (``python benchmarks/tempo_backtest.py --select``, see
docs/tempo.md): each class (the combination, each forecaster alone) is backtested one month ahead,
the class with the lowest MAE over the 3-month mean's on the early origins 2023-06 … 2024-06 is
chosen and confirmed on 2024-07 … 2025-04 without re-tuning. Missiles: ``mean_18_months`` (the
18-month mean rate: missiles are stock- and production-limited and fired in salvos every few
weeks), 0.794 early, 0.794 late. Drones: ``significant_trend`` (the 3-month mean, or the recent
trend where the six-month log-linear slope is significant at 5 %): it is the 3-month mean at every
early origin, so it ties the protocol's early choice (0.970), and it passes the confirmation the
mean fails (0.864 late, the mean 1.014); 0.880 over all origins (the combination 0.923). The
drone kinds and the total follow the drone line (the total is mostly drones), so that the kinds,
``drones`` and ``total`` do not contradict each other. The target (0.8) is not met for drones
(docs/tempo.md)."""

TREND_MONTHS = 6
"""Months of the log-linear fit behind ``recent_trend``."""

EWMA_HALFLIFE_NIGHTS = 20.0
DAYS_PER_MONTH = 30.4375


def nightly_series(
    frame: pd.DataFrame, *, start: pd.Timestamp | None = None, end: pd.Timestamp | None = None
) -> pd.DataFrame:
    """Strategic launches per calendar night and kind, nights without reports filled with 0.

    Index: night (evening date), columns: :data:`TEMPO_KINDS` and ``total``.
    """
    wide = nightly_totals(frame)
    if wide.empty and (start is None or end is None):
        raise ValueError("the record has no strategic launches (Shahed-type drones or missiles)")
    lo = start if start is not None else wide.index.min()
    hi = end if end is not None else wide.index.max()
    idx = pd.date_range(lo, hi, freq="D", name="night")
    out = wide.reindex(idx, fill_value=0)
    return out[[*TEMPO_KINDS, "total"]].astype("int64")


# ----------------------------------------------------------------------------- likelihoods


def _log_nb(y: np.ndarray, mu: np.ndarray, r: float) -> np.ndarray:
    return (
        special.gammaln(y + r)
        - special.gammaln(r)
        - special.gammaln(y + 1)
        + r * np.log(r / (r + mu))
        + y * np.log(mu / (r + mu))
    )


def _nll_positive(
    theta: np.ndarray, tau: np.ndarray, y: np.ndarray, w: np.ndarray, prior_sd: float
) -> float:
    b0, b1, log_r = theta
    r = float(np.exp(np.clip(log_r, -6.0, 8.0)))
    mu = np.exp(np.clip(b0 + b1 * tau, -20.0, 20.0))
    log_p0 = r * np.log(r / (r + mu))
    ll = _log_nb(y, mu, r) - np.log(-np.expm1(log_p0))
    return float(-(w * ll).sum() + 0.5 * (b1 / prior_sd) ** 2)


def _nll_hurdle(
    theta: np.ndarray, tau: np.ndarray, z: np.ndarray, w: np.ndarray, prior_sd: float
) -> float:
    a0, a1 = theta
    eta = a0 + a1 * tau
    ll = z * -np.logaddexp(0.0, -eta) + (1 - z) * -np.logaddexp(0.0, eta)
    return float(-(w * ll).sum() + 0.5 * (a1 / prior_sd) ** 2)


def _hessian(f: Any, x: np.ndarray, step: float = 1e-3) -> np.ndarray:
    """Central finite-difference Hessian of a scalar function."""
    n = len(x)
    h = np.zeros((n, n))
    for i in range(n):
        for j in range(i, n):
            ei = np.zeros(n)
            ej = np.zeros(n)
            ei[i] = step
            ej[j] = step
            val = (f(x + ei + ej) - f(x + ei - ej) - f(x - ei + ej) + f(x - ei - ej)) / (
                4 * step * step
            )
            h[i, j] = h[j, i] = val
    return h


def _covariance(f: Any, x: np.ndarray) -> np.ndarray:
    h = _hessian(f, x)
    try:
        cov = np.linalg.inv(h)
        w, v = np.linalg.eigh((cov + cov.T) / 2)
        w = np.clip(w, 1e-9, 25.0)  # guard against flat directions
        return (v * w) @ v.T
    except np.linalg.LinAlgError:
        return np.eye(len(x)) * 1e-6


@dataclass
class KindTempo:
    """Fitted hurdle negative-binomial tempo of one kind."""

    kind: str
    nights: int
    nights_used: int
    active: bool
    hurdle: list[float] = field(default_factory=lambda: [0.0, 0.0])  # a0, a1
    hurdle_cov: list[list[float]] = field(default_factory=lambda: [[0.0, 0.0], [0.0, 0.0]])
    positive: list[float] = field(default_factory=lambda: [0.0, 0.0, 0.0])  # b0, b1, log r
    positive_cov: list[list[float]] = field(default_factory=lambda: [[0.0] * 3 for _ in range(3)])
    observed_mean: float = 0.0
    level_sd: float = 0.0  # s.d. of the monthly log level shift (random walk between months)

    def p_use(self, tau: np.ndarray | float) -> np.ndarray:
        a0, a1 = self.hurdle
        return np.asarray(special.expit(a0 + a1 * np.asarray(tau)))

    def mean_given_use(self, tau: np.ndarray | float) -> np.ndarray:
        """Mean of the zero-truncated count (what a night brings when the kind is used)."""
        b0, b1, log_r = self.positive
        mu = np.exp(b0 + b1 * np.asarray(tau))
        r = np.exp(log_r)
        p0 = (r / (r + mu)) ** r
        return np.asarray(mu / (1 - p0))

    def expected(self, tau: np.ndarray | float) -> np.ndarray:
        """Expected launches per night at ``tau`` months from the origin."""
        if not self.active:
            return np.zeros_like(np.asarray(tau, dtype=float))
        return self.p_use(tau) * self.mean_given_use(tau)


def fit_kind(
    kind: str,
    tau: np.ndarray,
    y: np.ndarray,
    *,
    trend: bool = True,
    slope_prior_sd: float = 0.3,
    weights: np.ndarray | None = None,
    level_sd: float = 0.0,
) -> KindTempo:
    """Fit the hurdle NB model of one kind on nights at ``tau`` (months) with counts ``y``.

    ``weights`` (recency weights, default 1) multiply each night's log-likelihood; they are
    rescaled to sum to the number of effective nights so that the parameter covariance matches
    the information actually used.
    """
    y = np.asarray(y, dtype=float)
    tau = np.asarray(tau, dtype=float)
    w = np.ones_like(y) if weights is None else np.asarray(weights, dtype=float)
    w = w * (w.sum() / max(float((w**2).sum()), 1e-12))  # Kish effective sample size
    z = (y > 0).astype(float)
    out = KindTempo(
        kind=kind,
        nights=len(y),
        nights_used=int(z.sum()),
        active=bool(z.sum() > 0),
        observed_mean=float(y.mean()) if len(y) else 0.0,
        level_sd=level_sd,
    )
    if not out.active:
        return out
    sd = slope_prior_sd if trend else 1e-6

    # hurdle: all nights; with all nights positive, the MLE runs off to infinity: the prior on
    # the intercept (s.d. 10 on the logit) keeps it finite without changing sensible fits
    def f_h(t: np.ndarray) -> float:
        return _nll_hurdle(t, tau, z, w, sd) + 0.5 * (t[0] / 10.0) ** 2

    p = np.clip(z.mean(), 0.02, 0.98)
    res_h = optimize.minimize(f_h, np.array([np.log(p / (1 - p)), 0.0]), method="L-BFGS-B")
    out.hurdle = [float(v) for v in res_h.x]
    out.hurdle_cov = _covariance(f_h, res_h.x).tolist()
    # positive counts
    pos = y > 0
    yp, tp, wp = y[pos], tau[pos], w[pos]

    def f_p(t: np.ndarray) -> float:
        return _nll_positive(t, tp, yp, wp, sd)

    m = max(float(np.average(yp, weights=wp)), 1.0)
    v = float(np.average((yp - m) ** 2, weights=wp)) if len(yp) > 1 else m
    r0 = m * m / max(v - m, 1e-3 * m) if v > m else 50.0
    start = np.array([np.log(m), 0.0, np.log(np.clip(r0, 0.05, 500.0))])
    res_p = optimize.minimize(
        f_p,
        start,
        method="L-BFGS-B",
        bounds=[(-10.0, 15.0), (-3.0, 3.0), (-1.6, 8.0)],
    )
    out.positive = [float(v) for v in res_p.x]
    out.positive_cov = _covariance(f_p, res_p.x).tolist()
    return out


# ----------------------------------------------------------------------------- monthly level


def with_aggregates(series: pd.DataFrame) -> pd.DataFrame:
    """The nightly series with the :data:`AGGREGATES` columns added (``total`` recomputed)."""
    out = series.copy()
    for name, parts in AGGREGATES.items():
        out[name] = series[list(parts)].sum(axis=1)
    return out


def monthly_rates(series: pd.DataFrame) -> pd.DataFrame:
    """Launches per night, by calendar month, of every :data:`LEVEL_SERIES` column.

    Only complete months (every night of the month in the series) are kept; the index is a
    monthly ``PeriodIndex``.
    """
    full = with_aggregates(series)
    idx = pd.DatetimeIndex(full.index)
    months = idx.to_period("M")
    g = full[list(LEVEL_SERIES)].groupby(months)
    sums = g.sum()
    size = g.size()
    days = pd.Series([m.days_in_month for m in sums.index], index=sums.index)
    complete = size.to_numpy() == days.to_numpy()
    out = sums[complete].div(days[complete], axis=0)
    out.index.name = "month"
    return out


def log_linear(rates: np.ndarray, months: int = TREND_MONTHS) -> tuple[float, float]:
    """Least-squares line through ``log(1 + rate)`` of the last ``months`` months: its value
    at the last month and its slope per month (slope 0 with one month)."""
    value, slope, _significant = _log_linear_fit(rates, months)
    return value, slope


TREND_LEVEL = 0.05
"""Two-sided level of the t-test on the six-month log-linear slope behind
``significant_trend`` (the textbook 5 %; not tuned)."""


def _log_linear_fit(rates: np.ndarray, months: int = TREND_MONTHS) -> tuple[float, float, bool]:
    """:func:`log_linear`'s line, and whether its slope differs from 0 at :data:`TREND_LEVEL`
    (t-test, ``months - 2`` degrees of freedom; never with fewer than three months)."""
    lr = np.log1p(rates[-months:])
    k = len(lr)
    if k < 2:
        return float(lr[-1]), 0.0, False
    t = np.arange(k, dtype=float)
    slope, icpt = np.polyfit(t, lr, 1)
    value = float(icpt + slope * t[-1])
    if k < 3:
        return value, float(slope), False
    resid = lr - (icpt + slope * t)
    se = float(np.sqrt(float(resid @ resid) / (k - 2) / float(((t - t.mean()) ** 2).sum())))
    crit = float(special.stdtrit(k - 2, 1 - TREND_LEVEL / 2))
    return value, float(slope), bool(abs(slope) > crit * se)


def trend_is_significant(rates: np.ndarray, months: int = TREND_MONTHS) -> bool:
    """Is the least-squares slope of ``log(1 + rate)`` over the last ``months`` months
    different from 0 at :data:`TREND_LEVEL` (t-test, ``months - 2`` degrees of freedom)?"""
    return _log_linear_fit(rates, months)[2]


def _candidates(rates: np.ndarray, nightly: np.ndarray) -> np.ndarray:
    """The :data:`CANDIDATES` forecasts of next month's per-night rate."""
    lr = np.log1p(rates)
    g = float(np.median(np.diff(lr[-7:]))) if len(lr) >= 2 else 0.0
    fitted_now, _slope, significant = _log_linear_fit(rates)
    recent_trend = np.expm1(0.5 * (lr[-1] + fitted_now))
    if len(nightly):
        w = 0.5 ** (np.arange(len(nightly))[::-1] / EWMA_HALFLIFE_NIGHTS)
        ewma = float((w * nightly).sum() / w.sum())
    else:
        ewma = float(rates[-1])
    return np.array(
        [
            rates[-1],
            rates[-3:].mean(),
            rates[-12:].mean(),
            ewma,
            np.expm1(lr[-1] + 0.5 * g),
            recent_trend,
            np.expm1(0.5 * (lr[-1] + np.log1p(rates[-12:].mean()))),
            rates[-18:].mean(),
            recent_trend if significant else rates[-3:].mean(),
        ]
    )


def _weights(errors: np.ndarray, rule: str | None = None) -> np.ndarray:
    """Inverse-MSE (Bates-Granger) weights from past errors ``(months, candidates)``, or all
    the weight on ``rule`` (one of :data:`CANDIDATES`)."""
    if rule is not None:
        return np.eye(len(CANDIDATES))[CANDIDATES.index(rule)]
    used = np.array([c in COMBINED for c in CANDIDATES], dtype=float)
    if len(errors) == 0:
        return used / used.sum()
    mse = np.mean(errors**2, axis=0)
    inv = used / np.maximum(mse, 1e-12 * max(float(mse.max()), 1e-12))
    return inv / inv.sum()


@dataclass
class LevelForecast:
    """Log-normal forecast of a series' per-night launch rate, month by month from the origin.

    ``log(1 + rate)`` in month ``h`` (1 = the first month forecast) is normal with mean
    ``log1p(rate) + growth * (phi + ... + phi^(h-1))`` and variance
    ``sd^2 * (1 + phi^2 + ... + phi^(2(h-1)))``.
    """

    series: str
    rate: float  # combined one-month-ahead forecast, launches per night
    sd: float  # one-month log scale (RMS log error of past combined forecasts)
    phi: float  # monthly damping of the trend and of the level deviations
    growth: float  # weighted log growth per month carried by the trend forecaster
    weights: dict[str, float] = field(default_factory=dict)
    candidates: dict[str, float] = field(default_factory=dict)
    months: int = 0  # complete months of history
    errors: int = 0  # past combined forecasts behind ``sd``
    log_growth: float = 0.0  # median monthly log growth of the last six months (the trend's)

    def log_mean(self, h: np.ndarray | int) -> np.ndarray:
        hh = np.maximum(np.asarray(h, dtype=float), 1.0)
        damp = self.phi * (1 - self.phi ** (hh - 1)) / (1 - self.phi) if self.phi < 1 else hh - 1
        return np.asarray(np.log1p(self.rate) + self.growth * damp)

    def log_sd(self, h: np.ndarray | int) -> np.ndarray:
        hh = np.maximum(np.asarray(h, dtype=float), 1.0)
        f2 = self.phi**2
        factor = (1 - f2**hh) / (1 - f2) if f2 < 1 else hh
        return np.asarray(self.sd * np.sqrt(factor))

    def quantile(self, h: np.ndarray | int, q: float) -> np.ndarray:
        """Per-night rate quantile in month ``h``."""
        z = float(special.ndtri(q))
        return np.asarray(np.maximum(np.expm1(self.log_mean(h) + z * self.log_sd(h)), 0.0))

    def mean(self, h: np.ndarray | int) -> np.ndarray:
        """Per-night expected rate in month ``h`` (log-normal mean)."""
        return np.asarray(np.maximum(np.expm1(self.log_mean(h) + 0.5 * self.log_sd(h) ** 2), 0.0))


def fit_level(
    series: pd.DataFrame,
    column: str,
    origin: pd.Timestamp,
    *,
    lookback_months: int = 4,
    error_months: int = 12,
    phi: float = 0.8,
    min_sd: float = 0.05,
    rates_before: pd.DataFrame | None = None,
    rule: str | None = "default",
) -> LevelForecast | None:
    """Fit the combined level forecast of ``column`` from the complete months before ``origin``.

    ``series``: nightly series with the aggregate columns (:func:`with_aggregates`). Returns
    ``None`` when there is no complete month before the origin. The weights at every past month
    use only the months before it, so the past errors behind ``sd`` are honest one-month-ahead
    errors of the same procedure. ``rates_before``: :func:`monthly_rates` of the nights before
    the origin, when the caller has it already. ``rule``: one of :data:`CANDIDATES` to use alone
    (its past errors still give ``sd``), ``None`` for the combination, ``"default"`` for
    :data:`RULES` (the combination for series not in it).
    """
    if rule == "default":
        rule = RULES.get(column)
    if rule is not None and rule not in CANDIDATES:
        raise ValueError(f"rule must be one of {', '.join(CANDIDATES)}, got {rule!r}")
    before = series[series.index < origin]
    if rates_before is not None:
        rates_all = rates_before
    else:
        rates_all = monthly_rates(before) if len(before) else pd.DataFrame()
    if column not in rates_all or rates_all.empty:
        return None
    rates = rates_all[column].to_numpy(dtype=float)
    starts = [m.start_time for m in rates_all.index]
    nightly = before[column].to_numpy(dtype=float)
    night_idx = pd.DatetimeIndex(before.index)

    def cands_at(j: int, cutoff: pd.Timestamp) -> np.ndarray:
        upto = int(night_idx.searchsorted(cutoff))
        return _candidates(rates[:j], nightly[:upto])

    n = len(rates)
    first = max(3, n - error_months - lookback_months)
    past = list(range(first, n))
    cmat = np.array([cands_at(j, starts[j]) for j in past]).reshape(len(past), len(CANDIDATES))
    actual = rates[past] if past else np.zeros(0)
    log_err = np.log1p(actual)[:, None] - np.log1p(np.maximum(cmat, 0.0))
    combined_err: list[float] = []
    for i in range(len(past)):
        w = _weights(log_err[max(0, i - lookback_months) : i], rule)
        if i == 0:
            continue
        f = float(w @ np.maximum(cmat[i], 0.0))
        combined_err.append(float(np.log1p(actual[i]) - np.log1p(f)))
    w_now = _weights(log_err[-lookback_months:], rule)
    cand_now = np.maximum(_candidates(rates, nightly), 0.0)
    errs = np.asarray(combined_err[-error_months:])
    if len(errs) >= 3:
        # small-sample widening: the RMS over k errors understates the scale by about
        # a t(k) quantile over the normal one at the 80 % level
        k = len(errs)
        widen = float(special.stdtrit(k, 0.9) / special.ndtri(0.9))
        sd = max(float(np.sqrt(np.mean(errs**2))) * widen, min_sd)
    else:
        sd = 0.5
    lr = np.log1p(rates)
    g = float(np.median(np.diff(lr[-7:]))) if n >= 2 else 0.0
    trend_w = float(w_now[CANDIDATES.index("trend")])
    growth = 0.5 * g * trend_w
    _value, slope, significant = _log_linear_fit(rates)
    if rule == "recent_trend" or (rule == "significant_trend" and significant):
        # months 2, 3, ... carry half the six-month slope, damped by phi (bounded in total)
        growth = 0.5 * slope
    return LevelForecast(
        series=column,
        rate=float(w_now @ cand_now),
        sd=sd,
        phi=phi,
        growth=growth,
        weights={c: float(x) for c, x in zip(CANDIDATES, w_now, strict=True)},
        candidates={c: float(x) for c, x in zip(CANDIDATES, cand_now, strict=True)},
        months=n,
        errors=len(errs),
        log_growth=g,
    )


@dataclass
class TempoModel:
    """Fitted raid tempo: per-kind hurdle NB models on a trailing window before ``origin``."""

    origin: str  # first night forecast (ISO date)
    window_nights: int
    trend: bool
    slope_prior_sd: float
    halflife_nights: float | None
    kinds: dict[str, KindTempo]
    big_raid_threshold: int
    big_raid_share: float  # observed in the window
    big_raid_share_ci: tuple[float, float]
    composition: dict[str, float]  # share of each kind in the window's launches
    levels: dict[str, LevelForecast] = field(default_factory=dict)  # monthly level forecasts
    level_correlation: float = 0.5  # correlation of the kinds' monthly level deviations

    # ---- (de)serialisation: the campaign engine reads this ----------------------------
    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["big_raid_share_ci"] = list(self.big_raid_share_ci)
        return d

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TempoModel:
        kinds = {k: KindTempo(**v) for k, v in d["kinds"].items()}
        levels = {k: LevelForecast(**v) for k, v in d.get("levels", {}).items()}
        return cls(
            **{
                **d,
                "kinds": kinds,
                "levels": levels,
                "big_raid_share_ci": tuple(d["big_raid_share_ci"]),
            }
        )

    # ---- simulation -------------------------------------------------------------------
    def _tau(self, nights: pd.DatetimeIndex) -> np.ndarray:
        days = (nights - pd.Timestamp(self.origin)).days.to_numpy(dtype=float)
        return days / DAYS_PER_MONTH

    def horizon(self, nights: pd.DatetimeIndex) -> np.ndarray:
        """Month of each night counted from the origin's month (1 = the origin's month)."""
        o = pd.Timestamp(self.origin).to_period("M")
        m = nights.to_period("M")
        return np.asarray([(x - o).n + 1 for x in m], dtype=np.int64)

    def _level_paths(
        self, gen: np.random.Generator, hmax: int, sims: int, uncertain: bool
    ) -> np.ndarray:
        """Standardised AR(1) monthly level deviations ``(sims, hmax, kinds)``, correlated."""
        k = len(TEMPO_KINDS)
        if not uncertain or hmax <= 0:
            return np.zeros((sims, max(hmax, 0), k))
        rho = float(np.clip(self.level_correlation, 0.0, 1.0))
        common = gen.standard_normal((sims, hmax, 1))
        own = gen.standard_normal((sims, hmax, k))
        z = np.sqrt(rho) * common + np.sqrt(1 - rho) * own
        return z

    def sample_nights(
        self,
        nights: pd.DatetimeIndex | int,
        rng: np.random.Generator | int | None = None,
        *,
        sims: int = 1,
        parameter_uncertainty: bool = True,
        level_uncertainty: bool = True,
    ) -> np.ndarray:
        """Simulated launches: array ``(sims, nights, kinds)`` in :data:`TEMPO_KINDS` order.

        ``nights`` is a calendar of nights or a count starting at the origin. Each simulation
        draws its own parameters (when ``parameter_uncertainty``) and then each night's counts.
        """
        if isinstance(nights, int):
            nights = pd.date_range(self.origin, periods=nights, freq="D")
        gen = (
            rng
            if isinstance(rng, np.random.Generator)
            else np.random.default_rng(np.random.SeedSequence(rng))
        )
        tau = self._tau(nights)
        n = len(tau)
        out = np.zeros((sims, n, len(TEMPO_KINDS)), dtype=np.int64)
        hz_night = self.horizon(nights) if n else np.zeros(0, np.int64)
        hmax = int(hz_night.max()) if n else 0
        z = self._level_paths(gen, hmax, sims, level_uncertainty) if self.levels else None
        for k_i, kind in enumerate(TEMPO_KINDS):
            kt = self.kinds.get(kind)
            if kt is None or not kt.active:
                continue
            hz = np.asarray(kt.hurdle)
            pz = np.asarray(kt.positive)
            if parameter_uncertainty:
                hz_s = gen.multivariate_normal(hz, np.asarray(kt.hurdle_cov), size=sims)
                pz_s = gen.multivariate_normal(pz, np.asarray(kt.positive_cov), size=sims)
            else:
                hz_s = np.tile(hz, (sims, 1))
                pz_s = np.tile(pz, (sims, 1))
            p_use = special.expit(hz_s[:, :1] + hz_s[:, 1:2] * tau[None, :])
            level = self.levels.get(kind)
            if level is not None and z is not None:
                mu = np.exp(np.clip(pz_s[:, :1] + pz_s[:, 1:2] * tau[None, :], -20.0, 12.0))
                mu = mu * self._level_scale(level, kt, hz_night, z[:, :, k_i], p_use, mu, pz_s)
                mu = np.clip(mu, 1e-9, np.exp(12.0))
            else:
                shift = _level_shifts(gen, tau, kt.level_sd, sims) if level_uncertainty else 0.0
                mu = np.exp(np.clip(pz_s[:, :1] + pz_s[:, 1:2] * tau[None, :] + shift, -20.0, 12.0))
            r = np.exp(np.clip(pz_s[:, 2:3], -5.0, 8.0)) * np.ones_like(mu)
            used = gen.random((sims, n)) < p_use
            out[:, :, k_i] = np.where(used, _ztnb(gen, mu, r), 0)
        return out

    @staticmethod
    def _level_scale(
        level: LevelForecast,
        kt: KindTempo,
        h: np.ndarray,
        z: np.ndarray,
        p_use: np.ndarray,
        mu: np.ndarray,
        pz_s: np.ndarray,
    ) -> np.ndarray:
        """Factor on each night's NB mean so that its expected count is the level's rate.

        The level of month ``h`` in one simulation is ``expm1(log_mean(h) + x_h)`` with ``x`` the
        AR(1) deviation built from the standardised shocks ``z`` (``sims, months``). For the
        zero-truncated part the mean is ``mu / (1 - p0)``; the factor is applied to ``mu`` and is
        exact for large ``mu`` (``p0`` small), approximate for kinds used a few at a time.
        """
        hmax = z.shape[1]
        x = np.zeros_like(z)
        for j in range(hmax):
            x[:, j] = (level.phi * x[:, j - 1] if j else 0.0) + level.sd * z[:, j]
        months = np.arange(1, hmax + 1)
        target = np.maximum(np.expm1(level.log_mean(months)[None, :] + x), 0.0)  # (sims, hmax)
        r = np.exp(np.clip(pz_s[:, 2:3], -5.0, 8.0))
        p0 = (r / (r + mu)) ** r
        expected = p_use * mu / np.maximum(1 - p0, 1e-12)  # (sims, nights)
        want = target[:, np.maximum(h, 1) - 1]
        return np.asarray(want / np.maximum(expected, 1e-12))

    def to_schedule(
        self,
        nights: int,
        *,
        seed: int = 0,
        start: str | None = None,
        threat_types: dict[str, str] | None = None,
        decoy_share: float = 0.0,
    ) -> dict[str, Any]:
        """One simulated path as a campaign ``attacker.tempo`` of kind ``schedule``.

        Counts by kind become counts by catalog threat type (``threat_types``, default
        shahed-136 / gerbera / kh-101 / iskander-m); ``decoy_share`` of the drones become decoys
        (the record's drone line includes them). The campaign engine still caps each night by the
        attacker's stock and launch capacity. Validated against the campaign's ``ScheduleTempo``.
        """
        types = {
            "drone": "shahed-136",
            "decoy": "gerbera",
            "cruise_missile": "kh-101",
            "ballistic_missile": "iskander-m",
            **(threat_types or {}),
        }
        first = pd.Timestamp(start or self.origin)
        dates = pd.date_range(first, periods=nights, freq="D")
        draws = self.sample_nights(dates, np.random.default_rng(np.random.SeedSequence(seed)))[0]
        raids: list[dict[str, Any]] = []
        for day, row in zip(dates, draws, strict=True):
            counts = dict(zip(TEMPO_KINDS, (int(x) for x in row), strict=True))
            decoys = round(counts["drone"] * decoy_share)
            counts["decoy"] += decoys
            counts["drone"] -= decoys
            threats: dict[str, int] = {}
            for kind, n in counts.items():
                if n > 0 and kind in types:
                    threats[types[kind]] = threats.get(types[kind], 0) + n
            if threats:
                raids.append({"date": day.date().isoformat(), "threats": threats})
        schedule: dict[str, Any] = {"kind": "schedule", "raids": raids, "between_fraction": 0.0}
        if not raids:
            raise ValueError("the simulated path has no launches; nothing to schedule")
        from airshield.campaign.models import ScheduleTempo

        ScheduleTempo.model_validate(schedule)
        return schedule

    def forecast(
        self,
        periods: pd.DatetimeIndex | None = None,
        *,
        months: int = 1,
        sims: int = 2000,
        seed: int = 0,
        levels: tuple[float, ...] = (0.8, 0.95),
    ) -> pd.DataFrame:
        """Monthly totals by kind with predictive intervals.

        Columns: ``month, kind, nights, mean, median, lo80, hi80, lo95, hi95`` (per level). Rows:
        each kind, the aggregates ``drones`` and ``missiles``, ``total``, and ``big_raids``
        (nights with total >= threshold). Series with a level forecast (:attr:`levels`) take
        their quantiles from it (log-normal, closed form); ``big_raids`` and series without one
        are simulated (:meth:`sample_nights`).
        """
        start = pd.Timestamp(self.origin)
        end = (start + pd.offsets.MonthBegin(months)) - pd.Timedelta(days=1)
        if start.day != 1:
            end = start + pd.DateOffset(months=months) - pd.Timedelta(days=1)
        nights = pd.date_range(start, end, freq="D") if periods is None else periods
        draws = self.sample_nights(
            nights, np.random.default_rng(np.random.SeedSequence(seed)), sims=sims
        )
        month = nights.to_period("M")
        horizon = self.horizon(nights)
        rows: list[dict[str, Any]] = []
        for m in month.unique():
            sel = np.asarray(month == m)
            n_nights = int(sel.sum())
            h = int(horizon[sel][0])
            per_kind = draws[:, sel, :].sum(axis=1)  # (sims, kinds)
            big = (draws[:, sel, :].sum(axis=2) >= self.big_raid_threshold).sum(axis=1)
            series = {
                **{k: per_kind[:, i] for i, k in enumerate(TEMPO_KINDS)},
                **{
                    name: per_kind[:, [TEMPO_KINDS.index(k) for k in parts]].sum(axis=1)
                    for name, parts in AGGREGATES.items()
                },
                "big_raids": big,
            }
            for name, x in series.items():
                row: dict[str, Any] = {"month": str(m), "kind": name, "nights": n_nights}
                level = self.levels.get(name)
                kt = self.kinds.get(name)
                if level is not None and (kt is None or kt.active):
                    row["mean"] = float(level.mean(h)) * n_nights
                    row["median"] = float(level.quantile(h, 0.5)) * n_nights
                    for lv in levels:
                        tag = f"{round(lv * 100)}"
                        row[f"lo{tag}"] = float(level.quantile(h, (1 - lv) / 2)) * n_nights
                        row[f"hi{tag}"] = float(level.quantile(h, 1 - (1 - lv) / 2)) * n_nights
                else:
                    row["mean"] = float(x.mean())
                    row["median"] = float(np.median(x))
                    for lv in levels:
                        tag = f"{round(lv * 100)}"
                        row[f"lo{tag}"] = float(np.quantile(x, (1 - lv) / 2))
                        row[f"hi{tag}"] = float(np.quantile(x, 1 - (1 - lv) / 2))
                rows.append(row)
        return pd.DataFrame(rows)


def _level_shifts(gen: np.random.Generator, tau: np.ndarray, sd: float, sims: int) -> np.ndarray:
    """Random-walk shifts of the log level, one step per month from the origin: ``(sims, n)``."""
    if sd <= 0:
        return np.zeros((sims, len(tau)))
    step = np.floor(np.maximum(tau, 0.0)).astype(int)  # month index of each night
    walk = np.cumsum(gen.normal(0.0, sd, size=(sims, int(step.max()) + 1)), axis=1)
    return walk[:, step]


def monthly_level_sd(series: pd.Series, months: int = 12) -> float:
    """RMS of the month-to-month change in log(1 + monthly launches) over complete months."""
    monthly = series.groupby(pd.DatetimeIndex(series.index).to_period("M")).agg(["sum", "size"])
    full = monthly[monthly["size"] >= 28]["sum"].tail(months + 1)
    if len(full) < 3:
        return 0.5
    d = np.diff(np.log1p(full.to_numpy(dtype=float)))
    return float(np.sqrt(np.mean(d**2)))


def _ztnb(gen: np.random.Generator, mu: np.ndarray, r: np.ndarray) -> np.ndarray:
    """Zero-truncated negative binomial draws (rejection of zeros, then 1 as a last resort)."""
    p = r / (r + mu)
    x = gen.negative_binomial(r, p)
    for _ in range(60):
        zero = x == 0
        if not zero.any():
            break
        x[zero] = gen.negative_binomial(r[zero], p[zero])
    x[x == 0] = 1
    return x


def fit_tempo(
    frame_or_series: pd.DataFrame,
    *,
    origin: str | pd.Timestamp | None = None,
    window_nights: int = 120,
    trend: bool = False,
    slope_prior_sd: float = 0.3,
    halflife_nights: float | None = 30.0,
    level_months: int = 12,
    big_raid_threshold: int = 100,
    lookback_months: int = 4,
    error_months: int = 12,
    phi: float = 0.8,
    monthly_level: bool = True,
    rules: dict[str, str | None] | None = None,
) -> TempoModel:
    """Fit the tempo model: nightly shape on the ``window_nights`` nights before ``origin``,
    monthly level forecasts on every complete month before it (see the module docstring).

    ``frame_or_series``: the tidy attack table or the output of :func:`nightly_series`.
    ``origin`` defaults to the night after the last one in the data. ``monthly_level=False``
    gives the nightly model alone (its level a random walk of ``level_months`` history).
    ``rules``: level forecaster per series overriding :data:`RULES` (a name in
    :data:`CANDIDATES`, or ``None`` for the combination); series not named keep the default.
    """
    if not 0.0 <= phi < 1.0:
        raise ValueError(f"phi must be in [0, 1), got {phi}")
    series = (
        frame_or_series
        if set(TEMPO_KINDS) <= set(frame_or_series.columns) and "raid_id" not in frame_or_series
        else nightly_series(frame_or_series)
    )
    origin_ts = (
        pd.Timestamp(origin) if origin is not None else series.index.max() + pd.Timedelta(days=1)
    )
    window = series[
        (series.index < origin_ts) & (series.index >= origin_ts - pd.Timedelta(days=window_nights))
    ]
    if len(window) == 0:
        raise ValueError(f"no nights in the {window_nights} nights before {origin_ts.date()}")
    age = (origin_ts - pd.DatetimeIndex(window.index)).days.to_numpy(dtype=float)
    tau = -age / DAYS_PER_MONTH
    weights = None if halflife_nights is None else 0.5 ** (age / halflife_nights)
    before = series[series.index < origin_ts]
    kinds = {
        k: fit_kind(
            k,
            tau,
            window[k].to_numpy(),
            trend=trend,
            slope_prior_sd=slope_prior_sd,
            weights=weights,
            level_sd=monthly_level_sd(before[k], level_months),
        )
        for k in TEMPO_KINDS
    }
    big = int((window["total"] >= big_raid_threshold).sum())
    lo, hi = jeffreys_interval(np.array([float(big)]), np.array([float(len(window))]))
    launched = window[list(TEMPO_KINDS)].sum()
    total = float(launched.sum())
    levels: dict[str, LevelForecast] = {}
    if monthly_level:
        full = with_aggregates(series[list(TEMPO_KINDS)])
        full = full[full.index < origin_ts]
        rates = monthly_rates(full) if len(full) else None
        for name in LEVEL_SERIES:
            lv = fit_level(
                full,
                name,
                origin_ts,
                lookback_months=lookback_months,
                error_months=error_months,
                phi=phi,
                rates_before=rates,
                rule=(rules or {}).get(name, "default"),
            )
            if lv is not None:
                levels[name] = lv
    return TempoModel(
        origin=origin_ts.date().isoformat(),
        window_nights=window_nights,
        trend=trend,
        slope_prior_sd=slope_prior_sd,
        halflife_nights=halflife_nights,
        kinds=kinds,
        big_raid_threshold=big_raid_threshold,
        big_raid_share=big / len(window),
        big_raid_share_ci=(float(lo[0]), float(hi[0])),
        composition={k: (float(launched[k]) / total if total else 0.0) for k in TEMPO_KINDS},
        levels=levels,
    )
