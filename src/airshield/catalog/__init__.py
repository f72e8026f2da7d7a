"""The catalog: threat and effector types as sourced data tables.

Each number lives in ``data/threat_types.csv`` / ``data/effector_types.csv`` in long form
(``type, attribute, value, unit, source``); ``source`` names a row of ``data/sources.csv``
(title, publisher, date) or ``notional``. :func:`load_catalog` pivots the tables into validated
:class:`ThreatType` / :class:`EffectorType` models; :meth:`Catalog.provenance` gives the long table
with source titles and dates for display (``airshield catalog``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import pandas as pd

from airshield.catalog.models import (
    EFFECTOR_KINDS,
    THREAT_KINDS,
    EffectorType,
    KillProbabilities,
    ThreatType,
)

__all__ = [
    "EFFECTOR_KINDS",
    "THREAT_KINDS",
    "Catalog",
    "EffectorType",
    "KillProbabilities",
    "ThreatType",
    "load_catalog",
]

_STRING_ATTRS = {"label", "kind", "mimics"}


@dataclass(frozen=True)
class Catalog:
    """Threat and effector types by name, with the provenance of every number."""

    threats: dict[str, ThreatType]
    effectors: dict[str, EffectorType]
    sources: pd.DataFrame = field(repr=False)
    threat_table: pd.DataFrame = field(repr=False)
    effector_table: pd.DataFrame = field(repr=False)

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
        return Catalog(t, e, self.sources, self.threat_table, self.effector_table)

    def provenance(self, table: str = "threats") -> pd.DataFrame:
        """Long table of every catalog number with its unit, source title and date."""
        df = self.threat_table if table == "threats" else self.effector_table
        src = self.sources.rename(columns={"id": "source"})
        return df.merge(src[["source", "title", "date"]], on="source", how="left")

    def threat_frame(self) -> pd.DataFrame:
        """One row per threat type (wide), for display."""
        return pd.DataFrame([t.model_dump() for t in self.threats.values()]).set_index("name")

    def effector_frame(self) -> pd.DataFrame:
        """One row per effector type (wide, pk flattened to ``pk_<kind>``), for display."""
        rows = []
        for e in self.effectors.values():
            d = e.model_dump()
            pk = d.pop("pk")
            rows.append({**d, **{f"pk_{k}": v for k, v in pk.items()}})
        return pd.DataFrame(rows).set_index("name")


def _read(name: str) -> pd.DataFrame:
    with resources.files("airshield.catalog").joinpath("data", name).open("r") as fh:
        return pd.read_csv(fh, dtype=str, keep_default_na=False)


def _pivot(df: pd.DataFrame) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for row in df.itertuples(index=False):
        value: Any = row.value if row.attribute in _STRING_ATTRS else float(str(row.value))
        out.setdefault(str(row.type), {"name": row.type})[str(row.attribute)] = value
    return out


@lru_cache(maxsize=1)
def load_catalog() -> Catalog:
    """The bundled catalog (validated; every number has a known source id)."""
    sources = _read("sources.csv")
    threats_df = _read("threat_types.csv")
    effectors_df = _read("effector_types.csv")
    known = set(sources["id"])
    for label, df in (("threat_types.csv", threats_df), ("effector_types.csv", effectors_df)):
        missing = sorted(set(df["source"]) - known)
        if missing:
            raise ValueError(f"catalog {label}: unknown source ids {missing}")
    threats = {k: ThreatType.model_validate(v) for k, v in _pivot(threats_df).items()}
    effectors: dict[str, EffectorType] = {}
    for k, v in _pivot(effectors_df).items():
        pk = {kind: v.pop(f"pk_{kind}") for kind in THREAT_KINDS}
        for int_field in ("channels", "ready_rounds"):
            v[int_field] = int(v[int_field])
        effectors[k] = EffectorType.model_validate({**v, "pk": pk})
    return Catalog(threats, effectors, sources, threats_df, effectors_df)
