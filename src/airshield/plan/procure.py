"""Decide what to buy: a procurement optimiser over interceptor mixes, budgets, lead times and
monthly production limits.

Decision: ``x[o, m]``, whole units of option ``o`` ordered on the first day of order month
``m`` (arriving ``lead_time_days`` later), with ``x[o, m] = 0`` or ``min_lot <= x[o, m] <=
max_per_month``, ``sum_m x[o, m] <= max_total``, nothing before ``available_from`` (a line's
capex is paid evenly over the months before it opens, once, if the line is used), the total cost
within ``budget_usd`` and the cumulative spending within the cumulative monthly profile.

Method (a MILP on a fitted convex surrogate, then simulation checks):

1. **Response curves** (fast mode, common random numbers). For each scenario and option, the
   objective (expected harmful leakers or damage over the horizon) is simulated with ``q`` units
   arriving on the option's earliest arrival night, on a grid of ``q`` from 0 to the most the
   option could deliver; and with a batch arriving in later months, which gives the option's
   *time weights* ``w[o, m]`` (a unit arriving in month ``m`` is worth ``w[o, m]`` of one
   arriving as early as possible). All variants of a scenario run in one vectorised pass
   (:func:`airshield.campaign.engine.run_fast_variants`), so they share their random numbers.
2. **Surrogate**: the objective is ``L0 + sum_o phi_o(E_o)`` with ``E_o = sum_m w[o, m] x[o,
   m]`` (the option's effective delivered quantity) and ``phi_o`` the lower convex envelope of
   its curve (diminishing returns): a piecewise-linear convex function whose facets become
   epigraph cuts. Chance constraints ("pool empty on a night with a ballistic threat with
   probability at most 10 %") are linearised as a least effective quantity of the options that
   feed the pool, read off the same curves; ``min_stock`` as a least number of rounds arriving.
3. **MILP** in HiGHS (``highspy``): integer ``x``, binaries for minimum lots and capex,
   ``robust: mean`` (weighted scenarios) or ``worst`` (a min-max epigraph).
4. **Refinement**: the curves are simulated again around the first answer (each option varied
   with the others at that answer, so substitutes see each other) and the MILP is solved again;
   the better of the two by joint fast-mode simulation is kept. A constraint that the simulation
   finds violated is tightened and the MILP re-solved (at most three times).
5. **Detailed screen**: the best fast-mode mix, its runners-up, the proportional split and the
   status quo in **detailed** mode with common random numbers through the sweep backends, the
   constraints measured there too; the recommendation is the detailed-mode best among the mixes
   that meet the constraints in detailed mode (a Bonferroni screen of paired intervals says which
   mixes detailed mode cannot separate from it), and the paired 95 % interval of best − status
   quo is reported. Where the fast mode's error changes the ranking, the result says so.
6. **Outputs**: the Pareto front (the MILP at budgets from zero to the full budget, each answer
   simulated), shadow prices (surrogate slope and a simulated finite difference per option).
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from airshield.assign.highs import new_highs
from airshield.campaign import Campaign, CampaignResult, attacker_plan, fit_surrogate
from airshield.campaign.engine import NO_CAP, run_fast_variants, team_caps
from airshield.campaign.models import DefenderPool, OnceDelivery, TeamAddition
from airshield.campaign.surrogate import DesignSpec, Surrogate
from airshield.campaign.tempo import AttackerPlan
from airshield.intervals import paired_difference
from airshield.plan.allocation import lower_convex_hull
from airshield.plan.fanout import Evaluator, FastContext, chunk_size, outcome_of
from airshield.plan.procure_models import (
    LoadedProcurement,
    MinStockConstraint,
    Option,
    StockoutConstraint,
    order_months,
)
from airshield.raid.result import band
from airshield.scenario import Scenario
from airshield.scenario.models import RingLaydown

F = NDArray[np.float64]
I = NDArray[np.int64]
Progress = Callable[[str, int, int], None]
#: most replications simulated in one vectorised pass (memory: about 1 MB per replication-year)
MAX_ROWS = 1200


# ---- the problem: options, months, arrivals, delivery maps --------------------------------------
@dataclass
class Prepared:
    """Campaigns (one per scenario) on a common raid template, with the fire-unit slots added,
    the surrogate and the order calendar."""

    loaded: LoadedProcurement
    template: Scenario
    campaigns: list[Campaign]
    names: list[str]
    weights: F
    plans: list[AttackerPlan]
    surrogate: Surrogate
    pool_names: list[str]
    months: list[dt.date]
    arrival: I  # (O, M) arrival night of an order in month m, -1 if it cannot be ordered
    slots: dict[str, list[int]]  # fire-unit option -> pool indices of its unit slots
    base_caps: list[I]  # per scenario (nights, pools)
    threat_nights: list[list[NDArray[np.bool_]]]  # per scenario, per constraint: nights counted
    evaluator: Evaluator = field(default_factory=Evaluator)
    _contexts: dict[int, FastContext] = field(default_factory=dict)
    # fast-mode results per (scenario, reps, seed, schedule): a variant's replications do not
    # depend on the other variants of its pass (common random numbers), so a mix simulated
    # once is never simulated again
    _memo: dict[tuple[Any, ...], tuple[F, F, F]] = field(default_factory=dict)
    memo_hits: int = 0

    def context(self, s: int) -> FastContext:
        """Scenario ``s``'s fast-mode context (what an evaluation worker needs)."""
        ctx = self._contexts.get(s)
        if ctx is None:
            cons: list[tuple[int, NDArray[np.bool_] | None]] = []
            for j, con in enumerate(self.loaded.spec.constraints):
                pk = self.pool_names.index(con.pool)
                mask = self.threat_nights[s][j] if isinstance(con, StockoutConstraint) else None
                cons.append((pk, mask))
            ctx = FastContext(self.campaigns[s], self.surrogate, self.plans[s],
                              self.loaded.spec.objective, cons)  # fmt: skip
            self._contexts[s] = ctx
        return ctx

    @property
    def options(self) -> list[Option]:
        return self.loaded.spec.options

    @property
    def n_nights(self) -> int:
        return len(self.campaigns[0].dates)


def _slot_pool(o: Option, j: int) -> str:
    return f"{o.name}-{j + 1}"


def _augment_template(tpl: Scenario, options: Sequence[Option]) -> Scenario:
    """The raid template with each fire-unit option's unit slots: ``max_total`` units placed by
    the option's laydown, each with its own (empty) pool, so a unit fires only once bought."""
    from airshield.scenario.models import Pool

    units = list(tpl.fire_units)
    pools = list(tpl.pools)
    for o in options:
        if o.kind != "fire_unit":
            continue
        assert o.laydown is not None and o.effector is not None and o.max_total is not None
        n = o.max_total
        lay = o.laydown
        for j in range(n):
            # unit j of n evenly on the arc (or the ring), as a ring of one unit at its bearing
            if lay.arc_deg >= 360:
                bearing = lay.bearing_deg + 360.0 * j / n
            elif n > 1:
                bearing = lay.bearing_deg - lay.arc_deg / 2 + lay.arc_deg * j / (n - 1)
            else:
                bearing = lay.bearing_deg
            bearing = ((bearing + 180.0) % 360.0) - 180.0
            units.append(
                RingLaydown(
                    kind="ring", name=_slot_pool(o, j), effector=o.effector,
                    around=o.laydown.around, count=1, radius_km=o.laydown.radius_km,
                    bearing_deg=bearing, arc_deg=360.0,
                    pool=_slot_pool(o, j),
                )
            )  # fmt: skip
            pools.append(Pool(name=_slot_pool(o, j), effector=o.effector, stock=0))
    if len(units) == len(tpl.fire_units):
        return tpl
    return tpl.model_copy(update={"fire_units": units, "pools": pools})


def _augment_campaign(c: Campaign, tpl: Scenario, options: Sequence[Option]) -> Campaign:
    extra = [
        DefenderPool(name=_slot_pool(o, j), stock=0)
        for o in options
        if o.kind == "fire_unit"
        for j in range(o.max_total or 0)
    ]
    if not extra:
        return c.with_template(tpl)
    defender = c.defender.model_copy(update={"pools": [*c.defender.pools, *extra]})
    return c.model_copy(update={"defender": defender}).with_template(tpl, c.path)


def prepare(
    loaded: LoadedProcurement,
    *,
    design: DesignSpec | None = None,
    workers: int = 1,
    progress: Progress | None = None,
) -> Prepared:
    """Build the scenario campaigns, fit one surrogate on the union of their nights, and the
    order calendar (arrival night of every option and month)."""
    spec = loaded.spec
    tpl = _augment_template(loaded.campaign.template, spec.options)
    camps = [_augment_campaign(c, tpl, spec.options) for _, _, c in loaded.scenarios]
    plans = [attacker_plan(c) for c in camps]
    union = np.concatenate([p.launched for p in plans], axis=0)
    cb = progress or (lambda s, d, t: None)
    groups = tuple(
        tuple(_slot_pool(o, j) for j in range(o.max_total or 0))
        for o in spec.options
        if o.kind == "fire_unit"
    )
    if groups:  # the slots fill in order: the design runs the states the campaign sits in
        from dataclasses import replace as _replace

        design = _replace(design or DesignSpec(), nested_pools=groups)
    sur = fit_surrogate(
        tpl, plans[0].threat_types, union, design, workers=workers,
        progress=lambda d, t: cb("fitting surrogate", d, t),
    )  # fmt: skip
    base = camps[0]
    months = order_months(base)
    n = base.n_nights
    arrival = np.full((len(spec.options), len(months)), -1, np.int64)
    for i, o in enumerate(spec.options):
        for m, d in enumerate(months):
            if o.available_from is not None and d < o.available_from:
                # the first order month of a line is the one containing its opening day
                nxt = months[m + 1] if m + 1 < len(months) else base.last_date
                if o.available_from >= nxt:
                    continue
                d = o.available_from
            a = (d - base.start_date).days + o.lead_time_days
            if a < n:
                arrival[i, m] = a
    pool_names = list(sur.pool_names)
    slots = {
        o.name: [pool_names.index(_slot_pool(o, j)) for j in range(o.max_total or 0)]
        for o in spec.options
        if o.kind == "fire_unit"
    }
    caps = [team_caps(c, pool_names) for c in camps]
    cat = tpl.resolved_catalog()
    kinds = [cat.threats[t].kind for t in plans[0].threat_types]
    tnights: list[list[NDArray[np.bool_]]] = []
    for c, p in zip(camps, plans, strict=True):
        per: list[NDArray[np.bool_]] = []
        for con in spec.constraints:
            if isinstance(con, StockoutConstraint):
                sel = [k for k, kind in enumerate(kinds) if kind in con.threat_kinds]
                mask = (
                    p.launched[:, sel].sum(axis=1) > 0 if con.threat_kinds else np.ones(n, np.bool_)
                )
                if con.before is not None:
                    mask = mask & (np.arange(n) <= (con.before - c.start_date).days)
                per.append(mask)
            else:
                per.append(np.zeros(n, np.bool_))
        tnights.append(per)
    names = [s for s, _, _ in loaded.scenarios]
    weights = np.array([w for _, w, _ in loaded.scenarios], np.float64)
    return Prepared(loaded, tpl, camps, names, weights / weights.sum(), plans, sur, pool_names,
                    months, arrival, slots, caps, tnights)  # fmt: skip


# a schedule: option index -> list of (arrival night, units)
Schedule = dict[int, list[tuple[int, int]]]


def schedule_of(prep: Prepared, x: I) -> Schedule:
    """The arrivals of a mix ``x`` (O, M)."""
    out: Schedule = {}
    for o in range(x.shape[0]):
        for m in range(x.shape[1]):
            if x[o, m] > 0 and prep.arrival[o, m] >= 0:
                out.setdefault(o, []).append((int(prep.arrival[o, m]), int(x[o, m])))
    return out


def _rounds_per_unit(prep: Prepared, o: Option, night: int) -> int:
    if o.rounds_per_unit is not None:
        return o.rounds_per_unit
    cat = prep.template.resolved_catalog()
    assert o.effector is not None
    return int(cat.effectors[o.effector].ready_rounds) * (prep.n_nights - night)


def encode(prep: Prepared, s: int, sched: Schedule) -> tuple[I, I]:
    """Extra deliveries (nights, pools) and per-night caps of scenario ``s`` for a schedule."""
    n, p = prep.n_nights, len(prep.pool_names)
    extra = np.zeros((n, p), np.int64)
    caps = prep.base_caps[s].copy()
    camp = prep.campaigns[s]
    for oi, arrivals in sched.items():
        o = prep.options[oi]
        if o.kind == "rounds":
            k = prep.pool_names.index(str(o.pool))
            for a, units in arrivals:
                extra[a, k] += units
        elif o.kind == "fire_unit":
            j = 0
            for a, units in sorted(arrivals):
                for _ in range(units):
                    if j < len(prep.slots[o.name]):
                        extra[a, prep.slots[o.name][j]] += _rounds_per_unit(prep, o, a)
                    j += 1
        else:
            tp = next(t for t in camp.defender.teams if t.name == o.teams)
            k = prep.pool_names.index(tp.pool)
            teams = np.array(tp.teams_per_night(camp.dates), np.float64)
            for a, units in arrivals:
                teams[a:] += units
            caps[:, k] = np.floor(teams * tp.engagements_per_team + 1e-9).astype(np.int64)
    return extra, caps


# ---- simulation of many variants ------------------------------------------------------------------
@dataclass
class Evaluation:
    """Per variant and replication: objective; per constraint: achieved value per variant."""

    objective: F  # (K, R)
    stockout: F  # (K, C) share of replications in which the pool ran dry (nan: not a stockout)
    end_stock: F  # (K, C) mean stock at the end (nan: not a min_stock constraint)


def simulate(
    prep: Prepared, s: int, schedules: Sequence[Schedule], reps: int, seed: int,
    *, keep: bool = False,
) -> tuple[Evaluation, list[CampaignResult]]:  # fmt: skip
    """Fast mode for every schedule of scenario ``s`` with common random numbers (vectorised in
    passes of at most :data:`MAX_ROWS` replications, run by ``prep.evaluator``: in this process
    or through a sweep backend; neither the split nor the backend changes the answers).
    ``keep`` runs in this process and returns the campaign results too."""
    k_all = len(schedules)
    kept: list[CampaignResult] = []
    if keep:
        per = max(1, MAX_ROWS // reps)
        obj_l, so_l, es_l = [], [], []
        for start in range(0, k_all, per):
            extra, caps = _encode_chunk(prep, s, schedules[start : start + per])
            res = run_fast_variants(prep.campaigns[s], prep.surrogate, reps, seed, extra, caps,
                                    plan=prep.plans[s])  # fmt: skip
            kept.append(res)
            out = outcome_of(prep.context(s), res, extra.shape[0], reps)
            obj_l.append(out.objective)
            so_l.append(out.stockout)
            es_l.append(out.end_stock)
        return Evaluation(np.concatenate(obj_l), np.concatenate(so_l), np.concatenate(es_l)), kept
    return simulate_scenarios(prep, [s], schedules, reps, seed)[0], kept


def simulate_scenarios(
    prep: Prepared, scenarios: Sequence[int], schedules: Sequence[Schedule], reps: int, seed: int
) -> list[Evaluation]:
    """:func:`simulate` of the same schedules in several scenarios at once: the chunks of every
    scenario go to ``prep.evaluator`` in one batch, so worker processes are not left idle between
    scenarios (a scenario with fewer chunks than workers). Memoised like :func:`simulate`: a
    schedule simulated before (same scenario, replications, seed) is not simulated again."""
    k_all = len(schedules)
    sched_keys = [_schedule_key(sc) for sc in schedules]
    plan: list[tuple[int, list[int], list[tuple[Any, ...]]]] = []
    for s in scenarios:
        keys = [(s, reps, seed, k) for k in sched_keys]
        todo: list[int] = []
        queued: set[tuple[Any, ...]] = set()
        for i, key in enumerate(keys):
            if key not in prep._memo and key not in queued:
                todo.append(i)
                queued.add(key)
        prep.memo_hits += k_all - len(todo)
        plan.append((s, todo, keys))
    # the chunks of every scenario, in one list
    jobs: list[tuple[int, I, I | None]] = []
    spans: list[tuple[int, int]] = []
    for s, todo, _ in plan:
        run = [schedules[i] for i in todo]
        first = len(jobs)
        if run:
            per = chunk_size(len(run), reps, MAX_ROWS, prep.evaluator.fan_out)
            for i in range(0, len(run), per):
                e, c = _encode_chunk(prep, s, run[i : i + per])
                jobs.append((s, e, c))
        spans.append((first, len(jobs)))
    outs = prep.evaluator.run_many([(prep.context(s), e, c) for s, e, c in jobs], reps, seed)
    result: list[Evaluation] = []
    for (_s, todo, keys), (a, b) in zip(plan, spans, strict=True):
        if todo:
            obj = np.concatenate([o.objective for o in outs[a:b]]).reshape(len(todo), reps)
            so = np.concatenate([o.stockout for o in outs[a:b]]).reshape(len(todo), -1)
            es = np.concatenate([o.end_stock for o in outs[a:b]]).reshape(len(todo), -1)
            for j, i in enumerate(todo):
                prep._memo[keys[i]] = (obj[j], so[j], es[j])
        rows = [prep._memo[key] for key in keys]
        result.append(Evaluation(
            np.stack([r[0] for r in rows]).reshape(k_all, reps),
            np.stack([r[1] for r in rows]).reshape(k_all, -1),
            np.stack([r[2] for r in rows]).reshape(k_all, -1),
        ))  # fmt: skip
    return result


def _schedule_key(sc: Schedule) -> tuple[Any, ...]:
    return tuple((o, tuple(sorted(a))) for o, a in sorted(sc.items()) if a)


def _encode_chunk(prep: Prepared, s: int, chunk: Sequence[Schedule]) -> tuple[I, I | None]:
    enc = [encode(prep, s, sc) for sc in chunk]
    extra = np.stack([e for e, _ in enc])
    stacked = np.stack([c for _, c in enc])
    return extra, (None if np.all(stacked >= NO_CAP) else stacked)


def _objective(res: CampaignResult, which: str) -> F:
    if which == "damage_usd":
        return np.asarray(res.damage_usd.sum(axis=1), np.float64)
    return np.asarray(res.leaked_harmful().sum(axis=1), np.float64)


# ---- the surrogate model and the MILP -------------------------------------------------------------
@dataclass
class Curve:
    """One option's fitted response in one scenario: ``phi(E)`` = max over facets ``a + b E``."""

    q: F  # levels simulated
    y: F  # simulated objective change at each level (relative to the level 0)
    facets: list[tuple[float, float]]  # (a, b) of the lower convex envelope

    def value(self, e: float) -> float:
        return max(a + b * e for a, b in self.facets)


def fit_curve(q: F, y: F) -> Curve:
    """The lower convex envelope of a non-increasing version of the points (more of a thing never
    hurts in expectation; what remains is Monte Carlo noise)."""
    order = np.argsort(q)
    q, y = np.asarray(q, np.float64)[order], np.asarray(y, np.float64)[order]
    y = y - y[0]
    ym = np.minimum.accumulate(y)
    hx, hy = lower_convex_hull(q, ym)
    facets: list[tuple[float, float]] = []
    if hx.size == 1:
        facets.append((float(hy[0]), 0.0))
    for k in range(hx.size - 1):
        b = (hy[k + 1] - hy[k]) / (hx[k + 1] - hx[k])
        facets.append((float(hy[k] - b * hx[k]), float(b)))
    facets.append((float(hy[-1]), 0.0))  # flat beyond the last level
    return Curve(q, y, facets)


@dataclass
class LinearBound:
    """``sum coef[o, m] x[o, m] >= rhs`` (a linearised constraint)."""

    coef: F  # (O, M)
    rhs: float
    constraint: int
    scenario: int


@dataclass
class SurrogateModel:
    """What the MILP sees: per scenario a constant, per option a curve and time weights."""

    unit_cost: F  # (O,)
    capex: F  # (O,)
    capex_months: list[list[int]]
    max_per_month: I
    min_lot: I
    max_total: I  # (O,) large if none
    orderable: NDArray[np.bool_]  # (O, M)
    budget: float
    month_cap: F | None  # (M,) cumulative spending allowed by the end of each month
    weights: F  # (S,)
    robust: str
    const: F  # (S,)
    curves: list[list[Curve]]  # [s][o]
    time_w: F  # (S, O, M)
    bounds: list[LinearBound] = field(default_factory=list)
    noise: float = 0.0  # paired standard error of the curve points (objective units)
    budget_ref: float = 0.0  # the spec's budget (the price of money does not move with it)

    @property
    def shape(self) -> tuple[int, int]:
        return self.orderable.shape[0], self.orderable.shape[1]

    def with_budget(self, budget: float) -> SurrogateModel:
        from copy import copy

        m = copy(self)
        m.budget = budget
        return m

    def scenario_values(self, x: I) -> F:
        out = np.zeros(len(self.weights))
        for s in range(len(self.weights)):
            e = (self.time_w[s] * x).sum(axis=1)
            out[s] = self.const[s] + sum(c.value(float(e[o])) for o, c in enumerate(self.curves[s]))
        return out

    def value(self, x: I) -> float:
        """The surrogate's objective of mix ``x`` (as the MILP computes it)."""
        v = self.scenario_values(x)
        return float(v.max() if self.robust == "worst" else (self.weights * v).sum())

    def spend(self, x: I) -> F:
        """Spending per order month."""
        o_n, _m_n = self.shape
        out = (x * self.unit_cost[:, None]).sum(axis=0).astype(np.float64)
        for o in range(o_n):
            if self.capex[o] > 0 and x[o].sum() > 0:
                for m in self.capex_months[o]:
                    out[m] += self.capex[o] / len(self.capex_months[o])
        return out

    def cost(self, x: I) -> float:
        return float(self.spend(x).sum())

    def feasible(self, x: I, tol: float = 1e-6, bounds: bool = True) -> bool:
        """Within every limit (and, if ``bounds``, the linearised constraints)."""
        x = np.asarray(x, np.int64)
        if np.any(x < 0) or np.any(x[~self.orderable] != 0):
            return False
        if np.any(x > self.max_per_month[:, None]):
            return False
        if np.any((x > 0) & (x < self.min_lot[:, None])):
            return False
        if np.any(x.sum(axis=1) > self.max_total):
            return False
        sp = self.spend(x)
        if sp.sum() > self.budget * (1 + 1e-9) + tol:
            return False
        if self.month_cap is not None and np.any(np.cumsum(sp) > self.month_cap * (1 + 1e-9) + tol):
            return False
        return not bounds or all((b.coef * x).sum() >= b.rhs - tol for b in self.bounds)


def _tie_eps(model: SurrogateModel) -> float:
    """Objective units per USD: the price of money in the MILP. Spending the whole budget must
    buy at least the Monte Carlo noise of the curves (one paired standard error), so that an
    option whose curve only falls by noise is not bought; and of two equal mixes the cheaper
    wins."""
    scale = max(1.0, float(np.abs(model.const).max()))
    floor = 1e-7 * scale
    return max(floor, model.noise) / max(model.budget_ref, 1.0)


def solve_milp(
    model: SurrogateModel, time_limit_s: float = 60.0, stats: dict[str, Any] | None = None
) -> tuple[I, float, str]:
    """The mix minimising the surrogate within the limits, with HiGHS. Returns ``x`` (O, M), the
    surrogate objective (plus the tie-breaking cost term) and the HiGHS model status; ``stats``
    (if given) receives HiGHS's certificate: the objective, the proven lower (dual) bound and the
    relative gap between them, in the MILP's units (surrogate objective plus the price of
    money)."""
    import highspy

    o_n, m_n = model.shape
    s_n = len(model.weights)
    h = new_highs()
    h.setOptionValue("time_limit", float(time_limit_s))
    h.setOptionValue("mip_rel_gap", 1e-9)
    h.setOptionValue("random_seed", 0)
    inf = highspy.kHighsInf
    eps = _tie_eps(model)
    ncol = 0

    def var(lo: float, hi: float, cost: float, integer: bool) -> int:
        nonlocal ncol
        h.addVar(lo, hi)
        h.changeColCost(ncol, cost)
        if integer:
            h.changeColIntegrality(ncol, highspy.HighsVarType.kInteger)
        ncol += 1
        return ncol - 1

    def row(lo: float, hi: float, idx: list[int], val: list[float]) -> None:
        h.addRow(lo, hi, len(idx), np.array(idx, np.int32), np.array(val, np.float64))

    xv = np.full((o_n, m_n), -1, np.int64)
    for o in range(o_n):
        for m in range(m_n):
            if model.orderable[o, m]:
                hi = float(model.max_per_month[o])
                xv[o, m] = var(0.0, hi, eps * model.unit_cost[o], True)
                if model.min_lot[o] > 1:
                    y = var(0.0, 1.0, 0.0, True)
                    row(0.0, inf, [xv[o, m], y], [1.0, -float(model.min_lot[o])])
                    row(-inf, 0.0, [xv[o, m], y], [1.0, -hi])
    zv = np.full(o_n, -1, np.int64)
    for o in range(o_n):
        cols = [int(c) for c in xv[o] if c >= 0]
        if cols and model.max_total[o] < sum(model.max_per_month[o] for _ in cols):
            row(-inf, float(model.max_total[o]), cols, [1.0] * len(cols))
        if model.capex[o] > 0 and cols:
            zv[o] = var(0.0, 1.0, eps * model.capex[o], True)
            big = float(model.max_per_month[o] * len(cols))
            row(-inf, 0.0, [*cols, int(zv[o])], [1.0] * len(cols) + [-big])

    def spend_terms(upto: int) -> tuple[list[int], list[float]]:
        idx: list[int] = []
        val: list[float] = []
        for o in range(o_n):
            for m in range(min(upto, m_n)):
                if xv[o, m] >= 0:
                    idx.append(int(xv[o, m]))
                    val.append(float(model.unit_cost[o]))
            if zv[o] >= 0:
                share = sum(1 for m in model.capex_months[o] if m < upto)
                if share:
                    idx.append(int(zv[o]))
                    val.append(float(model.capex[o]) * share / len(model.capex_months[o]))
        return idx, val

    idx, val = spend_terms(m_n)
    if idx:
        row(-inf, float(model.budget), idx, val)
    if model.month_cap is not None:
        for m in range(m_n - 1):
            idx, val = spend_terms(m + 1)
            if idx:
                row(-inf, float(model.month_cap[m]), idx, val)
    for b in model.bounds:
        idx = [int(xv[o, m]) for o in range(o_n) for m in range(m_n) if xv[o, m] >= 0 and
               b.coef[o, m] != 0]  # fmt: skip
        val = [float(b.coef[o, m]) for o in range(o_n) for m in range(m_n) if xv[o, m] >= 0 and
               b.coef[o, m] != 0]  # fmt: skip
        row(float(b.rhs), inf, idx, val)
    # epigraphs: t[s, o] >= a + b E[s, o]
    worst = model.robust == "worst"
    zeta = var(-inf, inf, 1.0, False) if worst else -1
    for s in range(s_n):
        tcols = []
        for o in range(o_n):
            cw = 0.0 if worst else float(model.weights[s])
            t = var(-inf, inf, cw, False)
            tcols.append(t)
            for a, bslope in model.curves[s][o].facets:
                idx = [t]
                val = [1.0]
                for m in range(m_n):
                    if xv[o, m] >= 0 and model.time_w[s, o, m] != 0 and bslope != 0:
                        idx.append(int(xv[o, m]))
                        val.append(-bslope * float(model.time_w[s, o, m]))
                row(a, inf, idx, val)
        if worst:  # zeta >= const_s + sum_o t[s, o]
            row(float(model.const[s]), inf, [zeta, *tcols], [1.0] + [-1.0] * len(tcols))
    h.run()
    status = h.modelStatusToString(h.getModelStatus())
    x = np.zeros((o_n, m_n), np.int64)
    if h.getModelStatus() not in (highspy.HighsModelStatus.kOptimal,) and not (
        h.getInfo().primal_solution_status == 2
    ):
        return x, math.nan, status
    sol = np.array(h.getSolution().col_value)
    for o in range(o_n):
        for m in range(m_n):
            if xv[o, m] >= 0:
                x[o, m] = round(sol[xv[o, m]])
    value = model.value(x) + eps * model.cost(x)
    if stats is not None:
        info = h.getInfo()
        # the MILP objective omits the constant of each scenario (mean: weighted, worst: in zeta)
        shift = 0.0 if worst else float((model.weights * model.const).sum())
        stats.update({
            "status": status, "objective": value,
            "dual_bound": float(info.mip_dual_bound) + shift,
            "mip_gap": float(info.mip_gap), "nodes": int(info.mip_node_count),
            "variables": ncol, "integer_variables": int((xv >= 0).sum()),
        })  # fmt: skip
    return x, value, status


def solve_relaxing(
    model: SurrogateModel, stats: dict[str, Any] | None = None
) -> tuple[I, bool, str]:
    """:func:`solve_milp`; if the linearised constraints make it infeasible, solve without them
    (the answer is then flagged: the constraints cannot be met within these limits)."""
    x, v, status = solve_milp(model, stats=stats)
    if math.isfinite(v) or not model.bounds:
        return x, False, status
    from copy import copy

    free = copy(model)
    free.bounds = []
    x, v, status = solve_milp(free, stats=stats)
    return x, True, status


def brute_force(model: SurrogateModel, limit: int = 2_000_000) -> tuple[I, float]:
    """Enumerate every feasible mix (small problems only): the reference for the MILP."""
    import itertools

    o_n, m_n = model.shape
    cells = [(o, m) for o in range(o_n) for m in range(m_n) if model.orderable[o, m]]
    choices = []
    for o, _ in cells:
        vals = [0, *range(int(model.min_lot[o]), int(model.max_per_month[o]) + 1)]
        choices.append(vals)
    total = math.prod(len(c) for c in choices)
    if total > limit:
        raise ValueError(f"{total} mixes is too many to enumerate")
    eps = _tie_eps(model)
    best_x, best_v = np.zeros((o_n, m_n), np.int64), math.inf
    for combo in itertools.product(*choices):
        x = np.zeros((o_n, m_n), np.int64)
        for (o, m), v in zip(cells, combo, strict=True):
            x[o, m] = v
        if not model.feasible(x):
            continue
        v = model.value(x) + eps * model.cost(x)
        if v < best_v - 1e-12:
            best_x, best_v = x, v
    return best_x, best_v


# ---- building the model from simulations ----------------------------------------------------------
def _model_limits(prep: Prepared, budget: float) -> dict[str, Any]:
    spec = prep.loaded.spec
    opts = spec.options
    _o_n, m_n = len(opts), len(prep.months)
    orderable = prep.arrival >= 0
    capex_months: list[list[int]] = []
    for o in opts:
        if o.available_from is None:
            capex_months.append([0])
        else:
            ms = [m for m, d in enumerate(prep.months) if d < o.available_from]
            capex_months.append(ms or [0])
    month_cap = None
    if spec.budget_per_month_usd is not None:
        prof = spec.budget_per_month_usd
        per = np.array(prof if isinstance(prof, list) else [prof] * m_n, np.float64)
        month_cap = np.cumsum(per)
    big = 10**9
    return {
        "unit_cost": np.array([o.unit_cost_usd for o in opts], np.float64),
        "capex": np.array([o.capex_usd for o in opts], np.float64),
        "capex_months": capex_months,
        "max_per_month": np.array([o.max_per_month for o in opts], np.int64),
        "min_lot": np.array([o.min_lot for o in opts], np.int64),
        "max_total": np.array(
            [big if o.max_total is None else o.max_total for o in opts], np.int64
        ),
        "orderable": orderable,
        "budget": float(budget),
        "month_cap": month_cap,
        "weights": prep.weights,
        "robust": spec.robust,
    }


def max_units(prep: Prepared, o: int, budget: float) -> int:
    """The most units option ``o`` could deliver within the horizon, its limits and the budget."""
    opt = prep.options[o]
    months = int((prep.arrival[o] >= 0).sum())
    q = opt.max_per_month * months
    if opt.max_total is not None:
        q = min(q, opt.max_total)
    if opt.unit_cost_usd > 0:
        q = min(q, int((budget - opt.capex_usd) // opt.unit_cost_usd) if budget > opt.capex_usd
                else 0)  # fmt: skip
    return max(0, int(q))


def _levels(qmax: int, levels: int, fire_unit: bool) -> I:
    if qmax <= 0:
        return np.zeros(1, np.int64)
    if fire_unit or qmax <= levels:
        return np.arange(qmax + 1, dtype=np.int64)
    g = np.round(qmax * (np.arange(levels + 1) / levels) ** 1.5).astype(np.int64)
    return np.unique(g)


@dataclass
class CurveData:
    """The simulations behind one model: per scenario, option, level: objective and constraints."""

    levels: list[I]
    values: list[list[F]]  # [s][o] mean objective at each level
    stockout: list[list[F]]  # [s][o] (levels, C)
    end_stock: list[list[F]]
    time_w: F
    base_value: F  # (S,) the schedule around which the curves were taken
    noise: float = 0.0  # median paired standard error of a curve point against its level 0


def collect_curves(
    prep: Prepared, around: Schedule, reps: int, seed: int, time_w: F | None,
    progress: Progress | None = None,
) -> CurveData:  # fmt: skip
    """Simulate each option's curve (levels at its earliest arrival) with the other options at
    ``around``; and, if ``time_w`` is None, each option's time weights."""
    spec = prep.loaded.spec
    o_n, m_n, s_n = len(prep.options), len(prep.months), len(prep.campaigns)
    levels = [
        _levels(max_units(prep, o, spec.budget_usd), spec.levels, prep.options[o].kind == "fire_unit")
        for o in range(o_n)
    ]  # fmt: skip
    variants: list[Schedule] = [dict(around)]
    index: list[tuple[str, int, int]] = [("base", -1, -1)]
    for o in range(o_n):
        a0 = _earliest(prep, o)
        if a0 < 0:
            continue
        for li, q in enumerate(levels[o]):
            sc = {k: v for k, v in around.items() if k != o}
            if q > 0:
                sc[o] = [(a0, int(q))]
            variants.append(sc)
            index.append(("level", o, li))
        if time_w is None:
            qmax = int(levels[o][-1])
            delta = 1 if prep.options[o].kind == "fire_unit" else max(
                prep.options[o].min_lot, round(qmax / 3), 1)  # fmt: skip
            ms = [m for m in range(m_n) if prep.arrival[o, m] >= 0]
            pick = sorted({ms[round(i)] for i in np.linspace(0, len(ms) - 1, min(4, len(ms)))})
            for m in pick:
                sc = {k: v for k, v in around.items() if k != o}
                sc[o] = [(int(prep.arrival[o, m]), delta)]
                variants.append(sc)
                index.append(("time", o, m))
            sc = {k: v for k, v in around.items() if k != o}
            variants.append(sc)
            index.append(("time0", o, -1))
    vals: list[list[F]] = [[np.zeros(len(levels[o])) for o in range(o_n)] for _ in range(s_n)]
    so = [[np.full((len(levels[o]), len(spec.constraints)), np.nan) for o in range(o_n)]
          for _ in range(s_n)]  # fmt: skip
    es = [[np.full((len(levels[o]), len(spec.constraints)), np.nan) for o in range(o_n)]
          for _ in range(s_n)]  # fmt: skip
    tw = np.zeros((s_n, o_n, m_n)) if time_w is None else time_w
    base = np.zeros(s_n)
    ses: list[float] = []
    if progress:
        progress("response curves", 0, s_n)
    evs = simulate_scenarios(prep, range(s_n), variants, reps, seed)  # every scenario at once
    for s in range(s_n):
        ev = evs[s]
        means = ev.objective.mean(axis=1)
        base[s] = means[0]
        d = ev.objective[1:] - ev.objective[:1]
        ses.extend((d.std(axis=1, ddof=1) / math.sqrt(reps)).tolist())
        tpoints: dict[int, dict[int, float]] = {}
        t0: dict[int, float] = {}
        for k, (kind, o, j) in enumerate(index):
            if kind == "level":
                vals[s][o][j] = means[k]
                so[s][o][j] = ev.stockout[k]
                es[s][o][j] = ev.end_stock[k]
            elif kind == "time":
                tpoints.setdefault(o, {})[j] = means[k]
            elif kind == "time0":
                t0[o] = means[k]
        if time_w is None:
            for o, pts in tpoints.items():
                ms = sorted(pts)
                gains = np.array([t0[o] - pts[m] for m in ms])
                nights = np.array([prep.arrival[o, m] for m in ms], np.float64)
                g0 = gains[0]
                allm = [m for m in range(m_n) if prep.arrival[o, m] >= 0]
                an = np.array([prep.arrival[o, m] for m in allm], np.float64)
                if g0 <= 1e-9:  # no measurable effect: value falls linearly to the horizon's end
                    n = prep.n_nights
                    w = np.clip((n - an) / max(1.0, n - nights[0]), 0.0, 1.0)
                else:
                    w = np.interp(an, nights, np.clip(gains / g0, 0.0, 1.0))
                    w = np.minimum.accumulate(w)
                w[0] = 1.0 if an[0] == nights[0] else w[0]
                for m, wm in zip(allm, w, strict=True):
                    tw[s, o, m] = wm
    if progress:
        progress("response curves", s_n, s_n)
    pos = [v for v in ses if v > 0]
    return CurveData(levels, vals, so, es, tw, base, float(np.median(pos)) if pos else 0.0)


def _earliest(prep: Prepared, o: int) -> int:
    a = prep.arrival[o]
    ok = a[a >= 0]
    return int(ok.min()) if ok.size else -1


def build_model(
    prep: Prepared, data: CurveData, budget: float, around_x: I | None = None,
    tighten: dict[tuple[int, int], float] | None = None,
) -> tuple[SurrogateModel, list[dict[str, Any]]]:  # fmt: skip
    """The surrogate model from curve data (taken around ``around_x``, or the status quo)."""
    spec = prep.loaded.spec
    o_n, m_n, s_n = len(prep.options), len(prep.months), len(prep.campaigns)
    lim = _model_limits(prep, budget)
    curves = [[fit_curve(data.levels[o].astype(np.float64), data.values[s][o]) for o in range(o_n)]
              for s in range(s_n)]  # fmt: skip
    const = np.zeros(s_n)
    x0 = np.zeros((o_n, m_n), np.int64) if around_x is None else around_x
    for s in range(s_n):
        e = (data.time_w[s] * x0).sum(axis=1)
        # the curve of option o was taken with the others at x0: their value at x0 is the base
        const[s] = data.base_value[s] - sum(curves[s][o].value(float(e[o])) for o in range(o_n))
        if around_x is None:
            const[s] = data.base_value[s]
    notes: list[dict[str, Any]] = []
    bounds: list[LinearBound] = []
    tighten = tighten or {}
    for j, con in enumerate(spec.constraints):
        feeders = [o for o, opt in enumerate(prep.options) if opt.kind == "rounds" and
                   opt.pool == con.pool]  # fmt: skip
        for s in range(s_n):
            if not feeders:
                notes.append({"constraint": j, "scenario": prep.names[s],
                              "note": "no option adds rounds to this pool"})  # fmt: skip
                continue
            o1 = feeders[0]
            q = data.levels[o1].astype(np.float64)
            if isinstance(con, StockoutConstraint):
                pr = np.minimum.accumulate(data.stockout[s][o1][:, j])
                ok = pr <= con.max_probability
                need = _first_crossing(q, pr, con.max_probability, decreasing=True)
                coef = np.zeros((o_n, m_n))
                for o in feeders:
                    coef[o] = data.time_w[s, o]
            else:
                st = np.maximum.accumulate(data.end_stock[s][o1][:, j])
                ok = st >= con.rounds
                need = _first_crossing(q, st, float(con.rounds), decreasing=False)
                coef = np.zeros((o_n, m_n))
                for o in feeders:
                    coef[o] = (prep.arrival[o] >= 0).astype(np.float64)
            if not ok.any():
                notes.append({"constraint": j, "scenario": prep.names[s],
                              "note": "cannot be met by the options within their limits; "
                              "the most the options allow is required instead"})  # fmt: skip
                need = float(q[-1])
            need += tighten.get((j, s), 0.0)
            if need > 0:
                bounds.append(LinearBound(coef, float(need), j, s))
    model = SurrogateModel(**lim, const=const, curves=curves, time_w=data.time_w, bounds=bounds,
                           noise=data.noise, budget_ref=spec.budget_usd)  # fmt: skip
    return model, notes


def _first_crossing(q: F, y: F, level: float, decreasing: bool) -> float:
    """The smallest q (interpolated) at which y has crossed ``level``."""
    for k in range(q.size):
        hit = y[k] <= level if decreasing else y[k] >= level
        if hit:
            if k == 0:
                return 0.0
            y0, y1 = y[k - 1], y[k]
            f = 0.0 if y1 == y0 else (level - y0) / (y1 - y0)
            return float(q[k - 1] + np.clip(f, 0, 1) * (q[k] - q[k - 1]))
    return float(q[-1])


# ---- result ---------------------------------------------------------------------------------------
@dataclass
class Point:
    """One evaluated mix: cost, objective per replication (robust combination), per scenario."""

    x: I
    cost_usd: float
    per_rep: F
    per_scenario: F  # (S, R)
    stockout: F  # (S, C)
    end_stock: F
    surrogate: float
    label: str = ""
    # the constraints in detailed mode (S, C), where the detailed screen ran the mix
    det_stockout: F | None = None
    det_end_stock: F | None = None
    det_reps: int = 0
    det_end_stock_reps: F | None = None  # (S, R, C) for the interval of a mean end stock


@dataclass
class ProcurementResult:
    spec_name: str
    objective: str
    robust: str
    options: list[Option]
    months: list[dt.date]
    scenarios: list[str]
    weights: F
    budget_usd: float
    reps: int
    seed: int
    best: Point | None = None
    status_quo: Point | None = None
    proportional: Point | None = None
    pareto: list[Point] = field(default_factory=list)
    shadow: list[dict[str, Any]] = field(default_factory=list)
    doctrine: list[dict[str, Any]] = field(default_factory=list)
    confirmed: dict[str, Any] | None = None
    candidates: list[Point] = field(default_factory=list)
    screened: list[Point] = field(default_factory=list)  # the detailed screen's mixes, in order
    warnings: list[str] = field(default_factory=list)
    stages: dict[str, float] = field(default_factory=dict)
    interrupted: bool = False
    constraints: list[Any] = field(default_factory=list)
    results: dict[str, CampaignResult] = field(default_factory=dict)
    campaigns: dict[str, Campaign] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)

    # ---- JSON -------------------------------------------------------------------------------
    def _mix(self, x: I) -> list[dict[str, Any]]:
        out = []
        for o, opt in enumerate(self.options):
            orders = [
                {"month": self.months[m].isoformat(), "units": int(x[o, m]),
                 "cost_usd": float(x[o, m] * opt.unit_cost_usd)}
                for m in range(x.shape[1]) if x[o, m] > 0
            ]  # fmt: skip
            out.append({"option": opt.name, "kind": opt.kind, "units": int(x[o].sum()),
                        "cost_usd": float(x[o].sum() * opt.unit_cost_usd), "orders": orders})  # fmt: skip
        return out

    def _constraints(self, p: Point) -> list[dict[str, Any]]:
        """Each constraint's achieved value in fast mode (``achieved``, ``met``,
        ``per_scenario``) and, for a mix the detailed screen ran, in detailed mode too
        (``detailed``: the same fields and the screen's replications)."""
        out = []
        for j, con in enumerate(self.constraints):
            if isinstance(con, StockoutConstraint):
                vals, det, worst = p.stockout[:, j], p.det_stockout, np.nanmax
                limit: float = con.max_probability

                def met(v: float, lim: float = limit) -> bool:
                    return v <= lim + 1e-12
            else:
                assert isinstance(con, MinStockConstraint)
                vals, det, worst = p.end_stock[:, j], p.det_end_stock, np.nanmin
                limit = float(con.rounds)

                def met(v: float, lim: float = limit) -> bool:
                    return v >= lim - 1e-9

            got = float(worst(vals))
            entry: dict[str, Any] = {
                "kind": con.kind, "pool": con.pool,
                "limit": con.max_probability if isinstance(con, StockoutConstraint) else con.rounds,
                "achieved": got, "met": met(got),
                "per_scenario": dict(zip(self.scenarios, vals.tolist(), strict=True)),
            }  # fmt: skip
            if det is not None:
                d = float(worst(det[:, j]))
                entry["detailed"] = {
                    "achieved": d, "met": met(d), "reps": p.det_reps,
                    "per_scenario": dict(zip(self.scenarios, det[:, j].tolist(), strict=True)),
                }  # fmt: skip
            out.append(entry)
        return out

    def point_json(self, p: Point, mix: bool = True) -> dict[str, Any]:
        b = band(p.per_rep)
        d: dict[str, Any] = {
            "cost_usd": p.cost_usd,
            "objective": {"mean": b["mean"], "p5": b["p5"], "p95": b["p95"], "sd": b["sd"]},
            "surrogate_objective": p.surrogate,
        }
        if mix:
            d["mix"] = self._mix(p.x)
        d["constraints"] = self._constraints(p)
        return d

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.spec_name,
            "objective": self.objective,
            "robust": self.robust,
            "budget_usd": self.budget_usd,
            "reps": self.reps,
            "seed": self.seed,
            "mode": "fast",
            "method": "MILP (HiGHS) on convex piecewise-linear response curves fitted to fast-mode "
            "runs with common random numbers; refined around the first answer; the best "
            "fast-mode mixes, the proportional split and the status quo screened in detailed "
            "mode with common random numbers (Bonferroni paired screen): the detailed-mode best "
            "is the answer",
            "months": [m.isoformat() for m in self.months],
            "scenarios": [
                {"name": s, "weight": float(w)}
                for s, w in zip(self.scenarios, self.weights, strict=True)
            ],
            "interrupted": self.interrupted,
        }
        if self.best is not None:
            out["best"] = self.point_json(self.best)
        if self.status_quo is not None:
            out["status_quo"] = self.point_json(self.status_quo)
        if self.proportional is not None:
            out["proportional"] = self.point_json(self.proportional)
        if self.best is not None and self.status_quo is not None:
            out["improvement"] = paired(self.best.per_rep, self.status_quo.per_rep, "fast")
        out["pareto"] = self._pareto_json()
        out["shadow_price"] = self.shadow
        out["doctrine"] = self.doctrine
        out["confirmed"] = self.confirmed
        out["per_scenario"] = self._per_scenario()
        out["warnings"] = self.warnings
        out["stages_s"] = {k: round(v, 2) for k, v in self.stages.items()}
        out["info"] = self.info
        return out

    def _pareto_json(self) -> list[dict[str, Any]]:
        """The front's points, each with the budgets for which it is the best point of the front
        (from its own cost up to the next point's; the last point up to the full budget): the
        front spans zero to the full budget even where more money buys nothing more."""
        out = [self.point_json(p) for p in self.pareto]
        for k, d in enumerate(out):
            hi = out[k + 1]["cost_usd"] if k + 1 < len(out) else max(self.budget_usd, d["cost_usd"])
            d["budget_range_usd"] = [d["cost_usd"], hi]
        return out

    def _per_scenario(self) -> list[dict[str, Any]]:
        rows = []
        for s, name in enumerate(self.scenarios):
            row: dict[str, Any] = {"scenario": name, "weight": float(self.weights[s])}
            for label, p in (("best", self.best), ("status_quo", self.status_quo)):
                if p is not None:
                    b = band(p.per_scenario[s])
                    row[label] = {"mean": b["mean"], "p5": b["p5"], "p95": b["p95"]}
            if self.best is not None and self.status_quo is not None:
                row["difference"] = paired(self.best.per_scenario[s],
                                           self.status_quo.per_scenario[s], "fast")  # fmt: skip
            if self.confirmed and "per_scenario" in self.confirmed:
                row["confirmed"] = self.confirmed["per_scenario"].get(name)
            rows.append(row)
        return rows


def paired(a: F, b: F, mode: str, level: float = 0.95) -> dict[str, Any]:
    """Mean of the paired differences a - b with its t interval
    (:func:`airshield.intervals.paired_difference`), as a JSON-ready dict."""
    iv = paired_difference(np.asarray(a, np.float64) - np.asarray(b, np.float64), level)
    return {"mode": mode, "reps": iv.reps, "mean": iv.mean, "ci_low": iv.lo, "ci_high": iv.hi,
            "level": level}  # fmt: skip


# ---- the driver -----------------------------------------------------------------------------------
def _combine(prep: Prepared, per_s: F) -> F:
    """Per-replication robust combination of (S, R) scenario values."""
    if prep.loaded.spec.robust == "worst":
        return np.asarray(per_s[int(np.argmax(per_s.mean(axis=1)))], np.float64)
    return np.asarray((prep.weights[:, None] * per_s).sum(axis=0), np.float64)


def evaluate_mixes(
    prep: Prepared, xs: Sequence[I], model: SurrogateModel | None, reps: int, seed: int,
    labels: Sequence[str] | None = None,
) -> list[Point]:  # fmt: skip
    """Simulate mixes jointly (fast mode, common random numbers) in every scenario."""
    scheds = [schedule_of(prep, x) for x in xs]
    s_n = len(prep.campaigns)
    per_s = np.zeros((len(xs), s_n, reps))
    so = np.zeros((len(xs), s_n, len(prep.loaded.spec.constraints)))
    es = np.zeros_like(so)
    for s, ev in enumerate(simulate_scenarios(prep, range(s_n), scheds, reps, seed)):
        per_s[:, s] = ev.objective
        so[:, s] = ev.stockout
        es[:, s] = ev.end_stock
    lim = model or SurrogateModel(**_model_limits(prep, prep.loaded.spec.budget_usd),
                                  const=np.zeros(s_n), curves=[], time_w=np.zeros(0))  # fmt: skip
    out = []
    for k, x in enumerate(xs):
        sur = model.value(x) if model is not None else math.nan
        out.append(Point(x, lim.cost(x), _combine(prep, per_s[k]), per_s[k], so[k], es[k], sur,
                         labels[k] if labels else ""))  # fmt: skip
    return out


def _violations(prep: Prepared, p: Point) -> list[tuple[int, int, float]]:
    """(constraint, scenario, shortfall) of every constraint the fast-mode simulation finds
    violated."""
    return _violations_of(prep, p.stockout, p.end_stock)


def _violations_of(
    prep: Prepared, stockout: F | None, end_stock: F | None
) -> list[tuple[int, int, float]]:
    """(constraint, scenario, shortfall) of every constraint violated by (S, C) stockout shares
    and mean end stocks (fast or detailed mode)."""
    out: list[tuple[int, int, float]] = []
    if stockout is None or end_stock is None:
        return out
    for j, con in enumerate(prep.loaded.spec.constraints):
        for s in range(len(prep.campaigns)):
            if isinstance(con, StockoutConstraint) and stockout[s, j] > con.max_probability:
                out.append((j, s, float(stockout[s, j] - con.max_probability)))
            if isinstance(con, MinStockConstraint) and end_stock[s, j] < con.rounds:
                out.append((j, s, float(con.rounds - end_stock[s, j])))
    return out


def _detailed_meets(prep: Prepared, p: Point) -> bool:
    """The mix met every constraint in the detailed screen (False where it was not screened)."""
    return p.det_stockout is not None and not _violations_of(prep, p.det_stockout,
                                                             p.det_end_stock)  # fmt: skip


def detailed_eligibility(
    prep: Prepared, pts: Sequence[Point], fast_ok: Sequence[bool]
) -> tuple[list[bool], list[str]]:
    """Which screened mixes (``det_stockout`` / ``det_end_stock`` set) the recommendation may be:
    those that meet every constraint **in detailed mode**, if any does; if none does, those that
    violate the fewest constraints in detailed mode (of them, the ones that passed the fast-mode
    checks, ``fast_ok``, if any). Returns the eligibility and the warnings to give: a mix that
    passed in fast mode but fails in detailed mode, and no screened mix meeting a constraint.

    A detailed-mode violation rules a mix out only when it is clear of the Monte Carlo error of
    the few detailed replications: the constraint's limit lies outside the 95 % interval of the
    detailed value, on the wrong side (with 8 replications one dry night in eight is a
    stockout share of 0.125 [0.003, 0.53], no evidence against a 10 % limit). A violation within
    that error is named in a warning, and the fast mode's many replications decide."""
    spec = prep.loaded.spec
    warn: list[str] = []
    if not spec.constraints or not pts:
        return [True] * len(pts), warn
    bad: list[set[int]] = []
    unclear: list[list[str]] = []
    for p in pts:
        clear, noisy = set(), []
        for j, cn in enumerate(constraint_values(prep, p)):
            d = cn["detailed"]
            if d["met"]:
                continue
            lo, hi, limit = d["ci_low"], d["ci_high"], cn["limit"]
            beyond = lo > limit if cn["kind"] == "stockout_probability" else hi < limit
            if beyond:
                clear.add(j)
            else:
                noisy.append(f"{cn['kind']} {cn['pool']} {d['achieved']:.3g} "
                             f"[{lo:.3g}, {hi:.3g}] against {limit:.3g}")  # fmt: skip
        bad.append(clear)
        unclear.append(noisy)

    def names(js: set[int]) -> str:
        return ", ".join(f"{spec.constraints[j].kind} {spec.constraints[j].pool}"
                         for j in sorted(js))  # fmt: skip

    label = [p.label or "status quo" for p in pts]
    fewest = min(len(b) for b in bad)
    ok = [len(b) == fewest for b in bad]
    if fewest > 0 and any(o and f for o, f in zip(ok, fast_ok, strict=True)):
        ok = [o and f for o, f in zip(ok, fast_ok, strict=True)]
    lost = [i for i in range(len(pts)) if fast_ok[i] and bad[i] and not ok[i]]
    if lost:
        names_lost = ", ".join(repr(label[i]) for i in lost)
        details = []
        for i in lost:
            for cn in constraint_values(prep, pts[i]):
                d = cn["detailed"]
                if not d["met"]:
                    details.append(f"{label[i]}: {cn['kind']} {cn['pool']} {d['achieved']:.3g} "
                                   f"[{d['ci_low']:.3g}, {d['ci_high']:.3g}] against "
                                   f"{cn['limit']:.3g}")  # fmt: skip
        warn.append(
            (f"{names_lost} met the constraints in fast mode but clearly not in detailed mode "
             "(confirmed.screen[].constraints): not recommended, since a screened mix meets them "
             "in detailed mode" if fewest == 0 else
             f"{names_lost} met the constraints in fast mode but clearly violate more of them in "
             "detailed mode than other screened mixes: not recommended")
            + f" ({'; '.join(details)}; detailed mode, 95 % interval)"
        )  # fmt: skip
    for i, noisy in enumerate(unclear):
        if noisy and ok[i]:
            warn.append(
                f"{label[i]!r} violates a constraint in detailed mode by its point estimate, "
                f"within the Monte Carlo error of {pts[i].det_reps} detailed replications (the "
                f"limit is inside the 95 % interval: {'; '.join(noisy)}), so it is not ruled out; "
                "more --confirm-reps would settle it"
            )
    if fewest > 0:
        every = set.intersection(*bad)
        warn.append(
            f"no screened mix meets every constraint in detailed mode ({pts[0].det_reps} "
            f"replications; {names(every) or 'each fails a different one'}): the recommendation "
            f"is among those that violate the fewest ({fewest}); see confirmed.screen[].constraints"
        )  # fmt: skip
    return ok, warn


def constraint_values(prep: Prepared, p: Point) -> list[dict[str, Any]]:
    """Each constraint of a screened mix in fast and in detailed mode, side by side: the
    achieved value (worst scenario), whether it is met, per scenario, and for detailed mode a 95 %
    interval (Clopper-Pearson for a stockout probability, t for a mean end stock) in the worst
    scenario."""
    from scipy.stats import binomtest

    out: list[dict[str, Any]] = []
    if p.det_stockout is None or p.det_end_stock is None:
        return out
    reps = p.det_reps
    for j, con in enumerate(prep.loaded.spec.constraints):
        if isinstance(con, StockoutConstraint):
            fast, det = p.stockout[:, j], p.det_stockout[:, j]
            s = int(np.argmax(det))
            ci = binomtest(round(float(det[s]) * reps), reps).proportion_ci(0.95, "exact")
            lo, hi, limit = float(ci.low), float(ci.high), con.max_probability
            met_f, met_d = float(fast.max()) <= limit + 1e-12, float(det.max()) <= limit + 1e-12
            fa, da = float(fast.max()), float(det.max())
        else:
            fast, det = p.end_stock[:, j], p.det_end_stock[:, j]
            s = int(np.argmin(det))
            da, fa, limit = float(det.min()), float(fast.min()), float(con.rounds)
            lo = hi = da
            if p.det_end_stock_reps is not None and reps > 1:
                iv = paired_difference(np.asarray(p.det_end_stock_reps[s, :, j], np.float64))
                lo, hi = iv.lo, iv.hi
            met_f, met_d = fa >= limit - 1e-9, da >= limit - 1e-9
        out.append({
            "kind": con.kind, "pool": con.pool, "limit": limit,
            "fast": {"achieved": fa, "met": bool(met_f),
                     "per_scenario": dict(zip(prep.names, fast.tolist(), strict=True))},
            "detailed": {"achieved": da, "met": bool(met_d), "reps": reps,
                         "ci_low": lo, "ci_high": hi, "scenario": prep.names[s],
                         "per_scenario": dict(zip(prep.names, det.tolist(), strict=True))},
        })  # fmt: skip
    return out


def _meets(prep: Prepared, p: Point) -> bool:
    return not _violations(prep, p)


def proportional_mix(prep: Prepared, model: SurrogateModel) -> I:
    """The budget split over the options in proportion to what each could spend at most (price x
    the most it could deliver), each share ordered evenly over the months it can be ordered in
    (scaled down until the spending profile holds)."""
    o_n, m_n = model.shape
    cap = np.array([max_units(prep, o, model.budget) * model.unit_cost[o] for o in range(o_n)])
    x = np.zeros((o_n, m_n), np.int64)
    if cap.sum() <= 0 or model.budget <= 0:
        return x
    scale = 1.0
    for _ in range(60):
        share = scale * model.budget * cap / cap.sum()
        x = np.zeros((o_n, m_n), np.int64)
        for o in range(o_n):
            money = share[o] - model.capex[o]
            if money <= 0 or model.unit_cost[o] <= 0:
                continue
            want = int(min(money // model.unit_cost[o], model.max_total[o]))
            ms = [m for m in range(m_n) if model.orderable[o, m]]
            if not ms or want <= 0:
                continue
            per = min(int(model.max_per_month[o]), max(int(model.min_lot[o]), want // len(ms)))
            for m in ms:
                u = min(per, want)
                if u < model.min_lot[o]:
                    break
                x[o, m] = u
                want -= u
        if model.feasible(x, bounds=False):
            return x
        scale *= 0.95
    return np.zeros((o_n, m_n), np.int64)


def optimise(
    loaded: LoadedProcurement,
    reps: int = 200,
    seed: int = 0,
    *,
    curve_reps: int | None = None,
    confirm_reps: int = 8,
    pareto_points: int = 14,
    workers: int = 1,
    runner: DetailedRunner | None = None,
    evaluator: Evaluator | None = None,
    design: DesignSpec | None = None,
    confirm: bool = True,
    check_kinds: bool = False,
    screen: int = 2,
    keep_results: bool = True,
    progress: bool | Progress = False,
) -> ProcurementResult:
    """Solve the procurement problem (see the module docstring). Ctrl-C stops at the current
    stage and returns what finished (``interrupted`` set).

    ``evaluator`` runs the fast-mode evaluations (curves, candidates, Pareto points, finite
    differences): in this process by default, or through a sweep backend
    (:class:`airshield.plan.fanout.Evaluator`); ``runner`` the detailed confirmation's cells.
    Neither changes the answer. ``screen``: how many of the best fast-mode mixes (the best and
    its runners-up) the confirmation runs in detailed mode, with the proportional split and the
    status quo; the recommendation is the best of them **in detailed mode**
    (:func:`screen_detailed`), so it does not hinge on the fast mode's error. ``check_kinds``: the
    confirmation also measures the surrogate's error per option kind
    (``confirmed.surrogate_error_by_kind``)."""
    spec = loaded.spec
    cb: Progress = progress if callable(progress) else (lambda s, d, t: None)
    stop: Callable[[], None] = lambda: None  # noqa: E731
    if progress is True:
        from airshield.progress import staged_reporter

        cb, stop = staged_reporter(True)
    res = ProcurementResult(
        spec.name, spec.objective, spec.robust, list(spec.options), [], [], np.zeros(0),
        spec.budget_usd, reps, seed, constraints=list(spec.constraints),
    )  # fmt: skip
    t0 = time.perf_counter()
    n_curve = curve_reps or max(50, reps // 2)

    def stage(name: str) -> None:
        res.stages[name] = time.perf_counter() - t0

    try:
        prep = prepare(loaded, design=design, workers=workers, progress=cb)
        if evaluator is not None:
            prep.evaluator = evaluator
        res.info["fast_backend"] = {"backend": prep.evaluator.backend,
                                    "workers": prep.evaluator.workers}  # fmt: skip
        res.months, res.scenarios, res.weights = prep.months, prep.names, prep.weights
        res.info["surrogate"] = {k: prep.surrogate.info.get(k) for k in
                                 ("key", "raid_runs", "cached", "fit_s")}  # fmt: skip
        res.info["curve_reps"] = n_curve
        res.info["decisions"] = int(prep.arrival.size)
        stage("surrogate")
        o_n, m_n = prep.arrival.shape
        zero = np.zeros((o_n, m_n), np.int64)
        data1 = collect_curves(prep, {}, n_curve, seed, None, cb)
        model1, notes = build_model(prep, data1, spec.budget_usd)
        stage("curves")
        x1, relaxed1, status1 = solve_relaxing(model1)
        res.info["milp_status"] = [status1]
        # refinement around the first answer
        data2 = collect_curves(prep, schedule_of(prep, x1), n_curve, seed, data1.time_w, cb)
        model2, notes2 = build_model(prep, data2, spec.budget_usd, around_x=x1)
        milp_stats: dict[str, Any] = {}
        x2, relaxed2, status2 = solve_relaxing(model2, milp_stats)
        res.info["milp_status"].append(status2)
        if relaxed1 or relaxed2:
            res.warnings.append(
                "the constraints cannot all be met within the budget and the options' limits: "
                "the MILP was solved without them (see best.constraints for what is achieved)"
            )
        stage("refinement")
        prop = proportional_mix(prep, model1)
        cands = evaluate_mixes(prep, [zero, x1, x2, prop], model2, reps, seed,
                               ["status quo", "first MILP", "refined MILP", "proportional"])  # fmt: skip
        sq, _c1, c2, pp = cands
        res.status_quo, res.proportional = sq, pp
        res.candidates = cands  # kept if Ctrl-C stops a later stage
        # repair constraints the simulation finds violated (tighten, re-solve)
        rep = repair_constraints(prep, data2, x1, model2, c2, reps, seed, milp_stats)
        model, milp_stats = rep.model, rep.stats
        res.info["milp_status"].extend(rep.statuses)
        cands.extend(rep.points)
        if rep.infeasible and not (relaxed1 or relaxed2):
            res.warnings.append(
                "the constraint repair could not tighten the linearised constraints further "
                "within the budget and the options' limits (the MILP became infeasible): the "
                "last feasible repair is kept (see best.constraints for what is achieved)"
            )
        stage("candidates")
        # the Pareto front: its points are candidates too (the MILP at smaller budgets can find a
        # mix the simulation likes better)
        front = pareto_front(prep, model, reps, seed, pareto_points, cb)
        stage("pareto")
        every = [*cands[1:], *front]
        feasible = [p for p in every if _meets(prep, p) and model.feasible(p.x, bounds=False)]
        pool = feasible or [p for p in every if model.feasible(p.x, bounds=False)]
        # the simulated mean, with the MILP's price of money (a gain within the noise of the
        # curves does not justify spending more)
        eps = _tie_eps(model)
        best = min(pool, key=lambda p: float(p.per_rep.mean()) + eps * p.cost_usd)
        if spec.constraints and not feasible:
            res.warnings.append("no candidate met every constraint in simulation; the best "
                                "mix violates some (see best.constraints)")  # fmt: skip
        if sq.per_rep.mean() <= best.per_rep.mean() + eps * best.cost_usd and (
            _meets(prep, sq) or not feasible
        ):
            best = sq
        res.best = best
        res.candidates = cands
        if confirm:
            # detailed mode decides between the best fast-mode mixes: the surrogate proposes,
            # the raid engine every night (common random numbers) disposes
            others = screen_candidates(prep, model, best, sq, pp, pool, screen)
            got: dict[str, Any] = {}
            res.confirmed = confirm_detailed(
                prep, best.x, confirm_reps, seed, workers, runner, cb, kinds=check_kinds,
                fast_reps=reps, others=[p.x for p in others], collect=got,
            )  # fmt: skip
            cand, dets = [best, *others], list(got["mixes"])
            dcons = list(got["constraints"][1:])
            ok_fast = [_meets(prep, p) or not feasible for p in cand]
            if np.array_equal(best.x, sq.x):  # the status quo is screened as itself
                cand, dets, ok_fast, dcons = cand[1:], dets[1:], ok_fast[1:], dcons[1:]
            sq_fast = _meets(prep, sq) or not feasible
            for p, (so_d, es_d) in zip([*cand, sq], [*dcons, got["constraints"][0]], strict=True):
                p.det_stockout, p.det_end_stock = so_d.mean(axis=1), es_d.mean(axis=1)
                p.det_reps, p.det_end_stock_reps = confirm_reps, es_d
            elig, why = detailed_eligibility(prep, [*cand, sq], [*ok_fast, sq_fast])
            res.warnings.extend(why)
            rows: list[dict[str, Any]] = []
            chosen_p, det = best, got["mixes"][0]
            if cand:
                k, rows = screen_detailed(cand, dets, sq, got["status_quo"], eps, elig[:-1],
                                          elig[-1], weights=prep.weights,
                                          robust=spec.robust)  # fmt: skip
                chosen_p, det = (sq, got["status_quo"]) if k < 0 else (cand[k], dets[k])
                for r, p, okf in zip(rows, [*cand, sq], [*ok_fast, sq_fast], strict=True):
                    r["meets_fast"] = bool(_meets(prep, p))
                    r["meets_detailed"] = not _violations_of(prep, p.det_stockout,
                                                             p.det_end_stock)  # fmt: skip
                    r["eligible_fast"] = bool(okf)
                    r["constraints"] = constraint_values(prep, p)
            res.confirmed["screen"] = rows
            res.screened = [*cand, sq] if rows else []
            res.confirmed["selected"] = "status quo" if chosen_p is sq else chosen_p.label
            announced: tuple[str, str] | None = None
            if not np.array_equal(chosen_p.x, best.x):
                announced = (best.label, res.confirmed["selected"])
                res.confirmed.update(_confirmed_core(prep, got["status_quo"], det))
                by_cons = (_meets(prep, best) or not feasible) and not _detailed_meets(prep, best)
                res.warnings.append(
                    f"detailed mode ranks '{res.confirmed['selected']}' above the fast mode's "
                    f"best ('{best.label}'): "
                    + ("the fast mode's best violates a constraint in detailed mode"
                       if by_cons and _detailed_meets(prep, chosen_p) else
                       "the fast mode's error changes the ranking")
                    + ", and the recommendation is the detailed-mode winner (confirmed.screen)"
                )  # fmt: skip
                best = chosen_p
                res.best = best
            _screen_flags(res, rows, announced)
            stage("confirmation")
        res.info["certificate"] = _certificate(model, best, milp_stats)
        res.info["curve_notes"] = notes + notes2
        res.info["surrogate_error"] = _surrogate_error(best)
        _ranking_flags(res, best, cands)
        res.pareto = non_dominated([*front, best])
        res.shadow = shadow_prices(prep, model, best, reps, seed, res)
        res.doctrine = doctrine(prep, res, n_curve, seed)  # curve replications: a slope
        stage("shadow prices")
        if keep_results:
            for label, p in (("status_quo", sq), ("best", best)):
                sched = schedule_of(prep, p.x)
                _, kept = simulate(prep, 0, [sched], reps, seed, keep=True)
                res.results[label] = kept[0]
                res.campaigns[label] = materialise(prep, 0, p.x)
        if res.confirmed is not None:
            _confirm_flags(res)
    except KeyboardInterrupt:
        res.interrupted = True
        res.warnings.append("interrupted (Ctrl-C): the stages that finished are kept")
    finally:
        stop()
    res.info["elapsed_s"] = round(time.perf_counter() - t0, 2)
    if "prep" in locals():
        res.info["fast_backend"]["jobs"] = prep.evaluator.jobs
        res.info["fast_backend"]["memo_hits"] = prep.memo_hits
    return res


def repair_step(prep: Prepared, data: CurveData, j: int) -> float:
    """How much the constraint repair tightens constraint ``j``'s linearised bound per round: one
    curve step of the option the bound is read off (the constrained pool's first ``rounds``
    feeder, :func:`build_model`), in that option's units. (A step of another option's scale,
    e.g. interceptor drones for a Patriot-class pool, would make the bound impossible, and the
    MILP would drop the constraints instead of meeting them.)"""
    spec = prep.loaded.spec
    pool = spec.constraints[j].pool
    o1 = next((o for o, opt in enumerate(spec.options)
               if opt.kind == "rounds" and opt.pool == pool), None)  # fmt: skip
    top = float(data.levels[o1][-1]) if o1 is not None else 0.0
    return max(1.0, top / spec.levels)


@dataclass
class Repair:
    """What the constraint repair did: the last model whose MILP kept its constraints, its
    answer and HiGHS statistics, the repaired mixes simulated (fast mode), the MILP statuses, the
    tightening per (constraint, scenario), and whether a further tightening made the MILP
    infeasible (and was undone)."""

    model: SurrogateModel
    x: I
    stats: dict[str, Any]
    points: list[Point]
    statuses: list[str]
    tighten: dict[tuple[int, int], float]
    infeasible: bool = False


def repair_constraints(
    prep: Prepared, data: CurveData, around_x: I, model: SurrogateModel, chosen: Point,
    reps: int, seed: int, stats: dict[str, Any] | None = None, rounds: int = 3,
) -> Repair:  # fmt: skip
    """Tighten every linearised constraint that the simulation of ``chosen`` (the MILP's answer
    on ``model``) finds violated by one :func:`repair_step`, re-solve and simulate, at most
    ``rounds`` times. A tightening that makes the MILP infeasible is undone: the repair never
    drops the constraints to get an answer."""
    spec = prep.loaded.spec
    out = Repair(model, chosen.x, dict(stats or {}), [], [], {})
    tight: dict[tuple[int, int], float] = {}
    for _ in range(rounds):
        viol = _violations(prep, chosen)
        if not viol or not spec.constraints:
            break
        for j, s, _short in viol:
            tight[(j, s)] = tight.get((j, s), 0.0) + repair_step(prep, data, j)
        m, _ = build_model(prep, data, spec.budget_usd, around_x=around_x, tighten=tight)
        st: dict[str, Any] = {}
        x, v, status = solve_milp(m, stats=st)
        out.statuses.append(status)
        if not math.isfinite(v):
            out.infeasible = True
            break
        chosen = evaluate_mixes(prep, [x], m, reps, seed, ["repaired MILP"])[0]
        out.model, out.x, out.stats, out.tighten = m, x, st, dict(tight)
        out.points.append(chosen)
    return out


def _certificate(model: SurrogateModel, best: Point, stats: dict[str, Any]) -> dict[str, Any]:
    """The chosen mix against HiGHS's proven bound of the final MILP: on the surrogate, no mix
    within the limits and the linearised constraints is better than ``dual_bound``; the chosen
    mix (which may come from the simulation-checked candidates, not the MILP) is within
    ``gap_to_bound`` of it. A bound on the surrogate, not on the simulation."""
    if not stats:
        return {}
    chosen = model.value(best.x) + _tie_eps(model) * model.cost(best.x)
    bound = float(stats["dual_bound"])
    gap = chosen - bound
    return {
        "milp": stats,
        "chosen_milp_objective": chosen,
        "gap_to_bound": gap,
        "relative_gap": gap / abs(chosen) if chosen else math.nan,
        "note": "HiGHS's proven lower bound of the final MILP (the surrogate plus the price of "
        "money); the chosen mix's value on the same model; a bound on the surrogate, not on "
        "the simulation",
    }


def _surrogate_error(p: Point) -> dict[str, float]:
    sim = float(p.per_rep.mean())
    return {"surrogate": p.surrogate, "simulated": sim, "error": p.surrogate - sim,
            "relative": (p.surrogate - sim) / sim if sim else math.nan}  # fmt: skip


def _ranking_flags(res: ProcurementResult, best: Point, cands: list[Point]) -> None:
    """Where the surrogate's error is larger than the gap between the best and a runner-up, the
    ranking rests on the simulation, not on the surrogate: say so."""
    err = max(abs(p.surrogate - float(p.per_rep.mean())) for p in cands if np.isfinite(p.surrogate))
    res.info["surrogate_max_error"] = err
    close = []
    for p in cands:
        if p is best or p.label == "status quo":
            continue
        gap = float(p.per_rep.mean() - best.per_rep.mean())
        mc = paired(p.per_rep, best.per_rep, "fast")
        if abs(gap) < err:
            close.append({"candidate": p.label, "gap": gap, "surrogate_error": err,
                          "fast_mode_difference": mc})  # fmt: skip
    res.info["ranking_risk"] = close
    if close:
        names = ", ".join(str(c["candidate"]) for c in close)
        res.warnings.append(
            f"the surrogate's error (up to {err:.1f}) exceeds the gap between the best mix and "
            f"{names}: their order comes from the fast-mode simulation, not the surrogate"
        )


def _confirm_flags(res: ProcurementResult) -> None:
    c = res.confirmed
    if not c or "difference" not in c or res.best is None or res.status_quo is None:
        return
    for row in c.get("surrogate_error_by_kind", []):
        d = row["detailed_effect"]
        if not row["within_interval"] and abs(row["relative_error"]) > 0.10:
            res.warnings.append(
                f"the fast mode misjudges the effect of the {row['kind']} options "
                f"({row['mix']}): fast {row['fast_effect']['mean']:.1f}, detailed "
                f"{d['mean']:.1f} [{d['ci_low']:.1f}, {d['ci_high']:.1f}] "
                f"({row['relative_error']:+.0%}); their amounts rest on the surrogate"
            )
    d = c["difference"]
    fast = paired(res.best.per_rep, res.status_quo.per_rep, "fast")
    c["fast_difference"] = fast
    if res.best.x.sum() == 0:
        return
    if d["ci_high"] >= 0:
        res.warnings.append(
            "detailed mode does not confirm that the best mix beats the status quo (the paired "
            "95 % interval of the difference reaches zero): more confirmation replications, or "
            "the fast mode's error is as large as the gain"
        )
    elif not (d["ci_low"] <= fast["mean"] <= d["ci_high"]):
        res.warnings.append(
            f"fast and detailed mode disagree on the size of the gain (fast {fast['mean']:.1f}, "
            f"detailed {d['mean']:.1f} [{d['ci_low']:.1f}, {d['ci_high']:.1f}]); the ranking "
            "against the status quo holds in both"
        )


def pareto_front(
    prep: Prepared, model: SurrogateModel, reps: int, seed: int, points: int,
    progress: Progress | None = None,
) -> list[Point]:  # fmt: skip
    """The MILP at budgets from zero to the full budget, each answer simulated; the
    non-dominated points (cost up, objective down), sorted by cost."""
    # denser at small budgets, where the front is steepest (cheap capacity first)
    budgets = np.concatenate([[0.0], model.budget * np.geomspace(0.002, 1.0, max(1, points - 1))])
    xs = []
    for k, b in enumerate(budgets):
        x, _, _ = solve_relaxing(model.with_budget(float(b)))
        xs.append(x)
        if progress:
            progress("pareto", k + 1, len(budgets))
    uniq: list[I] = []
    for x in xs:
        if not any(np.array_equal(x, u) for u in uniq):
            uniq.append(x)
    pts = evaluate_mixes(prep, uniq, model, reps, seed, [f"budget {b:.3g}" for b in budgets])
    return non_dominated(pts)


def non_dominated(pts: list[Point]) -> list[Point]:
    """Points no other point beats on both cost and mean objective, sorted by cost."""
    pts = sorted(pts, key=lambda p: (p.cost_usd, float(p.per_rep.mean())))
    out: list[Point] = []
    for p in pts:
        if not out or float(p.per_rep.mean()) < float(out[-1].per_rep.mean()):
            if out and p.cost_usd == out[-1].cost_usd:
                out[-1] = p
            else:
                out.append(p)
    return out


def _plus(prep: Prepared, model: SurrogateModel, x: I, o: int) -> tuple[I, int]:
    """``x`` with a small lot more of option ``o``, in the earliest month with spare capacity
    (else its earliest month, beyond the monthly limit: a shadow price is a marginal value)."""
    opt = prep.options[o]
    qmax = max(1, max_units(prep, o, model.budget * 10))
    delta = max(opt.min_lot, 1, round(0.05 * qmax)) if opt.kind != "fire_unit" else 1
    y = x.copy()
    ms = [m for m in range(x.shape[1]) if model.orderable[o, m]]
    for m in ms:
        if x[o, m] + delta <= model.max_per_month[o]:
            y[o, m] += delta
            return y, delta
    if ms:
        y[o, ms[0]] += delta
    return y, delta


def shadow_prices(
    prep: Prepared, model: SurrogateModel, best: Point, reps: int, seed: int,
    res: ProcurementResult,
) -> list[dict[str, Any]]:  # fmt: skip
    """Per option: the objective change of a few more units at the best mix, per unit and per
    USD 1M (negative: fewer leakers), from the surrogate and from a simulated finite difference
    with common random numbers."""
    o_n = len(prep.options)
    plus = [_plus(prep, model, best.x, o) for o in range(o_n)]
    pts = evaluate_mixes(prep, [best.x] + [p for p, _ in plus], model, reps, seed)
    base = pts[0]
    out = []
    for o, opt in enumerate(prep.options):
        y, delta = plus[o]
        if opt.kind == "fire_unit" and y[o].sum() > len(prep.slots[opt.name]):
            out.append({"option": opt.name, "units_added": 0, "per_unit": None, "per_musd": None,
                        "simulated": {"per_unit": None, "per_musd": None, "difference": None},
                        "beyond_limits": True, "sign": "no unit slot left (max_total)"})  # fmt: skip
            continue
        sim = float(pts[o + 1].per_rep.mean() - base.per_rep.mean())
        fd = paired(pts[o + 1].per_rep, base.per_rep, "fast")
        surr = model.value(y) - model.value(best.x)
        musd = delta * opt.unit_cost_usd / 1e6
        slim = opt.max_total is not None and best.x[o].sum() + delta > opt.max_total
        out.append({
            "option": opt.name,
            "units_added": delta,
            "per_unit": surr / delta,
            "per_musd": surr / musd if musd > 0 else None,
            "simulated": {"per_unit": sim / delta, "per_musd": sim / musd if musd > 0 else None,
                          "difference": fd},
            "beyond_limits": bool(slim or (y[o] > model.max_per_month[o]).any()),
            "sign": "improves" if sim < 0 else ("worsens" if sim > 0 else "no effect"),
        })  # fmt: skip
    # the budget's shadow price: the slope of the Pareto front at the full budget
    if len(res.pareto) >= 2:
        a, b = res.pareto[-2], res.pareto[-1]
        dc = (b.cost_usd - a.cost_usd) / 1e6
        if dc > 0:
            res.info["budget_shadow_price_per_musd"] = float(
                (b.per_rep.mean() - a.per_rep.mean()) / dc
            )
    return out


def doctrine(prep: Prepared, res: ProcurementResult, reps: int, seed: int) -> list[dict[str, Any]]:
    """The value of a round of each pool a rounds option feeds, at the best mix: the objective
    change of one more round on hand (leakers later caused by firing it now) at the start of the
    horizon and, for pools where that is measurable, at the start of every order month
    (``by_month``: a time-varying shadow price, :mod:`airshield.plan.doctrine`); in USD (damage
    per harmful leaker of the best mix) and as the effective cost per shot = sticker +
    opportunity cost that the nightly cost threshold should use."""
    from airshield.plan.doctrine import round_values

    best = res.best
    if res.status_quo is None or best is None:
        return []
    _, kept = simulate(prep, 0, [schedule_of(prep, best.x)], reps, seed, keep=True)
    r0 = kept[0]
    lh = float(r0.leaked_harmful().sum(axis=1).mean())
    dmg = float(r0.damage_usd.sum(axis=1).mean())
    usd = dmg / lh if lh > 0 else 0.0
    first = round_values(prep, best.x, reps, seed, usd_per_leaker=usd, months=[0])
    short = [v["pool"] for v in first if v["by_month"][0]["measurable"]]
    monthly = {
        v["pool"]: v
        for v in (round_values(prep, best.x, reps, seed, usd_per_leaker=usd, pools=short)
                  if short else [])
    }  # fmt: skip
    out: list[dict[str, Any]] = []
    for v in first:
        m0 = v["by_month"][0]
        entry: dict[str, Any] = {
            "pool": v["pool"],
            "effector": v["effector"],
            "rounds_added": m0["rounds_added"],
            "leakers_per_round": m0["leakers_per_round"],
            "objective_per_round": m0["objective_per_round"],
            "usd_per_harmful_leaker": usd,
            "opportunity_cost_usd": m0["opportunity_cost_usd"],
            "sticker_cost_usd": v["sticker_cost_usd"],
            "effective_cost_per_shot_usd": v["sticker_cost_usd"] + m0["opportunity_cost_usd"],
        }
        full = monthly.get(v["pool"])
        entry["by_month"] = [
            {"month": m["month"], "leakers_per_round": m["leakers_per_round"],
             "measurable": m["measurable"], "opportunity_cost_usd": m["opportunity_cost_usd"],
             "effective_cost_per_shot_usd": v["sticker_cost_usd"] + m["opportunity_cost_usd"]}
            for m in (full["by_month"] if full else v["by_month"])
        ]  # fmt: skip
        out.append(entry)
    return out


def doctrine_template(
    tpl: Scenario, entries: list[dict[str, Any]], objective: str = "damage_usd",
    unit: str = "objective",
) -> Scenario:  # fmt: skip
    """The raid template with each effector type's cost per shot at the start of the horizon
    set so that the nightly cost threshold weighs what firing the round now costs later (month
    by month: :func:`airshield.plan.doctrine.doctrine_schedule`).

    ``unit="usd"`` (or a ``damage_usd`` objective): the sticker price plus the round's shadow
    value in USD, against the template's asset values. ``unit="objective"`` with a
    ``harmful_leakers`` objective: the template valued in harmful leakers
    (:func:`airshield.plan.doctrine.objective_valued_template`: every harmful threat worth the
    USD per harmful leaker, rounds on hand free to fire) and each priced type's cost per shot its
    opportunity cost alone."""
    from airshield.plan.doctrine import objective_valued_template, priced_template

    if unit not in ("usd", "objective"):
        raise ValueError(f"unit {unit!r}: expected 'usd' or 'objective'")
    effs = [e["effector"] for e in entries]
    if unit == "usd" or objective != "harmful_leakers" or not entries:
        return priced_template(tpl, effs, [float(e["effective_cost_per_shot_usd"])
                                           for e in entries])  # fmt: skip
    usd = float(entries[0]["usd_per_harmful_leaker"])
    return priced_template(objective_valued_template(tpl, usd), effs,
                           [float(e["opportunity_cost_usd"]) for e in entries])  # fmt: skip


def materialise(prep: Prepared, s: int, x: I) -> Campaign:
    """Scenario ``s``'s campaign with mix ``x`` written in: dated deliveries into the pools, team
    additions, fire units' rounds (a campaign file anyone can run)."""
    c = prep.campaigns[s]
    pools = {p.name: p.model_copy(deep=True) for p in c.defender.pools}
    teams = {t.name: t.model_copy(deep=True) for t in c.defender.teams}
    for o, arrivals in schedule_of(prep, x).items():
        opt = prep.options[o]
        j = 0
        for a, units in sorted(arrivals):
            date = c.dates[a]
            note = f"procured: {opt.name}"
            if opt.kind == "rounds":
                pools[str(opt.pool)].deliveries.append(
                    OnceDelivery(kind="once", date=date, rounds=units, note=note)
                )
            elif opt.kind == "team":
                teams[str(opt.teams)].additions.append(
                    TeamAddition(date=date, teams=units, note=note)
                )
            else:
                for _ in range(units):
                    name = _slot_pool(opt, j)
                    pools[name].deliveries.append(
                        OnceDelivery(kind="once", date=date, note=note,
                                     rounds=_rounds_per_unit(prep, opt, a))
                    )  # fmt: skip
                    j += 1
    defender = c.defender.model_copy(
        update={"pools": list(pools.values()), "teams": list(teams.values())}
    )
    return c.model_copy(update={"defender": defender}).with_template(c.template, c.path)


@dataclass(frozen=True)
class DetailedCell:
    """One detailed-mode campaign run of the confirmation (plain data, so any runner ships it).

    ``constraints``: per constraint of the spec, the pool and the nights a stockout counts on
    (indices; ``None`` for a ``min_stock`` constraint), so the cell measures the constraints in
    detailed mode too."""

    index: int
    campaign_json: str
    template_json: str
    seed: int
    reps: int
    objective: str = "harmful_leakers"
    constraints: tuple[tuple[str, tuple[int, ...] | None], ...] = ()


@dataclass
class DetailedOutcome:
    """Per replication of a detailed cell: the objective's total; per constraint whether the pool
    was empty on a counted night (1/0, nan for a ``min_stock`` constraint) and the stock at the
    end of the horizon (nan for a stockout constraint)."""

    objective: F  # (R,)
    stockout: F  # (R, C)
    end_stock: F  # (R, C)


def detailed_outcome(res: CampaignResult, cell: DetailedCell) -> DetailedOutcome:
    """The objective and the constraints' values of a detailed run (the fast mode's measures,
    :func:`airshield.plan.fanout.outcome_of`, replication by replication)."""
    r = res.reps
    c_n = len(cell.constraints)
    so = np.full((r, c_n), np.nan)
    es = np.full((r, c_n), np.nan)
    for j, (pool, nights) in enumerate(cell.constraints):
        k = res.pool_names.index(pool)
        if nights is not None:
            idx = np.asarray(nights, np.int64)
            so[:, j] = (res.stock_end[:, idx, k] == 0).any(axis=1) if idx.size else 0.0
        else:
            es[:, j] = res.stock_end[:, -1, k]
    return DetailedOutcome(_objective(res, cell.objective), so, es)


def run_detailed_cell(cell: DetailedCell) -> DetailedOutcome:
    """One cell in this process (the entry of a sweep backend's
    :class:`airshield.sweep.worker.CallTask`): the campaign in detailed mode, one worker, from
    the cell's seed (the same answer as any other runner)."""
    from airshield.campaign import run_campaign
    from airshield.scenario import Scenario as RaidScenario

    tpl = RaidScenario.model_validate_json(cell.template_json)
    camp = Campaign.model_validate_json(cell.campaign_json).with_template(tpl)
    res = run_campaign(camp, "detailed", cell.reps, cell.seed, workers=1)
    return detailed_outcome(res, cell)


#: runs cells and returns, per cell in order, its :class:`DetailedOutcome`; the command line
#: passes one built on the sweep backends
DetailedRunner = Callable[[Sequence[DetailedCell], "Progress | None"], list[DetailedOutcome]]

#: what a sweep backend calls for a cell
DETAILED_TARGET = f"{__name__}:run_detailed_cell"


def run_cells_here(
    cells: Sequence[DetailedCell], progress: Progress | None = None, workers: int = 1,
    scheduler: str | None = None,
) -> list[DetailedOutcome]:  # fmt: skip
    """The runner without a backend of the caller's: one worker runs each cell in this process;
    more (or a Dask scheduler) fan the cells out over one pool of worker processes for the whole
    screen (:class:`airshield.plan.calls.CallRunner`), each cell on one core. Every cell carries
    its seed: the same answer for any number of workers."""
    from airshield.plan.calls import CallRunner

    if workers <= 1 and not scheduler:
        out: list[DetailedOutcome] = []
        for k, cell in enumerate(cells):
            out.append(run_detailed_cell(cell))
            if progress:
                progress("confirming (detailed mode)", k + 1, len(cells))
        return out
    runner = CallRunner(workers, scheduler)
    try:
        got: list[DetailedOutcome] = runner.map(DETAILED_TARGET, list(cells))
    finally:
        runner.close()
    if progress:
        progress("confirming (detailed mode)", len(cells), len(cells))
    return got


def kind_probes(prep: Prepared, x: I) -> list[tuple[str, I, str]]:
    """Per option kind (rounds, team, fire_unit) of the spec: the best mix ``x`` restricted to
    that kind's options (the others at the status quo), or, where ``x`` buys none of the kind,
    a probe: each of its options at its monthly limit in its earliest month."""
    out: list[tuple[str, I, str]] = []
    kinds = [k for k in ("rounds", "team", "fire_unit") if any(o.kind == k for o in prep.options)]
    for kind in kinds:
        mix = np.zeros_like(x)
        sel = [o for o, opt in enumerate(prep.options) if opt.kind == kind]
        for o in sel:
            mix[o] = x[o]
        what = "best mix"
        if mix.sum() == 0:
            what = "probe"
            for o in sel:
                ms = np.flatnonzero(prep.arrival[o] >= 0)
                if ms.size:
                    opt = prep.options[o]
                    q = opt.max_per_month if opt.max_total is None else min(
                        opt.max_per_month, opt.max_total)  # fmt: skip
                    mix[o, ms[0]] = q
        if mix.sum() > 0:
            out.append((kind, mix, what))
    return out


def _cell_constraints(prep: Prepared, s: int) -> tuple[tuple[str, tuple[int, ...] | None], ...]:
    """Scenario ``s``'s constraints as a detailed cell measures them: the pool and the nights a
    stockout counts on (``None``: a ``min_stock`` constraint)."""
    out: list[tuple[str, tuple[int, ...] | None]] = []
    for j, con in enumerate(prep.loaded.spec.constraints):
        if isinstance(con, StockoutConstraint):
            nights = tuple(int(n) for n in np.flatnonzero(prep.threat_nights[s][j]))
            out.append((con.pool, nights))
        else:
            out.append((con.pool, None))
    return tuple(out)


def confirm_detailed(
    prep: Prepared, x: I, reps: int, seed: int, workers: int = 1,
    runner: DetailedRunner | None = None, progress: Progress | None = None,
    *, kinds: bool = False, fast_reps: int | None = None, others: Sequence[I] = (),
    collect: dict[str, Any] | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Best mix and status quo in detailed mode (raid engine every night) with common random
    numbers, one cell per scenario and variant; ``runner`` runs the cells (the command line
    uses the sweep backends: local processes or a Dask cluster); every cell carries its seed,
    so any runner and any number of workers give the same answer.

    ``others``: more mixes run the same way (the detailed screen's candidates,
    :func:`screen_detailed`); ``collect`` (if given) receives the per-replication objectives:
    ``status_quo`` (S, R) and ``mixes`` (one (S, R) array per mix, ``x`` first).

    ``kinds``: also the surrogate's error per option kind (:func:`kind_probes`, first scenario):
    the effect of that kind's part of the mix against the status quo in fast mode (``fast_reps``
    replications, default ``reps``) and in detailed mode (paired interval), and their gap."""
    spec = prep.loaded.spec
    zero = np.zeros_like(x)
    tj = prep.template.model_dump_json()
    mixes = [zero, x, *others]
    # a mix screened twice (e.g. the status quo as the fast mode's best) is run once
    uniq: list[I] = []
    which: list[int] = []
    for mix in mixes:
        hit = next((u for u, y in enumerate(uniq) if np.array_equal(y, mix)), -1)
        if hit < 0:
            uniq.append(mix)
            hit = len(uniq) - 1
        which.append(hit)
    cells: list[DetailedCell] = []
    for s in range(len(prep.campaigns)):
        cons = _cell_constraints(prep, s)
        for mix in uniq:
            camp = materialise(prep, s, mix)
            cells.append(DetailedCell(len(cells), camp.model_dump_json(), tj, seed, reps,
                                      spec.objective, cons))  # fmt: skip
    probes = kind_probes(prep, x) if kinds else []
    for _, mix, _ in probes:
        camp = materialise(prep, 0, mix)
        cells.append(DetailedCell(len(cells), camp.model_dump_json(), tj, seed, reps,
                                  spec.objective, _cell_constraints(prep, 0)))  # fmt: skip
    t0 = time.perf_counter()
    if runner is None and prep.evaluator.backend not in ("inline", "serial"):
        # the fast-mode evaluations' worker processes (or cluster) run the cells too
        outcomes = prep.evaluator.map(DETAILED_TARGET, cells)
        if progress:
            progress("confirming (detailed mode)", len(cells), len(cells))
        name = f"{prep.evaluator.backend} ({prep.evaluator.workers})"
    elif runner is None:
        outcomes = run_cells_here(cells, progress, workers)
        name = "this process" if workers <= 1 else f"processes ({workers})"
    else:
        outcomes = runner(cells, progress)
        name = getattr(runner, "backend_name", "runner")
    results = [o.objective for o in outcomes]
    s_n, u_n = len(prep.campaigns), len(uniq)
    per_u = [np.stack([results[u_n * s + u] for s in range(s_n)]) for u in range(u_n)]
    so_u = [np.stack([outcomes[u_n * s + u].stockout for s in range(s_n)]) for u in range(u_n)]
    es_u = [np.stack([outcomes[u_n * s + u].end_stock for s in range(s_n)]) for u in range(u_n)]
    per = [per_u[u] for u in which]
    out: dict[str, Any] = {"mode": "detailed", "reps": reps, "seed": seed, "backend": name,
                           "cells": len(cells)}  # fmt: skip
    out.update(_confirmed_core(prep, per[0], per[1]))
    if collect is not None:
        collect["status_quo"] = per[0]
        collect["mixes"] = per[1:]
        # per mix (status quo first): (S, R, C) stockout flags and end stocks in detailed mode
        collect["constraints"] = [(so_u[u], es_u[u]) for u in which]
    v_n = u_n
    if probes:
        fr = fast_reps or reps
        ev, _ = simulate(prep, 0, [schedule_of(prep, m) for m in (zero, *[m for _, m, _ in probes])],
                         fr, seed)  # fmt: skip
        rows = []
        for k, (kind, mix, what) in enumerate(probes):
            det = paired(results[v_n * s_n + k], results[0], "detailed")
            fast = paired(ev.objective[k + 1], ev.objective[0], "fast")
            err = fast["mean"] - det["mean"]
            rows.append({
                "kind": kind, "mix": what,
                "units": {prep.options[o].name: int(mix[o].sum()) for o in range(mix.shape[0])
                          if mix[o].sum() > 0},
                "scenario": prep.names[0],
                "fast_effect": fast, "detailed_effect": det, "error": err,
                "relative_error": err / det["mean"] if det["mean"] else math.nan,
                "within_interval": bool(det["ci_low"] <= fast["mean"] <= det["ci_high"]),
            })  # fmt: skip
        out["surrogate_error_by_kind"] = rows
    out["elapsed_s"] = round(time.perf_counter() - t0, 2)
    return out


def _combine_detailed(prep: Prepared, per_s: F, worst: int | None = None) -> F:
    """Per-replication objective of (S, R) detailed scenario values: weighted (``robust:
    mean``) or scenario ``worst``."""
    if worst is not None:
        return np.asarray(per_s[worst], np.float64)
    return np.asarray((prep.weights[:, None] * per_s).sum(axis=0), np.float64)


def _worst_scenario(prep: Prepared, per_s: F) -> int | None:
    return int(np.argmax(per_s.mean(axis=1))) if prep.loaded.spec.robust == "worst" else None


def _confirmed_core(prep: Prepared, sq: F, bt: F) -> dict[str, Any]:
    """The confirmation's comparison of a mix ``bt`` against the status quo ``sq`` ((S, R)
    detailed objectives, common random numbers): both, and best − status quo as a paired 95 %
    interval, combined over the scenarios and per scenario (``robust: worst``: both in the
    mix's worst scenario)."""
    w = _worst_scenario(prep, bt)
    comb_sq, comb_bt = _combine_detailed(prep, sq, w), _combine_detailed(prep, bt, w)
    return {
        "best": dict(band(comb_bt).items()),
        "status_quo": dict(band(comb_sq).items()),
        "difference": paired(comb_bt, comb_sq, "detailed"),
        "per_scenario": {
            prep.names[s]: {"best": band(bt[s]), "status_quo": band(sq[s]),
                            "difference": paired(bt[s], sq[s], "detailed")}
            for s in range(len(prep.campaigns))
        },
    }  # fmt: skip


def screen_candidates(
    prep: Prepared, model: SurrogateModel, best: Point, sq: Point, prop: Point,
    pool: Sequence[Point], k: int,
) -> list[Point]:  # fmt: skip
    """What the detailed screen runs besides the best fast-mode mix and the status quo: the
    next ``k - 1`` distinct mixes of the fast-mode ranking (simulated mean plus the MILP's price
    of money, among the candidates that passed the fast-mode checks) and the proportional
    split of the same budget."""
    eps = _tie_eps(model)
    seen = [best.x, sq.x]
    out: list[Point] = []
    for p in sorted(pool, key=lambda p: float(p.per_rep.mean()) + eps * p.cost_usd):
        if len(out) >= max(0, k - 1):
            break
        if not any(np.array_equal(p.x, u) for u in seen):
            out.append(p)
            seen.append(p.x)
    if not any(np.array_equal(prop.x, u) for u in seen):
        out.append(prop)
    return out


def screen_detailed(
    pts: Sequence[Point], det: Sequence[F], sq: Point, det_sq: F, eps: float,
    eligible: Sequence[bool], sq_eligible: bool, *, weights: F, robust: str = "mean",
    alpha: float = 0.05,
) -> tuple[int, list[dict[str, Any]]]:  # fmt: skip
    """Rank the screened mixes (``pts[0]`` the fast mode's best; ``det`` their (S, R) detailed
    objectives) and the status quo in **detailed** mode, with common random numbers.

    The winner is the eligible mix (``eligible``: :func:`detailed_eligibility` in
    :func:`optimise`, the constraints in detailed mode first) with the lowest detailed mean plus the MILP's price of money ``eps`` x cost. Around it, a Bonferroni screen
    with paired intervals (Nelson, Swann, Goldsman and Song 2001): a mix is *retained* when no
    other mix beats it by more than ``t(1 - alpha / (k - 1), R - 1) x sd_ij / sqrt(R)`` of the
    paired differences, so the retained set holds the detailed-mode best with probability at
    least ``1 - alpha`` (normal errors); a retained set of more than one mix says that detailed
    mode cannot separate them at these replications. Returns the winner's index in ``pts``
    (``-1``: the status quo) and one row per mix (status quo last) with both modes' means and
    ranks, the paired difference against the winner at the Bonferroni level and the flags."""
    all_pts = [*pts, sq]
    per = [*det, det_sq]
    ok = [*eligible, sq_eligible]
    w = int(np.argmax(per[0].mean(axis=1))) if robust == "worst" else None
    comb = [
        np.asarray(d[w], np.float64) if w is not None else (weights[:, None] * d).sum(axis=0)
        for d in per
    ]
    k_n = len(all_pts)
    reps = int(comb[0].size)
    level = 1.0 - alpha / max(1, k_n - 1)
    score = [float(c.mean()) + eps * p.cost_usd for c, p in zip(comb, all_pts, strict=True)]
    order = sorted(range(k_n), key=lambda i: (not ok[i], score[i]))
    win = order[0]
    fast_order = sorted(range(k_n), key=lambda i: float(all_pts[i].per_rep.mean()))
    det_order = sorted(range(k_n), key=lambda i: float(comb[i].mean()))
    retained = []
    for i in range(k_n):
        keep = True
        for j in range(k_n):
            if i != j:
                iv = paired_difference(comb[i] - comb[j], level)
                if iv.lo > 0:  # i is worse than j beyond the Bonferroni half-width
                    keep = False
        retained.append(keep)
    # pairs the two modes order differently, detailed mode clearly (paired interval at the
    # Bonferroni level clear of zero): where the fast mode's error changes the ranking
    flips: list[list[int]] = [[] for _ in range(k_n)]
    for i in range(k_n):
        for j in range(k_n):
            fi, fj = float(all_pts[i].per_rep.mean()), float(all_pts[j].per_rep.mean())
            if i != j and fi < fj and paired_difference(comb[i] - comb[j], level).lo > 0:
                flips[i].append(j)
    name = ["status quo" if i == k_n - 1 else p.label for i, p in enumerate(all_pts)]
    rows = []
    for i, p in enumerate(all_pts):
        b = band(comb[i])
        rows.append({
            "candidate": name[i],
            "cost_usd": p.cost_usd,
            "fast": {"mean": float(p.per_rep.mean())},
            "detailed": {"mean": b["mean"], "p5": b["p5"], "p95": b["p95"]},
            "fast_rank": fast_order.index(i) + 1,
            "detailed_rank": det_order.index(i) + 1,
            "eligible": bool(ok[i]),
            "retained": bool(retained[i]),
            "selected": i == win,
            "vs_selected": paired(comb[i], comb[win], "detailed", level),
            "fast_better_detailed_worse_than": [name[j] for j in flips[i]],
            "reps": reps,
        })  # fmt: skip
    return (-1 if win == k_n - 1 else win), rows


def _screen_flags(
    res: ProcurementResult, rows: list[dict[str, Any]], announced: tuple[str, str] | None = None
) -> None:
    """Say where the fast mode's error changes the ranking (a pair of screened mixes in the
    opposite order in the two modes, the detailed paired interval clear of zero) and where
    detailed mode cannot separate the winner from another mix. `announced` is the pair (fast
    mode's best, detailed-mode winner) whose swap already has its own warning: it stays in
    `confirmed.ranking_changes` but is not warned about twice."""
    if not rows:
        return
    sel = next(r for r in rows if r["selected"])
    pairs = [(a["candidate"], b) for a in rows for b in a["fast_better_detailed_worse_than"]]
    flips = [f"'{a}' over '{b}'" for a, b in pairs]
    res.confirmed["ranking_changes"] = flips  # type: ignore[index]
    unannounced = [f"'{a}' over '{b}'" for a, b in pairs if (a, b) != announced]
    if unannounced:
        res.warnings.append(
            ("other pairs of screened mixes change rank" if announced else
             "the fast mode's error changes the ranking of the screened mixes")
            + " (fast mode puts " + "; ".join(unannounced)
            + ", detailed mode the other way round): the recommendation follows detailed mode"
        )  # fmt: skip
    others = [r for r in rows if r["retained"] and not r["selected"] and r["eligible"]]
    same = [r["candidate"] for r in others
            if r["vs_selected"]["ci_low"] == r["vs_selected"]["ci_high"] == 0.0]  # fmt: skip
    close = [r["candidate"] for r in others if r["candidate"] not in same]
    if same:
        res.warnings.append(
            f"{', '.join(repr(c) for c in same)} gave exactly the detailed-mode outcome of the "
            f"recommended mix ('{sel['candidate']}') in every replication: what one buys beyond "
            "the other changes nothing here; of such mixes the cheaper is recommended (price of "
            "money)"
        )
    if close:
        res.warnings.append(
            f"detailed mode ({sel['reps']} replications) cannot separate the recommended mix "
            f"('{sel['candidate']}') from {', '.join(repr(c) for c in close)} at 95 % "
            "(Bonferroni screen, confirmed.screen): more --confirm-reps, or choose among them "
            "on cost"
        )
