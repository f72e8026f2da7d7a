"""Scenario language: load, validate and expand raid scenarios (YAML, pydantic v2)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from airshield.errors import Problem, ScenarioError
from airshield.scenario import limits as L
from airshield.scenario.models import (
    Asset,
    CoverageSensor,
    Doctrine,
    FireUnit,
    LaunchSite,
    LineLaydown,
    MobileGroup,
    Pool,
    RadarSensor,
    RingLaydown,
    Scenario,
    TeamGroup,
    Wave,
)
from airshield.scenario.yamlio import Loc, format_loc, parse_yaml, read_yaml, validate_data

if TYPE_CHECKING:
    from airshield.scenario.laydown import ExpandedUnit, expand_fire_units

__all__ = [
    "Asset",
    "CoverageSensor",
    "Doctrine",
    "ExpandedUnit",
    "FireUnit",
    "LaunchSite",
    "LineLaydown",
    "MobileGroup",
    "Pool",
    "RadarSensor",
    "RingLaydown",
    "Scenario",
    "TeamGroup",
    "Wave",
    "check_references",
    "expand_fire_units",
    "load_scenario",
    "scenario_from_text",
    "validate_scenario_data",
]

_LAZY = {"ExpandedUnit", "expand_fire_units"}


def __getattr__(name: str) -> Any:
    """The laydown expansion (numpy geometry) loads on first use, so validating a scenario does
    not pay for it."""
    if name in _LAZY:
        from airshield.scenario import laydown

        return getattr(laydown, name)
    raise AttributeError(f"module 'airshield.scenario' has no attribute {name!r}")


def _check_via(sc: Scenario, i: int, speed_kmh: float) -> list[tuple[Loc, str]]:
    """A wave's threats must reach its last waypoint inside the time limit (the check routes of
    an attacker's plan space get too): the legs as the engine flies them, in its local plane."""
    from airshield.scenario.attack import prefix_length_km  # numpy: only for routed waves

    w = sc.waves[i]
    site = next(s for s in sc.launch_sites if s.name == w.launch_site)
    pts = [(site.lat, site.lon), *((p.lat, p.lon) for p in w.via)]
    shift_s = prefix_length_km(sc, pts) / (speed_kmh / 3600.0)
    if w.launch_end_s + shift_s <= L.MAX_TIME_S:
        return []
    return [
        (("waves", i, "via"),
         f"impossible route: the last launch reaches its last waypoint "
         f"{(w.launch_end_s + shift_s) / 3600:.1f} h after the raid starts, past the time limit "
         f"of {L.MAX_TIME_S / 3600:.0f} h")
    ]  # fmt: skip


def check_references(sc: Scenario) -> list[tuple[Loc, str]]:
    """Every cross-reference of a structurally valid scenario, as (field path, problem)."""
    cat = sc.resolved_catalog()
    probs: list[tuple[Loc, str]] = []
    assets = {a.name for a in sc.assets}
    pools = {p.name: p for p in sc.pools}
    sites = {s.name for s in sc.launch_sites}

    def unique(items: list[Any], field: str) -> None:
        seen: set[str] = set()
        for i, it in enumerate(items):
            if it.name in seen:
                probs.append(((field, i, "name"), f"duplicate name {it.name!r}"))
            seen.add(it.name)

    for field in ("assets", "sensors", "fire_units", "pools", "launch_sites", "waves"):
        unique(getattr(sc, field), field)

    def known(name: str, options: set[str] | dict[str, Any], what: str) -> str | None:
        if name in options:
            return None
        return f"unknown {what} {name!r}; expected one of {sorted(options)}"

    for i, t in enumerate(sc.catalog.threats):
        if t.mimics is not None and (m := known(t.mimics, cat.threats, "threat type")):
            probs.append((("catalog", "threats", i, "mimics"), m))
    for i, p in enumerate(sc.pools):
        if m := known(p.effector, cat.effectors, "effector type"):
            probs.append((("pools", i, "effector"), m))
    for i, u in enumerate(sc.fire_units):
        if m := known(u.effector, cat.effectors, "effector type"):
            probs.append((("fire_units", i, "effector"), m))
        if isinstance(u, RingLaydown) and (m := known(u.around, assets, "asset")):
            probs.append((("fire_units", i, "around"), m))
        if u.pool is not None:
            if m := known(u.pool, pools, "pool"):
                probs.append((("fire_units", i, "pool"), m))
            elif pools[u.pool].effector != u.effector:
                probs.append(
                    (
                        ("fire_units", i, "pool"),
                        f"pool {u.pool!r} holds {pools[u.pool].effector!r} rounds, "
                        f"but this unit fires {u.effector!r}",
                    )
                )
        ekind = cat.effectors[u.effector].kind if u.effector in cat.effectors else None
        if isinstance(u, TeamGroup) and ekind is not None and ekind != "interceptor_drone":
            probs.append(
                (("fire_units", i, "effector"),
                 f"a team group flies interceptor drones; {u.effector!r} is of kind {ekind!r}")
            )  # fmt: skip
        if isinstance(u, MobileGroup) and ekind == "ew":
            probs.append(
                (("fire_units", i, "effector"), "a mobile fire group needs a kinetic effector")
            )
        if u.effector in cat.effectors and cat.effectors[u.effector].kind == "ew" and u.pool:
            probs.append(
                (("fire_units", i, "pool"), "electronic warfare units have no rounds/pool")
            )
    for i, w in enumerate(sc.waves):
        if m := known(w.threat, cat.threats, "threat type"):
            probs.append((("waves", i, "threat"), m))
        if m := known(w.launch_site, sites, "launch site"):
            probs.append((("waves", i, "launch_site"), m))
        for a in w.targets or {}:
            if m := known(a, assets, "asset"):
                probs.append((("waves", i, "targets", a), m))
        if w.main_direction is not None and (m := known(w.main_direction.asset, assets, "asset")):
            probs.append((("waves", i, "main_direction", "asset"), m))
        if w.via and w.threat in cat.threats and w.launch_site in sites:
            probs.extend(_check_via(sc, i, cat.threats[w.threat].speed_kmh))
    for e in sc.doctrine.ballistic_reserve:
        if m := known(e, cat.effectors, "effector type"):
            probs.append((("doctrine", "ballistic_reserve", e), m))
    probs.extend(_check_engagement(sc, cat))
    from airshield.assign.names import solver_names  # names only: no solver, no numpy

    if m := known(sc.doctrine.assigner, solver_names(), "assigner"):
        probs.append((("doctrine", "assigner"), m))
    return probs


def _check_engagement(sc: Scenario, cat: Any) -> list[tuple[Loc, str]]:
    """References and consistency of raid model v2's rules: weapon-release rules name known
    effector and threat types, stay within ``max_shots_per_threat`` and leave a firing range
    beyond the minimum range; catalog curves and hazard rates go with the engagement model
    that uses them."""
    from airshield.catalog import load_catalog

    probs: list[tuple[Loc, str]] = []
    d = sc.doctrine
    cap = d.max_shots_per_threat

    def shots(loc: Loc, table: dict[str, int] | None) -> None:
        for t, k in (table or {}).items():
            if t not in cat.threats:
                probs.append(
                    ((*loc, t), f"unknown threat type {t!r}; expected one of {sorted(cat.threats)}")
                )
            elif k > cap:
                probs.append(((*loc, t), f"{k} rounds is more than max_shots_per_threat ({cap})"))

    shots(("doctrine", "shots_per_threat"), d.shots_per_threat)
    for e, r in d.effectors.items():
        if e not in cat.effectors:
            probs.append(
                (
                    ("doctrine", "effectors", e),
                    f"unknown effector type {e!r}; expected one of {sorted(cat.effectors)}",
                )
            )
            continue
        shots(("doctrine", "effectors", e, "shots_per_threat"), r.shots_per_threat)
    for i, u in enumerate(sc.fire_units):
        if u.rules is not None:
            shots(("fire_units", i, "rules", "shots_per_threat"), u.rules.shots_per_threat)
        e = cat.effectors.get(u.effector)
        if e is None or e.kind == "ew":
            continue
        levels = [u.rules, d.effectors.get(u.effector)]
        frac = next(
            (r.firing_range_fraction for r in levels if r and r.firing_range_fraction is not None),
            d.firing_range_fraction,
        )
        if frac * e.range_max_km <= e.range_min_km:
            probs.append(
                (
                    ("fire_units", i, "effector"),
                    f"firing_range_fraction {frac:g} x range_max_km {e.range_max_km:g} is within "
                    f"the minimum range {e.range_min_km:g} km of {e.name!r}: the unit could "
                    "never fire",
                )
            )
    bundled = load_catalog().effectors
    for i, et in enumerate(sc.catalog.effectors):
        # a curve of its own (not the bundled type's, which copies of the catalog carry) that
        # the flat model would silently ignore
        own = et.name not in bundled or et.pk_curve != bundled[et.name].pk_curve
        if et.pk_curve and own and sc.engagement.pk_model != "range":
            probs.append(
                (
                    ("catalog", "effectors", i, "pk_curve"),
                    "a pk_curve is used only with engagement: {pk_model: range}",
                )
            )
        own_rate = (
            et.name not in bundled or et.ew_hazard_per_min != bundled[et.name].ew_hazard_per_min
        )
        if et.ew_hazard_per_min is not None and own_rate and sc.engagement.ew_model != "hazard":
            probs.append(
                (
                    ("catalog", "effectors", i, "ew_hazard_per_min"),
                    "ew_hazard_per_min is used only with engagement: {ew_model: hazard}",
                )
            )
    return probs


def validate_scenario_data(data: Any, path: str | None, lines: dict[Loc, int]) -> Scenario:
    """Validate parsed YAML data into a Scenario: structure, then references. A plan-space
    file (a scenario with an ``attack:`` section) is refused with the commands that take it."""
    if isinstance(data, dict) and "attack" in data:
        from airshield.scenario.yamlio import line_for

        raise ScenarioError(
            path,
            [
                Problem(
                    "attack",
                    "this is an attacker plan-space file (a raid scenario with an 'attack:' "
                    "section), not a plain raid scenario; it is taken by 'airshield attack "
                    "validate|plans|best-response FILE' and, through a laydown spec, by "
                    "'airshield plan laydown SPEC' (docs/attack.md)",
                    line_for(("attack",), lines),
                )
            ],
        )
    sc = validate_data(Scenario, data, path, lines)
    refs = check_references(sc)
    if refs:
        from airshield.scenario.yamlio import line_for

        raise ScenarioError(
            path, [Problem(format_loc(loc), msg, line_for(loc, lines)) for loc, msg in refs]
        )
    return sc


def scenario_from_text(text: str, path: str | None = None) -> Scenario:
    """Parse and validate scenario YAML text."""
    data, lines = parse_yaml(text, path)
    return validate_scenario_data(data, path, lines)


def load_scenario(path: str | Path) -> Scenario:
    """Load a raid scenario file (or a bundled example by bare name, ``kyiv-2025-07-04``);
    raises :class:`ScenarioError` listing every problem found."""
    from airshield.examples import resolve_example

    path = resolve_example(path)
    data, lines = read_yaml(path)
    return validate_scenario_data(data, str(path), lines)
