"""The raid scenario language: pydantic v2 models of one YAML file.

Every model forbids unknown keys; types inside lists are chosen by a ``kind:`` field. Names
that refer to other things (threat and effector types, assets, pools, launch sites) are checked
by :func:`check_references` after the structure is valid, so every error names its field path.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from airshield.catalog import Catalog, EffectorType, ThreatType, load_catalog
from airshield.scenario import limits as L
from airshield.vocab import MAX_LEGS

if TYPE_CHECKING:
    from pathlib import Path

    from airshield.api import PlanAccessor, RaidComparison
    from airshield.campaign.models import Campaign
    from airshield.campaign.result import CampaignResult
    from airshield.campaign.surrogate import DesignSpec
    from airshield.raid.result import RaidResult
    from airshield.sweep.runner import SweepRun

Lat = Annotated[float, Field(ge=-90.0, le=90.0, json_schema_extra={"unit": "deg"})]
Lon = Annotated[float, Field(ge=-180.0, le=180.0, json_schema_extra={"unit": "deg"})]
Prob = Annotated[float, Field(ge=0.0, le=1.0)]
Name = Annotated[str, Field(min_length=1, max_length=200)]
Text = Annotated[str, Field(max_length=L.MAX_SCALAR_CHARS)]
Km = Annotated[float, Field(ge=0, le=L.MAX_KM, json_schema_extra={"unit": "km"})]
Seconds = Annotated[float, Field(ge=0, le=L.MAX_TIME_S, json_schema_extra={"unit": "s"})]
Rounds = Annotated[int, Field(ge=0, le=L.MAX_ROUNDS)]


class Strict(BaseModel):
    """Base of every scenario model: unknown keys are errors.

    Models built in Python validate like YAML does: the constructor and ``model_validate``
    check every field, an assignment (``wave.count = 10**9``) is validated, and
    :meth:`model_copy` with ``update=`` validates the copy (pydantic's own skips validation).
    """

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, validate_assignment=True)

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A copy with ``update`` applied, validated like a new model (raises
        ``pydantic.ValidationError``); private attributes are kept."""
        copied = super().model_copy(update=update, deep=deep)
        if not update:
            return copied
        fields = {k: getattr(copied, k) for k in type(copied).model_fields}
        new = type(copied).model_validate(fields, context=_COPY_CONTEXT)
        if copied.__pydantic_private__ is not None:
            new.__pydantic_private__ = dict(copied.__pydantic_private__)
        return new


#: validation context of :meth:`Strict.model_copy` (references are checked too)
_COPY_CONTEXT: dict[str, Any] = {"path": None}
#: context key with which the YAML loader defers the reference checks (it runs them itself,
#: with line numbers)
DEFER_REFERENCES = "defer_references"


class Point(Strict):
    lat: Lat
    lon: Lon


class Asset(Strict):
    """Something worth defending: a city district, a power plant, an airbase."""

    name: Name
    lat: Lat
    lon: Lon
    value_usd: float = Field(gt=0, le=L.MAX_USD, description="value at risk, USD (notional)")
    radius_km: float = Field(5.0, gt=0, le=L.MAX_KM, description="aim-point scatter radius")


class RadarSensor(Strict):
    """A sensor with a coverage circle: detects a threat entering it with ``p_detect``."""

    kind: Literal["radar"]
    name: Name
    lat: Lat
    lon: Lon
    range_km: float = Field(gt=0, le=L.MAX_KM)
    p_detect: Prob = 0.9
    p_discriminate_decoy: Prob = Field(0.0, description="chance a detected decoy is recognised")
    altitude_min_km: float = Field(
        0.0, ge=0, le=L.MAX_KM, description="threats below are not seen (horizon)"
    )
    # ---- sensing v2 (each off by default: binary detection as before) ---------------------
    track_capacity: int | None = Field(
        None, ge=1, le=L.MAX_THREATS,
        description="tracks held at once (none: unlimited); a threat arriving at a full radar "
        "waits for a free track while it is still in coverage",
    )  # fmt: skip
    firm_track_s: Seconds = Field(
        0.0, description="time from first detection to a firm track (engagements need one)"
    )
    position_error_km: Km = Field(
        0.0, description="1-sigma track position error per axis: the cue quality for hunts"
    )
    antenna_height_m: float | None = Field(
        None, gt=0, le=1e5,
        description="antenna height: limits the range to the 4/3-earth radar horizon "
        "4.12 (sqrt(h_antenna_m) + sqrt(h_target_m)) km, so low flyers are seen later",
    )  # fmt: skip

    @property
    def sensing_v2(self) -> bool:
        """Whether any sensing-v2 field is set (otherwise detection is binary, as in v1)."""
        return (
            self.track_capacity is not None or self.firm_track_s > 0
            or self.position_error_km > 0 or self.antenna_height_m is not None
        )  # fmt: skip


class CoverageSensor(Strict):
    """A national sensor network abstraction: every threat is tracked from launch with p_detect."""

    kind: Literal["coverage"]
    name: Name
    p_detect: Prob = 1.0
    p_discriminate_decoy: Prob = 0.0
    position_error_km: Km = Field(
        0.0, description="1-sigma track position error per axis: the cue quality for hunts"
    )

    @property
    def sensing_v2(self) -> bool:
        return self.position_error_km > 0


Sensor = Annotated[RadarSensor | CoverageSensor, Field(discriminator="kind")]


class FixedDelay(Strict):
    """The same delay every time."""

    kind: Literal["fixed"]
    delay_s: Seconds


class UniformDelay(Strict):
    """A delay uniform in [min_s, max_s]."""

    kind: Literal["uniform"]
    min_s: Seconds
    max_s: Seconds

    @model_validator(mode="after")
    def _check(self) -> UniformDelay:
        if self.max_s < self.min_s:
            raise ValueError("max_s must be >= min_s")
        return self


class TriangularDelay(Strict):
    """A triangular delay on [min_s, max_s] with its peak at mode_s (the usual three-point
    estimate: shortest, most likely, longest)."""

    kind: Literal["triangular"]
    min_s: Seconds
    mode_s: Seconds
    max_s: Seconds

    @model_validator(mode="after")
    def _check(self) -> TriangularDelay:
        if not self.min_s <= self.mode_s <= self.max_s:
            raise ValueError("need min_s <= mode_s <= max_s")
        return self


Delay = Annotated[FixedDelay | UniformDelay | TriangularDelay, Field(discriminator="kind")]


class FireRules(Strict):
    """Weapon-release rules of one effector type or fire unit; unset fields inherit (fire unit
    -> ``doctrine.effectors[type]`` -> the scenario's doctrine)."""

    firing_range_fraction: float | None = Field(
        None,
        gt=0,
        le=1,
        description="fire only at intercepts within this share of the type's range_max_km",
    )
    shots_per_threat: dict[Name, Annotated[int, Field(ge=0, le=16)]] | None = Field(
        None,
        max_length=L.MAX_LIST_ITEMS,
        description="threat type -> most rounds at one threat under which this unit still "
        "fires (perceived type; at most max_shots_per_threat); merged key by key",
    )
    c2_delay: Delay | None = Field(
        None, description="cue -> decision -> launch delay of each engagement"
    )


class _UnitOptions(Strict):
    effector: Name = Field(description="effector type from the catalog")
    channels: int | None = Field(
        None, ge=1, le=L.MAX_CHANNELS, description="default: the effector type's"
    )
    ready_rounds: Rounds | None = Field(None, description="default: the effector type's")
    reload_s: Seconds | None = Field(None, description="default: the effector type's")
    pool: Name | None = Field(None, description="inventory pool that refills the magazine")
    rules: FireRules | None = Field(
        None, description="weapon-release rules of this unit (over its effector type's)"
    )


class FireUnit(_UnitOptions):
    """One fire unit at a position."""

    kind: Literal["unit"]
    name: Name
    lat: Lat
    lon: Lon


class RingLaydown(_UnitOptions):
    """``count`` units evenly spaced on a circle (or an arc) around an asset."""

    kind: Literal["ring"]
    name: Name = Field(description="prefix; units are named <name>-1, <name>-2, ...")
    around: Name = Field(description="asset name")
    count: int = Field(ge=1, le=L.MAX_RULE_UNITS)
    radius_km: Km
    bearing_deg: float = Field(0.0, ge=-360, le=360, description="centre of the arc (0 = north)")
    arc_deg: float = Field(360.0, gt=0, le=360, description="360 = full ring")


class LineLaydown(_UnitOptions):
    """``count`` units evenly spaced on a line between two points (a barrier)."""

    kind: Literal["line"]
    name: Name
    start: Point
    end: Point
    count: int = Field(ge=1, le=L.MAX_RULE_UNITS)


class Hunt(Strict):
    """How an interceptor-drone team's hunt succeeds and how long it takes. Unset fields take
    the cheap-layer defaults (``airshield/catalog/data/cheap_layer.csv``).

    Success of one interceptor = effector Pk x cue factor x speed factor x conditions factor:
    cue factor ``1 - exp(-R^2 / (2 sigma^2))`` (sigma: the track's position error, R:
    ``acquisition_radius_km``); speed factor linear from 0 at ``speed_ratio_min`` to 1 at
    ``speed_ratio_full`` (interceptor / threat speed); conditions from the scenario's
    ``conditions``."""

    acquisition_radius_km: float | None = Field(None, gt=0, le=L.MAX_KM)
    speed_ratio_min: float | None = Field(None, ge=0, le=100)
    speed_ratio_full: float | None = Field(None, ge=0, le=100)
    time_s: Seconds | None = Field(
        None, description="median hunt time (default: the effector type's engagement_time_s)"
    )
    time_sigma: float | None = Field(None, ge=0, le=5, description="log-sd of the hunt time")
    recovery_p: Prob | None = Field(None, description="chance a missed interceptor is reused")
    ceiling_km: float | None = Field(
        None, gt=0, le=L.MAX_KM, description="highest target altitude (default: effector type's)"
    )

    @model_validator(mode="after")
    def _check(self) -> Hunt:
        lo, hi = self.speed_ratio_min, self.speed_ratio_full
        if lo is not None and hi is not None and hi < lo:
            raise ValueError("speed_ratio_full must be >= speed_ratio_min")
        return self


class TeamGroup(_UnitOptions):
    """Interceptor-drone teams at one launch point. A team (operator + ground station) runs one
    hunt at a time, so ``teams`` is the group's concurrent hunts (its channels); hunts need a
    track (the cue), and succeed as :class:`Hunt` says."""

    kind: Literal["teams"]
    name: Name
    lat: Lat
    lon: Lon
    teams: int = Field(ge=1, le=L.MAX_CHANNELS, description="teams: hunts at once")
    hunt: Hunt = Field(default_factory=Hunt)

    @model_validator(mode="after")
    def _no_channels(self) -> TeamGroup:
        if self.channels is not None:
            raise ValueError("a team group's concurrent hunts are its `teams`; omit `channels`")
        return self


class MobileGroup(_UnitOptions):
    """A mobile fire group: waits at its base and is sent, once a track is firm, to the first
    point of a track it can reach in time (road speed, reaction and set-up); it engages only
    from that point and only after it arrived. Unset fields take the cheap-layer defaults."""

    kind: Literal["mobile"]
    name: Name
    lat: Lat = Field(description="base")
    lon: Lon = Field(description="base")
    speed_kmh: float | None = Field(None, gt=0, le=1000, json_schema_extra={"unit": "km/h"})
    road_factor: float | None = Field(None, ge=1, le=10, description="road / straight distance")
    reaction_s: Seconds | None = Field(None, description="from firm track to leaving the base")
    setup_s: Seconds | None = Field(None, description="set-up before the threat passes")
    max_dispatch_km: Km | None = Field(None, description="farthest intercept point from base")


FireUnitSpec = Annotated[
    FireUnit | RingLaydown | LineLaydown | TeamGroup | MobileGroup, Field(discriminator="kind")
]


def spec_unit_count(u: FireUnitSpec) -> int:
    """Fire units one ``fire_units`` entry lays down."""
    return u.count if isinstance(u, RingLaydown | LineLaydown) else 1


class Conditions(Strict):
    """Weather and light of the night: a factor on interceptor-drone hunt success
    (``condition.*`` rows of the cheap-layer table). Only team groups use it."""

    weather: Literal["clear", "rain", "snow", "fog"] = "clear"
    night: bool = Field(False, description="night adds the condition.night factor")


class Pool(Strict):
    """An inventory pool of interceptors of one effector type, shared by the units that draw on it."""

    name: Name
    effector: Name
    stock: Rounds = Field(description="rounds available for reloads")


class LaunchSite(Strict):
    """A publicly reported launch area (never a defender position)."""

    name: Name
    lat: Lat
    lon: Lon
    note: Text = ""


class MainDirection(Strict):
    asset: Name
    share: Prob = Field(0.8, description="share aimed at this asset; the rest by asset value")


class RoutePoint(Strict):
    """A point a wave's routes pass on the way to their final approach (notional)."""

    lat: Lat
    lon: Lon


class Wave(Strict):
    """A group of threats of one type from one launch site over a launch window.

    Each threat flies from the launch site through the ``via`` points, in order, then on to a
    jittered midpoint of its final approach and its aim point: ``len(via) + 2`` straight legs
    (at most :data:`airshield.vocab.MAX_LEGS`), every one of them seen and shot at."""

    name: Name
    threat: Name = Field(description="threat type from the catalog")
    count: int = Field(ge=0, le=L.MAX_THREATS)
    launch_site: Name
    launch_start_s: Seconds = 0.0
    launch_end_s: Seconds = 0.0
    targets: dict[str, Annotated[float, Field(ge=0, le=1e12)]] | None = Field(
        None, max_length=L.MAX_LIST_ITEMS, description="asset name -> weight"
    )
    main_direction: MainDirection | None = None
    route_jitter_km: Km = Field(0.0, description="s.d. of the lateral route offset")
    via: list[RoutePoint] = Field(
        default_factory=list,
        max_length=L.MAX_LIST_ITEMS,
        description=f"waypoints before the final approach, in order (at most {MAX_LEGS - 2})",
    )

    @field_validator("via")
    @classmethod
    def _via_fits_a_route(cls, v: list[RoutePoint]) -> list[RoutePoint]:
        if len(v) > MAX_LEGS - 2:
            raise PydanticCustomError(
                "too_many_waypoints",
                "at most {most} waypoints (a route has at most {legs} legs: launch site, "
                "waypoints, final approach), not {n}",
                {"most": MAX_LEGS - 2, "legs": MAX_LEGS, "n": len(v)},
            )
        return v

    @model_validator(mode="after")
    def _check(self) -> Wave:
        if self.launch_end_s < self.launch_start_s:
            raise ValueError("launch_end_s must be >= launch_start_s")
        if self.targets is not None and self.main_direction is not None:
            raise ValueError("give either targets or main_direction, not both")
        if self.targets is not None and sum(self.targets.values()) <= 0:
            raise ValueError("targets: weights must sum to more than 0")
        return self


class Doctrine(Strict):
    """Fire doctrine and threat evaluation / weapon assignment settings."""

    policy: Literal["shoot-look-shoot", "salvo"] = "shoot-look-shoot"
    salvo_size: int = Field(2, ge=1, le=8, description="rounds per engagement under 'salvo'")
    max_shots_per_threat: int = Field(3, ge=1, le=16, description="rounds in total per threat")
    cost_threshold: float = Field(
        1.0, ge=0, le=1e9, description="engage only if engagement cost <= threshold x value at risk"
    )
    cost_weight: float = Field(
        1.0, ge=0, le=1e9, description="weight of shot cost against value saved in the assignment"
    )
    ballistic_reserve: dict[str, Rounds] = Field(
        default_factory=dict,
        max_length=L.MAX_LIST_ITEMS,
        description="effector type -> ready rounds kept for ballistic threats",
    )
    max_ew_attempts: int = Field(3, ge=0, le=16, description="EW engagements per threat")
    assigner: Name = Field("greedy", description="solver from `airshield wta --list`")
    firing_range_fraction: float = Field(
        1.0, gt=0, le=1, description="fire only at intercepts within this share of max range"
    )
    shots_per_threat: dict[Name, Annotated[int, Field(ge=0, le=16)]] = Field(
        default_factory=dict,
        max_length=L.MAX_LIST_ITEMS,
        description="threat type -> most rounds at one threat (perceived type; at most "
        "max_shots_per_threat)",
    )
    c2_delay: Delay | None = Field(
        None, description="cue -> decision -> launch delay of each kinetic engagement"
    )
    effectors: dict[Name, FireRules] = Field(
        default_factory=dict,
        max_length=L.MAX_LIST_ITEMS,
        description="effector type -> weapon-release rules over the scenario's",
    )

    @property
    def rounds_per_engagement(self) -> int:
        return self.salvo_size if self.policy == "salvo" else 1


class Engagement(Strict):
    """Which engagement physics a raid runs (raid model v2). The defaults are the model of
    version 1, so a scenario without this block gives the results it always gave."""

    pk_model: Literal["flat", "range"] = Field(
        "flat",
        description="flat: an effector's pk by threat kind; range: its pk_curve (catalog "
        "pk_curves.csv or the override's) at the normalised range of the intercept point",
    )
    ew_model: Literal["attempt", "hazard"] = Field(
        "attempt",
        description="attempt: one EW try per threat on entry (pk, a channel, a dwell); "
        "hazard: loss at a rate per minute while inside the jammed field",
    )
    lost_harm_share: Prob = Field(
        0.0,
        description="share of lost (EW) threats that still fall and do harm where they were "
        "lost: inside an asset's disc they hit it; counted apart from leakers (the record "
        "counts them as lost, the ground does not)",
    )


class CatalogOverrides(Strict):
    """Threat or effector types that replace (by name) or extend the bundled catalog."""

    threats: list[ThreatType] = Field(default_factory=list, max_length=L.MAX_LIST_ITEMS)
    effectors: list[EffectorType] = Field(default_factory=list, max_length=L.MAX_LIST_ITEMS)


class Scenario(Strict):
    """One night's raid against a defence laydown."""

    name: Name
    description: Text = ""
    notional: bool = Field(True, description="laydown is notional (never real unit positions)")
    origin: Point | None = Field(None, description="centre of the local plane; default: assets")
    catalog: CatalogOverrides = Field(default_factory=CatalogOverrides)
    assets: list[Asset] = Field(min_length=1, max_length=L.MAX_LIST_ITEMS)
    sensors: list[Sensor] = Field(default_factory=list, max_length=L.MAX_LIST_ITEMS)
    fire_units: list[FireUnitSpec] = Field(default_factory=list, max_length=L.MAX_LIST_ITEMS)
    pools: list[Pool] = Field(default_factory=list, max_length=L.MAX_LIST_ITEMS)
    launch_sites: list[LaunchSite] = Field(min_length=1, max_length=L.MAX_LIST_ITEMS)
    waves: list[Wave] = Field(min_length=1, max_length=L.MAX_LIST_ITEMS)
    doctrine: Doctrine = Field(default_factory=Doctrine)
    engagement: Engagement = Field(default_factory=Engagement)
    conditions: Conditions = Field(default_factory=Conditions)

    @field_validator("fire_units")
    @classmethod
    def _units_limit(cls, v: list[FireUnitSpec]) -> list[FireUnitSpec]:
        n = sum(spec_unit_count(u) for u in v)
        if n > L.MAX_UNITS:
            raise ValueError(
                f"{n:,} fire units once ring and line rules are laid down; the limit is "
                f"{L.MAX_UNITS:,}"
            )
        return v

    @field_validator("waves")
    @classmethod
    def _threats_limit(cls, v: list[Wave], info: ValidationInfo) -> list[Wave]:
        n = sum(w.count for w in v)
        if n > L.MAX_THREATS:
            raise ValueError(f"{n:,} threats in all waves together; the limit is {L.MAX_THREATS:,}")
        units = sum(spec_unit_count(u) for u in info.data.get("fire_units", []))
        others = len(info.data.get("sensors", [])) + len(info.data.get("assets", []))
        if n * (units + others) > L.MAX_THREAT_PAIRS:
            raise ValueError(
                f"{n:,} threats x {units + others:,} fire units, sensors and assets is "
                f"{n * (units + others):,} pairs per replication; the limit is "
                f"{L.MAX_THREAT_PAIRS:,}"
            )
        return v

    @model_validator(mode="after")
    def _references(self, info: ValidationInfo) -> Scenario:
        """Names that refer to other things must exist (the YAML loader runs this check itself
        afterwards, with line numbers; a scenario built in Python is checked here)."""
        if isinstance(info.context, dict) and info.context.get(DEFER_REFERENCES):
            return self
        from airshield.scenario import check_references
        from airshield.scenario.yamlio import format_loc

        problems = check_references(self)
        if problems:
            listed = "; ".join(f"{format_loc(loc)}: {msg}" for loc, msg in problems)
            raise PydanticCustomError("references", "{n} reference problem(s): {listed}",
                                      {"n": len(problems), "listed": listed})  # fmt: skip
        return self

    # ---- derived views -------------------------------------------------------------------
    def resolved_catalog(self) -> Catalog:
        """The bundled catalog with this scenario's overrides applied."""
        return load_catalog().with_overrides(self.catalog.threats, self.catalog.effectors)

    def content_hash(self) -> str:
        """A short stable hash of the scenario content (for result headers and stores). A wave
        without waypoints hashes as it did before waves had them."""
        data = self.model_dump(mode="json")
        for w in data["waves"]:
            if not w["via"]:
                del w["via"]
        blob = json.dumps(data, sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:16]

    def origin_point(self) -> tuple[float, float]:
        if self.origin is not None:
            return self.origin.lat, self.origin.lon
        lat = sum(a.lat for a in self.assets) / len(self.assets)
        lon = sum(a.lon for a in self.assets) / len(self.assets)
        return lat, lon

    def total_threats(self) -> int:
        return sum(w.count for w in self.waves)

    def total_fire_units(self) -> int:
        """Fire units once the laydown rules are expanded (``len(expand_fire_units(sc))``)."""
        return sum(spec_unit_count(u) for u in self.fire_units)

    # ---- façade: the engines (airshield.api; the free functions stay the implementation) ----
    def simulate(
        self,
        reps: int = 100,
        seed: int = 0,
        *,
        workers: int | None = 1,
        engine: str | None = None,
        progress: bool | Callable[[int, int], None] = False,
    ) -> RaidResult:
        """Monte Carlo of the raid: ``reps`` replications from ``SeedSequence(seed)``.

        ``engine``: ``auto`` (default), ``kernel`` or ``reference`` (:mod:`airshield.raid.engines`).
        ``workers``: processes (0 = one per CPU; the same result for any number).
        ``progress``: True for a progress bar, or a callback ``(done, total)``.
        """
        from airshield import api

        return api.simulate(self, reps, seed, workers=workers, engine=engine, progress=progress)

    def compare(
        self,
        *others: Scenario | str | Path,
        names: list[str] | None = None,
        reps: int = 100,
        seed: int = 0,
        level: float = 0.95,
        workers: int | None = 1,
        engine: str | None = None,
    ) -> RaidComparison:
        """This raid (the baseline) against ``others`` (scenarios or YAML files), every variant
        from the same seed: paired differences with ``level`` t-intervals
        (:class:`airshield.api.RaidComparison`)."""
        from airshield import api

        variants = [self, *(api.as_scenario(o) for o in others)]
        return api.compare_raids(
            variants, names, reps, seed, level=level, workers=workers, engine=engine
        )

    def campaign(
        self,
        campaign: Campaign | str | Path,
        mode: str = "fast",
        reps: int = 100,
        seed: int = 0,
        *,
        design: DesignSpec | None = None,
        workers: int | None = 1,
        engine: str | None = None,
        progress: bool | Callable[[str, int, int], None] = False,
    ) -> CampaignResult:
        """Run ``campaign`` (an :class:`airshield.Campaign` or a campaign YAML file) with this
        scenario as its raid template, night by night (references checked again)."""
        from airshield import api

        c = api.with_raid_template(campaign, self)
        return api.run_campaign(
            c, mode, reps, seed, design=design, workers=workers, engine=engine, progress=progress
        )

    def sweep(
        self,
        parameters: list[dict[str, Any]],
        out: str | Path,
        *,
        reps: int = 100,
        seed: int = 0,
        **options: Any,
    ) -> SweepRun:
        """A parameter sweep over this scenario into ``out`` (:func:`airshield.api.sweep`)."""
        from airshield import api

        return api.sweep(self, parameters, out, reps=reps, seed=seed, **options)

    @property
    def plan(self) -> PlanAccessor:
        """Decisions on this scenario (:class:`airshield.api.PlanAccessor`)."""
        from airshield.api import PlanAccessor

        return PlanAccessor(self)

    def to_yaml(self) -> str:
        """The scenario as YAML (round-trips through :func:`airshield.load_scenario`)."""
        import yaml

        data = self.model_dump(mode="json", exclude_defaults=True)
        data["name"] = self.name
        return yaml.safe_dump(data, sort_keys=False)
