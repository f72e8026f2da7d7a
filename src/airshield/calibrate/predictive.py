"""Predictive calibration: the neutralised share of a raid, fitted on past nights, out of sample.

The record gives, per raid, how many drones (Shahed-type and decoys) and missiles were launched
and how many were neutralised (destroyed, plus "locationally lost" where that is counted apart).
This module fits, per weapon class (``drone``, ``missile``), a **beta-binomial regression** of
that count on the raid's make-up:

    y_i ~ BetaBinomial(n_i, mu_i, phi_i)
    logit(mu_i) = x_i' beta + L(t_i) (raid size, missile / ballistic share, decoy share, rule,
                                      trend; L the time-varying level)
    log(phi_i)  = g0 + g1 log_size_i (night-to-night variation; may shrink or grow with size)

``mu`` is the expected share of the night; ``phi`` the precision of the night's own share around
it (``Var p = mu (1 - mu) / (1 + phi)``): nights differ by weather, routes and the attacker's
tactics far more than the binomial noise of hundreds of drones says, and ``phi`` carries that.

- **Pooling with recency weights.** Every night up to the fit date counts, with weight
  ``0.5 ** (age / halflife_nights)`` on its log-likelihood (a power prior), so a long history pins
  the slow parts (size effect, dispersion) while the level follows the recent record. Nothing is
  frozen at the last quarter.
- **Priors** (Gaussian, on the logit / log scale, :data:`DRONE_TERMS`, :data:`MISSILE_TERMS`)
  where the record cannot identify a term: the decoy share is reported only from July 2025, the
  counting rule before July 2024 (shot down only) is an offset with a prior, a trend is off by
  default and has a tight prior when on.
- **A time-varying level** (:class:`LocalLevel`): each raid's deviation from the regression on
  the logit scale is a mean-reverting (Ornstein-Uhlenbeck) level plus the raid's own noise; its
  variance rate, reversion time and noise scale are maximum-likelihood estimates from a Kalman
  filter over the fitted raids, and a prediction ``d`` nights after the fit date draws the level
  from the filter's state carried ``d`` nights ahead (the interval widens with the horizon and
  stays bounded).
- **Laplace approximation.** The posterior mode is found with ``scipy.optimize.minimize``; its
  covariance is the inverse of the Hessian at the mode (central finite differences). Predictive
  draws take parameters from that normal, a night's share from the beta, and the count from the
  binomial: the intervals carry parameter uncertainty *and* night-to-night variation, not only
  counting noise.

Draws: parameters from child 0 of ``SeedSequence(seed)`` (the same parameter draws for every
night, so a night's mean does not depend on which other nights are predicted with it); the
beta / binomial draws of row ``j`` from child ``j + 1``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, special

from airshield.errors import Problem, ScenarioError

KINDS: tuple[str, ...] = ("drone", "missile")
"""Weapon classes predicted: the Shahed-type line (drones and decoys), and missiles."""

EARLY_RULE_UNTIL = pd.Timestamp("2024-07-01")
"""Nights before this used the "shot down only" rule (lost drones were not counted apart)."""

DRONE_SIZE_REF = 100.0
MISSILE_SIZE_REF = 10.0


@dataclass(frozen=True)
class Term:
    """One coefficient: name, Gaussian prior (mean, s.d.) and what it means."""

    name: str
    prior_mean: float
    prior_sd: float
    meaning: str


def _class_terms(intercept: Term, size_ref: str, *mix: Term) -> tuple[Term, ...]:
    """A class's coefficients: its intercept, the size term, its mix terms, then the counting
    rule offset and the trend both classes share."""
    return (
        intercept,
        Term("log_size", 0.0, 0.5, f"per unit of log({size_ref}): saturation (<0) or mass (>0)"),
        *mix,
        Term("early_rule", 0.0, 1.0, "offset of nights before July 2024 (shot down only)"),
        Term("trend", 0.0, 0.3, "per year from the fit date (only with trend=True)"),
    )


DRONE_TERMS: tuple[Term, ...] = _class_terms(
    Term("intercept", 1.7, 1.5, "logit of the share at 100 drones, no missiles, current rule"),
    "drones / 100",
    Term("missile_share", 0.0, 1.5, "missiles / all weapons of the raid"),
    Term("decoy_share", 0.0, 1.0, "decoy share of the drone line minus its fitted mean"),
)
"""Drone-share coefficients and their priors (logit scale)."""

MISSILE_TERMS: tuple[Term, ...] = _class_terms(
    Term("intercept", 0.5, 2.0, "logit of the share at 10 missiles, all cruise, current rule"),
    "missiles / 10",
    Term("ballistic_share", 0.0, 2.0, "ballistic / all missiles of the raid"),
    Term("drone_share", 0.0, 1.5, "drones / all weapons of the raid"),
)
"""Missile-share coefficients and their priors (logit scale)."""

DISPERSION_TERMS: tuple[Term, ...] = (
    Term("log_phi", np.log(30.0), 1.5, "log precision of a night's share at the reference size"),
    Term("log_phi_size", 0.0, 1.0, "change of log precision per unit of log size"),
)
"""Night-to-night dispersion terms (log scale), shared layout for both classes."""

NIGHT_COLUMNS: tuple[str, ...] = ("night", "drones", "cruise", "ballistic")
"""Required columns of a table of nights to predict (``decoy_share`` is optional)."""


# ----------------------------------------------------------------------------- the record


def raid_table(frame: pd.DataFrame, until: str | pd.Timestamp | None = None) -> pd.DataFrame:
    """One row per raid (``raid_id``) of the tidy table: launches and neutralised by class.

    Strategic rows only (Shahed-type drones and decoys, cruise and ballistic missiles, and the
    record's unsplit cruise + ballistic bundles, counted as cruise); regional-command rows are
    left out. ``drone_ok`` / ``missile_ok``: every row of that class has ``destroyed`` reported.
    ``decoy_share`` = 1 - is_shahed / launched where the record gives ``is_shahed``.
    ``until``: keep nights up to that evening date (inclusive).
    """
    f = frame[frame["strategic"] & frame["launched"].notna()]
    if "regional" in f:
        f = f[~f["regional"].astype(bool)]
    drone = f["kind"].isin(["drone", "decoy"]) & (
        f["kind"].eq("decoy") | f["group"].eq("long_range_attack_drone")
    )
    cruise = f["kind"].eq("cruise_missile") | (f["kind"].eq("other") & f["group"].eq("mixed"))
    ballistic = f["kind"].eq("ballistic_missile")
    cls = np.select([drone, cruise, ballistic], ["drone", "cruise", "ballistic"], "")
    f = f.assign(cls=cls)
    f = f[f["cls"] != ""]
    if until is not None:
        f = f[f["night"] <= pd.Timestamp(until)]
    launched = f["launched"].astype("float64")
    neut = f["neutralised"].astype("float64")
    shahed = (
        f["is_shahed"].astype("float64")
        if "is_shahed" in f
        else pd.Series(np.nan, index=f.index, dtype="float64")
    )
    g = pd.DataFrame(
        {
            "raid_id": f["raid_id"],
            "night": f["night"],
            "daytime": f["daytime"].astype(bool) if "daytime" in f else False,
            "cls": f["cls"],
            "n": launched,
            "y": neut.fillna(0.0),
            "y_missing": neut.isna(),
            "shahed": shahed,
            "shahed_n": launched.where(shahed.notna(), 0.0),
        }
    )
    keys = ["raid_id", "night", "daytime"]
    wide = g.pivot_table(index=keys, columns="cls", values="n", aggfunc="sum", fill_value=0.0)
    ys = g.pivot_table(index=keys, columns="cls", values="y", aggfunc="sum", fill_value=0.0)
    miss = g.pivot_table(index=keys, columns="cls", values="y_missing", aggfunc="sum")
    out = pd.DataFrame(index=wide.index)
    for c in ("drone", "cruise", "ballistic"):
        out[c] = wide[c] if c in wide else 0.0
    out = out.rename(columns={"drone": "drones"})
    out["missiles"] = out["cruise"] + out["ballistic"]
    dn = ys["drone"] if "drone" in ys else 0.0
    mn = (ys["cruise"] if "cruise" in ys else 0.0) + (ys["ballistic"] if "ballistic" in ys else 0.0)
    out["drone_neutralised"] = np.minimum(dn, out["drones"])
    out["missile_neutralised"] = np.minimum(mn, out["missiles"])
    dm = miss["drone"] if "drone" in miss else 0.0
    mm = (miss["cruise"] if "cruise" in miss else 0.0) + (
        miss["ballistic"] if "ballistic" in miss else 0.0
    )
    out["drone_ok"] = (out["drones"] > 0) & (pd.Series(dm, index=out.index).fillna(0) == 0)
    out["missile_ok"] = (out["missiles"] > 0) & (pd.Series(mm, index=out.index).fillna(0) == 0)
    # the drone line's split where the record counts "lost" apart (every drone row reports it)
    dr = f[f["cls"] == "drone"]
    split = pd.DataFrame(
        {
            "raid_id": dr["raid_id"],
            "night": dr["night"],
            "daytime": g.loc[dr.index, "daytime"],
            "destroyed": dr["destroyed"].astype("float64"),
            "lost": dr["lost"].astype("float64") if "lost" in dr else np.nan,
            "apart": dr["lost_reported"].astype(bool) if "lost_reported" in dr else False,
        }
    )
    split["apart"] = split["apart"] & split["lost"].notna() & split["destroyed"].notna()
    sp = split.groupby(keys).agg(
        drone_destroyed=("destroyed", "sum"), drone_lost=("lost", "sum"), apart=("apart", "all")
    )
    sp = sp.reindex(out.index)
    out["drone_lost_apart"] = sp["apart"].fillna(False).astype(bool).to_numpy() & out["drone_ok"]
    out["drone_destroyed"] = np.minimum(sp["drone_destroyed"].fillna(0.0), out["drones"])
    out["drone_lost"] = np.where(out["drone_lost_apart"], sp["drone_lost"].fillna(0.0), np.nan)
    sh = g[g["cls"] == "drone"].groupby(keys)[["shahed", "shahed_n"]].sum(min_count=1)
    sh = sh.reindex(out.index)
    known = sh["shahed_n"].fillna(0) > 0
    out["decoy_share"] = np.where(
        known,
        1.0 - sh["shahed"].fillna(0) / sh["shahed_n"].where(known, 1.0),
        np.nan,
    )
    out = out.reset_index().sort_values(["night", "daytime", "raid_id"]).reset_index(drop=True)
    return out


def read_nights(path: str | Path) -> pd.DataFrame:
    """Read a NIGHTS.csv (``night``, ``drones``, ``cruise``, ``ballistic``[, ``decoy_share``])."""
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(2, "file not found", str(p))
    try:
        raw = pd.read_csv(p, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise ScenarioError(str(p), [Problem("file", f"not a readable CSV ({exc})", 1)]) from exc
    raw.columns = [str(c).strip() for c in raw.columns]
    missing = [c for c in NIGHT_COLUMNS if c not in raw.columns]
    if missing:
        raise ScenarioError(
            str(p),
            [
                Problem(
                    "columns",
                    f"missing {', '.join(missing)}; expected night (YYYY-MM-DD evening date), "
                    "drones, cruise, ballistic (counts launched), optional decoy_share",
                    1,
                )
            ],
        )
    problems: list[Problem] = []
    nights = pd.to_datetime(raw["night"].str.strip(), format="%Y-%m-%d", errors="coerce")
    for i in np.flatnonzero(nights.isna().to_numpy()):
        problems.append(
            Problem("night", f"{raw['night'].iloc[i]!r} is not a date YYYY-MM-DD", int(i) + 2)
        )
    out = pd.DataFrame({"night": nights})
    for c in ("drones", "cruise", "ballistic"):
        text = raw[c].str.strip().replace("", "0")
        v = pd.to_numeric(text, errors="coerce")
        bad = v.isna() | (v < 0) | (v % 1 != 0)
        for i in np.flatnonzero(bad.to_numpy()):
            problems.append(
                Problem(c, f"{raw[c].iloc[i]!r} is not a whole, non-negative count", int(i) + 2)
            )
        out[c] = v.fillna(0.0)
    if "decoy_share" in raw.columns:
        text = raw["decoy_share"].str.strip()
        v = pd.to_numeric(text.where(text != ""), errors="coerce")
        bad = (text != "") & (v.isna() | (v < 0) | (v > 1))
        for i in np.flatnonzero(bad.to_numpy()):
            problems.append(
                Problem(
                    "decoy_share",
                    f"{raw['decoy_share'].iloc[i]!r} is not a share between 0 and 1 "
                    "(empty = unknown)",
                    int(i) + 2,
                )
            )
        out["decoy_share"] = v
    if problems:
        raise ScenarioError(str(p), problems[:30])
    extra = [c for c in raw.columns if c not in out.columns]
    for c in extra:
        out[c] = raw[c]
    return out


# ----------------------------------------------------------------------------- the model


def _betabinom_logpmf(y: np.ndarray, n: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    g = special.gammaln
    return (
        g(n + 1)
        - g(y + 1)
        - g(n - y + 1)
        + g(y + a)
        + g(n - y + b)
        - g(n + a + b)
        - g(a)
        - g(b)
        + g(a + b)
    )


def _terms(kind: str) -> tuple[Term, ...]:
    return DRONE_TERMS if kind == "drone" else MISSILE_TERMS


def _covariates(
    nights: pd.DataFrame, kind: str, origin: pd.Timestamp, decoy_ref: float | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Design matrix (all :func:`_terms`), dispersion log size, and trials n of each row."""
    drones = nights["drones"].to_numpy(dtype=float)
    cruise = nights["cruise"].to_numpy(dtype=float)
    ballistic = nights["ballistic"].to_numpy(dtype=float)
    missiles = cruise + ballistic
    total = np.maximum(drones + missiles, 1.0)
    night = pd.to_datetime(nights["night"])
    early = (night < EARLY_RULE_UNTIL).to_numpy(dtype=float)
    years = ((night - origin).dt.days / 365.25).to_numpy(dtype=float)
    if kind == "drone":
        n = drones
        log_size = np.log(np.maximum(drones, 1.0) / DRONE_SIZE_REF)
        if "decoy_share" in nights and decoy_ref is not None:
            ds = nights["decoy_share"].to_numpy(dtype=float)
            decoy = np.where(np.isnan(ds), 0.0, ds - decoy_ref)
        else:
            decoy = np.zeros(len(nights))
        cols = [np.ones(len(nights)), log_size, missiles / total, decoy, early, years]
    else:
        n = missiles
        log_size = np.log(np.maximum(missiles, 1.0) / MISSILE_SIZE_REF)
        bshare = np.where(missiles > 0, ballistic / np.maximum(missiles, 1.0), 0.0)
        cols = [np.ones(len(nights)), log_size, bshare, drones / total, early, years]
    return np.column_stack(cols), log_size, n


@dataclass
class LocalLevel:
    """A random-walk level of a class's logit share around the regression, filtered to the fit.

    The record's big-raid shares move by month more than raid make-up explains (the defence's
    readiness, the attacker's routes and tactics). The level is the deviation of a raid's logit
    share from the regression (:attr:`ClassFit.mode`); it follows a Gaussian random walk in
    time, variance ``q_per_night`` per night, seen through each raid's own noise (the
    beta-binomial's night-to-night and counting variance on the logit scale, delta method,
    times ``obs_scale``). ``q_per_night`` and ``obs_scale`` are maximum-likelihood estimates
    from the prediction-error decomposition of a Kalman filter over the fitted raids (so the
    discount is learnt from the record before the fit date, not tuned on later nights); ``mean``
    and ``var`` are the filtered level at ``last_night``. A night ``d`` days after it gets the
    level ``N(mean, var + q_per_night * d)``: the interval widens with the horizon.
    """

    q_per_night: float
    tau_nights: float | None
    obs_scale: float
    mean: float
    var: float
    last_night: str
    loglik: float
    static_loglik: float
    raids: int

    def at(self, nights: pd.Series | pd.DatetimeIndex) -> tuple[np.ndarray, np.ndarray]:
        """Level mean and variance (logit scale) for each night (no shrinking for past nights)."""
        idx = pd.DatetimeIndex(pd.to_datetime(np.asarray(nights)))
        days = np.maximum((idx - pd.Timestamp(self.last_night)).days.to_numpy(dtype=float), 0.0)
        a, add = _decay(days, self.q_per_night, self.tau_nights)
        return np.asarray(a * self.mean), np.asarray(a * a * self.var + add)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {k: getattr(self, k) for k in self.__dataclass_fields__}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> LocalLevel:
        """Inverse of :meth:`to_dict`."""
        return cls(**{k: d[k] for k in cls.__dataclass_fields__})


TAU_NIGHTS: tuple[float, float] = (5.0, 20000.0)
"""Bounds of the level's mean-reversion time (nights); the upper one is a random walk."""

LEVEL_PRIOR_VAR = 1.0
"""Variance (logit scale) of the level before the first fitted raid."""


def _kalman(
    r: np.ndarray, s2: np.ndarray, day: np.ndarray, q: float, kappa: float, tau: float | None
) -> tuple[float, float, float]:
    """Local-level Kalman filter: (log-likelihood, filtered mean, filtered variance).

    The level is an Ornstein-Uhlenbeck process: over ``d`` nights it decays by
    ``a = exp(-d / tau)`` toward 0 and gains variance ``q * tau / 2 * (1 - a^2)``
    (``q * d`` as ``tau`` grows; ``tau=None`` is the random walk).
    """
    x, p, ll = 0.0, LEVEL_PRIOR_VAR, 0.0
    prev = day[0] if len(day) else 0.0
    for ri, si, di in zip(r, s2, day, strict=True):
        a, add = _decay(di - prev, q, tau)
        x *= a
        p = a * a * p + add
        prev = di
        f = p + kappa * si
        v = ri - x
        ll -= 0.5 * (np.log(2.0 * np.pi * f) + v * v / f)
        k = p / f
        x += k * v
        p *= 1.0 - k
    return float(ll), float(x), float(p)


def _decay(days: Any, q: float, tau: float | None) -> tuple[Any, Any]:
    """OU transition over ``days``: (decay factor, added variance); ``tau=None``: random walk."""
    d = np.asarray(days, dtype=float)
    if tau is None:
        return np.ones_like(d), q * d
    a = np.exp(-d / tau)
    return a, q * tau / 2.0 * (1.0 - a * a)


def fit_level(
    fitted: pd.DataFrame,
    mu: np.ndarray,
    phi: np.ndarray,
    last_night: pd.Timestamp,
    *,
    mean_reverting: bool = True,
) -> LocalLevel | None:
    """Fit the :class:`LocalLevel` on the raids of a class fit (see its docstring).

    ``mean_reverting`` (default): an Ornstein-Uhlenbeck level whose reversion time is fitted
    with the other two; ``False``: a random walk, whose variance grows without bound with the
    horizon (see ``docs/calibrate.md`` for why the default reverts).
    """
    if len(fitted) < 5:
        return None
    n = fitted["launched"].to_numpy(dtype=float)
    y = fitted["neutralised"].to_numpy(dtype=float)
    order = np.argsort(pd.to_datetime(fitted["night"]).to_numpy(), kind="stable")
    n, y, mu, phi = n[order], y[order], mu[order], phi[order]
    night = pd.DatetimeIndex(pd.to_datetime(fitted["night"].to_numpy()[order]))
    day = ((night - night[0]).days).to_numpy(dtype=float)
    m = np.clip(mu, 1e-4, 1 - 1e-4)
    r = special.logit((y + 0.5) / (n + 1.0)) - special.logit(m)
    s2 = (1.0 / n + (n - 1.0) / (n * (1.0 + phi))) / (m * (1.0 - m))

    def nll(t: np.ndarray) -> float:
        q, kappa = np.exp(t[:2])
        tau = float(np.exp(t[2])) if mean_reverting else None
        return -_kalman(r, s2, day, float(q), float(kappa), tau)[0]

    bounds = [
        (np.log(1e-9), np.log(0.05)),
        (np.log(0.05), np.log(20.0)),
        (np.log(TAU_NIGHTS[0]), np.log(TAU_NIGHTS[1])),
    ]
    best = None
    for lq in (np.log(1e-4), np.log(1e-2)):
        for lt in (np.log(30.0), np.log(1000.0)) if mean_reverting else (np.log(1000.0),):
            res = optimize.minimize(
                nll,
                np.array([lq, 0.0, lt]),
                method="L-BFGS-B",
                bounds=bounds if mean_reverting else [*bounds[:2], (lt, lt)],
            )
            if best is None or res.fun < best.fun:
                best = res
    assert best is not None
    q, kappa = (float(v) for v in np.exp(best.x[:2]))
    tau = float(np.exp(best.x[2])) if mean_reverting else None
    ll, x, p = _kalman(r, s2, day, q, kappa, tau)
    static = -float(
        optimize.minimize_scalar(
            lambda t: -_kalman(r, s2, day, 0.0, float(np.exp(t)), None)[0],
            bounds=(np.log(0.05), np.log(20.0)),
            method="bounded",
        ).fun
    )
    a, add = _decay(float((last_night - night[-1]).days), q, tau)
    x, p = float(a * x), float(a * a * p + add)
    return LocalLevel(
        q_per_night=q,
        tau_nights=tau,
        obs_scale=kappa,
        mean=x,
        var=p,
        last_night=last_night.strftime("%Y-%m-%d"),
        loglik=ll,
        static_loglik=static,
        raids=len(r),
    )


@dataclass
class ClassFit:
    """The fitted beta-binomial regression of one weapon class."""

    kind: str
    terms: list[str]
    active: list[bool]
    mode: np.ndarray
    cov: np.ndarray
    prior_mean: np.ndarray
    prior_sd: np.ndarray
    nights: int
    weight_sum: float
    ess: float
    launched: float
    decoy_ref: float | None
    converged: bool
    fitted: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    level: LocalLevel | None = None

    @property
    def names(self) -> list[str]:
        """Names of all parameters (coefficients, then the dispersion terms)."""
        return [*self.terms, *(t.name for t in DISPERSION_TERMS)]

    def table(self) -> pd.DataFrame:
        """Posterior mode, s.d. and 90 % interval of every parameter, with its prior; then the
        level's rows (``level_now`` with its filtered s.d.; its maximum-likelihood ``level_q``,
        ``level_tau_nights`` and ``level_obs_scale``, no interval and no prior)."""
        sd = np.sqrt(np.maximum(np.diag(self.cov), 0.0))
        coef = self._coef_table(sd)
        if self.level is None:
            return coef
        lv = self.level
        lsd = float(np.sqrt(max(lv.var, 0.0)))
        tau = np.nan if lv.tau_nights is None else lv.tau_nights
        rows = pd.DataFrame(
            {
                "kind": self.kind,
                "term": ["level_now", "level_q_per_night", "level_tau_nights", "level_obs_scale"],
                "active": True,
                "mode": [lv.mean, lv.q_per_night, tau, lv.obs_scale],
                "sd": [lsd, np.nan, np.nan, np.nan],
                "lo90": [lv.mean - 1.6449 * lsd, np.nan, np.nan, np.nan],
                "hi90": [lv.mean + 1.6449 * lsd, np.nan, np.nan, np.nan],
                "prior_mean": [0.0, np.nan, np.nan, np.nan],
                "prior_sd": [np.sqrt(LEVEL_PRIOR_VAR), np.nan, np.nan, np.nan],
            }
        )
        return pd.concat([coef, rows], ignore_index=True)

    def _coef_table(self, sd: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "kind": self.kind,
                "term": self.names,
                "active": [*self.active, True, True],
                "mode": self.mode,
                "sd": sd,
                "lo90": self.mode - 1.6449 * sd,
                "hi90": self.mode + 1.6449 * sd,
                "prior_mean": self.prior_mean,
                "prior_sd": self.prior_sd,
            }
        )

    def draws(self, sims: int, rng: np.random.Generator) -> np.ndarray:
        """Parameter draws from the Laplace normal (inactive terms stay at 0)."""
        vals, vecs = np.linalg.eigh((self.cov + self.cov.T) / 2)
        root = vecs * np.sqrt(np.maximum(vals, 0.0))
        z = rng.standard_normal((sims, len(self.mode)))
        return self.mode + z @ root.T

    def linear(self, theta: np.ndarray, x: np.ndarray, log_size: np.ndarray) -> tuple[Any, Any]:
        """(mu, phi) for parameter rows ``theta`` (s, p) and covariates ``x`` (m, k)."""
        k = len(self.terms)
        eta = theta[..., :k] @ x.T
        log_phi = theta[..., k : k + 1] + theta[..., k + 1 : k + 2] * log_size
        return special.expit(eta), np.exp(np.clip(log_phi, -5.0, 12.0))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready parameters."""
        return {
            "kind": self.kind,
            "terms": self.terms,
            "active": self.active,
            "mode": self.mode.tolist(),
            "cov": self.cov.tolist(),
            "prior_mean": self.prior_mean.tolist(),
            "prior_sd": self.prior_sd.tolist(),
            "nights": self.nights,
            "weight_sum": self.weight_sum,
            "ess": self.ess,
            "launched": self.launched,
            "decoy_ref": self.decoy_ref,
            "converged": self.converged,
            "level": None if self.level is None else self.level.to_dict(),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ClassFit:
        """Inverse of :meth:`to_dict`."""
        return cls(
            kind=str(d["kind"]),
            terms=list(d["terms"]),
            active=[bool(a) for a in d["active"]],
            mode=np.asarray(d["mode"], dtype=float),
            cov=np.asarray(d["cov"], dtype=float),
            prior_mean=np.asarray(d["prior_mean"], dtype=float),
            prior_sd=np.asarray(d["prior_sd"], dtype=float),
            nights=int(d["nights"]),
            weight_sum=float(d["weight_sum"]),
            ess=float(d["ess"]),
            launched=float(d["launched"]),
            decoy_ref=None if d.get("decoy_ref") is None else float(d["decoy_ref"]),
            converged=bool(d.get("converged", True)),
            level=None if d.get("level") is None else LocalLevel.from_dict(d["level"]),
        )


def _hessian(fun: Any, x0: np.ndarray, step: float = 1e-4) -> np.ndarray:
    p = len(x0)
    h = np.zeros((p, p))
    f0 = fun(x0)
    e = np.eye(p) * step
    fp = np.array([fun(x0 + e[i]) for i in range(p)])
    fm = np.array([fun(x0 - e[i]) for i in range(p)])
    for i in range(p):
        h[i, i] = (fp[i] - 2 * f0 + fm[i]) / step**2
        for j in range(i + 1, p):
            fpp = fun(x0 + e[i] + e[j])
            fmm = fun(x0 - e[i] - e[j])
            h[i, j] = h[j, i] = (fpp - fp[i] - fp[j] + 2 * f0 - fm[i] - fm[j] + fmm) / (2 * step**2)
    return h


def laplace(nlp: Any, start: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool]:
    """Laplace approximation of a posterior from its negative log density ``nlp``: the mode
    (L-BFGS-B, then BFGS from there), the inverse of the finite-difference Hessian at the mode
    (a pseudo-inverse, lightly ridged, where it is not positive definite), and whether the
    optimiser ended on a finite value."""
    res = optimize.minimize(nlp, start, method="L-BFGS-B")
    res = optimize.minimize(nlp, res.x, method="BFGS")
    mode = res.x
    hess = _hessian(nlp, mode)
    try:
        cov = np.linalg.inv(hess)
        if not np.all(np.isfinite(cov)) or np.any(np.diag(cov) <= 0):
            raise np.linalg.LinAlgError
    except np.linalg.LinAlgError:
        cov = np.linalg.pinv(hess + np.eye(len(mode)) * 1e-6)
    return mode, cov, bool(res.success or np.isfinite(res.fun))


def fit_class(
    raids: pd.DataFrame,
    kind: str,
    *,
    origin: pd.Timestamp,
    halflife_nights: float | None,
    trend: bool = False,
    min_launched: int = 50,
    prior_scale: float = 1.0,
    local_level: bool = True,
    level_reverts: bool = True,
) -> ClassFit | None:
    """Fit one class on the raids before ``origin`` (see the module docstring)."""
    ok = raids[f"{kind}_ok"] & (raids["drones" if kind == "drone" else "missiles"] >= min_launched)
    d = raids[ok & (raids["night"] < origin)]
    if len(d) < 3:
        return None
    decoy_ref: float | None = None
    if kind == "drone" and d["decoy_share"].notna().any():
        decoy_ref = float(d["decoy_share"].mean())
    x, log_size, n = _covariates(d, kind, origin, decoy_ref)
    y = np.minimum(d[f"{kind}_neutralised"].to_numpy(dtype=float), n)
    age = ((origin - d["night"]).dt.days - 1).to_numpy(dtype=float)
    w = np.ones(len(d)) if not halflife_nights else 0.5 ** (age / float(halflife_nights))
    terms = _terms(kind)
    active = [True] * len(terms)
    for i, t in enumerate(terms):
        if t.name == "trend":
            active[i] = trend
        if t.name == "decoy_share":
            active[i] = decoy_ref is not None
        if t.name == "early_rule":
            active[i] = bool((x[:, i] * w).sum() > 0.5)
    x = x * np.asarray(active, dtype=float)
    allterms = [*terms, *DISPERSION_TERMS]
    pm = np.array([t.prior_mean for t in allterms])
    psd = np.array([t.prior_sd for t in allterms]) * prior_scale
    k = len(terms)

    def nlp(theta: np.ndarray) -> float:
        eta = x @ theta[:k]
        mu = np.clip(special.expit(eta), 1e-9, 1 - 1e-9)
        phi = np.exp(np.clip(theta[k] + theta[k + 1] * log_size, -5.0, 12.0))
        ll = _betabinom_logpmf(y, n, mu * phi, (1 - mu) * phi)
        return float(-(w * ll).sum() + 0.5 * (((theta - pm) / psd) ** 2).sum())

    start = pm.copy()
    share = y.sum() / max(n.sum(), 1.0)
    start[0] = special.logit(np.clip(share, 0.02, 0.98))
    mode, cov, converged = laplace(nlp, start)
    # inactive terms: exactly 0, no uncertainty (their prior never enters a prediction)
    for i, a in enumerate(active):
        if not a:
            mode[i] = 0.0
            cov[i, :] = 0.0
            cov[:, i] = 0.0
    mu_hat = special.expit(x @ mode[:k])
    phi_hat = np.exp(np.clip(mode[k] + mode[k + 1] * log_size, -5.0, 12.0))
    fitted = d[["raid_id", "night", "drones", "cruise", "ballistic", "decoy_share"]].assign(
        kind=kind,
        launched=n,
        neutralised=y,
        observed=y / np.maximum(n, 1),
        mu_mode=mu_hat,
        weight=w,
    )
    return ClassFit(
        kind=kind,
        terms=[t.name for t in terms],
        active=active,
        mode=mode,
        cov=cov,
        prior_mean=pm,
        prior_sd=psd,
        nights=len(d),
        weight_sum=float(w.sum()),
        ess=float(w.sum() ** 2 / (w**2).sum()),
        launched=float(n.sum()),
        decoy_ref=decoy_ref,
        converged=converged,
        fitted=fitted,
        level=(
            fit_level(
                fitted,
                mu_hat,
                phi_hat,
                origin - pd.Timedelta(days=1),
                mean_reverting=level_reverts,
            )
            if local_level
            else None
        ),
    )


@dataclass
class PredictiveModel:
    """Beta-binomial share models of drones and missiles, fitted up to ``until``."""

    until: pd.Timestamp
    halflife_nights: float | None
    trend: bool
    fits: dict[str, ClassFit]
    first_night: pd.Timestamp | None = None

    @property
    def origin(self) -> pd.Timestamp:
        """The first night after the fit (trend and recency weights are measured from it)."""
        return self.until + pd.Timedelta(days=1)

    def predict(self, nights: pd.DataFrame, *, sims: int = 4000, seed: int = 0) -> pd.DataFrame:
        """Add ``{drone,missile}_neutralised_{mean,p5,p50,p95}`` (shares) to a table of nights.

        ``mean`` is the posterior predictive mean of the night's expected share; ``p5``, ``p50``
        and ``p95`` are quantiles of the simulated share (parameters, level, night and count).

        A class with nothing launched that night gets empty values. See the module docstring for
        what the intervals carry and how the draws are seeded.
        """
        out = nights.copy()
        root = np.random.SeedSequence(seed)
        children = root.spawn(len(nights) + 1)
        for kind in KINDS:
            cols = {q: np.full(len(nights), np.nan) for q in ("mean", "p5", "p50", "p95")}
            fit = self.fits.get(kind)
            if fit is not None and len(nights):
                rng0 = np.random.default_rng(children[0])
                theta = fit.draws(sims, rng0)
                x, log_size, n = _covariates(nights, kind, self.origin, fit.decoy_ref)
                x = x * np.asarray(fit.active, dtype=float)
                mu, phi = fit.linear(theta, x, log_size)  # (sims, rows)
                if fit.level is not None:
                    # the level shift of each night (shared shocks: a night's draws do not
                    # depend on which other nights are predicted), and the nights' own spread
                    # around the level (obs_scale times the beta-binomial's)
                    z = rng0.standard_normal((sims, 1))
                    lm, lv = fit.level.at(nights["night"])
                    eta = special.logit(np.clip(mu, 1e-12, 1 - 1e-12))
                    mu = special.expit(eta + lm[None, :] + z * np.sqrt(lv)[None, :])
                    phi = np.maximum((1.0 + phi) / fit.level.obs_scale - 1.0, 0.5)
                for j in range(len(nights)):
                    if n[j] <= 0:
                        continue
                    rng = np.random.default_rng(children[j + 1])
                    m, ph = mu[:, j], phi[:, j]
                    p = rng.beta(np.maximum(m * ph, 1e-9), np.maximum((1 - m) * ph, 1e-9))
                    share = rng.binomial(int(n[j]), p) / n[j]
                    cols["mean"][j] = float(m.mean())
                    cols["p5"][j], cols["p50"][j], cols["p95"][j] = np.quantile(
                        share, [0.05, 0.5, 0.95]
                    )
            for q in ("mean", "p5", "p50", "p95"):
                out[f"{kind}_neutralised_{q}"] = cols[q]
        return out

    def params(self) -> pd.DataFrame:
        """All parameters of both classes (mode, s.d., 90 % interval, prior)."""
        return pd.concat([f.table() for f in self.fits.values()], ignore_index=True)

    def fitted(self, *, sims: int = 4000, seed: int = 0) -> pd.DataFrame:
        """The nights each class was fitted on: observed share, the share at the posterior mode
        (``mu_mode``) and the predictive mean and 90 % interval (:meth:`predict`, same seed)."""
        rows = []
        for kind, f in self.fits.items():
            fr = f.fitted.reset_index(drop=True)
            if not len(fr):
                continue
            pred = self.predict(fr, sims=sims, seed=seed)
            rows.append(
                fr.assign(
                    mean=pred[f"{kind}_neutralised_mean"],
                    p5=pred[f"{kind}_neutralised_p5"],
                    p95=pred[f"{kind}_neutralised_p95"],
                )
            )
        return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready model."""
        return {
            "model": "beta-binomial share regression (Laplace approximation)",
            "until": self.until.strftime("%Y-%m-%d"),
            "first_night": None
            if self.first_night is None
            else self.first_night.strftime("%Y-%m-%d"),
            "halflife_nights": self.halflife_nights,
            "trend": self.trend,
            "fits": {k: f.to_dict() for k, f in self.fits.items()},
        }

    def save(self, path: str | Path) -> Path:
        """Write the model as JSON."""
        p = Path(path)
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(json.dumps(self.to_dict(), indent=1), encoding="utf-8")
        return p

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> PredictiveModel:
        """Inverse of :meth:`to_dict`."""
        return cls(
            until=pd.Timestamp(d["until"]),
            halflife_nights=None if d["halflife_nights"] is None else float(d["halflife_nights"]),
            trend=bool(d["trend"]),
            fits={k: ClassFit.from_dict(v) for k, v in d["fits"].items()},
            first_night=None if d.get("first_night") is None else pd.Timestamp(d["first_night"]),
        )

    @classmethod
    def load(cls, path: str | Path) -> PredictiveModel:
        """Read a model written by :meth:`save`."""
        p = Path(path)
        if not p.exists():
            raise FileNotFoundError(2, "file not found", str(p))
        try:
            return cls.from_dict(json.loads(p.read_text(encoding="utf-8")))
        except (ValueError, KeyError, TypeError) as exc:
            raise ScenarioError(
                str(p),
                [Problem("model", f"not a predictive model written by 'calibrate fit' ({exc})")],
            ) from exc


DEFAULT_HALFLIFE_NIGHTS = 180.0
"""Recency half-life of the default fit (chosen on rolling backtests inside the slice)."""

MIN_LAUNCHED: dict[str, int] = {"drone": 50, "missile": 5}
"""Raids with fewer launched of a class are left out of that class's fit (default). Small drone
nights (a few to a few dozen drones) had systematically lower shares in the record, which a
log-linear size term cannot follow without biasing the big raids; the model is for raids of at
least this size and extrapolates below it."""


def fit_predictive(
    frame_or_raids: pd.DataFrame,
    *,
    until: str | pd.Timestamp | None = None,
    halflife_nights: float | None = DEFAULT_HALFLIFE_NIGHTS,
    trend: bool = False,
    kinds: Sequence[str] = KINDS,
    prior_scale: float = 1.0,
    min_launched: int | None = None,
    local_level: bool = True,
    level_reverts: bool = True,
) -> PredictiveModel:
    """Fit the share models on nights up to ``until`` (default: every night).

    ``frame_or_raids``: a tidy table (:mod:`airshield.history.importer`) or a :func:`raid_table`.
    """
    raids = frame_or_raids if "drone_ok" in frame_or_raids else raid_table(frame_or_raids)
    if not len(raids):
        raise ValueError("no raid with strategic launches in the record")
    last = raids["night"].max()
    end = pd.Timestamp(until) if until is not None else last
    raids = raids[raids["night"] <= end]
    if not len(raids):
        raise ValueError(f"no raid night on or before {end:%Y-%m-%d}")
    origin = end + pd.Timedelta(days=1)
    fits: dict[str, ClassFit] = {}
    for kind in kinds:
        f = fit_class(
            raids,
            kind,
            origin=origin,
            halflife_nights=halflife_nights,
            trend=trend,
            prior_scale=prior_scale,
            min_launched=(min_launched if min_launched is not None else MIN_LAUNCHED[kind]),
            local_level=local_level,
            level_reverts=level_reverts,
        )
        if f is not None:
            fits[kind] = f
    if not fits:
        raise ValueError("too few raid nights with launched and destroyed counts to fit")
    return PredictiveModel(end, halflife_nights, trend, fits, first_night=raids["night"].min())
