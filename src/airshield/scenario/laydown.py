"""Laydown generators: expand ``ring`` / ``line`` rules into concrete fire units."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from airshield.geo import offset_latlon
from airshield.scenario.models import (
    FireUnit,
    FireUnitSpec,
    LineLaydown,
    MobileGroup,
    RingLaydown,
    Scenario,
    TeamGroup,
)


@dataclass(frozen=True)
class ExpandedUnit:
    """A concrete fire unit after laydown rules are expanded; ``spec_index`` is its YAML entry."""

    name: str
    effector: str
    lat: float
    lon: float
    channels: int | None
    ready_rounds: int | None
    reload_s: float | None
    pool: str | None
    spec_index: int


def _expand_one(
    spec: FireUnitSpec, index: int, assets: dict[str, tuple[float, float]]
) -> list[ExpandedUnit]:
    opts = {
        "effector": spec.effector,
        "channels": spec.teams if isinstance(spec, TeamGroup) else spec.channels,
        "ready_rounds": spec.ready_rounds,
        "reload_s": spec.reload_s,
        "pool": spec.pool,
        "spec_index": index,
    }
    if isinstance(spec, FireUnit | TeamGroup | MobileGroup):
        return [ExpandedUnit(name=spec.name, lat=spec.lat, lon=spec.lon, **opts)]  # type: ignore[arg-type]
    out: list[ExpandedUnit] = []
    if isinstance(spec, RingLaydown):
        lat0, lon0 = assets[spec.around]
        full = spec.arc_deg >= 360.0
        n = spec.count
        for i in range(n):
            if full:
                bearing = spec.bearing_deg + 360.0 * i / n
            else:
                frac = 0.5 if n == 1 else i / (n - 1)
                bearing = spec.bearing_deg - spec.arc_deg / 2 + spec.arc_deg * frac
            lat, lon = offset_latlon(lat0, lon0, bearing, spec.radius_km)
            out.append(ExpandedUnit(name=f"{spec.name}-{i + 1}", lat=lat, lon=lon, **opts))  # type: ignore[arg-type]
    elif isinstance(spec, LineLaydown):
        for i, f in enumerate(np.linspace(0.0, 1.0, spec.count) if spec.count > 1 else [0.5]):
            lat = spec.start.lat + (spec.end.lat - spec.start.lat) * float(f)
            lon = spec.start.lon + (spec.end.lon - spec.start.lon) * float(f)
            out.append(ExpandedUnit(name=f"{spec.name}-{i + 1}", lat=lat, lon=lon, **opts))  # type: ignore[arg-type]
    return out


def expand_fire_units(sc: Scenario) -> list[ExpandedUnit]:
    """All fire units of a scenario, laydown rules expanded, in YAML order."""
    assets = {a.name: (a.lat, a.lon) for a in sc.assets}
    units: list[ExpandedUnit] = []
    for i, spec in enumerate(sc.fire_units):
        units.extend(_expand_one(spec, i, assets))
    return units
