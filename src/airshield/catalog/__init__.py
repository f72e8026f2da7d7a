"""The catalog: threat and effector types as sourced data tables.

Each number lives in ``data/threat_types.csv`` / ``data/effector_types.csv`` in long form
(``type, attribute, value, unit, confidence, source``); ``source`` names a row of
``data/sources.csv`` (title, publisher, date) or ``notional``; ``confidence`` is ``H``, ``M`` or
``L`` (every number has one; ``notional`` numbers are always ``L``; text rows such as ``label``
have none). ``data/anchors.csv`` holds public anchors that are not engine inputs (raid records,
production rates, kill shares) in the same form. :func:`load_catalog` pivots the tables into
validated :class:`ThreatType` / :class:`EffectorType` models; :meth:`Catalog.provenance` gives the
long table with source titles and dates for display (``airshield catalog --sources``).

Kill-probability curves against normalised intercept range (raid model v2) live in
``data/pk_curves.csv`` (``type, threat_kind, range_fraction, pk, confidence, source``, one row
per point, in increasing range; one source and one confidence tag per curve), their sources in ``data/pk_sources.csv`` (same columns as ``sources.csv``);
an effector type without a curve for a kind keeps its flat ``pk``.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from airshield.catalog.models import (
    EFFECTOR_KINDS,
    THREAT_KINDS,
    EffectorType,
    KillProbabilities,
    KillRates,
    PkCurve,
    PkPoint,
    ThreatType,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "CONFIDENCE_LEVELS",
    "EFFECTOR_KINDS",
    "TEXT_ATTRIBUTES",
    "THREAT_KINDS",
    "Catalog",
    "EffectorType",
    "KillProbabilities",
    "KillRates",
    "PkCurve",
    "PkPoint",
    "ThreatType",
    "load_catalog",
    "pk_curve_table",
]

_STRING_ATTRS = {"label", "kind", "mimics"}
#: attributes whose value is text, not a number (no unit, no confidence tag)
TEXT_ATTRIBUTES: frozenset[str] = frozenset(_STRING_ATTRS)
#: confidence tags: H = several consistent public sources or an official specification;
#: M = one credible public report, or a rounded press figure; L = notional or a single weak report
CONFIDENCE_LEVELS: tuple[str, ...] = ("H", "M", "L")
_COLUMNS = ("type", "attribute", "value", "unit", "confidence", "source")
_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")


Rows = tuple[dict[str, str], ...]


@dataclass(frozen=True)
class Catalog:
    """Threat and effector types by name, with the provenance of every number.

    The long tables are kept as rows (read with :mod:`csv`, so loading the catalog, and thus
    ``airshield validate``, needs no pandas); :attr:`sources`, :attr:`threat_table` and
    :attr:`effector_table` are pandas frames built on first use."""

    threats: dict[str, ThreatType]
    effectors: dict[str, EffectorType]
    source_rows: Rows = field(repr=False)
    threat_rows: Rows = field(repr=False)
    effector_rows: Rows = field(repr=False)
    anchor_rows: Rows = field(repr=False, default=())

    @cached_property
    def sources(self) -> pd.DataFrame:
        """``sources.csv``: id, title, publisher, date, ..."""
        return _frame(self.source_rows)

    @cached_property
    def threat_table(self) -> pd.DataFrame:
        """``threat_types.csv`` in long form: type, attribute, value, unit, source."""
        return _frame(self.threat_rows)

    @cached_property
    def effector_table(self) -> pd.DataFrame:
        """``effector_types.csv`` in long form: type, attribute, value, unit, confidence, source."""
        return _frame(self.effector_rows)

    @cached_property
    def anchor_table(self) -> pd.DataFrame:
        """``anchors.csv``: public anchors that are not engine inputs, same long form."""
        return _frame(self.anchor_rows)

    def anchor(self, type_: str, attribute: str) -> float:
        """One public anchor's value, e.g. ``anchor("interceptor-drone", "made_per_day_jan_2026")``."""
        for r in self.anchor_rows:
            if r["type"] == type_ and r["attribute"] == attribute:
                return float(r["value"])
        raise KeyError(f"no catalog anchor {type_}.{attribute}")

    def with_overrides(
        self, threats: list[ThreatType] | None = None, effectors: list[EffectorType] | None = None
    ) -> Catalog:
        """A copy where the given types replace (by name) or extend the bundled ones."""
        t = dict(self.threats)
        e = dict(self.effectors)
        for tt in threats or []:
            t[tt.name] = tt
        for et in effectors or []:
            e[et.name] = et
        return replace(self, threats=t, effectors=e)

    def provenance(self, table: str = "threats") -> pd.DataFrame:
        """Long table of every catalog number (``threats``, ``effectors`` or ``anchors``) with its
        unit, confidence, source title, publisher and date."""
        df = {"threats": self.threat_table, "effectors": self.effector_table}.get(
            table, self.anchor_table
        )
        src = self.sources.rename(columns={"id": "source"})
        return df.merge(src[["source", "title", "publisher", "date"]], on="source", how="left")

    def threat_frame(self) -> pd.DataFrame:
        """One row per threat type (wide), for display."""
        import pandas as pd

        return pd.DataFrame([t.model_dump() for t in self.threats.values()]).set_index("name")

    def effector_frame(self) -> pd.DataFrame:
        """One row per effector type (wide, pk flattened to ``pk_<kind>``), for display."""
        import pandas as pd

        rows = []
        for e in self.effectors.values():
            d = e.model_dump()
            d.pop("pk_curve")
            d.pop("ew_hazard_per_min")
            pk = d.pop("pk")
            rows.append({**d, **{f"pk_{k}": v for k, v in pk.items()}})
        return pd.DataFrame(rows).set_index("name")


def pk_curve_table(e: EffectorType) -> dict[str, dict[str, Any]]:
    """An effector type's Pk curves for display (``airshield catalog --json``): per threat kind,
    ``points`` of ``range_fraction`` and ``pk``, their ``source`` and ``confidence`` (``flat`` where the type has
    no curve: its ``pk`` at every range)."""
    out: dict[str, dict[str, Any]] = {}
    for kind in THREAT_KINDS:
        c = e.curve(kind)
        pts = [p.model_dump() for p in c.points]
        if c.source == "flat":
            pts.append({"range_fraction": 1.0, "pk": pts[0]["pk"]})
        out[kind] = {"points": pts, "source": c.source}
        if c.source != "flat":  # a flat curve's tag is its pk_<kind> row's (catalog --sources)
            out[kind]["confidence"] = c.confidence
    return out


def _curves(rows: Rows, known: set[str]) -> dict[str, dict[str, PkCurve]]:
    """``pk_curves.csv`` as curves by effector type and threat kind."""
    points: dict[tuple[str, str], list[dict[str, str]]] = {}
    for i, r in enumerate(rows, start=2):
        if r["threat_kind"] not in THREAT_KINDS:
            raise ValueError(
                f"catalog pk_curves.csv line {i}: threat_kind {r['threat_kind']!r} is not one of "
                f"{list(THREAT_KINDS)}"
            )
        if r["source"] not in known:
            raise ValueError(f"catalog pk_curves.csv line {i}: unknown source id {r['source']!r}")
        if r["confidence"] not in CONFIDENCE_LEVELS:
            raise ValueError(
                f"catalog pk_curves.csv line {i}: confidence {r['confidence']!r} must be one of "
                "H, M, L (every number has one)"
            )
        points.setdefault((r["type"], r["threat_kind"]), []).append(r)
    out: dict[str, dict[str, PkCurve]] = {}
    for (etype, kind), pts in points.items():
        sources = {p["source"] for p in pts}
        tags = {p["confidence"] for p in pts}
        if len(sources) != 1 or len(tags) != 1:
            raise ValueError(
                f"catalog pk_curves.csv: {etype}/{kind} mixes sources {sorted(sources)} or "
                f"confidence tags {sorted(tags)} (one curve, one source and one tag)"
            )
        curve = PkCurve.model_validate(
            {
                "points": [
                    {"range_fraction": float(p["range_fraction"]), "pk": float(p["pk"])}
                    for p in pts
                ],
                "source": sources.pop(),
                "confidence": tags.pop(),
            }
        )
        out.setdefault(etype, {})[kind] = curve
    return out


def _frame(rows: Rows) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(list(rows), dtype=str)


def _read(name: str) -> Rows:
    """A bundled CSV as rows of strings (empty cells stay empty strings)."""
    text = resources.files("airshield.catalog").joinpath("data", name).read_text(encoding="utf-8")
    return tuple(dict(r) for r in csv.DictReader(io.StringIO(text, newline="")))


def check_rows(label: str, rows: Rows, known_sources: set[str]) -> None:
    """Check one long table: the columns, a known source on every row, a number with a unit and a
    confidence tag (H/M/L) on every numeric row, ``L`` on every ``notional`` row. Raises
    ValueError naming the file, line and field."""
    if rows and tuple(rows[0]) != _COLUMNS:
        raise ValueError(f"catalog {label}: columns must be {', '.join(_COLUMNS)}")
    for i, r in enumerate(rows, start=2):  # line 1 is the header
        where = f"catalog {label}:{i}: {r['type']}.{r['attribute']}"
        if r["source"] not in known_sources:
            raise ValueError(f"{where}: unknown source id {r['source']!r} (see sources.csv)")
        if r["attribute"] in _STRING_ATTRS:
            continue
        try:
            value = float(r["value"])
        except ValueError:
            raise ValueError(f"{where}: value {r['value']!r} is not a number") from None
        if not math.isfinite(value):
            raise ValueError(f"{where}: value must be finite")
        if not r["unit"]:
            raise ValueError(f"{where}: unit is missing")
        conf = r["confidence"]
        if conf not in CONFIDENCE_LEVELS:
            raise ValueError(
                f"{where}: confidence {conf!r} must be one of H, M, L (every number has one)"
            )
        if r["source"] == "notional" and conf != "L":
            raise ValueError(f"{where}: a notional number has confidence L, not {conf}")


def _pivot(rows: Rows) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for row in rows:
        attr = row["attribute"]
        value: Any = row["value"] if attr in _STRING_ATTRS else float(row["value"])
        out.setdefault(row["type"], {"name": row["type"]})[attr] = value
    return out


@lru_cache(maxsize=1)
def load_catalog() -> Catalog:
    """The bundled catalog (validated; every number has a known source id)."""
    sources = _read("sources.csv") + _read("pk_sources.csv")
    threat_rows = _read("threat_types.csv")
    effector_rows = _read("effector_types.csv")
    anchor_rows = _read("anchors.csv")
    n_main = len(_read("sources.csv"))
    for i, r in enumerate(sources):
        where = f"sources.csv:{i + 2}" if i < n_main else f"pk_sources.csv:{i - n_main + 2}"
        if not (r["id"] and r["title"] and r["publisher"] and _DATE.fullmatch(r["date"])):
            raise ValueError(
                f"catalog {where}: {r['id'] or '?'}: needs an id, a title, a publisher "
                f"and a date as YYYY-MM-DD, YYYY-MM or YYYY (the precision known), got "
                f"{r['date']!r}"
            )
    known = {r["id"] for r in sources}
    curves = _curves(_read("pk_curves.csv"), known)
    for label, rows in (
        ("threat_types.csv", threat_rows),
        ("effector_types.csv", effector_rows),
        ("anchors.csv", anchor_rows),
    ):
        check_rows(label, rows, known)
    threats = {k: ThreatType.model_validate(v) for k, v in _pivot(threat_rows).items()}
    effectors: dict[str, EffectorType] = {}
    for k, v in _pivot(effector_rows).items():
        pk = {kind: v.pop(f"pk_{kind}") for kind in THREAT_KINDS}
        for int_field in ("channels", "ready_rounds"):
            v[int_field] = int(v[int_field])
        effectors[k] = EffectorType.model_validate({**v, "pk": pk, "pk_curve": curves.pop(k, {})})
    if curves:
        raise ValueError(f"catalog pk_curves.csv: unknown effector types {sorted(curves)}")
    return Catalog(threats, effectors, sources, threat_rows, effector_rows, anchor_rows)
