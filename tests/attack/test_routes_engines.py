"""Routed plans through the engines: the reference engine and the kernel agree on every resolved
plan (hypothesis-generated waypoints, altitude bands and mixes), and a routed threat flies the
time-stepped path of its last leg."""

from __future__ import annotations

import textwrap

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.attack.cases import SIDED

from airshield.errors import ScenarioError
from airshield.raid.compile import compile_scenario, draw_night
from airshield.raid.engines import run_kernel
from airshield.raid.reference import run_reference
from airshield.scenario.attack import Plan, attack_from_text
from airshield.vocab import Route


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
    try:
        a = attack_from_text(_space(b1, d1, b2, d2, lo, lo + span, share))
    except ScenarioError as exc:  # a route past the eastern units: refused, never run
        assert all("impossible route" in p.message for p in exc.problems)
        return
    sc = a.resolve(Plan((0, 0, 0)))
    c = compile_scenario(sc)
    night = draw_night(c, np.random.default_rng(seed))
    k, r = run_kernel(c, night), run_reference(c, night)
    assert k.equals(r)
    # every threat starts at the last waypoint, after the earlier legs' flight time
    site = next(s for s in sc.launch_sites if s.name == sc.waves[0].launch_site)
    assert site.note.startswith("last waypoint")
    starts = np.array([w.launch_start_s for w in sc.waves])[c.th_wave]
    assert (night.routes[:, Route.T0] >= starts - 1e-6).all()


def test_last_leg_matches_a_time_stepped_flight() -> None:
    """Position along the engine's route row at 1-s steps equals straight flight at the
    threat's speed: the leg-by-leg closed form applies to the routed leg too."""
    a = attack_from_text(_space(200.0, 150.0, 180.0, 80.0, 0.1, 2.5, 0.0))
    sc = a.resolve(Plan((0, 0, 0)))
    c = compile_scenario(sc)
    night = draw_night(c, np.random.default_rng(4))
    r, v = night.routes[0], night.speed[0]
    t, x, y = r[Route.T0], r[Route.X0], r[Route.Y0]
    while t + 1.0 <= r[Route.T2]:
        seg = (Route.X0, Route.Y0, Route.X1, Route.Y1) if t + 1.0 <= r[Route.T1] else (
            Route.X1, Route.Y1, Route.X2, Route.Y2)  # fmt: skip
        dx, dy = r[seg[2]] - r[seg[0]], r[seg[3]] - r[seg[1]]
        n = np.hypot(dx, dy)
        x, y, t = x + v * dx / n, y + v * dy / n, t + 1.0
        if abs(t - r[Route.T1]) < 1.0:
            x, y = r[Route.X1], r[Route.Y1]  # the turn, at the step it falls into
    assert np.hypot(x - r[Route.X2], y - r[Route.Y2]) <= v * 1.0 + 1e-6
