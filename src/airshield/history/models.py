"""Mapping from the record's weapon-model names to AirShield threat kinds.

The mapping ships as package data (``history/data/model_kinds.csv``: ``name, kind, group,
strategic, note``). A reported name is resolved in three steps:

1. the whole name (after normalising case, spacing and ``Kh-``/``S-`` spellings);
2. otherwise each part of a bundle joined by `` and `` is resolved on its own;
3. otherwise each variant of a slashed family (``X-59/X-69``) is resolved, and the family gets
   the kind its variants share.

A bundle whose parts have different kinds (``C-400 and Iskander-M`` is fine: both ballistic;
``X-101/X-555 and Kalibr and Iskander-M/KN-23`` mixes cruise and ballistic) gets kind ``other``
with ``mixed=True``, except drones with decoys (``Shahed-136/131 and Gerbera``, ``Geran-2/
Gerbera``): the Air Force's drone line, kind ``drone``. A name the table does not hold but
that names the Shahed-type family (``Shahed-107``, ``Geran-5``, ``Герань-3``) is a
long-range attack drone, and one of the decoy family (``Gerbera-2``, ``Пародія``) a decoy: a
new variant of a family, not an unknown weapon (which would be counted with the missiles as
``other``). A name with any other part that cannot be resolved gets kind ``other`` with
``mapped=False``: the importer reports it, it is never dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from io import StringIO

import pandas as pd

THREAT_KINDS: tuple[str, ...] = ("drone", "decoy", "cruise_missile", "ballistic_missile", "other")
"""Threat kinds of the record, in report order."""

_BUNDLE_SEP = re.compile(r"\s+and\s+", flags=re.IGNORECASE)


@dataclass(frozen=True)
class ModelKind:
    """How one reported model name (or bundle) is classified."""

    name: str
    kind: str
    group: str
    strategic: bool
    mapped: bool
    mixed: bool
    parts: tuple[str, ...]
    unknown_parts: tuple[str, ...] = ()


def normalise_name(name: str) -> str:
    """Lower-case, single-spaced key of a model name.

    ``Kh-``/``Х-`` become ``x-`` and ``S-300``/``S-400`` become ``c-300``/``c-400``, the record's
    spellings.
    """
    key = " ".join(str(name).split()).casefold()
    key = re.sub(r"(?<![\w-])(?:kh|х)-", "x-", key)  # Latin Kh- and Cyrillic Х- prefixes
    key = re.sub(r"(?<![\w-])s-(300|400)", r"c-\1", key)
    key = key.replace(" / ", "/")
    return key


@lru_cache(maxsize=1)
def model_kinds_table() -> pd.DataFrame:
    """The shipped mapping as a DataFrame (``name, kind, group, strategic, note``)."""
    text = (
        resources.files("airshield.history")
        .joinpath("data/model_kinds.csv")
        .read_text(encoding="utf-8")
    )
    table = pd.read_csv(StringIO(text), dtype=str, keep_default_na=False)
    table["strategic"] = table["strategic"].str.lower().eq("true")
    bad = sorted(set(table["kind"]) - set(THREAT_KINDS))
    if bad:  # pragma: no cover - guards the shipped data file
        raise ValueError(f"model_kinds.csv: unknown kind(s) {bad}; expected one of {THREAT_KINDS}")
    return table


@lru_cache(maxsize=1)
def _lookup() -> dict[str, tuple[str, str, bool]]:
    table = model_kinds_table()
    return {
        normalise_name(n): (k, g, bool(s))
        for n, k, g, s in zip(
            table["name"], table["kind"], table["group"], table["strategic"], strict=True
        )
    }


_DRONE_FAMILY_RE = re.compile(r"^(?:shahed|geran|шахед|герань)(?:[-\s]?\d+[\w-]*)?$")
_DECOY_FAMILY_RE = re.compile(r"^(?:gerbera|parodiya|гербера|пародія)(?:[-\s]?\d+[\w-]*)?$")
_DRONE_LINE = frozenset({"drone", "decoy"})


def _line_kind(kinds: set[str]) -> str | None:
    """The one kind of a family or bundle: theirs when they share it, ``drone`` for drones
    with decoys (the Air Force's drone line), else ``None``."""
    if len(kinds) == 1:
        return next(iter(kinds))
    return "drone" if kinds <= _DRONE_LINE else None


def _resolve_atom(part: str) -> tuple[str, str, bool] | None:
    lookup = _lookup()
    key = normalise_name(part)
    if key in lookup:
        return lookup[key]
    if _DRONE_FAMILY_RE.match(key):
        return ("drone", "long_range_attack_drone", True)  # a new Shahed/Geran variant
    if _DECOY_FAMILY_RE.match(key):
        return ("decoy", "decoy_drone", True)
    if "/" in key:
        variants = [v.strip() for v in key.split("/")]
        # "x-59/69": a bare number after the slash keeps the first variant's prefix
        m = re.match(r"^(.*-)\d", variants[0])
        if m:
            variants = [variants[0]] + [
                m.group(1) + v if re.match(r"^\d", v) else v for v in variants[1:]
            ]
        hits = [_resolve_atom(v) if "/" not in v else None for v in variants]
        if all(h is not None for h in hits):
            kinds = {h[0] for h in hits if h is not None}
            groups = {h[1] for h in hits if h is not None}
            kind = _line_kind(kinds)
            if kind is not None:
                group = groups.pop() if len(groups) == 1 else "mixed"
                return (kind, group, any(h[2] for h in hits if h is not None))
    return None


@lru_cache(maxsize=4096)
def resolve_model(name: str) -> ModelKind:
    """Classify one reported model name or bundle (see the module docstring)."""
    clean = " ".join(str(name).split())
    whole = _resolve_atom(clean)
    parts = tuple(p for p in _BUNDLE_SEP.split(clean) if p)
    if whole is not None:
        return ModelKind(clean, whole[0], whole[1], whole[2], True, False, parts)
    resolved = [(p, _resolve_atom(p)) for p in parts]
    unknown = tuple(p for p, r in resolved if r is None)
    if unknown or not parts:
        return ModelKind(clean, "other", "unknown", False, False, False, parts, unknown or (clean,))
    hits = [r for _, r in resolved if r is not None]
    kinds = {h[0] for h in hits}
    groups = {h[1] for h in hits}
    strategic = any(h[2] for h in hits)
    kind = _line_kind(kinds)
    if kind is not None:
        group = groups.pop() if len(groups) == 1 else "mixed"
        return ModelKind(clean, kind, group, strategic, True, False, parts)
    return ModelKind(clean, "other", "mixed", strategic, True, True, parts)


def classify_models(names: pd.Series) -> pd.DataFrame:
    """Vectorised :func:`resolve_model` over a column of names (one lookup per distinct name)."""
    uniques = pd.unique(names.astype(str))
    rows = [resolve_model(n) for n in uniques]
    table = pd.DataFrame(
        {
            "kind": [r.kind for r in rows],
            "group": [r.group for r in rows],
            "strategic": [r.strategic for r in rows],
            "mapped": [r.mapped for r in rows],
            "is_bundle": [len(r.parts) > 1 for r in rows],
        },
        index=pd.Index(uniques, name="model"),
    )
    return table.reindex(names.astype(str).to_numpy()).reset_index(drop=True)
