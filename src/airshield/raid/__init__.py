"""The one-night raid engine: routes, engagement windows, sensing, event loop, Monte Carlo.

``simulate(scenario, reps, seed)`` returns a :class:`RaidResult`. The readable reference engine
(:mod:`airshield.raid.reference`) and the numba kernel (:mod:`airshield.kernels.raid`) give
identical outcomes for the same seed; the kernel is the default.
"""

from __future__ import annotations

from airshield.raid.compile import CompiledRaid, Night, compile_scenario, draw_night
from airshield.raid.engines import NightOutcome, run_engine
from airshield.raid.montecarlo import simulate
from airshield.raid.result import RaidResult
from airshield.raid.trace import laydown_frame, sample_night

__all__ = [
    "CompiledRaid",
    "Night",
    "NightOutcome",
    "RaidResult",
    "compile_scenario",
    "draw_night",
    "laydown_frame",
    "run_engine",
    "sample_night",
    "simulate",
]
