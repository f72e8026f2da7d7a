"""Spec, parameter paths and the plan: everything that is checked before any work starts."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from airshield.errors import ScenarioError
from airshield.scenario.yamlio import parse_yaml
from airshield.sweep import PathError, cell_seeds, load_plan, parse_path, resolve_path, run_sweep
from airshield.sweep.paths import Selector, _largest_remainder, apply_value
from sweep.conftest import SPEC, TINY, write

KINDS = {"shahed-136": "drone", "gerbera": "decoy", "kalibr": "cruise_missile"}


def base_data() -> dict:  # type: ignore[type-arg]
    data, _ = parse_yaml(TINY)
    return data  # type: ignore[no-any-return]


def spec_with(params: str, **top: object) -> str:
    head = "name: t\nbase: {kind: raid, scenario: tiny.yaml}\nreps: 3\nseed: 1\n"
    head += "".join(f"{k}: {json.dumps(v)}\n" for k, v in top.items())
    return head + "parameters:\n" + params


# ---- paths ---------------------------------------------------------------------------------
def test_parse_path() -> None:
    assert parse_path("waves[drones].count") == ["waves", Selector("drones"), "count"]
    assert parse_path("waves[0].count") == ["waves", Selector(0), "count"]
    assert parse_path("doctrine.cost_threshold") == ["doctrine", "cost_threshold"]
    assert parse_path("pools[sam-rounds].stock") == ["pools", Selector("sam-rounds"), "stock"]
    for bad in ("", "waves..count", "[0].count", "waves[].count", ".waves", "waves[0]count"):
        with pytest.raises(PathError):
            parse_path(bad)


def test_resolve_by_name_and_index_agree() -> None:
    data = base_data()
    a = resolve_path("waves[decoys].count", data)
    b = resolve_path("waves[1].count", data)
    assert a.steps == b.steps == ("waves", 1, "count")
    assert a.integer and a.base_value == 4
    ct = resolve_path("doctrine.cost_threshold", data)
    assert not ct.integer and ct.kind == "float"
    # a field the base leaves at its default resolves too (and reports the default)
    salvo = resolve_path("doctrine.salvo_size", data)
    assert salvo.integer and salvo.base_value == 2
    assert resolve_path("fire_units[rockets].count", data).steps == ("fire_units", 1, "count")


@pytest.mark.parametrize(
    ("path", "expect"),
    [
        ("waves[drone].count", "available: drones, decoys, cruise"),
        ("waves[drones].cnt", "available: name, threat, count"),
        ("waves[7].count", "index 7 is out of range"),
        ("doctrine.cost_treshold", "available: policy, salvo_size"),
        ("doctrine", "not a value; add one of its fields"),
        ("waves", "select an item by name (drones, decoys, cruise)"),
        ("fire_units[rockets].lat", "has no field 'lat'"),  # a ring has no position
        ("raid.bogus", "available: raid.decoy_share, raid.scale, raid.size"),
        ("waves[drones].count.x", "it has no field 'x'"),
    ],
)
def test_bad_paths_say_what_is_available(path: str, expect: str) -> None:
    with pytest.raises(PathError, match=None) as info:
        resolve_path(path, base_data())
    assert expect in str(info.value)


def test_derived_parameters() -> None:
    data = base_data()
    size = resolve_path("raid.size", data)
    assert size.base_value == 13
    d = copy.deepcopy(data)
    apply_value(d, size, 100, KINDS)
    assert sum(w["count"] for w in d["waves"]) == 100
    d = copy.deepcopy(data)
    apply_value(d, resolve_path("raid.scale", data), 2.5, KINDS)
    assert [w["count"] for w in d["waves"]] == [20, 10, 3]  # 8*2.5, 4*2.5, round(2.5) half up
    d = copy.deepcopy(data)
    apply_value(d, resolve_path("raid.decoy_share", data), 0.25, KINDS)
    counts = {w["name"]: w["count"] for w in d["waves"]}
    assert counts == {"drones": 9, "decoys": 3, "cruise": 1}  # drones + decoys kept at 12
    with pytest.raises(ValueError, match="between 0 and 1"):
        apply_value(d, resolve_path("raid.decoy_share", data), 1.5, KINDS)


@given(
    st.lists(st.integers(0, 1000), min_size=1, max_size=8),
    st.integers(0, 10_000),
)
def test_largest_remainder_adds_up(weights: list[int], total: int) -> None:
    out = _largest_remainder([float(w) for w in weights], total)
    assert sum(out) == total and all(c >= 0 for c in out)
    if sum(weights) > 0:
        # proportional within one unit
        for w, c in zip(weights, out, strict=True):
            assert abs(c - total * w / sum(weights)) < 1.0


# ---- the plan --------------------------------------------------------------------------------
def test_plan_cells_order_and_seeds(spec_path: Path) -> None:
    plan = load_plan(spec_path)
    assert plan.n_cells == 12 and plan.batch_cells == 2 and plan.n_batches == 6
    names = [p.name for p in plan.parameters]
    assert names == ["drones", "doctrine_cost_threshold", "sam_stock", "raid_decoy_share"]
    # canonical order: the last axis varies fastest
    assert [c.values for c in plan.cells[:3]] == [(4, 0.05, 0, 0.2), (4, 0.05, 8, 0.5),
                                                 (4, 1.0, 0, 0.2)]  # fmt: skip
    assert plan.cells[-1].values == (16, 1.0, 8, 0.5)
    # cell k is seeded from SeedSequence(root).spawn(n)[k]
    kids = np.random.SeedSequence(20250704).spawn(12)
    assert [c.seed for c in plan.cells] == [int(k.generate_state(1, np.uint64)[0]) for k in kids]
    assert cell_seeds(20250704, 12) == [c.seed for c in plan.cells]
    # every cell holds its validated scenario with the values applied
    sc = plan.cell_scenario(11)
    assert sc.waves[0].count + sc.waves[1].count == 16 + 4
    assert sc.waves[1].count == round(0.5 * 20)
    assert sc.pools[0].stock == 8 and sc.doctrine.cost_threshold == 1.0


def test_fingerprint_tracks_what_decides_the_outputs(tmp_path: Path) -> None:
    a = load_plan(write(tmp_path / "a"))
    b = load_plan(write(tmp_path / "b", SPEC.replace("a small sweep", "other words")))
    c = load_plan(write(tmp_path / "c", SPEC.replace("[4, 8, 16]", "[4, 8, 17]")))
    d = load_plan(write(tmp_path / "d", SPEC.replace("reps: 6", "reps: 7")))
    e = load_plan(write(tmp_path / "e", SPEC.replace("seed: 20250704", "seed: 1")))
    assert a.fingerprint == b.fingerprint
    assert len({a.fingerprint, c.fingerprint, d.fingerprint, e.fingerprint}) == 4


def test_grid_ranges_and_lhs(tmp_path: Path) -> None:
    spec = spec_with(
        "  - {kind: grid, path: doctrine.cost_threshold, start: 0.01, stop: 1, num: 3, log: true}\n"
        "  - kind: lhs\n    samples: 20\n    parameters:\n"
        "      - {path: 'waves[drones].count', low: 0, high: 39}\n"
        "      - {path: raid.decoy_share, low: 0.1, high: 0.3}\n"
    )
    plan = load_plan(write(tmp_path, spec))
    assert plan.n_cells == 60
    ct = sorted({c.values[0] for c in plan.cells})
    assert ct == pytest.approx([0.01, 0.1, 1.0])
    drones = [c.values[1] for c in plan.cells[:20]]
    share = np.array([c.values[2] for c in plan.cells[:20]])
    # integer field: whole numbers; Latin hypercube: one sample in each of the 20 strata
    assert all(isinstance(v, int) for v in drones)
    assert sorted(v // 2 for v in drones) == list(range(20))
    assert sorted(np.floor((share - 0.1) / 0.01).astype(int).tolist()) == list(range(20))
    # seeded from the root seed: same seed same sample, another seed another
    assert load_plan(write(tmp_path / "again", spec)).fingerprint == plan.fingerprint
    other = load_plan(write(tmp_path / "other", spec.replace("seed: 1", "seed: 2")))
    assert [c.values for c in other.cells] != [c.values for c in plan.cells]


# ---- errors before any work ---------------------------------------------------------------
def test_bad_paths_are_reported_with_file_line_and_keys_before_work(tmp_path: Path) -> None:
    spec = spec_with(
        "  - kind: grid\n    path: waves[drone].count\n    values: [1, 2]\n"
        "  - kind: list\n    parameters:\n      - path: doctrine.cost_treshold\n"
        "    points: [[1]]\n"
    )
    p = write(tmp_path, spec)
    out = tmp_path / "out"
    with pytest.raises(ScenarioError) as info:
        run_sweep(p, out, backend="serial")
    text = str(info.value)
    assert f"{p}:7: parameters[0].path: waves[drone].count" in text
    assert "available: drones, decoys, cruise" in text
    assert f"{p}:11: parameters[1].parameters[0].path: doctrine.cost_treshold" in text
    assert "cost_threshold" in text.split("cost_treshold", 2)[-1]
    assert not out.exists()  # nothing was started


def test_invalid_cells_are_reported_before_work(tmp_path: Path) -> None:
    spec = spec_with(
        "  - kind: grid\n    path: fire_units[rockets].count\n    values: [2, 0]\n"
        "  - kind: grid\n    path: raid.decoy_share\n    values: [0.1, 1.5]\n"
    )
    p = write(tmp_path, spec)
    with pytest.raises(ScenarioError) as info:
        run_sweep(p, tmp_path / "out", backend="serial")
    text = str(info.value)
    assert "cell 1 (fire_units_rockets_count=2, raid_decoy_share=1.5)" in text
    assert "cell 2 (fire_units_rockets_count=0, raid_decoy_share=0.1): fire_units[1].count" in text
    assert f"{p}:7:" in text  # the line of the parameter that set the bad value
    assert "3 of 4 cells are invalid" in text
    assert not (tmp_path / "out").exists()


def test_spec_structure_errors(tmp_path: Path) -> None:
    spec = spec_with(
        "  - kind: grid\n    path: waves[0].count\n    values: [1.5]\n"
        "  - kind: cube\n    path: x\n"
        "  - kind: grid\n    path: waves[1].count\n    name: cell\n    values: [1]\n",
        colour="red",
    )
    with pytest.raises(ScenarioError) as info:
        load_plan(write(tmp_path, spec))
    text = str(info.value)
    assert "colour: unknown field" in text
    assert "unknown kind 'cube'" in text
    spec = spec_with(
        "  - {kind: grid, path: 'waves[0].count', values: [1.5]}\n"
        "  - {kind: grid, path: 'waves[1].count', name: cell, values: [1]}\n"
        "  - {kind: grid, path: 'waves[drones].count', values: [2]}\n"
    )
    with pytest.raises(ScenarioError) as info:
        load_plan(write(tmp_path / "b", spec))
    text = str(info.value)
    assert "'cell' is a reserved column name" in text
    assert "sets the same field as 'waves[0].count'" in text
    spec = spec_with("  - {kind: grid, path: 'waves[0].count', values: [1.5]}\n")
    with pytest.raises(ScenarioError, match=r"takes whole numbers; got 1\.5"):
        load_plan(write(tmp_path / "c", spec))
    spec = spec_with("  - {kind: grid, path: 'waves[0].count', start: 1, stop: 2}\n")
    with pytest.raises(ScenarioError, match="all of start, stop and num"):
        load_plan(write(tmp_path / "d", spec))


def test_inline_base_and_max_cells(tmp_path: Path) -> None:
    inline = "name: t\nbase:\n  kind: raid\n  scenario:\n" + "".join(
        f"    {line}\n" for line in TINY.splitlines()
    )
    spec = inline + "parameters:\n  - {kind: grid, path: raid.scale, values: [1, 2, 3]}\n"
    plan = load_plan(write(tmp_path, spec))
    assert [plan.cell_scenario(k).total_threats() for k in range(3)] == [13, 26, 39]
    with pytest.raises(ScenarioError, match="more than max_cells=2"):
        load_plan(write(tmp_path / "b", spec + "max_cells: 2\n"))
    # an error inside the inline scenario points at the spec's own line
    bad = spec.replace("count: 8,", "count: -8,")
    with pytest.raises(ScenarioError) as info:
        load_plan(write(tmp_path / "c", bad))
    assert "waves[0].count" in str(info.value)
    assert f"{tmp_path / 'c' / 'spec.yaml'}:" in str(info.value)


EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.glob("sweep-*.yaml")))
def test_bundled_sweep_examples_are_valid(name: str) -> None:
    plan = load_plan(EXAMPLES / name)
    assert plan.n_cells >= 24 and plan.spec.reps >= 100
