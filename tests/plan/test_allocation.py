"""Regional allocation: hull, LP against brute force, splits that add up, an end-to-end run."""

from __future__ import annotations

import itertools
import shutil

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from airshield.campaign import DesignSpec, attacker_plan, load_campaign
from airshield.errors import ScenarioError
from airshield.examples import examples_dir
from airshield.plan import allocate_regions, load_allocation
from airshield.plan.allocation import (
    Cut,
    convex_envelope_cuts,
    lower_convex_hull,
    regional_campaign,
    regional_plans,
    scale_pool,
    solve_lp,
)

EX = examples_dir()


@given(st.lists(st.floats(0, 1000, allow_nan=False), min_size=2, max_size=12))
def test_lower_convex_hull(ys):
    x = np.linspace(0, 1, len(ys))
    y = np.array(ys)
    hx, hy = lower_convex_hull(x, y)
    assert hx[0] == 0 and hx[-1] == 1
    h = np.interp(x, hx, hy)
    assert (h <= y + 1e-9).all()
    slopes = np.diff(hy) / np.diff(hx)
    assert (np.diff(slopes) >= -1e-7).all()  # convex


def test_lp_matches_brute_force():
    """Three regions, one pool each with a convex curve: the LP optimum equals a grid search."""
    grid = np.linspace(0, 1, 5)
    rng = np.random.default_rng(4)
    curves = []
    cuts = []
    for r in range(3):
        y = 100 * (r + 1) * np.exp(-(2 + r) * grid) + rng.uniform(0, 1)
        curves.append(lower_convex_hull(grid, y))
        for a, b in convex_envelope_cuts(grid[:, None], y):
            cuts.append(Cut(r, 0, a, {0: float(b[0])}))
    f, obj = solve_lp(cuts, 3, [0], [1, 1, 1], np.zeros((3, 1)), np.ones((3, 1)))
    assert f.sum() == pytest.approx(1.0)
    steps = np.linspace(0, 1, 201)
    best = min(
        sum(np.interp(fr, *curves[r]) for r, fr in enumerate((a, b, 1 - a - b)))
        for a in steps for b in steps if a + b <= 1 + 1e-12
    )  # fmt: skip
    assert best - 1.0 <= obj <= best + 1e-6


def test_envelope_2d_is_below_and_tight_at_vertices():
    grid = np.linspace(0, 1, 4)
    pts = np.array(list(itertools.product(grid, grid)))
    y = 50 * np.exp(-2 * pts[:, 0]) + 30 * np.exp(-3 * pts[:, 1]) + 5 * pts[:, 0] * pts[:, 1]
    cuts = convex_envelope_cuts(pts, y)
    env = np.array([max(a + b @ p for a, b in cuts) for p in pts])
    assert (env <= y + 1e-6).all()
    assert np.isclose(env, y, atol=1e-6).sum() >= 4  # the corners at least


def test_splits_add_up():
    c = load_campaign(EX / "campaign-summer-2025.yaml")
    plan = attacker_plan(c)
    parts = regional_plans(plan, [0.5, 0.3, 0.2])
    assert np.array_equal(sum(p.launched for p in parts), plan.launched)
    pool = c.pool("anti-drone-missiles")
    halves = [scale_pool(pool, f) for f in (0.5, 0.5)]
    assert sum(h.stock for h in halves) == pool.stock
    rc = regional_campaign(c, c.template, {p.name: 0.25 for p in c.defender.pools}, "quarter")
    assert rc.pool("sam-rounds").stock == round(0.25 * c.pool("sam-rounds").stock)


def test_load_errors(tmp_path):
    for f in EX.glob("campaign-*.yaml"):
        shutil.copy(f, tmp_path / f.name)
    text = (EX / "campaign-regions.yaml").read_text()
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace("share: 0.2", "share: 0.3"))
    with pytest.raises(ScenarioError, match="shares must sum to 1"):
        load_allocation(bad)
    bad.write_text(text.replace("split: [anti-drone-missiles,", "split: [anti-drone-missile,"))
    with pytest.raises(ScenarioError, match=r"split\[0\]: unknown pool 'anti-drone-missile'"):
        load_allocation(bad)


def test_allocation_end_to_end(tmp_path):
    """Two regions with the same laydown and raid share; a leaker in the first weighs three
    times one in the second: the LP gives the first more, and the check confirms it is better."""
    for f in EX.glob("campaign-small*.yaml"):
        shutil.copy(f, tmp_path / f.name)
    (tmp_path / "alloc.yaml").write_text(
        "name: two-regions\ncampaign: campaign-small.yaml\nsplit: [rockets]\nlevels: 4\n"
        "regions:\n"
        "  - {name: heavy, raid: campaign-small-night.yaml, share: 0.5, weight: 3.0}\n"
        "  - {name: light, raid: campaign-small-night.yaml, share: 0.5, weight: 1.0}\n"
    )
    loaded = load_allocation(tmp_path / "alloc.yaml")
    res = allocate_regions(loaded, reps=60, seed=2, design=DesignSpec(16, 6, 3))
    k = res.pools.index("rockets")
    assert res.optimised[:, k].sum() == pytest.approx(1.0)
    assert res.optimised[0, k] >= 0.5
    s = res.pools.index("sam-rounds")
    assert np.allclose(res.optimised[:, s], [0.5, 0.5])  # not split: stays proportional
    d = res.difference()
    assert d["mean"] <= 0.0 or d["lo"] <= 0.0 <= d["hi"]
    summary = res.summary()
    assert summary["evaluation"]["difference"]["level"] == 0.95
    assert set(res.curves.columns) >= {"region", "rockets", "weighted_leakers"}
    assert res.info["step_taken"] in (0.0, 0.25, 0.5, 0.75, 1.0)


def test_allocation_lp_leaves_the_exact_wta_solver_working():
    """HiGHS' thread scheduler is one per process: the allocation LP must construct HiGHS with
    the package's one thread setting, or a later exact WTA solve in the same process gets no LP
    solution (regression: its column-generation LP value came back 0)."""
    import subprocess
    import sys

    code = (
        "import numpy as np\n"
        "from airshield.plan.allocation import Cut, solve_lp\n"
        "from airshield.assign import WTAProblem\n"
        "from airshield.assign.colgen import column_generation\n"
        "f, obj = solve_lp([Cut(0, 0, 1.0, {0: -1.0}), Cut(1, 0, 2.0, {0: -2.0})], 2, [0],\n"
        "                  [1, 1], np.zeros((2, 1)), np.ones((2, 1)))\n"
        "p = WTAProblem(values=np.array([10.0, 5.0]), pk=np.array([[0.8, 0.5], [0.6, 0.7]]),\n"
        "               rounds=np.array([1, 1]))\n"
        "cg = column_generation(p, float('inf'))\n"
        "assert cg.lp_value > 0 and abs(cg.lp_value - cg.bound) < 1e-6 * cg.lp_value, cg\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-3000:]
