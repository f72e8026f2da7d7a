"""The sweep spec language: pydantic v2 models of one sweep YAML file.

A sweep varies parameters of a base scenario. ``parameters`` is a list of *axes*; the cells of
the sweep are the Cartesian product of the axes, in the order given (the last axis varies
fastest). Each axis is chosen by ``kind:``

- ``grid``: one parameter path and its values (a list, or ``start``/``stop``/``num`` with an
  optional ``log`` spacing);
- ``list``: several parameter paths that move together, and an explicit list of points;
- ``lhs``: several parameter paths sampled jointly by a Latin hypercube of ``samples`` points,
  each between ``low`` and ``high`` (seeded from the sweep's root seed).

Paths address the base scenario's YAML data: ``waves[drones].count``, ``waves[0].count``,
``fire_units[rockets].count``, ``doctrine.cost_threshold``, ``pools[sam-rounds].stock``, plus the
derived parameters ``raid.scale``, ``raid.size`` and ``raid.decoy_share``
(see :mod:`airshield.sweep.paths`). The base is a raid scenario (``base: {kind: raid}``) or a
campaign (``base: {kind: campaign}``), whose paths address the campaign file and, under
``template.``, its raid template.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from airshield.scenario.models import Name, Strict

Scalar = int | float | bool | str
Ident = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", max_length=64)]

#: per-replication tables a sweep can keep besides the per-cell summary (always kept), by base
OPTIONAL_TABLES = {
    "raid": ("replications", "effectors", "assets"),
    "campaign": ("replications", "nights", "pools"),
}
TableName = Literal["replications", "effectors", "assets", "nights", "pools"]


class ParamRef(Strict):
    """One parameter: a path into the base scenario and the column name of its values."""

    path: str = Field(min_length=1, description="e.g. waves[drones].count or raid.scale")
    name: Ident | None = Field(
        None, description="column name in the outputs (default: the path, as an identifier)"
    )


class GridAxis(ParamRef):
    """One parameter over a list of values, or ``num`` values from ``start`` to ``stop``."""

    kind: Literal["grid"]
    values: list[Scalar] | None = Field(None, min_length=1)
    start: float | None = None
    stop: float | None = None
    num: int | None = Field(None, ge=1, le=100_000)
    log: bool = Field(False, description="geometric spacing between start and stop")

    @model_validator(mode="after")
    def _one_form(self) -> GridAxis:
        ranged = (self.start, self.stop, self.num)
        if self.values is not None:
            if any(x is not None for x in ranged):
                raise ValueError("give either values, or start/stop/num, not both")
        elif any(x is None for x in ranged):
            raise ValueError("give values: [...], or all of start, stop and num")
        if self.log and self.values is None:
            assert self.start is not None and self.stop is not None
            if self.start <= 0 or self.stop <= 0:
                raise ValueError("log spacing needs start > 0 and stop > 0")
        return self


class ListAxis(Strict):
    """Several parameters that move together through an explicit list of points."""

    kind: Literal["list"]
    parameters: list[ParamRef] = Field(min_length=1)
    points: list[list[Scalar]] = Field(
        min_length=1, description="one value per parameter, in the order of `parameters`"
    )

    @model_validator(mode="after")
    def _widths(self) -> ListAxis:
        n = len(self.parameters)
        for i, p in enumerate(self.points):
            if len(p) != n:
                raise ValueError(
                    f"points[{i}] has {len(p)} values; expected {n}, one per parameter"
                )
        return self


class LhsRange(ParamRef):
    """A parameter sampled between ``low`` and ``high`` (inclusive for integer fields)."""

    low: float
    high: float
    log: bool = Field(False, description="sample log-uniformly (needs low > 0)")
    integer: bool | None = Field(
        None, description="round to integers (default: when the scenario field is an integer)"
    )

    @model_validator(mode="after")
    def _range(self) -> LhsRange:
        if self.high < self.low:
            raise ValueError("high must be >= low")
        if self.log and self.low <= 0:
            raise ValueError("log sampling needs low > 0")
        return self


class LhsAxis(Strict):
    """A Latin-hypercube sample of ``samples`` points over several parameter ranges."""

    kind: Literal["lhs"]
    samples: int = Field(ge=1, le=1_000_000)
    parameters: list[LhsRange] = Field(min_length=1)


Axis = Annotated[GridAxis | ListAxis | LhsAxis, Field(discriminator="kind")]


class RaidBase(Strict):
    """A one-night raid scenario: a YAML file (relative to the spec), a bundled example name,
    or the scenario written inline."""

    kind: Literal["raid"]
    scenario: str | dict[str, Any] = Field(
        description="scenario file (relative to the spec file), bundled example, or inline mapping"
    )


class CampaignBase(Strict):
    """A campaign file (relative to the spec, or a bundled example name). Paths address the
    campaign's data (``defender.pools[sam-rounds].stock``, ``attacker.threats[shahed-136].stock``)
    or, with the prefix ``template.``, its raid template (``template.doctrine.cost_threshold``)."""

    kind: Literal["campaign"]
    campaign: str = Field(description="campaign file (relative to the spec) or bundled example")
    mode: Literal["fast", "detailed"] = Field(
        "fast", description="fast: the raid surrogate; detailed: every night in the raid engine"
    )


Base = Annotated[RaidBase | CampaignBase, Field(discriminator="kind")]


class SweepSpec(Strict):
    """A parameter sweep over a base scenario."""

    name: Name
    description: str = ""
    base: Base
    reps: int = Field(100, ge=1, le=1_000_000, description="replications per cell")
    seed: int = Field(0, ge=0, description="root seed: cell k uses SeedSequence(seed).spawn(n)[k]")
    engine: Literal["kernel", "reference"] = "kernel"
    parameters: list[Axis] = Field(min_length=1, description="axes; cells = their product")
    outputs: list[TableName] = Field(
        default_factory=lambda: list[TableName](["replications"]),
        description="per-replication tables to keep; the per-cell summary is always kept "
        "(raid: replications, effectors, assets; campaign: replications, nights, pools)",
    )
    batch_cells: int | None = Field(
        None, ge=1, le=100_000, description="cells per work item and Parquet part (default: auto)"
    )
    max_cells: int = Field(1_000_000, ge=1, description="refuse sweeps larger than this")

    @field_validator("outputs")
    @classmethod
    def _outputs_fit_the_base(cls, outputs: list[str], info: ValidationInfo) -> list[str]:
        base = info.data.get("base")
        if base is not None:
            allowed = OPTIONAL_TABLES[base.kind]
            bad = [t for t in outputs if t not in allowed]
            if bad:
                raise ValueError(
                    f"{bad} are not kept for a {base.kind} base; choose from {list(allowed)}"
                )
        if len(set(outputs)) != len(outputs):
            raise ValueError("each table once")
        return outputs
