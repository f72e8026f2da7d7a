"""Vendored Natural Earth outlines: small, in the box, licensed, and drawn from package data."""

from __future__ import annotations

from importlib import resources

from airshield.report.outlines import load_outlines


def test_data_file_is_small_and_documented() -> None:
    data = resources.files("airshield.report").joinpath("data")
    blob = data.joinpath("outlines.json").read_bytes()
    assert 10_000 < len(blob) < 1_000_000
    readme = data.joinpath("README.md").read_text(encoding="utf-8")
    assert "public domain" in readme.lower()
    assert "Natural Earth" in readme
    assert "vendor_outlines.py" in readme


def test_outlines_cover_the_box() -> None:
    ol = load_outlines()
    assert ol.bbox == (10.0, 35.0, 60.0, 65.0)
    assert len(ol.coast) > 50 and len(ol.border) > 50
    pts = [p for line in ol.coast + ol.border for p in line]
    lons = [x for x, _ in pts]
    lats = [y for _, y in pts]
    # clipped runs keep one point beyond each edge, nothing far outside
    assert min(lons) > 5 and max(lons) < 65 and min(lats) > 30 and max(lats) < 70
    names = {n for n, _, _ in ol.labels}
    assert {"Ukraine", "Poland", "Romania", "Moldova", "Belarus"} <= names


def test_lines_are_none_separated_and_filtered_by_extent() -> None:
    ol = load_outlines()
    lon, lat = ol.lines("border", (29.0, 49.0, 32.0, 51.0))
    assert len(lon) == len(lat) and lon[-1] is None
    segments = sum(1 for v in lon if v is None)
    assert 0 < segments < len(ol.border)
    all_lon, _ = ol.lines("border")
    assert sum(1 for v in all_lon if v is None) == len(ol.border)


def test_ukraine_border_passes_near_kyiv_latitude() -> None:
    # a coarse sanity check of the decoded coordinates: some border vertex lies at the
    # Ukraine-Russia border north-east of Kharkiv (about 36-38 E, 50-51 N)
    ol = load_outlines()
    near = [(x, y) for line in ol.border for x, y in line if 36 < x < 38 and 50 < y < 51]
    assert near
