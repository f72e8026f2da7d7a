"""The offline basemap of report maps: vendored Natural Earth land, lakes and rivers.

Three styles (``BASEMAPS``): ``vector`` (the default: land on a sea-coloured background, lakes,
rivers, then coastlines, borders and country labels), ``outline`` (coastlines, borders and country
labels only) and ``none`` (a blank background: the laydown and tracks alone). The data file is
made once, offline, by ``scripts/vendor_basemap.py`` (land, lakes, rivers) and
``scripts/vendor_outlines.py`` (coastlines, borders, labels); this module only reads package
data, so a report stays one self-contained file that makes no request.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

from airshield.report.outlines import Extent, gapped, pairs

Basemap = Literal["none", "outline", "vector"]
BASEMAPS: tuple[str, ...] = ("none", "outline", "vector")
DEFAULT_BASEMAP: Basemap = "vector"


@dataclass(frozen=True)
class BasemapData:
    """Land and lake polygons (closed rings) and river polylines as (lon, lat) lists."""

    land: list[list[tuple[float, float]]]
    lakes: list[list[tuple[float, float]]]
    rivers: list[list[tuple[float, float]]]
    bbox: Extent
    source: str
    licence: str

    def coords(
        self, which: str, extent: Extent | None = None
    ) -> tuple[list[float | None], list[float | None]]:
        """Lon and lat lists of the ``land``, ``lakes`` or ``rivers`` shapes that touch
        ``extent``, separated by ``None`` gaps (one plotly trace per layer)."""
        return gapped(
            {"land": self.land, "lakes": self.lakes, "rivers": self.rivers}[which], extent
        )


@lru_cache(maxsize=1)
def load_basemap() -> BasemapData:
    """The bundled basemap (``airshield/report/data/basemap.json``)."""
    text = resources.files("airshield.report").joinpath("data/basemap.json").read_text("utf-8")
    raw: dict[str, Any] = json.loads(text)
    b = raw["bbox"]
    return BasemapData(
        land=[pairs(p) for p in raw["land"]],
        lakes=[pairs(p) for p in raw["lakes"]],
        rivers=[pairs(p) for p in raw["rivers"]],
        bbox=(float(b[0]), float(b[1]), float(b[2]), float(b[3])),
        source=str(raw["source"]),
        licence=str(raw["licence"]),
    )


def check_basemap(name: str) -> Basemap:
    """``name`` as a basemap style, or ValueError naming the choices."""
    if name not in BASEMAPS:
        raise ValueError(f"basemap {name!r}: expected one of {', '.join(BASEMAPS)}")
    out: Basemap = name  # type: ignore[assignment]
    return out


def basemap_note(basemap: str) -> str:
    """The map caption's credit line for a basemap style."""
    if basemap == "vector":
        return (
            "Basemap: Natural Earth land, lakes, rivers, coastlines and borders (public domain), "
            "bundled: the map makes no request."
        )
    if basemap == "outline":
        return "Country outlines: Natural Earth (public domain), bundled."
    return "No basemap (assets, units and tracks only)."
