"""Layered fit of the drone record: coverage of each layer apart from its kill probability.

The share model (:mod:`airshield.calibrate.predictive`) predicts the total neutralised share;
the engine calibration (:mod:`airshield.calibrate.calibration`) moves every kinetic effector by
one logit shift per threat kind. This module fits the structure in between, on the record's
drone raids, as two layers a drone meets in turn:

- **EW**: a drone is *covered* by the EW layer with probability ``c_ew`` and, covered, made lost
  with probability ``p_ew`` (the record's "locationally lost");
- **kinetic**: a drone that is not lost is *covered* by the kinetic layer (meets a gun, rocket,
  interceptor or SAM with a free channel) with probability ``c_kin`` and, covered, destroyed
  with probability ``p_kin``.

So per raid ``P(lost) = c_ew p_ew`` and ``P(destroyed) = (1 - c_ew p_ew) c_kin p_kin``. Raid
make-up moves the **coverages**, not the kill probabilities (a shot's pk does not depend on how
many other drones fly that night; which share of the raid finds a free layer does):

    logit c_ew  = a_ew  + s_ew  * log(drones / 100)
    logit c_kin = a_kin + s_kin * log(drones / 100) + m_kin * missile_share

``s < 0`` is saturation (channels run out), ``s > 0`` mass (a big raid meets the whole system at
full readiness, with crews, mobile groups and interceptors up); the prior of each slope is centred
on 0, the sign is the record's. ``p_ew`` and ``p_kin`` are constants of the period.

**Likelihood.** Counts are beta-binomial (night-to-night variation, precision
``phi = exp(g0 + g1 * log size)``), stage by stage where the record counts lost apart
(``lost ~ BB(n, c_ew p_ew)``, ``destroyed ~ BB(n - lost, c_kin p_kin)``), the shot-down count
alone before July 2024 (``destroyed ~ BB(n, (1 - c_ew p_ew) c_kin p_kin)``: lost drones were not
counted then) and the neutralised count where the record merges the two (from 23 July 2025).
Raids are recency weighted (``0.5 ** (age / halflife)``, a power prior) as in the share model.

**What the record identifies, and the priors.** Within one layer only the product of coverage
and kill probability enters a count at a given size; the split is identified only through the
size slope's curvature (a coverage near 1 caps the layer's share at its pk) and is otherwise the
priors' (notional, from the packaged laydown's geometry and the catalog; see :data:`PRIORS`). The
posterior is a Laplace approximation (mode by L-BFGS-B then BFGS, covariance the inverse
finite-difference Hessian), so every derived number (a layer's product, the neutralised share at
any raid size) carries the joint uncertainty; :meth:`LayerFit.table` lists mode, s.d., 90 %
interval and prior, and how far the data moved each term from its prior (``shrink``: posterior
s.d. over prior s.d.; near 1 = the record says little, the prior's value).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from airshield.calibrate.predictive import (
    DRONE_SIZE_REF,
    EARLY_RULE_UNTIL,
    Term,
    _betabinom_logpmf,
    laplace,
    raid_table,
)

MERGED_FROM = pd.Timestamp("2025-07-23")
"""From this night the record gives destroyed and lost as one count (neutralised)."""

PRIORS: tuple[Term, ...] = (
    Term("ew_coverage", float(special.logit(0.8)), 1.0, "logit c_ew at 100 drones"),
    Term("ew_pk", float(special.logit(0.5)), 1.0, "logit p_ew: a covered drone is lost"),
    Term("kin_coverage", float(special.logit(0.85)), 1.0, "logit c_kin at 100 drones"),
    Term("kin_pk", float(special.logit(0.75)), 1.0, "logit p_kin: a covered drone is destroyed"),
    Term("ew_size", 0.0, 0.5, "per unit of log(drones / 100) on logit c_ew"),
    Term("kin_size", 0.0, 0.5, "per unit of log(drones / 100) on logit c_kin"),
    Term("kin_missile_share", 0.0, 1.5, "missiles / all weapons, on logit c_kin"),
    Term("log_phi", float(np.log(30.0)), 1.5, "log precision of a night's counts at 100 drones"),
    Term("log_phi_size", 0.0, 1.0, "change of log precision per unit of log size"),
)
"""Parameters of the layered fit and their Gaussian priors (logit / log scale). The coverage
priors are the packaged notional laydown's: rings of guns, rockets, interceptor drones and EW at
every city (most of a raid meets EW and a kinetic layer), the pk priors the catalog's order of
magnitude for a covered drone (several shots, EW attempts); the slopes are centred on 0."""

NAMES: tuple[str, ...] = tuple(t.name for t in PRIORS)


def _size(drones: Any) -> np.ndarray:
    return np.log(np.maximum(np.asarray(drones, dtype=float), 1.0) / DRONE_SIZE_REF)


def layer_shares(theta: np.ndarray, drones: Any, missile_share: Any) -> dict[str, np.ndarray]:
    """Per raid (or per draw, ``theta`` of shape ``(sims, 9)``): coverages, pks, and the lost,
    destroyed and neutralised shares of the drones launched."""
    th = np.atleast_2d(theta)
    ls = _size(drones)[None, :]
    ms = np.asarray(missile_share, dtype=float)[None, :]
    c_ew = special.expit(th[:, [0]] + th[:, [4]] * ls)
    p_ew = special.expit(th[:, [1]]) * np.ones_like(ls)
    c_kin = special.expit(th[:, [2]] + th[:, [5]] * ls + th[:, [6]] * ms)
    p_kin = special.expit(th[:, [3]]) * np.ones_like(ls)
    lost = c_ew * p_ew
    kin = c_kin * p_kin
    destroyed = (1 - lost) * kin
    out = {
        "ew_coverage": c_ew,
        "ew_pk": p_ew,
        "kin_coverage": c_kin,
        "kin_pk": p_kin,
        "lost": lost,
        "destroyed": destroyed,
        "neutralised": lost + destroyed,
    }
    if np.ndim(theta) == 1:
        return {k: v[0] for k, v in out.items()}
    return out


def layer_table(frame: pd.DataFrame, until: str | pd.Timestamp | None = None) -> pd.DataFrame:
    """Drone raids with what the fit reads: ``n``, ``destroyed``, ``lost`` (where counted
    apart), ``neutralised``, ``rule`` (``apart``, ``shot_down_only``, ``merged``) and
    ``missile_share``. National rows only (:func:`~airshield.calibrate.predictive.raid_table`)."""
    r = raid_table(frame, until)
    r = r[r["drone_ok"]].copy()
    total = np.maximum(r["drones"] + r["missiles"], 1.0)
    rule = np.where(
        r["drone_lost_apart"],
        "apart",
        np.where(r["night"] < EARLY_RULE_UNTIL, "shot_down_only", "merged"),
    )
    return pd.DataFrame(
        {
            "raid_id": r["raid_id"],
            "night": r["night"],
            "n": r["drones"].to_numpy(dtype=float),
            "destroyed": r["drone_destroyed"].to_numpy(dtype=float),
            "lost": r["drone_lost"].to_numpy(dtype=float),
            "neutralised": r["drone_neutralised"].to_numpy(dtype=float),
            "rule": rule,
            "missile_share": (r["missiles"] / total).to_numpy(dtype=float),
        }
    ).reset_index(drop=True)


def _loglik(theta: np.ndarray, t: dict[str, np.ndarray]) -> np.ndarray:
    sh = layer_shares(theta, t["n"], t["missile_share"])
    phi = np.exp(np.clip(theta[7] + theta[8] * _size(t["n"]), -5.0, 12.0))
    eps = 1e-9

    def bb(y: np.ndarray, n: np.ndarray, mu: np.ndarray) -> np.ndarray:
        mu = np.clip(mu, eps, 1 - eps)
        return _betabinom_logpmf(y, n, mu * phi, (1 - mu) * phi)

    apart, early, merged = t["apart"], t["early"], t["merged"]
    ll = np.zeros(len(t["n"]))
    lost = np.where(apart, t["lost"], 0.0)
    kin = np.clip(sh["destroyed"] / np.maximum(1 - sh["lost"], eps), eps, 1 - eps)
    ll = np.where(
        apart,
        bb(lost, t["n"], sh["lost"]) + bb(t["destroyed"], t["n"] - lost, kin),
        ll,
    )
    ll = np.where(early, bb(t["destroyed"], t["n"], sh["destroyed"]), ll)
    ll = np.where(merged, bb(t["neutralised"], t["n"], sh["neutralised"]), ll)
    return ll


@dataclass
class LayerFit:
    """Laplace posterior of the layered drone fit (see the module docstring)."""

    until: pd.Timestamp
    mode: np.ndarray
    cov: np.ndarray
    raids: int
    raids_apart: int
    ess: float
    halflife_nights: float | None
    size_range: tuple[float, float]
    converged: bool

    def draws(self, sims: int, rng: np.random.Generator) -> np.ndarray:
        """Parameter draws ``(sims, 9)`` from the Laplace normal."""
        return rng.multivariate_normal(self.mode, self.cov, size=sims, method="eigh")

    def shares(
        self, drones: Any, missile_share: Any = 0.0, *, sims: int = 4000, seed: int = 0
    ) -> pd.DataFrame:
        """Posterior mean and 90 % interval of every layer quantity at raids of ``drones``
        (parameter uncertainty only: the expected share of such a raid, not one night's)."""
        d = np.atleast_1d(np.asarray(drones, dtype=float))
        m = np.broadcast_to(np.asarray(missile_share, dtype=float), d.shape)
        th = self.draws(sims, np.random.default_rng(np.random.SeedSequence(seed)))
        sh = layer_shares(th, d, m)
        rows: dict[str, Any] = {"drones": d, "missile_share": m}
        for k, v in sh.items():
            rows[f"{k}_mean"] = v.mean(axis=0)
            rows[f"{k}_p5"] = np.quantile(v, 0.05, axis=0)
            rows[f"{k}_p95"] = np.quantile(v, 0.95, axis=0)
        return pd.DataFrame(rows)

    def table(self) -> pd.DataFrame:
        """One row per parameter: mode, s.d., 90 % interval, prior and ``shrink``."""
        sd = np.sqrt(np.maximum(np.diag(self.cov), 0.0))
        z = float(special.ndtri(0.95))
        return pd.DataFrame(
            {
                "term": NAMES,
                "mode": self.mode,
                "sd": sd,
                "lo90": self.mode - z * sd,
                "hi90": self.mode + z * sd,
                "prior_mean": [t.prior_mean for t in PRIORS],
                "prior_sd": [t.prior_sd for t in PRIORS],
                "shrink": sd / np.array([t.prior_sd for t in PRIORS]),
                "meaning": [t.meaning for t in PRIORS],
            }
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "until": self.until.strftime("%Y-%m-%d"),
            "names": list(NAMES),
            "mode": self.mode.tolist(),
            "cov": self.cov.tolist(),
            "raids": self.raids,
            "raids_apart": self.raids_apart,
            "ess": self.ess,
            "halflife_nights": self.halflife_nights,
            "size_range": list(self.size_range),
            "converged": self.converged,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> LayerFit:
        return cls(
            until=pd.Timestamp(d["until"]),
            mode=np.asarray(d["mode"], dtype=float),
            cov=np.asarray(d["cov"], dtype=float),
            raids=int(d["raids"]),
            raids_apart=int(d["raids_apart"]),
            ess=float(d["ess"]),
            halflife_nights=d.get("halflife_nights"),
            size_range=(float(d["size_range"][0]), float(d["size_range"][1])),
            converged=bool(d["converged"]),
        )


def fit_layers(
    frame_or_table: pd.DataFrame,
    *,
    until: str | pd.Timestamp | None = None,
    halflife_nights: float | None = 180.0,
    min_launched: int = 50,
    prior_scale: float = 1.0,
) -> LayerFit:
    """Fit the layered model on drone raids of at least ``min_launched`` up to ``until``.

    ``frame_or_table``: the tidy attack table, or a :func:`layer_table` (the tests' synthetic
    records). Raises ``ValueError`` when fewer than 5 raids qualify or none counts lost apart
    (nothing then tells the EW layer from the kinetic one).
    """
    t = frame_or_table if "rule" in frame_or_table else layer_table(frame_or_table, until)
    cut = pd.Timestamp(until) if until is not None else t["night"].max()
    t = t[(t["n"] >= min_launched) & (t["night"] <= cut)]
    if len(t) < 5:
        raise ValueError(f"{len(t)} drone raids of at least {min_launched} up to {cut.date()}")
    apart = t["rule"].eq("apart").to_numpy()
    if not apart.any():
        raise ValueError("no raid counts lost drones apart: EW and kinetic layers not separable")
    age = (cut - t["night"]).dt.days.to_numpy(dtype=float)
    w = np.ones(len(t)) if not halflife_nights else 0.5 ** (age / float(halflife_nights))
    data = {
        "n": t["n"].to_numpy(dtype=float),
        "destroyed": np.minimum(t["destroyed"].to_numpy(dtype=float), t["n"].to_numpy()),
        "lost": np.nan_to_num(t["lost"].to_numpy(dtype=float)),
        "neutralised": np.minimum(t["neutralised"].to_numpy(dtype=float), t["n"].to_numpy()),
        "missile_share": t["missile_share"].to_numpy(dtype=float),
        "apart": apart,
        "early": t["rule"].eq("shot_down_only").to_numpy(),
        "merged": t["rule"].eq("merged").to_numpy(),
    }
    data["destroyed"] = np.where(
        apart, np.minimum(data["destroyed"], data["n"] - data["lost"]), data["destroyed"]
    )
    pm = np.array([p.prior_mean for p in PRIORS])
    psd = np.array([p.prior_sd for p in PRIORS]) * prior_scale

    def nlp(theta: np.ndarray) -> float:
        ll = _loglik(theta, data)
        return float(-(w * ll).sum() + 0.5 * (((theta - pm) / psd) ** 2).sum())

    mode, cov, converged = laplace(nlp, pm.copy())
    cov = 0.5 * (cov + cov.T)
    return LayerFit(
        until=cut,
        mode=mode,
        cov=cov,
        raids=len(t),
        raids_apart=int(apart.sum()),
        ess=float(w.sum() ** 2 / (w**2).sum()),
        halflife_nights=halflife_nights,
        size_range=(float(t["n"].min()), float(t["n"].max())),
        converged=converged,
    )
