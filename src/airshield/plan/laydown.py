"""Where to place fire units, against an attacker who answers (``airshield plan laydown``).

The defender places units of given types on candidate sites; the attacker sees the laydown and
picks the plan of its plan space (:mod:`airshield.scenario.attack`) that maximises harmful
leakers. The defender wants the laydown whose worst plan is least bad: a max-min (Stackelberg)
game, solved in three steps (docs/plan.md, "Laydown"):

1. **Coefficients from the raid engine.** For a plan, ``coefficient_reps`` nights are drawn with
   the engine's own :func:`~airshield.raid.compile.draw_night` (seed-sequence child ``i`` for
   night ``i``, common to every plan and every laydown). Threats are grouped into **streams**
   (wave x target asset); for each stream and each (unit type, site) the coefficient is the
   share of its threats whose route enters the type's engagement envelope from that site (the
   engine's two legs, its range annulus and altitude band) while tracked.
2. **The defender's MILP** (HiGHS): integer units per (type, site), engagements ``z`` per
   (plan, stream, type, site) bounded by coverage, by each unit's engagements per night
   (rounds in its magazine and pool share, channels x raid length / engagement time, scaled by
   the share of harmful threats among those the defence cannot tell apart), and kills
   ``sum pk z`` by the stream's size; minimise ``t >= harmful_p - kills_p`` over the plans
   ``p`` found so far.
3. **Double oracle.** Solve the MILP against the attacker plans found so far (its best bound is
   a **lower bound** on the model game's value); give the attacker its best response to that
   laydown in the same model over the whole plan space (one LP per plan, or coordinate ascent
   when the space is large): the best such value so far is an **upper bound**. Add the plan,
   repeat until the bounds meet within ``tolerance`` or ``max_iterations``.

Then the chosen laydown and the scenario's own (rule-based) laydown are **simulated** with the
raid engine: the default plan (the mean case) and the simulated best response with its KN guard
(the worst case, :func:`airshield.plan.attack.best_response`).

Limits, stated: the coverage model is linear in engagements (overlapping kills add up to the
stream's size, not ``1 - prod(1 - pk)``), ignores timing inside the night (reloads,
saturation over minutes), and the bounds are certified for that model, not for the engine;
the simulated mean and worst case are the engine's numbers.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from numpy.typing import NDArray
from pydantic import Field

from airshield.errors import Problem, ScenarioError
from airshield.scenario import limits as L
from airshield.scenario.attack import AttackScenario, Plan
from airshield.scenario.models import Lat, Lon, Name, Point, Scenario, Strict, Text

F = NDArray[np.float64]


# ---- the spec ---------------------------------------------------------------------------------
class GridSites(Strict):
    """Candidate sites on a regular grid (km spacing in the scenario's local plane)."""

    kind: Literal["grid"]
    south_west: Point
    north_east: Point
    spacing_km: float = Field(gt=0, le=L.MAX_KM)


class RingSites(Strict):
    """Candidate sites on rings around an asset: every ``every_deg`` on each radius."""

    kind: Literal["rings"]
    around: Name = Field(description="asset name")
    radii_km: list[Annotated[float, Field(gt=0, le=L.MAX_KM)]] = Field(min_length=1)
    every_deg: float = Field(30.0, gt=0, le=360)


class NamedSite(Strict):
    name: Name
    lat: Lat
    lon: Lon


class ListSites(Strict):
    kind: Literal["list"]
    points: list[NamedSite] = Field(min_length=1, max_length=L.MAX_LIST_ITEMS)


class AssetSites(Strict):
    """A candidate site at every asset (or the ones named): point defence of dispersed sites."""

    kind: Literal["assets"]
    names: list[Name] | None = Field(None, description="default: every asset")


SiteSpec = Annotated[GridSites | RingSites | ListSites | AssetSites, Field(discriminator="kind")]


class Exclusion(Strict):
    """No candidate site within ``radius_km`` of this point (water, towns, the border...)."""

    lat: Lat
    lon: Lon
    radius_km: float = Field(gt=0, le=L.MAX_KM)


class UnitStock(Strict):
    """Units of one effector type to place."""

    effector: Name
    count: int = Field(ge=1, le=L.MAX_RULE_UNITS)
    pool: Name | None = Field(None, description="default: the pool of the scenario's units")
    max_per_site: int = Field(1, ge=1, le=64)


class LaydownSpec(Strict):
    """``airshield plan laydown SPEC.yaml``: what to place, where it may go, against what."""

    name: Name
    description: Text = ""
    scenario: Name = Field(description="plan-space scenario file (relative to this file)")
    units: list[UnitStock] | None = Field(
        None, description="default: the scenario's fire units by type, except those kept"
    )
    keep: list[Name] = Field(
        default_factory=list, description="scenario fire-unit entries that stay where they are"
    )
    sites: list[SiteSpec] = Field(min_length=1, max_length=L.MAX_LIST_ITEMS)
    exclusions: list[Exclusion] = Field(default_factory=list, max_length=L.MAX_LIST_ITEMS)
    coefficient_reps: int = Field(8, ge=1, le=1000)
    reps: int = Field(40, ge=2, le=L.MAX_REPS, description="replications of the simulations")
    seed: int = Field(0, ge=0, le=L.MAX_SEED)
    tolerance: float = Field(0.5, ge=0, description="stop when upper - lower <= this (leakers)")
    max_iterations: int = Field(8, ge=1, le=100)
    time_limit_s: float = Field(60.0, gt=0, le=86_400, description="per MILP")
    mip_max_nodes: int | None = Field(
        None, ge=1, le=10**9,
        description="branch-and-bound nodes per MILP: a limit that gives the same answer on any "
        "machine load (a MILP stopped by time_limit_s depends on the machine's speed)",
    )  # fmt: skip
    mip_gap: float = Field(
        1e-6, ge=0, le=0.5,
        description="relative gap at which a MILP stops: with mip_max_nodes, and a time limit "
        "that never binds, the answer is the same on any machine (HiGHS, one thread, seed 0)",
    )  # fmt: skip


@dataclass(frozen=True)
class Site:
    name: str
    lat: float
    lon: float


@dataclass(frozen=True)
class LoadedLaydown:
    spec: LaydownSpec
    attack: AttackScenario
    sites: list[Site]
    units: list[UnitStock]
    path: str | None = None

    @property
    def scenario(self) -> Scenario:
        return self.attack.scenario


def expand_sites(spec: LaydownSpec, sc: Scenario) -> list[Site]:
    """The candidate sites of the spec's rules, without those inside an exclusion, de-duplicated
    (sites closer than 10 m merged)."""
    from airshield.geo import great_circle_km, offset_latlon, to_latlon, to_local_km

    assets = {a.name: a for a in sc.assets}
    out: list[Site] = []
    for k, s in enumerate(spec.sites):
        if isinstance(s, ListSites):
            out += [Site(p.name, p.lat, p.lon) for p in s.points]
        elif isinstance(s, AssetSites):
            out += [Site(a.name, a.lat, a.lon) for a in sc.assets
                    if s.names is None or a.name in s.names]  # fmt: skip
        elif isinstance(s, RingSites):
            a = assets[s.around]
            n = max(1, round(360.0 / s.every_deg))
            for r in s.radii_km:
                for i in range(n):
                    lat, lon = offset_latlon(a.lat, a.lon, i * s.every_deg, r)
                    out.append(Site(f"{s.around}-r{r:g}-b{i * s.every_deg:g}", lat, lon))
        else:
            lat0, lon0 = s.south_west.lat, s.south_west.lon
            x1, y1 = to_local_km(s.north_east.lat, s.north_east.lon, lat0, lon0)
            nx = math.floor(float(x1) / s.spacing_km + 1e-9) + 1
            ny = math.floor(float(y1) / s.spacing_km + 1e-9) + 1
            for i in range(max(nx, 0)):
                for j in range(max(ny, 0)):
                    la, lo = to_latlon(i * s.spacing_km, j * s.spacing_km, lat0, lon0)
                    out.append(Site(f"grid{k}-{i}-{j}", float(la), float(lo)))
    kept: list[Site] = []
    for site in out:
        if any(
            great_circle_km(site.lat, site.lon, e.lat, e.lon) < e.radius_km for e in spec.exclusions
        ):
            continue
        if any(great_circle_km(site.lat, site.lon, t.lat, t.lon) < 0.01 for t in kept):
            continue
        kept.append(site)
    return kept


def laydown_from_data(data: Any, path: str | None, lines: dict[Any, int]) -> LoadedLaydown:
    from airshield.scenario.attack import load_attack
    from airshield.scenario.yamlio import line_for, validate_data

    spec = validate_data(LaydownSpec, data, path, lines)
    base = Path(path).parent if path else Path(".")
    scen_path = Path(spec.scenario)
    if not scen_path.is_absolute():
        scen_path = base / scen_path
    if not scen_path.exists():
        from airshield.examples import resolve_example

        scen_path = resolve_example(spec.scenario)
    attack = load_attack(scen_path)
    sc = attack.scenario
    cat = sc.resolved_catalog()
    probs: list[Problem] = []

    def prob(loc: tuple[Any, ...], msg: str) -> None:
        from airshield.scenario.yamlio import format_loc

        probs.append(Problem(format_loc(loc), msg, line_for(loc, lines)))

    names = [u.name for u in sc.fire_units]
    for i, k in enumerate(spec.keep):
        if k not in names:
            prob(("keep", i), f"no fire-unit entry {k!r} in the scenario; expected one of {names}")
    assets = {a.name for a in sc.assets}
    for i, s in enumerate(spec.sites):
        if isinstance(s, RingSites) and s.around not in assets:
            prob(("sites", i, "around"), f"unknown asset {s.around!r}; expected one of "
                 f"{sorted(assets)}")  # fmt: skip
        if isinstance(s, AssetSites):
            for j, n in enumerate(s.names or []):
                if n not in assets:
                    prob(("sites", i, "names", j), f"unknown asset {n!r}")
    pools = {p.name: p for p in sc.pools}
    if spec.units is None:
        from airshield.scenario.laydown import expand_fire_units

        counts: dict[str, int] = {}
        pool_of: dict[str, str | None] = {}
        for eu in expand_fire_units(sc):
            if sc.fire_units[eu.spec_index].name in spec.keep:
                continue
            counts[eu.effector] = counts.get(eu.effector, 0) + 1
            pool_of.setdefault(eu.effector, eu.pool)
        units = [UnitStock(effector=e, count=n, pool=pool_of[e]) for e, n in counts.items()]
    else:
        units = list(spec.units)
        for i, u in enumerate(units):
            if u.effector not in cat.effectors:
                prob(("units", i, "effector"), f"unknown effector type {u.effector!r}; "
                     f"expected one of {sorted(cat.effectors)}")  # fmt: skip
            elif u.pool is not None and u.pool not in pools:
                prob(("units", i, "pool"), f"unknown pool {u.pool!r}; expected one of "
                     f"{sorted(pools)}")  # fmt: skip
            elif u.pool is not None and pools[u.pool].effector != u.effector:
                prob(("units", i, "pool"), f"pool {u.pool!r} holds "
                     f"{pools[u.pool].effector!r} rounds, not {u.effector!r}")  # fmt: skip
    if not units:
        prob(("units",), "nothing to place")
    if probs:
        raise ScenarioError(path, probs)
    sites = expand_sites(spec, sc)
    if not sites:
        raise ScenarioError(path, [Problem("sites", "no candidate site is left after the "
                                           "exclusions", line_for(("sites",), lines))])  # fmt: skip
    return LoadedLaydown(spec, attack, sites, units, path)


def load_laydown(path: str | Path) -> LoadedLaydown:
    from airshield.examples import resolve_example
    from airshield.scenario.yamlio import read_yaml

    path = resolve_example(path)
    data, lines = read_yaml(path)
    return laydown_from_data(data, str(path), lines)


def _without_placed(sc: Scenario, keep: Sequence[str]) -> Scenario:
    return sc.model_copy(update={"fire_units": [u for u in sc.fire_units if u.name in keep]})


# ---- coefficients -----------------------------------------------------------------------------
@dataclass
class TypeInfo:
    effector: str
    count: int
    max_per_site: int
    pool: str | None
    peff: F  # per threat kind (drone, decoy, cruise, ballistic)
    rounds_engagements: float  # engagements its rounds allow (magazine + pool share; inf: EW)
    channels: int
    engagement_time_s: float
    ew: bool
    rmin: float
    rmax: float
    amin: float
    amax: float


@dataclass
class PlanCoefficients:
    """One plan's streams (wave x target asset) and their coverage by (type, site)."""

    plan: Plan
    n: F  # threats per night per stream (harmful only)
    kind: NDArray[np.int64]  # threat kind index of the stream
    cover: list[F]  # per type: (streams, sites) share of the stream's threats in reach
    capacity: list[float]  # per type: engagements per unit per night (inf: unbounded)
    harmful_share: float  # harmful among threats the defence engages (not recognised decoys)
    harmful_total: float


def _segment_reach(
    x0: F, y0: F, x1: F, y1: F, sx: F, sy: F, rmin: float, rmax: float
) -> NDArray[np.bool_]:
    """(threats, sites): the segment enters the annulus rmin <= d <= rmax."""
    dx = (x1 - x0)[:, None]
    dy = (y1 - y0)[:, None]
    px = sx[None, :] - x0[:, None]
    py = sy[None, :] - y0[:, None]
    ll = dx * dx + dy * dy
    t = np.clip(np.where(ll > 0, (px * dx + py * dy) / np.where(ll > 0, ll, 1.0), 0.0), 0.0, 1.0)
    dmin = np.hypot(px - t * dx, py - t * dy)
    dmax = np.maximum(
        np.hypot(px, py), np.hypot(sx[None, :] - x1[:, None], sy[None, :] - y1[:, None])
    )
    return (dmin <= rmax) & (dmax >= rmin)


class Coefficients:
    """Builds and caches :class:`PlanCoefficients` for the plans of a loaded laydown; with
    ``workers`` > 1 or a Dask ``scheduler`` :meth:`prefetch` builds many plans' coefficients
    through the sweep backends (every plan's nights come from the spec's seed, so the numbers
    are the same for any number of workers)."""

    def __init__(self, ld: LoadedLaydown, workers: int = 1, scheduler: str | None = None) -> None:
        from airshield.geo import to_local_km

        self.ld = ld
        self.workers = workers
        self.scheduler = scheduler
        self._runner: Any = None
        self._packed: tuple[str, bytes] | None = None
        sc = ld.scenario
        self.base = _without_placed(sc, ld.spec.keep)
        cat = sc.resolved_catalog()
        lat0, lon0 = sc.origin_point()
        sx, sy = to_local_km([s.lat for s in ld.sites], [s.lon for s in ld.sites], lat0, lon0)
        self.sx, self.sy = np.atleast_1d(sx), np.atleast_1d(sy)
        d = sc.doctrine
        self.max_engagements = max(1, d.max_shots_per_threat // d.rounds_per_engagement)
        self.max_ew = d.max_ew_attempts
        pools = {p.name: p for p in sc.pools}
        from airshield.catalog import THREAT_KINDS

        users: dict[str, int] = {}
        for u in ld.units:
            if u.pool is not None:
                users[u.pool] = users.get(u.pool, 0) + u.count
        self.types: list[TypeInfo] = []
        for u in ld.units:
            e = cat.effectors[u.effector]
            pk = np.array([e.pk.of(k) for k in THREAT_KINDS])
            ew = e.kind == "ew"
            rpe = 1 if ew else d.rounds_per_engagement
            peff = pk if ew else 1.0 - (1.0 - pk) ** rpe
            rounds = 0.0 if ew else float(e.ready_rounds)
            if not ew and u.pool is not None:
                rounds += pools[u.pool].stock / users[u.pool]
            self.types.append(
                TypeInfo(
                    effector=u.effector,
                    count=u.count,
                    max_per_site=u.max_per_site,
                    pool=u.pool,
                    peff=peff,
                    rounds_engagements=math.inf if ew else rounds / rpe,
                    channels=e.channels,
                    engagement_time_s=e.engagement_time_s,
                    rmin=e.range_min_km,
                    rmax=e.range_max_km,
                    amin=e.altitude_min_km,
                    amax=e.altitude_max_km,
                    ew=ew,
                )
            )
        self._cache: dict[Plan, PlanCoefficients] = {}

    def __getstate__(self) -> dict[str, Any]:  # what a worker needs: no cache, no runner
        return {**self.__dict__, "_cache": {}, "_runner": None, "_packed": None}

    def prefetch(self, plans: Sequence[Plan]) -> None:
        """Build the coefficients of every plan not built yet (fanned out when there are
        workers)."""
        todo = list(dict.fromkeys(p for p in plans if p not in self._cache))
        if len(todo) <= 1 or (self.workers <= 1 and not self.scheduler):
            for p in todo:
                self.of(p)
            return
        from airshield.plan.calls import CallRunner, pack

        if self._runner is None:
            self._runner = CallRunner(self.workers, self.scheduler)
        if self._packed is None:
            self._packed = pack(self)
        key, blob = self._packed
        got = self._runner.map(f"{__name__}:coefficients_call", [(key, blob, p) for p in todo])
        for p, pc in zip(todo, got, strict=True):
            self._cache[p] = pc

    def close(self) -> None:
        if self._runner is not None:
            self._runner.close()
            self._runner = None

    def of(self, plan: Plan) -> PlanCoefficients:
        hit = self._cache.get(plan)
        if hit is None:
            hit = self._cache[plan] = self.build(plan)
        return hit

    def build(self, plan: Plan) -> PlanCoefficients:
        """The coefficients of one plan (no cache)."""
        from airshield.raid.compile import compile_scenario, draw_night
        from airshield.vocab import MAX_LEGS, Route, ThreatKind, route_alt, route_x

        sc = self.ld.attack.resolve(plan)
        sc = _without_placed(sc, self.ld.spec.keep)
        c = compile_scenario(sc)
        R = self.ld.spec.coefficient_reps
        children = np.random.SeedSequence(self.ld.spec.seed).spawn(R)
        na = len(c.asset_names)
        nw = len(c.wave_names)
        ns = nw * na
        nights = [draw_night(c, np.random.default_rng(ch)) for ch in children]
        routes = np.vstack([n.routes for n in nights])
        kind = np.concatenate([n.kind for n in nights])
        tracked = np.concatenate([np.isfinite(n.t_track) for n in nights])
        recog = np.concatenate([n.recognised for n in nights])
        stream = np.concatenate([c.th_wave * na + n.target for n in nights])
        harmful = kind != int(ThreatKind.DECOY)
        t_lo = float(routes[:, Route.T0].min()) if routes.size else 0.0
        t_hi = float(routes[:, Route.T_IMPACT].max()) if routes.size else 0.0
        raid_s = max(600.0, t_hi - t_lo)
        n_s = np.bincount(stream[harmful], minlength=ns) / R
        kind_s = np.zeros(ns, np.int64)
        kind_s[stream[harmful]] = kind[harmful]
        engaged = ~recog
        share = float(harmful.sum() / max(1, (engaged & tracked).sum())) if harmful.any() else 1.0
        share = min(1.0, share)
        h = harmful & tracked
        cover = []
        caps: list[float] = []
        for ti in self.types:
            ok = np.zeros((int(h.sum()), self.sx.shape[0]), bool)
            rr = routes[h]
            nlegs = rr[:, Route.NLEGS]
            for leg in range(MAX_LEGS):
                a, b, alt = route_x(leg), route_x(leg + 1), route_alt(leg)
                alt_ok = (leg < nlegs) & (rr[:, alt] >= ti.amin) & (rr[:, alt] <= ti.amax)
                if not alt_ok.any():
                    continue
                seg = _segment_reach(rr[:, a], rr[:, a + 1], rr[:, b], rr[:, b + 1], self.sx,
                                     self.sy, ti.rmin, ti.rmax)  # fmt: skip
                ok |= seg & alt_ok[:, None]
            ok &= (ti.peff[kind[h]] > 0)[:, None]
            m = np.zeros((ns, self.sx.shape[0]))
            np.add.at(m, stream[h], ok.astype(float))
            cnt = np.bincount(stream[harmful], minlength=ns).astype(float)
            cover.append(np.divide(m, cnt[:, None], out=np.zeros_like(m), where=cnt[:, None] > 0))
            caps.append(min(ti.rounds_engagements,
                            ti.channels * raid_s / max(ti.engagement_time_s, 1.0)))  # fmt: skip
        keep = n_s > 0
        return PlanCoefficients(
            plan, n_s[keep], kind_s[keep], [cv[keep] for cv in cover], caps, share,
            float(n_s.sum()),
        )  # fmt: skip


def coefficients_call(payload: tuple[str, bytes, Plan]) -> PlanCoefficients:
    """A worker's entry: one plan's coefficients (:meth:`Coefficients.build`)."""
    from airshield.plan.calls import context

    key, blob, plan = payload
    co: Coefficients = context(key, blob)
    return co.build(plan)


#: tangent points (mean log-mass per threat) of the concave kill curve n (1 - exp(-w / n))
_TANGENTS = (0.0, 0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0)


# ---- the defender's MILP ----------------------------------------------------------------------
@dataclass
class MilpResult:
    x: NDArray[np.int64]  # (types, sites) units placed
    value: float  # objective of the solution found (model worst-case harmful leakers)
    bound: float  # HiGHS' dual bound (a lower bound)
    status: str


def solve_defender(
    co: Coefficients,
    plans: Sequence[PlanCoefficients],
    *,
    fixed_x: NDArray[np.int64] | None = None,
    weights: Sequence[float] | None = None,
    time_limit_s: float = 600.0,
    max_nodes: int | None = None,
    mip_gap: float = 1e-6,
) -> MilpResult:
    """min t s.t. t >= harmful_p - kills_p for every plan (the defender against the worst of
    ``plans``), or with ``weights`` min sum_p w_p (harmful_p - kills_p) (the defender's best
    laydown against the attacker's mix ``w`` over ``plans``); integer placement unless
    ``fixed_x`` (then an LP: the model's leakers of that laydown)."""
    import highspy
    from scipy import sparse

    from airshield.assign.highs import new_highs

    T = len(co.types)
    S = co.sx.shape[0]
    cost: list[float] = []
    lo: list[float] = []
    hi: list[float] = []
    integ: list[int] = []
    rows_i: list[int] = []
    rows_j: list[int] = []
    rows_v: list[float] = []
    rlo: list[float] = []
    rhi: list[float] = []
    inf = highspy.kHighsInf

    def var(lb: float, ub: float, c: float = 0.0, integer: bool = False) -> int:
        cost.append(c)
        lo.append(lb)
        hi.append(ub)
        integ.append(1 if integer else 0)
        return len(cost) - 1

    def row(idx: Sequence[int], val: Sequence[float], lb: float, ub: float) -> None:
        r = len(rlo)
        rows_i.extend([r] * len(idx))
        rows_j.extend(idx)
        rows_v.extend(val)
        rlo.append(lb)
        rhi.append(ub)

    if weights is not None and len(weights) != len(plans):
        raise ValueError("one weight per plan")
    t = var(-inf, inf, 1.0) if weights is None else -1
    xv = np.zeros((T, S), np.int64)
    yv = np.zeros((T, S), np.int64)
    for k, ti in enumerate(co.types):
        for s in range(S):
            if fixed_x is not None:
                f = float(fixed_x[k, s])
                xv[k, s] = var(f, f)
                yv[k, s] = var(float(f > 0), float(f > 0))
            else:
                xv[k, s] = var(0, ti.max_per_site, integer=True)
                yv[k, s] = var(0, 1, integer=True)
                row([int(xv[k, s]), int(yv[k, s])], [1.0, -ti.max_per_site], -inf, 0.0)
                row([int(xv[k, s]), int(yv[k, s])], [1.0, -1.0], 0.0, inf)
        if fixed_x is None:
            row([int(v) for v in xv[k]], [1.0] * S, ti.count, ti.count)
    for ip, pc in enumerate(plans):
        kill_cols: list[int] = []
        # per stream: (z, log-mass per engagement, is EW) of every engagement variable
        per_stream: list[list[tuple[int, float, bool]]] = [[] for _ in range(pc.n.shape[0])]
        for k, ti in enumerate(co.types):
            cap = pc.capacity[k] * pc.harmful_share
            cv = pc.cover[k]
            per_threat = co.max_ew if ti.ew else co.max_engagements
            for s in range(S):
                col = np.nonzero(cv[:, s] > 0)[0]
                if col.size == 0:
                    continue
                zs = []
                for j in col:
                    ub = per_threat * pc.n[j] * cv[j, s]
                    z = var(0.0, float(ub))
                    # z <= engagements-per-threat x threats in reach x y (a unit stands there)
                    row([z, int(yv[k, s])], [1.0, -float(ub)], -inf, 0.0)
                    pk = min(float(ti.peff[pc.kind[j]]), 1.0 - 1e-9)
                    per_stream[j].append((z, -math.log1p(-pk), ti.ew))
                    zs.append(z)
                if math.isfinite(cap):
                    row([*zs, int(xv[k, s])], [1.0] * len(zs) + [-cap], -inf, 0.0)
        for jj, lst in enumerate(per_stream):
            if not lst:
                continue
            n_j = float(pc.n[jj])
            kin = [z for z, _, ew in lst if not ew]
            ew = [z for z, _, e in lst if e]
            if kin:  # the doctrine's rounds per threat, over every unit together
                row(kin, [1.0] * len(kin), -inf, co.max_engagements * n_j)
            if ew:
                row(ew, [1.0] * len(ew), -inf, co.max_ew * n_j)
            # kills <= n (1 - exp(-w / n)), w = sum -log(1 - pk) z: exact when the stream's
            # engagements are spread evenly over its threats (the best case, by Jensen), so a
            # relaxation; outer-approximated by its tangents (and kills <= n)
            kv = var(0.0, n_j)
            kill_cols.append(kv)
            for mk in _TANGENTS:
                e = math.exp(-mk)
                row([kv, *(z for z, _, _ in lst)], [1.0, *(-e * lam for _, lam, _ in lst)],
                    -inf, n_j * (1.0 - e) - e * n_j * mk)  # fmt: skip
        # t >= H - sum kills (with weights: t_p >= H_p - sum kills_p, cost w_p)
        tp = t if weights is None else var(-inf, inf, float(weights[ip]))
        row([tp, *kill_cols], [1.0] * (1 + len(kill_cols)), pc.harmful_total, inf)
    h = new_highs(time_limit=float(time_limit_s), mip_rel_gap=float(mip_gap), random_seed=0)
    if max_nodes is not None:
        h.setOptionValue("mip_max_nodes", int(max_nodes))
    n, m = len(cost), len(rlo)
    A = sparse.csc_matrix((rows_v, (rows_i, rows_j)), shape=(m, n))
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n, m
    lp.col_cost_ = np.array(cost)
    lp.col_lower_, lp.col_upper_ = np.array(lo), np.array(hi)
    lp.row_lower_, lp.row_upper_ = np.array(rlo), np.array(rhi)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = A.indptr.astype(np.int32)
    lp.a_matrix_.index_ = A.indices.astype(np.int32)
    lp.a_matrix_.value_ = A.data
    if fixed_x is None:
        lp.integrality_ = [
            highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous for i in integ
        ]
    h.passModel(lp)
    h.run()
    status = h.modelStatusToString(h.getModelStatus())
    info = h.getInfo()
    sol = np.array(h.getSolution().col_value)
    if sol.size != n:
        raise RuntimeError(f"laydown MILP not solved: {status}")
    x = np.rint(sol[xv]).astype(np.int64)
    value = float(info.objective_function_value)
    bound = value if fixed_x is not None else float(info.mip_dual_bound)
    if not math.isfinite(bound):
        bound = value
    return MilpResult(x, value, min(bound, value), status)


def model_leakers(co: Coefficients, pc: PlanCoefficients, x: NDArray[np.int64]) -> float:
    """The model's harmful leakers of plan ``pc`` against laydown ``x`` (an LP)."""
    return solve_defender(co, [pc], fixed_x=x).value


class LeakerTable:
    """The model's harmful leakers ``L(x, p)`` of laydowns against plans, each an LP solved
    once (:func:`model_leakers`)."""

    def __init__(self, co: Coefficients) -> None:
        self.co = co
        self._v: dict[tuple[bytes, Plan], float] = {}

    def __call__(self, x: NDArray[np.int64], p: Plan) -> float:
        k = (np.ascontiguousarray(x, np.int64).tobytes(), p)
        v = self._v.get(k)
        if v is None:
            v = self._v[k] = model_leakers(self.co, self.co.of(p), x)
        return v


def model_best_response(
    co: Coefficients,
    x: NDArray[np.int64] | None = None,
    enumerate_max: int = 128,
    *,
    mix: Sequence[tuple[float, NDArray[np.int64]]] | None = None,
    table: LeakerTable | None = None,
) -> tuple[Plan, float, dict[Plan, float]]:
    """The attacker's best plan in the model against laydown ``x``, or against the defender's
    mix ``[(weight, laydown), ...]`` (expected leakers): every plan when the space is small,
    else coordinate ascent over its dimensions."""
    space = co.ld.attack.space
    lt = table or LeakerTable(co)
    if mix is None:
        if x is None:
            raise ValueError("a laydown or a mix of laydowns")
        lays: list[tuple[float, NDArray[np.int64]]] = [(1.0, x)]
    else:
        lays = [(float(w), xi) for w, xi in mix if w > 0]
    vals: dict[Plan, float] = {}

    def val(p: Plan) -> float:
        if p not in vals:
            vals[p] = float(sum(w * lt(xi, p) for w, xi in lays))
        return vals[p]

    if space.size <= enumerate_max:
        co.prefetch(list(space.plans()))
        for p in space.plans():
            val(p)
    else:
        cur = space.default_plan()
        changed = True
        while changed:
            changed = False
            for d, c in enumerate(space.choices):
                cands = [Plan(tuple(o if k == d else i for k, i in enumerate(cur.index)))
                         for o in range(len(c.options))]  # fmt: skip
                co.prefetch(cands)
                best = max(cands, key=lambda p: (val(p), [-i for i in p.index]))
                if val(best) > val(cur) + 1e-9:
                    cur, changed = best, True
    best = max(vals, key=lambda p: (vals[p], [-i for i in p.index]))
    return best, vals[best], vals


def matrix_game(m: F) -> tuple[float, F, F]:
    """Value and optimal mixed strategies of the zero-sum game with payoff ``m[i, j]`` (row
    player i minimises, column player j maximises), from two LPs in HiGHS: the column player's
    ``max v s.t. sum_j q_j m[i, j] >= v for every i`` and the row player's mirror. Returns
    ``(value, row mix, column mix)``."""

    def max_min(a: F) -> tuple[float, F]:
        # max v s.t. a^T q >= v (one row per row of a), sum q = 1, q >= 0
        import highspy

        from airshield.assign.highs import new_highs

        nr, nc = a.shape
        h = new_highs(random_seed=0)
        inf = highspy.kHighsInf
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = nc + 1, nr + 1
        lp.sense_ = highspy.ObjSense.kMaximize
        lp.col_cost_ = np.r_[np.zeros(nc), 1.0]
        lp.col_lower_ = np.r_[np.zeros(nc), -inf]
        lp.col_upper_ = np.r_[np.ones(nc), inf]
        lp.row_lower_ = np.r_[np.zeros(nr), 1.0]
        lp.row_upper_ = np.r_[np.full(nr, inf), 1.0]
        dense = np.zeros((nr + 1, nc + 1))
        dense[:nr, :nc] = a
        dense[:nr, nc] = -1.0
        dense[nr, :nc] = 1.0
        from scipy import sparse

        A = sparse.csc_matrix(dense)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = A.indptr.astype(np.int32)
        lp.a_matrix_.index_ = A.indices.astype(np.int32)
        lp.a_matrix_.value_ = A.data
        h.passModel(lp)
        h.run()
        sol = np.array(h.getSolution().col_value)
        q = np.clip(sol[:nc], 0.0, None)
        return float(sol[nc]), q / q.sum()

    v, q = max_min(m)
    _, sigma = max_min(-m.T)
    return v, sigma, q


# ---- the loop and the result ------------------------------------------------------------------
@dataclass
class LaydownResult:
    name: str
    scenario: str
    laydown: list[dict[str, Any]]
    mean_case: dict[str, float]
    worst_case: dict[str, float]
    attacker_plan: dict[str, str]
    baseline: dict[str, Any]
    bounds: list[dict[str, Any]]
    model_value: float
    converged: bool
    sites: int
    seed: int
    reps: int
    timings_s: dict[str, float]
    scenario_optimised: Scenario
    baseline_routes: list[dict[str, Any]] = field(default_factory=list)
    worst_routes: list[dict[str, Any]] = field(default_factory=list)

    def game(self) -> dict[str, Any]:
        """The model game's values at the end of the loop: pure (the attacker sees the laydown)
        and mixed (the attacker randomises over its plans; the value the defender can hold
        against any such mix)."""
        last = self.bounds[-1] if self.bounds else {}
        return {
            "pure": {"lower": last.get("lower"), "upper": last.get("upper")},
            "mixed": {"lower": last.get("mixed_lower"), "upper": last.get("mixed_upper"),
                      "attacker_mix": last.get("attacker_mix", {})},
        }  # fmt: skip

    def warnings(self) -> list[str]:
        """A MILP stopped by its time limit: the answer depends on the machine's speed."""
        hit = [b["iteration"] for b in self.bounds
               if "time limit" in f"{b.get('status', '')} {b.get('mixed_status', '')}".lower()]  # fmt: skip
        if not hit:
            return []
        return [f"a MILP stopped at its time limit in iteration(s) {hit}: the laydown depends on "
                "the machine's speed and load; set mip_max_nodes / mip_gap so that it stops on "
                "them, or raise time_limit_s"]  # fmt: skip

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "scenario": self.scenario, "laydown": self.laydown,
            "mean_case": self.mean_case, "worst_case": self.worst_case,
            "attacker_plan": self.attacker_plan, "baseline": self.baseline,
            "bounds": self.bounds, "model_value": self.model_value, "game": self.game(),
            "value_kinds": VALUE_KINDS, "warnings": self.warnings(),
            "converged": self.converged, "candidate_sites": self.sites, "seed": self.seed,
            "reps": self.reps, "timings_s": self.timings_s,
        }  # fmt: skip


#: what each number of a laydown result is (printed with it in the JSON and the report)
VALUE_KINDS = {
    "bounds": "model: the coefficient model's game value (linear engagements, no timing inside "
    "the night); lower/upper bracket the pure game (the attacker sees the laydown), "
    "mixed_lower/mixed_upper the mixed game (the attacker randomises over its plans); "
    "certified for the model, not for the raid engine",
    "model_value": "model: upper bound of the pure game at the laydown returned",
    "mean_case": "simulated: raid engine, the default attacker plan",
    "worst_case": "simulated: raid engine, the attacker's best response found with the KN guard",
}


def laydown_scenario(
    ld: LoadedLaydown, x: NDArray[np.int64]
) -> tuple[Scenario, list[dict[str, Any]]]:
    """The scenario with the kept units and the placed ones (``x``: units per type and site)."""
    from airshield.scenario.models import FireUnit

    sc = ld.scenario
    placed = []
    units = [u for u in sc.fire_units if u.name in ld.spec.keep]
    for k, u in enumerate(ld.units):
        n = 0
        for s, site in enumerate(ld.sites):
            for _ in range(int(x[k, s])):
                n += 1
                name = f"{u.effector}-{n}"
                units.append(FireUnit(kind="unit", name=name, effector=u.effector,
                                      lat=site.lat, lon=site.lon, pool=u.pool))  # fmt: skip
                placed.append({"unit": name, "type": u.effector, "lat": round(site.lat, 5),
                               "lon": round(site.lon, 5), "site": site.name})  # fmt: skip
    return sc.model_copy(update={"fire_units": units}), placed


def _band(x: F) -> dict[str, float]:
    return {"mean": float(x.mean()), "p5": float(np.percentile(x, 5)),
            "p95": float(np.percentile(x, 95))}  # fmt: skip


def _cases(
    ld: LoadedLaydown, sc: Scenario, workers: int, budget: int | None, scheduler: str | None
) -> dict[str, Any]:
    """Simulated mean case (the default plan) and worst case (best response, KN guard)."""
    from airshield.plan.attack import PlanEvaluator, best_response
    from airshield.scenario.attack import AttackScenario

    a = AttackScenario(sc, ld.attack.space, ld.attack.path)
    # one evaluator: the best response's replications of the default and the worst plan are
    # reused for the two cases, and only what it did not simulate is added
    ev = PlanEvaluator(a, seed=ld.spec.seed, workers=workers, scheduler=scheduler)
    try:
        br = best_response(a, reps=ld.spec.reps, seed=ld.spec.seed, budget_evals=budget,
                           workers=workers, scheduler=scheduler, evaluator=ev)  # fmt: skip
        d = a.space.default_plan()
        w = a.space.plan_of(br.worst.plan)
        ev.ensure([d, w], ld.spec.reps)
        mean = ev.values(d, ld.spec.reps)
        worst = ev.values(w, ld.spec.reps)
    finally:
        ev.close()
    if worst.mean() < mean.mean():  # the default is a plan too: the worst case is never below
        worst, w = mean, d
    return {"mean_case": _band(mean), "worst_case": _band(worst),
            "attacker_plan": a.space.describe(w), "plan": w,
            "best_response": br.to_dict()}  # fmt: skip


def optimise_laydown(
    ld: LoadedLaydown,
    *,
    workers: int = 1,
    scheduler: str | None = None,
    simulate: bool = True,
    attacker_budget: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> LaydownResult:
    """The double-oracle loop, then the simulated mean and worst cases of the optimised and the
    rule-based laydowns. ``workers`` > 1 (or a Dask ``scheduler``) fans the coefficient builds
    and the simulations out through the sweep backends, with the same answer for any number of
    workers."""
    say = progress or (lambda _m: None)
    t0 = time.process_time()
    co = Coefficients(ld, workers=workers, scheduler=scheduler)
    try:
        loop = _double_oracle(ld, co, say)
    finally:
        co.close()
    t_loop = time.process_time() - t0
    sc_opt, placed = laydown_scenario(ld, loop.best_x)
    timings = {"double_oracle_cpu_s": t_loop,
               "per_iteration_cpu_s": float(np.mean([b["cpu_s"] for b in loop.bounds]))}  # fmt: skip
    if simulate:
        t1 = time.process_time()
        opt = _cases(ld, sc_opt, workers, attacker_budget, scheduler)
        base = _cases(ld, ld.scenario, workers, attacker_budget, scheduler)
        timings["simulation_cpu_s"] = time.process_time() - t1
    else:
        nan = {"mean": math.nan, "p5": math.nan, "p95": math.nan}
        opt = {"mean_case": nan, "worst_case": nan, "attacker_plan": {}, "plan": None}
        base = dict(opt)
    timings["total_cpu_s"] = time.process_time() - t0
    return LaydownResult(
        name=ld.spec.name, scenario=ld.scenario.name, laydown=placed,
        mean_case=opt["mean_case"], worst_case=opt["worst_case"],
        attacker_plan=opt["attacker_plan"],
        baseline={k: base[k] for k in ("mean_case", "worst_case", "attacker_plan")},
        bounds=loop.bounds, model_value=loop.upper, converged=loop.converged,
        sites=len(ld.sites), seed=ld.spec.seed, reps=ld.spec.reps, timings_s=timings,
        scenario_optimised=sc_opt, baseline_routes=_routes(ld, base.get("plan")),
        worst_routes=_routes(ld, opt.get("plan")),
    )  # fmt: skip


@dataclass
class OracleLoop:
    best_x: NDArray[np.int64]  # the laydown of the best pure upper bound
    upper: float  # that bound
    converged: bool
    bounds: list[dict[str, Any]]
    plans: list[Plan]  # every attacker plan either oracle found
    laydowns: list[NDArray[np.int64]]  # every laydown either oracle found


def _double_oracle(ld: LoadedLaydown, co: Coefficients, say: Callable[[str], None]) -> OracleLoop:
    """Both games in one loop (docs/plan.md, "Double oracle"), per iteration:

    * pure game (the attacker sees the laydown): the defender's MILP against the worst of the
      plans found so far (its bound: a lower bound), the attacker's best response to that
      laydown over the whole plan space (its value: an upper bound);
    * mixed game (the attacker randomises): the restricted zero-sum game over every laydown x
      plan found so far (LP), the defender's best laydown against the attacker's optimal mix
      (MILP; its bound: a lower bound) and the attacker's best plan against the defender's
      optimal mix (its value: an upper bound).

    Both oracles' laydowns and plans join the restricted sets; stop when both games' bounds
    meet within the tolerance, when no oracle finds anything new, or after max_iterations."""
    lt = LeakerTable(co)
    space = ld.attack.space
    plans = [space.default_plan()]
    lays: list[NDArray[np.int64]] = []
    bounds: list[dict[str, Any]] = []
    ub, best_x = math.inf, None
    lb = m_lb = -math.inf
    m_ub = math.inf
    converged = False
    tol = ld.spec.tolerance + 1e-9
    limits = {"time_limit_s": ld.spec.time_limit_s, "max_nodes": ld.spec.mip_max_nodes,
              "mip_gap": ld.spec.mip_gap}  # fmt: skip

    def add_lay(x: NDArray[np.int64]) -> bool:
        if any(np.array_equal(x, y) for y in lays):
            return False
        lays.append(x)
        return True

    def add_plan(p: Plan) -> bool:
        if p in plans:
            return False
        plans.append(p)
        return True

    def label(p: Plan) -> str:
        return ", ".join(f"{k}={v}" for k, v in space.describe(p).items())

    for it in range(1, ld.spec.max_iterations + 1):
        ti = time.process_time()
        co.prefetch(plans)
        res = solve_defender(co, [co.of(p) for p in plans], **limits)  # type: ignore[arg-type]
        p_star, v_star, _ = model_best_response(co, res.x, table=lt)
        if v_star < ub:
            ub, best_x = v_star, res.x
        # every MILP bound is a lower bound on the game value (its attacker set only grows), so
        # the best so far is one too (a MILP stopped by its limits may give a weaker one)
        lb = max(lb, res.bound)
        new = add_lay(res.x)
        m = np.array([[lt(x, p) for p in plans] for x in lays])
        v_game, sigma, q = matrix_game(m)
        sup = [i for i in range(len(plans)) if q[i] > 1e-9]
        res_q = solve_defender(
            co, [co.of(plans[i]) for i in sup], weights=[float(q[i]) for i in sup], **limits,  # type: ignore[arg-type]
        )  # fmt: skip
        m_lb = max(m_lb, res_q.bound)
        p_mix, v_mix, _ = model_best_response(
            co, mix=[(float(w), x) for w, x in zip(sigma, lays, strict=True)], table=lt
        )
        m_ub = min(m_ub, v_mix)
        new = add_lay(res_q.x) or new
        new = add_plan(p_star) or new
        new = add_plan(p_mix) or new
        bounds.append({
            "iteration": it, "lower": lb, "upper": ub, "defender_value": res.value,
            "attacker_plan": space.describe(p_star), "status": res.status,
            "mixed_status": res_q.status,
            "mixed_lower": m_lb, "mixed_upper": m_ub, "restricted_value": v_game,
            "attacker_mix": {label(plans[i]): float(q[i]) for i in sup},
            "mixed_attacker_plan": space.describe(p_mix),
            "cpu_s": time.process_time() - ti,
        })  # fmt: skip
        say(f"iteration {it}: pure game in [{lb:.2f}, {ub:.2f}], mixed game in [{m_lb:.2f}, "
            f"{m_ub:.2f}] (model; attacker: {label(p_star)})")  # fmt: skip
        converged = ub - lb <= tol and m_ub - m_lb <= tol
        if converged or not new:
            # nothing new from either oracle: the MILPs (stopped by their limits, or within
            # their gap) cannot improve on the bounds in this loop
            break
    assert best_x is not None
    return OracleLoop(best_x, ub, converged, bounds, plans, lays)


def _routes(ld: LoadedLaydown, plan: Plan | None) -> list[dict[str, Any]]:
    """Launch point -> (waypoints) -> target centre of each wave of a plan, for the map."""
    if plan is None:
        return []
    from airshield.scenario.attack import ApproachChoice, route_points

    sc = ld.scenario
    assets = {a.name: a for a in sc.assets}
    space = ld.attack.space
    rsc = ld.attack.resolve(plan)
    sites = {s.name: s for s in sc.launch_sites}
    out = []
    route_of: dict[str, Any] = {}
    for c, i in zip(space.choices, plan.index, strict=True):
        if isinstance(c, ApproachChoice):
            for wn in c.waves:
                route_of[wn] = c.options[i]
    for w in sc.waves:
        rw = next((v for v in rsc.waves if v.name == w.name), None)
        if rw is None:
            continue
        if rw.main_direction is not None:
            tgt = assets[rw.main_direction.asset]
        elif rw.targets:
            tgt = assets[max(rw.targets, key=lambda k: rw.targets[k])]  # type: ignore[index]
        else:
            tgt = max(sc.assets, key=lambda a: a.value_usd)
        opt = route_of.get(w.name)
        if opt is not None:
            pts = route_points(sc, space, opt, w.launch_site)
        else:
            s = sites[w.launch_site]
            pts = [(s.lat, s.lon)]
        out.append({"wave": w.name, "points": [*pts, (tgt.lat, tgt.lon)]})
    return out


def laydown(subject: Any, spec: Any = None, /, **kwargs: Any) -> LaydownResult:
    """``scenario.plan.laydown(spec)``: :func:`optimise_laydown` of a laydown spec (path or
    :class:`LoadedLaydown`)."""
    if spec is None:
        raise TypeError("laydown(spec): the laydown spec (YAML path or loaded spec)")
    ld = spec if isinstance(spec, LoadedLaydown) else load_laydown(spec)
    own = getattr(subject, "content_hash", None)
    if callable(own) and own() != ld.scenario.content_hash():
        raise ValueError(
            f"the laydown spec places units for scenario {ld.scenario.name!r}, not for "
            f"{getattr(subject, 'name', subject)!r}"
        )
    return optimise_laydown(ld, **kwargs)


__all__ = [
    "Coefficients",
    "LaydownResult",
    "LaydownSpec",
    "LoadedLaydown",
    "expand_sites",
    "laydown",
    "laydown_scenario",
    "load_laydown",
    "model_best_response",
    "model_leakers",
    "optimise_laydown",
    "solve_defender",
]
