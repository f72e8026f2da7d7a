"""Fast mode: a surrogate of the raid engine fitted to raid-engine runs of the raid template.

What it predicts for one night, given the threats launched per type ``n_t`` and the rounds
available per pool ``A_p``:

* per threat type, the share destroyed and the share of the rest made lost (EW);
  leaked = launched - destroyed - lost;
* per pool (and per effector type of the units without a pool), the share of the usable rounds
  fired; usable rounds are ``min(A_p, A_max_p)``, where ``A_max_p`` is what the pool's units can
  fire in the largest raid of the design with unlimited stock (more stock changes nothing);
* damage in USD per harmful leaker by threat type, linear in the (linear) features, so that
  where the leakers go as pools run low is followed (ridge least squares).

Each share is a binomial GLM (logit link) on a quadratic in the standardised log features
``log1p(n_t)``, ``log1p(sum n)`` and ``log1p(min(A_p, A_max_p))``, fitted by iteratively
reweighted least squares with a small ridge. Counts are drawn around the predicted mean with the
variance the design runs showed (a dispersion factor times the binomial variance; the raid
engine is often *less* variable than binomial because magazines cap what can be killed), by a
normal draw rounded stochastically and clipped to the feasible range. The draws are monotone in
their normal deviates, so two variants run with common random numbers stay coupled.

The design: compositions taken from the campaign's own raid nights (evenly over raid size), each
at a few pool-stock levels (always one at full stock), a few replications each, from one
``SeedSequence``; the structure of each GLM (constant, linear, or quadratic with one of a few
ridges) is chosen by cross-validated deviance. A fit is cached in memory and on disk
(:func:`cache_dir`) under a hash of the raid template, the design and the surrogate version.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.special import expit
from threadpoolctl import threadpool_limits

from airshield.campaign.bridge import RaidBridge
from airshield.scenario import Scenario

SURROGATE_VERSION = "3"
I = NDArray[np.int64]
F = NDArray[np.float64]


# ---- design -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DesignSpec:
    """How many raid-engine runs a fit uses: compositions x stock levels x replications."""

    compositions: int = 32
    stock_levels: int = 8
    reps: int = 6
    seed: int = 20250604
    folds: int = 4

    def runs(self) -> int:
        return self.compositions * self.stock_levels * self.reps


def design_compositions(raids: I, k: int) -> I:
    """About ``k`` distinct non-empty raid compositions, evenly spread over raid size (the
    largest, and the one with the most of each threat type, always included), by raid size."""
    raids = np.asarray(raids, np.int64)
    raids = raids[raids.sum(axis=1) > 0]
    if raids.shape[0] == 0:
        return np.zeros((0, raids.shape[1]), np.int64)
    uniq = np.unique(raids, axis=0)
    order = np.lexsort((*uniq.T[::-1], uniq.sum(axis=1)))
    uniq = uniq[order]
    if uniq.shape[0] <= k:
        return uniq
    idx = np.round(np.linspace(0, uniq.shape[0] - 1, k)).astype(np.int64)
    # and the night with the most of each threat type (so no type is extrapolated)
    extremes = [int(np.argmax(uniq[:, t])) for t in range(uniq.shape[1])]
    keep = np.unique(np.concatenate([idx, extremes]))
    sizes = uniq[keep].sum(axis=1)
    return uniq[keep][np.argsort(sizes, kind="stable")]


def _raw_z(counts: F, usable: F, a_max: NDArray[Any]) -> F:
    """Raw features: log1p of the threats per type and in all, the share of the usable rounds
    on hand per pool and its square root."""
    counts = np.atleast_2d(counts).astype(np.float64)
    u = np.atleast_2d(usable).astype(np.float64) / np.maximum(a_max, 1)
    return np.column_stack(
        [np.log1p(counts), np.log1p(counts.sum(axis=1)), u, np.sqrt(np.clip(u, 0.0, None))]
    )


def _quadratic(z: F) -> F:
    """Design matrix rows: 1, z, and the upper triangle of z z^T."""
    iu, ju = np.triu_indices(z.shape[1])
    return np.column_stack([np.ones(z.shape[0]), z, z[:, iu] * z[:, ju]])


def fit_binomial_glm(x: F, successes: F, trials: F, ridge: float = 1e-3, iters: int = 60) -> F:
    """Logistic regression on aggregated binomial data: penalised IRLS (ridge on all but the
    intercept, scaled by the mean number of trials) with step halving."""
    ok = trials > 0
    x, s, n = x[ok], successes[ok], trials[ok]
    beta = np.zeros(x.shape[1])
    if x.shape[0] == 0:
        return beta
    frac = np.clip(s.sum() / n.sum(), 1e-4, 1 - 1e-4)
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
            if new_obj <= obj + 1e-12 or t < 1e-4:
                break
            t *= 0.5
        done = obj - new_obj < 1e-9 * (abs(obj) + 1.0)
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
    return float(np.clip(var_emp[ok].sum() / var_bin[ok].sum(), 0.05, 20.0))


# model structures tried for every output: (name, number of leading columns used, ridge)
QUAD_RIDGES = (1e-3, 1e-2, 1e-1, 1.0)


def select_glm(x: F, s: F, n: F, n_linear: int, folds: int = 4) -> tuple[F, str]:
    """Choose by ``folds``-fold cross-validated deviance among an intercept-only, a linear and
    quadratic logistic models (several ridges); refit the choice on all points. Returns the
    coefficients over all columns of ``x`` (zeros where unused) and the choice's label."""
    k = x.shape[1]
    cands: list[tuple[str, int, float]] = [("const", 1, 0.0), ("linear", n_linear, 1e-3)]
    cands += [(f"quadratic/{r:g}", k, r) for r in QUAD_RIDGES]
    ok = n > 0
    idx = np.flatnonzero(ok)
    if idx.size < 2 * folds or s[ok].sum() == 0 or s[ok].sum() == n[ok].sum():
        beta = np.zeros(k)
        beta[:1] = fit_binomial_glm(x[:, :1], s, n, 0.0)
        return beta, "const"
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
    _, label, cols, ridge = best
    beta = np.zeros(k)
    beta[:cols] = fit_binomial_glm(x[:, :cols], s, n, ridge)
    return beta, label


# ---- the fitted surrogate ----------------------------------------------------------------------
@dataclass
class Surrogate:
    """A fitted night model of one raid template (see the module docstring)."""

    template_hash: str
    threat_types: list[str]
    pool_names: list[str]
    other_effectors: list[str]
    a_max: I  # (P,) usable rounds per pool
    other_rounds: I  # (Q,) magazine rounds of units without a pool
    z_mu: F
    z_sd: F
    beta_destroyed: F  # (T, K)
    beta_lost: F  # (T, K)
    beta_fired: F  # (P + Q, K)
    disp_destroyed: F  # (T,)
    disp_lost: F  # (T,)
    disp_fired: F  # (P + Q,)
    damage_coef: F  # (T, 1 + zdim) damage per leaker = max(0, x_linear @ coef)
    pool_cost_usd: F
    other_cost_usd: F
    info: dict[str, Any] = field(default_factory=dict)

    # ---- prediction ---------------------------------------------------------------------
    def _x(self, counts: F, available: F) -> tuple[F, F]:
        usable = np.minimum(np.atleast_2d(available).astype(np.float64), self.a_max)
        c = np.broadcast_to(
            np.atleast_2d(counts).astype(np.float64), (usable.shape[0], counts.shape[-1])
        )
        z = (_raw_z(c, usable, self.a_max) - self.z_mu) / self.z_sd
        return _quadratic(z), usable

    def probabilities(self, counts: I, available: I) -> dict[str, F]:
        """Predicted shares for each row of ``available`` (R, P) at composition ``counts`` (T,)."""
        x, usable = self._x(np.asarray(counts, np.float64), np.asarray(available, np.float64))
        lin = x[:, : self.damage_coef.shape[1]]
        return {
            "destroyed": expit(x @ self.beta_destroyed.T),
            "lost": expit(x @ self.beta_lost.T),
            "fired": expit(x @ self.beta_fired.T),
            "damage_per_leak": np.maximum(lin @ self.damage_coef.T, 0.0),
            "usable": usable,
        }

    def expected(self, counts: I, available: I) -> dict[str, F]:
        """Expected counts per night: destroyed, lost, leaked (R, T); fired (R, P + Q)."""
        pr = self.probabilities(counts, available)
        n = np.asarray(counts, np.float64)[None, :]
        d = n * pr["destroyed"]
        lo = (n - d) * pr["lost"]
        trials = np.column_stack(
            [pr["usable"], np.broadcast_to(self.other_rounds, (d.shape[0], len(self.other_rounds)))]
        )
        return {"destroyed": d, "lost": lo, "leaked": n - d - lo, "fired": trials * pr["fired"]}

    def draw(self, counts: I, available: I, rng: np.random.Generator) -> tuple[I, I, I, I, I, F]:
        """One night for every replication: destroyed, lost, leaked (R, T), fired per pool (R, P),
        fired per other effector (R, Q), damage USD (R,). Random numbers in one fixed order."""
        available = np.atleast_2d(np.asarray(available, np.int64))
        r = available.shape[0]
        t, p, q = len(self.threat_types), len(self.pool_names), len(self.other_effectors)
        counts = np.asarray(counts, np.int64)
        z = rng.standard_normal((r, 2 * t + p + q))
        u = rng.random((r, 2 * t + p + q))
        if counts.sum() == 0:
            zi = np.zeros((r, t), np.int64)
            return (
                zi,
                zi.copy(),
                zi.copy(),
                np.zeros((r, p), np.int64),
                np.zeros((r, q), np.int64),
                np.zeros(r),
            )
        pr = self.probabilities(counts, available)
        n = np.broadcast_to(counts, (r, t))
        d = _count(n, pr["destroyed"], self.disp_destroyed, z[:, :t], u[:, :t])
        rest = n - d
        lo = _count(rest, pr["lost"], self.disp_lost, z[:, t : 2 * t], u[:, t : 2 * t])
        leaked = rest - lo
        trials = np.column_stack(
            [np.minimum(available, self.a_max), np.broadcast_to(self.other_rounds, (r, q))]
        ).astype(np.int64)
        fired = _count(trials, pr["fired"], self.disp_fired, z[:, 2 * t :], u[:, 2 * t :])
        damage = (leaked * pr["damage_per_leak"]).sum(axis=1)
        return d, lo, leaked, fired[:, :p], fired[:, p:], damage

    # ---- persistence --------------------------------------------------------------------
    def save(self, path: Path) -> None:
        arrays = {k: np.asarray(v) for k, v in self.__dict__.items() if isinstance(v, np.ndarray)}
        meta = {
            "template_hash": self.template_hash,
            "threat_types": self.threat_types,
            "pool_names": self.pool_names,
            "other_effectors": self.other_effectors,
            "info": self.info,
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.npz")
        arrays["meta"] = np.array(json.dumps(meta))
        np.savez(tmp, **arrays)  # type: ignore[arg-type]
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path) -> Surrogate:
        with np.load(path, allow_pickle=False) as f:
            meta = json.loads(str(f["meta"]))
            arrays = {k: f[k] for k in f.files if k != "meta"}
        return cls(**meta, **arrays)


def _count(n: I, p: F, disp: F, z: F, u: F) -> I:
    """Counts in [0, n] with mean n p and variance disp * n p (1 - p): normal, stochastically
    rounded, clipped."""
    n = np.asarray(n, np.float64)
    mean = n * p
    sd = np.sqrt(np.maximum(disp * n * p * (1 - p), 0.0))
    x = np.floor(mean + sd * z + u)
    return np.clip(x, 0, n).astype(np.int64)


# ---- fitting -------------------------------------------------------------------------------------
def _design_key(template: Scenario, threat_types: list[str], comps: I, spec: DesignSpec) -> str:
    blob = json.dumps(
        {
            "v": SURROGATE_VERSION,
            "template": template.content_hash(),
            "threats": threat_types,
            "comps": hashlib.sha256(np.ascontiguousarray(comps).tobytes()).hexdigest(),
            "shape": list(comps.shape),
            "spec": [spec.compositions, spec.stock_levels, spec.reps, spec.seed, spec.folds],
        },
        sort_keys=True,
    ).encode()
    return hashlib.sha256(blob).hexdigest()[:20]


def cache_dir() -> Path:
    """Where fitted surrogates are kept between runs: ``$AIRSHIELD_CACHE_DIR/surrogates`` or the
    user cache folder (``~/.cache/airshield/surrogates`` on Linux)."""
    env = os.environ.get("AIRSHIELD_CACHE_DIR")
    if env:
        return Path(env) / "surrogates"
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("airshield")) / "surrogates"


_MEMORY: dict[str, Surrogate] = {}

# worker-process state for parallel design runs
_W_BRIDGE: dict[str, RaidBridge] = {}


def _run_points(
    template_json: str,
    threat_types: list[str],
    items: list[tuple[I, I, list[np.random.SeedSequence]]],
) -> list[F]:
    b = _W_BRIDGE.get(template_json)
    if b is None:
        _W_BRIDGE.clear()
        b = RaidBridge(Scenario.model_validate_json(template_json), threat_types)
        _W_BRIDGE[template_json] = b
    return [_run_point(b, c, a, ch) for c, a, ch in items]


def _run_point(b: RaidBridge, counts: I, avail: I, children: list[np.random.SeedSequence]) -> F:
    rows = []
    for ch in children:
        rec = b.run(counts, avail, np.random.default_rng(ch))
        rows.append(
            np.concatenate(
                [rec.destroyed, rec.lost, rec.leaked, rec.fired_pool, rec.fired_other,
                 [rec.damage_usd]]
            ).astype(np.float64)
        )  # fmt: skip
    return np.array(rows)


@dataclass
class DesignData:
    """Raid-engine runs of a design: ``y[point, rep]`` holds destroyed (T), lost (T), leaked (T),
    fired per pool (P), fired per other effector (Q) and damage USD (1)."""

    counts: F  # (D, T)
    available: F  # (D, P)
    y: F  # (D, R, 3T + P + Q + 1)
    a_max: I
    pilot_runs: int


def collect_design(
    bridge: RaidBridge,
    comps: I,
    spec: DesignSpec,
    *,
    workers: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> DesignData:
    """Run the raid engine over the design: each composition at ``spec.stock_levels`` pool-stock
    levels (the first at full stock; in the others each pool is full with probability 1/2 or else
    drawn from a Latin hypercube skewed to low stock), each ``spec.reps`` times; everything seeded
    from ``SeedSequence(spec.seed)``."""
    t, p, q = len(bridge.threat_types), len(bridge.pool_names), len(bridge.other_effectors)
    root = np.random.SeedSequence(spec.seed)
    pilot_ss, design_ss, level_ss = root.spawn(3)
    # pilot: the largest raid with unlimited stock sets the usable rounds per pool
    big = comps[-1] if comps.shape[0] else np.zeros(t, np.int64)
    pilot = _run_point(bridge, big, np.full(p, 10**9, np.int64), pilot_ss.spawn(max(4, spec.reps)))
    fired_max = pilot[:, 3 * t : 3 * t + p].max(axis=0) if p else np.zeros(0)
    a_max = np.maximum(
        np.maximum(bridge.magazine_rounds, np.ceil(1.3 * fired_max).astype(np.int64)), 1
    ).astype(np.int64)
    lrng = np.random.default_rng(level_ss)
    counts_l: list[I] = []
    avail_l: list[I] = []
    m = spec.stock_levels
    for c in comps:
        lhs = (np.argsort(lrng.random((m, p)), axis=0) + lrng.random((m, p))) / m
        a = np.floor(a_max * lhs**1.5).astype(np.int64)
        # campaigns spend most nights with some pools full and others low: each pool of a
        # level is full with probability 1/2, so those corners are in the design
        a = np.where(lrng.random((m, p)) < 0.5, a_max, a)
        a[0] = a_max
        for row in a:
            counts_l.append(c)
            avail_l.append(row)
    children = design_ss.spawn(len(counts_l))
    items = [
        (c, a, ch.spawn(spec.reps)) for c, a, ch in zip(counts_l, avail_l, children, strict=True)
    ]
    results: list[F] = []
    if workers > 1 and len(items) > 1:
        from airshield.raid.montecarlo import _mp_context

        size = max(1, len(items) // (workers * 4))
        chunks = [items[i : i + size] for i in range(0, len(items), size)]
        payload = bridge.template.model_dump_json()
        with ProcessPoolExecutor(max_workers=workers, mp_context=_mp_context()) as pool:
            futs = [pool.submit(_run_points, payload, bridge.threat_types, ch) for ch in chunks]
            for fut in futs:
                results.extend(fut.result())
                if progress:
                    progress(len(results), len(items))
    else:
        for c, a, ch in items:
            results.append(_run_point(bridge, c, a, ch))
            if progress:
                progress(len(results), len(items))
    width = 3 * t + p + q + 1
    return DesignData(
        counts=np.array(counts_l, np.float64).reshape(-1, t),
        available=np.array(avail_l, np.float64).reshape(-1, p),
        y=np.stack(results) if results else np.zeros((0, spec.reps, width)),
        a_max=a_max,
        pilot_runs=int(pilot.shape[0]),
    )


def fit_from_design(
    bridge: RaidBridge, data: DesignData, folds: int = 4
) -> tuple[Surrogate, dict[str, str]]:
    """Fit every share's GLM (structure chosen by cross-validation) and the dispersions."""
    t, p, q = len(bridge.threat_types), len(bridge.pool_names), len(bridge.other_effectors)
    counts, avail, y = data.counts, data.available, data.y
    d_pts, r = y.shape[0], max(1, y.shape[1])
    zdim = t + 1 + 2 * p
    if d_pts:
        z = _raw_z(counts, avail, data.a_max)
        mu, sd = z.mean(axis=0), z.std(axis=0)
        sd = np.where(sd > 1e-9, sd, 1.0)
        x = _quadratic((z - mu) / sd)
    else:
        mu, sd = np.zeros(zdim), np.ones(zdim)
        x = np.zeros((0, 1 + zdim + zdim * (zdim + 1) // 2))
    kdim = x.shape[1]
    n_lin = 1 + zdim
    sums = y.sum(axis=1)
    choice: dict[str, str] = {}
    beta_d, beta_l = np.zeros((t, kdim)), np.zeros((t, kdim))
    disp_d, disp_l = np.ones(t), np.ones(t)
    for k, name in enumerate(bridge.threat_types):
        n = counts[:, k] * r
        beta_d[k], choice[f"destroyed:{name}"] = select_glm(x, sums[:, k], n, n_lin, folds)
        disp_d[k] = _dispersion(y[:, :, k], counts[:, k], expit(x @ beta_d[k]))
        nl = n - sums[:, k]
        beta_l[k], choice[f"lost:{name}"] = select_glm(x, sums[:, t + k], nl, n_lin, folds)
        disp_l[k] = _dispersion(y[:, :, t + k], nl / r, expit(x @ beta_l[k]))
    trials = np.column_stack([avail, np.broadcast_to(bridge.other_rounds, (d_pts, q))])
    beta_f = np.zeros((p + q, kdim))
    disp_f = np.ones(p + q)
    for k, name in enumerate(bridge.pool_names + bridge.other_effectors):
        beta_f[k], choice[f"fired:{name}"] = select_glm(
            x, sums[:, 3 * t + k], trials[:, k] * r, n_lin, folds
        )
        disp_f[k] = _dispersion(y[:, :, 3 * t + k], trials[:, k], expit(x @ beta_f[k]))
    # damage per harmful leaker, by threat type, linear in the linear features
    harm = bridge.harmful
    coef = np.zeros((t, n_lin))
    if d_pts and harm.any():
        leaked = y[:, :, 2 * t : 3 * t]  # (D, R, T)
        xl = np.repeat(x[:, :n_lin], y.shape[1], axis=0)  # (D R, n_lin)
        lk = leaked.reshape(-1, t)[:, harm]
        a = (lk[:, :, None] * xl[:, None, :]).reshape(lk.shape[0], -1)
        dmg = y[:, :, -1].reshape(-1)
        lam = 1e-6 * float((a * a).sum()) / max(a.shape[1], 1) + 1e-12
        sol = np.linalg.solve(a.T @ a + lam * np.eye(a.shape[1]), a.T @ dmg)
        coef[harm] = sol.reshape(int(harm.sum()), n_lin)
    sur = Surrogate(
        template_hash=bridge.template.content_hash(),
        threat_types=list(bridge.threat_types),
        pool_names=list(bridge.pool_names),
        other_effectors=list(bridge.other_effectors),
        a_max=data.a_max,
        other_rounds=bridge.other_rounds.astype(np.int64),
        z_mu=mu,
        z_sd=sd,
        beta_destroyed=beta_d,
        beta_lost=beta_l,
        beta_fired=beta_f,
        disp_destroyed=disp_d,
        disp_lost=disp_l,
        disp_fired=disp_f,
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
    ``raids`` (N, T): threats per attacker type on each night the surrogate must cover."""
    spec = spec or DesignSpec()
    comps = design_compositions(np.asarray(raids, np.int64), spec.compositions)
    key = _design_key(template, threat_types, comps, spec)
    if key in _MEMORY:
        _MEMORY[key].info["cached"] = True
        return _MEMORY[key]
    path = cache_dir() / f"{key}.npz"
    if cache and path.exists():
        try:
            s = Surrogate.load(path)
            s.info["cached"] = True
            _MEMORY[key] = s
            return s
        except (OSError, ValueError, KeyError, TypeError):
            pass  # a stale or broken cache file: refit
    started = time.perf_counter()
    bridge = RaidBridge(template, threat_types)
    data = collect_design(bridge, comps, spec, workers=workers, progress=progress)
    runs_s = time.perf_counter() - started
    with threadpool_limits(limits=1, user_api="blas"):  # small matrices: threads only cost
        sur, choice = fit_from_design(bridge, data, spec.folds)
    sur.info = {
        "key": key,
        "design_points": int(data.y.shape[0]),
        "raid_runs": int(data.y.shape[0] * data.y.shape[1] + data.pilot_runs),
        "raid_runs_s": round(runs_s, 3),
        "fit_s": round(time.perf_counter() - started, 3),
        "a_max": data.a_max.tolist(),
        "models": choice,
        "cached": False,
        **_in_sample_error(sur, data, bridge.harmful),
    }
    _MEMORY[key] = sur
    if cache:
        try:
            sur.save(path)
        except OSError:
            pass  # a read-only cache is not an error
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
