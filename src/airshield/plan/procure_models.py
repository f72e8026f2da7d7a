"""The procurement language: what a planner may buy, with which money, against which scenarios.

A procurement spec (YAML) names a campaign (its attacker, tempo and defender stocks are the
status quo), a budget and its monthly spending profile, and the options: ``rounds`` into an
existing pool, a ``fire_unit`` of a catalog effector type placed by a laydown rule of the raid
template (with its own pool of rounds), or ``team`` crews (capacity of a team pool, not rounds).
Orders are placed on the first day of each order month (month ``m`` starts ``m`` calendar months
after the campaign's start) and arrive ``lead_time_days`` later. The objective is expected
harmful leakers or damage over the horizon, under constraints on the chance that a pool runs dry
on a night with a given threat kind, and on the stock left at the end; one or more attacker
scenarios with weights, ``robust: mean | worst``.

Every model forbids unknown keys; every problem is reported as ``file:line: field: expectation``
(:func:`load_procurement`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from airshield.campaign import Campaign, load_campaign
from airshield.campaign.models import Pause, Profile
from airshield.errors import Problem, ScenarioError
from airshield.scenario import limits as L
from airshield.scenario.models import Name, Strict, Text
from airshield.scenario.yamlio import Loc, format_loc, line_for, read_yaml, validate_data

NonNeg = Annotated[float, Field(ge=0.0)]
Count = Annotated[int, Field(ge=0)]
OptionKind = Literal["rounds", "fire_unit", "team"]
THREAT_KINDS = ("drone", "decoy", "cruise_missile", "ballistic_missile")


class Laydown(Strict):
    """Where new fire units go: a ring (or arc) around an asset of the raid template."""

    kind: Literal["ring"]
    around: Name = Field(description="asset of the raid template")
    radius_km: float = Field(ge=0)
    bearing_deg: float = Field(0.0, ge=-360, le=360)
    arc_deg: float = Field(360.0, gt=0, le=360)


class Option(Strict):
    """One thing that can be bought, in whole units, month by month."""

    name: Name
    kind: OptionKind
    unit_cost_usd: NonNeg = Field(description="price of one unit (round, fire unit or team)")
    lead_time_days: int = Field(ge=0, description="days from order to arrival")
    max_per_month: int = Field(ge=1, description="production or training limit per order month")
    min_lot: int = Field(1, ge=1, description="smallest order in a month (if any)")
    max_total: int | None = Field(None, ge=0, description="most units over the horizon")
    available_from: dt.date | None = Field(
        None, description="first day orders can be placed (a new production line)"
    )
    capex_usd: NonNeg = Field(
        0.0, description="one-off cost of opening the line, spent evenly before available_from"
    )
    pool: Name | None = Field(None, description="rounds: the pool the rounds go to")
    teams: Name | None = Field(None, description="team: the campaign's team pool")
    effector: Name | None = Field(None, description="fire_unit: catalog effector type")
    laydown: Laydown | None = Field(None, description="fire_unit: where the units are placed")
    rounds_per_unit: int | None = Field(
        None, ge=0, description="fire_unit: rounds delivered with each unit (default: its "
        "magazine every night of the horizon, i.e. refilled nightly)"
    )  # fmt: skip
    note: Text = ""

    @model_validator(mode="after")
    def _check(self) -> Option:
        need = {"rounds": "pool", "team": "teams", "fire_unit": "effector"}[self.kind]
        if getattr(self, need) is None:
            raise ValueError(f"a {self.kind!r} option needs {need!r}")
        if self.kind == "fire_unit" and self.laydown is None:
            raise ValueError("a 'fire_unit' option needs 'laydown'")
        for f in ("pool", "teams", "effector", "laydown", "rounds_per_unit"):
            if f != need and getattr(self, f) is not None:
                if not (self.kind == "fire_unit" and f in ("laydown", "rounds_per_unit")):
                    raise ValueError(f"{f!r} does not apply to a {self.kind!r} option")
        if self.min_lot > self.max_per_month:
            raise ValueError("min_lot must not exceed max_per_month")
        if self.capex_usd > 0 and self.available_from is None:
            raise ValueError("capex_usd needs available_from (the day the line opens)")
        return self


class StockoutConstraint(Strict):
    """The chance that ``pool`` is empty at the end of a night with a threat of one of
    ``threat_kinds`` (every night if none), up to ``before`` (default: the whole horizon), is at
    most ``max_probability``."""

    kind: Literal["stockout_probability"]
    pool: Name
    max_probability: float = Field(ge=0, le=1)
    threat_kinds: list[Literal["drone", "decoy", "cruise_missile", "ballistic_missile"]] = Field(
        default_factory=list
    )
    before: dt.date | None = None


class MinStockConstraint(Strict):
    """The expected stock of ``pool`` at the end of the horizon is at least ``rounds``."""

    kind: Literal["min_stock"]
    pool: Name
    rounds: Count


Constraint = Annotated[StockoutConstraint | MinStockConstraint, Field(discriminator="kind")]


class PoolPause(Pause):
    """A pause of one pool's arrivals (the campaign's pause, naming its pool)."""

    pool: Name


class PoolDiversion(Strict):
    pool: Name
    date: dt.date
    rounds: Count
    until: dt.date | None = None
    note: Text = ""


class AttackerScale(Strict):
    """Multiply every threat type's production (and stock) by ``factor`` (a high-tempo case)."""

    factor: float = Field(gt=0, le=10)
    threats: list[Name] | None = Field(None, description="threat types (default: all)")


class Scenario(Strict):
    """An attacker variant: another campaign file, or overrides of the spec's campaign."""

    name: Name
    weight: float = Field(1.0, gt=0)
    campaign: Name | None = Field(None, description="another campaign file (same raid template)")
    attacker_scale: AttackerScale | None = None
    production: dict[str, Profile] = Field(
        default_factory=dict, description="threat type -> production per day (replaces)"
    )
    pauses: list[PoolPause] = Field(default_factory=list, max_length=L.MAX_LIST_ITEMS)
    diversions: list[PoolDiversion] = Field(default_factory=list, max_length=L.MAX_LIST_ITEMS)
    note: Text = ""


class ProcurementSpec(Strict):
    """A procurement problem (YAML)."""

    name: Name
    description: Text = ""
    notional: bool = True
    campaign: Name = Field(description="campaign file (path relative to this file)")
    budget_usd: NonNeg
    budget_per_month_usd: NonNeg | Annotated[list[NonNeg], Field(max_length=1200)] | None = Field(
        None, description="spending profile: most spent per order month (unspent money carries "
        "over to later months), one number or one per month"
    )  # fmt: skip
    options: list[Option] = Field(min_length=1, max_length=L.MAX_LIST_ITEMS)
    objective: Literal["harmful_leakers", "damage_usd"] = "harmful_leakers"
    constraints: list[Constraint] = Field(default_factory=list, max_length=L.MAX_LIST_ITEMS)
    scenarios: list[Scenario] = Field(default_factory=list, max_length=L.MAX_LIST_ITEMS)
    robust: Literal["mean", "worst"] = "mean"
    levels: int = Field(6, ge=2, le=16, description="points of each option's response curve")

    @field_validator("options", "scenarios")
    @classmethod
    def _unique_names(cls, v: list[Option] | list[Scenario], info: ValidationInfo) -> Any:
        names = [o.name for o in v]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            what = "option" if info.field_name == "options" else "scenario"
            raise ValueError(f"duplicate {what} names {dup}")
        return v


# ---- loading and references --------------------------------------------------------------------
def add_months(d: dt.date, months: int) -> dt.date:
    """The same day ``months`` calendar months later (clipped to the month's last day)."""
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    for day in (d.day, 30, 29, 28):
        try:
            return dt.date(year, month, day)
        except ValueError:
            continue
    raise ValueError(d)  # pragma: no cover


def order_months(c: Campaign) -> list[dt.date]:
    """The first day of each order month within the campaign."""
    out: list[dt.date] = []
    m = 0
    while True:
        d = add_months(c.start_date, m)
        if d > c.last_date:
            return out
        out.append(d)
        m += 1


@dataclass
class LoadedProcurement:
    """A validated spec with its campaign and the scenario campaigns (first: the base one)."""

    spec: ProcurementSpec
    campaign: Campaign
    scenarios: list[tuple[str, float, Campaign]]
    path: str | None = None
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def months(self) -> list[dt.date]:
        return order_months(self.campaign)


def load_procurement(path: str | Path) -> LoadedProcurement:
    """Load a procurement spec, its campaign and its scenarios; every problem names its line."""
    data, lines = read_yaml(path)
    spec = validate_data(ProcurementSpec, data, str(path), lines)
    base = Path(path).parent
    probs: list[Problem] = []

    def bad(loc: Loc, msg: str) -> None:
        probs.append(Problem(format_loc(loc), msg, line_for(loc, lines)))

    cpath = base / spec.campaign
    if not cpath.exists():
        bad(("campaign",), f"campaign file {str(cpath)!r} not found")
        raise ScenarioError(str(path), probs)
    camp = load_campaign(cpath)
    probs_refs = check_procurement(spec, camp)
    for loc, msg in probs_refs:
        bad(loc, msg)
    scen: list[tuple[str, float, Campaign]] = []
    if not spec.scenarios:
        scen.append(("base", 1.0, camp))
    for i, s in enumerate(spec.scenarios):
        sc_camp = camp
        if s.campaign is not None:
            sp = base / s.campaign
            if not sp.exists():
                bad(("scenarios", i, "campaign"), f"campaign file {str(sp)!r} not found")
                continue
            sc_camp = load_campaign(sp)
            if sc_camp.template.content_hash() != camp.template.content_hash():
                bad(("scenarios", i, "campaign"), "must use the same raid template as 'campaign'")
                continue
            if (sc_camp.start_date, sc_camp.n_nights) != (camp.start_date, camp.n_nights):
                bad(("scenarios", i, "campaign"), "must cover the same dates as 'campaign'")
                continue
        try:
            variant, sprobs = scenario_campaign(sc_camp, s)
        except ValueError as exc:
            bad(("scenarios", i), str(exc))
            continue
        for loc, msg in sprobs:
            bad(("scenarios", i, *loc), msg)
        scen.append((s.name, s.weight, variant))
    if probs:
        raise ScenarioError(str(path), probs)
    return LoadedProcurement(spec, camp, scen, str(path))


def check_procurement(spec: ProcurementSpec, c: Campaign) -> list[tuple[Loc, str]]:
    """Cross-references of a structurally valid spec against its campaign."""
    probs: list[tuple[Loc, str]] = []
    tpl = c.template
    cat = tpl.resolved_catalog()
    pools = {p.name: p for p in c.defender.pools}
    teams = {t.name for t in c.defender.teams}
    assets = {a.name for a in tpl.assets}
    horizon = c.n_nights
    months = order_months(c)
    if isinstance(spec.budget_per_month_usd, list) and len(spec.budget_per_month_usd) != len(
        months
    ):
        probs.append(
            (("budget_per_month_usd",),
             f"give one number per order month: the campaign has {len(months)} "
             f"({months[0]} to {months[-1]}), the list has {len(spec.budget_per_month_usd)}")
        )  # fmt: skip
    for i, o in enumerate(spec.options):
        loc: Loc = ("options", i)
        if o.lead_time_days >= horizon:
            probs.append(
                ((*loc, "lead_time_days"),
                 f"lead time of {o.lead_time_days} days is beyond the horizon of the campaign "
                 f"({horizon} nights, {c.start_date} to {c.last_date}): nothing would arrive")
            )  # fmt: skip
        if o.available_from is not None:
            if not (c.start_date <= o.available_from <= c.last_date):
                probs.append(
                    ((*loc, "available_from"),
                     f"date {o.available_from} is outside the campaign ({c.start_date} to "
                     f"{c.last_date})")
                )  # fmt: skip
            elif (c.last_date - o.available_from).days < o.lead_time_days:
                probs.append(
                    ((*loc, "available_from"),
                     f"orders from {o.available_from} with a lead time of {o.lead_time_days} "
                     f"days arrive after the horizon ({c.last_date})")
                )  # fmt: skip
        if o.kind == "rounds" and o.pool not in pools:
            probs.append(
                ((*loc, "pool"), f"unknown pool {o.pool!r}; expected one of {sorted(pools)}")
            )
        if o.kind == "team" and o.teams not in teams:
            known = sorted(teams) or "none (add defender.teams to the campaign)"
            probs.append(
                ((*loc, "teams"), f"unknown team pool {o.teams!r}; expected one of {known}")
            )
        if o.kind == "fire_unit":
            if o.effector not in cat.effectors:
                probs.append(
                    ((*loc, "effector"),
                     f"unknown effector type {o.effector!r}; expected one of {sorted(cat.effectors)}")
                )  # fmt: skip
            if o.laydown is not None and o.laydown.around not in assets:
                probs.append(
                    ((*loc, "laydown", "around"),
                     f"unknown asset {o.laydown.around!r}; expected one of {sorted(assets)}")
                )  # fmt: skip
            if o.max_total is None:
                probs.append(((*loc, "max_total"), "required for a 'fire_unit' option (at most 8)"))
            elif o.max_total > 8:
                probs.append(((*loc, "max_total"), "at most 8 fire units per option"))
            if o.name in pools:
                probs.append(((*loc, "name"), f"a fire_unit option's name becomes its pool: "
                              f"{o.name!r} is already a pool"))  # fmt: skip
    for j, con in enumerate(spec.constraints):
        if con.pool not in pools:
            probs.append(
                (("constraints", j, "pool"),
                 f"unknown pool {con.pool!r}; expected one of {sorted(pools)}")
            )  # fmt: skip
        if isinstance(con, StockoutConstraint) and con.before is not None:
            if not (c.start_date <= con.before <= c.last_date):
                probs.append(
                    (("constraints", j, "before"),
                     f"date {con.before} is outside the campaign ({c.start_date} to {c.last_date})")
                )  # fmt: skip
    return probs


def scenario_campaign(c: Campaign, s: Scenario) -> tuple[Campaign, list[tuple[Loc, str]]]:
    """The campaign of one scenario: its overrides applied to a copy (references checked)."""
    probs: list[tuple[Loc, str]] = []
    from airshield.campaign.models import Diversion, check_campaign_references

    threats = {t.threat for t in c.attacker.threats}
    att = c.attacker.model_copy(deep=True)
    if s.attacker_scale is not None:
        sel = s.attacker_scale.threats
        for j, name in enumerate(sel or []):
            if name not in threats:
                probs.append(
                    (("attacker_scale", "threats", j),
                     f"unknown threat type {name!r}; expected one of {sorted(threats)}")
                )  # fmt: skip
        f = s.attacker_scale.factor
        from airshield.plan.allocation import _scale_profile

        new = []
        for t in att.threats:
            if sel is None or t.threat in sel:
                t = t.model_copy(
                    update={
                        "stock": round(t.stock * f),
                        "production_per_day": _scale_profile(t.production_per_day, f),
                    }
                )
            new.append(t)
        att = att.model_copy(update={"threats": new})
    if s.production:
        new = []
        for name in s.production:
            if name not in threats:
                probs.append(
                    (("production", name),
                     f"unknown threat type {name!r}; expected one of {sorted(threats)}")
                )  # fmt: skip
        for t in att.threats:
            if t.threat in s.production:
                t = t.model_copy(update={"production_per_day": s.production[t.threat]})
            new.append(t)
        att = att.model_copy(update={"threats": new})
    pools = [p.model_copy(deep=True) for p in c.defender.pools]
    by = {p.name: p for p in pools}
    for j, pa in enumerate(s.pauses):
        if pa.pool not in by:
            probs.append(
                (("pauses", j, "pool"), f"unknown pool {pa.pool!r}; expected one of {sorted(by)}")
            )
            continue
        pause = Pause.model_validate(pa.model_dump(exclude={"pool"}))
        by[pa.pool].pauses.append(pause)
    for j, dv in enumerate(s.diversions):
        if dv.pool not in by:
            probs.append(
                (("diversions", j, "pool"),
                 f"unknown pool {dv.pool!r}; expected one of {sorted(by)}")
            )  # fmt: skip
            continue
        by[dv.pool].diversions.append(Diversion.model_validate(dv.model_dump(exclude={"pool"})))
    defender = c.defender.model_copy(update={"pools": pools})
    out = c.model_copy(
        update={"name": f"{c.name}/{s.name}", "attacker": att, "defender": defender}
    ).with_template(c.template, c.path)
    if not probs:
        for loc, msg in check_campaign_references(out, c.template):
            probs.append((loc, f"(in the scenario's campaign) {msg}"))
    return out, probs
