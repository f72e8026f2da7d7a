"""The catalog: required types present, every number sourced and dated, units never blank."""

from __future__ import annotations

import pandas as pd

from airshield.catalog import load_catalog


def test_required_types_present() -> None:
    cat = load_catalog()
    kinds = {t.kind for t in cat.threats.values()}
    assert kinds == {"drone", "decoy", "cruise_missile", "ballistic_missile"}
    for name in ("shahed-136", "gerbera", "geran-3", "kh-101", "kalibr", "iskander-m", "kinzhal"):
        assert name in cat.threats
    ekinds = {e.kind for e in cat.effectors.values()}
    assert ekinds == {"missile", "gun", "interceptor_drone", "ew"}
    for name in (
        "patriot",
        "nasams-irist",
        "apkws-rocket",
        "mobile-gun",
        "interceptor-drone",
        "ew-jammer",
    ):
        assert name in cat.effectors
    assert cat.threats["gerbera"].mimics == "shahed-136"


def test_every_number_has_source_date_and_unit() -> None:
    cat = load_catalog()
    for table in ("threats", "effectors"):
        df = cat.provenance(table)
        assert df["source"].ne("").all()
        assert df["date"].notna().all()
        assert pd.to_datetime(df["date"], format="ISO8601").notna().all()
        numeric = df[~df["attribute"].isin(["label", "kind", "mimics"])]
        assert numeric["unit"].ne("").all(), numeric[numeric["unit"] == ""]


def test_every_model_field_is_in_the_table() -> None:
    cat = load_catalog()
    attrs = set(cat.effector_table["attribute"])
    # pk curves have their own table (pk_curves.csv); EW hazard rates are optional per type
    fields = set(type(next(iter(cat.effectors.values()))).model_fields) - {
        "name", "pk", "pk_curve", "ew_hazard_per_min",
    }  # fmt: skip
    assert fields <= attrs
    assert {"pk_drone", "pk_decoy", "pk_cruise_missile", "pk_ballistic_missile"} <= attrs
    tattrs = set(cat.threat_table["attribute"])
    required = {
        n for n, f in type(next(iter(cat.threats.values()))).model_fields.items() if f.is_required()
    }
    assert required - {"name"} <= tattrs


def test_reported_costs() -> None:
    cat = load_catalog()
    assert cat.effectors["patriot"].cost_per_shot_usd == 4.0e6
    assert cat.effectors["interceptor-drone"].cost_per_shot_usd < 5000
    assert cat.threats["shahed-136"].speed_kmh == 185
