"""Fast mode: a surrogate of the raid engine fitted to raid-engine runs of the raid template.

What it predicts for one night, given the threats launched per type ``n_t`` and the rounds
available per pool ``A_p``:

* per threat type, the share destroyed and the share of the rest made lost (EW);
  leaked = launched - destroyed - lost;
* per pool (and per effector type of the units without a pool), the share of the usable rounds
  fired; usable rounds are ``min(A_p, A_max_p)``, where ``A_max_p`` is the pool's magazines
  plus what its units reloaded from the depot in the largest raid of the design with unlimited
  stock, with a 30 % margin (more stock changes nothing); a resource fires nothing on a night
  without any threat type it could engage (:meth:`RaidBridge.engage_mask`);
* damage in USD per harmful leaker by threat type, linear in the (linear) features, so that
  where the leakers go as pools run low is followed (ridge least squares).

Each share is a binomial GLM (logit link) on a quadratic in standardised features:
``log1p(n_t)``, ``log1p(sum n)``, the share ``u_p = min(A_p, A_max_p) / A_max_p`` and its
square root (and, for a resource's rounds, only the counts of the types it can engage and their
total), fitted by penalised iteratively reweighted least squares. Counts are drawn around the predicted mean with the
variance the design runs showed (a dispersion factor times the binomial variance; the raid
engine is often *less* variable than binomial because magazines cap what can be killed), by a
normal draw rounded stochastically and clipped to the feasible range. The draws are monotone in
their normal deviates, so two variants run with common random numbers stay coupled.

The design: compositions taken from the campaign's own raid nights (evenly over raid size), each
at a few pool-stock levels (always one at full stock), a few replications each, from one
``SeedSequence``; the structure of each GLM (constant, linear, or quadratic with one of a few
ridges) is chosen by cross-validated deviance. A fit is cached in memory and on disk
(:func:`cache_dir`) under a hash of the raid template, the design, the surrogate version and the
engine code (:func:`airshield.provenance.engine_code_hash`).
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
from airshield.provenance import engine_code_hash
from airshield.scenario import Scenario

SURROGATE_VERSION = "8"
I = NDArray[np.int64]
F = NDArray[np.float64]


# ---- design -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DesignSpec:
    """How many raid-engine runs a fit uses: compositions x (full_levels + one level per pool
    with that pool empty + stock_levels) x reps."""

    compositions: int = 40
    stock_levels: int = 6  # random levels per composition, beyond the full and one-empty ones
    reps: int = 6
    seed: int = 20250604
    folds: int = 4
    full_levels: int = 2  # levels per composition at full stock (where most nights are)

    def runs(self, pools: int) -> int:
        per = self.full_levels + (pools if pools > 1 else 0) + self.stock_levels
        return self.compositions * per * self.reps


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


def _raw_z(counts: F, usable: F, a_max: NDArray[Any], engage: NDArray[np.bool_]) -> F:
    """Raw features: log1p of the threats per type and in all, the share of each pool's usable
    rounds on hand and its square root, and log1p of the threats each resource can engage."""
    counts = np.atleast_2d(counts).astype(np.float64)
    u = np.atleast_2d(usable).astype(np.float64) / np.maximum(a_max, 1)
    per_res = counts @ engage.T.astype(np.float64)
    return np.column_stack(
        [np.log1p(counts), np.log1p(counts.sum(axis=1)), u, np.sqrt(np.clip(u, 0.0, None)),
         np.log1p(per_res)]
    )  # fmt: skip


def feature_sets(t: int, p: int, engage: NDArray[np.bool_]) -> list[list[I]]:
    """Candidate raw-feature columns of each output (destroyed T, lost T, fired P + Q).

    Outcomes of threat type ``k`` see every count and the stock of the pools that can engage
    ``k``. A resource's rounds see the counts of the types it can engage and their total, and
    either only its own stock or also the stock of the pools that compete with it for some type
    (cross-validation chooses). Pools that can never meet a threat type never enter its model,
    so a quadratic cannot invent a dependence between them."""
    counts = list(range(t + 1))

    def pool_cols(mask: NDArray[np.bool_]) -> list[int]:
        idx = [q for q in range(p) if mask[q]]
        return [t + 1 + q for q in idx] + [t + 1 + p + q for q in idx]

    out: list[list[I]] = []
    for k in range(t):
        out.append([np.array([*counts, *pool_cols(engage[:p, k])], np.int64)])
    out = out + out  # destroyed and lost alike
    for r in range(engage.shape[0]):
        own = [k for k in range(t) if engage[r, k]]
        base = [*own, t + 1 + 2 * p + r]
        mine = np.zeros(p, np.bool_)
        if r < p:
            mine[r] = True
        rivals = (engage[:p] & engage[r][None, :]).any(axis=1) | mine
        cands = [np.array([*base, *pool_cols(mine)], np.int64)]
        if rivals.sum() > mine.sum():
            cands.append(np.array([*base, *pool_cols(rivals)], np.int64))
        out.append(cands)
    return out


def _every(t: int, p: int) -> I:
    """Raw columns of the counts, the total and every pool (the damage model's features)."""
    return np.arange(t + 1 + 2 * p, dtype=np.int64)


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
    beta, label, _ = _select(x, s, n, n_linear, folds)
    return beta, label


def _select(x: F, s: F, n: F, n_linear: int, folds: int) -> tuple[F, str, float]:
    k = x.shape[1]
    cands: list[tuple[str, int, float]] = [("const", 1, 0.0), ("linear", n_linear, 1e-3)]
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


# ---- the fitted surrogate ----------------------------------------------------------------------
@dataclass
class Surrogate:
    """A fitted night model of one raid template (see the module docstring).

    Outputs in order: destroyed (T), lost (T), fired (P pools, then Q other effector types).
    Output ``o`` is a logistic model on the quadratic expansion of the standardised raw features
    ``cols[o]``; ``engage[r, t]`` marks the threat types resource ``r`` can ever fire at (its
    rounds fired are exactly 0 on nights without them)."""

    template_hash: str
    threat_types: list[str]
    pool_names: list[str]
    other_effectors: list[str]
    a_max: I  # (P,) usable rounds per pool
    other_rounds: I  # (Q,) magazine rounds of units without a pool
    engage: NDArray[np.bool_]  # (P + Q, T)
    z_mu: F
    z_sd: F
    cols: list[I]  # per output: raw feature columns
    betas: list[F]  # per output: coefficients over the quadratic expansion of cols
    dispersion: F  # (2T + P + Q,)
    damage_coef: F  # (T, 1 + T + 1 + 2P) damage per leaker = max(0, [1, z_every] @ coef)
    pool_cost_usd: F
    other_cost_usd: F
    info: dict[str, Any] = field(default_factory=dict)

    # ---- prediction ---------------------------------------------------------------------
    def _design(self, counts: I, available: I) -> tuple[list[F], F, F]:
        usable = np.minimum(np.atleast_2d(available).astype(np.float64), self.a_max)
        c = np.broadcast_to(
            np.asarray(counts, np.float64)[None, :], (usable.shape[0], len(self.threat_types))
        )
        zs = (_raw_z(c, usable, self.a_max, self.engage) - self.z_mu) / self.z_sd
        cache: dict[bytes, F] = {}
        xs = []
        for cols in self.cols:
            key = cols.tobytes()
            if key not in cache:
                cache[key] = _quadratic(zs[:, cols])
            xs.append(cache[key])
        every = _every(len(self.threat_types), len(self.pool_names))
        xs.append(np.column_stack([np.ones(zs.shape[0]), zs[:, every]]))
        return xs, usable, c

    def probabilities(self, counts: I, available: I) -> dict[str, F]:
        """Predicted shares for each row of ``available`` (R, P) at composition ``counts`` (T,)."""
        t = len(self.threat_types)
        xs, usable, _ = self._design(counts, available)
        probs = np.column_stack([expit(x @ b) for x, b in zip(xs[:-1], self.betas, strict=True)])
        fired = probs[:, 2 * t :]
        # structural zeros: no threat tonight that the resource could engage
        present = np.asarray(counts, np.float64) @ self.engage.T.astype(np.float64) > 0
        fired = np.where(present[None, :], fired, 0.0)
        zs_every = xs[-1]
        lin = zs_every
        return {
            "destroyed": probs[:, :t],
            "lost": probs[:, t : 2 * t],
            "fired": fired,
            "damage_per_leak": np.maximum(lin @ self.damage_coef.T, 0.0),
            "usable": usable,
        }

    def expected(self, counts: I, available: I) -> dict[str, F]:
        """Expected counts per night: destroyed, lost, leaked (R, T); fired (R, P + Q)."""
        pr = self.probabilities(counts, available)
        n = np.asarray(counts, np.float64)[None, :]
        d = n * pr["destroyed"]
        lo = (n - d) * pr["lost"]
        q = len(self.other_rounds)
        trials = np.column_stack(
            [pr["usable"], np.broadcast_to(self.other_rounds, (d.shape[0], q))]
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
            zp, zq = np.zeros((r, p), np.int64), np.zeros((r, q), np.int64)
            return zi, zi.copy(), zi.copy(), zp, zq, np.zeros(r)
        pr = self.probabilities(counts, available)
        disp = self.dispersion
        n = np.broadcast_to(counts, (r, t))
        d = _count(n, pr["destroyed"], disp[:t], z[:, :t], u[:, :t])
        rest = n - d
        lo = _count(rest, pr["lost"], disp[t : 2 * t], z[:, t : 2 * t], u[:, t : 2 * t])
        leaked = rest - lo
        trials = np.column_stack(
            [np.minimum(available, self.a_max), np.broadcast_to(self.other_rounds, (r, q))]
        ).astype(np.int64)
        fired = _count(trials, pr["fired"], disp[2 * t :], z[:, 2 * t :], u[:, 2 * t :])
        damage = (leaked * pr["damage_per_leak"]).sum(axis=1)
        return d, lo, leaked, fired[:, :p], fired[:, p:], damage

    # ---- persistence --------------------------------------------------------------------
    def save(self, path: Path) -> None:
        arrays: dict[str, NDArray[Any]] = {
            k: np.asarray(v) for k, v in self.__dict__.items() if isinstance(v, np.ndarray)
        }
        for name in ("cols", "betas"):
            seq = getattr(self, name)
            arrays[f"{name}_flat"] = np.concatenate(seq) if seq else np.zeros(0)
            arrays[f"{name}_len"] = np.array([len(a) for a in seq], np.int64)
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
        seqs: dict[str, list[NDArray[Any]]] = {}
        for name in ("cols", "betas"):
            flat, lens = arrays.pop(f"{name}_flat"), arrays.pop(f"{name}_len")
            offs = np.concatenate([[0], np.cumsum(lens)])
            seqs[name] = [flat[offs[i] : offs[i + 1]] for i in range(len(lens))]
        return cls(
            **meta,
            **arrays,
            cols=[c.astype(np.int64) for c in seqs["cols"]],
            betas=[b.astype(np.float64) for b in seqs["betas"]],
        )


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
            "engine": engine_code_hash(),
            "template": template.content_hash(),
            "threats": threat_types,
            "comps": hashlib.sha256(np.ascontiguousarray(comps).tobytes()).hexdigest(),
            "shape": list(comps.shape),
            "spec": [
                spec.compositions,
                spec.stock_levels,
                spec.reps,
                spec.seed,
                spec.folds,
                spec.full_levels,
            ],
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
    """Run the raid engine over the design: each composition at ``spec.full_levels`` levels of
    full stock, one level per pool with that pool empty and the others full, and
    ``spec.stock_levels`` random levels (each pool full with probability 0.4, empty with
    probability 0.15, or else drawn from a Latin hypercube skewed to low stock); each level
    ``spec.reps`` times; everything seeded from ``SeedSequence(spec.seed)``."""
    t, p, q = len(bridge.threat_types), len(bridge.pool_names), len(bridge.other_effectors)
    root = np.random.SeedSequence(spec.seed)
    pilot_ss, design_ss, level_ss = root.spawn(3)
    # pilot: the largest raid with unlimited stock sets the usable rounds per pool: the
    # magazines plus what the units reloaded from the depot (with a margin); more changes nothing
    big = comps[-1] if comps.shape[0] else np.zeros(t, np.int64)
    fired_max = np.zeros(p, np.int64)
    reload_max = np.zeros(p, np.int64)
    pilot_children = pilot_ss.spawn(max(4, spec.reps))
    for ch in pilot_children:
        rec = bridge.run(big, np.full(p, 10**9, np.int64), np.random.default_rng(ch))
        fired_max = np.maximum(fired_max, rec.fired_pool)
        if rec.reloaded_pool is not None:
            reload_max = np.maximum(reload_max, rec.reloaded_pool)
    a_max = np.maximum.reduce(
        [
            bridge.magazine_rounds + np.ceil(1.3 * reload_max).astype(np.int64),
            np.ceil(1.3 * fired_max).astype(np.int64),
            np.ones(p, np.int64),
        ]
    ).astype(np.int64)
    lrng = np.random.default_rng(level_ss)
    counts_l: list[I] = []
    avail_l: list[I] = []
    m = spec.stock_levels
    for c in comps:
        lhs = (np.argsort(lrng.random((m, p)), axis=0) + lrng.random((m, p))) / m
        a = np.floor(a_max * lhs**1.5).astype(np.int64)
        # campaigns spend most nights with some pools full and others low or empty: each pool
        # of a level is full with probability 0.4 and empty with probability 0.15
        corner = lrng.random((m, p))
        a = np.where(corner < 0.4, a_max, np.where(corner < 0.55, 0, a))
        # and the states campaigns sit in longest: every pool full, and one pool empty with
        # the others full
        full = np.broadcast_to(a_max, (max(1, spec.full_levels), p))
        one_empty = np.where(np.eye(p, dtype=np.bool_), 0, a_max) if p > 1 else np.zeros((0, p))
        a = np.vstack([full, one_empty, a]).astype(np.int64)
        for row in a:
            counts_l.append(c)
            avail_l.append(row)
    point_ss = design_ss.spawn(len(counts_l))
    items = [
        (c, a, ch.spawn(spec.reps)) for c, a, ch in zip(counts_l, avail_l, point_ss, strict=True)
    ]
    results: list[F] = []
    if workers > 1 and len(items) > 1:
        from airshield.raid.montecarlo import process_context

        size = max(1, len(items) // (workers * 4))
        chunks = [items[i : i + size] for i in range(0, len(items), size)]
        payload = bridge.template.model_dump_json()
        with ProcessPoolExecutor(max_workers=workers, mp_context=process_context()) as pool:
            futs = [pool.submit(_run_points, payload, bridge.threat_types, ck) for ck in chunks]
            for fut in futs:
                results.extend(fut.result())
                if progress:
                    progress(len(results), len(items))
    else:
        for c, a, kids in items:
            results.append(_run_point(bridge, c, a, kids))
            if progress:
                progress(len(results), len(items))
    width = 3 * t + p + q + 1
    return DesignData(
        counts=np.array(counts_l, np.float64).reshape(len(counts_l), t),
        available=np.array(avail_l, np.float64).reshape(len(avail_l), p),
        y=np.stack(results) if results else np.zeros((0, spec.reps, width)),
        a_max=a_max,
        pilot_runs=len(pilot_children),
    )


def fit_from_design(
    bridge: RaidBridge, data: DesignData, folds: int = 4
) -> tuple[Surrogate, dict[str, str]]:
    """Fit every share's GLM (structure chosen by cross-validation) and the dispersions."""
    t, p, q = len(bridge.threat_types), len(bridge.pool_names), len(bridge.other_effectors)
    counts, avail, y = data.counts, data.available, data.y
    d_pts, r = y.shape[0], max(1, y.shape[1])
    engage = bridge.engage_mask()
    cols = feature_sets(t, p, engage)
    zdim = t + 1 + 2 * p + p + q
    if d_pts:
        z = _raw_z(counts, avail, data.a_max, engage)
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
            x = _quadratic(zs[:, cset])
            beta, label, dev = _select(x, succ, n_rep * r, 1 + len(cset), folds)
            if best is None or dev < best[0]:
                tag = "" if len(cols[o]) == 1 else (" own stock" if j == 0 else " with rivals")
                best = (dev, cset, beta, label + tag)
        assert best is not None
        _, cset, beta, choice[name] = best
        chosen.append(cset)
        betas.append(beta)
        x = _quadratic(zs[:, cset])
        disp[o] = _dispersion(samples, n_rep, expit(x @ beta)) if d_pts else 1.0
    # damage per harmful leaker, by threat type, linear in the features of the outcomes
    harm = bridge.harmful
    every = _every(t, p)
    n_lin = 1 + len(every)
    coef = np.zeros((t, n_lin))
    if d_pts and harm.any():
        xl = np.repeat(np.column_stack([np.ones(d_pts), zs[:, every]]), y.shape[1], axis=0)
        lk = y[:, :, 2 * t : 3 * t].reshape(-1, t)[:, harm]
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
