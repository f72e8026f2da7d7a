"""Hostile input: alias bombs, deep nesting, huge documents, counts and numbers give clean errors
(file, line, field) before anything is allocated; models built in Python validate like YAML."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from airshield.errors import ScenarioError
from airshield.scenario import Scenario, Wave, limits, load_scenario, scenario_from_text

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
BASE = (EXAMPLES / "one-battery.yaml").read_text()

BOMB = "\n".join(
    ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    + [
        f"{c}: &{c} [{','.join([f'*{p}'] * 9)}]"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    ]
)


def problems(text: str) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        scenario_from_text(text, "s.yaml")
    return info.value


def test_billion_laughs_fails_fast_on_the_command_line(tmp_path: Path) -> None:
    assert len(BOMB.encode()) < 400  # the 342-byte class of bomb: 9^9 strings once expanded
    f = tmp_path / "bomb.yaml"
    f.write_text(BOMB)
    # the timeout is a hang guard: before the limits this ran out of memory after minutes
    res = subprocess.run(
        [sys.executable, "-m", "airshield", "validate", str(f)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert res.returncode == 2, res.stderr
    assert "Traceback" not in res.stderr
    assert f"{f}:" in res.stderr and "alias" in res.stderr
    assert f"{limits.MAX_NODES:,} nodes" in res.stderr


def test_alias_within_budget_is_expanded() -> None:
    data = yaml.safe_load(BASE)
    text = yaml.safe_dump(data, sort_keys=False).replace(
        "launch_sites:", "x_anchor: &jit 15\nlaunch_sites:", 1
    )
    # aliases are legal YAML: a small one is expanded (and then the unknown key is reported)
    err = problems(text)
    assert [p.field for p in err.problems] == ["x_anchor"]


def test_recursive_alias_is_refused() -> None:
    err = problems("name: x\nassets: &a [*a]\n")
    assert "refers to its own enclosing node" in str(err)


@pytest.mark.parametrize("depth", [limits.MAX_DEPTH + 1, 1000, 100_000])
def test_deep_nesting_is_a_clean_error(depth: int) -> None:
    err = problems("name: " + "[" * depth + "]" * depth + "\n")
    assert err.problems[0].line == 1
    assert f"nesting deeper than {limits.MAX_DEPTH} levels" in err.problems[0].message


def test_document_size_limit(tmp_path: Path) -> None:
    f = tmp_path / "big.yaml"
    f.write_text("#" * (limits.MAX_DOCUMENT_BYTES + 1) + "\n")
    with pytest.raises(ScenarioError, match="the limit is 4,000,000 bytes"):
        load_scenario(f)
    with pytest.raises(ScenarioError, match="bytes"):
        scenario_from_text(" " * (limits.MAX_DOCUMENT_BYTES + 10))


def test_long_scalar_is_refused() -> None:
    err = problems("name: " + "x" * (limits.MAX_SCALAR_CHARS + 1) + "\n")
    assert "characters" in str(err)


def _replace(old: str, new: str) -> str:
    assert old in BASE
    return BASE.replace(old, new, 1)


@pytest.mark.parametrize(
    ("old", "new", "field", "line", "words"),
    [
        ("count: 40,", "count: 1000000000,", "waves[0].count", 23, "less than or equal to 100000"),
        ("count: 40,", "count: 9223372036854775808,", "waves[0].count", 23, "less than or equal"),
        ("count: 40,", "count: 1e400,", "waves[0].count", 23, "finite"),
        ("count: 2, radius_km", "count: 1000000, radius_km", "fire_units[1].count", 14, "2000"),
        ("value_usd: 5.0e9", "value_usd: 1e308", "assets[0].value_usd", 8, "less than or equal"),
        ("range_km: 120", "range_km: 1e300", "sensors[0].range_km", 11, "less than or equal"),
        ("stock: 12}", "stock: 100000000000}", "pools[0].stock", 17, "less than or equal"),
        ("launch_end_s: 3600,", "launch_end_s: 1e12,", "waves[0].launch_end_s", 23, "less than"),
        ("name: one-battery", 'name: "\\ud800"', "name", 4, "lone surrogate"),
    ],
)
def test_bounds_name_file_line_and_field(
    old: str, new: str, field: str, line: int, words: str
) -> None:
    err = problems(_replace(old, new))
    p = err.problems[0]
    assert (p.field, p.line) == (field, line), err
    assert words in p.message
    assert str(err).startswith("s.yaml:")


def test_total_threats_and_units_are_bounded() -> None:
    data = yaml.safe_load(BASE)
    data["waves"] = [dict(data["waves"][0], name=f"w{i}", count=60_000) for i in range(2)]
    err = problems(yaml.safe_dump(data))
    assert err.problems[0].field == "waves" and "120,000 threats" in err.problems[0].message
    data = yaml.safe_load(BASE)
    ring = data["fire_units"][1]
    data["fire_units"] = [dict(ring, name=f"r{i}", count=2000) for i in range(3)]
    err = problems(yaml.safe_dump(data))
    assert err.problems[0].field == "fire_units" and "6,000 fire units" in err.problems[0].message


def test_pairs_bound_limits_the_per_replication_arrays() -> None:
    data = yaml.safe_load(BASE)
    ring = data["fire_units"][1]
    data["fire_units"] = [dict(ring, name=f"r{i}", count=2000) for i in range(2)]
    data["waves"][0]["count"] = 100_000 - 12
    err = problems(yaml.safe_dump(data))
    assert "pairs per replication" in str(err)


# ---- models built and changed in Python validate like YAML ----------------------------------
def test_python_updates_are_validated() -> None:
    sc = scenario_from_text(BASE)
    with pytest.raises(ValidationError, match="less than or equal"):
        sc.waves[0].model_copy(update={"count": 10**9})
    with pytest.raises(ValidationError):
        sc.waves[0].count = -1
    with pytest.raises(ValidationError, match="unknown threat type 'nope'"):
        sc.model_copy(update={"waves": [sc.waves[0].model_copy(update={"threat": "nope"})]})
    with pytest.raises(ValidationError, match="unknown asset"):
        Scenario.model_validate({**sc.model_dump(), "assets": [sc.assets[1]]})
    ok = sc.model_copy(update={"name": "renamed"})
    assert ok.name == "renamed" and ok.waves == sc.waves
    assert isinstance(Wave.model_validate(sc.waves[0].model_dump()), Wave)


def test_campaign_changed_in_python_gets_a_clean_error_not_a_keyerror() -> None:
    from airshield.campaign import load_campaign, run_campaign

    camp = load_campaign(EXAMPLES / "campaign-small.yaml")
    broken = camp.model_copy(
        update={"defender": camp.defender.model_copy(update={"pools": camp.defender.pools[:-1]})}
    )
    with pytest.raises(ScenarioError, match="has no entry here"):
        run_campaign(broken, mode="detailed", reps=1)
    with pytest.raises(ValidationError):
        camp.model_copy(update={"nights": 10**6})


def test_libyaml_and_pure_python_parse_every_example_alike() -> None:
    """The C parser (used where PyYAML has it) gives the same data and lines as the pure-Python
    one on every bundled YAML file; a document either refuses falls back to pure Python."""
    from airshield.scenario import yamlio

    if len(yamlio._LOADERS) < 2:
        pytest.skip("PyYAML without libyaml")
    files = sorted((Path(__file__).resolve().parents[2] / "examples").rglob("*.yaml"))
    assert len(files) > 10
    for f in files:
        text = f.read_text()
        fast = yamlio._parse(text, str(f), *yamlio._LOADERS[0])
        slow = yamlio._parse(text, str(f), *yamlio._LOADERS[-1])
        assert fast == slow, f


@pytest.mark.parametrize(
    "text",
    ["name: [unclosed\n", "a: 1\n\tb: 2\n", "a: &x [*x]\n", "x: 2025-13-01\n", "a: b: c\n"],
)
def test_yaml_errors_are_the_pure_python_parsers(text: str) -> None:
    """An invalid document gets the pure-Python parser's message (same on every install)."""
    from airshield.scenario import yamlio

    with pytest.raises(ScenarioError) as fast:
        yamlio.parse_yaml(text)
    with pytest.raises(ScenarioError) as slow:
        yamlio._parse(text, None, *yamlio._LOADERS[-1])
    assert str(fast.value) == str(slow.value)
