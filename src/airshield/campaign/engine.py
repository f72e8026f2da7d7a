"""The campaign engine: pools night by night in every replication, each night's raid from the raid
engine (detailed mode) or its surrogate (fast mode).

One night, in this order (the same in both modes):

1. purchases are placed: fixed orders dated tonight, then reorder rules whose pool ended the last
   night below their threshold (each as far as the remaining budget allows); rounds ordered with
   lead time ``L`` arrive ``L`` nights later (0: tonight);
2. ``produced``: production arrivals (production made ``lead_time_days`` ago), and
   ``delivered``: scheduled deliveries plus arriving purchases; a pause holds them back (released
   the day after the pause, or dropped);
3. ``diverted``: open diversions take what they still claim, up to the rounds on hand;
4. the raid: the attacker's launches for tonight (the same in every replication) against the
   laydown whose magazines are filled from the pools (the rest stays in the pools for reloads);
5. ``fired`` comes off the pools: ``stock_end = stock_start + produced + delivered - diverted -
   fired``, exactly, in whole rounds.

Random numbers, the same rule as every other run: replication ``r`` uses child ``r`` of
``SeedSequence(seed)``, so the first ``k`` replications of a run equal a ``k``-replication run,
on any number of workers, and two variants run with the same seed share their random numbers
(identical variants give identical results). Detailed mode runs night ``n`` of replication ``r``
from ``SeedSequence(seed).spawn(reps)[r].spawn(nights)[n]``; fast mode draws the surrogate's
deviates of replication ``r`` from one generator on child ``r``, night after night in blocks of
:data:`FAST_NIGHT_BLOCK` nights (normal deviates of the block, then uniform ones).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from threadpoolctl import threadpool_limits

from airshield.campaign.bridge import RaidBridge
from airshield.campaign.models import Campaign, OrderPurchase, ReorderPurchase
from airshield.campaign.result import CampaignNight, CampaignResult
from airshield.campaign.surrogate import DesignSpec, Surrogate, fit_surrogate
from airshield.campaign.tempo import AttackerPlan, PoolSupply, attacker_plan, pool_supply
from airshield.vocab import PauseCode
from airshield.workers import resolve_workers

I = NDArray[np.int64]
F = NDArray[np.float64]
NightFn = Callable[[int, I, I], CampaignNight]
MODES = ("fast", "detailed")
#: fast mode draws each replication's deviates this many nights at a time (part of the stream
#: definition: changing it changes fast-mode results)
FAST_NIGHT_BLOCK = 32


@dataclass
class _Chain:
    """Per-replication arrays of a block of replications (what one worker returns)."""

    stock_start: I
    produced: I
    delivered: I
    diverted: I
    fired: I
    stock_end: I
    purchased: I
    purchase_cost_usd: F
    destroyed: I
    lost: I
    leaked: I
    fired_other: I
    damage_usd: F


def _unit_costs(c: Campaign) -> dict[str, float]:
    cat = c.template.resolved_catalog()
    eff = {p.name: p.effector for p in c.template.pools}
    return {name: cat.effectors[e].cost_per_shot_usd for name, e in eff.items()}


def _simulate_block(
    c: Campaign,
    plan: AttackerPlan,
    pool_names: list[str],
    reps: int,
    n_other: int,
    night_fn: NightFn,
    progress: Callable[[int], None] | None = None,
    extra_deliveries: I | None = None,
    cap_rows: I | None = None,
) -> _Chain:
    """Run ``reps`` replications of the whole campaign; ``night_fn(night, counts, available)``
    gives each night's outcome for every replication. ``extra_deliveries`` (reps, nights, pools)
    adds deliveries per replication; ``cap_rows`` (reps, nights, pools) replaces the team pools'
    caps on the rounds fired per night (see :func:`run_fast_variants`)."""
    n, t, p = len(c.dates), len(plan.threat_types), len(pool_names)
    pools = [c.pool(name) for name in pool_names]
    supply: list[PoolSupply] = [pool_supply(c, pl) for pl in pools]
    pidx = {name: k for k, name in enumerate(pool_names)}
    unit_cost = _unit_costs(c)
    shape = (reps, n, p)
    out = _Chain(
        stock_start=np.zeros(shape, np.int64),
        produced=np.zeros(shape, np.int64),
        delivered=np.zeros(shape, np.int64),
        diverted=np.zeros(shape, np.int64),
        fired=np.zeros(shape, np.int64),
        stock_end=np.zeros(shape, np.int64),
        purchased=np.zeros(shape, np.int64),
        purchase_cost_usd=np.zeros((reps, n)),
        destroyed=np.zeros((reps, n, t), np.int64),
        lost=np.zeros((reps, n, t), np.int64),
        leaked=np.zeros((reps, n, t), np.int64),
        fired_other=np.zeros((reps, n, n_other), np.int64),
        damage_usd=np.zeros((reps, n)),
    )
    stock = np.broadcast_to(np.array([pl.stock for pl in pools], np.int64), (reps, p)).copy()
    budget = np.full(reps, np.inf if c.defender.budget_usd is None else c.defender.budget_usd)
    incoming = np.zeros((reps, n + 1, p), np.int64)  # purchases arriving per night
    backlog_prod = np.zeros((reps, p), np.int64)
    backlog_deliv = np.zeros((reps, p), np.int64)
    div_left = [np.broadcast_to(s.diversion_rounds, (reps, s.diversion_rounds.shape[0])).copy()
                for s in supply]  # fmt: skip
    purchases = c.defender.purchases
    re_open = np.zeros((reps, len(purchases)), np.bool_)  # reorder on its way
    re_due = np.full((reps, len(purchases)), -1, np.int64)
    re_count = np.zeros((reps, len(purchases)), np.int64)
    day_index = {d: i for i, d in enumerate(c.dates)}
    # team pools: the most rounds each capped pool can fire per night (crews, not rounds)
    caps = [(pidx[tp.pool], np.array(tp.cap_per_night(c.dates), np.int64))
            for tp in c.defender.teams if tp.pool in pidx]  # fmt: skip

    def buy(i: int, k: int, want: I, unit_usd: float, lead: int, mask: NDArray[np.bool_]) -> I:
        nonlocal budget
        want = np.where(mask, want, 0)
        if unit_usd > 0:
            afford = np.floor(np.where(np.isfinite(budget), budget / unit_usd, 1e18) + 1e-9)
            got = np.minimum(want, afford).astype(np.int64)
        else:
            got = want.astype(np.int64)
        cost = got * unit_usd
        budget = budget - cost
        out.purchased[:, i, k] += got
        out.purchase_cost_usd[:, i] += cost
        if i + lead < n:
            incoming[:, i + lead, k] += got
        return got

    for i in range(n):
        stock_start = stock.copy()
        # 1. purchases
        for j, pu in enumerate(purchases):
            k = pidx[pu.pool]
            unit_usd = pu.unit_cost_usd if pu.unit_cost_usd is not None else unit_cost[pu.pool]
            if isinstance(pu, OrderPurchase):
                if day_index[pu.date] == i:
                    buy(i, k, np.full(reps, pu.rounds, np.int64), unit_usd, pu.lead_time_days,
                        np.ones(reps, np.bool_))  # fmt: skip
            else:
                assert isinstance(pu, ReorderPurchase)
                arrived = re_open[:, j] & (re_due[:, j] <= i)
                re_open[:, j] &= ~arrived
                cap_ok = (
                    np.ones(reps, np.bool_)
                    if pu.max_orders is None
                    else re_count[:, j] < pu.max_orders
                )
                need = (~re_open[:, j]) & (stock_start[:, k] < pu.below_rounds) & cap_ok
                if need.any():
                    got = buy(i, k, np.full(reps, pu.order_rounds, np.int64), unit_usd,
                              pu.lead_time_days, need)  # fmt: skip
                    placed = got > 0
                    re_open[placed, j] = True
                    re_due[placed, j] = i + pu.lead_time_days
                    re_count[placed, j] += 1
        # 2. arrivals, with pauses
        produced = np.zeros((reps, p), np.int64)
        delivered = np.zeros((reps, p), np.int64)
        for k, s in enumerate(supply):
            inc_p = np.full(reps, s.production[i], np.int64)
            inc_d = s.deliveries[i] + incoming[:, i, k]
            if extra_deliveries is not None:
                inc_d = inc_d + extra_deliveries[:, i, k]
            for inc, backlog, code, dest in (
                (inc_p, backlog_prod, s.pause_production[i], produced),
                (inc_d, backlog_deliv, s.pause_deliveries[i], delivered),
            ):
                if code == PauseCode.NONE:
                    dest[:, k] = inc + backlog[:, k]
                    backlog[:, k] = 0
                elif code == PauseCode.HELD:
                    backlog[:, k] += inc
        # 3. diversions
        on_hand = stock_start + produced + delivered
        diverted = np.zeros((reps, p), np.int64)
        for k, s in enumerate(supply):
            for d in range(s.diversion_rounds.shape[0]):
                if s.diversion_start[d] <= i <= s.diversion_until[d]:
                    take = np.minimum(div_left[k][:, d], on_hand[:, k] - diverted[:, k])
                    div_left[k][:, d] -= take
                    diverted[:, k] += take
        available = on_hand - diverted
        # 4. the raid (team pools cap the rounds their pool's units can fire tonight)
        usable = available
        if cap_rows is not None:
            usable = np.minimum(available, cap_rows[:, i, :])
        elif caps:
            usable = available.copy()
            for k, cap in caps:
                usable[:, k] = np.minimum(usable[:, k], cap[i])
        counts = plan.launched[i]
        night = night_fn(i, counts, usable)
        fired = night.fired_pool
        if np.any(fired > usable) or np.any(fired < 0):  # pragma: no cover - invariant
            raise RuntimeError(f"night {i}: more rounds fired than available")
        # 5. books
        stock = available - fired
        out.stock_start[:, i] = stock_start
        out.produced[:, i] = produced
        out.delivered[:, i] = delivered
        out.diverted[:, i] = diverted
        out.fired[:, i] = fired
        out.stock_end[:, i] = stock
        out.destroyed[:, i] = night.destroyed
        out.lost[:, i] = night.lost
        out.leaked[:, i] = night.leaked
        out.fired_other[:, i] = night.fired_other
        out.damage_usd[:, i] = night.damage_usd
        if progress is not None:
            progress(i + 1)
    return out


# ---- night functions ----------------------------------------------------------------------
def _fast_night_fn(sur: Surrogate, seed: int, reps: int, n_nights: int, blocks: int = 1) -> NightFn:
    """Night ``i`` of every replication from the surrogate; replication ``r``'s deviates come
    from its own generator on child ``r`` of ``SeedSequence(seed)`` (see the module docstring).

    ``blocks`` > 1 runs ``blocks`` variants stacked (rows ``b * reps + r``): every block gets the
    deviates of replications ``0 .. reps - 1``, so row ``b * reps + r`` sees what replication
    ``r`` of a run of that variant alone sees (common random numbers)."""
    gens = [np.random.default_rng(ch) for ch in np.random.SeedSequence(seed).spawn(reps)]
    k = sur.n_outputs
    block: dict[str, Any] = {"start": -1}

    def refill(start: int) -> None:
        b = min(FAST_NIGHT_BLOCK, n_nights - start)
        z = np.empty((reps, b, k))
        u = np.empty((reps, b, k))
        for r, g in enumerate(gens):
            z[r] = g.standard_normal((b, k))
            u[r] = g.random((b, k))
        if blocks > 1:
            z, u = np.tile(z, (blocks, 1, 1)), np.tile(u, (blocks, 1, 1))
        block.update(start=start, z=z, u=u)

    def fn(i: int, counts: I, available: I) -> CampaignNight:
        start = i - i % FAST_NIGHT_BLOCK
        if block["start"] != start:
            refill(start)
        j = i - start
        return sur.draw_from(counts, available, block["z"][:, j], block["u"][:, j])

    return fn


def _detailed_night_fn(
    bridge: RaidBridge, seed: int, reps_total: int, rep_ids: list[int], n_nights: int,
    teams: I | None = None,
) -> NightFn:  # fmt: skip
    """``teams`` (nights, pools): the teams ready each night per pool (-1: no team pool), which
    set the raid's concurrent hunts of the pool's team groups (:meth:`RaidBridge.run`)."""
    per_rep = np.random.SeedSequence(seed).spawn(reps_total)
    chains = [per_rep[r].spawn(n_nights) for r in rep_ids]
    t, p, q = len(bridge.threat_types), len(bridge.pool_names), len(bridge.other_effectors)

    def fn(i: int, counts: I, available: I) -> CampaignNight:
        tonight = None if teams is None else teams[i]
        nights = [
            bridge.run(counts, available[a], np.random.default_rng(chains[a][i]), tonight)
            for a in range(len(rep_ids))
        ]
        return CampaignNight.stack(nights, t, p, q)

    return fn


# worker processes of detailed mode
_W_BRIDGES: dict[str, RaidBridge] = {}


def _detailed_worker(
    campaign_json: str, template_json: str, path: str | None, plan: AttackerPlan, seed: int,
    reps: int, rep_ids: list[int], engine: str,
) -> tuple[list[int], _Chain]:  # fmt: skip
    from airshield.scenario import Scenario

    template = Scenario.model_validate_json(template_json)
    c = Campaign.model_validate_json(campaign_json).with_template(template, path)
    key = template_json + engine
    b = _W_BRIDGES.get(key)
    if b is None:
        _W_BRIDGES.clear()
        b = RaidBridge(template, plan.threat_types, engine)
        _W_BRIDGES[key] = b
    fn = _detailed_night_fn(b, seed, reps, rep_ids, len(c.dates), team_counts(c, b.pool_names))
    return rep_ids, _simulate_block(c, plan, b.pool_names, len(rep_ids), len(b.other_effectors), fn)


# ---- public entry -------------------------------------------------------------------------
def run_campaign(
    campaign: Campaign,
    mode: str = "fast",
    reps: int = 100,
    seed: int = 0,
    *,
    surrogate: Surrogate | None = None,
    design: DesignSpec | None = None,
    plan: AttackerPlan | None = None,
    workers: int | None = 1,
    engine: str = "auto",
    progress: bool | Callable[[str, int, int], None] = False,
) -> CampaignResult:
    """Run the campaign ``reps`` times from ``seed``; see the module docstring for the order of
    a night and :class:`CampaignResult` for what comes back.

    ``mode``: ``fast`` (surrogate; fitted on first use and cached) or ``detailed`` (every night
    through the raid engine). ``workers`` > 1 runs detailed replications, or the surrogate's
    design runs, in worker processes; 0 means one per CPU (same results for any number of
    workers: :mod:`airshield.workers`).
    ``progress``: True for a progress bar on the terminal, or a callback ``(stage, done, total)``.
    ``plan``: use this attacker plan instead of the campaign's own (e.g. one region's share of a
    national raid plan; its threat types must be the campaign's).
    """
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; expected one of {MODES}")
    if reps < 1:
        raise ValueError("reps must be >= 1")
    workers = resolve_workers(workers)
    campaign.check_references()  # a campaign built or changed in Python is checked like YAML
    started = time.perf_counter()
    own = attacker_plan(campaign)
    if plan is None:
        plan = own
    elif plan.threat_types != own.threat_types or plan.launched.shape != own.launched.shape:
        raise ValueError("the attacker plan does not fit the campaign (threat types or nights)")
    n = len(campaign.dates)
    callback, closer = _progress(progress)
    try:
        if mode == "fast":
            sur = surrogate
            if sur is None:
                sur = fit_surrogate(
                    campaign.template, plan.threat_types, plan.launched, design, workers=workers,
                    progress=lambda d, tot: callback("fitting surrogate", d, tot),
                )  # fmt: skip
            _check_surrogate(sur, campaign, plan)
            fn = _fast_night_fn(sur, seed, reps, n)
            with threadpool_limits(limits=1, user_api="blas"):
                chain = _simulate_block(
                    campaign, plan, sur.pool_names, reps, len(sur.other_effectors), fn,
                    lambda i: callback("nights", i, n),
                )  # fmt: skip
            other_names, other_cost = sur.other_effectors, sur.other_cost_usd
            pool_cost = sur.pool_cost_usd
            info: dict[str, Any] = {"surrogate": dict(sur.info)}
        else:
            bridge = RaidBridge(campaign.template, plan.threat_types, engine)
            other_names, other_cost = bridge.other_effectors, bridge.other_cost_usd
            pool_cost = bridge.pool_cost_usd
            info = {"engine": engine}
            if workers == 1 or reps == 1:
                fn = _detailed_night_fn(bridge, seed, reps, list(range(reps)), n,
                                        team_counts(campaign, bridge.pool_names))  # fmt: skip
                chain = _simulate_block(
                    campaign, plan, bridge.pool_names, reps, len(other_names), fn,
                    lambda i: callback("nights", i, n),
                )  # fmt: skip
            else:
                chain = _detailed_parallel(campaign, plan, seed, reps, workers, engine, callback)
        return CampaignResult.assemble(
            campaign=campaign, mode=mode, seed=seed, plan=plan,
            pool_names=[pl.name for pl in campaign.template.pools],
            pool_cost_usd=pool_cost, other_effectors=list(other_names),
            other_cost_usd=other_cost, magazine_rounds=_magazines(campaign),
            chain=chain, elapsed_s=time.perf_counter() - started, info=info,
        )  # fmt: skip
    finally:
        closer()


#: odd multipliers of the row keys of :func:`unique_rows` (fixed: no draw depends on them)
_ROW_KEY = np.random.default_rng(0x5EED).integers(0, 2**63, 64, dtype=np.uint64) * np.uint64(2) + (
    np.uint64(1)
)


def unique_rows(a: I) -> tuple[I, I]:
    """``np.unique(a, axis=0, return_inverse=True)`` of an integer matrix: the same rows in the
    same (lexicographic) order and the same inverse. Rows are grouped by a 64-bit key (a
    multiplicative hash, a sort of integers instead of one of row records, several times
    faster), the grouping is checked row by row (a collision falls back to ``np.unique``), and
    the distinct rows are put in lexicographic order."""
    a = np.asarray(a, np.int64)
    if a.ndim != 2 or a.shape[0] <= 1 or a.shape[1] == 0 or a.shape[1] > _ROW_KEY.size:
        uniq, inv = np.unique(a, axis=0, return_inverse=True)
        return uniq, np.asarray(inv).reshape(-1)
    key = (a - a.min(axis=0)).astype(np.uint64) @ _ROW_KEY[: a.shape[1]]  # wraps mod 2**64
    _, first, inv = np.unique(key, return_index=True, return_inverse=True)
    inv = np.asarray(inv).reshape(-1)
    uniq = a[first]
    if not np.array_equal(uniq[inv], a):  # two distinct rows share a key
        u2, i2 = np.unique(a, axis=0, return_inverse=True)
        return u2, np.asarray(i2).reshape(-1)
    order = np.lexsort(uniq.T[::-1])
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    return uniq[order], rank[inv].astype(np.int64)


class _UniqueRows:
    """The surrogate with its shares computed once per distinct row of usable rounds (variants
    and replications often sit at the same stocks, e.g. full magazines): same draws, less work."""

    def __init__(self, sur: Surrogate) -> None:
        self._sur = sur

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sur, name)

    def probabilities(self, counts: I, available: I) -> dict[str, F]:
        usable = np.minimum(np.atleast_2d(np.asarray(available, np.int64)), self._sur.a_max)
        uniq, idx = unique_rows(usable)
        pr = self._sur.probabilities(counts, uniq)
        return {k: v[idx] for k, v in pr.items()}

    def draw_from(self, counts: I, available: I, z: F, u: F) -> CampaignNight:
        return Surrogate.draw_from(self, counts, available, z, u)  # type: ignore[arg-type]


def run_fast_variants(
    campaign: Campaign,
    surrogate: Surrogate,
    reps: int,
    seed: int,
    extra_deliveries: I,
    caps: I | None = None,
    *,
    plan: AttackerPlan | None = None,
) -> CampaignResult:
    """Fast mode for ``K`` variants of one campaign at once, with common random numbers.

    Variant ``k`` adds ``extra_deliveries[k]`` (nights, pools) to the campaign's deliveries and,
    if ``caps`` is given, fires at most ``caps[k]`` (nights, pools) rounds per night and pool
    (instead of the team pools' caps). The result has ``K x reps`` replications, variant ``k``
    in rows ``k*reps .. (k+1)*reps - 1``; each block draws the random numbers of a run of the
    campaign alone from ``seed``, so variants are paired replication by replication."""
    if plan is None:
        plan = attacker_plan(campaign)
    _check_surrogate(surrogate, campaign, plan)
    extra = np.asarray(extra_deliveries, np.int64)
    k, n = extra.shape[0], len(campaign.dates)
    if extra.shape != (k, n, len(surrogate.pool_names)):
        raise ValueError("extra_deliveries must be (variants, nights, pools)")
    fn = _fast_night_fn(_UniqueRows(surrogate), seed, reps, n, blocks=k)  # type: ignore[arg-type]
    rows = np.repeat(extra, reps, axis=0)
    cap_rows = None if caps is None else np.repeat(np.asarray(caps, np.int64), reps, axis=0)
    started = time.perf_counter()
    with threadpool_limits(limits=1, user_api="blas"):
        chain = _simulate_block(
            campaign, plan, surrogate.pool_names, k * reps, len(surrogate.other_effectors), fn,
            extra_deliveries=rows, cap_rows=cap_rows,
        )  # fmt: skip
    return CampaignResult.assemble(
        campaign=campaign, mode="fast", seed=seed, plan=plan,
        pool_names=[pl.name for pl in campaign.template.pools],
        pool_cost_usd=surrogate.pool_cost_usd, other_effectors=list(surrogate.other_effectors),
        other_cost_usd=surrogate.other_cost_usd, magazine_rounds=_magazines(campaign),
        chain=chain, elapsed_s=time.perf_counter() - started,
        info={"surrogate": dict(surrogate.info), "variants": k, "reps_per_variant": reps},
    )  # fmt: skip


def team_caps(c: Campaign, pool_names: list[str]) -> I:
    """(nights, pools) the most rounds each pool can fire per night (team pools; else no cap)."""
    out = np.full((len(c.dates), len(pool_names)), NO_CAP, np.int64)
    for tp in c.defender.teams:
        if tp.pool in pool_names:
            out[:, pool_names.index(tp.pool)] = tp.cap_per_night(c.dates)
    return out


NO_CAP = 2**40


def team_counts(c: Campaign, pool_names: list[str]) -> I | None:
    """(nights, pools) teams ready each night per pool with a team pool (-1 for the others);
    None when the campaign has no team pools. In detailed mode they are the raid's concurrent
    hunts of the pool's team groups."""
    if not any(tp.pool in pool_names for tp in c.defender.teams):
        return None
    out = np.full((len(c.dates), len(pool_names)), -1, np.int64)
    for tp in c.defender.teams:
        if tp.pool in pool_names:
            k = pool_names.index(tp.pool)
            out[:, k] = np.maximum(out[:, k], 0) + np.array(tp.teams_per_night(c.dates))
    return out


def _magazines(c: Campaign) -> I:
    from airshield.raid.compile import compile_scenario

    comp = compile_scenario(c.template)
    return np.array(
        [int(comp.u_cap[comp.u_pool == k].sum()) for k in range(len(comp.pool_names))], np.int64
    )


def _check_surrogate(sur: Surrogate, c: Campaign, plan: AttackerPlan) -> None:
    if sur.template_hash != c.template.content_hash():
        raise ValueError("the surrogate was fitted to a different raid template")
    if sur.threat_types != plan.threat_types:
        raise ValueError(
            f"the surrogate covers threat types {sur.threat_types}, "
            f"the campaign {plan.threat_types}"
        )


def _detailed_parallel(
    c: Campaign, plan: AttackerPlan, seed: int, reps: int, workers: int, engine: str,
    callback: Callable[[str, int, int], None],
) -> _Chain:  # fmt: skip
    from airshield.raid.montecarlo import process_context

    size = max(1, min(25, -(-reps // (workers * 2))))
    blocks = [list(range(s, min(reps, s + size))) for s in range(0, reps, size)]
    cj = c.model_dump_json()
    tj = c.template.model_dump_json()
    parts: dict[int, _Chain] = {}
    done = 0
    with ProcessPoolExecutor(max_workers=workers, mp_context=process_context()) as pool:
        futs = [
            pool.submit(_detailed_worker, cj, tj, c.path, plan, seed, reps, ids, engine)
            for ids in blocks
        ]
        for fut in as_completed(futs):
            ids, ch = fut.result()
            parts[ids[0]] = ch
            done += len(ids)
            callback("replications", done, reps)
    ordered = [parts[k] for k in sorted(parts)]
    return _Chain(
        **{
            f: np.concatenate([getattr(ch, f) for ch in ordered], axis=0)
            for f in _Chain.__dataclass_fields__
        }
    )


def _progress(
    progress: bool | Callable[[str, int, int], None],
) -> tuple[Callable[[str, int, int], None], Callable[[], None]]:
    from airshield.progress import staged_reporter

    return staged_reporter(progress)
