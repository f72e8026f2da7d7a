"""Fixtures for report tests: small seeded raid and campaign results, their reports."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from airshield.examples import example_path

REPS = 40
SEED = 7

TINY_CAMPAIGN = """\
name: tiny-campaign
description: A six-night notional campaign on the one-battery raid (test fixture).
raid: one-battery.yaml
start_date: 2025-06-01
nights: 6
attacker:
  threats:
    - {threat: shahed-136, stock: 40, production_per_day: {kind: constant, value: 30}}
    - {threat: gerbera, stock: 10, production_per_day: {kind: constant, value: 8}}
    - {threat: kalibr, stock: 2, launch: own, max_per_night: 2}
  tempo: {kind: nightly, fraction: 1.0}
defender:
  pools:
    - {name: sam-rounds, stock: 30}
    - name: rockets
      stock: 40
      deliveries:
        - {kind: once, date: 2025-06-04, rounds: 20}
"""


@pytest.fixture(scope="session")
def one_battery() -> Any:
    from airshield.scenario import load_scenario

    return load_scenario(example_path("one-battery"))


@pytest.fixture(scope="session")
def raid_result(one_battery: Any) -> Any:
    from airshield.raid import simulate

    return simulate(one_battery, reps=REPS, seed=SEED)


@pytest.fixture(scope="session")
def raid_report(
    tmp_path_factory: pytest.TempPathFactory, raid_result: Any, one_battery: Any
) -> Path:
    from airshield.report import write_raid_report

    return write_raid_report(raid_result, one_battery, tmp_path_factory.mktemp("raid") / "r.html")


@pytest.fixture(scope="session")
def tiny_campaign(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from airshield.campaign import load_campaign

    d = tmp_path_factory.mktemp("campaign")
    shutil.copy(example_path("one-battery"), d / "one-battery.yaml")
    (d / "tiny.yaml").write_text(TINY_CAMPAIGN, encoding="utf-8")
    return load_campaign(d / "tiny.yaml")


@pytest.fixture(scope="session")
def campaign_result(tiny_campaign: Any) -> Any:
    from airshield.campaign import run_campaign

    return run_campaign(tiny_campaign, mode="detailed", reps=6, seed=SEED)


@pytest.fixture(scope="session")
def campaign_report(
    tmp_path_factory: pytest.TempPathFactory, campaign_result: Any, tiny_campaign: Any
) -> Path:
    from airshield.report import write_campaign_report

    path = tmp_path_factory.mktemp("campaign-report") / "c.html"
    return write_campaign_report(campaign_result, tiny_campaign, path)
