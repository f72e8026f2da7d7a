"""Routed plans through the engines: the reference engine and the kernel agree on every resolved
plan (hypothesis-generated waypoints, altitude bands and mixes), and a routed threat flies the
time-stepped path of every leg."""

from __future__ import annotations

import textwrap

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.attack.cases import SIDED

from airshield.kernels.raid import position_at
from airshield.raid.compile import compile_scenario, draw_night
from airshield.raid.engines import run_kernel
from airshield.raid.reference import run_reference
from airshield.scenario.attack import Plan, attack_from_text
from airshield.vocab import Route, route_t, route_x, route_y


def _space(b1: float, d1: float, b2: float, d2: float, lo: float, hi: float, share: float) -> str:
    return SIDED + textwrap.dedent(
        f"""\
        attack:
          choices:
            - kind: approach
              waves: [drones]
              options:
                - name: routed
                  via:
                    - {{around: city, bearing_deg: {b1}, distance_km: {d1}}}
                    - {{around: city, bearing_deg: {b2}, distance_km: {d2}}}
            - kind: altitude
              waves: [drones]
              options: [{{name: band, min_km: {lo}, max_km: {hi}}}]
            - kind: jet_share
              waves: [drones]
              threat: geran-3
              shares: [{share}]
        """
    )


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    b1=st.floats(-180, 180),
    d1=st.floats(60, 300),
    b2=st.floats(-180, 180),
    d2=st.floats(45, 120),
    lo=st.floats(0.05, 2.5),
    span=st.floats(0.0, 2.0),
    share=st.sampled_from([0.0, 0.25, 0.5]),
    seed=st.integers(0, 2**32 - 1),
)
def test_reference_equals_kernel_on_routed_plans(
    b1: float, d1: float, b2: float, d2: float, lo: float, span: float, share: float, seed: int
) -> None:
    a = attack_from_text(_space(b1, d1, b2, d2, lo, lo + span, share))
    sc = a.resolve(Plan((0, 0, 0)))
    c = compile_scenario(sc)
    night = draw_night(c, np.random.default_rng(seed))
    k, r = run_kernel(c, night), run_reference(c, night)
    assert k.equals(r)
    # every threat is launched at the launch site in the wave's window and flies 4 legs
    assert (night.routes[:, Route.NLEGS] == 4).all()
    assert (night.routes[:, Route.T0] <= 1800.0).all()


def test_every_leg_matches_a_time_stepped_flight() -> None:
    """Position along the engine's route row at 1-s steps equals straight flight at the
    threat's speed, leg by leg: the closed form applies to every routed leg."""
    a = attack_from_text(_space(200.0, 150.0, 180.0, 80.0, 0.1, 2.5, 0.0))
    sc = a.resolve(Plan((0, 0, 0)))
    c = compile_scenario(sc)
    night = draw_night(c, np.random.default_rng(4))
    r, v = night.routes[0], night.speed[0]
    nl = int(r[Route.NLEGS])
    t, x, y = r[Route.T0], r[Route.X0], r[Route.Y0]
    k = 0
    while t + 1.0 <= r[Route.T_IMPACT]:
        while t + 1.0 > r[route_t(k + 1)] and k < nl - 1:
            k += 1
            x, y = r[route_x(k)], r[route_y(k)]  # the turn, at the step it falls into
            t = r[route_t(k)]
        dx, dy = r[route_x(k + 1)] - r[route_x(k)], r[route_y(k + 1)] - r[route_y(k)]
        n = np.hypot(dx, dy)
        x, y, t = x + v * dx / n, y + v * dy / n, t + 1.0
        px, py = position_at(r, t)
        assert np.hypot(px - x, py - y) <= 1e-6
    assert np.hypot(x - r[route_x(nl)], y - r[route_y(nl)]) <= v * 1.0 + 1e-6
