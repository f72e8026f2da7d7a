"""The surrogate's design: which raid-engine runs a fit is made of, and running them.

Compositions come from the campaign's own raid nights (evenly over raid size, the largest and the
night with the most of each threat type always included); each is run at a few pool-stock levels
(always at full stock, at each pool empty with the others full, and at random levels), a few
replications each. Every random number comes from ``SeedSequence(spec.seed)``: its children are
the pilot runs, the design points and the random stock levels, so a design is the same for any
number of workers.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from airshield.campaign.bridge import RaidBridge
from airshield.scenario import Scenario

I = NDArray[np.int64]
F = NDArray[np.float64]

#: the design's root seed unless a :class:`DesignSpec` names another (recorded in every fit's
#: ``info["design_seed"]``, in the cache key and in a campaign result's ``info["surrogate"]``)
DEFAULT_DESIGN_SEED = 20250604
#: margin on the usable rounds per pool seen in the pilot runs (more stock changes nothing)
USABLE_MARGIN = 1.3
#: pilot runs (largest raid, unlimited stock) at least this many, else ``spec.reps``
MIN_PILOT_RUNS = 4
#: a random stock level has each pool full with this probability ...
P_LEVEL_FULL = 0.4
#: ... or empty with this one (else a Latin-hypercube share of the usable rounds)
P_LEVEL_EMPTY = 0.15
#: exponent skewing the Latin-hypercube shares towards low stock (share ** exponent)
LOW_STOCK_SKEW = 1.5
#: design points are shipped to worker processes in about this many chunks per worker
CHUNKS_PER_WORKER = 4
#: "unlimited" stock of the pilot runs
UNLIMITED_ROUNDS = 10**9


@dataclass(frozen=True)
class DesignSpec:
    """How many raid-engine runs a fit uses: compositions x (full_levels + one level per pool
    with that pool empty + stock_levels) x reps, from ``SeedSequence(seed)``."""

    compositions: int = 40
    stock_levels: int = 6  # random levels per composition, beyond the full and one-empty ones
    reps: int = 6
    seed: int = DEFAULT_DESIGN_SEED
    folds: int = 4  # cross-validation folds of the model choice
    full_levels: int = 2  # levels per composition at full stock (where most nights are)
    #: groups of pools that fill in order (e.g. the unit slots of a fire-unit procurement option:
    #: unit j is bought only after units 0..j-1): each composition is also run with the first j
    #: pools of each group full and the rest of the group empty (j = 0 .. n), the other pools full
    #: and the other groups empty, and with each pool outside the groups empty while every group
    #: is empty (the states such a campaign actually sits in; independent random levels almost
    #: never reach "every slot empty")
    nested_pools: tuple[tuple[str, ...], ...] = ()

    def runs(self, pools: int) -> int:
        per = self.full_levels + (pools if pools > 1 else 0) + self.stock_levels
        grouped = sum(len(g) for g in self.nested_pools)
        if self.nested_pools:
            per += sum(len(g) + 1 for g in self.nested_pools) + (pools - grouped)
        return self.compositions * per * self.reps


def design_compositions(raids: I, k: int) -> I:
    """About ``k`` distinct non-empty raid compositions, evenly spread over raid size (the
    largest, and the one with the most of each threat type, always included), by raid size."""
    raids = np.asarray(raids, np.int64)
    raids = raids[raids.sum(axis=1) > 0]
    if raids.shape[0] == 0:
        return np.zeros((0, raids.shape[1]), np.int64)
    uniq = np.unique(raids, axis=0)
    order = np.lexsort((*uniq.T[::-1], uniq.sum(axis=1)))
    uniq = uniq[order]
    if uniq.shape[0] <= k:
        return uniq
    idx = np.round(np.linspace(0, uniq.shape[0] - 1, k)).astype(np.int64)
    # and the night with the most of each threat type (so no type is extrapolated)
    extremes = [int(np.argmax(uniq[:, t])) for t in range(uniq.shape[1])]
    keep = np.unique(np.concatenate([idx, extremes]))
    sizes = uniq[keep].sum(axis=1)
    return uniq[keep][np.argsort(sizes, kind="stable")]


@dataclass
class DesignData:
    """Raid-engine runs of a design: ``y[point, rep]`` holds destroyed (T), lost (T), leaked (T),
    fired per pool (P), fired per other effector (Q) and damage USD (1)."""

    counts: F  # (D, T)
    available: F  # (D, P)
    y: F  # (D, R, 3T + P + Q + 1)
    a_max: I
    pilot_runs: int


# worker-process state for parallel design runs
_W_BRIDGE: dict[str, RaidBridge] = {}


def _run_points(
    template_json: str,
    threat_types: list[str],
    items: list[tuple[I, I, list[np.random.SeedSequence]]],
) -> list[F]:
    b = _W_BRIDGE.get(template_json)
    if b is None:
        _W_BRIDGE.clear()
        b = RaidBridge(Scenario.model_validate_json(template_json), threat_types)
        _W_BRIDGE[template_json] = b
    return [_run_point(b, c, a, ch) for c, a, ch in items]


def _run_point(b: RaidBridge, counts: I, avail: I, children: list[np.random.SeedSequence]) -> F:
    rows = []
    for ch in children:
        rec = b.run(counts, avail, np.random.default_rng(ch))
        rows.append(
            np.concatenate(
                [rec.destroyed, rec.lost, rec.leaked, rec.fired_pool, rec.fired_other,
                 [rec.damage_usd]]
            ).astype(np.float64)
        )  # fmt: skip
    return np.array(rows)


def nested_levels(a_max: I, groups: list[list[int]]) -> I:
    """The levels of :attr:`DesignSpec.nested_pools` (groups as pool indices): per group and
    ``j = 0 .. n``, its first ``j`` pools full, the rest of it and every other group empty, the
    other pools full; then each pool outside the groups empty with every group empty."""
    p = a_max.shape[0]
    if not groups:
        return np.zeros((0, p), np.int64)
    grouped = np.zeros(p, np.bool_)
    for g in groups:
        grouped[g] = True
    base = np.where(grouped, 0, a_max)
    rows = []
    for g in groups:
        for j in range(len(g) + 1):
            r = base.copy()
            r[g[:j]] = a_max[g[:j]]
            rows.append(r)
    for k in np.flatnonzero(~grouped):
        r = base.copy()
        r[k] = 0
        rows.append(r)
    return np.array(rows, np.int64).reshape(len(rows), p)


def stock_levels(
    a_max: I, spec: DesignSpec, rng: np.random.Generator, groups: list[list[int]] | None = None
) -> I:
    """The stock levels (L, P) of one composition: ``spec.full_levels`` at full stock, one per
    pool with that pool empty and the others full (two or more pools), then
    ``spec.stock_levels`` random levels, then the nested levels of ``groups``
    (:func:`nested_levels`; none unless ``spec.nested_pools``)."""
    p = a_max.shape[0]
    m = spec.stock_levels
    lhs = (np.argsort(rng.random((m, p)), axis=0) + rng.random((m, p))) / m
    a = np.floor(a_max * lhs**LOW_STOCK_SKEW).astype(np.int64)
    # campaigns spend most nights with some pools full and others low or empty
    corner = rng.random((m, p))
    a = np.where(
        corner < P_LEVEL_FULL, a_max, np.where(corner < P_LEVEL_FULL + P_LEVEL_EMPTY, 0, a)
    )
    # and the states campaigns sit in longest: every pool full, and one pool empty with the
    # others full
    full = np.broadcast_to(a_max, (max(1, spec.full_levels), p))
    one_empty = np.where(np.eye(p, dtype=np.bool_), 0, a_max) if p > 1 else np.zeros((0, p))
    nested = nested_levels(a_max, groups or [])
    return np.vstack([full, one_empty, a, nested]).astype(np.int64)


def collect_design(
    bridge: RaidBridge,
    comps: I,
    spec: DesignSpec,
    *,
    workers: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> DesignData:
    """Run the raid engine over the design: each composition at the levels of
    :func:`stock_levels`, each level ``spec.reps`` times; everything seeded from
    ``SeedSequence(spec.seed)``, identical for any ``workers``."""
    t, p, q = len(bridge.threat_types), len(bridge.pool_names), len(bridge.other_effectors)
    root = np.random.SeedSequence(spec.seed)
    pilot_ss, design_ss, level_ss = root.spawn(3)
    # pilot: the largest raid with unlimited stock sets the usable rounds per pool: the
    # magazines plus what the units reloaded from the depot (with a margin); more changes nothing
    big = comps[-1] if comps.shape[0] else np.zeros(t, np.int64)
    fired_max = np.zeros(p, np.int64)
    reload_max = np.zeros(p, np.int64)
    pilot_children = pilot_ss.spawn(max(MIN_PILOT_RUNS, spec.reps))
    for ch in pilot_children:
        rec = bridge.run(big, np.full(p, UNLIMITED_ROUNDS, np.int64), np.random.default_rng(ch))
        fired_max = np.maximum(fired_max, rec.fired_pool)
        if rec.reloaded_pool is not None:
            reload_max = np.maximum(reload_max, rec.reloaded_pool)
    a_max = np.maximum.reduce(
        [
            bridge.magazine_rounds + np.ceil(USABLE_MARGIN * reload_max).astype(np.int64),
            np.ceil(USABLE_MARGIN * fired_max).astype(np.int64),
            np.ones(p, np.int64),
        ]
    ).astype(np.int64)
    lrng = np.random.default_rng(level_ss)
    counts_l: list[I] = []
    avail_l: list[I] = []
    unknown = [n for g in spec.nested_pools for n in g if n not in bridge.pool_names]
    if unknown:
        raise ValueError(f"nested_pools names pools the raid template does not have: {unknown}")
    groups = [[bridge.pool_names.index(n) for n in g] for g in spec.nested_pools]
    for c in comps:
        for row in stock_levels(a_max, spec, lrng, groups):
            counts_l.append(c)
            avail_l.append(row)
    point_ss = design_ss.spawn(len(counts_l))
    items = [
        (c, a, ch.spawn(spec.reps)) for c, a, ch in zip(counts_l, avail_l, point_ss, strict=True)
    ]
    results: list[F] = []
    if workers > 1 and len(items) > 1:
        from airshield.raid.montecarlo import process_context

        size = max(1, len(items) // (workers * CHUNKS_PER_WORKER))
        chunks = [items[i : i + size] for i in range(0, len(items), size)]
        payload = bridge.template.model_dump_json()
        with ProcessPoolExecutor(max_workers=workers, mp_context=process_context()) as pool:
            futs = [pool.submit(_run_points, payload, bridge.threat_types, ck) for ck in chunks]
            for fut in futs:
                results.extend(fut.result())
                if progress:
                    progress(len(results), len(items))
    else:
        for c, a, kids in items:
            results.append(_run_point(bridge, c, a, kids))
            if progress:
                progress(len(results), len(items))
    width = 3 * t + p + q + 1
    return DesignData(
        counts=np.array(counts_l, np.float64).reshape(len(counts_l), t),
        available=np.array(avail_l, np.float64).reshape(len(avail_l), p),
        y=np.stack(results) if results else np.zeros((0, spec.reps, width)),
        a_max=a_max,
        pilot_runs=len(pilot_children),
    )
