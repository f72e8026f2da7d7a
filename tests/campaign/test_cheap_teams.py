"""Campaign team pools set the raid's interceptor-drone teams in detailed mode."""

from __future__ import annotations

from typing import Any

import numpy as np

from airshield.campaign import Campaign
from airshield.campaign.bridge import RaidBridge
from airshield.campaign.engine import run_campaign, team_counts
from airshield.testing import make_effector, scenario, single_unit_data


def template(teams: int = 4) -> Any:
    eff = make_effector(name="idrone", kind="interceptor_drone", pk=0.6, range_km=15.0,
                        channels=2, ready_rounds=40, engagement_time_s=240.0,
                        interceptor_speed_kmh=315.0, reload_s=60.0, altitude_max_km=3.0)  # fmt: skip
    d = single_unit_data(
        effector=eff, count=40, launch_window_s=(0.0, 300.0),
        unit={"kind": "teams", "teams": teams, "pool": "p",
              "hunt": {"time_sigma": 0.0, "recovery_p": 0.0}},
        pools=[{"name": "p", "effector": "idrone", "stock": 400}],
    )  # fmt: skip
    return scenario(d)


def campaign(team_pool: dict[str, Any] | None) -> Campaign:
    data: dict[str, Any] = {
        "name": "teams",
        "raid": "night.yaml",
        "start_date": "2026-01-01",
        "nights": 4,
        "attacker": {
            "launch_sites": {"sites": {"kind": "constant", "value": 1}, "launches_per_site": 40},
            "threats": [
                {
                    "threat": "shahed-136",
                    "stock": 400,
                    "production_per_day": {"kind": "constant", "value": 40},
                }
            ],
        },
        "defender": {"pools": [{"name": "p", "stock": 2000}]},
    }
    if team_pool is not None:
        data["defender"]["teams"] = [team_pool]
    return Campaign.model_validate(data).with_template(template())


def test_bridge_splits_the_nights_teams_over_team_groups() -> None:
    b = RaidBridge(template(4), ["shahed-136"])
    assert b.team_channels(None) is None
    assert b.team_channels(np.array([4])) is None  # the template's own
    assert b.team_channels(np.array([1])).tolist() == [1]
    assert b.team_channels(np.array([0])).tolist() == [0]
    assert b.team_channels(np.array([-1])) is None


def test_team_pool_sets_concurrent_hunts_in_detailed_mode() -> None:
    """With a rounds cap that never binds, a team pool with the template's 4 teams gives exactly
    the campaign without a team pool; 1 team (one hunt at a time) kills less; 0 teams fire
    nothing; the training pipeline's graduates raise the teams night by night."""
    big = {"name": "crews", "pool": "p", "engagements_per_team": 1000}
    none = run_campaign(campaign(None), "detailed", reps=3, seed=1)
    four = run_campaign(campaign({**big, "teams": 4}), "detailed", reps=3, seed=1)
    one = run_campaign(campaign({**big, "teams": 1}), "detailed", reps=3, seed=1)
    zero = run_campaign(campaign({**big, "teams": 0}), "detailed", reps=3, seed=1)
    assert np.array_equal(none.destroyed, four.destroyed)
    assert np.array_equal(none.fired, four.fired)
    assert one.destroyed.sum() < four.destroyed.sum()
    assert zero.fired.sum() == 0 and zero.destroyed.sum() == 0
    grow = campaign({**big, "teams": 1, "trained_per_month": 60, "training_days": 1})
    assert team_counts(grow, ["p"])[:, 0].tolist() == [1, 3, 5, 7]
