"""The deterministic side: whole-number arrivals, splits, the attacker's plan."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from airshield.campaign import attacker_plan, campaign_from_text
from airshield.campaign.tempo import integer_arrivals, split_largest_remainder


def test_integer_arrivals_closed_form():
    assert integer_arrivals([0.5] * 6).tolist() == [0, 1, 0, 1, 0, 1]
    assert integer_arrivals([21.0] * 3).tolist() == [21, 21, 21]
    assert integer_arrivals([0.0, 2.5, 2.5]).tolist() == [0, 2, 3]


@given(st.lists(st.floats(min_value=0, max_value=1e4, allow_nan=False), min_size=1, max_size=60))
def test_integer_arrivals_never_drift(rates):
    a = integer_arrivals(rates)
    assert (a >= 0).all()
    assert int(a.sum()) == int(np.floor(np.sum(rates) + 1e-9))


@given(
    st.integers(min_value=0, max_value=10_000),
    st.lists(st.floats(min_value=0, max_value=100, allow_nan=False), min_size=1, max_size=12),
)
def test_split_largest_remainder(total, weights):
    out = split_largest_remainder(total, np.array(weights))
    assert int(out.sum()) == total
    assert (out >= 0).all()
    w = np.array(weights)
    if w.sum() > 0:
        assert np.all(np.abs(out - total * w / w.sum()) < 1.0 + 1e-9)


def _with(small_yaml: str, tempo: str, path: str) -> object:
    text = small_yaml.replace(
        "  tempo: {kind: accumulate, every_nights: 4, between_fraction: 0.4}", tempo
    )
    return campaign_from_text(text, path)


def test_attacker_stock_balances(small):
    p = attacker_plan(small)
    stock0 = np.array([t.stock for t in small.attacker.threats])
    prev = np.vstack([stock0, p.stock_end[:-1]])
    assert np.array_equal(p.stock_end, prev + p.produced - p.launched)
    assert (p.stock_end >= 0).all() and (p.launched >= 0).all()
    # site capacity: 3 sites x 15 until 15 June, then 5 x 15; kalibr is on its own launchers
    sites = p.launched[:, :2].sum(axis=1)
    assert (sites[:14] <= 45).all() and (sites[14:] <= 75).all()
    assert (p.launched[:, 2] <= 4).all()
    assert p.capacity[13] == 45 and p.capacity[14] == 75


def test_accumulate_big_raids_on_schedule(small):
    p = attacker_plan(small)
    assert p.raid_night.tolist() == [i % 4 == 0 for i in range(28)]
    sizes = p.launched.sum(axis=1)
    assert all(sizes[i] > sizes[i + 1] for i in range(0, 24, 4))


def test_nightly_launches_everything(small_yaml, small_path):
    c = _with(small_yaml, "  tempo: {kind: nightly}", str(small_path))
    c = c.model_copy(update={"attacker": c.attacker.model_copy(update={"launch_sites": None})})
    c = c.with_template(small_template(small_path))
    p = attacker_plan(c)
    assert (p.stock_end[:, :2] == 0).all()  # no launch limit for site threats
    assert np.array_equal(p.launched[0, :2], np.array([60 + 21, 20 + 8]))


def small_template(small_path):
    from airshield.scenario import load_scenario

    return load_scenario(small_path.parent / "campaign-small-night.yaml")


def test_schedule_counts_capped_by_stock(small_yaml, small_path):
    tempo = (
        "  tempo:\n    kind: schedule\n    raids:\n"
        "      - {date: 2025-06-02, threats: {shahed-136: 1000, kalibr: 2}}\n"
        "      - {date: 2025-06-05, fraction: 0.5}\n"
    )
    c = _with(small_yaml, tempo, str(small_path))
    p = attacker_plan(c)
    assert p.launched[0].sum() == 0
    # night 2: shahed stock 60 + 2 days of production, capped by 45 site launches
    assert p.launched[1, 0] == 45 and p.launched[1, 2] == 2
    assert p.raid_night.tolist()[:6] == [False, True, False, False, True, False]
    assert p.launched[2:4].sum() == 0
