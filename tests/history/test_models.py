from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from airshield.history.models import (
    THREAT_KINDS,
    classify_models,
    model_kinds_table,
    normalise_name,
    resolve_model,
)

TABLE = model_kinds_table()


def test_shipped_table_is_valid() -> None:
    assert set(TABLE["kind"]) <= set(THREAT_KINDS)
    assert TABLE["name"].map(normalise_name).is_unique
    assert (TABLE["group"] != "").all() and (TABLE["note"] != "").all()


def test_every_shipped_name_resolves_to_itself() -> None:
    for name, kind in zip(TABLE["name"], TABLE["kind"], strict=True):
        mk = resolve_model(name)
        assert mk.mapped and mk.kind == kind, name


def test_spellings() -> None:
    assert resolve_model("Kh-101").kind == "cruise_missile"
    assert resolve_model("  x-101 /  X-555 ").kind == "cruise_missile"  # case and spacing
    assert resolve_model("X-101/X-555").kind == "cruise_missile"
    assert resolve_model("S-300").kind == "ballistic_missile"  # S-300 in surface mode
    assert resolve_model("INTERCONTINENTAL BALLISTIC MISSILE").kind == "ballistic_missile"
    assert resolve_model("Shahed-136/131").strategic
    assert not resolve_model("Orlan-10").strategic
    assert resolve_model("Kh-47M2").kind == "ballistic_missile"  # Kinzhal
    assert resolve_model("Oniks").kind == resolve_model("Onyx").kind == "cruise_missile"


def test_unseen_slash_family_of_one_kind() -> None:
    mk = resolve_model("X-59/X-101")
    assert mk.mapped and mk.kind == "cruise_missile"


def test_bundles() -> None:
    same = resolve_model("X-101/X-555 and Kalibr and Iskander-K")
    assert same.kind == "cruise_missile" and same.mapped and not same.mixed
    assert len(same.parts) == 3
    mixed = resolve_model("X-101/X-555 and Kalibr and Iskander-M/KN-23")
    assert mixed.kind == "other" and mixed.mixed and mixed.mapped
    both_ballistic = resolve_model("C-400 and Iskander-M")
    assert both_ballistic.kind == "ballistic_missile"


def test_unknown_is_reported_not_guessed() -> None:
    mk = resolve_model("Kalibr and Mystery-9")
    assert not mk.mapped and mk.kind == "other" and mk.unknown_parts == ("Mystery-9",)


def test_classify_models_vectorised() -> None:
    s = pd.Series(["Kalibr", "ZALA", "Kalibr", "nope"])
    out = classify_models(s)
    assert list(out["kind"]) == ["cruise_missile", "drone", "cruise_missile", "other"]
    assert list(out["mapped"]) == [True, True, True, False]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(list(TABLE["name"])), min_size=1, max_size=4))
def test_bundle_kind_property(names: list[str]) -> None:
    mk = resolve_model(" and ".join(names))
    kinds = {resolve_model(n).kind for n in names}
    assert mk.mapped
    if len(kinds) == 1:
        assert mk.kind == kinds.pop()
    elif kinds <= {"drone", "decoy"}:  # the Air Force's drone line
        assert mk.kind == "drone" and not mk.mixed
    else:
        assert mk.kind == "other" and mk.mixed


def test_drones_with_decoys_are_the_drone_line() -> None:
    for name in ("Shahed-136/131 and Gerbera", "Geran-2/Gerbera", "Shahed-136/131 and Decoy UAV"):
        mk = resolve_model(name)
        assert mk.mapped and mk.kind == "drone" and mk.strategic and not mk.mixed, name


def test_new_variants_of_the_shahed_and_decoy_families() -> None:
    for name in ("Shahed-107", "Geran-5", "Герань-3", "Geran-3M"):
        mk = resolve_model(name)
        assert mk.mapped and mk.kind == "drone" and mk.strategic, name
    assert resolve_model("Gerbera-2").kind == "decoy"
    assert resolve_model("Geran-2/3").kind == "drone"
    for name in ("Shahedi", "Gerbera Mystery", "Geranium"):  # not a variant: unknown, reported
        mk = resolve_model(name)
        assert not mk.mapped and mk.kind == "other", name


def test_slash_family_with_bare_number() -> None:
    assert resolve_model("Kh-59/69").kind == "cruise_missile"
    assert resolve_model("X-101/555").kind == "cruise_missile"
