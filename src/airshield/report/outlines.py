"""Country outlines for report maps, from vendored Natural Earth data (public domain).

The data file is made once, offline, by ``scripts/vendor_outlines.py``; this module only reads
it from package data. Nothing here touches the network.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any


@dataclass(frozen=True)
class Outlines:
    """Coastlines and borders as lists of (lon, lat) polylines, and country label points."""

    coast: list[list[tuple[float, float]]]
    border: list[list[tuple[float, float]]]
    labels: list[tuple[str, float, float]]
    bbox: tuple[float, float, float, float]
    source: str
    licence: str

    def lines(
        self, which: str, extent: tuple[float, float, float, float] | None = None
    ) -> tuple[list[float | None], list[float | None]]:
        """Lon and lat lists of ``coast`` or ``border`` polylines, separated by ``None`` gaps
        (one plotly line trace), keeping only polylines that touch ``extent``
        (lon_min, lat_min, lon_max, lat_max)."""
        return gapped(self.coast if which == "coast" else self.border, extent)


#: lon_min, lat_min, lon_max, lat_max
Extent = tuple[float, float, float, float]


def gapped(
    polys: list[list[tuple[float, float]]], extent: Extent | None = None
) -> tuple[list[float | None], list[float | None]]:
    """Lon and lat lists of the polylines ``polys`` that touch ``extent`` (all when None),
    separated by ``None`` gaps: one plotly trace for many shapes."""
    lon: list[float | None] = []
    lat: list[float | None] = []
    for p in polys:
        if extent is not None and not touches(p, extent):
            continue
        lon.extend(x for x, _ in p)
        lat.extend(y for _, y in p)
        lon.append(None)
        lat.append(None)
    return lon, lat


def touches(p: list[tuple[float, float]], e: Extent) -> bool:
    """Whether the bounding box of the points ``p`` meets the extent ``e``."""
    xs = [x for x, _ in p]
    ys = [y for _, y in p]
    return not (max(xs) < e[0] or min(xs) > e[2] or max(ys) < e[1] or min(ys) > e[3])


def pairs(flat: list[float]) -> list[tuple[float, float]]:
    """``[x0, y0, x1, y1, ...]`` as points."""
    return [(float(flat[i]), float(flat[i + 1])) for i in range(0, len(flat) - 1, 2)]


@lru_cache(maxsize=1)
def load_outlines() -> Outlines:
    """The bundled outlines (``airshield/report/data/outlines.json``)."""
    text = resources.files("airshield.report").joinpath("data/outlines.json").read_text("utf-8")
    raw: dict[str, Any] = json.loads(text)
    bbox = raw["bbox"]
    return Outlines(
        coast=[pairs(p) for p in raw["coast"]],
        border=[pairs(p) for p in raw["border"]],
        labels=[(d["name"], float(d["lon"]), float(d["lat"])) for d in raw["labels"]],
        bbox=(float(bbox[0]), float(bbox[1]), float(bbox[2]), float(bbox[3])),
        source=str(raw["source"]),
        licence=str(raw["licence"]),
    )
