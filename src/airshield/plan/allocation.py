"""Allocation across regions: split interceptor pools to minimise expected weighted leakers.

Given a national campaign (attacker, dates, pools with their stock and supply) and regions, each
with its own raid template (laydown), its share of every night's raid and a weight per harmful
leaker, choose for each pool the fraction ``f[r, p]`` of its supply (stock, production,
deliveries, diversions and purchases alike) that goes to region ``r``.

Method (separable LP, then a simulation check):

1. Each region's campaign runs in fast mode (its own surrogate, fitted once) on its share of the
   national raid plan. For each split pool ``p`` and region ``r``, the expected weighted harmful
   leakers ``w_r L_rp(x)`` are evaluated on a grid of fractions ``x`` with the other pools at the
   proportional split (common random numbers along the grid).
2. Each curve is replaced by its lower convex hull (convex, piecewise linear: diminishing returns),
   and the LP ``min sum_rp t_rp  s.t.  t_rp >= a_k + b_k f_rp (each hull segment k),
   sum_r f_rp = 1, f_rp >= 0`` is solved with HiGHS. The separable model ignores interactions
   between pools in one region; step 3 checks the answer.
3. Both splits, proportional and optimised, are simulated jointly in every region with common
   random numbers; the paired difference of total weighted leakers comes with an interval. If the
   optimised split is not better, that is what is reported.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from pydantic import Field, model_validator
from scipy import stats

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
    """Load an allocation file, its national campaign and the regions' raid templates."""
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
    curves: pd.DataFrame  # region, pool, fraction, weighted_leakers, hull
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
        d = self.weighted_optimised - self.weighted_proportional
        r = d.size
        sd = float(d.std(ddof=1)) if r > 1 else 0.0
        half = float(stats.t.ppf(0.5 + self.level / 2, r - 1) * sd / np.sqrt(r)) if r > 1 else 0.0
        m = float(d.mean())
        return {"mean": m, "lo": m - half, "hi": m + half, "level": self.level}

    def summary(self) -> dict[str, Any]:
        from airshield.raid.result import band

        return {
            "name": self.name,
            "method": "separable LP on convexified fast-mode response curves (HiGHS), "
            "checked by joint fast-mode simulation with common random numbers",
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


def solve_lp(
    curves: dict[tuple[int, int], tuple[F, F]], regions: int, pools: list[int], lo: F, hi: F
) -> tuple[F, float]:
    """min sum t_rp s.t. t_rp >= hull segments of curve (r, p); sum_r f_rp = 1; lo <= f <= hi.

    Returns f (regions, len(pools)) and the objective. Solved with HiGHS (highspy)."""
    import highspy

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    inf = highspy.kHighsInf
    g, m = regions, len(pools)
    fidx = np.arange(g * m).reshape(g, m)
    tidx = g * m + np.arange(g * m).reshape(g, m)
    for r in range(g):
        for j in range(m):
            h.addVar(float(lo[r, j]), float(hi[r, j]))
    for _ in range(g * m):
        h.addVar(-inf, inf)
    for r in range(g):
        for j in range(m):
            h.changeColCost(int(tidx[r, j]), 1.0)
    for j in range(m):
        h.addRow(1.0, 1.0, g, np.array(fidx[:, j], np.int32), np.ones(g))
    for (r, j), (hx, hy) in curves.items():
        if hx.size == 1:
            h.addRow(float(hy[0]), inf, 1, np.array([tidx[r, j]], np.int32), np.ones(1))
            continue
        for k in range(hx.size - 1):
            b = (hy[k + 1] - hy[k]) / (hx[k + 1] - hx[k])
            a = hy[k] - b * hx[k]
            # t - b f >= a
            h.addRow(
                float(a), inf, 2, np.array([tidx[r, j], fidx[r, j]], np.int32), np.array([1.0, -b])
            )
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        raise RuntimeError(f"allocation LP not solved: {h.modelStatusToString(h.getModelStatus())}")
    sol = np.array(h.getSolution().col_value)
    return sol[: g * m].reshape(g, m), float(h.getInfo().objective_function_value)


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
        from airshield.campaign.engine import _progress

        cb, bar_stop = _progress(True)

    # proportional split: by share among the regions that have the pool
    prop = np.where(has, np.array(shares)[:, None], 0.0)
    prop = prop / np.maximum(prop.sum(axis=0, keepdims=True), 1e-12)
    g = len(regions)
    surrogates: list[Surrogate] = []
    try:
        for r in range(g):
            cb("fitting surrogates", r, g)
            surrogates.append(
                fit_surrogate(
                    loaded.templates[r],
                    plans[r].threat_types,
                    plans[r].launched,
                    design,
                    workers=workers,
                )
            )
        cb("fitting surrogates", g, g)

        def evaluate(fr: F, r: int, n_reps: int) -> tuple[F, F]:
            """Per-replication weighted and plain harmful leakers of region r at fractions fr."""
            rc = regional_campaign(
                c, loaded.templates[r], dict(zip(pools, fr.tolist(), strict=True)), regions[r]
            )
            res = run_campaign(rc, "fast", n_reps, seed, surrogate=surrogates[r], plan=plans[r])
            lh = res.leaked_harmful().sum(axis=1).astype(np.float64)
            return weights[r] * lh, lh

        n_curve = curve_reps or max(50, reps // 2)
        grid = np.linspace(0.0, 1.0, spec.levels + 1)
        rows = []
        curves: dict[tuple[int, int], tuple[F, F]] = {}
        raw_curves: dict[tuple[int, int], F] = {}
        split_idx = [pools.index(p) for p in split]
        total = sum(int(has[r, k]) for r in range(g) for k in split_idx)
        done = 0
        for r in range(g):
            for j, k in enumerate(split_idx):
                if not has[r, k]:
                    continue
                ys = []
                for x in grid:
                    fr = prop[r].copy()
                    fr[k] = x
                    ys.append(float(evaluate(fr, r, n_curve)[0].mean()))
                y = np.array(ys)
                hx, hy = lower_convex_hull(grid, y)
                curves[(r, j)] = (hx, hy)
                raw_curves[(r, j)] = y
                hull_at = np.interp(grid, hx, hy)
                for x, yy, hh in zip(grid, y, hull_at, strict=True):
                    rows.append({"region": regions[r], "pool": pools[k], "fraction": float(x),
                                 "weighted_leakers": float(yy), "hull": float(hh)})  # fmt: skip
                done += 1
                cb("response curves", done, total)
        hi = np.where(has[:, split_idx], 1.0, 0.0)
        lo = np.where(has[:, split_idx], spec.min_share, 0.0)
        f_opt, obj = solve_lp(curves, g, split_idx, lo, hi)
        # the separable model's estimate of the total: curves share one baseline per region
        raw = {(r, j): y for (r, j), y in raw_curves.items()}
        base = np.zeros(g)
        extra = 0.0
        hull_prop = 0.0
        for r in range(g):
            keys = [(rr, j) for (rr, j) in curves if rr == r]
            if not keys:
                continue
            base[r] = float(np.mean([np.interp(prop[r, split_idx[j]], grid, raw[k]) for k in keys]))
            extra += (len(keys) - 1) * base[r]
            hull_prop += sum(float(np.interp(prop[r, split_idx[k[1]]], *curves[k])) for k in keys)
        obj = obj - extra
        base_obj = hull_prop - extra
        optimised = prop.copy()
        optimised[:, split_idx] = f_opt
        # 3. the check: both splits jointly, common random numbers, paired
        wp, hp, wo, ho = (np.zeros(reps) for _ in range(4))
        for r in range(g):
            cb("checking", r, g)
            a, b = evaluate(prop[r], r, reps)
            wp += a
            hp += b
            a, b = evaluate(optimised[r], r, reps)
            wo += a
            ho += b
        cb("checking", g, g)
    finally:
        bar_stop()
    return AllocationResult(
        name=spec.name, regions=regions, pools=pools, split_pools=split, weights=weights,
        proportional=prop, optimised=optimised, curves=pd.DataFrame(rows), lp_objective=obj,
        lp_baseline=base_obj, weighted_proportional=wp, weighted_optimised=wo,
        harmful_proportional=hp, harmful_optimised=ho, reps=reps, seed=seed,
        elapsed_s=time.perf_counter() - started,
        info={"curve_reps": n_curve, "levels": spec.levels,
              "surrogates": [s.info.get("key") for s in surrogates]},
    )  # fmt: skip
