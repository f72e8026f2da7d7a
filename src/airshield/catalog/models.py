"""Threat and effector types: the rows of the catalog, as validated pydantic models."""

from __future__ import annotations

import itertools
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

ThreatKind = Literal["drone", "decoy", "cruise_missile", "ballistic_missile"]
EffectorKind = Literal["missile", "gun", "interceptor_drone", "ew"]
THREAT_KINDS: tuple[str, ...] = ("drone", "decoy", "cruise_missile", "ballistic_missile")
EFFECTOR_KINDS: tuple[str, ...] = ("missile", "gun", "interceptor_drone", "ew")

Probability = float


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class KillProbabilities(_Strict):
    """Single-shot kill probability by threat kind (for ``ew``: probability the threat is lost)."""

    drone: float = Field(ge=0.0, le=1.0)
    decoy: float = Field(ge=0.0, le=1.0)
    cruise_missile: float = Field(ge=0.0, le=1.0)
    ballistic_missile: float = Field(ge=0.0, le=1.0)

    def of(self, kind: str) -> float:
        return float(getattr(self, kind))


class PkPoint(_Strict):
    """One tabulated point of a kill-probability curve."""

    range_fraction: float = Field(
        ge=0.0, le=1.0, description="intercept range / the effector type's range_max_km"
    )
    pk: float = Field(ge=0.0, le=1.0, description="single-shot kill probability there")


class PkCurve(_Strict):
    """Single-shot kill probability against the normalised range of the intercept point, for
    one threat kind: linear between the points, flat beyond the first and the last."""

    points: tuple[PkPoint, ...] = Field(min_length=1, max_length=32)
    source: str = Field("notional", min_length=1, description="source id or 'notional'")
    confidence: Literal["H", "M", "L"] = Field(
        "L", description="confidence in the curve's values: H high, M medium, L low or notional"
    )

    @model_validator(mode="after")
    def _check(self) -> PkCurve:
        xs = [p.range_fraction for p in self.points]
        if any(b <= a for a, b in itertools.pairwise(xs)):
            raise ValueError("points: range_fraction must increase strictly from point to point")
        return self

    def at(self, range_fraction: float) -> float:
        """The curve's value at ``range_fraction`` (for display; the engines use the kernel's
        :func:`airshield.kernels.raid.pk_at`)."""
        pts = self.points
        if range_fraction <= pts[0].range_fraction:
            return pts[0].pk
        for a, b in itertools.pairwise(pts):
            if range_fraction <= b.range_fraction:
                f = (range_fraction - a.range_fraction) / (b.range_fraction - a.range_fraction)
                return a.pk + (b.pk - a.pk) * f
        return pts[-1].pk


class KillRates(_Strict):
    """A rate per minute by threat kind (EW loss hazard)."""

    drone: float = Field(ge=0.0, le=1e3, json_schema_extra={"unit": "1/min"})
    decoy: float = Field(ge=0.0, le=1e3, json_schema_extra={"unit": "1/min"})
    cruise_missile: float = Field(ge=0.0, le=1e3, json_schema_extra={"unit": "1/min"})
    ballistic_missile: float = Field(ge=0.0, le=1e3, json_schema_extra={"unit": "1/min"})

    def of(self, kind: str) -> float:
        return float(getattr(self, kind))


class ThreatType(_Strict):
    """A kind of attacking weapon. Ballistic missiles are modelled by their terminal phase."""

    name: str = Field(min_length=1, description="catalog key, e.g. 'shahed-136'")
    label: str = Field("", description="human-readable description")
    kind: ThreatKind
    speed_kmh: float = Field(gt=0, json_schema_extra={"unit": "km/h"})
    altitude_min_km: float = Field(ge=0, json_schema_extra={"unit": "km"})
    altitude_max_km: float = Field(ge=0, json_schema_extra={"unit": "km"})
    altitude_q25_km: float | None = Field(
        None,
        ge=0,
        description="altitude distribution: 25th percentile (with q50 and q75, or none of them; "
        "without them altitudes are uniform between min and max)",
        json_schema_extra={"unit": "km"},
    )
    altitude_q50_km: float | None = Field(
        None, ge=0, description="altitude distribution: median", json_schema_extra={"unit": "km"}
    )
    altitude_q75_km: float | None = Field(
        None,
        ge=0,
        description="altitude distribution: 75th percentile",
        json_schema_extra={"unit": "km"},
    )
    range_km: float = Field(gt=0, json_schema_extra={"unit": "km"})
    warhead_kg: float = Field(ge=0, json_schema_extra={"unit": "kg"})
    cost_usd: float = Field(ge=0, json_schema_extra={"unit": "USD"})
    lethality: float = Field(
        ge=0, le=1, description="fraction of the target asset's value destroyed per hit"
    )
    mimics: str | None = Field(None, description="for decoys: the threat type it imitates")
    terminal_range_km: float | None = Field(
        None, gt=0, description="ballistic: ground distance of the engageable terminal phase"
    )
    midcourse_altitude_km: float | None = Field(
        None, gt=0, description="ballistic: altitude before the terminal phase (out of reach)"
    )
    ew_resistance: float = Field(
        0.0,
        ge=0,
        le=1,
        description="share of electronic-warfare effect the type shrugs off (0: none; 1: immune), "
        "e.g. a CRPA-antenna navigation variant",
    )

    @model_validator(mode="after")
    def _check(self) -> ThreatType:
        if self.altitude_max_km < self.altitude_min_km:
            raise ValueError("altitude_max_km must be >= altitude_min_km")
        qs = (self.altitude_q25_km, self.altitude_q50_km, self.altitude_q75_km)
        if any(q is not None for q in qs):
            if any(q is None for q in qs):
                raise ValueError(
                    "altitude_q25_km, altitude_q50_km and altitude_q75_km go together (all or none)"
                )
            knots = self.altitude_knots_km()
            if any(b < a for a, b in itertools.pairwise(knots)):
                raise ValueError(
                    "altitude quartiles must rise: altitude_min_km <= altitude_q25_km <= "
                    "altitude_q50_km <= altitude_q75_km <= altitude_max_km"
                )
        if self.kind == "ballistic_missile" and (
            self.terminal_range_km is None or self.midcourse_altitude_km is None
        ):
            raise ValueError("ballistic missiles need terminal_range_km and midcourse_altitude_km")
        return self

    @property
    def has_altitude_distribution(self) -> bool:
        """Whether altitudes follow the quartiles (else uniform between min and max)."""
        return self.altitude_q50_km is not None

    def altitude_knots_km(self) -> tuple[float, float, float, float, float]:
        """Altitude at cumulative probability 0, 1/4, 1/2, 3/4, 1: the knots of the piecewise-linear
        quantile function the engine draws from (evenly spaced when there are no quartiles)."""
        lo, hi = self.altitude_min_km, self.altitude_max_km
        if self.altitude_q25_km is None or self.altitude_q50_km is None:
            d = hi - lo
            return (lo, lo + 0.25 * d, lo + 0.5 * d, lo + 0.75 * d, hi)
        q75 = self.altitude_q75_km if self.altitude_q75_km is not None else hi
        return (lo, self.altitude_q25_km, self.altitude_q50_km, q75, hi)


class EffectorType(_Strict):
    """A kind of defensive effector. ``ew`` makes threats *lost* instead of destroying them."""

    name: str = Field(min_length=1)
    label: str = ""
    kind: EffectorKind
    range_min_km: float = Field(ge=0, json_schema_extra={"unit": "km"})
    range_max_km: float = Field(gt=0, json_schema_extra={"unit": "km"})
    altitude_min_km: float = Field(ge=0, json_schema_extra={"unit": "km"})
    altitude_max_km: float = Field(gt=0, json_schema_extra={"unit": "km"})
    interceptor_speed_kmh: float = Field(ge=0, json_schema_extra={"unit": "km/h"})
    cost_per_shot_usd: float = Field(ge=0, json_schema_extra={"unit": "USD"})
    pk: KillProbabilities
    channels: int = Field(ge=1, description="default concurrent engagements per fire unit")
    ready_rounds: int = Field(ge=0, description="default magazine size per fire unit")
    reload_s: float = Field(ge=0, json_schema_extra={"unit": "s"})
    engagement_time_s: float = Field(
        ge=0, description="channel busy time beyond flight time (gun burst, drone hunt, EW dwell)"
    )
    pk_curve: dict[ThreatKind, PkCurve] = Field(
        default_factory=dict,
        description="kill probability against intercept range by threat kind; a kind without a "
        "curve keeps the flat ``pk``",
    )
    ew_hazard_per_min: KillRates | None = Field(
        None,
        description="ew only: loss hazard per minute inside the jammed field by threat kind (a "
        "threat dwelling t minutes is lost with 1 - exp(-rate t)); unset: one attempt per threat "
        "with probability ``pk``",
    )

    def curve(self, kind: str) -> PkCurve:
        """The Pk curve against threat kind ``kind`` (flat at ``pk`` where none is given)."""
        c = self.pk_curve.get(kind)  # type: ignore[call-overload]
        if c is not None:
            return c
        return PkCurve(points=(PkPoint(range_fraction=0.0, pk=self.pk.of(kind)),), source="flat")

    @model_validator(mode="after")
    def _check(self) -> EffectorType:
        if self.range_max_km <= self.range_min_km:
            raise ValueError("range_max_km must be > range_min_km")
        if self.altitude_max_km < self.altitude_min_km:
            raise ValueError("altitude_max_km must be >= altitude_min_km")
        if self.kind != "ew" and self.interceptor_speed_kmh <= 0:
            raise ValueError("kinetic effectors need interceptor_speed_kmh > 0")
        if self.kind != "ew" and self.ew_hazard_per_min is not None:
            raise ValueError("ew_hazard_per_min is for ew effectors only")
        if self.kind == "ew" and self.pk_curve:
            raise ValueError("pk_curve is for kinetic effectors (ew: use ew_hazard_per_min)")
        return self
