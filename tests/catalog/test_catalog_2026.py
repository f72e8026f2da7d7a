"""Catalog 2026: a confidence tag on every number, known sources, the new types and anchors,
altitude quartiles validated, and ``airshield catalog --sources --json`` as one document."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest
from pydantic import ValidationError

from airshield.catalog import (
    CONFIDENCE_LEVELS,
    TEXT_ATTRIBUTES,
    ThreatType,
    load_catalog,
)
from airshield.catalog import check_rows as check

TABLES = ("threats", "effectors", "anchors")


def test_every_number_has_a_confidence_tag_and_a_known_dated_source() -> None:
    cat = load_catalog()
    known = {r["id"] for r in cat.source_rows}
    n = 0
    for table in TABLES:
        df = cat.provenance(table)
        assert len(df) > 0
        nums = df[~df["attribute"].isin(TEXT_ATTRIBUTES)]
        assert nums["confidence"].isin(CONFIDENCE_LEVELS).all(), nums[
            ~nums["confidence"].isin(CONFIDENCE_LEVELS)
        ]
        assert set(nums["source"]) <= known
        # notional numbers are low confidence, and every number parses and has a unit
        assert (nums.loc[nums["source"] == "notional", "confidence"] == "L").all()
        assert pd.to_numeric(nums["value"]).notna().all()
        assert nums["unit"].ne("").all()
        assert pd.to_datetime(df["date"], format="ISO8601").notna().all()
        # text rows carry no tag
        assert df.loc[df["attribute"].isin(TEXT_ATTRIBUTES), "confidence"].eq("").all()
        n += len(nums)
    assert n > 190
    for r in cat.source_rows:
        assert r["title"] and r["publisher"] and r["date"], r


def test_every_cited_source_is_used() -> None:
    cat = load_catalog()
    used = {
        r["source"] for rows in (cat.threat_rows, cat.effector_rows, cat.anchor_rows) for r in rows
    }
    used |= {c.source for e in cat.effectors.values() for c in e.pk_curve.values()}
    unused = {r["id"] for r in cat.source_rows} - used - {"design-brief"}
    assert not unused, unused


def _row(**kw: str) -> dict[str, str]:
    base = {
        "type": "x",
        "attribute": "speed_kmh",
        "value": "100",
        "unit": "km/h",
        "confidence": "M",
        "source": "s",
    }
    return {**base, **kw}


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (_row(confidence=""), "confidence '' must be one of H, M, L"),
        (_row(confidence="high"), "confidence 'high'"),
        (_row(source="nowhere"), "unknown source id 'nowhere'"),
        (_row(source="notional", confidence="M"), "a notional number has confidence L"),
        (_row(unit=""), "unit is missing"),
        (_row(value="fast"), "is not a number"),
        (_row(value="nan"), "must be finite"),
    ],
)
def test_bad_rows_are_refused_with_file_line_and_field(row: dict[str, str], message: str) -> None:
    rows = (_row(), row)
    with pytest.raises(ValueError, match=r"catalog t\.csv:3: x\.speed_kmh: ") as exc:
        check("t.csv", rows, {"s", "notional"})
    assert message in str(exc.value)
    # a text row needs no tag, and good rows pass
    check(
        "t.csv", (_row(), _row(attribute="label", value="a label", unit="", confidence="")), {"s"}
    )


def test_columns_are_checked() -> None:
    bad = ({"type": "x", "attribute": "a", "value": "1", "unit": "u", "source": "s"},)
    with pytest.raises(ValueError, match="columns must be type, attribute, value, unit"):
        check("t.csv", bad, {"s"})


def test_2026_types_and_anchors() -> None:
    cat = load_catalog()
    s26 = cat.threats["shahed-136-2026"]
    assert s26.has_altitude_distribution and s26.altitude_max_km >= 3.5
    assert s26.altitude_knots_km() == (0.1, 1.0, 2.0, 3.0, 4.0)
    assert s26.speed_kmh == cat.threats["shahed-136"].speed_kmh
    # old types keep their numbers (old scenarios give the same results)
    assert not cat.threats["shahed-136"].has_altitude_distribution
    assert cat.threats["shahed-136"].altitude_max_km == 2.5
    jet = cat.threats["geran-3"]
    assert jet.kind == "drone" and jet.speed_kmh >= 450
    fp1 = cat.threats["fp-1"]
    assert fp1.kind == "drone" and 45_000 <= fp1.cost_usd <= 65_000
    for name in ("pantsir-s1", "tor-m2"):
        e = cat.effectors[name]
        assert e.kind == "missile" and e.range_max_km <= 25 and e.altitude_max_km <= 15
    assert cat.anchor("raid-record", "drones_launched") == 810
    assert cat.anchor("raid-planning", "drones_launched") == 1000
    assert cat.anchor("interceptor-drone", "made_per_day_jan_2026") == 1000
    assert cat.anchor("interceptor-drone", "share_of_enemy_drones_downed") == pytest.approx(
        1 / 3, abs=0.01
    )
    assert 0 < cat.anchor("geran-3", "raid_share") < 0.2
    with pytest.raises(KeyError):
        cat.anchor("interceptor-drone", "nothing")
    conf = {(r["type"], r["attribute"]): r["confidence"] for r in cat.anchor_rows}
    assert conf[("raid-record", "drones_launched")] == "H"
    assert conf[("geran-3", "raid_share")] == "L"


BASE = {
    "name": "t",
    "kind": "drone",
    "speed_kmh": 185.0,
    "altitude_min_km": 0.1,
    "altitude_max_km": 4.0,
    "range_km": 100.0,
    "warhead_kg": 50.0,
    "cost_usd": 1.0,
    "lethality": 0.0,
}


def test_altitude_quartiles_validated() -> None:
    ok = ThreatType.model_validate(
        {**BASE, "altitude_q25_km": 1.0, "altitude_q50_km": 2.0, "altitude_q75_km": 3.0}
    )
    assert ok.altitude_knots_km() == (0.1, 1.0, 2.0, 3.0, 4.0)
    plain = ThreatType.model_validate(BASE)
    assert not plain.has_altitude_distribution
    assert plain.altitude_knots_km() == pytest.approx((0.1, 1.075, 2.05, 3.025, 4.0))
    with pytest.raises(ValidationError, match="go together"):
        ThreatType.model_validate({**BASE, "altitude_q50_km": 2.0})
    with pytest.raises(ValidationError, match="must rise"):
        ThreatType.model_validate(
            {**BASE, "altitude_q25_km": 2.5, "altitude_q50_km": 2.0, "altitude_q75_km": 3.0}
        )
    with pytest.raises(ValidationError, match="must rise"):
        ThreatType.model_validate(
            {**BASE, "altitude_q25_km": 1.0, "altitude_q50_km": 2.0, "altitude_q75_km": 4.5}
        )


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "airshield", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_catalog_sources_json_is_one_document_with_every_tag() -> None:
    res = _cli("catalog", "--sources", "--json")
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)  # exactly one JSON document on stdout
    assert set(doc) == {"numbers", "sources"}
    nums = doc["numbers"]
    assert {n["table"] for n in nums} == {*TABLES, "pk_curves"}
    assert all(n["confidence"] in CONFIDENCE_LEVELS for n in nums)
    ids = {s["id"] for s in doc["sources"]}
    assert all(n["source"] in ids and n["source_date"] for n in nums)
    cat = load_catalog()
    expected = sum(
        r["attribute"] not in TEXT_ATTRIBUTES
        for rows in (cat.threat_rows, cat.effector_rows, cat.anchor_rows)
        for r in rows
    )
    curve_points = sum(len(c.points) for e in cat.effectors.values() for c in e.pk_curve.values())
    assert curve_points > 0
    assert len(nums) == expected + curve_points
    assert {n["confidence"] for n in nums if n["table"] == "pk_curves"} == {"L"}
    alt = [
        n for n in nums if n["type"] == "shahed-136-2026" and n["attribute"] == "altitude_max_km"
    ]
    assert alt == [
        {
            "table": "threats",
            "type": "shahed-136-2026",
            "attribute": "altitude_max_km",
            "value": "4.0",
            "unit": "km",
            "confidence": "M",
            "source": "kovalenko-altitude-2025",
            "source_title": alt[0]["source_title"],
            "source_date": "2025",
        }
    ]


def test_catalog_sources_table_shows_the_confidence_column() -> None:
    res = _cli("catalog", "--sources")
    assert res.returncode == 0, res.stderr
    out = res.stdout
    for head in ("type", "attribute", "value", "unit", "confidence", "source", "date"):
        assert head in out
    assert "Public anchors" in out and "ihnat-one-in-three-2026" in out
    assert "│ H " in out and "│ M " in out and "│ L " in out
