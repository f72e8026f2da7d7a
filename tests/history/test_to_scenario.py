from __future__ import annotations

from pathlib import Path

import pytest

from airshield.errors import ScenarioError
from airshield.history.bulletin import parse_bulletin
from airshield.history.to_scenario import build_scenario, scenario_counts, scenario_from_text
from history.test_cli import LAYDOWN

TEMPLATE = {"drone": 60, "decoy": 40, "cruise_missile": 3, "ballistic_missile": 1}


def claim(text: str):  # type: ignore[no-untyped-def]
    return parse_bulletin(text)[0]


def test_counts_decoy_share_from_template() -> None:
    counts, notes = scenario_counts(claim("Russia launched 100 drones."), TEMPLATE)
    assert counts == {"drone": 60, "decoy": 40, "cruise_missile": 0, "ballistic_missile": 0}
    assert any("decoys" in n for n in notes)


def test_counts_explicit_decoy_share_and_decoys() -> None:
    counts, _ = scenario_counts(claim("Russia launched 100 drones."), TEMPLATE, decoy_share=0.0)
    assert counts["drone"] == 100 and counts["decoy"] == 0
    counts, _ = scenario_counts(claim("Russia launched 70 Shahed drones and 30 decoys."), TEMPLATE)
    assert counts["drone"] == 70 and counts["decoy"] == 30


def test_counts_untyped_missiles_and_unknown() -> None:
    counts, notes = scenario_counts(claim("Russia launched 8 missiles."), TEMPLATE)
    assert counts["cruise_missile"] == 6 and counts["ballistic_missile"] == 2
    counts, notes = scenario_counts(
        claim("Russia launched 104 strikes."), TEMPLATE, decoy_share=0.0
    )
    assert sum(counts.values()) == 104
    assert any("unstated kind" in n for n in notes)


def test_counts_keep_typed_breakdown_of_a_total() -> None:
    c = claim(
        "The enemy attacked with 214 air attack means: 187 drones; 27 missiles "
        "(20 cruise missiles and 7 ballistic missiles)."
    )
    counts, _ = scenario_counts(c, TEMPLATE, decoy_share=0.0)
    assert counts == {"drone": 187, "decoy": 0, "cruise_missile": 20, "ballistic_missile": 7}


def test_build_and_simulate(tmp_path: Path) -> None:
    lay = tmp_path / "lay.yaml"
    lay.write_text(LAYDOWN, encoding="utf-8")
    built = scenario_from_text(
        "Russia launched 20 drones and 1 Iskander-M missile at Odesa.", laydown=lay
    )
    sc = built.scenario
    assert sc.total_threats() == 21
    names = {w.name: w for w in sc.waves}
    assert "ballistic_missile-wave" in names  # laydown has no ballistic wave: one is added
    assert names["ballistic_missile-wave"].threat == "iskander-m"
    assert all(w.main_direction is not None and w.main_direction.asset == "odesa" for w in sc.waves)
    res = sc.simulate(reps=5, seed=3)
    frame = res.to_frame()
    assert (frame["launched"] == frame["destroyed"] + frame["lost"] + frame["leaked"]).all()
    assert built.to_yaml().startswith("# Built by")


def test_target_not_in_laydown_is_noted(tmp_path: Path) -> None:
    lay = tmp_path / "lay.yaml"
    lay.write_text(LAYDOWN, encoding="utf-8")
    built = build_scenario(claim("Russia launched 20 drones at Lviv."), laydown=lay)
    assert any("Lviv" in n for n in built.notes)


def test_period_total_is_noted(tmp_path: Path) -> None:
    lay = tmp_path / "lay.yaml"
    lay.write_text(LAYDOWN, encoding="utf-8")
    week = build_scenario(claim("Russia launched 120 drones over the past week."), laydown=lay)
    assert any("over a period ('over the past week')" in n for n in week.notes)
    night = build_scenario(claim("Russia launched 120 drones overnight."), laydown=lay)
    assert not any("period" in n or "comparison" in n for n in night.notes)
    earlier = build_scenario(
        claim("It came days after a record barrage of 479 drones."), laydown=lay
    )
    assert any("comparison" in n for n in earlier.notes)


def test_no_launches_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError):
        scenario_from_text("Air defence shot down 20 drones.", laydown=tmp_path / "x.yaml")
    with pytest.raises(ScenarioError):
        scenario_from_text("Russia launched 20 drones.", claim_index=3)
