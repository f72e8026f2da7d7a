"""Closed-form and exact checks of the raid engine on one fire unit."""

from __future__ import annotations

import math

import numpy as np
import pytest

from airshield.testing import (
    assert_conservation,
    make_effector,
    scenario,
    single_unit_data,
    two_leg_route,
)


@pytest.mark.parametrize(
    ("k", "policy"),
    [
        (1, "shoot-look-shoot"),
        (2, "shoot-look-shoot"),
        (3, "shoot-look-shoot"),
        (2, "salvo"),
        (3, "salvo"),
    ],
)
def test_kill_fraction_matches_independent_shots(k: int, policy: str) -> None:
    """One unit, no saturation: each threat gets k independent shots, kill fraction 1-(1-p)^k."""
    p = 0.6
    doctrine = {"max_shots_per_threat": k, "policy": policy, "salvo_size": k}
    sc = scenario(
        single_unit_data(
            count=40,
            effector=make_effector(pk=p, channels=8, ready_rounds=1000),
            doctrine=doctrine,
            launch_window_s=(0, 7200),
        )
    )
    r = sc.simulate(reps=50, seed=k)
    assert_conservation(r)
    n = r.outcomes[:, 0, 0].sum()
    killed = r.outcomes[:, 0, 1].sum()
    expected = 1 - (1 - p) ** k
    sd = math.sqrt(expected * (1 - expected) / n)
    assert abs(killed / n - expected) < 4.5 * sd, (killed / n, expected)
    # every threat got exactly min(k, shots until kill) rounds: rounds = sum over threats
    shots = r.shots.sum()
    if policy == "salvo":
        assert shots == k * n
    else:
        # expected rounds per threat = sum_{i<k} (1-p)^i
        er = sum((1 - p) ** i for i in range(k))
        assert abs(shots / n - er) < 0.1 * er


def test_magazine_exhaustion_exact() -> None:
    """5 ready rounds, no pool, Pk = 1: exactly 5 destroyed, 5 rounds fired, the rest leak."""
    sc = scenario(single_unit_data(count=20, effector=make_effector(pk=1.0, ready_rounds=5)))
    r = sc.simulate(reps=5, seed=0)
    assert (r.outcomes[:, 0, 1] == 5).all()
    assert (r.outcomes[:, 0, 3] == 15).all()
    assert (r.shots.sum(axis=1) == 5).all()


def test_pool_reload_exact() -> None:
    """Magazine 5 plus a pool of 7 with quick reloads: exactly 12 rounds, pool empty."""
    eff = make_effector(pk=1.0, ready_rounds=5, reload_s=1.0)
    data = single_unit_data(
        count=30,
        effector=eff,
        launch_window_s=(0, 20000),
        unit={"pool": "p"},
        pools=[{"name": "p", "effector": eff["name"], "stock": 7}],
    )
    r = scenario(data).simulate(reps=3, seed=1)
    assert (r.shots.sum(axis=1) == 12).all()
    assert (r.outcomes[:, 0, 1] == 12).all()
    assert (r.pool_drawn[:, 0] == 7).all()


def test_channel_saturation_exact() -> None:
    """c channels each held longer than the whole raid: exactly c threats engaged."""
    for channels in (1, 3):
        eff = make_effector(pk=1.0, channels=channels, engagement_time_s=1.0e6)
        sc = scenario(single_unit_data(count=10, effector=eff, launch_window_s=(0, 600)))
        r = sc.simulate(reps=3, seed=2)
        # engagements resolve after the night ends: nothing is destroyed, c rounds are fired
        assert (r.shots.sum(axis=1) == channels).all()
        assert (r.outcomes[:, 0, 3] == 10).all()


def test_no_defence_everything_leaks_and_hits() -> None:
    data = single_unit_data(count=12)
    data["fire_units"] = []
    r = scenario(data).simulate(reps=4, seed=3)
    assert (r.outcomes[:, 0, 3] == 12).all()
    assert (r.hits[:, 0] == 12).all()
    # damage: each hit destroys the lethality fraction of what is left
    leth = 0.002
    assert np.allclose(r.damage_usd[:, 0], 1.0e10 * (1 - (1 - leth) ** 12))


def test_cost_threshold_keeps_expensive_rounds_off_cheap_threats() -> None:
    """A $4M round is not spent on a drone whose value at risk is below the threshold."""
    eff = make_effector(pk=0.9, cost_per_shot_usd=4.0e6)
    data = single_unit_data(count=10, effector=eff, doctrine={"cost_threshold": 0.1})
    # value at risk = 1e10 * 0.002 = 2e7; 0.1 * 2e7 = 2e6 < 4e6: never fire
    r = scenario(data).simulate(reps=3, seed=4)
    assert r.shots.sum() == 0
    data["doctrine"]["cost_threshold"] = 0.5  # 1e7 >= 4e6: fire
    r = scenario(data).simulate(reps=3, seed=4)
    assert r.shots.sum() > 0


def test_ballistic_reserve_holds_rounds() -> None:
    eff = make_effector(pk=1.0, ready_rounds=6, channels=1)
    data = single_unit_data(
        count=10, effector=eff, doctrine={"ballistic_reserve": {eff["name"]: 4}}
    )
    r = scenario(data).simulate(reps=2, seed=5)
    assert (r.shots.sum(axis=1) == 2).all()  # 6 ready, 4 held back for ballistic threats


def test_interceptor_cannot_catch_a_faster_receding_threat() -> None:
    """A unit behind the launch point: threats fly away from it, so only a faster interceptor
    can ever catch them."""
    eff = make_effector(kind="interceptor_drone", pk=1.0, interceptor_speed_kmh=300.0, range_km=15)
    at_launch = {"lat": 50.0, "lon": 32.05}  # 3.6 km behind the launch point
    fast = single_unit_data(count=5, threat="geran-3", effector=eff, unit=at_launch)  # 520 km/h
    slow = single_unit_data(count=5, threat="shahed-136", effector=eff, unit=at_launch)  # 185
    assert scenario(fast).simulate(reps=2, seed=0).shots.sum() == 0
    assert scenario(slow).simulate(reps=2, seed=0).outcomes[:, 0, 1].sum() == 10


def test_head_on_intercept_time_closed_form() -> None:
    """Threat flying straight at the unit from d0 km: intercept after d0 / (c + w)."""
    from airshield.kernels.raid import intercept_time, launch_window

    w, c, d0 = 0.05, 0.2, 30.0  # km/s, km/s, km
    # route: from (d0, 0) to (0, 0) then a short second leg, starting at t = 100 s
    t_end = 100.0 + d0 / w
    route = two_leg_route([d0, 0, 0, 0, -1, 0, 100.0, t_end, t_end + 1 / w, 1.0, 1.0])
    s = intercept_time(route, w, 0.0, 0.0, c, 100.0, 100.0, t_end)
    assert math.isclose(s - 100.0, d0 / (c + w), rel_tol=1e-9)
    # the launch window of an envelope [ts, te]: phi(s) = s - d(s)/c at both ends (monotone)
    lo, hi = launch_window(route, w, 0.0, 0.0, c, 100.0, t_end)
    assert math.isclose(lo, 100.0 - d0 / c, rel_tol=1e-12)
    assert math.isclose(hi, t_end, rel_tol=1e-12)
    # receding faster threat: no intercept at all
    away = two_leg_route([0, 0, d0, 0, d0 + 1, 0, 0.0, d0 / w, d0 / w + 1 / w, 1.0, 1.0])
    assert intercept_time(away, w, -1.0, 0.0, 0.04, 0.0, 0.0, d0 / w) == math.inf


def test_ew_makes_threats_lost_with_its_probability() -> None:
    p = 0.4
    eff = make_effector(kind="ew", pk=p, channels=100, engagement_time_s=10.0, range_km=30.0)
    data = single_unit_data(count=50, effector=eff, doctrine={"max_ew_attempts": 1})
    r = scenario(data).simulate(reps=40, seed=6)
    n = r.outcomes[:, 0, 0].sum()
    lost = r.outcomes[:, 0, 2].sum()
    assert abs(lost / n - p) < 4.5 * math.sqrt(p * (1 - p) / n)
    assert r.shots.sum() == 0 and r.cost_usd.sum() == 0


def test_recognised_decoys_are_not_engaged() -> None:
    data = single_unit_data(count=20, threat="gerbera", effector=make_effector(pk=1.0))
    data["sensors"] = [
        {"kind": "coverage", "name": "all", "p_detect": 1.0, "p_discriminate_decoy": 1.0}
    ]
    r = scenario(data).simulate(reps=2, seed=7)
    assert r.shots.sum() == 0
    assert (r.outcomes[:, 0, 3] == 20).all() and r.hits.sum() == 0  # decoys leak harmlessly
    data["sensors"][0]["p_discriminate_decoy"] = 0.0  # unrecognised decoys draw fire
    r = scenario(data).simulate(reps=2, seed=7)
    assert (r.outcomes[:, 0, 1] == 20).all()


def test_undetected_threats_are_not_engaged() -> None:
    data = single_unit_data(count=10, effector=make_effector(pk=1.0))
    data["sensors"] = []
    r = scenario(data).simulate(reps=2, seed=8)
    assert r.shots.sum() == 0
