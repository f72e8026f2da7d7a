"""Helpers for tests, ours and users': small scenario builders and result assertions."""

from __future__ import annotations

from typing import Any

import numpy as np

from airshield.raid.result import RaidResult
from airshield.scenario import Scenario, scenario_from_text, validate_scenario_data

#: A very small raid in the scenario language (notional): a SAM, two rocket teams and EW against
#: a dozen drones, decoys and a cruise missile; for tests that need a real but quick scenario.
TINY_RAID_YAML = """\
name: tiny
description: one SAM, two rocket teams and EW against a very small raid (notional)
assets:
  - {name: city, lat: 50.0, lon: 30.0, value_usd: 5.0e9, radius_km: 6}
  - {name: power-plant, lat: 50.15, lon: 30.35, value_usd: 2.0e9, radius_km: 1}
sensors:
  - {kind: radar, name: radar-east, lat: 50.05, lon: 30.6, range_km: 120, p_detect: 0.95,
     p_discriminate_decoy: 0.5, altitude_min_km: 0.03}
fire_units:
  - {kind: unit, name: sam-1, effector: nasams-irist, lat: 50.05, lon: 30.15, pool: sam-rounds}
  - {kind: ring, name: rockets, effector: apkws-rocket, around: city, count: 2, radius_km: 8,
     bearing_deg: 90, arc_deg: 90, pool: rockets}
  - {kind: unit, name: ew-1, effector: ew-jammer, lat: 50.02, lon: 30.3}
pools:
  - {name: sam-rounds, effector: nasams-irist, stock: 4}
  - {name: rockets, effector: apkws-rocket, stock: 8}
launch_sites:
  - {name: east, lat: 50.3, lon: 34.0}
  - {name: sea, lat: 46.0, lon: 32.0}
waves:
  - {name: drones, threat: shahed-136, count: 8, launch_site: east, launch_start_s: 0,
     launch_end_s: 1800, targets: {city: 3, power-plant: 1}, route_jitter_km: 10}
  - {name: decoys, threat: gerbera, count: 4, launch_site: east, launch_start_s: 0,
     launch_end_s: 1800, targets: {city: 1}}
  - {name: cruise, threat: kalibr, count: 1, launch_site: sea, launch_start_s: 2400,
     launch_end_s: 2400, targets: {power-plant: 1}}
doctrine:
  cost_threshold: 1.0
"""


def make_effector(
    name: str = "test-sam",
    kind: str = "missile",
    pk: float = 0.6,
    range_km: float = 60.0,
    channels: int = 4,
    ready_rounds: int = 100,
    cost_per_shot_usd: float = 0.0,
    engagement_time_s: float = 0.0,
    interceptor_speed_kmh: float = 10000.0,
    reload_s: float = 60.0,
    altitude_max_km: float = 30.0,
) -> dict[str, Any]:
    """An effector type (as YAML data) with the same Pk against every threat kind."""
    return {
        "name": name,
        "label": "test effector",
        "kind": kind,
        "range_min_km": 0.0,
        "range_max_km": range_km,
        "altitude_min_km": 0.0,
        "altitude_max_km": altitude_max_km,
        "interceptor_speed_kmh": interceptor_speed_kmh,
        "cost_per_shot_usd": cost_per_shot_usd,
        "pk": {k: pk for k in ("drone", "decoy", "cruise_missile", "ballistic_missile")},
        "channels": channels,
        "ready_rounds": ready_rounds,
        "reload_s": reload_s,
        "engagement_time_s": engagement_time_s,
    }


def single_unit_data(
    *,
    count: int = 20,
    threat: str = "shahed-136",
    effector: dict[str, Any] | None = None,
    unit: dict[str, Any] | None = None,
    pools: list[dict[str, Any]] | None = None,
    doctrine: dict[str, Any] | None = None,
    launch_window_s: tuple[float, float] = (0.0, 3600.0),
    jitter_km: float = 0.0,
    distance_deg: float = 2.0,
) -> dict[str, Any]:
    """One fire unit on top of one asset, one wave from ``distance_deg`` of longitude east."""
    eff = effector or make_effector()
    u = {"kind": "unit", "name": "u1", "effector": eff["name"], "lat": 50.0, "lon": 30.0}
    u.update(unit or {})
    return {
        "name": "single-unit",
        "catalog": {"effectors": [eff]},
        "assets": [{"name": "a", "lat": 50.0, "lon": 30.0, "value_usd": 1.0e10, "radius_km": 0.5}],
        "sensors": [{"kind": "coverage", "name": "all", "p_detect": 1.0}],
        "fire_units": [u],
        "pools": pools or [],
        "launch_sites": [{"name": "east", "lat": 50.0, "lon": 30.0 + distance_deg}],
        "waves": [
            {
                "name": "w",
                "threat": threat,
                "count": count,
                "launch_site": "east",
                "launch_start_s": launch_window_s[0],
                "launch_end_s": launch_window_s[1],
                "targets": {"a": 1.0},
                "route_jitter_km": jitter_km,
            }
        ],
        "doctrine": {"cost_threshold": 1.0, "cost_weight": 0.0, **(doctrine or {})},
    }


def two_leg_route(values: Any) -> np.ndarray:
    """A route row (:class:`~airshield.vocab.Route`) of two legs from the 11 values
    ``x0, y0, x1, y1, x2, y2, t0, t1, t2, alt0, alt1`` (launch -> waypoint -> aim point)."""
    from airshield.vocab import ROUTE_COLS, Route

    v = [float(x) for x in values]
    if len(v) != 11:
        raise ValueError(f"expected 11 values (x0 .. alt1), got {len(v)}")
    r = np.zeros(ROUTE_COLS)
    r[Route.X0 : Route.Y2 + 1] = v[:6]
    r[Route.T0 : Route.T2 + 1] = v[6:9]
    r[Route.ALT0], r[Route.ALT1] = v[9], v[10]
    r[Route.NLEGS] = 2
    r[Route.T_IMPACT] = v[8]
    return r


def scenario(data: dict[str, Any]) -> Scenario:
    """Validate scenario data (as parsed from YAML) into a Scenario."""
    return validate_scenario_data(data, "<test>", {})


def scenario_text(text: str) -> Scenario:
    """Validate scenario YAML text."""
    return scenario_from_text(text, "<test>")


def assert_results_equal(a: RaidResult, b: RaidResult) -> None:
    """Two raid results hold exactly the same per-replication numbers."""
    for f in (
        "outcomes", "destroyed_by", "lost_by", "shots", "cost_usd", "unit_shots", "hits",
        "damage_usd", "pool_drawn",
    ):  # fmt: skip
        x, y = getattr(a, f), getattr(b, f)
        if not np.array_equal(x, y):
            raise AssertionError(f"RaidResult.{f} differs")
    assert a.threat_types == b.threat_types
    assert a.effector_types == b.effector_types


def assert_conservation(r: RaidResult) -> None:
    """launched = destroyed + lost + leaked in every replication and threat type."""
    o = r.outcomes
    if not np.array_equal(o[:, :, 0], o[:, :, 1] + o[:, :, 2] + o[:, :, 3]):
        raise AssertionError("launched != destroyed + lost + leaked")
