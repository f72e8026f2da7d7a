"""One replication in detail, for maps and reports: every threat's route, fate and responsible unit."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from airshield.catalog import THREAT_KINDS
from airshield.geo import to_latlon
from airshield.kernels.raid import position_at
from airshield.raid.compile import compile_scenario, draw_night
from airshield.raid.engines import run_engine
from airshield.scenario import Scenario, expand_fire_units
from airshield.vocab import FATE_LABELS, MAX_LEGS, Route, route_t, route_x, route_y

if TYPE_CHECKING:  # pandas loads only when a frame is built
    import pandas as pd

FATES = FATE_LABELS


def sample_night(sc: Scenario, seed: int = 0, rep: int = 0, engine: str = "auto") -> pd.DataFrame:
    """Replication ``rep`` of ``simulate(sc, seed=seed)``: one row per threat.

    Columns: threat, threat_type, kind, wave, target, fate, by_unit, launch_s, waypoint_s, impact_s,
    fate_s (when it was destroyed, lost or leaked), the route as lat/lon of launch
    (``lat0, lon0``), the waypoint where its final leg starts (``lat1, lon1``; ``waypoint_s``)
    and aim point (``lat2, lon2``), every point of the route as ``route_points`` (a list of
    ``(lat, lon, time_s)``; ``legs`` legs), and where its fate met it (``lat_fate, lon_fate``;
    the aim point for leakers). The same seed and rep give
    the same night as the Monte Carlo run.
    """
    c = compile_scenario(sc)
    child = np.random.SeedSequence(seed).spawn(rep + 1)[rep]
    night = draw_night(c, np.random.default_rng(child))
    out = run_engine(c, night, engine)
    lat0, lon0 = c.origin
    r = night.routes
    rows = np.arange(r.shape[0])
    nl = r[:, Route.NLEGS].astype(np.int64)
    import pandas as pd

    df = pd.DataFrame(
        {
            "threat": np.arange(c.n_threats),
            "threat_type": [c.threat_types[t] for t in c.th_type],
            "kind": [THREAT_KINDS[k] for k in night.kind],
            "wave": [c.wave_names[w] for w in c.th_wave],
            "target": [c.asset_names[a] for a in night.target],
            "fate": [FATES[f] for f in out.fate],
            "by_unit": [c.unit_names[a] if a >= 0 else "" for a in out.agent],
            "legs": r[:, Route.NLEGS].astype(int),
            "launch_s": r[:, Route.T0],
            "waypoint_s": r[rows, Route.T0 + nl - 1],
            "impact_s": r[:, Route.T_IMPACT],
            "fate_s": out.fate_time_s,
        }
    )
    # points 0 (launch), 1 (the last waypoint, where the final leg starts) and 2 (aim point)
    for k, pt in enumerate((np.zeros_like(nl), nl - 1, nl)):
        la, lo = to_latlon(r[rows, route_x(0) + 2 * pt], r[rows, route_y(0) + 2 * pt], lat0, lon0)
        df[f"lat{k}"] = la
        df[f"lon{k}"] = lo
    # every point of each route (launch, waypoints, aim point), with the time it is reached
    pts = [to_latlon(r[:, route_x(k)], r[:, route_y(k)], lat0, lon0) for k in range(MAX_LEGS + 1)]
    df["route_points"] = pd.Series([
        [(float(pts[k][0][j]), float(pts[k][1][j]), float(r[j, route_t(k)]))
         for k in range(int(nl[j]) + 1)]
        for j in range(r.shape[0])
    ], dtype=object)  # fmt: skip
    xy = np.array([position_at(r[j], out.fate_time_s[j]) for j in range(c.n_threats)]).reshape(
        -1, 2
    )
    la, lo = to_latlon(xy[:, 0], xy[:, 1], lat0, lon0)
    df["lat_fate"] = la
    df["lon_fate"] = lo
    return df


def laydown_frame(sc: Scenario) -> pd.DataFrame:
    """Fire units after laydown rules are expanded, with their effector's envelope."""
    cat = sc.resolved_catalog()
    rows = []
    for u in expand_fire_units(sc):
        e = cat.effectors[u.effector]
        rows.append(
            {
                "unit": u.name,
                "effector_type": u.effector,
                "effector_kind": e.kind,
                "lat": u.lat,
                "lon": u.lon,
                "range_min_km": e.range_min_km,
                "range_max_km": e.range_max_km,
                "pool": u.pool or "",
            }
        )
    import pandas as pd

    return pd.DataFrame(rows)
