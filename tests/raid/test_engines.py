"""The numba kernel and the readable reference engine give identical nights."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import airshield
from airshield.raid import compile_scenario, draw_night
from airshield.raid.engines import run_kernel
from airshield.raid.reference import run_reference
from airshield.testing import (
    assert_conservation,
    assert_results_equal,
    make_effector,
    scenario,
    single_unit_data,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.mark.parametrize(
    ("name", "seeds"),
    [("one-battery", range(10)), ("ukraine-2025-06-01", range(2)), ("kyiv-2025-07-04", range(2))],
)
def test_reference_equals_kernel_on_examples(name: str, seeds: range) -> None:
    c = compile_scenario(airshield.load_scenario(EXAMPLES / f"{name}.yaml"))
    for seed in seeds:
        night = draw_night(c, np.random.default_rng(seed))
        a, b = run_kernel(c, night), run_reference(c, night)
        assert a.equals(b), f"{name} seed {seed}"
        assert (np.bincount(a.fate, minlength=3) > 0).sum() >= 2  # a real fight happened


def test_reference_engine_through_simulate() -> None:
    sc = airshield.load_scenario(EXAMPLES / "one-battery.yaml")
    assert_results_equal(
        sc.simulate(reps=6, seed=11), sc.simulate(reps=6, seed=11, engine="reference")
    )


effectors = st.builds(
    make_effector,
    name=st.just("e"),
    kind=st.sampled_from(["missile", "gun", "interceptor_drone", "ew"]),
    pk=st.floats(0.05, 1.0),
    range_km=st.floats(2.0, 80.0),
    channels=st.integers(1, 4),
    ready_rounds=st.integers(0, 12),
    engagement_time_s=st.floats(0.0, 120.0),
    interceptor_speed_kmh=st.floats(150.0, 6000.0),
    reload_s=st.floats(0.0, 900.0),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    eff=effectors,
    threat=st.sampled_from(["shahed-136", "gerbera", "geran-3", "kh-101", "iskander-m"]),
    count=st.integers(1, 25),
    policy=st.sampled_from(["shoot-look-shoot", "salvo"]),
    salvo=st.integers(1, 3),
    max_shots=st.integers(1, 4),
    pool_stock=st.integers(0, 10),
    jitter=st.floats(0.0, 30.0),
    window=st.floats(0.0, 3600.0),
    seed=st.integers(0, 2**32 - 1),
)
def test_reference_equals_kernel_random(
    eff: dict, threat: str, count: int, policy: str, salvo: int, max_shots: int,
    pool_stock: int, jitter: float, window: float, seed: int,
) -> None:  # fmt: skip
    pools = [] if eff["kind"] == "ew" else [{"name": "p", "effector": "e", "stock": pool_stock}]
    unit = {} if eff["kind"] == "ew" else {"pool": "p"}
    data = single_unit_data(
        count=count, threat=threat, effector=eff, unit=unit, pools=pools, jitter_km=jitter,
        launch_window_s=(0.0, window),
        doctrine={"policy": policy, "salvo_size": salvo, "max_shots_per_threat": max(max_shots, salvo)},
    )  # fmt: skip
    # a second unit of another kind, offset, so that units compete for threats
    data["fire_units"].append(
        {
            "kind": "ring",
            "name": "g",
            "effector": "mobile-gun",
            "around": "a",
            "count": 3,
            "radius_km": 2.0,
        }
    )
    c = compile_scenario(scenario(data))
    night = draw_night(c, np.random.default_rng(seed))
    a, b = run_kernel(c, night), run_reference(c, night)
    assert a.equals(b)
    assert (a.fired >= 0).all() and (a.ready_end >= 0).all() and (a.stock_end >= 0).all()


def test_conservation_on_examples() -> None:
    for name in ("one-battery", "ukraine-2025-06-01"):
        r = airshield.load_scenario(EXAMPLES / f"{name}.yaml").simulate(reps=20, seed=3)
        assert_conservation(r)
        # rounds drawn from pools never exceed what the pools held
        sc = airshield.load_scenario(EXAMPLES / f"{name}.yaml")
        stock = np.array([p.stock for p in sc.pools])
        assert (r.pool_drawn <= stock).all() and (r.pool_drawn >= 0).all()
