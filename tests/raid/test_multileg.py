"""N-leg routes: the closed-form windows of every leg against a time-stepped flight, the kernel's
draw against the readable numpy draw, and the reference engine against the kernel on
hypothesis-generated multi-leg scenarios."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from airshield.errors import ScenarioError
from airshield.kernels import raid as K
from airshield.raid import compile_scenario, draw_night
from airshield.raid.engines import run_kernel
from airshield.raid.montecarlo import draw_blocks
from airshield.raid.reference import run_reference
from airshield.testing import scenario
from airshield.vocab import MAX_LEGS, ROUTE_COLS, Route, route_alt, route_t, route_x, route_y

envelope_windows = K.envelope_windows.py_func
launch_window = K.launch_window.py_func
intercept_time = K.intercept_time.py_func
position_at = K.position_at.py_func
coverage_interval = K.coverage_interval.py_func


def route_row(xs: list[float], ys: list[float], alts: list[float], speed: float,
              t0: float = 0.0) -> np.ndarray:  # fmt: skip
    """A route row through the points (xs, ys), leg k at alts[k], flown at ``speed`` km/s."""
    nl = len(xs) - 1
    r = np.zeros(ROUTE_COLS)
    r[Route.T0] = t0
    for k in range(nl + 1):
        r[route_x(k)], r[route_y(k)] = xs[k], ys[k]
        if k:
            d = math.hypot(xs[k] - xs[k - 1], ys[k] - ys[k - 1])
            r[route_t(k)] = r[route_t(k - 1)] + d / speed
    for k in range(nl):
        r[route_alt(k)] = alts[k]
    r[Route.NLEGS] = nl
    r[Route.T_IMPACT] = r[route_t(nl)]
    return r


def stepped(r: np.ndarray, dt: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Time-stepped flight along the route: times, positions and the altitude flown."""
    nl = int(r[Route.NLEGS])
    tp = np.array([r[route_t(k)] for k in range(nl + 1)])
    ts = np.arange(tp[0], tp[-1], dt)
    xs = np.interp(ts, tp, [r[route_x(k)] for k in range(nl + 1)])
    ys = np.interp(ts, tp, [r[route_y(k)] for k in range(nl + 1)])
    leg = np.clip(np.searchsorted(tp, ts, side="left") - 1, 0, nl - 1)
    alt = np.array([r[route_alt(k)] for k in range(nl)])[leg]
    return ts, xs, ys, alt


point = st.floats(-120.0, 120.0)
route_st = st.integers(1, MAX_LEGS).flatmap(
    lambda nl: st.tuples(
        st.lists(point, min_size=nl + 1, max_size=nl + 1),
        st.lists(point, min_size=nl + 1, max_size=nl + 1),
        st.lists(st.sampled_from([0.1, 0.5, 1.5, 3.0]), min_size=nl, max_size=nl),
    )
)


@settings(max_examples=60, deadline=None)
@given(
    pts=route_st,
    speed=st.floats(0.05, 0.3),
    ux=point,
    uy=point,
    rmin=st.sampled_from([0.0, 2.0, 8.0]),
    rmax=st.floats(10.0, 60.0),
    amax=st.sampled_from([1.0, 2.0, 30.0]),
    c_kms=st.floats(0.4, 3.0),
)
def test_multileg_windows_equal_a_time_stepped_flight(
    pts: tuple[list[float], list[float], list[float]], speed: float, ux: float, uy: float,
    rmin: float, rmax: float, amax: float, c_kms: float,
) -> None:  # fmt: skip
    xs, ys, alts = pts
    r = route_row(xs, ys, alts, speed)
    env = np.empty((K.MAX_WINDOWS_PER_PAIR, 2))
    n = envelope_windows(r, speed, ux, uy, rmin, rmax, 0.05, amax, env)
    assert n <= K.WINDOWS_PER_PAIR_BOUND
    dt = 0.25
    ts, px, py, alt = stepped(r, dt)
    d = np.hypot(px - ux, py - uy)
    inside = (d >= rmin) & (d <= rmax) & (alt >= 0.05) & (alt <= amax)
    in_win = np.zeros_like(inside)
    for q in range(n):
        assert env[q, 0] <= env[q, 1]
        in_win |= (ts >= env[q, 0]) & (ts <= env[q, 1])
    # away from the window ends (and the turns, where the altitude changes) they agree exactly
    edges = [env[q, k] for q in range(n) for k in (0, 1)]
    edges += [r[route_t(k)] for k in range(int(r[Route.NLEGS]) + 1)]
    far = np.ones_like(inside)
    for e in edges:
        far &= np.abs(ts - e) > 1e-6 * (1.0 + abs(e))
    assert np.array_equal(inside[far], in_win[far])
    # stepped total time inside = the windows' total, within a step per window end
    total = sum(env[q, 1] - env[q, 0] for q in range(n))
    assert abs(inside.sum() * dt - total) <= dt * (2 * n + 2)

    # kinetic launch windows: every launch time in [ls, le] meets the threat inside the
    # envelope window, at a point the interceptor reaches at its speed
    for q in range(n):
        es, ee = env[q]
        ls, le = launch_window(r, speed, ux, uy, c_kms, es, ee)
        if le < ls:
            continue
        sel = (ts >= es) & (ts <= ee)
        if sel.sum() >= 2:  # phi(s) = s - d(s) / c on the steps spans [ls, le]
            phi = ts[sel] - d[sel] / c_kms
            slack = dt * (1.0 + speed / c_kms) + 1e-9
            assert ls - slack <= phi.min() <= ls + slack
            assert le - slack <= phi.max() <= le + slack
        for t in np.linspace(ls, le, 5):
            s = intercept_time(r, speed, ux, uy, c_kms, t, es, ee)
            assert es - 1e-6 <= s <= ee + 1e-6
            x, y = position_at(r, s)
            assert math.hypot(x - ux, y - uy) == pytest.approx(c_kms * (s - t), abs=1e-5)


def test_position_and_coverage_on_every_leg() -> None:
    """A swing: out north, round to the west and back east to the aim point, 4 legs."""
    r = route_row([0, 0, -50, -50, 10], [0, 80, 80, 20, 20], [1.0, 1.0, 1.0, 0.5], 0.05)
    assert position_at(r, r[route_t(3)] + 0.5 * (r[route_t(4)] - r[route_t(3)])) == (
        pytest.approx(-20.0),
        pytest.approx(20.0),
    )
    # a radar at (-50, 50) sees only legs 2 and 3 (the swing), none of the others
    a, b = coverage_interval(r, 0.05, -50.0, 50.0, 32.0, 0.0, 0.0)
    ts, px, py, _ = stepped(r, 0.5)
    seen = ts[np.hypot(px + 50.0, py - 50.0) <= 32.0]
    assert a == pytest.approx(seen.min(), abs=0.5) and b == pytest.approx(seen.max(), abs=0.5)
    assert r[route_t(1)] < a < r[route_t(3)] < b < r[route_t(4)]


# ---- multi-leg scenarios through both engines -------------------------------------------------
def multileg_data(vias: list[list[tuple[float, float]]], jitter: float, radar: bool) -> dict:
    """A city with a SAM, guns, interceptor drones and EW around it, and one wave per ``vias``
    entry from the east, each through its own waypoints (lat/lon offsets from the city)."""
    waves: list[dict[str, Any]] = []
    for i, via in enumerate(vias):
        waves.append(
            {
                "name": f"w{i}",
                "threat": ("shahed-136", "geran-3", "gerbera", "kh-101")[i % 4],
                "count": 6,
                "launch_site": "east" if i % 2 == 0 else "north",
                "launch_start_s": 0.0,
                "launch_end_s": 1200.0,
                "route_jitter_km": jitter,
                "via": [{"lat": 50.0 + a, "lon": 30.0 + b} for a, b in via],
            }
        )
    sensors: list[dict[str, Any]] = [{"kind": "coverage", "name": "net", "p_detect": 0.9}]
    if radar:  # sensing v2: track capacity, firm tracks, radar horizon (coverage leg by leg)
        sensors = [{"kind": "radar", "name": "r1", "lat": 50.3, "lon": 29.5, "range_km": 80,
                    "p_detect": 0.9, "altitude_min_km": 0.05, "track_capacity": 8,
                    "firm_track_s": 20, "antenna_height_m": 30}]  # fmt: skip
    return {
        "name": "multileg",
        "notional": True,
        "assets": [{"name": "city", "lat": 50.0, "lon": 30.0, "value_usd": 1e9, "radius_km": 3}],
        "sensors": sensors,
        "fire_units": [
            {
                "kind": "unit",
                "name": "sam",
                "effector": "nasams-irist",
                "lat": 50.1,
                "lon": 30.0,
                "pool": "sam",
            },
            {
                "kind": "ring",
                "name": "guns",
                "effector": "mobile-gun",
                "around": "city",
                "count": 6,
                "radius_km": 25,
            },
            {
                "kind": "ring",
                "name": "ids",
                "effector": "interceptor-drone",
                "around": "city",
                "count": 3,
                "radius_km": 40,
                "bearing_deg": 270,
                "arc_deg": 90,
                "pool": "ids",
            },
            {"kind": "unit", "name": "ew", "effector": "ew-jammer", "lat": 49.8, "lon": 29.7},
            # a mobile group, dispatched to a point of a route (any leg) it can reach in time
            {"kind": "mobile", "name": "mob", "effector": "mobile-gun", "lat": 50.2, "lon": 29.6},
        ],
        "pools": [
            {"name": "sam", "effector": "nasams-irist", "stock": 6},
            {"name": "ids", "effector": "interceptor-drone", "stock": 8},
        ],
        "launch_sites": [
            {"name": "east", "lat": 50.0, "lon": 32.5},
            {"name": "north", "lat": 51.8, "lon": 30.2},
        ],
        "waves": waves,
    }


offset = st.tuples(st.floats(-1.2, 1.2), st.floats(-1.8, 1.8))
vias_st = st.lists(st.lists(offset, min_size=0, max_size=MAX_LEGS - 2), min_size=1, max_size=3)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(vias=vias_st, jitter=st.floats(0.0, 15.0), radar=st.booleans(),
       seed=st.integers(0, 2**32 - 1))  # fmt: skip
def test_reference_equals_kernel_on_multileg_scenarios(
    vias: list[list[tuple[float, float]]], jitter: float, radar: bool, seed: int
) -> None:
    c = compile_scenario(scenario(multileg_data(vias, jitter, radar)))
    night = draw_night(c, np.random.default_rng(seed))
    nlegs = night.routes[:, Route.NLEGS].astype(int)
    assert (nlegs == np.array([len(v) + 2 for v in vias])[c.th_wave]).all()
    # the numba draw writes the numpy draw's routes bit for bit
    n = c.n_threats
    u1, z, u2, ca, sa, _u3, _e = draw_blocks(c, [np.random.default_rng(seed)])
    routes = np.full((n, ROUTE_COLS), np.nan)
    target, speed, value = np.empty(n, np.int64), np.empty(n), np.empty(n)
    kind, pkind, recog = np.empty(n, np.int64), np.empty(n, np.int64), np.empty(n, np.bool_)
    _u_shot, t_track, _s = K.draw_into(
        c.scene(), c.doctrine(), u1[0], z[0], u2[0], ca[0], sa[0], routes, target, speed, kind,
        pkind, value, recog,
    )  # fmt: skip
    assert np.array_equal(routes, night.routes)
    assert np.array_equal(t_track, night.t_track)
    k, r = run_kernel(c, night), run_reference(c, night)
    assert k.equals(r)


def test_every_leg_is_shot_at() -> None:
    """A gun group stands on a waypoint far from the final approach: it engages on the early
    legs (the former engine flew only the last leg and refused such a route), and without the
    waypoint it never sees a threat."""
    data = multileg_data([[(-0.09, 0.0), (0.0, -1.5)]], 0.0, False)
    data["fire_units"] = [{"kind": "unit", "name": "gun", "effector": "mobile-gun",
                           "lat": 49.91, "lon": 30.0}]  # fmt: skip
    data["waves"][0]["count"] = 20
    data["sensors"][0]["p_detect"] = 1.0
    for via, want in ((True, True), (False, False)):
        if not via:
            data["waves"][0]["via"] = []
        c = compile_scenario(scenario(data))
        night = draw_night(c, np.random.default_rng(1))
        w, m = K.windows_of(c.units(), c.doctrine(), night.arrays(), K.new_windows(8),
                            c.physics())  # fmt: skip
        assert (m > 0) == want
        if via:  # every window is on the first two legs (launch -> waypoint -> waypoint)
            assert (w.env_end[:m] <= night.routes[w.threat[:m], route_t(2)]).all()
            assert run_kernel(c, night).equals(run_reference(c, night))


def test_too_many_waypoints_is_a_clear_error() -> None:
    data = multileg_data([[(0.1 * i, 0.5) for i in range(MAX_LEGS - 1)]], 0.0, False)
    with pytest.raises(ScenarioError) as ei:
        scenario(data)
    msg = ei.value.problems[0].render("f.yaml")
    assert "waves[0].via" in msg and f"at most {MAX_LEGS - 2}" in msg
