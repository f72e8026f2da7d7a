"""Every kind of bad scenario input gives a clear error: file, field path, line, expectation."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from airshield.errors import ScenarioError
from airshield.scenario import expand_fire_units, load_scenario, scenario_from_text

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
BASE = (EXAMPLES / "one-battery.yaml").read_text()


def errors_for(text: str) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        scenario_from_text(text, "s.yaml")
    return info.value


def mutate(path: list[Any], value: Any, delete: bool = False) -> str:
    data = yaml.safe_load(BASE)
    node = data
    for p in path[:-1]:
        node = node[p]
    if delete:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return yaml.safe_dump(data, sort_keys=False)


@pytest.mark.parametrize(
    ("path", "value", "field", "words"),
    [
        (["waves", 0, "cuont"], 5, "waves[0].cuont", "unknown field"),
        (["waves", 0, "count"], -3, "waves[0].count", "greater than or equal to 0"),
        (["waves", 0, "count"], "many", "waves[0].count", "valid integer"),
        (["assets", 0, "lat"], 123.0, "assets[0].lat", "less than or equal to 90"),
        (["assets", 1, "lon"], -200.0, "assets[1].lon", "greater than or equal to -180"),
        (["assets", 0, "value_usd"], float("nan"), "assets[0].value_usd", "finite"),
        (["waves", 0, "threat"], "shahed-999", "waves[0].threat", "unknown threat type"),
        (["fire_units", 0, "effector"], "laser", "fire_units[0].effector", "unknown effector type"),
        (["fire_units", 1, "around"], "moon", "fire_units[1].around", "unknown asset"),
        (["fire_units", 0, "pool"], "nope", "fire_units[0].pool", "unknown pool"),
        (["fire_units", 0, "pool"], "rockets", "fire_units[0].pool", "holds 'apkws-rocket' rounds"),
        (["fire_units", 0, "kind"], "battery", "fire_units[0]", "unknown kind 'battery'"),
        (["waves", 0, "launch_site"], "mars", "waves[0].launch_site", "unknown launch site"),
        (["doctrine", "policy"], "spray", "doctrine.policy", "shoot-look-shoot"),
        (["doctrine", "assigner"], "oracle", "doctrine.assigner", "unknown assigner"),
        (["sensors", 0, "p_detect"], 1.5, "sensors[0].p_detect", "less than or equal to 1"),
        (["waves", 0, "launch_end_s"], -1.0, "waves[0].launch_end_s", "greater than or equal to 0"),
        (["pools", 0, "stock"], 2.5, "pools[0].stock", "integer"),
        (
            ["waves", 0, "via"],
            [{"lat": 50.0, "lon": 30.0 + 0.1 * i} for i in range(5)],
            "waves[0].via",
            "at most 4 waypoints (a route has at most 6 legs",
        ),
        (
            ["waves", 0, "via"],
            [{"lat": -60.0, "lon": -170.0}, {"lat": 60.0, "lon": 10.0}] * 2,
            "waves[0].via",
            "past the time limit of 168 h",
        ),
    ],
)
def test_bad_field_gives_path_line_and_expectation(path, value, field, words) -> None:  # type: ignore[no-untyped-def]
    err = errors_for(mutate(path, value))
    assert err.path == "s.yaml"
    msgs = [(p.field, p.message, p.line) for p in err.problems]
    match = [m for m in msgs if m[0] == field]
    assert match, msgs
    assert any(words in m[1] for m in match), msgs
    assert all(m[2] is not None and m[2] > 0 for m in match)
    assert field in str(err) and "s.yaml:" in str(err)


def test_a_routed_wave_inside_the_time_limit_is_valid() -> None:
    sc = scenario_from_text(mutate(["waves", 0, "via"], [{"lat": 50.6, "lon": 31.0}]), "s.yaml")
    assert len(sc.waves[0].via) == 1


def test_missing_required_field() -> None:
    err = errors_for(mutate(["waves", 0, "threat"], None, delete=True))
    assert any(p.field == "waves[0].threat" and "required" in p.message for p in err.problems)


def test_line_numbers_point_at_the_field() -> None:
    text = "name: x\nassets:\n  - name: a\n    lat: 95\n    lon: 30\n    value_usd: 1\n"
    err = errors_for(text)
    p = next(p for p in err.problems if p.field == "assets[0].lat")
    assert p.line == 4


def test_not_yaml_and_not_a_mapping() -> None:
    assert "not valid YAML" in str(errors_for("name: [unclosed\n"))
    assert "expected a mapping" in str(errors_for("- just\n- a list\n"))
    assert "empty" in str(errors_for(""))


def test_duplicate_names() -> None:
    err = errors_for(mutate(["assets", 1, "name"], "city"))
    assert any(p.field == "assets[1].name" and "duplicate" in p.message for p in err.problems)


def test_missing_file() -> None:
    with pytest.raises(ScenarioError, match="file not found"):
        load_scenario("/nonexistent/s.yaml")


def test_python_tags_are_refused() -> None:
    err = errors_for("name: !!python/object/apply:os.system ['true']\n")
    assert "YAML" in str(err)


def test_laydown_rules_expand() -> None:
    sc = scenario_from_text(BASE)
    units = expand_fire_units(sc)
    assert [u.name for u in units] == ["sam-1", "rockets-1", "rockets-2", "ew-1"]
    from airshield.geo import great_circle_km

    city = sc.assets[0]
    for u in units[1:3]:
        assert abs(great_circle_km(city.lat, city.lon, u.lat, u.lon) - 8.0) < 1e-6


def test_round_trip_yaml() -> None:
    sc = scenario_from_text(BASE)
    again = scenario_from_text(sc.to_yaml())
    assert again.model_dump() == sc.model_dump()
    assert again.content_hash() == sc.content_hash()


# ---- hypothesis: malformed scenarios never fail with anything but a validation error ----------
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:  # type: ignore[type-arg]
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*prefix, i))
    return out


BASE_DATA = yaml.safe_load(BASE)
ALL_PATHS = [p for p in _paths(BASE_DATA) if p]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    edits=st.lists(
        st.tuples(
            st.sampled_from(ALL_PATHS), st.sampled_from(["set", "delete", "rename"]), scalars
        ),
        min_size=1,
        max_size=4,
    )
)
def test_malformed_scenarios_only_raise_validation_errors(edits) -> None:  # type: ignore[no-untyped-def]
    data = copy.deepcopy(BASE_DATA)
    for path, op, value in edits:
        node = data
        try:
            for p in path[:-1]:
                node = node[p]
            key = path[-1]
            if op == "set":
                node[key] = value
            elif op == "delete":
                del node[key]
            elif isinstance(node, dict) and key in node:
                node[f"{key}_x"] = node.pop(key)
        except (KeyError, IndexError, TypeError):
            continue
    try:
        text = yaml.safe_dump(data)
    except yaml.YAMLError:
        return
    try:
        scenario_from_text(text, "fuzz.yaml")
    except ScenarioError as exc:
        assert exc.problems and all(p.field and p.message for p in exc.problems)


def test_yaml_12_floats_are_numbers() -> None:
    from airshield.scenario.yamlio import parse_yaml

    data, _ = parse_yaml("a: 5.0e9\nb: 1e6\nc: '5e9'\nd: 1_000\n")
    assert data == {"a": 5.0e9, "b": 1.0e6, "c": "5e9", "d": 1000}


def test_nan_as_text_is_refused() -> None:
    err = errors_for(mutate(["assets", 0, "value_usd"], "nan"))
    assert any(p.field == "assets[0].value_usd" for p in err.problems)
    err = errors_for(mutate(["waves", 0, "route_jitter_km"], "inf"))
    assert any(p.field == "waves[0].route_jitter_km" for p in err.problems)


def test_unbuildable_implicit_scalar_is_a_yaml_error_with_line() -> None:
    err = errors_for("name: x\ndescription: 2025-13-01\n")
    assert err.problems[0].line == 2 and "month must be in 1..12" in err.problems[0].message


def test_names_equal_to_kind_tags_stay_in_error_paths() -> None:
    """Union tags are dropped from error paths only where the data says they are tags."""
    err = errors_for(mutate(["waves", 0, "targets"], {"ring": 1.0}))
    assert any(p.field == "waves[0].targets.ring" for p in err.problems), err.problems
    err = errors_for(mutate(["fire_units", 1, "count"], 0))
    assert any(p.field == "fire_units[1].count" for p in err.problems), err.problems
