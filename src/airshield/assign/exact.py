"""Exact WTA solver: column generation bound, then column enumeration and a HiGHS MILP.

Pipeline (see :mod:`airshield.assign.colgen` for the formulation):

1. Primal start: greedy MMR, the matching construction and a local-search descent.
2. Column generation on the target-based master LP with exact pricing. The Lagrangian value at
   the best multipliers is a *certified* lower bound ``LB`` (it never uses the LP solver's
   numbers, only our exact sub-problem minima).
3. If the master LP solution is integral it is optimal. Otherwise the restricted master MILP
   over the generated columns (price-and-branch) gives a good incumbent ``UB``.
4. Column enumeration: with ``D = UB - LB``, every pattern a better solution could use has a
   sub-problem value within ``D`` of its target's minimum; all such patterns are enumerated and
   the master MILP over them is solved by HiGHS. Its optimum is the global optimum and its dual
   bound is a global bound. When there are too many such patterns only those within
   ``D' < D`` are kept, and the bound becomes ``min(LB + D', MILP bound)``.
5. Leftover time goes to the very-large-neighbourhood search from the incumbent.

The reported bound is shaved by a relative ``1e-9`` to stay valid under floating-point rounding.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import highspy
import numpy as np
from numpy.typing import NDArray

from airshield.assign.colgen import (
    ColGenResult,
    MasterLP,
    Pattern,
    add_pattern_columns,
    column_generation,
    initial_multipliers,
    lagrangian_bound,
    pattern_cost,
    patterns_to_assignment,
)
from airshield.assign.greedy import greedy_assignment
from airshield.assign.highs import new_highs
from airshield.assign.local_search import descend, repair, vlns
from airshield.assign.matching import matching_layers
from airshield.assign.problem import NO_LIMIT, WTAProblem
from airshield.assign.registry import AssignerFeature, register_solver
from airshield.assign.result import (
    AssignmentResult,
    SolveStatus,
    TerminationCondition,
    relative_gap,
)
from airshield.assign.warmup import warm_up
from airshield.kernels.wta import enumerate_target_patterns

#: Default time budget of the exact solver when the caller gives none.
DEFAULT_TIME_LIMIT_S = 60.0
#: Relative optimality tolerance (below this gap the solution is reported optimal).
GAP_TOL = 1e-9
#: Safety margin taken off every reported bound (floating-point rounding).
BOUND_SAFETY = 1e-9
#: Most columns handed to the final MILP.
MAX_ENUM_COLUMNS = 200_000


@dataclass
class _Incumbent:
    x: NDArray[np.int64]
    value: float

    def offer(self, problem: WTAProblem, x: NDArray[np.int64]) -> bool:
        if not problem.is_feasible(x):
            return False
        v = problem.objective(x)
        if v < self.value:
            self.x, self.value = x, v
            return True
        return False


def round_master_lp(problem: WTAProblem, master: MasterLP) -> NDArray[np.int64]:
    """Feasible assignment from the master LP: each target's heaviest pattern, then repair.

    Over-used weapons (rounds or channels) drop the engagements that cost least to lose, and a
    local-search descent re-uses the freed rounds. The LP is nearly integral on WTA instances,
    so this is usually within a hair of the optimum and costs milliseconds.
    """
    z = master.column_values()
    best: dict[int, tuple[float, float, Pattern]] = {}
    for k, pat in enumerate(master.patterns):
        key = (float(z[k]), -pat.cost)
        if pat.target not in best or key > best[pat.target][:2]:
            best[pat.target] = (key[0], key[1], pat)
    x = patterns_to_assignment(problem, [b[2] for b in best.values()])
    return descend(problem, repair(problem, x))


def solve_master_mip(
    problem: WTAProblem,
    patterns: list[Pattern],
    time_limit_s: float,
    incumbent: NDArray[np.int64] | None = None,
    cutoff: float | None = None,
) -> tuple[NDArray[np.int64] | None, float, bool]:
    """Master MILP over ``patterns`` (must include the empty pattern of every target).

    Returns ``(assignment or None, dual bound, solved to optimality)``.
    """
    n_t, n_w = problem.n_targets, problem.n_weapons
    chan = problem.channels is not None and bool(np.any(problem.channels < NO_LIMIT))
    h = new_highs(threads=1)
    h.setOptionValue("time_limit", max(0.05, float(time_limit_s)))
    h.setOptionValue("mip_rel_gap", GAP_TOL)
    h.setOptionValue("mip_abs_gap", 0.0)
    inf = highspy.kHighsInf
    lower = [1.0] * n_t + [-inf] * n_w
    upper = [1.0] * n_t + problem.rounds.astype(float).tolist()
    if chan:
        lower += [-inf] * n_w
        upper += problem.channels.astype(float).tolist()  # type: ignore[union-attr]
    h.addRows(
        len(lower),
        np.array(lower),
        np.array(upper),
        0,
        np.zeros(0, np.int32),
        np.zeros(0, np.int32),
        np.zeros(0),
    )
    add_pattern_columns(h, patterns, n_t, n_w, chan, 1.0)
    n = len(patterns)
    h.changeColsIntegrality(
        n, np.arange(n, dtype=np.int32), np.full(n, highspy.HighsVarType.kInteger)
    )
    if cutoff is not None:
        h.setOptionValue("objective_bound", float(cutoff))
    if incumbent is not None:
        sol = np.zeros(n)
        lookup = {
            (p.target, p.weapons.tobytes(), p.counts.tobytes()): k for k, p in enumerate(patterns)
        }
        ok = True
        for j in range(n_t):
            w = np.nonzero(incumbent[:, j])[0].astype(np.int64)
            key = (j, w.tobytes(), incumbent[w, j].astype(np.int64).tobytes())
            if key not in lookup:
                ok = False
                break
            sol[lookup[key]] = 1.0
        if ok:
            hs = highspy.HighsSolution()
            hs.col_value = sol.tolist()
            h.setSolution(hs)
    h.run()
    status = h.getModelStatus()
    info = h.getInfo()
    if status == highspy.HighsModelStatus.kInfeasible:
        return None, float("inf"), True
    bound = float(info.mip_dual_bound)
    optimal = status == highspy.HighsModelStatus.kOptimal
    if info.primal_solution_status != 2:  # no feasible solution
        return None, bound, optimal
    z = np.asarray(h.getSolution().col_value)
    chosen = [patterns[k] for k in np.nonzero(z > 0.5)[0]]
    return patterns_to_assignment(problem, chosen), bound, optimal


def enumerate_columns(
    problem: WTAProblem,
    cg: ColGenResult,
    delta: float,
    max_columns: int,
    deadline: float,
) -> tuple[list[Pattern], float, bool]:
    """Every pattern within ``delta`` of its target's sub-problem minimum at the best multipliers.

    Shrinks ``delta`` until at most ``max_columns`` patterns qualify. Returns
    ``(patterns, delta used, complete)``.
    """
    w = problem.cost_vector() + cg.lam
    f = cg.nu if problem.channels is not None else np.zeros(problem.n_weapons)
    lower = cg.lower
    cap = problem.target_cap()
    max_width = int(min(problem.n_weapons, cap, max(1, int(problem.rounds.sum())), 32))
    while True:
        out: list[Pattern] = []
        complete = True
        per_target = max(64, 4 * max_columns // max(1, problem.n_targets))
        for j in range(problem.n_targets):
            if time.perf_counter() > deadline:
                return out, delta, False
            thr = lower[j] + delta
            items, counts, lens, _vals, ok = enumerate_target_patterns(
                j,
                problem.values,
                problem.pk,
                problem.allowed,
                problem.rounds,
                w,
                f,
                cap,
                thr,
                delta * (1 + 1e-9) + 1e-12,
                1_000_000,
                per_target,
                max_width,
            )
            if not ok:
                complete = False
                break
            for k in range(len(lens)):
                order = np.argsort(items[k, : lens[k]])
                ws = items[k, : lens[k]][order]
                cs = counts[k, : lens[k]][order]
                out.append(Pattern(j, ws, cs, pattern_cost(problem, j, ws, cs)))
            if len(out) > max_columns:
                complete = False
                break
        if complete:
            return out, delta, True
        delta *= 0.5
        if delta <= 1e-12 * max(1.0, abs(float(lower.sum()))):
            return out, delta, False


@register_solver(
    "exact",
    {
        AssignerFeature.EXACT,
        AssignerFeature.TIME_LIMIT,
        AssignerFeature.WARM_START,
        AssignerFeature.MULTI_SHOT,
        AssignerFeature.SIDE_CONSTRAINTS,
    },
    "Column generation on the target-based formulation (certified Lagrangian bound), column "
    "enumeration and a HiGHS MILP; proven optimum or bound and gap at the time limit.",
    rank=10,
)
def solve_exact(
    problem: WTAProblem,
    time_limit_s: float | None = None,
    seed: int | None = None,
    warm_start: NDArray[np.int64] | None = None,
) -> AssignmentResult:
    """Registry entry of the exact solver (default time limit 60 s)."""
    t_enter = time.perf_counter()
    warm_up()  # JIT / cache load is not charged to the time limit
    t0 = time.perf_counter()
    limit = DEFAULT_TIME_LIMIT_S if time_limit_s is None else float(time_limit_s)
    deadline = t0 + limit
    rng = np.random.default_rng(seed)
    info: dict[str, object] = {}

    # 1. primal start
    starts = [greedy_assignment(problem), matching_layers(problem)]
    if warm_start is not None:
        ws = np.asarray(warm_start, dtype=np.int64)
        if not problem.is_feasible(ws):
            raise ValueError("warm_start is not a feasible assignment")
        starts.append(ws)
    inc = _Incumbent(
        np.zeros(problem.pk.shape, dtype=np.int64),
        problem.objective(np.zeros(problem.pk.shape, dtype=np.int64)),
    )
    # descend from the better construction only (the other still seeds the column pool)
    inc.offer(problem, descend(problem, min(starts, key=problem.objective)))

    # 2. column generation: certified bound
    cg_deadline = t0 + 0.6 * limit
    cg = column_generation(
        problem, cg_deadline, initial=[inc.x, *starts], lam0=initial_multipliers(problem, inc.x)
    )
    lb = cg.bound
    info.update(cg_iterations=cg.iterations, lp_bound=cg.lp_value, columns=len(cg.master.patterns))

    def closed() -> bool:
        return inc.value - lb <= GAP_TOL * max(abs(inc.value), 1e-300)

    # 3. integral LP solution, else restricted master MILP (price-and-branch)
    if not closed() and cg.master.patterns:
        zval = cg.master.column_values()
        if zval.size == len(cg.master.patterns) and np.all((zval < 1e-9) | (zval > 1 - 1e-9)):
            chosen = [cg.master.patterns[k] for k in np.nonzero(zval > 0.5)[0]]
            inc.offer(problem, patterns_to_assignment(problem, chosen))
    if not closed() and cg.master.patterns:
        inc.offer(problem, round_master_lp(problem, cg.master))
    if not closed() and time.perf_counter() < deadline:
        budget = 0.5 * (deadline - time.perf_counter())
        x_mip, _, _ = solve_master_mip(problem, cg.master.patterns, budget, inc.x)
        if x_mip is not None:
            inc.offer(problem, descend(problem, x_mip))

    # 4. column enumeration and master MILPs over growing neighbourhoods of the LP optimum
    termination = TerminationCondition.TIME_LIMIT
    d = 0.25 * (inc.value - cg.bound)
    rounds = 0
    while not closed() and time.perf_counter() < deadline - 0.05:
        rounds += 1
        full = inc.value - cg.bound
        d = min(d, full)
        pats, d_used, complete = enumerate_columns(problem, cg, d, MAX_ENUM_COLUMNS, deadline)
        info.update(enumerated_columns=len(pats), enumeration_delta=d_used)
        if not complete or not pats:
            break
        x_mip, mip_bound, mip_optimal = solve_master_mip(
            problem, pats, deadline - time.perf_counter(), inc.x
        )
        if x_mip is not None:
            inc.offer(problem, x_mip)
        info.update(mip_bound=mip_bound, mip_optimal=mip_optimal, enumeration_rounds=rounds)
        # every solution below LB + d_used lies in the enumerated space
        reach = inc.value if d_used >= full * (1 - 1e-12) else cg.bound + d_used
        lb = max(lb, min(reach, mip_bound, inc.value))
        if not mip_optimal:
            break
        d = 3.0 * d_used

    # 5. leftover time: improve the incumbent by VLNS
    if not closed() and time.perf_counter() < deadline - 0.05:
        x_v, _, it = vlns(problem, inc.x, deadline, rng, target=lb)
        inc.offer(problem, x_v)
        info.update(vlns_iterations=it)

    bound = lb - BOUND_SAFETY * max(abs(lb), 1e-12)
    if closed():
        status, termination = SolveStatus.OPTIMAL, TerminationCondition.OPTIMAL
        bound = min(bound, inc.value)
    else:
        status = SolveStatus.FEASIBLE
    return AssignmentResult(
        assignment=inc.x,
        objective=inc.value,
        bound=bound,
        gap=relative_gap(inc.value, bound),
        status=status,
        termination=termination,
        runtime_s=time.perf_counter() - t_enter,
        solver="exact",
        info=info,
    )


__all__ = ["enumerate_columns", "lagrangian_bound", "solve_exact", "solve_master_mip"]
