"""Shadow prices feed doctrine: a time-varying value of a scarce round turned into the nightly cost
threshold of its effector type.

A round fired tonight is a round missing later, but how much it is missed depends on when: while
a pool is short (before bought rounds arrive, in a pause) one more round on hand saves leakers
later; once deliveries have caught up it saves nothing. So the value of a round is measured per
**month** (:func:`round_values`): the change of the objective from ``d`` more rounds on hand at
the start of month ``m`` (an extra delivery on its first night), at a given mix, by a fast-mode
finite difference with common random numbers, per pool fed by a rounds option. Its USD value
uses the status quo's damage per harmful leaker.

The doctrine (:func:`doctrine_schedule`) charges the effector type's cost per shot, in month
``m``, its sticker price plus that month's opportunity cost; months whose value is not
measurable (the paired interval reaches zero) keep the sticker price. The raid engine's cost
threshold and cost-weighted greedy then see what firing the round now costs later. That prices
rounds against the template's asset values (damage); for a ``harmful_leakers`` objective,
:func:`objective_valued_template` values the template in leakers (every harmful threat alike,
rounds on hand free to fire) and ``doctrine_schedule(..., unit="objective")`` charges the
opportunity cost alone, so the threshold weighs the leakers a round causes later against the
leakers it saves now.

:func:`run_priced` runs a campaign under such a schedule in fast mode: one surrogate per distinct
price list of the schedule (each fitted to the template with those costs per shot, same design),
switched night by night, with the deviates of an ordinary fast run (replication ``r`` from child
``r`` of ``SeedSequence(seed)``), so a priced run and the plain run are paired replication by
replication (common random numbers). Booked costs stay the sticker prices (money actually
spent).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from airshield.campaign import Campaign, CampaignResult, attacker_plan, fit_surrogate
from airshield.campaign.surrogate import DesignSpec, Surrogate
from airshield.scenario import Scenario

if TYPE_CHECKING:
    from airshield.plan.procure import Prepared

F = NDArray[np.float64]
I = NDArray[np.int64]


def _month_starts(prep: Prepared) -> list[int]:
    start = prep.campaigns[0].start_date
    return [(d - start).days for d in prep.months]


def round_values(
    prep: Prepared, x: I, reps: int, seed: int, *, usd_per_leaker: float,
    pools: list[str] | None = None, months: list[int] | None = None,
) -> list[dict[str, Any]]:  # fmt: skip
    """Per pool that a rounds option feeds (or ``pools``): the objective change per extra round
    on hand at the start of each order month (or ``months``) at mix ``x`` (negative: fewer
    leakers), with its paired interval, weighted over the scenarios; and its value in USD
    (zero where the interval reaches zero)."""
    from airshield.plan.procure import (
        Schedule,
        max_units,
        paired,
        schedule_of,
        simulate_scenarios,
    )

    spec = prep.loaded.spec
    fed = sorted({str(o.pool) for o in prep.options if o.kind == "rounds"})
    pools = fed if pools is None else [p for p in fed if p in pools]
    base = schedule_of(prep, x)
    all_starts = _month_starts(prep)
    pick = list(range(len(all_starts))) if months is None else months
    starts = [all_starts[m] for m in pick]
    scheds: list[Schedule] = [base]
    index: list[tuple[str, int, int]] = []
    for pool in pools:
        o = next(i for i, opt in enumerate(prep.options) if opt.kind == "rounds" and
                 opt.pool == pool)  # fmt: skip
        d = max(1, round(0.02 * max(1, max_units(prep, o, spec.budget_usd))))
        for m, night in zip(pick, starts, strict=True):
            sc = dict(base)
            sc[o] = [*base.get(o, []), (night, d)]
            scheds.append(sc)
            index.append((pool, m, d))
    vals = np.zeros((len(scheds), reps))
    for s, ev in enumerate(simulate_scenarios(prep, range(len(prep.campaigns)), scheds, reps,
                                              seed)):  # fmt: skip
        vals += prep.weights[s] * ev.objective
    cat = prep.template.resolved_catalog()
    eff = {p.name: p.effector for p in prep.template.pools}
    out = []
    for pool in pools:
        rows = [(k, m, d) for k, (p, m, d) in enumerate(index) if p == pool]
        by_month = []
        for k, m, d in rows:
            diff = paired(vals[k + 1] / d, vals[0] / d, "fast")
            per_round = diff["mean"]
            leakers = per_round if spec.objective == "harmful_leakers" else (
                per_round / usd_per_leaker if usd_per_leaker else 0.0)  # fmt: skip
            measurable = diff["ci_high"] < 0
            value = max(0.0, -leakers * usd_per_leaker) if measurable else 0.0
            by_month.append({
                "month": prep.months[m].isoformat(), "rounds_added": d,
                "objective_per_round": diff, "leakers_per_round": leakers,
                "measurable": measurable, "opportunity_cost_usd": value,
            })  # fmt: skip
        sticker = float(cat.effectors[eff[pool]].cost_per_shot_usd)
        out.append({"pool": pool, "effector": eff[pool], "sticker_cost_usd": sticker,
                    "usd_per_harmful_leaker": usd_per_leaker, "by_month": by_month})  # fmt: skip
    return out


@dataclass
class PriceSchedule:
    """Cost per shot of some effector types by night: ``prices[k]`` holds the effector types'
    costs (``effectors``) of price list ``k``; night ``n`` uses list ``which[n]``."""

    effectors: list[str]
    prices: list[list[float]]
    which: I  # (nights,)
    months: list[str]

    def summary(self) -> dict[str, Any]:
        return {
            "effectors": self.effectors,
            "price_lists": [dict(zip(self.effectors, p, strict=True)) for p in self.prices],
            "nights_per_list": np.bincount(self.which, minlength=len(self.prices)).tolist(),
        }


def doctrine_schedule(
    prep: Prepared, values: list[dict[str, Any]], *, scale: float = 1.0, unit: str = "usd"
) -> PriceSchedule:
    """The price schedule of :func:`round_values` (or the ``doctrine`` entries of a procurement
    result; a pool valued at the first month only keeps its sticker price later): month
    ``m``'s cost per shot is the sticker price plus ``scale`` x that month's opportunity cost
    (months without a measurable value keep the sticker price), the opportunity cost on a
    1-2.5-5 grid (:func:`price_step`) so that months of practically the same value share one
    price list (and one surrogate fit).

    ``unit="objective"``: the price for a template valued in harmful leakers
    (:func:`objective_valued_template`): the opportunity cost alone (``lambda x usd_per_leaker``,
    no sticker price: the round is paid for)."""
    if unit not in ("usd", "objective"):
        raise ValueError(f"unit {unit!r}: expected 'usd' or 'objective'")
    n = prep.n_nights
    starts = [*_month_starts(prep), n]
    effs = [v["effector"] for v in values]
    lists: list[list[float]] = []
    which = np.zeros(n, np.int64)
    for m in range(len(prep.months)):
        row = [
            (float(v["sticker_cost_usd"]) if unit == "usd" else 0.0)
            + price_step(scale * _opportunity(v, m), float(v["sticker_cost_usd"]))
            for v in values
        ]
        if row not in lists:
            lists.append(row)
        which[starts[m] : starts[m + 1]] = lists.index(row)
    which[: starts[0]] = which[starts[0]] if n else 0
    return PriceSchedule(effs, lists, which, [m.isoformat() for m in prep.months])


def priced_template(tpl: Scenario, effectors: list[str], prices: list[float]) -> Scenario:
    """The raid template with these effector types' costs per shot replaced."""
    from airshield.scenario.models import CatalogOverrides

    cat = tpl.resolved_catalog()
    over = {e.name: e for e in (tpl.catalog.effectors if tpl.catalog else [])}
    # a catalog entry's pk curves are used only under engagement: {pk_model: range}, and an
    # override may not carry them otherwise (they change nothing under the other pk models)
    keep_curves = tpl.engagement.pk_model == "range"
    for name, price in zip(effectors, prices, strict=True):
        et = over.get(name, cat.effectors[name])
        upd: dict[str, Any] = {"cost_per_shot_usd": float(price)}
        if not keep_curves and et.pk_curve:
            upd["pk_curve"] = {}
        over[name] = et.model_copy(update=upd)
    threats = list(tpl.catalog.threats) if tpl.catalog else []
    return tpl.model_copy(
        update={"catalog": CatalogOverrides(threats=threats, effectors=list(over.values()))}
    )


def objective_valued_template(tpl: Scenario, usd_per_leaker: float) -> Scenario:
    """The raid template valued in the unit of a ``harmful_leakers`` objective: every asset
    worth ``usd_per_leaker``, every threat type that is not a decoy of lethality 1, and every
    effector type's cost per shot zero (rounds on hand are paid for: in a leaker count, firing
    one costs nothing but the leakers its absence causes later). The engine's value at risk of a
    threat (asset value x lethality of its perceived type) is then ``usd_per_leaker`` for every
    threat that would count as a harmful leaker (and for a decoy it mistakes for one), and a
    cost per shot of ``lambda x usd_per_leaker`` (:func:`doctrine_schedule` with
    ``unit="objective"``) makes the nightly cost threshold and the cost-weighted assignment
    compare, in leakers, the leakers a round causes later (``lambda``, its shadow price) against
    the leakers it saves now; the assignment's priorities count every harmful leaker the same,
    as the objective does.

    Only the engine's decisions use these values: harmful leakers are counted as before and the
    booked costs of :func:`run_priced_detailed` stay the sticker prices, but the damage of a run
    under this template is not the campaign's (every hit destroys its asset's notional
    ``usd_per_leaker``): compare damage only between runs of the plain template."""
    from airshield.scenario.models import CatalogOverrides

    if usd_per_leaker <= 0:
        raise ValueError("usd_per_leaker must be positive")
    cat = tpl.resolved_catalog()
    threats = {t.name: t for t in tpl.catalog.threats}
    for name, tt in cat.threats.items():
        if tt.kind != "decoy":
            threats[name] = threats.get(name, tt).model_copy(update={"lethality": 1.0})
    used = sorted({u.effector for u in tpl.fire_units} | {p.effector for p in tpl.pools})
    assets = [a.model_copy(update={"value_usd": float(usd_per_leaker)}) for a in tpl.assets]
    valued = tpl.model_copy(
        update={
            "assets": assets,
            "catalog": CatalogOverrides(threats=list(threats.values()),
                                        effectors=list(tpl.catalog.effectors)),
        }
    )  # fmt: skip
    return priced_template(valued, used, [0.0] * len(used))


def price_step(usd: float, sticker: float) -> float:
    """``usd`` on the grid 1, 2.5, 5, 10, 25, ... (nearest in log scale); below a tenth of the
    sticker price (or $1k), zero: a cost that changes no decision worth a surrogate fit."""
    if usd <= max(0.1 * sticker, 1e3):
        return 0.0
    e = np.floor(np.log10(usd))
    grid = np.array([1.0, 2.5, 5.0, 10.0]) * 10**e
    return float(grid[int(np.argmin(np.abs(np.log(grid / usd))))])


def _opportunity(v: dict[str, Any], m: int) -> float:
    bm = v["by_month"]
    return float(bm[m]["opportunity_cost_usd"]) if m < len(bm) else 0.0


class _Switch:
    """Surrogates by night, drawn from the same deviates (what the fast night function calls)."""

    def __init__(self, surrogates: list[Surrogate], which: I) -> None:
        self.surrogates = surrogates
        self.which = which
        self.night = 0
        self.n_outputs = surrogates[0].n_outputs

    def draw_from(self, counts: I, available: I, z: F, u: F) -> Any:
        return self.surrogates[int(self.which[self.night])].draw_from(counts, available, z, u)


def run_priced(
    campaign: Campaign, schedule: PriceSchedule, reps: int, seed: int, *,
    design: DesignSpec | None = None, workers: int = 1,
) -> CampaignResult:  # fmt: skip
    """Fast mode of ``campaign`` with the cost per shot of ``schedule`` night by night (one
    surrogate per price list); paired with ``run_campaign(campaign, "fast", reps, seed)``
    replication by replication (the same deviates)."""
    from airshield.campaign.nights import fast_night_fn, magazines, simulate_nights

    plan = attacker_plan(campaign)
    tpl = campaign.template
    surs = []
    for p in schedule.prices:
        t = priced_template(tpl, schedule.effectors, p)
        surs.append(fit_surrogate(t, plan.threat_types, plan.launched, design, workers=workers))
    sticker = fit_surrogate(tpl, plan.threat_types, plan.launched, design, workers=workers)
    sw = _Switch(surs, schedule.which)
    n = len(campaign.dates)
    inner = fast_night_fn(sw, seed, reps, n)

    def fn(i: int, counts: I, available: I) -> Any:
        sw.night = i
        return inner(i, counts, available)

    t0 = time.perf_counter()
    chain = simulate_nights(campaign, plan, sticker.pool_names, reps,
                            len(sticker.other_effectors), fn)  # fmt: skip
    return CampaignResult.assemble(
        campaign=campaign, mode="fast", seed=seed, plan=plan,
        pool_names=[pl.name for pl in tpl.pools], pool_cost_usd=sticker.pool_cost_usd,
        other_effectors=list(sticker.other_effectors), other_cost_usd=sticker.other_cost_usd,
        magazine_rounds=magazines(campaign), chain=chain, elapsed_s=time.perf_counter() - t0,
        info={"doctrine": schedule.summary()},
    )  # fmt: skip


def _priced_detailed_block(
    campaign_json: str, template_json: str, schedule: PriceSchedule, seed: int, reps: int,
    rep_ids: list[int], engine: str,
) -> tuple[list[int], Any]:  # fmt: skip
    """Replications ``rep_ids`` of the detailed priced run (a worker's share)."""
    from airshield.campaign.bridge import RaidBridge
    from airshield.campaign.engine import team_counts
    from airshield.campaign.nights import detailed_night_fn, simulate_nights

    tpl = Scenario.model_validate_json(template_json)
    camp = Campaign.model_validate_json(campaign_json).with_template(tpl)
    plan = attacker_plan(camp)
    bridges = [
        RaidBridge(priced_template(tpl, schedule.effectors, p), plan.threat_types, engine)
        for p in schedule.prices
    ]
    b0 = bridges[0]
    teams = team_counts(camp, b0.pool_names)  # crews ready per night, as run_campaign passes
    fn = detailed_night_fn(bridges, lambda i: int(schedule.which[i]), seed, reps, rep_ids,
                           len(camp.dates), teams)  # fmt: skip
    chain = simulate_nights(camp, plan, b0.pool_names, len(rep_ids), len(b0.other_effectors), fn)
    return rep_ids, chain


def run_priced_detailed(
    campaign: Campaign, schedule: PriceSchedule, reps: int, seed: int, *, workers: int = 1,
    engine: str = "auto",
) -> CampaignResult:  # fmt: skip
    """Detailed mode (the raid engine every night) of ``campaign`` with the cost per shot of
    ``schedule`` night by night: night ``n`` of replication ``r`` draws from
    ``SeedSequence(seed).spawn(reps)[r].spawn(nights)[n]``, as
    ``run_campaign(campaign, "detailed", reps, seed)`` does, so the two are paired night by
    night (common random numbers); a schedule of sticker prices reproduces it exactly. Booked
    costs are the sticker prices. ``workers`` > 1: blocks of replications in worker processes
    (same answer)."""
    from concurrent.futures import ProcessPoolExecutor

    from airshield.campaign.bridge import RaidBridge
    from airshield.campaign.nights import join_chains, magazines
    from airshield.raid.montecarlo import process_context

    plan = attacker_plan(campaign)
    tpl = campaign.template
    t0 = time.perf_counter()
    cj, tj = campaign.model_dump_json(), tpl.model_dump_json()
    size = max(1, -(-reps // max(1, workers)))
    blocks = [list(range(s, min(reps, s + size))) for s in range(0, reps, size)]
    parts: dict[int, Any] = {}
    if workers > 1 and len(blocks) > 1:
        with ProcessPoolExecutor(max_workers=workers, mp_context=process_context()) as pool:
            futs = [pool.submit(_priced_detailed_block, cj, tj, schedule, seed, reps, ids,
                                engine) for ids in blocks]  # fmt: skip
            for f in futs:
                ids, ch = f.result()
                parts[ids[0]] = ch
    else:
        for ids in blocks:
            _, ch = _priced_detailed_block(cj, tj, schedule, seed, reps, ids, engine)
            parts[ids[0]] = ch
    ordered = [parts[k] for k in sorted(parts)]
    chain = join_chains(ordered)
    sticker = RaidBridge(tpl, plan.threat_types, engine)
    return CampaignResult.assemble(
        campaign=campaign, mode="detailed", seed=seed, plan=plan,
        pool_names=[pl.name for pl in tpl.pools], pool_cost_usd=sticker.pool_cost_usd,
        other_effectors=list(sticker.other_effectors), other_cost_usd=sticker.other_cost_usd,
        magazine_rounds=magazines(campaign), chain=chain, elapsed_s=time.perf_counter() - t0,
        info={"doctrine": schedule.summary(), "engine": engine},
    )  # fmt: skip
