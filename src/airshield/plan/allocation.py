"""Allocation across regions: split interceptor pools to minimise expected weighted leakers.

Given a national campaign (attacker, dates, pools with their stock and supply) and regions, each
with its own raid template (laydown), its share of every night's raid and a weight per harmful
leaker, choose for each pool the fraction ``f[r, p]`` of its supply (stock, production,
deliveries, diversions and purchases alike) that goes to region ``r``.

Method (an LP on convexified response surfaces, then a simulation check):

1. Each region's campaign runs in fast mode (its own surrogate, fitted once) on its share of the
   national raid plan. Its expected weighted harmful leakers ``w_r L_r(f_r)`` are evaluated on a
   grid of the fractions of the pools being split, the other pools at the proportional split,
   with common random numbers across the grid: a full grid when at most two pools are split
   (pools in one region are substitutes, so their joint effect matters), one curve per pool
   otherwise (a separable approximation).
2. Each surface is replaced by its lower convex envelope (diminishing returns), whose facets
   are the cuts of an epigraph LP: ``min sum_r t_r  s.t.  t_r >= a + b . f_r`` (each facet),
   ``sum_r f[r, p] = 1``, ``min_share <= f[r, p] <= 1`` where the region has the pool (else 0).
   It is solved with HiGHS.
3. The check: the proportional split and steps of 25, 50, 75 and 100 % from it towards the LP's
   answer are simulated jointly in every region with common random numbers; the best is
   reported as the optimised split, with the paired difference against the proportional split
   and its interval. The reported split is therefore never worse than the proportional one in
   the fast model; if no step helps, the proportional split is returned.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from pydantic import Field, model_validator

from airshield.campaign import Campaign, attacker_plan, load_campaign, run_campaign
from airshield.campaign.models import (
    ConstantProfile,
    DefenderPool,
    OrderPurchase,
    Profile,
    RampProfile,
    ReorderPurchase,
    Step,
    StepsProfile,
)
from airshield.campaign.surrogate import DesignSpec, Surrogate, fit_surrogate
from airshield.campaign.tempo import AttackerPlan, split_largest_remainder
from airshield.errors import Problem, ScenarioError
from airshield.intervals import paired_difference
from airshield.scenario import Scenario, load_scenario
from airshield.scenario.models import Name, Strict
from airshield.scenario.yamlio import format_loc, line_for, read_yaml, validate_data

F = NDArray[np.float64]


class Region(Strict):
    name: Name
    raid: Name = Field(description="the region's raid template (path relative to this file)")
    share: float = Field(gt=0, le=1, description="share of every night's launches aimed here")
    weight: float = Field(1.0, gt=0, description="weight of one harmful leaker here")


class AllocationSpec(Strict):
    """A regional allocation problem (YAML): a national campaign split over regions."""

    name: Name
    description: str = ""
    notional: bool = True
    campaign: Name = Field(description="national campaign file (path relative to this file)")
    regions: list[Region] = Field(min_length=2)
    split: list[Name] | None = Field(
        None, description="pools to optimise (default: all); the others are split proportionally"
    )
    levels: int = Field(6, ge=2, le=20, description="grid intervals of each response curve")
    min_share: float = Field(0.0, ge=0, le=0.5, description="least fraction of a pool per region")

    @model_validator(mode="after")
    def _check(self) -> AllocationSpec:
        total = sum(r.share for r in self.regions)
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"region shares must sum to 1 (they sum to {total:g})")
        return self


@dataclass
class LoadedAllocation:
    spec: AllocationSpec
    campaign: Campaign
    templates: list[Scenario]
    path: str | None = None


def load_allocation(path: str | Path) -> LoadedAllocation:
    """Load an allocation file (or a bundled example by bare name), its national campaign and
    the regions' raid templates."""
    from airshield.examples import resolve_example

    path = resolve_example(path)
    data, lines = read_yaml(path)
    spec = validate_data(AllocationSpec, data, str(path), lines)
    base = Path(path).parent
    probs: list[Problem] = []
    cpath = base / spec.campaign
    if not cpath.exists():
        probs.append(Problem("campaign", f"campaign file {str(cpath)!r} not found",
                             line_for(("campaign",), lines)))  # fmt: skip
        raise ScenarioError(str(path), probs)
    camp = load_campaign(cpath)
    templates: list[Scenario] = []
    pools = {p.name for p in camp.defender.pools}
    threats = {t.threat for t in camp.attacker.threats}
    names: set[str] = set()
    for i, r in enumerate(spec.regions):
        loc: tuple[str | int, ...] = ("regions", i)
        if r.name in names:
            probs.append(Problem(format_loc((*loc, "name")), f"duplicate region {r.name!r}",
                                 line_for((*loc, "name"), lines)))  # fmt: skip
        names.add(r.name)
        rpath = base / r.raid
        if not rpath.exists():
            probs.append(Problem(format_loc((*loc, "raid")), f"raid template {str(rpath)!r} not found",
                                 line_for((*loc, "raid"), lines)))  # fmt: skip
            templates.append(camp.template)
            continue
        tpl = load_scenario(rpath)
        templates.append(tpl)
        extra = sorted({p.name for p in tpl.pools} - pools)
        if extra:
            probs.append(Problem(format_loc((*loc, "raid")),
                                 f"the region's pools {extra} are not pools of the campaign",
                                 line_for((*loc, "raid"), lines)))  # fmt: skip
        waves = {w.threat for w in tpl.waves}
        if waves != threats:
            probs.append(Problem(format_loc((*loc, "raid")),
                                 f"the region's waves fly {sorted(waves)}, the campaign's attacker "
                                 f"launches {sorted(threats)}: they must match",
                                 line_for((*loc, "raid"), lines)))  # fmt: skip
    for j, p in enumerate(spec.split or []):
        if p not in pools:
            probs.append(Problem(format_loc(("split", j)),
                                 f"unknown pool {p!r}; expected one of {sorted(pools)}",
                                 line_for(("split", j), lines)))  # fmt: skip
    if probs:
        raise ScenarioError(str(path), probs)
    return LoadedAllocation(spec, camp, templates, str(path))


# ---- regional campaigns ----------------------------------------------------------------------
def _scale_profile(p: Profile | None, f: float) -> Profile | None:
    if p is None:
        return None
    if isinstance(p, ConstantProfile):
        return ConstantProfile(kind="constant", value=p.value * f)
    if isinstance(p, RampProfile):
        return p.model_copy(update={"start_value": p.start_value * f, "end_value": p.end_value * f})
    assert isinstance(p, StepsProfile)
    return StepsProfile(
        kind="steps",
        initial=p.initial * f,
        changes=[Step(date=s.date, value=s.value * f) for s in p.changes],
    )


def scale_pool(p: DefenderPool, f: float) -> DefenderPool:
    """The fraction ``f`` of a pool's stock and supply (whole rounds, rounded to nearest)."""
    return p.model_copy(
        update={
            "stock": round(p.stock * f),
            "production_per_day": _scale_profile(p.production_per_day, f),
            "deliveries": [
                d.model_copy(update={"rounds": round(d.rounds * f)}) for d in p.deliveries
            ],
            "diversions": [
                d.model_copy(update={"rounds": round(d.rounds * f)}) for d in p.diversions
            ],
        }
    )


def regional_campaign(
    c: Campaign, template: Scenario, fractions: dict[str, float], name: str
) -> Campaign:
    """The campaign restricted to one region: its template, its fractions of the pools (and of
    purchases and the budget, by the mean fraction of the pools it buys)."""
    keep = [p.name for p in template.pools]
    pools = [scale_pool(c.pool(n), fractions[n]) for n in keep]
    purchases: list[OrderPurchase | ReorderPurchase] = []
    spent: list[float] = []
    for pu in c.defender.purchases:
        if pu.pool not in keep:
            continue
        f = fractions[pu.pool]
        spent.append(f)
        if isinstance(pu, OrderPurchase):
            purchases.append(pu.model_copy(update={"rounds": round(pu.rounds * f)}))
        else:
            purchases.append(
                pu.model_copy(
                    update={
                        "below_rounds": round(pu.below_rounds * f),
                        "order_rounds": max(1, round(pu.order_rounds * f)),
                    }
                )
            )
    budget = c.defender.budget_usd
    if budget is not None:
        budget = budget * (float(np.mean(spent)) if spent else 0.0)
    defender = c.defender.model_copy(
        update={"pools": pools, "purchases": purchases, "budget_usd": budget}
    )
    rc = c.model_copy(
        update={"name": f"{c.name}/{name}", "raid": template.name, "defender": defender}
    )
    return rc.with_template(template, c.path)


def regional_plans(plan: AttackerPlan, shares: list[float]) -> list[AttackerPlan]:
    """Split every night's launches of every threat type over the regions (largest remainder)."""
    n, t = plan.launched.shape
    g = len(shares)
    out = np.zeros((g, n, t), np.int64)
    w = np.asarray(shares, np.float64)
    for i in range(n):
        for k in range(t):
            out[:, i, k] = split_largest_remainder(int(plan.launched[i, k]), w)
    return [
        AttackerPlan(
            plan.threat_types, plan.produced, out[r], plan.stock_end, plan.capacity, plan.raid_night
        )
        for r in range(g)
    ]


# ---- result ----------------------------------------------------------------------------------
@dataclass
class AllocationResult:
    """Fractions per region and pool, the response curves, and the simulation check."""

    name: str
    regions: list[str]
    pools: list[str]
    split_pools: list[str]
    weights: F
    proportional: F  # (G, P)
    optimised: F  # (G, P)
    curves: pd.DataFrame  # region, one column per split pool (its fraction), weighted_leakers
    lp_objective: float
    lp_baseline: float
    weighted_proportional: F  # (R,) per replication, summed over regions
    weighted_optimised: F
    harmful_proportional: F
    harmful_optimised: F
    reps: int
    seed: int
    elapsed_s: float
    level: float = 0.95
    info: dict[str, Any] = field(default_factory=dict)

    def fractions_frame(self) -> pd.DataFrame:
        """One row per region and pool: proportional and optimised fraction of the pool."""
        rows = []
        for g, r in enumerate(self.regions):
            for k, p in enumerate(self.pools):
                rows.append(
                    {"region": r, "pool": p, "proportional": self.proportional[g, k],
                     "optimised": self.optimised[g, k]}
                )  # fmt: skip
        return pd.DataFrame(rows)

    def difference(self) -> dict[str, float]:
        ci = paired_difference(self.weighted_optimised - self.weighted_proportional, self.level)
        return {"mean": ci.mean, "lo": ci.lo, "hi": ci.hi, "level": self.level}

    def summary(self) -> dict[str, Any]:
        from airshield.raid.result import band

        return {
            "name": self.name,
            "method": "LP on convex envelopes of fast-mode response surfaces (HiGHS), line "
            "search by joint fast-mode simulation with common random numbers",
            "reps": self.reps,
            "seed": self.seed,
            "pools": self.pools,
            "split_pools": self.split_pools,
            "regions": [
                {
                    "region": r,
                    "weight": float(self.weights[g]),
                    "proportional": {
                        p: float(self.proportional[g, k]) for k, p in enumerate(self.pools)
                    },
                    "optimised": {p: float(self.optimised[g, k]) for k, p in enumerate(self.pools)},
                }
                for g, r in enumerate(self.regions)
            ],
            "evaluation": {
                "proportional": {
                    "weighted_leakers": band(self.weighted_proportional),
                    "leaked_harmful": band(self.harmful_proportional),
                    "lp_estimate": self.lp_baseline,
                },
                "optimised": {
                    "weighted_leakers": band(self.weighted_optimised),
                    "leaked_harmful": band(self.harmful_optimised),
                    "lp_estimate": self.lp_objective,
                },
                "difference": self.difference(),
            },
            "elapsed_s": round(self.elapsed_s, 2),
            "info": self.info,
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per region and pool: proportional and optimised fraction (as
        :meth:`fractions_frame`)."""
        return self.fractions_frame()

    def __repr__(self) -> str:
        from airshield.notebook import allocation_repr

        return allocation_repr(self)

    def _repr_html_(self) -> str:
        from airshield.notebook import allocation_html

        return allocation_html(self)

    @property
    def plot(self) -> Any:
        """Figures: ``.shares()`` (pool shares per region), ``.curves()`` (response curves)."""
        from airshield.notebook import AllocationPlot

        return AllocationPlot(self)


# ---- the optimisation ------------------------------------------------------------------------
def lower_convex_hull(x: F, y: F) -> tuple[F, F]:
    """Vertices of the lower convex hull of points (x sorted ascending)."""
    pts: list[tuple[float, float]] = []
    for xi, yi in zip(x.tolist(), y.tolist(), strict=True):
        while len(pts) >= 2:
            (x1, y1), (x2, y2) = pts[-2], pts[-1]
            if (x2 - x1) * (yi - y1) - (y2 - y1) * (xi - x1) <= 0:
                pts.pop()
            else:
                break
        pts.append((xi, yi))
    hx, hy = zip(*pts, strict=True)
    return np.array(hx), np.array(hy)


@dataclass
class Cut:
    """``t[region] >= a + sum(b[pool] * f[region, pool])`` (one facet of a convex envelope)."""

    region: int
    group: int  # which epigraph variable of the region (one per separable pool, or 0 if joint)
    a: float
    b: dict[int, float]


def convex_envelope_cuts(x: F, y: F) -> list[tuple[float, F]]:
    """Facets ``y >= a + b.x`` of the lower convex envelope of sampled points (x: (n, m))."""
    m = x.shape[1]
    if m == 1:
        hx, hy = lower_convex_hull(x[:, 0], y)
        if hx.size == 1:
            return [(float(hy[0]), np.zeros(1))]
        out = []
        for k in range(hx.size - 1):
            b = (hy[k + 1] - hy[k]) / (hx[k + 1] - hx[k])
            out.append((float(hy[k] - b * hx[k]), np.array([b])))
        return out
    from scipy.spatial import ConvexHull, QhullError

    pts = np.column_stack([x, y])
    try:
        hull = ConvexHull(pts)
    except QhullError:
        hull = ConvexHull(pts, qhull_options="QJ")
    out = []
    for eq in hull.equations:  # normal . p + offset = 0, normal points outwards
        nz = eq[m]
        if nz < -1e-12:  # a lower facet
            b = -eq[:m] / nz
            a = -eq[m + 1] / nz
            out.append((float(a), b))
    return out


def solve_lp(
    cuts: list[Cut], regions: int, pools: list[int], groups: list[int], lo: F, hi: F
) -> tuple[F, float]:
    """min sum of epigraph variables s.t. the cuts, sum_r f[r, p] = 1 and lo <= f <= hi.

    ``groups[r]`` is the number of epigraph variables of region r. Solved with HiGHS (highspy).
    Returns f (regions, len(pools)) and the objective."""
    import highspy

    from airshield.assign.highs import new_highs

    h = new_highs()  # threads=1 like every HiGHS in the package: its scheduler is per process
    inf = highspy.kHighsInf
    g, m = regions, len(pools)
    fidx = np.arange(g * m).reshape(g, m)
    for r in range(g):
        for j in range(m):
            h.addVar(float(lo[r, j]), float(hi[r, j]))
    tstart = [g * m + int(sum(groups[:r])) for r in range(g)]
    for r in range(g):
        for _ in range(groups[r]):
            h.addVar(-inf, inf)
    for r in range(g):
        for k in range(groups[r]):
            h.changeColCost(tstart[r] + k, 1.0)
    for j in range(m):
        h.addRow(1.0, 1.0, g, np.array(fidx[:, j], np.int32), np.ones(g))
    for c in cuts:
        idx = [tstart[c.region] + c.group] + [int(fidx[c.region, j]) for j in c.b]
        val = [1.0] + [-float(v) for v in c.b.values()]
        h.addRow(float(c.a), inf, len(idx), np.array(idx, np.int32), np.array(val))
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        raise RuntimeError(f"allocation LP not solved: {h.modelStatusToString(h.getModelStatus())}")
    sol = np.array(h.getSolution().col_value)
    return sol[: g * m].reshape(g, m), float(h.getInfo().objective_function_value)


STEPS = (1.0, 0.75, 0.5, 0.25)


def allocate_regions(
    loaded: LoadedAllocation,
    reps: int = 200,
    seed: int = 0,
    *,
    curve_reps: int | None = None,
    design: DesignSpec | None = None,
    workers: int = 1,
    progress: bool | Callable[[str, int, int], None] = False,
) -> AllocationResult:
    """Solve the allocation (see the module docstring) and check it by simulation."""
    started = time.perf_counter()
    spec, c = loaded.spec, loaded.campaign
    regions = [r.name for r in spec.regions]
    weights = np.array([r.weight for r in spec.regions])
    shares = [r.share for r in spec.regions]
    pools = [p.name for p in c.defender.pools]
    split = [p for p in pools if spec.split is None or p in spec.split]
    has = np.array([[p in {q.name for q in t.pools} for p in pools] for t in loaded.templates])
    plans = regional_plans(attacker_plan(c), shares)
    cb: Callable[[str, int, int], None] = progress if callable(progress) else (lambda s, d, t: None)
    bar_stop: Callable[[], None] = lambda: None  # noqa: E731
    if progress is True:
        from airshield.progress import staged_reporter

        cb, bar_stop = staged_reporter(True)

    # proportional split: by share among the regions that have the pool
    prop = np.where(has, np.array(shares)[:, None], 0.0)
    prop = prop / np.maximum(prop.sum(axis=0, keepdims=True), 1e-12)
    g = len(regions)
    split_idx = [pools.index(p) for p in split]
    surrogates: list[Surrogate] = []
    try:
        for r in range(g):
            cb("fitting surrogates", r, g)
            surrogates.append(
                fit_surrogate(
                    loaded.templates[r], plans[r].threat_types, plans[r].launched, design,
                    workers=workers,
                )
            )  # fmt: skip
        cb("fitting surrogates", g, g)

        def evaluate(fr: F, r: int, n_reps: int) -> tuple[F, F]:
            """Per-replication weighted and plain harmful leakers of region r at fractions fr."""
            rc = regional_campaign(
                c, loaded.templates[r], dict(zip(pools, fr.tolist(), strict=True)), regions[r]
            )
            res = run_campaign(rc, "fast", n_reps, seed, surrogate=surrogates[r], plan=plans[r])
            lh = res.leaked_harmful().sum(axis=1).astype(np.float64)
            return weights[r] * lh, lh

        # 1. response surfaces: joint grids for up to JOINT_MAX split pools, else one curve each
        n_curve = curve_reps or max(50, reps // 2)
        grid = np.linspace(0.0, 1.0, spec.levels + 1)
        rows: list[dict[str, Any]] = []
        cuts: list[Cut] = []
        groups: list[int] = []
        joint = len(split_idx) <= JOINT_MAX
        todo = [[j for j, k in enumerate(split_idx) if has[r, k]] for r in range(g)]
        total = sum(len(grid) ** len(t) if joint else len(grid) * len(t) for t in todo)
        done = 0
        base = np.zeros(g)
        for r in range(g):
            mine = todo[r]
            if not mine:
                groups.append(0)
                continue
            base[r] = float(evaluate(prop[r], r, n_curve)[0].mean())
            # each axis: the grid plus the proportional fraction (so the envelope is exact there)
            axes = [np.unique(np.append(grid, prop[r, split_idx[j]])) for j in mine]
            if joint:
                pts = np.array(list(itertools.product(*axes)))
                ys = []
                for pt in pts:
                    fr = prop[r].copy()
                    fr[[split_idx[j] for j in mine]] = pt
                    ys.append(float(evaluate(fr, r, n_curve)[0].mean()))
                    done += 1
                    cb("response surfaces", done, total)
                y = np.array(ys)
                for a, b in convex_envelope_cuts(pts, y):
                    cuts.append(Cut(r, 0, a, {j: float(b[i]) for i, j in enumerate(mine)}))
                groups.append(1)
                for pt, yy in zip(pts, y, strict=True):
                    rows.append({"region": regions[r], **{split[j]: float(pt[i]) for i, j in
                                 enumerate(mine)}, "weighted_leakers": float(yy)})  # fmt: skip
            else:
                for gi, j in enumerate(mine):
                    ys = []
                    for x in axes[gi]:
                        fr = prop[r].copy()
                        fr[split_idx[j]] = x
                        ys.append(float(evaluate(fr, r, n_curve)[0].mean()))
                        done += 1
                        cb("response surfaces", done, total)
                    y = np.array(ys)
                    for a, b in convex_envelope_cuts(axes[gi][:, None], y):
                        # separable: each pool's curve counts the region's baseline once
                        share = base[r] * (len(mine) - 1) / len(mine)
                        cuts.append(Cut(r, gi, a - share, {j: float(b[0])}))
                    for x, yy in zip(axes[gi], y, strict=True):
                        rows.append({"region": regions[r], split[j]: float(x),
                                     "weighted_leakers": float(yy)})  # fmt: skip
                groups.append(len(mine))
        hi = np.where(has[:, split_idx], 1.0, 0.0)
        lo = np.where(has[:, split_idx], spec.min_share, 0.0)
        f_lp, obj = solve_lp(cuts, g, split_idx, groups, lo, hi)
        lp_prop = _cuts_value(cuts, groups, prop[:, split_idx])
        target = prop.copy()
        target[:, split_idx] = f_lp

        # 2. the check, with a line search from the proportional split towards the LP's answer
        def joint_eval(fr_all: F) -> tuple[F, F]:
            w, hsum = np.zeros(reps), np.zeros(reps)
            for r in range(g):
                a, b = evaluate(fr_all[r], r, reps)
                w += a
                hsum += b
            return w, hsum

        cb("checking", 0, len(STEPS) + 1)
        wp, hp = joint_eval(prop)
        best = (float(wp.mean()), 0.0, prop, wp, hp)
        tried: dict[str, float] = {"0": float(wp.mean())}
        for i, step in enumerate(STEPS):
            cand = prop + step * (target - prop)
            w, hsum = joint_eval(cand)
            tried[f"{step:g}"] = float(w.mean())
            if w.mean() < best[0]:
                best = (float(w.mean()), step, cand, w, hsum)
            cb("checking", i + 1, len(STEPS) + 1)
    finally:
        bar_stop()
    _, step, optimised, wo, ho = best
    lp_chosen = _cuts_value(cuts, groups, optimised[:, split_idx])
    return AllocationResult(
        name=spec.name, regions=regions, pools=pools, split_pools=split, weights=weights,
        proportional=prop, optimised=optimised, curves=pd.DataFrame(rows), lp_objective=lp_chosen,
        lp_baseline=lp_prop, weighted_proportional=wp, weighted_optimised=wo,
        harmful_proportional=hp, harmful_optimised=ho, reps=reps, seed=seed,
        elapsed_s=time.perf_counter() - started,
        info={"curve_reps": n_curve, "levels": spec.levels, "joint": joint,
              "lp_solution": f_lp.tolist(), "lp_solution_objective": obj,
              "step_taken": step, "steps_tried": tried,
              "surrogates": [s.info.get("key") for s in surrogates]},
    )  # fmt: skip


JOINT_MAX = 2


def _cuts_value(cuts: list[Cut], groups: list[int], f: F) -> float:
    """The LP objective of a given split (max over each epigraph's cuts, summed)."""
    best: dict[tuple[int, int], float] = {}
    for c in cuts:
        v = c.a + sum(b * f[c.region, j] for j, b in c.b.items())
        key = (c.region, c.group)
        best[key] = max(best.get(key, -np.inf), v)
    return float(sum(best.values()))
