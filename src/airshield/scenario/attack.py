"""The attacker's plan space: waves that offer choices instead of one value.

A plan-space scenario is an ordinary raid scenario with one more top-level section,
``attack:``, that lists **choice dimensions**. Each dimension is ``kind:``-typed, names the
waves it applies to (all of them take the same option, so "the northern waves" can swing round
together) and lists its options::

    attack:
      waypoints:                       # named points a route may pass (notional)
        - {name: west-gap, lat: 50.9, lon: 29.6}
      choices:
        - kind: approach               # route: launch site and waypoints
          waves: [north-shaheds]
          options:
            - {name: direct}
            - {name: west, via: [west-gap]}
            - {name: swing-south, via: [{around: Kyiv, bearing_deg: 200, distance_km: 60}]}
        - kind: altitude               # altitude band of the wave's threat type
          waves: [north-shaheds]
          options: [{name: low, min_km: 0.1, max_km: 2.5}, {name: high, min_km: 2.0, max_km: 3.5}]
        - kind: launch_window
          ...
        - kind: targets                # target weights or a main direction
          ...
        - kind: decoy_share            # a share of the wave's count flown as another type
          threat: gerbera-decoy
          shares: [0.0, 0.5]

A **plan** picks one option per dimension. :func:`resolve_plan` turns a plan into an ordinary
:class:`~airshield.scenario.models.Scenario` (concrete waves, launch sites, catalog overrides)
before any engine sees it, so the raid engine and its kernel are untouched and every plan runs
on the same, tested code. The option each dimension names as ``default`` (or its first) is the
**default plan**; a dimension whose chosen option equals the scenario's own value leaves the
scenario unchanged, so a plan space of one such option per dimension resolves to the plain
scenario, hash for hash.

**Routes.** The engine flies piecewise-linear routes of up to
:data:`~airshield.vocab.MAX_LEGS` straight legs. A route ``via`` waypoints ``P1 .. Pk`` becomes
the wave's ``via`` points: each threat is launched at its launch site in the wave's own launch
window and flies ``launch -> P1 -> .. -> Pk``, then on to a jittered midpoint of its final
approach and its aim point, as every threat does (``k + 2`` legs). Every leg is seen by the
sensors and shot at by the fire units it passes; the closed-form windows apply leg by leg.
:func:`check_routes` refuses a route with more waypoints than the engine's legs allow, or one
that reaches its last waypoint past the time limit.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import Field, ValidationError, model_validator

from airshield.errors import Problem, ScenarioError
from airshield.scenario import limits as L
from airshield.scenario.models import (
    Lat,
    Lon,
    MainDirection,
    Name,
    Prob,
    Scenario,
    Seconds,
    Strict,
)
from airshield.scenario.yamlio import Loc, errors_to_problems, format_loc, line_for
from airshield.vocab import MAX_LEGS

#: the top-level key of a scenario file that holds the plan space
ATTACK_KEY = "attack"
#: most waypoints of one route (two legs are the final approach: launch or last waypoint ->
#: jittered midpoint -> aim point)
MAX_WAYPOINTS = MAX_LEGS - 2


class Waypoint(Strict):
    """A named point a route may pass (notional; never a real position)."""

    name: Name
    lat: Lat
    lon: Lon


class GeneratedWaypoint(Strict):
    """A point generated from an asset: ``distance_km`` from it along ``bearing_deg``
    (0 = north, clockwise). The way to write "swing round to the open side"."""

    around: Name = Field(description="asset name")
    bearing_deg: float = Field(ge=-360, le=360)
    distance_km: float = Field(gt=0, le=L.MAX_KM)


WaypointRef = Annotated[Name | GeneratedWaypoint, Field(union_mode="left_to_right")]


class RouteOption(Strict):
    """One approach: where the wave launches from and the waypoints it passes, in order."""

    name: Name
    launch_site: Name | None = Field(None, description="default: the wave's own")
    via: list[WaypointRef] = Field(default_factory=list, max_length=MAX_WAYPOINTS)


class AltitudeBand(Strict):
    name: Name
    min_km: float = Field(ge=0, le=L.MAX_KM)
    max_km: float = Field(ge=0, le=L.MAX_KM)

    @model_validator(mode="after")
    def _check(self) -> AltitudeBand:
        if self.max_km < self.min_km:
            raise ValueError("max_km must be >= min_km")
        return self


class LaunchWindow(Strict):
    name: Name
    start_s: Seconds
    end_s: Seconds

    @model_validator(mode="after")
    def _check(self) -> LaunchWindow:
        if self.end_s < self.start_s:
            raise ValueError("end_s must be >= start_s")
        return self


class TargetOption(Strict):
    """Target weights, a main direction, or neither (aim by asset value)."""

    name: Name
    targets: dict[str, Annotated[float, Field(ge=0, le=1e12)]] | None = Field(
        None, max_length=L.MAX_LIST_ITEMS
    )
    main_direction: MainDirection | None = None

    @model_validator(mode="after")
    def _check(self) -> TargetOption:
        if self.targets is not None and self.main_direction is not None:
            raise ValueError("give either targets or main_direction, not both")
        if self.targets is not None and sum(self.targets.values()) <= 0:
            raise ValueError("targets: weights must sum to more than 0")
        return self


O = TypeVar("O", bound=Strict)


class _Choice(Strict):
    name: Name | None = Field(None, description="default: '<kind>:<wave>+<wave>...'")
    waves: list[Name] = Field(min_length=1, max_length=L.MAX_LIST_ITEMS)
    default: Name | None = Field(None, description="option of the default plan; default: first")

    def option_names(self) -> list[str]:
        return [o.name for o in self.options]  # type: ignore[attr-defined]

    def label(self) -> str:
        return self.name or f"{self.kind}:{'+'.join(self.waves)}"  # type: ignore[attr-defined]

    @model_validator(mode="after")
    def _names(self) -> _Choice:
        names = self.option_names()
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"duplicate option names {dup}")
        if self.default is not None and self.default not in names:
            raise ValueError(f"default {self.default!r} is not an option; expected one of {names}")
        dupw = sorted({w for w in self.waves if self.waves.count(w) > 1})
        if dupw:
            raise ValueError(f"wave(s) {dupw} listed twice")
        return self


class _OptionsChoice(_Choice, Generic[O]):
    """A dimension that lists its options."""

    options: list[O] = Field(min_length=1, max_length=L.MAX_LIST_ITEMS)


class ApproachChoice(_OptionsChoice[RouteOption]):
    kind: Literal["approach"]


class AltitudeChoice(_OptionsChoice[AltitudeBand]):
    kind: Literal["altitude"]


class LaunchWindowChoice(_OptionsChoice[LaunchWindow]):
    kind: Literal["launch_window"]


class TargetChoice(_OptionsChoice[TargetOption]):
    kind: Literal["targets"]


class _ShareOption(Strict):
    name: Name
    share: Prob


class MixChoice(_Choice):
    """A share of each listed wave's count flown as threat type ``threat`` instead (the count
    stays: the attacker's launch capacity). ``decoy_share`` requires a decoy type; ``jet_share``
    and ``mix`` take any type. Options are named ``share-<s>``."""

    kind: Literal["decoy_share", "jet_share", "mix"]
    threat: Name = Field(description="threat type from the catalog")
    shares: list[Prob] = Field(min_length=1, max_length=L.MAX_LIST_ITEMS)

    @property
    def options(self) -> list[_ShareOption]:
        return [_ShareOption(name=f"share-{s:g}", share=s) for s in self.shares]


Choice = Annotated[
    ApproachChoice | AltitudeChoice | LaunchWindowChoice | TargetChoice | MixChoice,
    Field(discriminator="kind"),
]
#: the dimensions that may appear at most once per wave (mixes may stack, one per threat type)
_ONCE_PER_WAVE = ("approach", "altitude", "launch_window", "targets")


class PlanSpace(Strict):
    """The ``attack:`` section: named waypoints and the choice dimensions."""

    waypoints: list[Waypoint] = Field(default_factory=list, max_length=L.MAX_LIST_ITEMS)
    choices: list[Choice] = Field(min_length=1, max_length=L.MAX_LIST_ITEMS)

    @property
    def size(self) -> int:
        """Number of plans (the product of the dimensions' option counts)."""
        return math.prod(len(c.options) for c in self.choices)

    def labels(self) -> list[str]:
        return [c.label() for c in self.choices]

    def default_plan(self) -> Plan:
        return Plan(
            tuple(
                c.option_names().index(c.default) if c.default is not None else 0
                for c in self.choices
            )
        )

    def plans(self) -> Iterator[Plan]:
        """Every plan, in lexicographic order of option indices."""
        for idx in itertools.product(*(range(len(c.options)) for c in self.choices)):
            yield Plan(tuple(idx))

    def describe(self, plan: Plan) -> dict[str, str]:
        """``{dimension label: option name}``."""
        return {
            c.label(): c.option_names()[i] for c, i in zip(self.choices, plan.index, strict=True)
        }

    def plan_of(self, names: Mapping[str, str]) -> Plan:
        """The plan naming an option per dimension label (missing: the default option)."""
        default = self.default_plan().index
        out = []
        for k, c in enumerate(self.choices):
            name = names.get(c.label())
            if name is None:
                out.append(default[k])
            elif name in c.option_names():
                out.append(c.option_names().index(name))
            else:
                raise ValueError(
                    f"{c.label()}: no option {name!r}; expected one of {c.option_names()}"
                )
        unknown = sorted(set(names) - set(self.labels()))
        if unknown:
            raise ValueError(f"no dimension(s) {unknown}; the plan space has {self.labels()}")
        return Plan(tuple(out))


@dataclass(frozen=True, order=True)
class Plan:
    """One option index per dimension of a :class:`PlanSpace`."""

    index: tuple[int, ...]

    def key(self) -> str:
        return ".".join(str(i) for i in self.index)


@dataclass(frozen=True)
class AttackScenario:
    """A scenario with its plan space, as loaded from one file."""

    scenario: Scenario
    space: PlanSpace
    path: str | None = None

    def resolve(self, plan: Plan | None = None) -> Scenario:
        return resolve_plan(self.scenario, self.space, plan or self.space.default_plan())


# ---- loading ----------------------------------------------------------------------------------
def attack_from_data(data: Any, path: str | None, lines: dict[Loc, int]) -> AttackScenario:
    """Validate parsed YAML (a scenario with an ``attack:`` section) into an AttackScenario:
    structure, references, then every route against the scenario's sensors and fire units."""
    from airshield.scenario import validate_scenario_data

    if not isinstance(data, dict) or ATTACK_KEY not in data:
        sc = validate_scenario_data(data, path, lines)  # the scenario's own errors first
        raise ScenarioError(
            path,
            [Problem(ATTACK_KEY, "required section is missing (the attacker's plan space)", 1)],
        )
    rest = {k: v for k, v in data.items() if k != ATTACK_KEY}
    sc = validate_scenario_data(rest, path, lines)
    raw = data[ATTACK_KEY]
    if not isinstance(raw, dict):
        raise ScenarioError(
            path,
            [
                Problem(
                    ATTACK_KEY,
                    f"expected a mapping (waypoints, choices), got {type(raw).__name__}",
                    line_for((ATTACK_KEY,), lines),
                )
            ],
        )
    try:
        space = PlanSpace.model_validate(raw)
    except ValidationError as exc:
        raise ScenarioError(path, errors_to_problems(exc, lines, data, (ATTACK_KEY,))) from None
    probs = check_space(sc, space) or check_routes(sc, space)
    if probs:
        raise ScenarioError(
            path,
            [
                Problem(format_loc((ATTACK_KEY, *loc)), msg, line_for((ATTACK_KEY, *loc), lines))
                for loc, msg in probs
            ],
        )
    return AttackScenario(sc, space, path)


def load_attack(path: str | Path) -> AttackScenario:
    """Load a plan-space scenario file (or a bundled example by bare name)."""
    from airshield.examples import resolve_example
    from airshield.scenario.yamlio import read_yaml

    path = resolve_example(path)
    data, lines = read_yaml(path)
    return attack_from_data(data, str(path), lines)


def attack_from_text(text: str, path: str | None = None) -> AttackScenario:
    from airshield.scenario.yamlio import parse_yaml

    data, lines = parse_yaml(text, path)
    return attack_from_data(data, path, lines)


def check_space(sc: Scenario, space: PlanSpace) -> list[tuple[Loc, str]]:
    """Cross-references of a structurally valid plan space against its scenario."""
    cat = sc.resolved_catalog()
    waves = {w.name: w for w in sc.waves}
    assets = {a.name for a in sc.assets}
    sites = {s.name for s in sc.launch_sites}
    wps = {w.name for w in space.waypoints}
    probs: list[tuple[Loc, str]] = []
    seen_wp: set[str] = set()
    for i, w in enumerate(space.waypoints):
        if w.name in seen_wp:
            probs.append((("waypoints", i, "name"), f"duplicate name {w.name!r}"))
        seen_wp.add(w.name)
    labels = space.labels()
    for k, lab in enumerate(labels):
        if labels.count(lab) > 1:
            probs.append((("choices", k, "name"), f"duplicate dimension name {lab!r}"))
    once: dict[tuple[str, str], int] = {}
    mix_total: dict[str, float] = {}
    for k, c in enumerate(space.choices):
        for j, wname in enumerate(c.waves):
            if wname not in waves:
                probs.append(
                    (("choices", k, "waves", j), f"unknown wave {wname!r}; expected one of "
                     f"{sorted(waves)}")
                )  # fmt: skip
                continue
            tag = c.kind if c.kind in _ONCE_PER_WAVE else f"mix:{c.threat}"  # type: ignore[union-attr]
            if (tag, wname) in once:
                probs.append(
                    (("choices", k, "waves", j), f"wave {wname!r} already has a {tag} choice "
                     f"(choices[{once[(tag, wname)]}])")
                )  # fmt: skip
            once[(tag, wname)] = k
            if isinstance(c, MixChoice):
                mix_total[wname] = mix_total.get(wname, 0.0) + max(c.shares)
                if waves[wname].threat == c.threat:
                    probs.append((("choices", k, "threat"), f"wave {wname!r} already flies "
                                  f"{c.threat!r}"))  # fmt: skip
        if isinstance(c, MixChoice):
            if c.threat not in cat.threats:
                probs.append((("choices", k, "threat"), f"unknown threat type {c.threat!r}; "
                              f"expected one of {sorted(cat.threats)}"))  # fmt: skip
            elif c.kind == "decoy_share" and cat.threats[c.threat].kind != "decoy":
                probs.append((("choices", k, "threat"), f"{c.threat!r} is a "
                              f"{cat.threats[c.threat].kind}, not a decoy"))  # fmt: skip
            shares = c.shares
            dup = sorted({s for s in shares if shares.count(s) > 1})
            if dup:
                probs.append((("choices", k, "shares"), f"duplicate shares {dup}"))
        elif isinstance(c, ApproachChoice):
            for j, o in enumerate(c.options):
                if o.launch_site is not None and o.launch_site not in sites:
                    probs.append((("choices", k, "options", j, "launch_site"), f"unknown launch "
                                  f"site {o.launch_site!r}; expected one of {sorted(sites)}"))  # fmt: skip
                for m, v in enumerate(o.via):
                    if isinstance(v, str) and v not in wps:
                        probs.append((("choices", k, "options", j, "via", m), f"unknown "
                                      f"waypoint {v!r}; expected one of {sorted(wps)}"))  # fmt: skip
                    elif isinstance(v, GeneratedWaypoint) and v.around not in assets:
                        probs.append((("choices", k, "options", j, "via", m, "around"),
                                      f"unknown asset {v.around!r}; expected one of "
                                      f"{sorted(assets)}"))  # fmt: skip
        elif isinstance(c, TargetChoice):
            for j, to in enumerate(c.options):
                for a in to.targets or {}:
                    if a not in assets:
                        probs.append((("choices", k, "options", j, "targets", a), f"unknown "
                                      f"asset {a!r}; expected one of {sorted(assets)}"))  # fmt: skip
                md = to.main_direction
                if md is not None and md.asset not in assets:
                    probs.append((("choices", k, "options", j, "main_direction", "asset"),
                                  f"unknown asset {md.asset!r}; expected one of "
                                  f"{sorted(assets)}"))  # fmt: skip
    for wname, tot in mix_total.items():
        if tot > 1.0 + 1e-12:
            probs.append(
                (("choices",), f"wave {wname!r}: the largest shares of its mix choices sum to "
                 f"{tot:g} > 1")
            )  # fmt: skip
    return probs


# ---- routes -----------------------------------------------------------------------------------
def route_points(
    sc: Scenario, space: PlanSpace, option: RouteOption, launch_site: str
) -> list[tuple[float, float]]:
    """The route's points as (lat, lon): the launch site, then every waypoint."""
    from airshield.geo import offset_latlon

    sites = {s.name: s for s in sc.launch_sites}
    assets = {a.name: a for a in sc.assets}
    wps = {w.name: w for w in space.waypoints}
    site = sites[option.launch_site or launch_site]
    pts = [(site.lat, site.lon)]
    for v in option.via:
        if isinstance(v, str):
            pts.append((wps[v].lat, wps[v].lon))
        else:
            a = assets[v.around]
            pts.append(offset_latlon(a.lat, a.lon, v.bearing_deg, v.distance_km))
    return pts


def _legs_km(sc: Scenario, pts: Sequence[tuple[float, float]]) -> tuple[list[Any], list[Any]]:
    import numpy as np

    from airshield.geo import to_local_km

    lat0, lon0 = sc.origin_point()
    x, y = to_local_km([p[0] for p in pts], [p[1] for p in pts], lat0, lon0)
    return list(np.atleast_1d(x)), list(np.atleast_1d(y))


def prefix_length_km(sc: Scenario, pts: Sequence[tuple[float, float]]) -> float:
    """Length of the legs before the last point, in the engine's local plane (km)."""
    x, y = _legs_km(sc, pts)
    return float(sum(math.hypot(x[i + 1] - x[i], y[i + 1] - y[i]) for i in range(len(x) - 1)))


def check_routes(sc: Scenario, space: PlanSpace) -> list[tuple[Loc, str]]:
    """A routed launch must reach its last waypoint inside the time limit (the number of
    waypoints is bounded by the model: :data:`MAX_WAYPOINTS`)."""
    waves = {w.name: w for w in sc.waves}
    cat = sc.resolved_catalog()
    probs: list[tuple[Loc, str]] = []
    for k, c in enumerate(space.choices):
        if not isinstance(c, ApproachChoice):
            continue
        for j, o in enumerate(c.options):
            if not o.via:
                continue
            for wname in c.waves:
                if wname not in waves:
                    continue
                w = waves[wname]
                speed = cat.threats[w.threat].speed_kmh / 3600.0
                shift = prefix_length_km(sc, route_points(sc, space, o, w.launch_site)) / speed
                if w.launch_end_s + shift > L.MAX_TIME_S:
                    probs.append(
                        (("choices", k, "options", j, "via"),
                         f"impossible route for wave {wname!r}: it reaches its last waypoint "
                         f"{shift / 3600:.1f} h after launch, past the time limit")
                    )  # fmt: skip
                    break
    return probs


# ---- resolution --------------------------------------------------------------------------------
def _altitude_type_name(threat: str, band: AltitudeBand) -> str:
    return f"{threat}@{band.min_km:g}-{band.max_km:g}km"


def resolve_plan(sc: Scenario, space: PlanSpace, plan: Plan) -> Scenario:
    """The concrete scenario of ``plan``: waves with the chosen launch windows, targets,
    routes (launch site and ``via`` points), altitude bands (catalog overrides named ``<type>@<min>-<max>km``) and threat
    mixes (a wave split into ``<wave>`` and ``<wave>/<type>``). Options equal to the scenario's
    own values change nothing."""
    if len(plan.index) != len(space.choices):
        raise ValueError(f"plan has {len(plan.index)} options; the space has "
                         f"{len(space.choices)} dimensions")  # fmt: skip
    cat = sc.resolved_catalog()
    chosen: dict[str, list[tuple[Any, Any]]] = {w.name: [] for w in sc.waves}
    for c, i in zip(space.choices, plan.index, strict=True):
        opt = c.options[i]
        for wname in c.waves:
            chosen[wname].append((c, opt))
    overrides = {t.name: t for t in sc.catalog.threats}
    new_waves = []
    for w in sc.waves:
        fields = w.model_dump()
        route: RouteOption | None = None
        band: AltitudeBand | None = None
        mixes: list[tuple[str, float]] = []
        for c, opt in chosen[w.name]:
            if isinstance(c, LaunchWindowChoice):
                fields["launch_start_s"], fields["launch_end_s"] = opt.start_s, opt.end_s
            elif isinstance(c, TargetChoice):
                tgt: TargetOption = opt
                fields["targets"] = tgt.targets
                fields["main_direction"] = (
                    None if tgt.main_direction is None else tgt.main_direction.model_dump()
                )
            elif isinstance(c, ApproachChoice):
                route = opt
            elif isinstance(c, AltitudeChoice):
                band = opt
            elif isinstance(c, MixChoice) and opt.share > 0:
                mixes.append((c.threat, opt.share))
        # split the count: each mixed type gets floor(share x count), the wave keeps the rest
        parts: list[tuple[str, str, int]] = []
        left = w.count
        for threat, share in mixes:
            n = math.floor(share * w.count + 1e-9)
            parts.append((f"{w.name}/{threat}", threat, n))
            left -= n
        parts.insert(0, (w.name, w.threat, left))
        parts = [p for p in parts if p[2] > 0] or [parts[0]]
        for pname, threat, count in parts:
            f = dict(fields, name=pname, threat=threat, count=count)
            if band is not None:
                t = cat.threats[threat]
                if (t.altitude_min_km, t.altitude_max_km) != (band.min_km, band.max_km):
                    tname = _altitude_type_name(threat, band)
                    if tname not in overrides:
                        overrides[tname] = t.model_copy(
                            update={
                                "name": tname,
                                "altitude_min_km": band.min_km,
                                "altitude_max_km": band.max_km,
                                # the band is flown uniformly: a type's own altitude
                                # distribution (quartiles) does not carry over to it
                                "altitude_q25_km": None,
                                "altitude_q50_km": None,
                                "altitude_q75_km": None,
                                "label": f"{t.label or t.name}, flown at "
                                f"{band.min_km:g}-{band.max_km:g} km",
                            }
                        )
                    f["threat"] = tname
            if route is not None:
                f["launch_site"] = route.launch_site or w.launch_site
                pts = route_points(sc, space, route, w.launch_site)[1:]
                f["via"] = [{"lat": lat, "lon": lon} for lat, lon in pts]
            new_waves.append(f)
    data = sc.model_dump()
    data["waves"] = new_waves
    if len(overrides) != len(sc.catalog.threats):
        data["catalog"]["threats"] = [t.model_dump() for t in overrides.values()]
    if data == sc.model_dump():
        return sc
    return Scenario.model_validate(data)


def resolve_all(a: AttackScenario, plans: Sequence[Plan]) -> list[Scenario]:
    return [a.resolve(p) for p in plans]


__all__ = [
    "ATTACK_KEY",
    "MAX_WAYPOINTS",
    "AltitudeBand",
    "AltitudeChoice",
    "ApproachChoice",
    "AttackScenario",
    "GeneratedWaypoint",
    "LaunchWindow",
    "LaunchWindowChoice",
    "MixChoice",
    "Plan",
    "PlanSpace",
    "RouteOption",
    "TargetChoice",
    "TargetOption",
    "Waypoint",
    "attack_from_data",
    "attack_from_text",
    "check_routes",
    "check_space",
    "load_attack",
    "resolve_plan",
]
