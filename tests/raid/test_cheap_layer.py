"""The cheap layer (interceptor-drone teams, mobile fire groups) and sensing v2: closed-form
cases, invariants, and the reference engine equal to the kernel on generated scenarios."""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import airshield
from airshield.kernels import raid as K
from airshield.raid import compile_scenario, draw_night
from airshield.raid.engines import run_kernel
from airshield.raid.reference import ReferenceNight, run_reference
from airshield.testing import (
    assert_conservation,
    assert_results_equal,
    make_effector,
    scenario,
    single_unit_data,
)
from airshield.vocab import Event, Fate, Route

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
NEUTRAL_HUNT = {"time_sigma": 0.0, "recovery_p": 0.0, "speed_ratio_min": 0.0,
                "speed_ratio_full": 0.0}  # fmt: skip


def drone_effector(**kw: Any) -> dict[str, Any]:
    base = {
        "name": "idrone", "kind": "interceptor_drone", "pk": 0.6, "range_km": 15.0,
        "channels": 2, "ready_rounds": 10, "cost_per_shot_usd": 2100.0,
        "engagement_time_s": 30.0, "interceptor_speed_kmh": 315.0, "reload_s": 300.0,
        "altitude_max_km": 3.0,
    }  # fmt: skip
    base.update(kw)
    return make_effector(**base)


def teams_data(teams: int = 2, hunt: dict[str, Any] | None = None, **kw: Any) -> dict[str, Any]:
    """One team group on top of the asset, a Shahed-type stream from the east."""
    eff = drone_effector()
    unit = {"kind": "teams", "teams": teams, "pool": "p"}
    if hunt is not None:
        unit["hunt"] = hunt
    d = single_unit_data(
        effector=eff, unit=unit, pools=[{"name": "p", "effector": "idrone", "stock": 200}], **kw
    )
    return d


# ---- closed forms of the factors ------------------------------------------------------------
def test_hunt_factor_closed_form() -> None:
    hf = K.hunt_factor.py_func
    # a perfect cue, a fast interceptor, clear conditions: exactly 1 (today's numbers)
    assert hf(1.5, 1.0, 1.6, 1.0, 0.1, 0.05, 0.0) == 1.0
    # cue error sigma against acquisition radius R: 1 - exp(-R^2 / (2 sigma^2))
    assert hf(1.0, 0.0, 0.0, 1.0, 1.0, 0.1, 1.0) == pytest.approx(1 - math.exp(-0.5))
    assert hf(2.0, 0.0, 0.0, 1.0, 1.0, 0.1, 0.5) == pytest.approx(1 - math.exp(-8.0))
    # speed ratio: 0 at or below the minimum, linear up to the full ratio
    assert hf(1.0, 1.0, 1.6, 1.0, 0.09, 0.1, 0.0) == 0.0  # ratio 0.9
    assert hf(1.0, 1.0, 1.6, 1.0, 0.13, 0.1, 0.0) == pytest.approx(0.5)  # ratio 1.3
    # conditions multiply
    assert hf(1.0, 1.0, 1.6, 0.8, 0.2, 0.1, 0.0) == pytest.approx(0.8)
    # the jitted and the Python versions agree bit for bit
    for args in [(1.5, 1.0, 1.6, 0.68, 315 / 3600, 185 / 3600, 1.2), (0.7, 1.1, 2.0, 1.0, 1.0,
                                                                       0.6, 0.3)]:  # fmt: skip
        assert K.hunt_factor(*args) == hf(*args)


def test_degraded_peff_is_the_salvo_product() -> None:
    dp = K.degraded_peff.py_func
    assert dp(0.6, 1.0, 2, 0.84) == 0.84  # f == 1: the compiled number itself
    assert dp(0.6, 0.5, 2, 0.84) == pytest.approx(1 - 0.7**2)
    assert K.degraded_peff(0.6, 0.37, 3, 0.0) == dp(0.6, 0.37, 3, 0.0)


def test_condition_factors_from_the_table() -> None:
    from airshield.raid.compile import condition_factor

    d = teams_data()
    assert condition_factor(scenario(d)) == 1.0
    d["conditions"] = {"weather": "fog", "night": True}
    assert condition_factor(scenario(d)) == pytest.approx(0.6 * 0.85)


# ---- today's numbers ----------------------------------------------------------------------------
def test_perfect_team_equals_a_v1_interceptor_drone_unit() -> None:
    """A team group of k teams with a perfect cue, fixed hunt time, no recovery, no speed limit
    and clear conditions is exactly today's interceptor-drone unit with k channels."""
    v1 = single_unit_data(
        effector=drone_effector(), unit={"pool": "p", "channels": 3}, count=40,
        pools=[{"name": "p", "effector": "idrone", "stock": 200}],
    )  # fmt: skip
    v2 = teams_data(teams=3, hunt=NEUTRAL_HUNT, count=40)
    a, b = scenario(v1), scenario(v2)
    ra, rb = a.simulate(reps=12, seed=5), b.simulate(reps=12, seed=5)
    assert_results_equal(ra, rb)
    assert ra.outcomes[:, :, 1].sum() > 0  # the drones did kill


def test_scenarios_without_the_new_fields_draw_and_run_as_before() -> None:
    c = compile_scenario(airshield.load_scenario(EXAMPLES / "kyiv-2025-07-04.yaml"))
    assert not c.any_team and not c.sensing_v2 and not c.u_mobile.any()
    night = draw_night(c, np.random.default_rng(0))
    assert night.z_hunt.shape == (c.n_threats, 0)
    assert np.array_equal(night.unit_x, c.u_x) and np.all(night.unit_ready == -np.inf)


# ---- teams ----------------------------------------------------------------------------------------
class _Recording(ReferenceNight):
    """The reference night, recording every hunt as (unit, start, end)."""

    def run(self):  # type: ignore[no-untyped-def]
        self.hunts: list[tuple[int, float, float]] = []
        self.now = 0.0
        return super().run()

    def decide(self, t: float) -> None:
        self.now = t
        super().decide(t)

    def push(self, time_s, priority, event):  # type: ignore[no-untyped-def]
        if priority == Event.RESOLVE:
            self.hunts.append((event.unit, self.now, time_s))
        super().push(time_s, priority, event)


def _max_concurrent(intervals: list[tuple[float, float]]) -> int:
    ev = sorted([(s, 1) for s, _ in intervals] + [(e, -1) for _, e in intervals])
    best = cur = 0
    for _, d in ev:
        cur += d
        best = max(best, cur)
    return best


@pytest.mark.parametrize("teams", [1, 3])
def test_k_teams_never_run_more_than_k_hunts(teams: int) -> None:
    d = teams_data(teams=teams, count=60, launch_window_s=(0.0, 600.0))
    c = compile_scenario(scenario(d))
    peak = 0
    for seed in range(4):
        night = draw_night(c, np.random.default_rng(seed))
        ref = _Recording(c, night)
        out = ref.run()
        assert out.equals(run_kernel(c, night))
        m = _max_concurrent([(s, e) for _, s, e in ref.hunts])
        assert m <= teams
        peak = max(peak, m)
    assert peak == teams  # saturated: the teams are the limit


def test_jet_drones_outrun_interceptor_drones() -> None:
    """Interceptor at 315 km/h against a 520 km/h jet Shahed-type: speed ratio below 1, no
    hunt succeeds, so the assignment never spends an interceptor on it."""
    d = teams_data(teams=4, threat="geran-3", count=30)
    r = scenario(d).simulate(reps=8, seed=2)
    assert r.shots.sum() == 0 and r.outcomes[:, :, 1].sum() == 0
    d = teams_data(teams=4, threat="shahed-136", count=30)
    assert scenario(d).simulate(reps=8, seed=2).outcomes[:, :, 1].sum() > 0


def test_cue_error_lowers_kills() -> None:
    def kills(sigma: float) -> float:
        d = teams_data(teams=4, count=40, hunt={**NEUTRAL_HUNT, "acquisition_radius_km": 1.0})
        d["sensors"][0]["position_error_km"] = sigma
        return float(scenario(d).simulate(reps=40, seed=3).outcomes[:, :, 1].mean())

    good, poor = kills(0.0), kills(2.0)
    assert poor < 0.6 * good


def test_recovered_interceptors_are_not_expended() -> None:
    """A hopeless hunt (huge cue error) with recovery 1: every interceptor comes back."""
    hunt = {**NEUTRAL_HUNT, "recovery_p": 1.0, "acquisition_radius_km": 0.01}
    d = teams_data(teams=2, count=20, hunt=hunt)
    d["sensors"][0]["position_error_km"] = 0.2  # factor 1 - exp(-0.0025/0.08): about 3 %
    d["doctrine"]["cost_threshold"] = 1.0
    r = scenario(d).simulate(reps=10, seed=1)
    c = compile_scenario(scenario(d))
    hunts = 0
    for seed in range(3):
        night = draw_night(c, np.random.default_rng(seed))
        ref = _Recording(c, night)
        out = ref.run()
        hunts += len(ref.hunts)
        killed = int((out.fate == Fate.DESTROYED).sum())
        assert out.fired.sum() == killed  # only the interceptors that killed are spent
    assert hunts > 0
    assert r.shots.sum() == r.outcomes[:, :, 1].sum()


def test_hunt_times_vary_around_the_median() -> None:
    d = teams_data(teams=2, count=30, hunt={**NEUTRAL_HUNT, "time_sigma": 0.6, "time_s": 40})
    c = compile_scenario(scenario(d))
    night = draw_night(c, np.random.default_rng(4))
    ref = _Recording(c, night)
    ref.run()
    assert len({round(e - s, 6) for _, s, e in ref.hunts}) > 3


# ---- mobile fire groups ----------------------------------------------------------------------------
def mobile_data(base: tuple[float, float], **mobile: Any) -> dict[str, Any]:
    gun = make_effector(name="gun", kind="gun", pk=0.3, range_km=1.5, channels=1,
                        ready_rounds=20, engagement_time_s=3.0, interceptor_speed_kmh=3000.0,
                        altitude_max_km=3.0)  # fmt: skip
    unit = {"kind": "mobile", "lat": base[0], "lon": base[1], "pool": "g", **mobile}
    return single_unit_data(
        effector=gun, unit=unit, count=10, pools=[{"name": "g", "effector": "gun", "stock": 500}]
    )


def test_mobile_group_that_cannot_arrive_in_time_never_engages() -> None:
    # base 60 km north of the route; a truck at 10 km/h needs hours, the drones take 45 minutes
    d = mobile_data((50.54, 31.0), speed_kmh=10.0, reaction_s=0.0, setup_s=0.0)
    sc = scenario(d)
    c = compile_scenario(sc)
    for seed in range(5):
        night = draw_night(c, np.random.default_rng(seed))
        assert night.unit_ready[0] == math.inf  # never dispatched
        assert np.array_equal(night.unit_x, c.u_x)  # stays at its base
    r = sc.simulate(reps=10, seed=0)
    assert r.shots.sum() == 0 and r.outcomes[:, :, 1].sum() == 0


def test_mobile_group_that_arrives_engages_only_from_arrival() -> None:
    d = mobile_data((50.20, 31.0), speed_kmh=120.0, reaction_s=0.0, setup_s=60.0)
    sc = scenario(d)
    c = compile_scenario(sc)
    night = draw_night(c, np.random.default_rng(0))
    ready = night.unit_ready[0]
    assert math.isfinite(ready)
    # it stands on the route of a threat, reached exactly in time: distance = road speed x time
    j = int(np.argmin(night.t_track))
    px, py = K.position_at.py_func(night.routes[j], ready)
    assert (night.unit_x[0], night.unit_y[0]) == pytest.approx((px, py))
    road = 120.0 / 3600.0 / 1.3
    dist = math.hypot(px - c.u_x[0], py - c.u_y[0])
    assert dist == pytest.approx(road * (ready - night.t_track[j] - 60.0), rel=1e-9)
    out = run_reference(c, night)
    assert out.equals(run_kernel(c, night))
    assert out.fired.sum() > 0
    assert np.all(out.fate_time_s[out.agent == 0] >= ready)
    # beyond its dispatch radius it is not sent
    d2 = mobile_data((50.20, 31.0), speed_kmh=120.0, reaction_s=0.0, setup_s=60.0,
                     max_dispatch_km=1.0)  # fmt: skip
    assert scenario(d2).simulate(reps=5, seed=0).shots.sum() == 0


# ---- sensing v2 ------------------------------------------------------------------------------------
def radar_data(threat: str, **radar: Any) -> dict[str, Any]:
    d = single_unit_data(threat=threat, count=6, distance_deg=3.0)
    d["sensors"] = [{"kind": "radar", "name": "r", "lat": 50.0, "lon": 30.0, "range_km": 100.0,
                     "p_detect": 1.0, **radar}]  # fmt: skip
    return d


def test_low_cruise_missiles_are_seen_later_closed_form() -> None:
    """Radar horizon: a 10 m mast sees a target at h metres out to 4.12 (sqrt 10 + sqrt h) km."""
    for threat, high in (("kh-101", False), ("shahed-136", True)):
        c = compile_scenario(scenario(radar_data(threat, antenna_height_m=10.0)))
        night = draw_night(c, np.random.default_rng(1))
        r = night.routes
        for j in range(c.n_threats):
            alt = r[j, Route.ALT1]
            reach = min(100.0, 4.12 * (math.sqrt(10.0) + math.sqrt(alt * 1000.0)))
            # straight route at constant speed from the launch site to an aim point near the
            # radar: entry where the line is `reach` from it (closest approach h, along-track a)
            ex, ey = r[j, Route.X2] - r[j, Route.X0], r[j, Route.Y2] - r[j, Route.Y0]
            length = math.hypot(ex, ey)
            qx, qy = c.s_x[0] - r[j, Route.X0], c.s_y[0] - r[j, Route.Y0]
            along = (qx * ex + qy * ey) / length
            h = abs(qx * ey - qy * ex) / length
            want = r[j, Route.T0] + (along - math.sqrt(reach**2 - h**2)) / night.speed[j]
            assert night.t_track[j] == pytest.approx(want, abs=1e-6)
            assert (reach > 60.0) == high  # cruise at 30-70 m: seen inside 45 km


def test_firm_track_time_delays_the_track() -> None:
    c0 = compile_scenario(scenario(radar_data("shahed-136", position_error_km=0.001)))
    c1 = compile_scenario(scenario(radar_data("shahed-136", firm_track_s=45.0)))
    n0 = draw_night(c0, np.random.default_rng(2))
    n1 = draw_night(c1, np.random.default_rng(2))
    assert np.allclose(n1.t_track, n0.t_track + 45.0, rtol=0, atol=1e-9)


def test_track_capacity_limits_tracks_held_at_once() -> None:
    d = radar_data("shahed-136", track_capacity=2, firm_track_s=30.0)
    d["waves"][0].update(count=12, launch_start_s=0.0, launch_end_s=300.0)
    d["sensors"][0]["range_km"] = 40.0
    c = compile_scenario(scenario(d))
    ca = K.coverage_interval.py_func
    for seed in range(3):
        night = draw_night(c, np.random.default_rng(seed))
        held = []
        for j in range(c.n_threats):
            if math.isfinite(night.t_track[j]):
                _, rel = ca(night.routes[j], night.speed[j], c.s_x[0], c.s_y[0], 40.0, 0.0, -1.0)
                held.append((night.t_track[j] - 30.0, rel))  # slot taken 30 s before firm
        assert 0 < len(held) < c.n_threats  # some wait too long and are never tracked
        assert _max_concurrent(held) <= 2


def test_track_error_cues_the_hunt() -> None:
    d = teams_data()
    d["sensors"][0]["position_error_km"] = 0.7
    c = compile_scenario(scenario(d))
    night = draw_night(c, np.random.default_rng(0))
    assert np.all(night.cue_err_km == 0.7)


# ---- the example and its validation messages --------------------------------------------------------
def test_cheap_layer_example_runs_and_conserves() -> None:
    sc = airshield.load_scenario(EXAMPLES / "kyiv-cheap-layer-2026.yaml")
    c = compile_scenario(sc)
    assert c.any_team and c.u_mobile.any() and c.sensing_v2
    for seed in range(2):
        night = draw_night(c, np.random.default_rng(seed))
        assert run_kernel(c, night).equals(run_reference(c, night))
    r = sc.simulate(reps=4, seed=0)
    assert_conservation(r)
    e = r.effector_types.index("interceptor-drone")
    assert r.destroyed_by[:, :, e].sum() > 0


def test_team_group_rejects_channels_and_a_wrong_effector() -> None:
    d = teams_data()
    d["fire_units"][0]["channels"] = 2
    with pytest.raises(airshield.ScenarioError, match="teams"):
        scenario(d)
    d = teams_data()
    d["fire_units"][0]["effector"] = "patriot"
    d["fire_units"][0].pop("pool")
    with pytest.raises(airshield.ScenarioError, match="interceptor drones"):
        scenario(d)
    d = teams_data()
    d["fire_units"][0]["hunt"] = {"recovery": 0.3}
    with pytest.raises(airshield.ScenarioError, match="recovery"):
        scenario(d)


# ---- reference engine = kernel on generated scenarios ------------------------------------------------
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    teams=st.integers(1, 4),
    threat=st.sampled_from(["shahed-136", "gerbera", "geran-3", "kh-101"]),
    count=st.integers(1, 30),
    sigma=st.floats(0.0, 3.0),
    acq=st.floats(0.2, 3.0),
    ratio=st.tuples(st.floats(0.0, 2.0), st.floats(0.0, 1.5)),
    time_sigma=st.floats(0.0, 1.0),
    recovery=st.floats(0.0, 1.0),
    weather=st.sampled_from(["clear", "rain", "snow", "fog"]),
    night=st.booleans(),
    salvo=st.integers(1, 2),
    policy=st.sampled_from(["shoot-look-shoot", "salvo"]),
    mobile=st.tuples(st.floats(10.0, 150.0), st.floats(0.0, 600.0), st.floats(-0.5, 0.5)),
    radar=st.tuples(st.integers(0, 6), st.floats(0.0, 90.0), st.floats(0.0, 40.0), st.booleans()),
    window=st.floats(0.0, 2400.0),
    seed=st.integers(0, 2**32 - 1),
)
def test_reference_equals_kernel_with_every_cheap_feature(
    teams: int, threat: str, count: int, sigma: float, acq: float, ratio: tuple[float, float],
    time_sigma: float, recovery: float, weather: str, night: bool, salvo: int, policy: str,
    mobile: tuple[float, float, float], radar: tuple[int, float, float, bool], window: float,
    seed: int,
) -> None:  # fmt: skip
    hunt = {"acquisition_radius_km": acq, "speed_ratio_min": ratio[0],
            "speed_ratio_full": ratio[0] + ratio[1], "time_sigma": time_sigma,
            "recovery_p": recovery}  # fmt: skip
    d = teams_data(teams=teams, hunt=hunt, threat=threat, count=count,
                   launch_window_s=(0.0, window), jitter_km=10.0)  # fmt: skip
    d["conditions"] = {"weather": weather, "night": night}
    d["doctrine"].update(policy=policy, salvo_size=salvo, max_shots_per_threat=4)
    d["sensors"][0]["position_error_km"] = sigma
    cap, firm, err, horizon = radar
    rdr: dict[str, Any] = {"kind": "radar", "name": "gap", "lat": 50.1, "lon": 30.6,
                           "range_km": 50.0, "p_detect": 0.9, "firm_track_s": firm,
                           "position_error_km": err}  # fmt: skip
    if cap:
        rdr["track_capacity"] = cap
    if horizon:
        rdr["antenna_height_m"] = 12.0
    d["sensors"].insert(0, rdr)
    speed, setup, dlat = mobile
    gun = make_effector(name="gun", kind="gun", pk=0.3, range_km=2.0, channels=1,
                        ready_rounds=8, engagement_time_s=3.0, interceptor_speed_kmh=3000.0,
                        altitude_max_km=3.0)  # fmt: skip
    d["catalog"]["effectors"].append(gun)
    d["pools"].append({"name": "g", "effector": "gun", "stock": 40})
    d["fire_units"].append({"kind": "mobile", "name": "m1", "effector": "gun", "pool": "g",
                            "lat": 50.0 + dlat, "lon": 30.8, "speed_kmh": speed,
                            "setup_s": setup, "reaction_s": 30.0})  # fmt: skip
    d["fire_units"].append(copy.deepcopy(d["fire_units"][-1]) | {"name": "m2", "lon": 31.2})
    c = compile_scenario(scenario(d))
    for s in (seed, seed + 1):
        nt = draw_night(c, np.random.default_rng(s))
        a, b = run_kernel(c, nt), run_reference(c, nt)
        assert a.equals(b)
        assert np.all((a.fate == Fate.DESTROYED) | (a.fate == Fate.LOST) | (a.fate == Fate.LEAKED))
    # the batch path (compiled draw) equals the reference path (numpy draw)
    sc = scenario(d)
    assert_results_equal(sc.simulate(reps=3, seed=seed % 1000),
                         sc.simulate(reps=3, seed=seed % 1000, engine="reference"))  # fmt: skip
