"""The campaign language: every example validates; every mistake names file, line and field."""

from __future__ import annotations

import re

import pytest

from airshield.campaign import campaign_from_text, load_campaign
from airshield.campaign.models import RampProfile, StepsProfile, profile_values
from airshield.errors import ScenarioError
from airshield.examples import examples_dir

EXAMPLES = examples_dir()

CAMPAIGNS = sorted(
    p
    for p in EXAMPLES.glob("campaign-*.yaml")
    if not p.stem.endswith("-night") and p.stem != "campaign-regions"
)


def _path() -> str:
    return str(EXAMPLES / "campaign-small.yaml")


def _err(text: str) -> str:
    with pytest.raises(ScenarioError) as exc:
        campaign_from_text(text, _path())
    return str(exc.value)


@pytest.mark.parametrize("path", CAMPAIGNS, ids=lambda p: p.stem)
def test_examples_validate(path):
    c = load_campaign(path)
    assert c.notional
    assert c.template.notional
    assert c.n_nights == len(c.dates) >= 1


def test_unknown_key_names_line_and_field(small_yaml):
    text = small_yaml.replace("      stock: 120\n", "      stock: 120\n      stok: 5\n")
    msg = _err(text)
    line = text.splitlines().index("      stok: 5") + 1
    assert f"campaign-small.yaml:{line}: defender.pools[0].stok: unknown field" in msg


def test_unknown_kind_and_missing_kind(small_yaml):
    msg = _err(small_yaml.replace("kind: accumulate", "kind: sometimes"))
    assert "attacker.tempo: unknown kind 'sometimes'" in msg
    assert "'nightly'" in msg and "'schedule'" in msg
    msg = _err(small_yaml.replace("{kind: constant, value: 8}", "{value: 8}"))
    assert "attacker.threats[1].production_per_day: a 'kind:' field is required" in msg


def test_reference_errors_are_specific(small_yaml):
    text = small_yaml.replace("pool: sam-rounds, below_rounds", "pool: sams, below_rounds")
    assert re.search(r"defender\.purchases\[0\]\.pool: unknown pool 'sams'", _err(text))
    text = small_yaml.replace("    - threat: kalibr\n", "    - threat: kh-101\n")
    msg = _err(text)
    assert "attacker.threats[2].threat: threat type 'kh-101' has no wave" in msg
    assert "waves fly 'kalibr', which has no entry here" in msg
    text = small_yaml.replace("- name: rockets\n", "- name: rocket\n")
    msg = _err(text)
    assert "defender.pools[1].name: unknown pool 'rocket'" in msg
    assert "pool 'rockets' has no entry here" in msg


def test_dates_checked(small_yaml):
    msg = _err(
        small_yaml.replace("{date: 2025-06-10, rounds: 150", "{date: 2025-07-10, rounds: 150")
    )
    assert "defender.pools[1].diversions[0].date: date 2025-07-10 is outside the campaign" in msg
    msg = _err(small_yaml.replace("start_date: 2025-06-01", "start_date: 2025-13-01"))
    line = small_yaml.splitlines().index("start_date: 2025-06-01") + 1
    assert f"campaign-small.yaml:{line}: <yaml>: not valid YAML: month must be in 1..12" in msg
    msg = _err(small_yaml.replace("nights: 28", "nights: 28\nend_date: 2025-06-30"))
    assert "give either nights or end_date" in msg
    msg = _err(small_yaml.replace("start: 2025-06-08, days: 7", "start: 2025-06-08"))
    assert "give either end or days" in msg


def test_missing_raid_file_and_bad_yaml(small_yaml):
    msg = _err(small_yaml.replace("raid: campaign-small-night.yaml", "raid: nope.yaml"))
    assert re.search(r"campaign-small\.yaml:\d+: raid: raid template .*nope\.yaml.* not found", msg)
    msg = _err(small_yaml.replace("nights: 28", "nights: [28"))
    assert "not valid YAML" in msg


def test_own_launchers_need_a_cap(small_yaml):
    msg = _err(small_yaml.replace("      max_per_night: 4\n", ""))
    assert "attacker.threats[2].max_per_night: required when launch is 'own'" in msg


def test_profiles_closed_form():
    import datetime as dt

    d0 = dt.date(2025, 6, 1)
    days = [d0 + dt.timedelta(days=i) for i in range(-1, 12)]
    ramp = RampProfile(
        kind="ramp", start=d0, end=d0 + dt.timedelta(days=10), start_value=20, end_value=70
    )
    v = profile_values(ramp, days)
    assert v[0] == 20 and v[1] == 20 and v[-1] == 70 and v[-2] == 70
    assert v[6] == pytest.approx(20 + 50 * 5 / 10)
    steps = StepsProfile.model_validate(
        {
            "kind": "steps",
            "initial": 3,
            "changes": [{"date": d0 + dt.timedelta(days=2), "value": 5}],
        }
    )
    assert profile_values(steps, days[:5]) == [3, 3, 3, 5, 5]
