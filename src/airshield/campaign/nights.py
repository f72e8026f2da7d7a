"""The campaign engine's night loop as a small public seam, for runs that choose each night's
outcome themselves (e.g. the procurement doctrine, :mod:`airshield.plan.doctrine`, which switches
the raid template's costs per shot month by month).

A *night function* ``fn(night, counts, available)`` returns the night's
:class:`~airshield.campaign.result.CampaignNight` for every replication of a block;
:func:`simulate_nights` runs the whole campaign (stocks, production, deliveries, pauses,
diversions, purchases) around it and returns a :class:`Chain`, which
:meth:`CampaignResult.assemble <airshield.campaign.result.CampaignResult.assemble>` turns into a
result. :func:`fast_night_fn` and :func:`detailed_night_fn` are the night functions of
``run_campaign``'s two modes, with its seeding rule, so a run built here is paired, replication by
replication (fast) or night by night (detailed), with the plain ``run_campaign`` of the same seed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from airshield.campaign.bridge import RaidBridge
from airshield.campaign.engine import (
    I,
    NightFn,
    _Chain,
    _detailed_night_fn,
    _fast_night_fn,
    _magazines,
    _simulate_block,
)
from airshield.campaign.models import Campaign
from airshield.campaign.tempo import AttackerPlan

#: per-replication arrays of a block of replications (stocks, fired, leaked, damage, ...)
Chain = _Chain

__all__ = [
    "Chain",
    "NightFn",
    "detailed_night_fn",
    "fast_night_fn",
    "join_chains",
    "magazines",
    "simulate_nights",
]


def simulate_nights(
    campaign: Campaign, plan: AttackerPlan, pool_names: list[str], reps: int, n_other: int,
    night_fn: NightFn,
) -> Chain:  # fmt: skip
    """``reps`` replications of the whole campaign with each night's outcome from
    ``night_fn`` (``n_other``: effectors outside the pools, as the night function reports)."""
    return _simulate_block(campaign, plan, pool_names, reps, n_other, night_fn)


def fast_night_fn(surrogate: Any, seed: int, reps: int, n_nights: int) -> NightFn:
    """Fast mode's night function: ``surrogate.draw_from(counts, available, z, u)`` with the
    deviates of ``run_campaign(..., "fast", reps, seed)`` (replication ``r`` from child ``r`` of
    ``SeedSequence(seed)``). ``surrogate`` is a :class:`~airshield.campaign.surrogate.Surrogate`
    or anything with its ``draw_from`` and ``n_outputs``."""
    return _fast_night_fn(surrogate, seed, reps, n_nights)


def detailed_night_fn(
    bridges: Sequence[RaidBridge], which: Callable[[int], int], seed: int, reps_total: int,
    rep_ids: list[int], n_nights: int, teams: I | None = None,
) -> NightFn:  # fmt: skip
    """Detailed mode's night function with night ``i`` run by ``bridges[which(i)]``: night ``n``
    of replication ``r`` draws from ``SeedSequence(seed).spawn(reps_total)[r].spawn(n_nights)[n]``
    whichever bridge runs it, as ``run_campaign(..., "detailed")`` does. ``teams`` (nights,
    pools): crews ready per night (:func:`airshield.campaign.engine.team_counts`)."""
    fns = [_detailed_night_fn(b, seed, reps_total, rep_ids, n_nights, teams) for b in bridges]

    def fn(i: int, counts: I, available: I) -> Any:
        return fns[which(i)](i, counts, available)

    return fn


def join_chains(parts: Sequence[Chain]) -> Chain:
    """Blocks of replications (in replication order) as one chain."""
    return _Chain(
        **{f: np.concatenate([getattr(c, f) for c in parts], axis=0)
           for f in _Chain.__dataclass_fields__}
    )  # fmt: skip


def magazines(campaign: Campaign) -> I:
    """Rounds the laydown's magazines hold per pool (what a result reports as magazine size)."""
    return _magazines(campaign)
