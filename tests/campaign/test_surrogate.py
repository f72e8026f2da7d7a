"""Fast mode: the GLM pieces, the cache, and the stated error bound against detailed mode."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import expit

from airshield.campaign import DesignSpec, Surrogate, attacker_plan, fit_surrogate, run_campaign
from airshield.campaign.surrogate import (
    _count,
    cache_dir,
    design_compositions,
    fit_binomial_glm,
    select_glm,
)
from airshield.examples import examples_dir

# The error bound of fast mode against detailed mode, stated in docs/campaign.md: campaign totals
# (harmful leakers, threats destroyed, rounds fired per pool) within this relative error, beyond
# the Monte Carlo error of the detailed run (3 standard errors).
ERROR_BOUND = 0.06


def test_glm_recovers_coefficients():
    rng = np.random.default_rng(0)
    x = np.column_stack([np.ones(400), rng.normal(size=(400, 2))])
    beta = np.array([-0.5, 1.2, -0.7])
    n = rng.integers(20, 60, 400).astype(float)
    s = rng.binomial(n.astype(int), expit(x @ beta)).astype(float)
    got = fit_binomial_glm(x, s, n, ridge=0.0)
    assert np.allclose(got, beta, atol=0.1)


def test_select_glm_prefers_constant_for_flat_data():
    rng = np.random.default_rng(1)
    z = rng.normal(size=(120, 3))
    x = np.column_stack([np.ones(120), z, z[:, :1] * z[:, 1:2]])
    n = np.full(120, 30.0)
    s = rng.binomial(30, 0.3, 120).astype(float)
    _, label = select_glm(x, s, n, n_linear=4)
    assert label in ("const", "linear")
    beta, label = select_glm(x, np.zeros(120), n, n_linear=4)
    assert label == "const" and expit(beta[0]) < 1e-3


def test_count_draws_are_bounded_and_unbiased():
    rng = np.random.default_rng(2)
    n = np.full((20000, 1), 50)
    p = np.full((20000, 1), 0.3)
    c = _count(n, p, np.array([1.0]), rng.standard_normal((20000, 1)), rng.random((20000, 1)))
    assert c.min() >= 0 and c.max() <= 50
    assert abs(c.mean() - 15) < 0.1
    assert abs(c.var() / (50 * 0.3 * 0.7) - 1) < 0.1
    # monotone in the normal deviate: common random numbers couple variants
    z = np.linspace(-3, 3, 50)[:, None]
    u = np.full((50, 1), 0.5)
    c2 = _count(np.full((50, 1), 50), np.full((50, 1), 0.3), np.array([1.0]), z, u)
    assert (np.diff(c2[:, 0]) >= 0).all()


def test_design_covers_largest_and_each_type(small):
    plan = attacker_plan(small)
    comps = design_compositions(plan.launched, 5)
    assert comps.shape[1] == 3
    assert (comps.sum(axis=1) > 0).all()
    assert np.array_equal(comps[-1], plan.launched[np.argmax(plan.launched.sum(axis=1))]) or (
        comps.sum(axis=1).max() == plan.launched.sum(axis=1).max()
    )
    for t in range(3):
        assert comps[:, t].max() == plan.launched[:, t].max()


def test_cache_roundtrip(small):
    plan = attacker_plan(small)
    spec = DesignSpec(compositions=4, stock_levels=3, reps=2, seed=1)
    sur = fit_surrogate(small.template, plan.threat_types, plan.launched, spec)
    assert not sur.info["cached"]
    path = cache_dir() / f"{sur.info['key']}.npz"
    assert path.exists()
    back = Surrogate.load(path)
    for name in ("a_max", "engage", "dispersion", "damage_coef", "z_mu"):
        assert np.array_equal(getattr(back, name), getattr(sur, name))
    for a, b in zip(back.betas + back.cols, sur.betas + sur.cols, strict=True):
        assert np.array_equal(a, b)
    assert back.pool_names == sur.pool_names and back.threat_types == sur.threat_types
    again = fit_surrogate(small.template, plan.threat_types, plan.launched, spec)
    assert again.info["cached"]


def test_cache_false_fits_afresh_and_leaves_the_caches_alone(small):
    """``cache=False`` never returns the copy held in memory (nor on disk), and writes neither."""
    from airshield.campaign.surrogate import clear_memory, design_compositions, design_key

    plan = attacker_plan(small)
    spec = DesignSpec(compositions=3, stock_levels=2, reps=2, seed=7)
    held = fit_surrogate(small.template, plan.threat_types, plan.launched, spec)
    fresh = fit_surrogate(small.template, plan.threat_types, plan.launched, spec, cache=False)
    assert fresh is not held
    assert fresh.info["cached"] is False
    # a fresh fit of the same design is the same model (seeded), not a different one
    for a, b in zip(fresh.betas, held.betas, strict=True):
        assert np.array_equal(a, b)
    # nothing was written: a new design key with cache=False leaves no file and no memory entry
    other = DesignSpec(compositions=3, stock_levels=2, reps=2, seed=8)
    key = design_key(
        small.template, plan.threat_types, design_compositions(plan.launched, 3), other
    )
    lone = fit_surrogate(small.template, plan.threat_types, plan.launched, other, cache=False)
    assert lone.info["key"] == key and not (cache_dir() / f"{key}.npz").exists()
    clear_memory()
    again = fit_surrogate(small.template, plan.threat_types, plan.launched, other)
    assert again is not lone and again.info["cached"] is False
    assert held.info["design_seed"] == 7 and again.info["design_seed"] == 8


def _totals(r) -> dict[str, np.ndarray]:  # type: ignore[no-untyped-def]
    out = {
        "leaked_harmful": r.leaked_harmful().sum(axis=1).astype(float),
        "destroyed": r.destroyed.sum(axis=(1, 2)).astype(float),
    }
    for k, p in enumerate(r.pool_names):
        out[f"fired:{p}"] = r.fired[:, :, k].sum(axis=1).astype(float)
    return out


def assert_within_bound(fast, detailed, bound: float) -> dict[str, float]:  # type: ignore[no-untyped-def]
    errs = {}
    f, d = _totals(fast), _totals(detailed)
    for key in f:
        mc = 3 * d[key].std(ddof=1) / np.sqrt(d[key].size)
        err = abs(f[key].mean() - d[key].mean())
        errs[key] = err / max(d[key].mean(), 1e-9)
        assert err <= bound * d[key].mean() + mc, (key, f[key].mean(), d[key].mean(), mc)
    return errs


def test_fast_mode_error_bound_small(small):
    fast = run_campaign(small, "fast", reps=400, seed=3)
    detailed = run_campaign(small, "detailed", reps=40, seed=3)
    assert_within_bound(fast, detailed, ERROR_BOUND)
    # depletion: the mean night a pool empties (never = the night after the horizon) agrees
    # within two nights
    n = small.n_nights
    for k in range(len(small.defender.pools)):
        f = np.where((dn := fast.depletion_nights())[:, k] >= 0, dn[:, k], n).mean()
        d = np.where((dd := detailed.depletion_nights())[:, k] >= 0, dd[:, k], n).mean()
        assert abs(f - d) <= 2, (k, f, d)


@pytest.mark.slow
def test_fast_mode_error_bound_summer():
    from airshield.campaign import load_campaign

    c = load_campaign(examples_dir() / "campaign-summer-2025.yaml")
    fast = run_campaign(c, "fast", reps=400, seed=4)
    detailed = run_campaign(c, "detailed", reps=12, seed=4)
    assert_within_bound(fast, detailed, ERROR_BOUND)


def test_design_is_the_same_on_any_number_of_workers(small):
    """The design's runs are seeded per point from ``SeedSequence(spec.seed)``: two worker
    processes fit the very same surrogate as one."""
    plan = attacker_plan(small)
    spec = DesignSpec(compositions=3, stock_levels=2, reps=2, seed=11)
    one = fit_surrogate(small.template, plan.threat_types, plan.launched, spec, cache=False)
    two = fit_surrogate(
        small.template, plan.threat_types, plan.launched, spec, cache=False, workers=2
    )
    assert np.array_equal(one.a_max, two.a_max)
    assert np.array_equal(one.dispersion, two.dispersion)
    for a, b in zip(one.betas, two.betas, strict=True):
        assert np.array_equal(a, b)


def test_run_records_the_design_seed(small):
    """A fast-mode result says which design seed its surrogate was fitted with."""
    spec = DesignSpec(compositions=3, stock_levels=2, reps=2, seed=5)
    r = run_campaign(small, "fast", reps=3, seed=1, design=spec)
    assert r.info["surrogate"]["design_seed"] == 5
    assert r.summary()["info"]["surrogate"]["design_seed"] == 5
