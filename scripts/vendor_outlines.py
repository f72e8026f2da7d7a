"""Vendor country outlines for report maps from Natural Earth (public domain), run once, offline.

Source: the ``world-atlas`` package on the npm registry (Natural Earth 4.1.0 Admin 0 countries as
TopoJSON). Fetch it with the ordinary client, then run this script on the unpacked file::

    cd /tmp && npm pack world-atlas && tar xzf world-atlas-*.tgz
    python scripts/vendor_outlines.py /tmp/package/countries-50m.json

It writes ``src/airshield/report/data/outlines.json``: the TopoJSON arcs (each border or coastline
once) that fall in a Europe / Black Sea box, clipped, simplified (Douglas-Peucker) and rounded,
as flat ``[lon, lat, lon, lat, ...]`` lists split into ``coast`` (arcs used by one country) and
``border`` (arcs shared by two), plus a label point per country. Nothing here runs at report time:
the report reads the small JSON file from package data and never fetches anything.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

BBOX = (10.0, 35.0, 60.0, 65.0)  # lon_min, lat_min, lon_max, lat_max
TOLERANCE_DEG = 0.005
DECIMALS = 3
# label points for large countries whose centroid lies outside the box
LABEL_AT = {"Russia": (42.0, 55.0), "Finland": (26.0, 62.5), "Kazakhstan": (55.0, 48.5)}
OUT = (
    Path(__file__).resolve().parents[1] / "src" / "airshield" / "report" / "data" / "outlines.json"
)


def decode_arcs(topo: dict[str, Any]) -> list[NDArray[np.float64]]:
    """Absolute lon/lat of every arc of a quantized, delta-encoded TopoJSON topology."""
    tr = topo.get("transform")
    arcs = []
    for arc in topo["arcs"]:
        a = np.asarray(arc, dtype=np.float64)
        if tr is not None:
            a = np.cumsum(a, axis=0)
            a = a * np.asarray(tr["scale"]) + np.asarray(tr["translate"])
        arcs.append(a)
    return arcs


def _rings(geom: dict[str, Any]) -> list[list[int]]:
    if geom.get("type") == "Polygon":
        return list(geom["arcs"])
    if geom.get("type") == "MultiPolygon":
        return [ring for poly in geom["arcs"] for ring in poly]
    return []


def arc_use_counts(topo: dict[str, Any]) -> dict[int, int]:
    """How many country rings use each arc (1 = coastline, 2 = shared border)."""
    counts: dict[int, int] = {}
    for g in topo["objects"]["countries"]["geometries"]:
        for ring in _rings(g):
            for i in ring:
                j = i if i >= 0 else ~i
                counts[j] = counts.get(j, 0) + 1
    return counts


def ring_coords(ring: list[int], arcs: list[NDArray[np.float64]]) -> NDArray[np.float64]:
    parts = []
    for i in ring:
        a = arcs[i] if i >= 0 else arcs[~i][::-1]
        parts.append(a if not parts else a[1:])
    return np.concatenate(parts) if parts else np.zeros((0, 2))


def simplify(pts: NDArray[np.float64], tol: float) -> NDArray[np.float64]:
    """Douglas-Peucker simplification of a polyline (iterative, keeps both ends)."""
    n = len(pts)
    if n < 3:
        return pts
    keep = np.zeros(n, dtype=bool)
    keep[0] = keep[-1] = True
    stack = [(0, n - 1)]
    while stack:
        i, j = stack.pop()
        if j <= i + 1:
            continue
        seg = pts[j] - pts[i]
        rel = pts[i + 1 : j] - pts[i]
        norm = float(np.hypot(*seg))
        if norm == 0.0:
            d = np.hypot(rel[:, 0], rel[:, 1])
        else:
            d = np.abs(seg[0] * rel[:, 1] - seg[1] * rel[:, 0]) / norm
        k = int(np.argmax(d))
        if d[k] > tol:
            m = i + 1 + k
            keep[m] = True
            stack.append((i, m))
            stack.append((m, j))
    return pts[keep]


def clip_runs(
    pts: NDArray[np.float64], bbox: tuple[float, float, float, float]
) -> list[NDArray[np.float64]]:
    """Split a polyline into the runs that lie in the box (one point beyond each end kept)."""
    x0, y0, x1, y1 = bbox
    inside = (pts[:, 0] >= x0) & (pts[:, 0] <= x1) & (pts[:, 1] >= y0) & (pts[:, 1] <= y1)
    runs: list[NDArray[np.float64]] = []
    start = None
    for k, ok in enumerate(inside):
        if ok and start is None:
            start = max(0, k - 1)
        elif not ok and start is not None:
            runs.append(pts[start : k + 1])
            start = None
    if start is not None:
        runs.append(pts[start:])
    return [r for r in runs if len(r) >= 2]


def flat(pts: NDArray[np.float64]) -> list[float]:
    return [round(float(v), DECIMALS) for v in pts.reshape(-1)]


def label_point(
    geom: dict[str, Any], arcs: list[NDArray[np.float64]]
) -> tuple[float, float, float]:
    """Centroid of the largest ring (shoelace), with its area in square degrees."""
    best = (0.0, 0.0, -1.0)
    for ring in _rings(geom):
        p = ring_coords(ring, arcs)
        if len(p) < 3:
            continue
        x, y = p[:, 0], p[:, 1]
        cross = x[:-1] * y[1:] - x[1:] * y[:-1]
        area = cross.sum() / 2.0
        if abs(area) < 1e-12:
            continue
        cx = ((x[:-1] + x[1:]) * cross).sum() / (6 * area)
        cy = ((y[:-1] + y[1:]) * cross).sum() / (6 * area)
        if abs(area) > best[2]:
            best = (float(cx), float(cy), float(abs(area)))
    return best


def build(
    topo: dict[str, Any], bbox: tuple[float, float, float, float], tol: float
) -> dict[str, Any]:
    arcs = decode_arcs(topo)
    counts = arc_use_counts(topo)
    coast: list[list[float]] = []
    border: list[list[float]] = []
    for j, a in enumerate(arcs):
        for run in clip_runs(a, bbox):
            s = simplify(run, tol)
            if len(s) < 2:
                continue
            (border if counts.get(j, 0) >= 2 else coast).append(flat(s))
    labels = []
    x0, y0, x1, y1 = bbox
    for g in topo["objects"]["countries"]["geometries"]:
        name = (g.get("properties") or {}).get("name")
        if not name:
            continue
        cx, cy, area = label_point(g, arcs)
        if area <= 0.5:
            continue
        if name in LABEL_AT:
            cx, cy = LABEL_AT[name]
        elif not (x0 + 1 <= cx <= x1 - 1 and y0 + 0.5 <= cy <= y1 - 0.5):
            continue
        labels.append({"name": name, "lon": round(cx, 2), "lat": round(cy, 2)})
    labels.sort(key=lambda d: d["name"])
    return {
        "source": "Natural Earth 4.1.0 Admin 0 countries, 1:50m, via the world-atlas npm package",
        "licence": "public domain (Natural Earth); world-atlas packaging ISC",
        "bbox": list(bbox),
        "simplify_tolerance_deg": tol,
        "coast": coast,
        "border": border,
        "labels": labels,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("topojson", type=Path, help="countries-50m.json from the world-atlas package")
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--tolerance", type=float, default=TOLERANCE_DEG)
    args = ap.parse_args(argv)
    topo = json.loads(args.topojson.read_text(encoding="utf-8"))
    data = build(topo, BBOX, args.tolerance)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(data, separators=(",", ":"))
    args.out.write_text(text, encoding="utf-8")
    n = sum(len(x) // 2 for x in data["coast"] + data["border"])
    sys.stdout.write(
        f"wrote {args.out} ({len(text) / 1024:.0f} KiB): {len(data['coast'])} coast and "
        f"{len(data['border'])} border lines, {n} points, {len(data['labels'])} labels\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
