"""Turn a validated Scenario into flat arrays for the engines, and draw one replication.

Both engines consume the same :class:`Night` (routes, tracking, recognition and the uniform
numbers for every shot), so their only difference is how they run the event loop. Every random
number of a replication is drawn here, in one fixed order, from that replication's own
``numpy.random.Generator``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from airshield.catalog import THREAT_KINDS, EffectorType
from airshield.catalog.cheap_layer import default as cheap_default
from airshield.geo import to_local_km
from airshield.interrupts import holds_interrupts
from airshield.kernels.raid import (
    Doctrine,
    Loadout,
    Mobiles,
    NightArrays,
    NightExtra,
    Physics,
    Scene,
    Teams,
    Tracks,
    Units,
    cue_errors,
    dispatch_mobiles,
    ew_exponentials,
    extra_layout,
    sense,
)
from airshield.scenario import Scenario, expand_fire_units
from airshield.scenario.models import (
    CoverageSensor,
    Delay,
    FireRules,
    FixedDelay,
    MobileGroup,
    RadarSensor,
    TeamGroup,
    TriangularDelay,
    UniformDelay,
)
from airshield.vocab import (
    MAX_LEGS,
    ROUTE_COLS,
    EffectorKind,
    Route,
    ThreatKind,
    route_alt,
    route_t,
    route_x,
    route_y,
)

if TYPE_CHECKING:
    from airshield.scenario.laydown import ExpandedUnit

EFFECTOR_KIND_CODE = {k.label: int(k) for k in EffectorKind}
F = NDArray[np.float64]
I = NDArray[np.int64]


@dataclass(frozen=True)
class CompiledRaid:
    """A scenario as arrays (km, s, USD). Index orders are the scenario's YAML order."""

    scenario: Scenario
    origin: tuple[float, float]
    # labels
    threat_types: list[str]
    effector_types: list[str]
    asset_names: list[str]
    unit_names: list[str]
    pool_names: list[str]
    wave_names: list[str]
    # assets
    a_x: F
    a_y: F
    a_value: F
    a_radius: F
    # threat types
    tt_kind: I
    tt_speed_kms: F
    tt_alt_min: F
    tt_alt_max: F
    tt_lethality: F
    tt_perceived: I
    tt_terminal_km: F
    tt_mid_alt: F
    tt_cost: F
    tt_alt_dist: NDArray[np.bool_]  # altitude from the quartiles (else uniform min..max)
    tt_alt_knots: F  # (threat types, 5): altitude at cumulative probability 0, 1/4, 1/2, 3/4, 1
    # waves and threats
    wv_x: F
    wv_y: F
    wv_t0: F
    wv_t1: F
    wv_jitter: F
    wv_target_cdf: F  # (waves, assets)
    wv_nvia: I  # waypoints before the final approach, per wave
    wv_via_x: F  # (waves, MAX_LEGS - 2) their x, in order (unused columns 0)
    wv_via_y: F
    th_type: I
    th_wave: I
    # sensors
    s_x: F
    s_y: F
    s_r: F
    s_amin: F
    s_pdet: F
    s_pdisc: F
    s_cover: NDArray[np.bool_]
    # units
    u_eff: I
    u_kind: I
    u_x: F
    u_y: F
    u_rmin: F
    u_rmax: F
    u_amin: F
    u_amax: F
    u_speed: F
    u_pk: F  # (units, threat kinds)
    u_peff: F  # per-engagement kill probability (salvo)
    u_engcost: F
    u_cwcost: F
    u_engtime: F
    u_channels: I
    u_cap: I
    u_ready0: I
    u_reload: F
    u_pool: I
    u_reserve: I
    u_cost_shot: F
    pool_stock0: I
    # doctrine
    rounds_per_eng: int
    max_shots: int
    max_ew: int
    cost_threshold: float
    cost_weight: float
    # raid model v2, part A (see kernels.raid.Physics): per unit, then per threat type
    u_fire_range: F  # kinetic: intercepts only within this range (km); EW: the field
    u_pk_npts: I  # (units, kinds) Pk curve points, 0 = flat
    u_pk_rf: F  # (units, kinds, K)
    u_pk_val: F  # (units, kinds, K)
    u_shot_cap: I  # (units, threat types) rounds at a threat under which the unit fires
    u_c2_kind: I  # DelayKind per unit
    u_c2_min: F
    u_c2_mode: F
    u_c2_max: F
    u_ew_hazard: NDArray[np.bool_]
    u_ew_rate: F  # (units, kinds) per second
    tt_ew_factor: F  # 1 - ew_resistance per threat type
    lost_harm_share: float
    # sensing v2 (per sensor; off: binary detection)
    s_firm: F
    s_capacity: I  # -1: unlimited
    s_antenna: F  # -1: no radar horizon
    s_poserr: F
    sensing_v2: bool
    # interceptor-drone team groups (per unit; False / neutral for other units)
    u_team: NDArray[np.bool_]
    u_acq: F
    u_ratio_min: F
    u_ratio_full: F
    u_condition: F
    u_hunt_sigma: F
    u_recover: F
    # mobile fire groups (per unit)
    u_mobile: NDArray[np.bool_]
    u_road_kms: F
    u_reaction: F
    u_setup: F
    u_dispatch: F

    @property
    def any_team(self) -> bool:
        """Whether a team group is laid down (the night then draws hunt times and recoveries)."""
        return bool(self.u_team.any())

    @property
    def n_threats(self) -> int:
        return int(self.th_type.shape[0])

    # ---- the kernel's typed structures (views of the arrays above, built once per object; a
    # dataclasses.replace copy builds its own) ----------------------------------------------
    def units(self) -> Units:
        """The fire units as the kernel reads them."""
        hit = self.__dict__.get("_units")
        if hit is not None:
            return hit
        self.__dict__["_units"] = out = Units(
            kind=self.u_kind, x=self.u_x, y=self.u_y, range_min_km=self.u_rmin,
            range_max_km=self.u_rmax, alt_min_km=self.u_amin, alt_max_km=self.u_amax,
            speed_kms=self.u_speed, pk=self.u_pk, peff=self.u_peff,
            engage_cost_usd=self.u_engcost, weighted_cost=self.u_cwcost,
            engage_time_s=self.u_engtime, channels=self.u_channels, capacity=self.u_cap,
            reload_s=self.u_reload, pool=self.u_pool, reserve=self.u_reserve,
            effector=self.u_eff, cost_per_round_usd=self.u_cost_shot,
            teams=Teams(
                is_team=self.u_team, acquire_km=self.u_acq, ratio_min=self.u_ratio_min,
                ratio_full=self.u_ratio_full, condition=self.u_condition,
                time_sigma=self.u_hunt_sigma, recover_p=self.u_recover, any_team=self.any_team,
            ),
            mobiles=Mobiles(
                is_mobile=self.u_mobile, road_kms=self.u_road_kms, reaction_s=self.u_reaction,
                setup_s=self.u_setup, dispatch_km=self.u_dispatch,
                any_mobile=bool(self.u_mobile.any()),
            ),
        )  # fmt: skip
        return out

    def physics(self) -> Physics:
        """The raid model v2 rules as the kernel reads them (per-threat columns follow
        ``th_type``, so a copy with other threats builds its own)."""
        hit = self.__dict__.get("_physics")
        if hit is not None:
            return hit
        any_c2 = bool((self.u_c2_kind != 0).any())
        self.__dict__["_physics"] = out = Physics(
            fire_range_km=self.u_fire_range, pk_npts=self.u_pk_npts, pk_rf=self.u_pk_rf,
            pk_val=self.u_pk_val, shot_cap=self.u_shot_cap,
            th_ptype=np.ascontiguousarray(self.tt_perceived[self.th_type]),
            c2_kind=self.u_c2_kind, c2_min_s=self.u_c2_min, c2_mode_s=self.u_c2_mode,
            c2_max_s=self.u_c2_max, n_c2=int(self.max_shots) if any_c2 else 0,
            ew_hazard=self.u_ew_hazard, ew_rate_per_s=self.u_ew_rate,
            th_ew_factor=np.ascontiguousarray(self.tt_ew_factor[self.th_type]),
            any_hazard=bool(self.u_ew_hazard.any()), lost_harm_share=float(self.lost_harm_share),
        )  # fmt: skip
        return out

    def loadout(self) -> Loadout:
        """Rounds at the start of the night: ready per unit, stock per pool."""
        return Loadout(ready=self.u_ready0, stock=self.pool_stock0)

    def doctrine(self) -> Doctrine:
        return Doctrine(
            rounds_per_eng=int(self.rounds_per_eng), max_shots=int(self.max_shots),
            max_ew=int(self.max_ew), cost_threshold=float(self.cost_threshold),
        )  # fmt: skip

    def scene(self) -> Scene:
        """What a replication is drawn from and tallied by."""
        hit = self.__dict__.get("_scene")
        if hit is not None:
            return hit
        self.__dict__["_scene"] = out = Scene(
            th_type=self.th_type, th_wave=self.th_wave, wv_x=self.wv_x, wv_y=self.wv_y,
            wv_t0=self.wv_t0, wv_t1=self.wv_t1, wv_jitter=self.wv_jitter,
            wv_target_cdf=self.wv_target_cdf, wv_nvia=self.wv_nvia, wv_via_x=self.wv_via_x,
            wv_via_y=self.wv_via_y, a_x=self.a_x, a_y=self.a_y,
            a_radius=self.a_radius, a_value=self.a_value, tt_kind=self.tt_kind,
            tt_speed_kms=self.tt_speed_kms, tt_alt_min=self.tt_alt_min,
            tt_alt_max=self.tt_alt_max, tt_lethality=self.tt_lethality,
            tt_log_survival=self.tt_log_survival, tt_perceived=self.tt_perceived,
            tt_terminal_km=self.tt_terminal_km, tt_mid_alt=self.tt_mid_alt,
            tt_alt_dist=self.tt_alt_dist, tt_alt_knots=self.tt_alt_knots, s_x=self.s_x,
            s_y=self.s_y, s_r=self.s_r, s_amin=self.s_amin, s_pdet=self.s_pdet,
            s_pdisc=self.s_pdisc, s_cover=self.s_cover, n_effectors=len(self.effector_types),
            tracks=Tracks(
                firm_s=self.s_firm, capacity=self.s_capacity, antenna_m=self.s_antenna,
                pos_err_km=self.s_poserr, v2=bool(self.sensing_v2),
            ),
        )  # fmt: skip
        return out

    @property
    def tt_log_survival(self) -> F:
        """log(1 - lethality) per threat type (lethality capped below 1): a hit leaves
        ``exp(x)`` of an asset's value."""
        return np.log1p(-np.minimum(self.tt_lethality, 1 - 1e-15))


def compile_scenario(sc: Scenario) -> CompiledRaid:
    """Flatten a validated scenario (references already checked) into engine arrays."""
    cat = sc.resolved_catalog()
    lat0, lon0 = sc.origin_point()

    def xy(lat: list[float], lon: list[float]) -> tuple[F, F]:
        x, y = to_local_km(np.asarray(lat, float), np.asarray(lon, float), lat0, lon0)
        return np.atleast_1d(x).astype(np.float64), np.atleast_1d(y).astype(np.float64)

    a_x, a_y = xy([a.lat for a in sc.assets], [a.lon for a in sc.assets])
    a_value = np.array([a.value_usd for a in sc.assets], float)

    tnames: list[str] = []
    for w in sc.waves:
        if w.threat not in tnames:
            tnames.append(w.threat)
    for name in list(tnames):
        m = cat.threats[name].mimics
        if m is not None and m not in tnames:
            tnames.append(m)
    ttypes = [cat.threats[n] for n in tnames]
    tt_perceived = np.array(
        [tnames.index(t.mimics) if t.mimics is not None else i for i, t in enumerate(ttypes)],
        np.int64,
    )

    sites = {s.name: s for s in sc.launch_sites}
    wv_x, wv_y = xy(
        [sites[w.launch_site].lat for w in sc.waves], [sites[w.launch_site].lon for w in sc.waves]
    )
    wv_nvia = np.array([len(w.via) for w in sc.waves], np.int64)
    wv_via_x = np.zeros((len(sc.waves), MAX_LEGS - 2))
    wv_via_y = np.zeros((len(sc.waves), MAX_LEGS - 2))
    for i, w in enumerate(sc.waves):
        if w.via:
            vx, vy = xy([p.lat for p in w.via], [p.lon for p in w.via])
            wv_via_x[i, : len(w.via)] = vx
            wv_via_y[i, : len(w.via)] = vy
    asset_idx = {a.name: i for i, a in enumerate(sc.assets)}
    cdf = np.zeros((len(sc.waves), len(sc.assets)))
    for i, w in enumerate(sc.waves):
        weights = np.zeros(len(sc.assets))
        if w.targets is not None:
            for a, wt in w.targets.items():
                weights[asset_idx[a]] += wt
        elif w.main_direction is not None:
            share = w.main_direction.share
            rest = a_value.copy()
            rest[asset_idx[w.main_direction.asset]] = 0.0
            if rest.sum() > 0:
                weights = (1.0 - share) * rest / rest.sum()
            else:
                share = 1.0
            weights[asset_idx[w.main_direction.asset]] += share
        else:
            weights = a_value.copy()
        weights = weights / weights.sum()
        cdf[i] = np.cumsum(weights)
        cdf[i, -1] = 1.0
    th_type = np.concatenate(
        [np.full(w.count, tnames.index(w.threat), np.int64) for w in sc.waves]
        or [np.zeros(0, np.int64)]
    ).astype(np.int64)
    th_wave = np.concatenate(
        [np.full(w.count, i, np.int64) for i, w in enumerate(sc.waves)] or [np.zeros(0, np.int64)]
    ).astype(np.int64)

    # sensors
    radar_lat = [getattr(s, "lat", lat0) for s in sc.sensors]
    radar_lon = [getattr(s, "lon", lon0) for s in sc.sensors]
    s_x, s_y = xy(radar_lat, radar_lon) if sc.sensors else (np.zeros(0), np.zeros(0))
    s_cover = np.array([isinstance(s, CoverageSensor) for s in sc.sensors], np.bool_)
    s_r = np.array(
        [np.inf if isinstance(s, CoverageSensor) else s.range_km for s in sc.sensors], float
    )
    s_amin = np.array([getattr(s, "altitude_min_km", 0.0) for s in sc.sensors], float)
    s_pdet = np.array([s.p_detect for s in sc.sensors], float)
    s_pdisc = np.array([s.p_discriminate_decoy for s in sc.sensors], float)
    radars = [s if isinstance(s, RadarSensor) else None for s in sc.sensors]
    sensing: dict[str, Any] = {
        "s_firm": np.array([r.firm_track_s if r else 0.0 for r in radars], float),
        "s_capacity": np.array(
            [r.track_capacity if r and r.track_capacity is not None else -1 for r in radars],
            np.int64,
        ),
        "s_antenna": np.array(
            [r.antenna_height_m if r and r.antenna_height_m is not None else -1.0 for r in radars],
            float,
        ),
        "s_poserr": np.array([s.position_error_km for s in sc.sensors], float),
        "sensing_v2": any(s.sensing_v2 for s in sc.sensors),
    }

    # units
    units = expand_fire_units(sc)
    enames: list[str] = []
    for u in units:
        if u.effector not in enames:
            enames.append(u.effector)
    for p in sc.pools:
        if p.effector not in enames:
            enames.append(p.effector)
    pools = {p.name: i for i, p in enumerate(sc.pools)}
    s_eng = sc.doctrine.rounds_per_engagement
    etypes = [cat.effectors[u.effector] for u in units]
    u_x, u_y = (
        xy([u.lat for u in units], [u.lon for u in units]) if units else (np.zeros(0), np.zeros(0))
    )
    u_pk = np.array([[e.pk.of(k) for k in THREAT_KINDS] for e in etypes], float).reshape(-1, 4)
    u_kind = np.array([EFFECTOR_KIND_CODE[e.kind] for e in etypes], np.int64)
    u_cost = np.array([e.cost_per_shot_usd for e in etypes], float)
    u_peff = 1.0 - (1.0 - u_pk) ** s_eng
    u_engcost = u_cost * s_eng
    cap = np.array(
        [
            0
            if e.kind == "ew"
            else (u.ready_rounds if u.ready_rounds is not None else e.ready_rounds)
            for u, e in zip(units, etypes, strict=True)
        ],
        np.int64,
    )
    v2 = _unit_rules(sc, units, etypes, tnames)
    cheap = _cheap_layer(sc, units, etypes)
    return CompiledRaid(
        **cheap,
        scenario=sc,
        origin=(lat0, lon0),
        threat_types=tnames,
        effector_types=enames,
        asset_names=[a.name for a in sc.assets],
        unit_names=[u.name for u in units],
        pool_names=[p.name for p in sc.pools],
        wave_names=[w.name for w in sc.waves],
        a_x=a_x,
        a_y=a_y,
        a_value=a_value,
        a_radius=np.array([a.radius_km for a in sc.assets], float),
        tt_kind=np.array([int(ThreatKind.of(t.kind)) for t in ttypes], np.int64),
        tt_speed_kms=np.array([t.speed_kmh / 3600.0 for t in ttypes], float),
        tt_alt_min=np.array([t.altitude_min_km for t in ttypes], float),
        tt_alt_max=np.array([t.altitude_max_km for t in ttypes], float),
        tt_lethality=np.array([t.lethality for t in ttypes], float),
        tt_perceived=tt_perceived,
        tt_terminal_km=np.array([t.terminal_range_km or 0.0 for t in ttypes], float),
        tt_mid_alt=np.array([t.midcourse_altitude_km or 0.0 for t in ttypes], float),
        tt_cost=np.array([t.cost_usd for t in ttypes], float),
        tt_alt_dist=np.array([t.has_altitude_distribution for t in ttypes], np.bool_),
        tt_alt_knots=np.array([t.altitude_knots_km() for t in ttypes], float).reshape(-1, 5),
        wv_x=wv_x,
        wv_y=wv_y,
        wv_t0=np.array([w.launch_start_s for w in sc.waves], float),
        wv_t1=np.array([w.launch_end_s for w in sc.waves], float),
        wv_jitter=np.array([w.route_jitter_km for w in sc.waves], float),
        wv_target_cdf=cdf,
        wv_nvia=wv_nvia,
        wv_via_x=wv_via_x,
        wv_via_y=wv_via_y,
        th_type=th_type,
        th_wave=th_wave,
        s_x=s_x,
        s_y=s_y,
        s_r=s_r,
        s_amin=s_amin,
        s_pdet=s_pdet,
        s_pdisc=s_pdisc,
        s_cover=s_cover,
        u_eff=np.array([enames.index(u.effector) for u in units], np.int64),
        u_kind=u_kind,
        u_x=u_x,
        u_y=u_y,
        u_rmin=np.array([e.range_min_km for e in etypes], float),
        u_rmax=np.array([e.range_max_km for e in etypes], float),
        u_amin=np.array([e.altitude_min_km for e in etypes], float),
        u_amax=np.array([_ceiling(sc, u, e) for u, e in zip(units, etypes, strict=True)], float),
        u_speed=np.array([e.interceptor_speed_kmh / 3600.0 for e in etypes], float),
        u_pk=u_pk,
        u_peff=u_peff,
        u_engcost=u_engcost,
        u_cwcost=sc.doctrine.cost_weight * u_engcost,
        u_engtime=np.array(
            [_engage_time(sc, u, e) for u, e in zip(units, etypes, strict=True)], float
        ),
        u_channels=np.array(
            [
                u.channels if u.channels is not None else e.channels
                for u, e in zip(units, etypes, strict=True)
            ],
            np.int64,
        ),
        u_cap=cap,
        u_ready0=cap.copy(),
        u_reload=np.array(
            [
                u.reload_s if u.reload_s is not None else e.reload_s
                for u, e in zip(units, etypes, strict=True)
            ],
            float,
        ),
        u_pool=np.array([pools[u.pool] if u.pool is not None else -1 for u in units], np.int64),
        u_reserve=np.array(
            [sc.doctrine.ballistic_reserve.get(u.effector, 0) for u in units], np.int64
        ),
        u_cost_shot=u_cost,
        pool_stock0=np.array([p.stock for p in sc.pools], np.int64),
        rounds_per_eng=s_eng,
        max_shots=sc.doctrine.max_shots_per_threat,
        max_ew=sc.doctrine.max_ew_attempts,
        cost_threshold=sc.doctrine.cost_threshold,
        cost_weight=sc.doctrine.cost_weight,
        tt_ew_factor=np.array([1.0 - t.ew_resistance for t in ttypes], float),
        lost_harm_share=float(sc.engagement.lost_harm_share),
        **v2,
        **sensing,
    )


def _ceiling(sc: Scenario, u: ExpandedUnit, e: EffectorType) -> float:
    spec = sc.fire_units[u.spec_index]
    if isinstance(spec, TeamGroup) and spec.hunt.ceiling_km is not None:
        return spec.hunt.ceiling_km
    return e.altitude_max_km


def _engage_time(sc: Scenario, u: ExpandedUnit, e: EffectorType) -> float:
    spec = sc.fire_units[u.spec_index]
    if isinstance(spec, TeamGroup) and spec.hunt.time_s is not None:
        return spec.hunt.time_s
    return e.engagement_time_s


def condition_factor(sc: Scenario) -> float:
    """The weather / night factor on hunt success (cheap-layer table ``condition.*``)."""
    f = cheap_default(f"condition.{sc.conditions.weather}")
    if sc.conditions.night:
        f *= cheap_default("condition.night")
    return f


def _cheap_layer(
    sc: Scenario, units: list[ExpandedUnit], etypes: list[EffectorType]
) -> dict[str, Any]:
    """Per-unit arrays of team groups and mobile fire groups (unset fields: the cheap-layer
    table's defaults; units of other kinds: off, neutral values)."""
    nu = len(units)
    out: dict[str, Any] = {
        "u_team": np.zeros(nu, np.bool_), "u_mobile": np.zeros(nu, np.bool_),
        **{k: np.ones(nu) for k in ("u_condition",)},
        **{k: np.zeros(nu) for k in ("u_acq", "u_ratio_min", "u_ratio_full", "u_hunt_sigma",
                                      "u_recover", "u_road_kms", "u_reaction", "u_setup",
                                      "u_dispatch")},
    }  # fmt: skip
    cond = condition_factor(sc)

    def pick(value: float | None, name: str) -> float:
        return float(value) if value is not None else cheap_default(name)

    for i, u in enumerate(units):
        spec = sc.fire_units[u.spec_index]
        if isinstance(spec, TeamGroup):
            h = spec.hunt
            out["u_team"][i] = True
            out["u_acq"][i] = pick(h.acquisition_radius_km, "hunt.acquisition_radius_km")
            lo = pick(h.speed_ratio_min, "hunt.speed_ratio_min")
            hi = pick(h.speed_ratio_full, "hunt.speed_ratio_full")
            out["u_ratio_min"][i] = lo
            out["u_ratio_full"][i] = max(lo, hi)
            out["u_condition"][i] = cond
            out["u_hunt_sigma"][i] = pick(h.time_sigma, "hunt.time_sigma")
            out["u_recover"][i] = pick(h.recovery_p, "hunt.recovery_p")
        elif isinstance(spec, MobileGroup):
            out["u_mobile"][i] = True
            speed = pick(spec.speed_kmh, "mobile.speed_kmh") / 3600.0
            out["u_road_kms"][i] = speed / pick(spec.road_factor, "mobile.road_factor")
            out["u_reaction"][i] = pick(spec.reaction_s, "mobile.reaction_s")
            out["u_setup"][i] = pick(spec.setup_s, "mobile.setup_s")
            out["u_dispatch"][i] = pick(spec.max_dispatch_km, "mobile.max_dispatch_km")
    return out


#: codes of the C2 delay distributions in Physics.c2_kind (0: no delay)
DELAY_KIND = {"fixed": 1, "uniform": 2, "triangular": 3}


def unit_fire_rules(sc: Scenario, effector: str, spec_index: int) -> FireRules:
    """A fire unit's weapon-release rules, each field inherited fire unit -> effector type
    (``doctrine.effectors``) -> scenario doctrine; ``shots_per_threat`` merged key by key."""
    d = sc.doctrine
    levels = [sc.fire_units[spec_index].rules, d.effectors.get(effector)]
    frac: float = d.firing_range_fraction
    delay: Delay | None = d.c2_delay
    shots = dict(d.shots_per_threat)
    for r in reversed(levels):  # type first, then the unit over it
        if r is None:
            continue
        if r.firing_range_fraction is not None:
            frac = r.firing_range_fraction
        if r.c2_delay is not None:
            delay = r.c2_delay
        shots.update(r.shots_per_threat or {})
    return FireRules(firing_range_fraction=frac, shots_per_threat=shots, c2_delay=delay)


def _delay_params(delay: Delay | None) -> tuple[int, float, float, float]:
    if delay is None:
        return 0, 0.0, 0.0, 0.0
    if isinstance(delay, FixedDelay):
        return DELAY_KIND["fixed"], delay.delay_s, delay.delay_s, delay.delay_s
    if isinstance(delay, UniformDelay):
        return DELAY_KIND["uniform"], delay.min_s, 0.5 * (delay.min_s + delay.max_s), delay.max_s
    assert isinstance(delay, TriangularDelay)
    return DELAY_KIND["triangular"], delay.min_s, delay.mode_s, delay.max_s


def ew_rate_per_s(e: EffectorType, kind: str) -> float:
    """The hazard model's loss rate (1/s) of EW type ``e`` against ``kind``: its
    ``ew_hazard_per_min``, or else the rate that loses a threat with the attempt model's
    probability ``pk`` over one dwell (``-ln(1 - pk) / engagement_time_s``, the dwell at least
    1 s, pk capped at 0.999)."""
    if e.ew_hazard_per_min is not None:
        return e.ew_hazard_per_min.of(kind) / 60.0
    p = min(e.pk.of(kind), 0.999)
    return -math.log1p(-p) / max(e.engagement_time_s, 1.0)


def _unit_rules(
    sc: Scenario, units: list[ExpandedUnit], etypes: list[EffectorType], tnames: list[str]
) -> dict[str, Any]:
    """The per-unit arrays of raid model v2 (CompiledRaid's ``u_fire_range`` ... ``u_ew_rate``)."""
    nu = len(units)
    kinds = THREAT_KINDS
    use_curves = sc.engagement.pk_model == "range"
    hazard = sc.engagement.ew_model == "hazard"
    curves = [
        [e.curve(k) if use_curves and e.kind != "ew" and k in e.pk_curve else None for k in kinds]
        for e in etypes
    ]
    k_max = max([len(c.points) for row in curves for c in row if c is not None] or [1])
    npts = np.zeros((nu, len(kinds)), np.int64)
    rf = np.zeros((nu, len(kinds), k_max))
    val = np.zeros((nu, len(kinds), k_max))
    fire = np.zeros(nu)
    cap = np.zeros((nu, len(tnames)), np.int64)
    c2 = np.zeros((nu, 4))
    ew_h = np.zeros(nu, np.bool_)
    ew_r = np.zeros((nu, len(kinds)))
    max_shots = sc.doctrine.max_shots_per_threat
    for i, (u, e) in enumerate(zip(units, etypes, strict=True)):
        for k, c in enumerate(curves[i]):
            if c is not None:
                npts[i, k] = len(c.points)
                rf[i, k, : len(c.points)] = [p.range_fraction for p in c.points]
                val[i, k, : len(c.points)] = [p.pk for p in c.points]
        rules = unit_fire_rules(sc, u.effector, u.spec_index)
        frac = 1.0 if e.kind == "ew" else float(rules.firing_range_fraction or 1.0)
        fire[i] = e.range_max_km * frac
        shots = rules.shots_per_threat or {}
        cap[i] = [min(max_shots, shots.get(t, max_shots)) for t in tnames]
        if e.kind != "ew":
            c2[i] = _delay_params(rules.c2_delay)
        elif hazard:
            ew_h[i] = True
            ew_r[i] = [ew_rate_per_s(e, k) for k in kinds]
    return {
        "u_fire_range": fire, "u_pk_npts": npts, "u_pk_rf": rf, "u_pk_val": val,
        "u_shot_cap": cap, "u_c2_kind": c2[:, 0].astype(np.int64),
        "u_c2_min": np.ascontiguousarray(c2[:, 1]), "u_c2_mode": np.ascontiguousarray(c2[:, 2]),
        "u_c2_max": np.ascontiguousarray(c2[:, 3]), "u_ew_hazard": ew_h, "u_ew_rate": ew_r,
    }  # fmt: skip


@dataclass(frozen=True)
class Night:
    """Everything random about one replication, drawn up front in a fixed order."""

    routes: F  # (n, len(Route)): columns named by airshield.vocab.Route
    target: I  # asset index per threat
    speed: F  # km/s per threat
    kind: I  # true threat kind index
    pkind: I  # perceived threat kind index
    value: F  # perceived value at risk, USD
    recognised: NDArray[np.bool_]  # decoy recognised (never engaged)
    t_track: F  # first tracked time, inf if never
    u_shot: F  # (n, max_shots + max_ew) uniforms for kill / EW draws
    # raid model v2 draws (kernels.raid.NightExtra), after all of the above
    c2_u: F  # (n, n_c2) uniforms of the C2 delays
    ew_e: F  # (n, max_ew) exponentials of the EW uniforms (hazard model), else (n, 0)
    fall_u: F  # (n,) uniforms of harmful falls of lost threats, else (0,)

    unit_x: F  # where each unit stands this night (mobile groups: their intercept point)
    unit_y: F
    unit_ready: F  # from when each unit may engage (-inf static; mobile: arrival, inf unsent)
    cue_err_km: F  # position error of the track cueing each threat
    z_hunt: F  # (n, max_shots) normals of hunt times with team groups, else (n, 0)
    u_recover: F  # (n, max_shots) uniforms of recoveries with team groups, else (n, 0)

    def extra(self) -> NightExtra:
        """The raid model v2 draws as the kernel reads them."""
        return NightExtra(c2_u=self.c2_u, ew_e=self.ew_e, fall_u=self.fall_u)

    def arrays(self) -> NightArrays:
        """The night as the kernel reads it."""
        return NightArrays(
            routes=self.routes, speed=self.speed, kind=self.kind, pkind=self.pkind,
            value=self.value, recognised=self.recognised, t_track=self.t_track,
            u_shot=self.u_shot, unit_x=self.unit_x, unit_y=self.unit_y,
            unit_ready=self.unit_ready, cue_err_km=self.cue_err_km, z_hunt=self.z_hunt,
            u_recover=self.u_recover,
        )  # fmt: skip


def route_rows(
    lx: F,
    ly: F,
    nv: I,
    vx: F,
    vy: F,
    x1: F,
    y1: F,
    x2: F,
    y2: F,
    t0: F,
    alt0: F,
    alt: F,
    speed: F,
) -> F:
    """Route rows (:class:`~airshield.vocab.Route`) of threats launched at ``(lx, ly)`` at
    ``t0``, through ``nv`` waypoints (rows of ``vx``, ``vy``), the approach waypoint
    ``(x1, y1)`` and the aim point ``(x2, y2)``: every leg but the last at ``alt0``, the last
    at ``alt``. Times accumulate leg by leg, as :func:`airshield.kernels.raid.draw_into`
    writes them (the same operations, so the rows are bit-identical)."""
    n = lx.shape[0]
    routes = np.zeros((n, ROUTE_COLS), np.float64)
    rows = np.arange(n)
    routes[:, route_x(0)] = lx
    routes[:, route_y(0)] = ly
    routes[:, Route.T0] = t0
    for q in range(MAX_LEGS - 2):
        on = q < nv
        routes[on, route_x(q + 1)] = vx[on, q]
        routes[on, route_y(q + 1)] = vy[on, q]
    routes[rows, route_x(0) + 2 * nv + 2] = x1
    routes[rows, route_y(0) + 2 * nv + 2] = y1
    routes[rows, route_x(0) + 2 * nv + 4] = x2
    routes[rows, route_y(0) + 2 * nv + 4] = y2
    nl = nv + 2
    for q in range(MAX_LEGS):
        on = q < nl
        px = routes[on, route_x(q)]
        py = routes[on, route_y(q)]
        dx = routes[on, route_x(q + 1)] - px
        dy = routes[on, route_y(q + 1)] - py
        routes[on, route_t(q + 1)] = routes[on, route_t(q)] + np.hypot(dx, dy) / speed[on]
        routes[on, route_alt(q)] = alt0[on]
    routes[rows, Route.ALT0 + nl - 1] = alt
    routes[:, Route.NLEGS] = nl
    routes[:, Route.T_IMPACT] = routes[rows, Route.T0 + nl]
    return routes


@holds_interrupts  # Ctrl-C after the compiled calls, never inside them
def draw_night(c: CompiledRaid, rng: np.random.Generator) -> Night:
    """Draw one replication's threats, routes, sensing and shot uniforms from ``rng``."""
    n = c.n_threats
    ns = c.s_x.shape[0]
    # fixed draw order: launch, target, route jitter, aim point, altitude, sensing, recognition, shots
    u_launch = rng.random(n)
    u_target = rng.random(n)
    z_jitter = rng.standard_normal(n)
    u_aim = rng.random((n, 2))
    u_alt = rng.random(n)
    u_sense = rng.random((n, ns))
    u_disc = rng.random(n)
    u_shot = rng.random((n, c.max_shots + c.max_ew))
    # raid model v2: only when its rules are on, after every draw of version 1
    ph = c.physics()
    k3, n_ew = extra_layout(n, ph, c.doctrine())
    u3 = rng.random(k3) if k3 else np.zeros(0)
    c2_u = u3[: n * ph.n_c2].reshape(n, ph.n_c2)
    fall_u = u3[n * ph.n_c2 :]
    ew_e = ew_exponentials(u_shot[:, c.max_shots :]) if n_ew else np.zeros((n, 0))
    # cheap layer, drawn after everything else and only with team groups (older scenarios draw
    # exactly the numbers they always drew)
    h = c.max_shots if c.any_team else 0
    z_hunt = rng.standard_normal((n, h)) if h else np.zeros((n, 0))
    u_recover = rng.random((n, h)) if h else np.zeros((n, 0))

    tt = c.th_type
    wv = c.th_wave
    t0 = c.wv_t0[wv] + u_launch * (c.wv_t1[wv] - c.wv_t0[wv])
    cdf = c.wv_target_cdf[wv]
    target = np.minimum((u_target[:, None] >= cdf).sum(axis=1), c.a_x.shape[0] - 1).astype(np.int64)
    r_aim = c.a_radius[target] * np.sqrt(u_aim[:, 0])
    th_aim = 2.0 * np.pi * u_aim[:, 1]
    x2 = c.a_x[target] + r_aim * np.cos(th_aim)
    y2 = c.a_y[target] + r_aim * np.sin(th_aim)
    # the final approach starts at the last waypoint (the launch point without any)
    nv = c.wv_nvia[wv]
    last = np.maximum(nv - 1, 0)
    x0 = np.where(nv > 0, c.wv_via_x[wv, last], c.wv_x[wv])
    y0 = np.where(nv > 0, c.wv_via_y[wv, last], c.wv_y[wv])
    dx = x2 - x0
    dy = y2 - y0
    dist = np.hypot(dx, dy)
    safe = np.where(dist > 0, dist, 1.0)
    ex, ey = dx / safe, dy / safe
    kind = c.tt_kind[tt]
    ballistic = kind == ThreatKind.BALLISTIC_MISSILE
    alt = c.tt_alt_min[tt] + u_alt * (c.tt_alt_max[tt] - c.tt_alt_min[tt])
    if c.tt_alt_dist.any():
        # piecewise-linear quantile function through the quartiles (same uniform, so types
        # without quartiles draw exactly as before)
        s4 = u_alt * 4.0
        seg = np.minimum(np.floor(s4).astype(np.int64), 3)
        frac = s4 - seg
        lo = c.tt_alt_knots[tt, seg]
        q_alt = lo + frac * (c.tt_alt_knots[tt, seg + 1] - lo)
        alt = np.where(c.tt_alt_dist[tt], q_alt, alt)
    # waypoint: jittered midpoint (air-breathing) or start of the terminal phase (ballistic)
    lateral = z_jitter * c.wv_jitter[wv]
    term = np.minimum(c.tt_terminal_km[tt], dist)
    x1 = np.where(ballistic, x2 - ex * term, 0.5 * (x0 + x2) - ey * lateral)
    y1 = np.where(ballistic, y2 - ey * term, 0.5 * (y0 + y2) + ex * lateral)
    alt0 = np.where(ballistic, c.tt_mid_alt[tt], alt)
    speed = c.tt_speed_kms[tt]
    routes = route_rows(c.wv_x[wv], c.wv_y[wv], nv, c.wv_via_x[wv], c.wv_via_y[wv], x1, y1,
                        x2, y2, t0, alt0, alt, speed)  # fmt: skip

    tracks = c.scene().tracks
    t_track, s_idx = sense(
        routes, speed, c.s_x, c.s_y, c.s_r, c.s_amin, c.s_pdet, c.s_cover, tracks, u_sense
    )
    cue = np.empty(n)
    cue_errors(tracks, s_idx, cue)
    p_disc = np.where(s_idx >= 0, c.s_pdisc[np.maximum(s_idx, 0)], 0.0) if ns else np.zeros(n)
    recognised = (kind == ThreatKind.DECOY) & (s_idx >= 0) & (u_disc < p_disc)
    pt = c.tt_perceived[tt]
    value = c.a_value[target] * c.tt_lethality[pt]
    pkind = np.ascontiguousarray(c.tt_kind[pt])
    nu = c.u_x.shape[0]
    unit_x, unit_y, unit_ready = np.empty(nu), np.empty(nu), np.empty(nu)
    dispatch_mobiles(c.units(), routes, speed, pkind, t_track, recognised, unit_x, unit_y,
                     unit_ready)  # fmt: skip
    return Night(
        routes=routes,
        target=target,
        speed=np.ascontiguousarray(speed),
        kind=np.ascontiguousarray(kind),
        pkind=pkind,
        value=np.ascontiguousarray(value),
        recognised=recognised,
        t_track=t_track,
        u_shot=u_shot,
        c2_u=np.ascontiguousarray(c2_u),
        ew_e=ew_e,
        fall_u=np.ascontiguousarray(fall_u),
        unit_x=unit_x,
        unit_y=unit_y,
        unit_ready=unit_ready,
        cue_err_km=cue,
        z_hunt=z_hunt,
        u_recover=u_recover,
    )
