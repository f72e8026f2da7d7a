"""The campaign language: pydantic v2 models of one campaign YAML file.

A campaign runs a raid template (a raid scenario file: the nightly laydown and the threat mix)
night after night over a horizon of dates. The attacker produces, stockpiles and launches threats
under a tempo policy; the defender's interceptor pools are drawn down by the rounds fired and
refilled by production, deliveries and purchases, and lose rounds to diversions. Every model
forbids unknown keys; policies and profiles are chosen by ``kind:``. Names that refer to other
things (threat types, pools, the raid file) are checked by :func:`check_campaign_references` after
the structure is valid, so every problem names its field path and line.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import numpy as np
from pydantic import Field, PrivateAttr, model_validator

from airshield.scenario import limits as L
from airshield.scenario.models import Name, Scenario, Strict, Text
from airshield.scenario.yamlio import Loc

if TYPE_CHECKING:
    from airshield.api import PlanAccessor
    from airshield.campaign.compare import Comparison
    from airshield.campaign.result import CampaignResult
    from airshield.campaign.surrogate import DesignSpec
    from airshield.sweep.runner import SweepRun

MAX_NIGHTS = 3660
Count = Annotated[int, Field(ge=0, le=L.MAX_ROUNDS)]
NonNeg = Annotated[float, Field(ge=0.0, le=L.MAX_ROUNDS)]
Usd = Annotated[float, Field(ge=0.0, le=L.MAX_USD, json_schema_extra={"unit": "USD"})]
Fraction = Annotated[float, Field(ge=0.0, le=1.0)]


# ---- profiles: a quantity per day (production rate, number of launch sites) --------------------
class ConstantProfile(Strict):
    """The same value every day."""

    kind: Literal["constant"]
    value: NonNeg


class RampProfile(Strict):
    """Linear from ``start_value`` on ``start`` to ``end_value`` on ``end``; flat outside."""

    kind: Literal["ramp"]
    start: dt.date
    end: dt.date
    start_value: NonNeg
    end_value: NonNeg

    @model_validator(mode="after")
    def _check(self) -> RampProfile:
        if self.end < self.start:
            raise ValueError("end must be on or after start")
        return self


class Step(Strict):
    date: dt.date = Field(description="first day the value applies")
    value: NonNeg


class StepsProfile(Strict):
    """``initial`` until the first change's date, then each change's value from its date on."""

    kind: Literal["steps"]
    initial: NonNeg = 0.0
    changes: list[Step] = Field(min_length=1, max_length=L.MAX_LIST_ITEMS)

    @model_validator(mode="after")
    def _check(self) -> StepsProfile:
        dates = [s.date for s in self.changes]
        if dates != sorted(dates) or len(set(dates)) != len(dates):
            raise ValueError("changes must have strictly increasing dates")
        return self


Profile = Annotated[ConstantProfile | RampProfile | StepsProfile, Field(discriminator="kind")]


def profile_values(profile: Profile, dates: list[dt.date]) -> list[float]:
    """The profile's value on each date."""
    out: list[float] = []
    for d in dates:
        if isinstance(profile, ConstantProfile):
            out.append(profile.value)
        elif isinstance(profile, RampProfile):
            span = (profile.end - profile.start).days
            if d <= profile.start or span == 0:
                out.append(profile.start_value if d <= profile.start else profile.end_value)
            elif d >= profile.end:
                out.append(profile.end_value)
            else:
                f = (d - profile.start).days / span
                out.append(profile.start_value + f * (profile.end_value - profile.start_value))
        else:
            v = profile.initial
            for s in profile.changes:
                if s.date <= d:
                    v = s.value
            out.append(v)
    return out


# ---- attacker ----------------------------------------------------------------------------------
class AttackerThreat(Strict):
    """One threat type the attacker produces, stockpiles and launches."""

    threat: Name = Field(
        description="threat type of the catalog (and of the raid template's waves)"
    )
    stock: Count = Field(0, description="threats in stock at the start")
    production_per_day: Profile | None = Field(None, description="threats produced per day")
    launch: Literal["sites", "own"] = Field(
        "sites",
        description="'sites': launched from the shared launch sites (drones, decoys); "
        "'own': own launchers (aircraft, ships), limited by max_per_night",
    )
    max_per_night: Count | None = Field(None, description="most launched in one night")


class LaunchSites(Strict):
    """Launch capacity of site-launched threats: sites x launches per site per night."""

    sites: Profile = Field(description="number of launch sites in use")
    launches_per_site: NonNeg = Field(description="launches per site per night")


class NightlyTempo(Strict):
    """Launch ``fraction`` of what is available every night (if at least ``min_raid``)."""

    kind: Literal["nightly"]
    fraction: Fraction = 1.0
    min_raid: Count = Field(0, description="launch nothing on nights with fewer available")


class AccumulateTempo(Strict):
    """Hold most of the stock and strike with a big raid every ``every_nights`` nights."""

    kind: Literal["accumulate"]
    every_nights: int = Field(ge=1, le=366, description="nights between big raids")
    first: dt.date | None = Field(None, description="night of the first big raid (default: start)")
    big_fraction: Fraction = Field(1.0, description="share of the available stock launched")
    between_fraction: Fraction = Field(
        0.0, description="share of the available stock launched on the other nights"
    )


class ScheduledRaid(Strict):
    """One raid of an explicit schedule: counts by threat type, or a share of what is available."""

    date: dt.date
    threats: dict[str, Count] | None = Field(None, description="threat type -> count (capped)")
    fraction: Fraction | None = Field(None, description="share of the available stock")

    @model_validator(mode="after")
    def _check(self) -> ScheduledRaid:
        if (self.threats is None) == (self.fraction is None):
            raise ValueError("give either threats (counts) or fraction, not both")
        return self


class ScheduleTempo(Strict):
    """Raids on listed dates; ``between_fraction`` of the available stock on the other nights."""

    kind: Literal["schedule"]
    raids: list[ScheduledRaid] = Field(min_length=1, max_length=L.MAX_LIST_ITEMS)
    between_fraction: Fraction = 0.0


Tempo = Annotated[NightlyTempo | AccumulateTempo | ScheduleTempo, Field(discriminator="kind")]


class Attacker(Strict):
    threats: list[AttackerThreat] = Field(min_length=1, max_length=L.MAX_LIST_ITEMS)
    launch_sites: LaunchSites | None = Field(
        None, description="capacity of 'sites' threats (none: unlimited)"
    )
    tempo: Tempo = Field(default_factory=lambda: NightlyTempo(kind="nightly"))


# ---- defender ----------------------------------------------------------------------------------
class OnceDelivery(Strict):
    kind: Literal["once"]
    date: dt.date
    rounds: Count
    note: Text = ""


class RecurringDelivery(Strict):
    """``rounds`` every ``every_days`` days from ``start`` to ``end`` (inclusive)."""

    kind: Literal["recurring"]
    start: dt.date
    end: dt.date
    every_days: int = Field(ge=1, le=MAX_NIGHTS)
    rounds: Count
    note: Text = ""

    @model_validator(mode="after")
    def _check(self) -> RecurringDelivery:
        if self.end < self.start:
            raise ValueError("end must be on or after start")
        return self


Delivery = Annotated[OnceDelivery | RecurringDelivery, Field(discriminator="kind")]


Stream = Literal["production", "deliveries"]
STREAMS: tuple[Stream, ...] = ("production", "deliveries")


class Pause(Strict):
    """Arrivals (production, deliveries) held back from ``start`` for ``days`` (or to ``end``)."""

    start: dt.date
    end: dt.date | None = Field(None, description="last paused day (inclusive)")
    days: int | None = Field(None, ge=1, description="length of the pause in days")
    applies_to: list[Stream] = Field(default_factory=lambda: list(STREAMS), min_length=1)
    backlog: Literal["release", "drop"] = Field(
        "release",
        description="'release': held rounds arrive the day after the pause; 'drop': they never do",
    )
    note: Text = ""

    @model_validator(mode="after")
    def _check(self) -> Pause:
        if (self.end is None) == (self.days is None):
            raise ValueError("give either end or days")
        if self.end is not None and self.end < self.start:
            raise ValueError("end must be on or after start")
        return self

    @property
    def last_day(self) -> dt.date:
        if self.end is not None:
            return self.end
        assert self.days is not None
        return self.start + dt.timedelta(days=self.days - 1)


class Diversion(Strict):
    """``rounds`` taken to another theatre from ``date``: from the stock that night and, if that is
    not enough, from later arrivals until the total is met (or ``until`` passes)."""

    date: dt.date
    rounds: Count
    until: dt.date | None = Field(None, description="last day rounds are still taken")
    note: Text = ""


class DefenderPool(Strict):
    """An interceptor pool of the raid template (same name): its stock and its supply."""

    name: Name = Field(description="a pool of the raid template")
    stock: Count = Field(description="rounds at the start (magazines and depots together)")
    production_per_day: Profile | None = Field(None, description="rounds made per day")
    lead_time_days: int = Field(0, ge=0, le=3650, description="days from production to arrival")
    deliveries: list[Delivery] = Field(default_factory=list, max_length=L.MAX_LIST_ITEMS)
    pauses: list[Pause] = Field(default_factory=list, max_length=L.MAX_LIST_ITEMS)
    diversions: list[Diversion] = Field(default_factory=list, max_length=L.MAX_LIST_ITEMS)


class OrderPurchase(Strict):
    """Buy ``rounds`` on ``date`` (as far as the budget allows); they arrive after the lead time."""

    kind: Literal["order"]
    pool: Name
    date: dt.date
    rounds: Count
    unit_cost_usd: Usd | None = Field(None, description="default: catalog cost per shot")
    lead_time_days: int = Field(0, ge=0, le=3650)


class ReorderPurchase(Strict):
    """Order ``order_rounds`` whenever the stock at the end of a night is below ``below_rounds``
    and no order of this rule is on its way (as far as the budget allows)."""

    kind: Literal["reorder"]
    pool: Name
    below_rounds: Count
    order_rounds: int = Field(ge=1, le=L.MAX_ROUNDS)
    unit_cost_usd: Usd | None = Field(None, description="default: catalog cost per shot")
    lead_time_days: int = Field(0, ge=0, le=3650)
    max_orders: int | None = Field(None, ge=0, le=L.MAX_ROUNDS)


Purchase = Annotated[OrderPurchase | ReorderPurchase, Field(discriminator="kind")]


class TeamAddition(Strict):
    """``teams`` extra trained teams ready from ``date`` on (e.g. bought by a procurement plan)."""

    date: dt.date
    teams: Count
    note: Text = ""


class TeamPool(Strict):
    """Crews that operate a pool's effector (interceptor-drone teams): capacity, not rounds.

    On night ``n`` the pool's units can fire at most ``floor(teams_n x engagements_per_team)``
    rounds, where ``teams_n`` is ``teams`` plus the graduates of the training pipeline
    (``trained_per_month`` teams per 30 days entering training on the first day, each ready
    ``training_days`` later; the running total is floored) plus the ``additions`` dated on or
    before that night. A campaign without team pools is unchanged."""

    name: Name
    pool: Name = Field(description="the pool whose rounds these teams fire")
    teams: Count = Field(description="trained teams at the start")
    engagements_per_team: NonNeg = Field(description="rounds one team can fire in one night")
    trained_per_month: NonNeg = Field(0.0, description="teams the pipeline trains per 30 days")
    training_days: int = Field(0, ge=0, le=3650, description="days from entering training to ready")
    additions: list[TeamAddition] = Field(default_factory=list, max_length=L.MAX_LIST_ITEMS)

    def teams_per_night(self, dates: list[dt.date]) -> list[int]:
        """Teams ready on each night."""
        out: list[int] = []
        rate = self.trained_per_month / 30.0
        for i, d in enumerate(dates):
            days_trained = i - self.training_days + 1
            grads = int(np.floor(rate * days_trained + 1e-9)) if days_trained > 0 else 0
            extra = sum(a.teams for a in self.additions if a.date <= d)
            out.append(self.teams + grads + extra)
        return out

    def cap_per_night(self, dates: list[dt.date]) -> list[int]:
        """Most rounds the pool's units can fire on each night."""
        return [
            int(np.floor(t * self.engagements_per_team + 1e-9)) for t in self.teams_per_night(dates)
        ]


class Defender(Strict):
    pools: list[DefenderPool] = Field(default_factory=list, max_length=L.MAX_LIST_ITEMS)
    budget_usd: Usd | None = Field(None, description="money for purchases (none: unlimited)")
    purchases: list[Purchase] = Field(default_factory=list, max_length=L.MAX_LIST_ITEMS)
    teams: list[TeamPool] = Field(
        default_factory=list,
        max_length=L.MAX_LIST_ITEMS,
        description="crews that cap a pool's engagements per night",
    )


class Campaign(Strict):
    """A campaign: a raid template run night after night with attacker and defender stocks."""

    name: Name
    description: Text = ""
    notional: bool = Field(True, description="parameters are notional (never real positions)")
    raid: Name = Field(description="raid template file (path relative to this file)")
    start_date: dt.date = Field(description="date of the first night (the night starting then)")
    nights: int | None = Field(None, ge=1, le=MAX_NIGHTS)
    end_date: dt.date | None = Field(None, description="date of the last night (inclusive)")
    attacker: Attacker
    defender: Defender

    _template: Scenario | None = PrivateAttr(None)
    _path: str | None = PrivateAttr(None)

    @model_validator(mode="after")
    def _check(self) -> Campaign:
        if (self.nights is None) == (self.end_date is None):
            raise ValueError("give either nights or end_date")
        if self.end_date is not None:
            n = (self.end_date - self.start_date).days + 1
            if n < 1:
                raise ValueError("end_date must be on or after start_date")
            if n > MAX_NIGHTS:
                raise ValueError(f"horizon of {n} nights is longer than {MAX_NIGHTS}")
        return self

    # ---- derived views -------------------------------------------------------------------
    @property
    def n_nights(self) -> int:
        if self.nights is not None:
            return self.nights
        assert self.end_date is not None
        return (self.end_date - self.start_date).days + 1

    @property
    def dates(self) -> list[dt.date]:
        return [self.start_date + dt.timedelta(days=i) for i in range(self.n_nights)]

    @property
    def last_date(self) -> dt.date:
        return self.start_date + dt.timedelta(days=self.n_nights - 1)

    @property
    def template(self) -> Scenario:
        """The raid template (loaded with the campaign)."""
        if self._template is None:
            raise ValueError("campaign has no raid template attached; use load_campaign()")
        return self._template

    @property
    def path(self) -> str | None:
        return self._path

    # ---- façade (airshield.api; the free functions stay the implementation) ---------------
    def simulate(
        self,
        mode: str = "fast",
        reps: int = 100,
        seed: int = 0,
        *,
        design: DesignSpec | None = None,
        workers: int | None = 1,
        engine: str | None = None,
        progress: bool | Callable[[str, int, int], None] = False,
    ) -> CampaignResult:
        """Run the campaign (:func:`airshield.campaign.run_campaign`): ``reps`` replications
        from ``SeedSequence(seed)``, fast (surrogate) or detailed (raid engine) mode."""
        from airshield import api

        return api.run_campaign(
            self, mode, reps, seed, design=design, workers=workers, engine=engine,
            progress=progress,
        )  # fmt: skip

    def compare(
        self,
        *others: Campaign | str | Path,
        names: list[str] | None = None,
        mode: str = "fast",
        reps: int = 100,
        seed: int = 0,
        level: float = 0.95,
        design: DesignSpec | None = None,
        workers: int | None = 1,
    ) -> Comparison:
        """This campaign (the baseline) against ``others`` with common random numbers
        (:func:`airshield.campaign.compare_campaigns`)."""
        from airshield import api

        return api.compare_campaigns(
            [self, *others], names, mode, reps, seed, level=level, design=design,
            workers=workers,
        )  # fmt: skip

    def sweep(
        self,
        parameters: list[dict[str, Any]],
        out: str | Path,
        *,
        reps: int = 100,
        seed: int = 0,
        **options: Any,
    ) -> SweepRun:
        """A parameter sweep over this campaign (loaded from a file) into ``out``
        (:func:`airshield.api.sweep`)."""
        from airshield import api

        return api.sweep(self, parameters, out, reps=reps, seed=seed, **options)

    @property
    def plan(self) -> PlanAccessor:
        """Decisions on this campaign: ``.plan.allocate()``, ``.plan.procure()``,
        ``.plan.laydown()`` (:class:`airshield.api.PlanAccessor`)."""
        from airshield.api import PlanAccessor

        return PlanAccessor(self)

    def with_template(self, template: Scenario, path: str | None = None) -> Campaign:
        """A copy with this raid template attached; its references (threat types, pools) are
        checked against the template (raises :class:`~airshield.errors.ScenarioError`)."""
        c = self.model_copy(deep=True)
        c._template = template
        c._path = path if path is not None else self._path
        c.check_references()
        return c

    def check_references(self) -> None:
        """Raise :class:`~airshield.errors.ScenarioError` naming every reference of this
        campaign that its raid template does not have (an unknown pool or threat type): the
        check the YAML loader makes, for a campaign built or changed in Python."""
        from airshield.errors import Problem, ScenarioError
        from airshield.scenario.yamlio import format_loc

        probs = check_campaign_references(self, self.template)
        if probs:
            raise ScenarioError(self._path, [Problem(format_loc(loc), m) for loc, m in probs])

    def content_hash(self) -> str:
        """A short stable hash of the campaign and its raid template."""
        blob = json.dumps(
            {"campaign": self.model_dump(mode="json"), "raid": self.template.content_hash()},
            sort_keys=True,
        ).encode()
        return hashlib.sha256(blob).hexdigest()[:16]

    def pool(self, name: str) -> DefenderPool:
        for p in self.defender.pools:
            if p.name == name:
                return p
        raise KeyError(name)


# ---- references --------------------------------------------------------------------------------
def check_campaign_references(c: Campaign, template: Scenario) -> list[tuple[Loc, str]]:
    """Every cross-reference of a structurally valid campaign, as (field path, problem)."""
    probs: list[tuple[Loc, str]] = []
    cat = template.resolved_catalog()
    start, last = c.start_date, c.last_date
    wave_threats = sorted({w.threat for w in template.waves})
    template_pools = {p.name: p for p in template.pools}
    attacker_threats: dict[str, int] = {}

    def in_horizon(d: dt.date, loc: Loc) -> None:
        if d < start or d > last:
            probs.append((loc, f"date {d} is outside the campaign ({start} to {last})"))

    for i, t in enumerate(c.attacker.threats):
        loc: Loc = ("attacker", "threats", i)
        if t.threat in attacker_threats:
            probs.append(((*loc, "threat"), f"duplicate threat type {t.threat!r}"))
        attacker_threats[t.threat] = i
        if t.threat not in cat.threats:
            probs.append(
                (
                    (*loc, "threat"),
                    f"unknown threat type {t.threat!r}; expected one of {sorted(cat.threats)}",
                )
            )
        elif t.threat not in wave_threats:
            probs.append(
                (
                    (*loc, "threat"),
                    f"threat type {t.threat!r} has no wave in the raid template {c.raid!r}; "
                    f"its waves fly {wave_threats}",
                )
            )
        if t.launch == "own" and t.max_per_night is None:
            probs.append(((*loc, "max_per_night"), "required when launch is 'own'"))
    for w in wave_threats:
        if w not in attacker_threats:
            probs.append(
                (
                    ("attacker", "threats"),
                    f"the raid template's waves fly {w!r}, which has no entry here "
                    "(add it with its stock and production)",
                )
            )
    tempo = c.attacker.tempo
    if isinstance(tempo, ScheduleTempo):
        seen: set[dt.date] = set()
        for i, r in enumerate(tempo.raids):
            loc = ("attacker", "tempo", "raids", i)
            in_horizon(r.date, (*loc, "date"))
            if r.date in seen:
                probs.append(((*loc, "date"), f"two raids on {r.date}"))
            seen.add(r.date)
            for name in r.threats or {}:
                if name not in attacker_threats:
                    known = sorted(attacker_threats)
                    msg = f"unknown threat type {name!r}; expected one of {known}"
                    probs.append(((*loc, "threats", name), msg))
    elif isinstance(tempo, AccumulateTempo) and tempo.first is not None:
        in_horizon(tempo.first, ("attacker", "tempo", "first"))

    names: dict[str, int] = {}
    for i, p in enumerate(c.defender.pools):
        loc = ("defender", "pools", i)
        if p.name in names:
            probs.append(((*loc, "name"), f"duplicate pool {p.name!r}"))
        names[p.name] = i
        if p.name not in template_pools:
            probs.append(
                ((*loc, "name"),
                 f"unknown pool {p.name!r}; the raid template's pools are {sorted(template_pools)}")
            )  # fmt: skip
        for j, d in enumerate(p.deliveries):
            if isinstance(d, OnceDelivery):
                in_horizon(d.date, (*loc, "deliveries", j, "date"))
        for j, dv in enumerate(p.diversions):
            in_horizon(dv.date, (*loc, "diversions", j, "date"))
            if dv.until is not None and dv.until < dv.date:
                probs.append(((*loc, "diversions", j, "until"), "must be on or after date"))
    for name in template_pools:
        if name not in names:
            probs.append(
                (("defender", "pools"),
                 f"the raid template's pool {name!r} has no entry here (add its stock and supply)")
            )  # fmt: skip
    for i, pu in enumerate(c.defender.purchases):
        loc = ("defender", "purchases", i)
        if pu.pool not in names:
            probs.append(
                ((*loc, "pool"), f"unknown pool {pu.pool!r}; expected one of {sorted(names)}")
            )
        if isinstance(pu, OrderPurchase):
            in_horizon(pu.date, (*loc, "date"))
    team_names: set[str] = set()
    capped: set[str] = set()
    for i, tp in enumerate(c.defender.teams):
        loc = ("defender", "teams", i)
        if tp.name in team_names:
            probs.append(((*loc, "name"), f"duplicate team pool {tp.name!r}"))
        team_names.add(tp.name)
        if tp.pool not in names:
            probs.append(
                ((*loc, "pool"), f"unknown pool {tp.pool!r}; expected one of {sorted(names)}")
            )
        elif tp.pool in capped:
            probs.append(((*loc, "pool"), f"pool {tp.pool!r} already has a team pool"))
        capped.add(tp.pool)
        for j, a in enumerate(tp.additions):
            in_horizon(a.date, (*loc, "additions", j, "date"))
    return probs


def pool_effectors(template: Scenario) -> dict[str, str]:
    """Pool name -> effector type, from the raid template."""
    return {p.name: p.effector for p in template.pools}


def resolve_raid_path(campaign_path: str | Path | None, raid: str) -> Path:
    """The raid template's path: relative to the campaign file's folder."""
    p = Path(raid)
    if p.is_absolute() or campaign_path is None:
        return p
    return Path(campaign_path).parent / p


def dump_campaign(c: Campaign) -> dict[str, Any]:
    """The campaign as plain data (JSON-ready)."""
    return c.model_dump(mode="json", exclude_none=True)
