"""Defaults of the cheap layer and of sensing (``data/cheap_layer.csv``).

Interceptor-drone hunts, weather and night factors, mobile fire groups and the radar horizon
constant: notional planning values with the public anchor each was chosen against and a
confidence tag (H/M/L). A scenario field left unset takes its value from this table when the
scenario is compiled (:mod:`airshield.raid.compile`).
"""

from __future__ import annotations

import csv
import io
from functools import lru_cache
from importlib import resources


@lru_cache(maxsize=1)
def cheap_layer_rows() -> tuple[dict[str, str], ...]:
    """The table's rows: parameter, value, unit, confidence, source, note."""
    text = resources.files("airshield.catalog").joinpath("data/cheap_layer.csv").read_text("utf-8")
    return tuple(csv.DictReader(io.StringIO(text)))


@lru_cache(maxsize=1)
def cheap_layer_defaults() -> dict[str, float]:
    """Parameter name -> value."""
    return {r["parameter"]: float(r["value"]) for r in cheap_layer_rows()}


def default(name: str) -> float:
    """One default, e.g. ``default("hunt.recovery_p")``; a missing name is a KeyError."""
    return cheap_layer_defaults()[name]
