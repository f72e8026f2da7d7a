"""Seeding, worker-count invariance, result frames and golden seeded output."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import airshield
from airshield.raid.montecarlo import simulate
from airshield.testing import assert_results_equal

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
GOLDEN = Path(__file__).resolve().parent / "golden"


@pytest.fixture(scope="module")
def one_battery() -> airshield.Scenario:
    return airshield.load_scenario(EXAMPLES / "one-battery.yaml")


def test_same_seed_same_result(one_battery) -> None:  # type: ignore[no-untyped-def]
    assert_results_equal(
        one_battery.simulate(reps=30, seed=5), one_battery.simulate(reps=30, seed=5)
    )


def test_different_seed_different_result(one_battery) -> None:  # type: ignore[no-untyped-def]
    a, b = one_battery.simulate(reps=30, seed=5), one_battery.simulate(reps=30, seed=6)
    assert not np.array_equal(a.outcomes, b.outcomes)


def test_worker_count_does_not_change_result(one_battery) -> None:  # type: ignore[no-untyped-def]
    serial = one_battery.simulate(reps=40, seed=9, workers=1)
    parallel = one_battery.simulate(reps=40, seed=9, workers=2)
    assert_results_equal(serial, parallel)


def test_prefix_property(one_battery) -> None:  # type: ignore[no-untyped-def]
    """Replication i depends only on (seed, i): the first 10 of 30 equal a 10-rep run."""
    a, b = one_battery.simulate(reps=10, seed=4), one_battery.simulate(reps=30, seed=4)
    assert np.array_equal(a.outcomes, b.outcomes[:10])


def test_interrupted_run_keeps_finished_replications(one_battery) -> None:  # type: ignore[no-untyped-def]
    calls = []

    def progress(done: int, total: int) -> None:
        calls.append(done)
        if done == 7:
            raise KeyboardInterrupt

    r = simulate(one_battery, reps=20, seed=1, progress=progress)
    assert r.interrupted and r.reps == 7 and r.reps_requested == 20
    full = one_battery.simulate(reps=7, seed=1)
    assert np.array_equal(r.outcomes, full.outcomes)


def test_frames_and_summary(one_battery) -> None:  # type: ignore[no-untyped-def]
    r = one_battery.simulate(reps=12, seed=2)
    df = r.to_frame()
    assert list(df.columns[:7]) == [
        "rep",
        "threat_type",
        "kind",
        "launched",
        "destroyed",
        "lost",
        "leaked",
    ]
    assert len(df) == 12 * len(r.threat_types)
    assert (df.launched == df.destroyed + df.lost + df.leaked).all()
    s = r.summary()
    json.dumps(s)  # JSON-ready
    tot = s["totals"]
    assert tot["launched"]["mean"] == 52
    assert tot["leaked"]["p5"] <= tot["leaked"]["mean"] <= tot["leaked"]["p95"]
    eff = r.effector_frame()
    assert np.isclose(eff.cost_usd.sum(), r.cost_usd.sum())


def test_golden_seeded_summary(one_battery) -> None:  # type: ignore[no-untyped-def]
    """Catches silent changes to RNG streams or engagement rules. Regenerate deliberately with
    ``python tests/raid/make_golden.py`` and explain the change in the commit."""
    r = one_battery.simulate(reps=25, seed=42)
    got = {
        "outcomes_sum": r.outcomes.sum(axis=0).tolist(),
        "shots_sum": r.shots.sum(axis=0).tolist(),
        "hits_sum": r.hits.sum(axis=0).tolist(),
    }
    want = json.loads((GOLDEN / "one_battery_seed42.json").read_text())
    assert got == want
