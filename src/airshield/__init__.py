"""AirShield: planning air defence against massed drone and missile raids.

The two objects a user holds carry the verbs (in the spirit of PyPSA's ``Network``)::

    import airshield

    sc = airshield.load_scenario("examples/one-battery.yaml")     # an airshield.Scenario
    result = sc.simulate(reps=200, seed=1)                         # an airshield.RaidResult
    result.summary(); result.to_frame()
    sc.compare("examples/other.yaml", reps=200, seed=1).differences()
    sc.campaign("examples/campaign-small.yaml", reps=100)         # this laydown, night by night

    c = airshield.load_campaign("examples/campaign-small.yaml")   # an airshield.Campaign
    c.simulate(mode="fast", reps=1000, seed=1)                     # an airshield.CampaignResult
    c.compare(variant); c.sweep([...], out="dir"); c.plan.allocate(regions=[...])

The free functions of the layer packages (``airshield.raid.simulate``,
``airshield.campaign.run_campaign``, ...) stay the implementation; ``airshield.api`` holds the
façade. Everything here loads on first use, so ``import airshield`` (and the command line's
start-up) stays cheap.
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any

from airshield._version import __version__
from airshield.errors import ScenarioError

if TYPE_CHECKING:
    from airshield.api import PlanNotAvailable, RaidComparison
    from airshield.campaign.compare import Comparison
    from airshield.campaign.models import Campaign
    from airshield.campaign.result import CampaignResult
    from airshield.raid.result import RaidResult
    from airshield.scenario.models import Scenario

__all__ = [
    "Campaign",
    "CampaignResult",
    "Comparison",
    "PlanNotAvailable",
    "RaidComparison",
    "RaidResult",
    "Scenario",
    "ScenarioError",
    "__version__",
    "load_campaign",
    "load_scenario",
]

_LAZY = {
    "Scenario": "airshield.scenario.models",
    "Campaign": "airshield.campaign.models",
    "RaidResult": "airshield.raid.result",
    "CampaignResult": "airshield.campaign.result",
    "Comparison": "airshield.campaign.compare",
    "RaidComparison": "airshield.api",
    "PlanNotAvailable": "airshield.api",
}


def load_scenario(path: str | Path) -> Scenario:
    """Load and validate a raid scenario YAML file (see ``airshield validate``)."""
    from airshield.scenario import load_scenario as _load

    return _load(path)


def load_campaign(path: str | Path) -> Campaign:
    """Load and validate a campaign YAML file and its raid template (``airshield campaign
    validate``)."""
    from airshield.campaign.io import load_campaign as _load

    return _load(path)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'airshield' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
