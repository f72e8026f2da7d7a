"""The attacker's best response: the plan of a plan space that maximises expected harm.

Three parts, each replaceable:

* :class:`PlanEvaluator` simulates plans with **common random numbers**: every plan's
  replication ``i`` runs from child ``i`` of ``SeedSequence(seed)`` (the raid engine's own
  rule), so two plans differ only by what the plan changes, and the same plan evaluated twice
  gives the same numbers. Replications are simulated once per distinct resolved scenario and
  cached, and more are added in blocks ``start .. stop`` (the first ``k`` replications are the
  ``k``-replication run), in this process or in worker processes with identical results.
* :func:`kn_select` is the statistical guard: the fully sequential ranking-and-selection
  procedure of Kim & Nelson (2001), "A fully sequential procedure for indifference-zone
  selection in simulation" (ACM TOMACS 11(3)), which is valid with common random numbers. It
  keeps adding replications to the plans still in contention and drops a plan as soon as
  another one is better by more than the continuation region allows; it returns the best with
  probability at least ``1 - alpha`` whenever the best is at least ``delta`` better than the
  second (the indifference zone).
* :func:`best_response` searches the plan space: full enumeration (one KN race over every
  plan) when the space has at most ``enumerate_max`` plans, otherwise coordinate ascent over
  the choice dimensions (one KN race over the options of one dimension, the others fixed;
  sweeps until a whole sweep changes nothing), with every evaluation cached across steps.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from airshield.plan.calls import CallRunner
from airshield.scenario import Scenario
from airshield.scenario.attack import AttackScenario, Plan, PlanSpace

F = NDArray[np.float64]
Objective = Literal["leaked_harmful", "damage_usd"]
OBJECTIVES: tuple[str, ...] = ("leaked_harmful", "damage_usd")


# ---- evaluation with common random numbers ---------------------------------------------------
def _block_metrics(sc_json: str, engine: str, seed: int, start: int, stop: int) -> F:
    """Replications ``start .. stop - 1`` of a scenario: an array (reps, 2) of harmful leakers
    and damage (USD). Runs anywhere (worker processes get the scenario as JSON)."""
    from airshield.raid.compile import compile_scenario
    from airshield.raid.montecarlo import run_block
    from airshield.vocab import Outcome, ThreatKind

    c = _CACHE.get(sc_json)
    if c is None:
        _CACHE.clear()
        c = _CACHE[sc_json] = compile_scenario(Scenario.model_validate_json(sc_json))
    children = np.random.SeedSequence(seed).spawn(stop)[start:stop]
    blk = run_block(c, start, children, engine)
    harmful = np.array(
        [int(k) != int(ThreatKind.DECOY) for k in c.tt_kind], dtype=bool
    )  # by threat type
    leaked = blk.outcomes[:, harmful, Outcome.LEAKED].sum(axis=1).astype(float)
    damage = blk.damage_usd.sum(axis=1)
    return np.column_stack([leaked, damage])


_CACHE: dict[str, Any] = {}


def block_metrics_call(payload: tuple[str, str, int, int, int]) -> F:
    """:func:`_block_metrics` as a call of :class:`airshield.plan.calls.CallRunner`."""
    return _block_metrics(*payload)


@dataclass
class PlanEvaluator:
    """Simulates plans of ``attack`` with common random numbers and caches every replication.

    ``workers`` > 1 runs blocks of replications through the sweep backends (local processes,
    or Dask with ``scheduler``); the numbers are the same for any number of workers (each
    replication has its own seed-sequence child).
    """

    attack: AttackScenario
    seed: int = 0
    objective: Objective = "leaked_harmful"
    engine: str = "auto"
    workers: int = 1
    scheduler: str | None = None
    block: int = 16
    #: replications simulated so far, summed over distinct scenarios
    evaluations: int = 0
    _scen: dict[Plan, str] = field(default_factory=dict)
    _data: dict[str, F] = field(default_factory=dict)
    _runner: CallRunner | None = None

    def __post_init__(self) -> None:
        if self.objective not in OBJECTIVES:
            raise ValueError(f"objective must be one of {OBJECTIVES}")
        from airshield.raid.engines import choose_engine

        self.engine = choose_engine(self.engine, self.attack.scenario.doctrine.assigner).engine

    def scenario_json(self, plan: Plan) -> str:
        key = self._scen.get(plan)
        if key is None:
            key = self._scen[plan] = self.attack.resolve(plan).model_dump_json()
        return key

    def have(self, plan: Plan) -> int:
        d = self._data.get(self.scenario_json(plan))
        return 0 if d is None else int(d.shape[0])

    def ensure(self, plans: Sequence[Plan], reps: int) -> None:
        """Simulate what is missing so every plan has at least ``reps`` replications."""
        todo: list[tuple[str, int, int]] = []
        for p in plans:
            key = self.scenario_json(p)
            have = self.have(p)
            if have >= reps or any(t[0] == key for t in todo):
                continue
            for a in range(have, reps, self.block):
                todo.append((key, a, min(reps, a + self.block)))
        if not todo:
            return
        if self._runner is None:
            self._runner = CallRunner(self.workers, self.scheduler)
        results = self._runner.map(
            f"{__name__}:block_metrics_call",
            [(k, self.engine, self.seed, a, b) for k, a, b in todo],
        )
        for (k, a, b), res in zip(todo, results, strict=True):
            old = self._data.get(k)
            assert (0 if old is None else old.shape[0]) == a, "blocks arrive in order"
            self._data[k] = res if old is None else np.vstack([old, res])
            self.evaluations += b - a

    def values(self, plan: Plan, reps: int | None = None, objective: str | None = None) -> F:
        """The objective per replication (the first ``reps``; all simulated by default)."""
        d = self._data[self.scenario_json(plan)]
        col = OBJECTIVES.index(objective or self.objective)
        return d[: reps if reps is not None else d.shape[0], col]

    def close(self) -> None:
        if self._runner is not None:
            self._runner.close()
            self._runner = None


# ---- the statistical guard: Kim & Nelson's fully sequential procedure --------------------------
@dataclass
class Race:
    """Outcome of one KN race."""

    plans: list[Plan]
    survivors: list[Plan]
    reps: dict[Plan, int]
    means: dict[Plan, float]
    best: Plan
    separated: bool  #: one survivor: the guard picked it


def kn_eta(k: int, n0: int, alpha: float) -> float:
    """KN's eta: ``((2 alpha / (k - 1)) ** (-2 / (n0 - 1)) - 1) / 2``."""
    return 0.5 * ((2.0 * alpha / (k - 1)) ** (-2.0 / (n0 - 1)) - 1.0)


def kn_select(
    ev: PlanEvaluator,
    plans: Sequence[Plan],
    *,
    n0: int,
    max_reps: int,
    alpha: float,
    delta: float,
    budget: int | None = None,
    step: int | None = None,
) -> Race:
    """Select the plan with the largest expected objective (KN, common random numbers).

    First stage ``n0`` replications of every plan; ``S2[i, l]`` the variance of the paired
    differences; a plan ``i`` stays while ``mean_i >= mean_l - W_il(r)`` for every other
    survivor ``l``, with ``W_il(r) = max(0, delta / (2 r) (h2 S2_il / delta^2 - r))`` and
    ``h2 = 2 eta (n0 - 1)``. Replications are added ``step`` at a time (checking less often
    than every replication only delays eliminations), up to ``max_reps`` per plan or until
    the evaluation ``budget`` (replications simulated in all) would be exceeded; the plan
    with the largest mean among the survivors is returned."""
    plans = list(dict.fromkeys(plans))
    if n0 < 2:
        raise ValueError("n0 must be >= 2")
    if delta <= 0:
        raise ValueError("delta must be > 0")

    def fits(extra_plans: Sequence[Plan], reps: int) -> bool:
        if budget is None:
            return True
        need = sum(max(0, reps - ev.have(p)) for p in {ev.scenario_json(p): p for p in
                                                        extra_plans}.values())  # fmt: skip
        return ev.evaluations + need <= budget

    ev.ensure(plans, n0)
    k = len(plans)
    if k == 1:
        p = plans[0]
        return Race(plans, plans, {p: n0}, {p: float(ev.values(p, n0).mean())}, p, True)
    h2 = 2.0 * kn_eta(k, n0, alpha) * (n0 - 1)
    x0 = np.array([ev.values(p, n0) for p in plans])  # (k, n0)
    s2 = np.zeros((k, k))
    for i in range(k):
        for j in range(i + 1, k):
            s2[i, j] = s2[j, i] = float(np.var(x0[i] - x0[j], ddof=1))
    alive = list(range(k))
    r = n0
    step = step or max(1, n0 // 2)
    while True:
        means = np.array([ev.values(plans[i], r).mean() for i in range(k)])
        w = np.maximum(0.0, delta / (2.0 * r) * (h2 * s2 / delta**2 - r))
        alive = [i for i in alive if all(means[i] >= means[j] - w[i, j] for j in alive if j != i)]
        if len(alive) <= 1 or r >= max_reps:
            break
        nxt = min(max_reps, r + step)
        if not fits([plans[i] for i in alive], nxt):
            break
        ev.ensure([plans[i] for i in alive], nxt)
        r = nxt
    reps = {p: (r if i in alive else 0) for i, p in enumerate(plans)}
    # eliminated plans keep the replications they had when they fell
    for i, p in enumerate(plans):
        if i not in alive:
            reps[p] = min(ev.have(p), r)
    mean_of = {p: float(ev.values(p, reps[p]).mean()) for p in plans}
    best = max((plans[i] for i in alive), key=lambda p: (mean_of[p], [-x for x in p.index]))
    return Race(plans, [plans[i] for i in alive], reps, mean_of, best, len(alive) == 1)


# ---- the search -------------------------------------------------------------------------------
@dataclass
class PlanEstimate:
    plan: dict[str, str]
    key: str
    reps: int
    mean: float
    ci_low: float
    ci_high: float
    sd: float
    p5: float
    p95: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "plan": self.plan, "key": self.key, "reps": self.reps, "mean": self.mean,
            "ci95": [self.ci_low, self.ci_high], "sd": self.sd, "p5": self.p5, "p95": self.p95,
        }  # fmt: skip


def estimate(ev: PlanEvaluator, space: PlanSpace, plan: Plan, reps: int | None = None,
             objective: str | None = None) -> PlanEstimate:  # fmt: skip
    """Mean with a 95 % t-interval and the 5-95 % band of the objective over replications."""
    from scipy import stats

    x = ev.values(plan, reps, objective)
    n = x.size
    sd = float(x.std(ddof=1)) if n > 1 else 0.0
    half = float(stats.t.ppf(0.975, n - 1)) * sd / math.sqrt(n) if n > 1 else float("nan")
    m = float(x.mean())
    return PlanEstimate(space.describe(plan), plan.key(), n, m, m - half, m + half, sd,
                        float(np.percentile(x, 5)), float(np.percentile(x, 95)))  # fmt: skip


@dataclass
class BestResponse:
    """What :func:`best_response` found."""

    scenario: str
    objective: str
    method: str
    seed: int
    space_size: int
    worst: PlanEstimate
    default: PlanEstimate
    #: paired difference worst - default over the same replications: mean and 95 % interval
    gain: dict[str, float]
    top: list[PlanEstimate]
    evaluations: int
    plans_evaluated: int
    separated: bool
    steps: list[dict[str, Any]]
    alpha: float
    delta: float
    budget_exhausted: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario, "objective": self.objective, "method": self.method,
            "seed": self.seed, "space_size": self.space_size, "worst": self.worst.to_dict(),
            "default": self.default.to_dict(), "gain": self.gain,
            "top": [t.to_dict() for t in self.top], "evaluations": self.evaluations,
            "plans_evaluated": self.plans_evaluated, "separated": self.separated,
            "guard": {"procedure": "KN (Kim & Nelson 2001), common random numbers",
                      "alpha": self.alpha, "delta": self.delta},
            "budget_exhausted": self.budget_exhausted, "steps": self.steps,
        }  # fmt: skip


def best_response(
    attack: AttackScenario,
    *,
    reps: int = 100,
    seed: int = 0,
    objective: Objective = "leaked_harmful",
    budget_evals: int | None = None,
    alpha: float = 0.05,
    delta: float | None = None,
    n0: int | None = None,
    enumerate_max: int = 32,
    top_k: int = 5,
    engine: str = "auto",
    workers: int = 1,
    scheduler: str | None = None,
    progress: Callable[[str], None] | None = None,
    evaluator: PlanEvaluator | None = None,
) -> BestResponse:
    """Search ``attack``'s plan space for the plan maximising the expected ``objective``.

    ``reps``: most replications any plan gets; ``n0`` first-stage replications of a race
    (default ``max(5, reps // 5)``); ``delta``: the indifference zone (default 1 harmful leaker,
    or 0.5 % of the default plan's mean damage); ``budget_evals``: most replications simulated
    in all (plans x replications). Common random numbers throughout (``seed``); blocks of
    replications run through the sweep backends with ``workers`` > 1 or a Dask ``scheduler``
    address, with the same answer for any number of workers. ``evaluator``: a caller's own
    evaluator of ``attack`` with the same seed and objective, whose cached replications are
    reused and which is left open (the caller closes it); otherwise one is made and closed."""
    space = attack.space
    n0 = n0 or max(5, min(reps, max(5, reps // 5)))
    n0 = min(n0, reps)
    if n0 < 2:
        raise ValueError("reps must be >= 2")
    if evaluator is not None and (
        evaluator.attack is not attack or evaluator.seed != seed or evaluator.objective != objective
    ):
        raise ValueError("evaluator: must be of the same attack, seed and objective")
    ev = evaluator or PlanEvaluator(attack, seed=seed, objective=objective, engine=engine,
                                    workers=workers, scheduler=scheduler)  # fmt: skip
    say = progress or (lambda _m: None)
    try:
        default = space.default_plan()
        ev.ensure([default], n0)
        if delta is None:
            delta = 1.0 if objective == "leaked_harmful" else max(
                1.0, 0.005 * float(ev.values(default).mean())
            )  # fmt: skip
        steps: list[dict[str, Any]] = []
        exhausted = False
        kw = dict(n0=n0, max_reps=reps, alpha=alpha, delta=delta, budget=budget_evals)
        if space.size <= enumerate_max:
            method = "enumeration"
            race = kn_select(ev, list(space.plans()), **kw)  # type: ignore[arg-type]
            current, separated = race.best, race.separated
            steps.append({"dimension": None, "candidates": len(race.plans),
                          "survivors": len(race.survivors), "best": space.describe(current)})  # fmt: skip
            exhausted = budget_evals is not None and ev.evaluations >= budget_evals
        else:
            method = "coordinate ascent"
            current, separated = default, False
            changed = True
            sweeps = 0
            while changed and not exhausted and sweeps < 20:
                changed = False
                sweeps += 1
                for d, c in enumerate(space.choices):
                    cands = [
                        Plan(tuple(i if k != d else o for k, i in enumerate(current.index)))
                        for o in range(len(c.options))
                    ]
                    if len(cands) == 1:
                        continue
                    if budget_evals is not None and ev.evaluations + n0 > budget_evals:
                        exhausted = True
                        break
                    race = kn_select(ev, cands, **kw)  # type: ignore[arg-type]
                    say(f"{c.label()}: {space.describe(race.best)[c.label()]} "
                        f"({len(race.survivors)} of {len(cands)} left)")  # fmt: skip
                    steps.append({"dimension": c.label(), "candidates": len(cands),
                                  "survivors": len(race.survivors),
                                  "best": space.describe(race.best)})  # fmt: skip
                    if race.best != current and race.means[race.best] > race.means.get(
                        current, -math.inf
                    ):
                        current, changed = race.best, True
                    separated = race.separated
            exhausted = exhausted or (budget_evals is not None and ev.evaluations >= budget_evals)
        # the worst plan and the default on the same replications (paired)
        n = ev.have(current)
        ev.ensure([default], n)
        worst = estimate(ev, space, current, n)
        dflt = estimate(ev, space, default, n)
        diff = ev.values(current, n) - ev.values(default, n)
        from scipy import stats

        half = float(stats.t.ppf(0.975, n - 1) * diff.std(ddof=1) / math.sqrt(n)) if n > 1 else 0.0
        gain = {"mean": float(diff.mean()), "ci_low": float(diff.mean() - half),
                "ci_high": float(diff.mean() + half), "reps": n}  # fmt: skip
        seen: dict[str, Plan] = {}
        for p in ev._scen:
            if ev.have(p) > 0:
                seen.setdefault(ev.scenario_json(p), p)
        ranked = sorted(seen.values(), key=lambda p: -float(ev.values(p).mean()))
        top = [estimate(ev, space, p) for p in ranked[:top_k]]
        return BestResponse(
            scenario=attack.scenario.name, objective=objective, method=method, seed=seed,
            space_size=space.size, worst=worst, default=dflt, gain=gain, top=top,
            evaluations=ev.evaluations, plans_evaluated=len(seen), separated=separated,
            steps=steps, alpha=alpha, delta=float(delta), budget_exhausted=exhausted,
        )  # fmt: skip
    finally:
        if evaluator is None:
            ev.close()


__all__ = [
    "BestResponse",
    "PlanEstimate",
    "PlanEvaluator",
    "Race",
    "best_response",
    "estimate",
    "kn_eta",
    "kn_select",
]
