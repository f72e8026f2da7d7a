"""Sub-problem pricing, column enumeration and Lagrangian bounds against brute force."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np
import pytest

from airshield.assign import WTAProblem
from airshield.assign.colgen import column_generation, lagrangian_bound
from airshield.kernels.wta import enumerate_target_patterns, price_targets


def _sub_values(p: WTAProblem, j: int, w: np.ndarray, f: np.ndarray) -> list[float]:
    """Value of every pattern of target j (brute force)."""
    cap = p.target_cap()
    out = []
    ranges = [
        range(int(p.rounds[i]) + 1) if p.allowed[i, j] else range(1) for i in range(p.n_weapons)
    ]
    for x in itertools.product(*ranges):
        xa = np.array(x)
        if xa.sum() > cap:
            continue
        surv = float(np.prod((1.0 - p.pk[:, j]) ** xa))
        out.append(p.values[j] * surv + float(w @ xa) + float(f @ (xa > 0)))
    return out


@pytest.mark.parametrize("max_cand", [1, 2, 3, 64])
@pytest.mark.parametrize("seed", range(30))
def test_pricing_is_exact(
    seed: int, max_cand: int, tiny_problem: Callable[[int, bool], WTAProblem]
) -> None:
    """Brute force, whatever the number of weapons searched first (``max_cand`` 1-3 leaves
    most weapons of these instances out of the first search, 64 none)."""
    rng = np.random.default_rng(100 + seed)
    p = tiny_problem(seed, seed % 2 == 1)
    w = p.cost_vector() + rng.uniform(0, 10, p.n_weapons) * (rng.random(p.n_weapons) < 0.7)
    f = rng.uniform(0, 3, p.n_weapons) * (rng.random(p.n_weapons) < 0.5)
    hmin, lower, items, counts, lens, proven = price_targets(
        p.values, *p.target_major, p.rounds, w, f, p.target_cap(), 1_000_000, p.n_weapons + 1,
        max_cand,
    )  # fmt: skip
    assert proven.all()
    for j in range(p.n_targets):
        vals = _sub_values(p, j, w, f)
        assert hmin[j] == pytest.approx(min(vals), rel=1e-12, abs=1e-12)
        assert lower[j] == hmin[j]
        # the reported best pattern has the reported value
        xa = np.zeros(p.n_weapons, dtype=np.int64)
        xa[items[j, : lens[j]]] = counts[j, : lens[j]]
        val = p.values[j] * np.prod((1.0 - p.pk[:, j]) ** xa) + w @ xa + f @ (xa > 0)
        assert val == pytest.approx(hmin[j], rel=1e-12, abs=1e-12)
        # enumeration lists every pattern within delta of the minimum
        delta = float(rng.uniform(0, 5))
        _, _, _, e_vals, ok = enumerate_target_patterns(
            j, p.values, *p.target_major, p.rounds, w, f, p.target_cap(),
            hmin[j] + delta, delta + 1e-12, 1_000_000, 10_000, 32, max_cand,
        )  # fmt: skip
        assert ok
        expected = sorted(v for v in vals if v <= hmin[j] + delta - 1e-12)
        got = sorted(e_vals.tolist())
        assert len(got) >= len(expected)
        assert len(got) <= len([v for v in vals if v <= hmin[j] + delta + 1e-12])
        np.testing.assert_allclose(got[: len(expected)], expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("seed", range(30))
def test_lagrangian_bound_is_valid_for_any_multipliers(
    seed: int,
    tiny_problem: Callable[[int, bool], WTAProblem],
    enumerate_optimum: Callable[[WTAProblem], tuple[float, np.ndarray]],
) -> None:
    rng = np.random.default_rng(seed)
    p = tiny_problem(seed, seed % 2 == 0)
    opt, _ = enumerate_optimum(p)
    for _ in range(5):
        lam = rng.exponential(5.0, p.n_weapons)
        nu = rng.exponential(2.0, p.n_weapons)
        lr = lagrangian_bound(p, lam, nu if p.channels is not None else None)
        assert lr.bound <= opt + 1e-9 * max(1.0, opt)


@pytest.mark.parametrize("seed", range(10))
def test_column_generation_bound_is_valid(
    seed: int,
    tiny_problem: Callable[[int, bool], WTAProblem],
    enumerate_optimum: Callable[[WTAProblem], tuple[float, np.ndarray]],
) -> None:
    p = tiny_problem(seed, seed % 2 == 0)
    opt, _ = enumerate_optimum(p)
    cg = column_generation(p, float("inf"))
    assert cg.bound <= opt + 1e-9 * max(1.0, opt)
    assert cg.bound <= cg.lp_value + 1e-9 * max(1.0, abs(cg.lp_value))


@pytest.mark.parametrize("seed", range(40))
def test_pricing_over_the_cheapest_weapons_first_equals_brute_force(seed: int) -> None:
    """Seven weapons, so a first search over 1, 2 or 4 of them leaves most out: the pricing
    must notice every target where a left-out weapon could be in a better pattern (also with
    free rounds, price 0, a per-target cap and channel prices) and search again."""
    rng = np.random.default_rng(900 + seed)
    n_w, n_t = 7, 3
    p = WTAProblem(
        values=rng.uniform(1, 100, n_t),
        pk=rng.uniform(0.05, 0.99, (n_w, n_t)) * (rng.random((n_w, n_t)) < 0.9),
        rounds=rng.integers(1, 3, n_w),
        max_rounds_per_target=int(rng.integers(2, 6)) if seed % 3 == 0 else None,
    )
    scale = float(rng.choice([0.01, 1.0, 10.0]))
    w = rng.uniform(0, scale, n_w) * (rng.random(n_w) < 0.8)
    f = rng.uniform(0, 1, n_w) * (rng.random(n_w) < 0.3)
    full = price_targets(
        p.values, *p.target_major, p.rounds, w, f, p.target_cap(), 1_000_000, n_w + 1, n_w
    )
    for j in range(n_t):
        assert full[0][j] == pytest.approx(min(_sub_values(p, j, w, f)), rel=1e-12, abs=1e-12)
    for k in (1, 2, 4):
        part = price_targets(
            p.values, *p.target_major, p.rounds, w, f, p.target_cap(), 1_000_000, n_w + 1, k
        )
        np.testing.assert_allclose(part[0], full[0], rtol=1e-12, atol=1e-12)
        assert part[5].all()
        for j in range(n_t):
            delta = float(rng.uniform(0, 20))
            args = (
                j, p.values, *p.target_major, p.rounds, w, f, p.target_cap(),
                full[0][j] + delta, delta + 1e-12, 1_000_000, 10_000, 32,
            )  # fmt: skip
            got = sorted(enumerate_target_patterns(*args, k)[3].tolist())
            want = sorted(enumerate_target_patterns(*args, n_w)[3].tolist())
            np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
