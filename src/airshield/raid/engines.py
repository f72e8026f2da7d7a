"""The two engines behind one call: ``run_engine(compiled, night, engine="kernel"|"reference")``."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from airshield.kernels.raid import compute_windows, run_night
from airshield.raid.compile import CompiledRaid, Night

I = NDArray[np.int64]


@dataclass(frozen=True)
class NightOutcome:
    """What one night did: fate and responsible unit per threat, rounds per unit, stocks left."""

    fate: I  # 0 destroyed, 1 lost (EW), 2 leaked
    agent: I  # unit that destroyed / made lost the threat, -1 otherwise
    fired: I  # rounds fired per unit
    ready_end: I  # ready rounds per unit at the end
    stock_end: I  # pool stock at the end
    fate_time_s: NDArray[np.float64]  # when each threat was destroyed, lost or leaked

    def equals(self, other: NightOutcome) -> bool:
        return all(
            np.array_equal(getattr(self, f), getattr(other, f))
            for f in ("fate", "agent", "fired", "ready_end", "stock_end", "fate_time_s")
        )


def window_arrays(c: CompiledRaid, night: Night) -> tuple[NDArray[np.generic], ...]:
    """The night's engagement windows as arrays (see :func:`compute_windows`)."""
    return compute_windows(
        night.routes, night.speed, night.kind, night.pkind, night.value, night.recognised,
        night.t_track, c.u_kind, c.u_x, c.u_y, c.u_rmin, c.u_rmax, c.u_amin, c.u_amax,
        c.u_speed, c.u_pk, c.u_peff, c.u_engcost, c.u_cwcost, c.cost_threshold,
    )  # fmt: skip


def run_kernel(c: CompiledRaid, night: Night) -> NightOutcome:
    """The fast path: closed-form windows and the event loop in numba."""
    windows = window_arrays(c, night)
    fate, agent, fired, ready, stock, fate_t = run_night(  # type: ignore[call-arg]
        night.routes, night.speed, night.kind, night.pkind, night.value, night.recognised,
        night.t_track, night.u_shot,
        c.u_kind, c.u_x, c.u_y, c.u_speed, c.u_pk, c.u_peff, c.u_cwcost, c.u_engcost,
        c.u_engtime, c.u_channels, c.u_cap, c.u_ready0, c.u_reload, c.u_pool, c.u_reserve,
        c.pool_stock0,
        *windows,
        c.rounds_per_eng, c.max_shots, c.max_ew, c.cost_threshold,
    )  # fmt: skip
    return NightOutcome(fate, agent, fired, ready, stock, fate_t)


def run_engine(c: CompiledRaid, night: Night, engine: str = "kernel") -> NightOutcome:
    if engine == "kernel":
        if c.scenario.doctrine.assigner != "greedy":
            from airshield.raid.reference import run_reference

            return run_reference(c, night)
        return run_kernel(c, night)
    if engine == "reference":
        from airshield.raid.reference import run_reference

        return run_reference(c, night)
    raise ValueError(f"unknown engine {engine!r}; expected 'kernel' or 'reference'")
