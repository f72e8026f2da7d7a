"""Fitting the surrogate: binomial GLMs chosen by cross-validation, dispersions, damage.

Each share is a logistic model (binomial GLM) fitted by penalised iteratively reweighted least
squares (:func:`fit_binomial_glm`); its structure (intercept only, linear, or quadratic with one
of :data:`QUAD_RIDGES`) is chosen by ``folds``-fold cross-validated deviance
(:func:`select_glm`). :func:`fit_surrogate` is the entry point: cache lookup, design runs, fit.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray
from scipy.special import expit
from threadpoolctl import threadpool_limits

from airshield.campaign.bridge import RaidBridge
from airshield.campaign.surrogate import cache as _cache
from airshield.campaign.surrogate.design import (
    DesignData,
    DesignSpec,
    collect_design,
    design_compositions,
)
from airshield.campaign.surrogate.features import (
    every_column,
    feature_dim,
    feature_sets,
    quadratic,
    raw_features,
)
from airshield.campaign.surrogate.predict import Surrogate
from airshield.scenario import Scenario

I = NDArray[np.int64]
F = NDArray[np.float64]

#: ridges tried for the quadratic structure of every output
QUAD_RIDGES = (1e-3, 1e-2, 1e-1, 1.0)
#: ridge of the linear structure (and the default of :func:`fit_binomial_glm`)
LINEAR_RIDGE = 1e-3
#: IRLS: at most this many Newton steps ...
IRLS_MAX_ITER = 60
#: ... stopping when the objective improves by less than this share of itself
IRLS_REL_TOL = 1e-9
#: step halving gives up below this step length
IRLS_MIN_STEP = 1e-4
#: the intercept starts at the logit of the pooled share, clipped to [eps, 1 - eps]
START_SHARE_EPS = 1e-4
#: the dispersion factor (replicate variance over binomial variance) is bounded to this range
DISPERSION_BOUNDS = (0.05, 20.0)
#: ridge of the damage regression, relative to the mean squared entry of its design matrix
DAMAGE_RIDGE_REL = 1e-6


def fit_binomial_glm(
    x: F, successes: F, trials: F, ridge: float = LINEAR_RIDGE, iters: int = IRLS_MAX_ITER
) -> F:
    """Logistic regression on aggregated binomial data: penalised IRLS (ridge on all but the
    intercept, scaled by the mean number of trials) with step halving."""
    ok = trials > 0
    x, s, n = x[ok], successes[ok], trials[ok]
    beta = np.zeros(x.shape[1])
    if x.shape[0] == 0:
        return beta
    frac = np.clip(s.sum() / n.sum(), START_SHARE_EPS, 1 - START_SHARE_EPS)
    beta[0] = np.log(frac / (1 - frac))
    pen = ridge * max(1.0, float(n.mean())) * np.eye(x.shape[1])
    pen[0, 0] = 0.0

    def objective(b: F) -> float:
        eta = x @ b
        # binomial negative log-likelihood, stable: n log(1 + e^eta) - s eta
        return float((n * np.logaddexp(0.0, eta) - s * eta).sum() + 0.5 * b @ pen @ b)

    obj = objective(beta)
    for _ in range(iters):
        eta = x @ beta
        p = expit(eta)
        w = n * p * (1 - p) + 1e-9
        grad = x.T @ (n * p - s) + pen @ beta
        h = x.T @ (w[:, None] * x) + pen + 1e-9 * np.eye(x.shape[1])
        step = np.linalg.solve(h, grad)
        t = 1.0
        while True:
            cand = beta - t * step
            new_obj = objective(cand)
            if new_obj <= obj + 1e-12 or t < IRLS_MIN_STEP:
                break
            t *= 0.5
        done = obj - new_obj < IRLS_REL_TOL * (abs(obj) + 1.0)
        beta, obj = cand, min(obj, new_obj)
        if done:
            break
    return beta


def _dispersion(samples: F, trials: F, p: F) -> float:
    """Pooled ratio of the replicate variance to the binomial variance (bounded)."""
    var_emp = samples.var(axis=1, ddof=1) if samples.shape[1] > 1 else np.zeros(samples.shape[0])
    var_bin = trials * p * (1 - p)
    ok = var_bin > 1e-9
    if not ok.any() or var_bin[ok].sum() <= 0:
        return 1.0
    return float(np.clip(var_emp[ok].sum() / var_bin[ok].sum(), *DISPERSION_BOUNDS))


def select_glm(x: F, s: F, n: F, n_linear: int, folds: int = 4) -> tuple[F, str]:
    """Choose by ``folds``-fold cross-validated deviance among an intercept-only, a linear and
    quadratic logistic models (several ridges); refit the choice on all points. Returns the
    coefficients over all columns of ``x`` (zeros where unused) and the choice's label."""
    beta, label, _ = _select(x, s, n, n_linear, folds)
    return beta, label


def _select(x: F, s: F, n: F, n_linear: int, folds: int) -> tuple[F, str, float]:
    k = x.shape[1]
    cands: list[tuple[str, int, float]] = [("const", 1, 0.0), ("linear", n_linear, LINEAR_RIDGE)]
    cands += [(f"quadratic/{r:g}", k, r) for r in QUAD_RIDGES]
    ok = n > 0
    idx = np.flatnonzero(ok)
    if idx.size < 2 * folds or s[ok].sum() == 0 or s[ok].sum() == n[ok].sum():
        beta = np.zeros(k)
        beta[:1] = fit_binomial_glm(x[:, :1], s, n, 0.0)
        return beta, "const", 0.0
    fold = np.arange(idx.size) % folds
    best: tuple[float, str, int, float] | None = None
    for label, cols, ridge in cands:
        dev = 0.0
        for f in range(folds):
            tr, te = idx[fold != f], idx[fold == f]
            b = fit_binomial_glm(x[tr, :cols], s[tr], n[tr], ridge)
            eta = x[te, :cols] @ b
            dev += float((n[te] * np.logaddexp(0.0, eta) - s[te] * eta).sum())
        if best is None or dev < best[0]:
            best = (dev, label, cols, ridge)
    assert best is not None
    dev, label, cols, ridge = best
    beta = np.zeros(k)
    beta[:cols] = fit_binomial_glm(x[:, :cols], s, n, ridge)
    return beta, label, dev


def fit_from_design(
    bridge: RaidBridge, data: DesignData, folds: int = 4
) -> tuple[Surrogate, dict[str, str]]:
    """Fit every share's GLM (structure chosen by cross-validation) and the dispersions."""
    t, p, q = len(bridge.threat_types), len(bridge.pool_names), len(bridge.other_effectors)
    counts, avail, y = data.counts, data.available, data.y
    d_pts, r = y.shape[0], max(1, y.shape[1])
    engage = bridge.engage_mask()
    cols = feature_sets(t, p, engage)
    zdim = feature_dim(t, p, q)
    if d_pts:
        z = raw_features(counts, avail, data.a_max, engage)
        mu, sd = z.mean(axis=0), z.std(axis=0)
        sd = np.where(sd > 1e-9, sd, 1.0)
        zs = (z - mu) / sd
    else:
        mu, sd, zs = np.zeros(zdim), np.ones(zdim), np.zeros((0, zdim))
    sums = y.sum(axis=1)
    trials_fired = np.column_stack([avail, np.broadcast_to(bridge.other_rounds, (d_pts, q))])
    present = counts @ engage.T.astype(np.float64) > 0  # (D, P + Q)
    names = (
        [f"destroyed:{n}" for n in bridge.threat_types]
        + [f"lost:{n}" for n in bridge.threat_types]
        + [f"fired:{n}" for n in bridge.pool_names + bridge.other_effectors]
    )
    choice: dict[str, str] = {}
    betas: list[F] = []
    disp = np.ones(2 * t + p + q)
    chosen: list[I] = []
    for o, name in enumerate(names):
        if o < t:
            n_rep, succ, samples = counts[:, o], sums[:, o], y[:, :, o]
        elif o < 2 * t:
            k = o - t
            n_rep = counts[:, k] - sums[:, k] / r
            succ, samples = sums[:, t + k], y[:, :, t + k]
        else:
            k = o - 2 * t
            n_rep = np.where(present[:, k], trials_fired[:, k], 0.0)
            succ, samples = sums[:, 3 * t + k], y[:, :, 3 * t + k]
        best: tuple[float, I, F, str] | None = None
        for j, cset in enumerate(cols[o]):
            x = quadratic(zs[:, cset])
            beta, label, dev = _select(x, succ, n_rep * r, 1 + len(cset), folds)
            if best is None or dev < best[0]:
                tag = "" if len(cols[o]) == 1 else (" own stock" if j == 0 else " with rivals")
                best = (dev, cset, beta, label + tag)
        assert best is not None
        _, cset, beta, choice[name] = best
        chosen.append(cset)
        betas.append(beta)
        x = quadratic(zs[:, cset])
        disp[o] = _dispersion(samples, n_rep, expit(x @ beta)) if d_pts else 1.0
    # damage per harmful leaker, by threat type, linear in the features of the outcomes
    harm = bridge.harmful
    every = every_column(t, p)
    n_lin = 1 + len(every)
    coef = np.zeros((t, n_lin))
    if d_pts and harm.any():
        xl = np.repeat(np.column_stack([np.ones(d_pts), zs[:, every]]), y.shape[1], axis=0)
        lk = y[:, :, 2 * t : 3 * t].reshape(-1, t)[:, harm]
        a = (lk[:, :, None] * xl[:, None, :]).reshape(lk.shape[0], -1)
        dmg = y[:, :, -1].reshape(-1)
        lam = DAMAGE_RIDGE_REL * float((a * a).sum()) / max(a.shape[1], 1) + 1e-12
        sol = np.linalg.solve(a.T @ a + lam * np.eye(a.shape[1]), a.T @ dmg)
        coef[harm] = sol.reshape(int(harm.sum()), n_lin)
    sur = Surrogate(
        template_hash=bridge.template.content_hash(),
        threat_types=list(bridge.threat_types),
        pool_names=list(bridge.pool_names),
        other_effectors=list(bridge.other_effectors),
        a_max=data.a_max,
        other_rounds=bridge.other_rounds.astype(np.int64),
        engage=engage,
        z_mu=mu,
        z_sd=sd,
        cols=chosen,
        betas=betas,
        dispersion=disp,
        damage_coef=coef,
        pool_cost_usd=bridge.pool_cost_usd.astype(np.float64),
        other_cost_usd=bridge.other_cost_usd.astype(np.float64),
    )
    return sur, choice


def fit_surrogate(
    template: Scenario,
    threat_types: list[str],
    raids: I,
    spec: DesignSpec | None = None,
    *,
    cache: bool = True,
    workers: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> Surrogate:
    """Fit (or fetch from the cache) the surrogate of ``template`` over the compositions in
    ``raids`` (N, T): threats per attacker type on each night the surrogate must cover.

    ``cache=True``: a fit with the same key (:func:`~airshield.campaign.surrogate.cache.design_key`)
    held in memory or on disk is returned (``info["cached"]`` True), and a new fit is kept in
    both. ``cache=False``: always a fresh fit, neither read from nor written to either cache.
    The design's seed is ``spec.seed`` (:data:`DEFAULT_DESIGN_SEED` unless given), recorded as
    ``info["design_seed"]``."""
    spec = spec or DesignSpec()
    comps = design_compositions(np.asarray(raids, np.int64), spec.compositions)
    key = _cache.design_key(template, threat_types, comps, spec)
    if cache:
        hit = _cache.cached(key)
        if hit is not None:
            hit.info["cached"] = True
            return hit
    started = time.perf_counter()
    bridge = RaidBridge(template, threat_types)
    data = collect_design(bridge, comps, spec, workers=workers, progress=progress)
    runs_s = time.perf_counter() - started
    with threadpool_limits(limits=1, user_api="blas"):  # small matrices: threads only cost
        sur, choice = fit_from_design(bridge, data, spec.folds)
    sur.info = {
        "key": key,
        "design_seed": spec.seed,
        "design_points": int(data.y.shape[0]),
        "raid_runs": int(data.y.shape[0] * data.y.shape[1] + data.pilot_runs),
        "raid_runs_s": round(runs_s, 3),
        "fit_s": round(time.perf_counter() - started, 3),
        "a_max": data.a_max.tolist(),
        "models": choice,
        "cached": False,
        **_in_sample_error(sur, data, bridge.harmful),
    }
    if cache:
        _cache.store(key, sur)
    return sur


def _in_sample_error(sur: Surrogate, data: DesignData, harm: NDArray[np.bool_]) -> dict[str, float]:
    """Mean absolute error of the predicted means of harmful leakers and rounds fired, relative to
    the design's mean, at the design points (a fit diagnostic, not the error bound)."""
    if data.counts.shape[0] == 0:
        return {}
    t, p = len(sur.threat_types), len(sur.pool_names)
    y = data.y
    leak_obs = y[:, :, 2 * t : 3 * t].mean(axis=1)[:, harm].sum(axis=1)
    fired_obs = y[:, :, 3 * t : 3 * t + p].mean(axis=1)
    leak_pred = np.zeros(data.counts.shape[0])
    fired_pred = np.zeros((data.counts.shape[0], p))
    for i in range(data.counts.shape[0]):
        e = sur.expected(
            data.counts[i].astype(np.int64), data.available[i : i + 1].astype(np.int64)
        )
        leak_pred[i] = e["leaked"][0][harm].sum()
        fired_pred[i] = e["fired"][0, :p]
    out = {
        "leaked_mae_rel": float(np.abs(leak_pred - leak_obs).mean() / max(leak_obs.mean(), 1e-9)),
    }
    if p:
        out["fired_mae_rel"] = float(
            np.abs(fired_pred - fired_obs).mean() / max(float(fired_obs.mean()), 1e-9)
        )
    return out
