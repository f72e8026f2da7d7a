"""AirShield: planning air defence against massed drone and missile raids.

The public API mirrors the ``airshield`` command line::

    import airshield
    sc = airshield.load_scenario("examples/one-battery.yaml")
    result = sc.simulate(reps=200, seed=1)
    result.summary()
    result.to_frame()
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

__version__ = "0.1.0"

from airshield.errors import ScenarioError

if TYPE_CHECKING:
    from airshield.scenario import Scenario

__all__ = ["ScenarioError", "__version__", "load_scenario"]


def load_scenario(path: str | Path) -> Scenario:
    """Load and validate a raid scenario YAML file (see ``airshield validate``)."""
    from airshield.scenario import load_scenario as _load

    return _load(path)


def __getattr__(name: str) -> object:
    if name == "Scenario":
        from airshield.scenario import Scenario

        return Scenario
    raise AttributeError(name)
