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
    PRICING_CANDIDATES,
    ColGenResult,
    MasterLP,
    Pattern,
    add_pattern_columns,
    column_generation,
    cost_scale_for,
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
    STEP_MARGIN,
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
#: Shortest time limit handed to HiGHS (it treats 0 as "stop at once", which is fine too).
MIN_HIGHS_TIME_S = 1e-3
#: Share of the time limit column generation may use before the MILPs.
COLGEN_SHARE = 0.6
#: Share of the time limit, and relative MIP gap, of the restricted master MILP (price and
#: branch), which only supplies the incumbent that sizes the enumeration.
RESTRICTED_MIP_SHARE = 0.2
RESTRICTED_MIP_GAP = 1e-4
#: Share of the remaining time handed to a HiGHS MILP (it may overrun its limit slightly).
HIGHS_TIME_SHARE = 0.97
#: Largest master MILP handed to HiGHS with its presolve on (see :func:`solve_master_mip`).
PRESOLVE_MAX_COLUMNS = 4000
#: Shortest time limit of a master MILP with HiGHS' presolve on (see :func:`solve_master_mip`).
PRESOLVE_MIN_S = 1.0
#: Seconds kept back from every MILP's share of the time left: HiGHS checks its clock between
#: nodes and LP iterations and overran short limits by up to 0.05 s without presolve.
HIGHS_RESERVE_S = 0.03
#: Share of the time left that an enumeration round short of the whole gap may spend proving
#: the optimum over its columns (later rounds then only lift the bound).
ROUND_SHARE = 0.25
#: The share while the incumbent is still more than :data:`WEAK_INCUMBENT_GAP` above the
#: bound, and no round has improved it yet: the incumbent then comes from LP rounding and local
#: search, which stall 8-13 % above the optimum on ``W > T`` instances, and the first MILP that
#: finds a solution (HiGHS' sub-MIP heuristic at the root: 2.1 s wall at load 7 on the 1,338
#: columns of ``200x100x2``) is what brings it within 0.2 %; given a quarter of the time left
#: such a round stopped before its root was done on a loaded machine, and the polish MILP
#: started that root again from scratch.
WEAK_ROUND_SHARE = 0.6
#: (after LP rounding: 15 % on ``200x100x2``, 10.6 % on ``300x150x2`` seed 1; 1.4 % on the
#: published ``300x600x3``, where a 1 % threshold made the first round stop at 13.134 instead
#: of finding the optimum 13.093, and the last round enumerate 11,133 columns: 3.9-4.4 s CPU
#: against 2.2-3.6; 0.7 % on ``500x1000x3``)
WEAK_INCUMBENT_GAP = 0.05
#: Such a round is interrupted once HiGHS' bound reaches what the round can prove (``LB + d``)
#: and its solution is within this relative gap of its own bound (proving the optimum over the
#: 1,338 columns of ``200x100x2`` took 2.6x as long as finding it).
WEAK_ROUND_STOP_GAP = 0.005
#: Share of the time left that a bound-only round may take.
BOUND_ROUND_SHARE = 0.5
#: First enumeration threshold ``d``, relative to the bound.
ENUM_START_REL = 1e-4
#: A round must widen the enumeration by at least this share of the last round's ``d``.
FLOOR_STEP = 0.05
#: The matching construction (one linear assignment over all weapons and targets per layer) is
#: run when every weapon has one round (its first layer is then the best one-round-per-target
#: assignment: optimal on the published ``x1`` instances) or the instance is this small. With
#: several rounds it is worse than greedy + descent and costs most of the start: 500x1000x2
#: 168.8 (0.73 s CPU) against greedy 164.8 (0.04 s), 500x1000x3 19.55 (1.05 s) against 13.39.
MATCHING_MAX_PAIRS = 20_000
#: Wentges smoothing of column generation, by shape: with ``W <= T`` 0.3 cut the CPU time of
#: column generation on 500x1000 x1 / x2 / x3 from 0.78 / 1.37 / 3.28 s to 0.68 / 0.94 / 2.86 s
#: (iterations 18 / 15 / 25 to 13 / 12 / 19); with ``W > T`` it slowed 200x100x2 (0.41 to 0.60 s)
SMOOTHING_NARROW = 0.3
SMOOTHING_WIDE = 0.5
#: Relative tolerance at which column generation stops (its Lagrangian bound that close to the
#: LP value). The enumeration threshold covers what is left (the bound only sets where it
#: starts), and 1e-6 instead of 1e-9 saves the last 3-4 iterations: 500x1000x3 to proof 5.0 /
#: 5.0 s CPU against 5.2 / 5.9 (two runs each, load 7.5-8), 500x1000x1 unchanged.
COLGEN_TOL = 1e-6
#: Least time left for which a master MILP is started at all: building the model and starting
#: HiGHS take milliseconds (tens on a loaded machine) whatever its time limit (MILPs started
#: in the last milliseconds of a 20-200 ms limit ran the solver to 1.06-2x its limit), and
#: ``runtime_s`` must stay within 5 % of the limit.
MIN_MILP_S = 0.05


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
    so this is usually within a hair of the optimum and costs milliseconds. Patterns added
    after the last LP solve count as 0 (see :meth:`MasterLP.column_values`), so this is safe to
    call whenever column generation stopped, even between pricing and re-solving.
    """
    z = master.column_values()
    best: dict[int, tuple[float, float, Pattern]] = {}
    for k, pat in enumerate(master.patterns):
        key = (float(z[k]), -pat.cost)
        if pat.target not in best or key > best[pat.target][:2]:
            best[pat.target] = (key[0], key[1], pat)
    x = patterns_to_assignment(problem, [b[2] for b in best.values()])
    return descend(problem, repair(problem, x))


@dataclass(frozen=True)
class MipOutcome:
    """What one master MILP run gave: HiGHS' named model status, its dual bound, a solution."""

    status: highspy.HighsModelStatus
    #: HiGHS' dual bound of this MILP (``inf`` when infeasible, ``-inf`` when none was found)
    bound: float
    #: the assignment of HiGHS' best primal solution, ``None`` when it has none
    assignment: NDArray[np.int64] | None

    @property
    def optimal(self) -> bool:
        """True when HiGHS proved this MILP solved (optimal, or infeasible: nothing better)."""
        return self.status in (
            highspy.HighsModelStatus.kOptimal,
            highspy.HighsModelStatus.kInfeasible,
        )


def solve_master_mip(
    problem: WTAProblem,
    patterns: list[Pattern],
    time_limit_s: float,
    incumbent: NDArray[np.int64] | None = None,
    cutoff: float | None = None,
    rel_gap: float | None = None,
    stop_at: tuple[float, float] | None = None,
) -> MipOutcome:
    """Master MILP over ``patterns`` (must include the empty pattern of every target).

    ``rel_gap`` (default :data:`GAP_TOL`) is HiGHS' relative MIP gap: a looser one makes it stop
    once its incumbent is that close to its own bound (used where only a good solution, not a
    proof, is wanted). ``stop_at = (bound, gap)`` interrupts HiGHS once its dual bound is at
    least ``bound`` (unscaled) and its own relative gap is at most ``gap``."""
    t_start = time.perf_counter()
    n_t, n_w = problem.n_targets, problem.n_weapons
    chan = problem.channels is not None and bool(np.any(problem.channels < NO_LIMIT))
    h = new_highs(threads=1)
    h.setOptionValue("mip_rel_gap", GAP_TOL if rel_gap is None else float(rel_gap))
    h.setOptionValue("mip_abs_gap", 0.0)
    # HiGHS' presolve probes every binary: on a master of a few thousand columns it pays (1,400
    # columns of a 200x100x2 instance: 12 s with it, 18 s without, loaded machine), on ten
    # thousand or more sharing the weapon rows its probing took 30-40 s before the first LP
    # and its presolve does not watch the clock: given 0.2 s on 2,000 columns it ran 0.37 s
    # (0.22 s without), so a short MILP goes without it
    if len(patterns) > PRESOLVE_MAX_COLUMNS or time_limit_s < PRESOLVE_MIN_S:
        h.setOptionValue("presolve", "off")
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
    scale = cost_scale_for(
        problem, problem.objective(incumbent) if incumbent is not None else float("nan")
    )
    add_pattern_columns(h, patterns, n_t, n_w, chan, 1.0, scale)
    n = len(patterns)
    h.changeColsIntegrality(
        n, np.arange(n, dtype=np.int32), np.full(n, highspy.HighsVarType.kInteger)
    )
    if cutoff is not None:
        h.setOptionValue("objective_bound", float(cutoff) * scale)
    if stop_at is not None:
        want_bound, want_gap = stop_at[0] * scale, stop_at[1]

        def _enough(e: highspy.HighsCallbackEvent) -> None:
            out = e.data_out
            dual, primal = out.mip_dual_bound, out.mip_primal_bound
            if np.isfinite(primal) and dual >= want_bound and primal - dual <= want_gap * primal:
                e.interrupt()

        h.cbMipInterrupt.subscribe(_enough)
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
    # building the model is charged to the time limit too
    spent = time.perf_counter() - t_start
    h.setOptionValue("time_limit", max(MIN_HIGHS_TIME_S, float(time_limit_s) - spent))
    h.run()
    status = h.getModelStatus()
    info = h.getInfo()
    if status == highspy.HighsModelStatus.kInfeasible:
        return MipOutcome(status, float("inf"), None)
    bound = float(info.mip_dual_bound) / scale
    if not np.isfinite(bound) and status != highspy.HighsModelStatus.kOptimal:
        bound = -float("inf")
    if info.primal_solution_status != highspy.SolutionStatus.kSolutionStatusFeasible:
        return MipOutcome(status, bound, None)
    z = np.asarray(h.getSolution().col_value)
    chosen = [patterns[k] for k in np.nonzero(z > 0.5)[0]]
    return MipOutcome(status, bound, patterns_to_assignment(problem, chosen))


def _highs_budget(deadline: float) -> float:
    """Seconds to give HiGHS so that it stops by ``deadline``: it checks its clock between
    nodes and LP iterations and may run a little over, so it gets 97 % of what is left."""
    left = deadline - time.perf_counter()
    return max(MIN_HIGHS_TIME_S, HIGHS_TIME_SHARE * left - HIGHS_RESERVE_S)


def within_gap(
    problem: WTAProblem, cg: ColGenResult, patterns: list[Pattern], gap: float
) -> list[Pattern]:
    """The patterns a solution better than ``LB + gap`` could use, plus every empty pattern.

    At the best multipliers a pattern's sub-problem value exceeds its target's minimum by its
    Lagrangian reduced cost; the excesses of a solution's patterns sum to at most its objective
    minus ``LB``, so a pattern whose own excess is above ``gap`` cannot be in a solution below
    ``LB + gap`` (reduced-cost fixing). The filter keeps the restricted master MILP small.
    """
    lam = cg.lam
    nu = cg.nu if problem.channels is not None else np.zeros(problem.n_weapons)
    tol = gap * (1 + 1e-9) + 1e-12 * max(1.0, abs(float(cg.lower.sum())))
    out = []
    for pat in patterns:
        if len(pat.weapons) == 0:
            out.append(pat)
            continue
        sub = pat.cost + float(lam[pat.weapons] @ pat.counts) + float(nu[pat.weapons].sum())
        if sub - cg.lower[pat.target] <= tol:
            out.append(pat)
    return out


def enumerate_columns(
    problem: WTAProblem,
    cg: ColGenResult,
    delta: float,
    max_columns: int,
    deadline: float,
    floor: float = 0.0,
) -> tuple[list[Pattern], float, bool]:
    """Every pattern within ``delta`` of its target's sub-problem minimum at the best multipliers.

    Shrinks ``delta`` until at most ``max_columns`` patterns qualify, halving its distance to
    ``floor`` (the widest ``delta`` already enumerated: the pattern count grows about
    exponentially in ``delta``, so halving ``delta`` itself could fall back to ``floor``, and
    the bound would stop rising). Returns ``(patterns, delta used, complete)``.
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
                *problem.target_major,
                problem.rounds,
                w,
                f,
                cap,
                thr,
                delta * (1 + 1e-9) + 1e-12,
                1_000_000,
                per_target,
                max_width,
                PRICING_CANDIDATES,
            )
            if not ok:
                complete = False
                break
            for k in range(len(lens)):
                if k % 1024 == 1023 and time.perf_counter() > deadline:
                    return out, delta, False  # thousands of patterns on one target take a while
                order = np.argsort(items[k, : lens[k]])
                ws = items[k, : lens[k]][order]
                cs = counts[k, : lens[k]][order]
                out.append(Pattern(j, ws, cs, pattern_cost(problem, j, ws, cs)))
            if len(out) > max_columns:
                complete = False
                break
        if complete:
            return out, delta, True
        floor = floor if delta > floor * (1 + 1e-9) else 0.0
        delta = floor + 0.5 * (delta - floor)
        if delta <= 1e-12 * max(1.0, abs(float(lower.sum()))) or (
            floor > 0 and delta <= floor * (1 + FLOOR_STEP)
        ):
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
    """Registry entry of the exact solver (default time limit 60 s).

    The clock starts on entry: numba compilation (or loading its cache), which happens on the
    first call in a process only, is charged to the time limit and to ``runtime_s``, and is
    reported as ``info["jit_s"]``. Whenever the limit stops it, the solver returns its best
    feasible assignment with status ``time_limit`` and the best certified bound reached (``None``
    if the limit hit before the first Lagrangian bound).
    """
    t_enter = time.perf_counter()
    cpu_enter = time.process_time()
    limit = DEFAULT_TIME_LIMIT_S if time_limit_s is None else float(time_limit_s)
    deadline = t_enter + limit
    info: dict[str, object] = {}
    jit_s = warm_up()
    if jit_s > 0:
        info["jit_s"] = jit_s
    rng = np.random.default_rng(seed)

    def out_of_time(margin: float = 0.0) -> bool:
        return time.perf_counter() >= deadline - margin

    phase_s: dict[str, float] = {}
    t_phase = [time.perf_counter()]

    def lap(name: str) -> None:
        now = time.perf_counter()
        phase_s[name] = phase_s.get(name, 0.0) + now - t_phase[0]
        t_phase[0] = now

    # 1. primal start
    zero = np.zeros(problem.pk.shape, dtype=np.int64)
    inc = _Incumbent(zero, problem.objective(zero))
    starts = [greedy_assignment(problem)]
    if warm_start is not None:
        starts.append(problem.feasible_start(warm_start))
    for x in starts:
        inc.offer(problem, x)
    single = bool(problem.rounds.max(initial=0) <= 1)
    if not out_of_time() and (single or problem.pk.size <= MATCHING_MAX_PAIRS):
        starts.append(matching_layers(problem, deadline=deadline))
        inc.offer(problem, starts[-1])
    descent_s = 0.0  # what one descent costs here (the VLNS below starts with one)
    if not out_of_time():
        # descend from the better construction only (the others still seed the column pool)
        t_d = time.perf_counter()
        inc.offer(problem, descend(problem, min(starts, key=problem.objective)))
        descent_s = time.perf_counter() - t_d
    info["start_objective"] = inc.value
    lb = -np.inf
    cg = None

    def closed() -> bool:
        return inc.value - lb <= GAP_TOL * max(abs(inc.value), 1e-300)

    lap("start")
    # 2. column generation: certified bound
    if not out_of_time():
        cg_deadline = t_enter + COLGEN_SHARE * limit
        cg = column_generation(
            problem,
            cg_deadline,
            initial=[inc.x, *starts],
            lam0=initial_multipliers(problem, inc.x),
            tol_rel=COLGEN_TOL,
            smoothing=(
                SMOOTHING_NARROW if problem.n_weapons <= problem.n_targets else SMOOTHING_WIDE
            ),
        )
        lb = cg.bound
        info.update(
            cg_iterations=cg.iterations, lp_bound=cg.lp_value, columns=len(cg.master.patterns)
        )

    lap("colgen")
    # 3. integral LP solution, else restricted master MILP (price-and-branch)
    if cg is not None and cg.master.n_solved and not closed():
        zval = cg.master.column_values()
        if np.all((zval < 1e-9) | (zval > 1 - 1e-9)):
            chosen = [cg.master.patterns[k] for k in np.nonzero(zval > 0.5)[0]]
            inc.offer(problem, patterns_to_assignment(problem, chosen))
        if not closed():
            inc.offer(problem, round_master_lp(problem, cg.master))
    info["rounding_objective"] = inc.value

    def restricted_mip() -> None:
        """Price and branch: the master MILP over the generated columns, for an incumbent."""
        assert cg is not None
        budget = min(0.5 * _highs_budget(deadline), RESTRICTED_MIP_SHARE * limit)
        useful = within_gap(problem, cg, cg.master.patterns, inc.value - cg.bound)
        mip = solve_master_mip(problem, useful, budget, inc.x, rel_gap=RESTRICTED_MIP_GAP)
        info.update(restricted_mip_status=mip.status.name, restricted_mip_columns=len(useful))
        if mip.assignment is not None and not out_of_time():
            inc.offer(problem, descend(problem, mip.assignment))
        elif mip.assignment is not None:
            inc.offer(problem, mip.assignment)

    lap("rounding")
    # 4. column enumeration and master MILPs over growing neighbourhoods of the LP optimum,
    # starting small: each MILP either proves optimality, or raises the bound to LB + d and
    # usually improves the incumbent; d grows 3x up to the remaining gap
    rounds = 0
    round_log: list[dict[str, object]] = []
    info["enumeration_log"] = round_log
    tried_restricted = False
    # the widest complete enumeration so far and its delta (the polish MILP below re-uses it)
    polish_pats: list[Pattern] | None = None
    polish_d = last_d = 0.0
    bound_only = False  # set once a round could not prove its optimum in its share of time
    improved = False  # set once a round's MILP improved the incumbent
    if cg is not None:
        d = min(inc.value - cg.bound, ENUM_START_REL * max(abs(cg.bound), 1e-300))
        round_s = 0.1 * limit  # a round (enumeration, model build, MILP) needs time to pay off
        while not closed() and not out_of_time(max(0.05 * limit, round_s, MIN_MILP_S)):
            t_round = time.perf_counter()
            rounds += 1
            full = inc.value - cg.bound
            d = min(d, full)
            pats, d_used, complete = enumerate_columns(
                problem, cg, d, MAX_ENUM_COLUMNS, deadline - MIN_MILP_S, floor=last_d
            )
            enum_s = time.perf_counter() - t_round
            info.update(enumerated_columns=len(pats), enumeration_delta=d_used)
            if not complete or not pats:
                if not tried_restricted and not out_of_time(MIN_MILP_S):
                    tried_restricted = True
                    restricted_mip()
                    d = 0.5 * d_used
                    continue
                break
            if d_used <= last_d * (1 + 1e-9):
                break  # the column cap keeps the enumeration from widening: polish below
            # A round proves the optimum over its columns (which often improves the incumbent)
            # within a share of the time left. Once a round has run out of that share, the
            # rounds short of the whole gap only lift the bound: such a round can at best bring
            # it to LB + d_used, so HiGHS stops once its own bound gets there (or proves that
            # nothing in these columns beats the incumbent, the cutoff).
            whole = d_used >= full * (1 - 1e-12)
            stop_gap = None
            budget = _highs_budget(deadline)
            if not whole and bound_only and inc.value > 0:
                stop_gap = max(GAP_TOL, (inc.value - cg.bound - d_used) / inc.value)
                budget *= BOUND_ROUND_SHARE  # leave time for the polish MILP
            stop_at = None
            if not whole and stop_gap is None:
                weak = not improved and inc.value - cg.bound > WEAK_INCUMBENT_GAP * inc.value
                budget *= WEAK_ROUND_SHARE if weak else ROUND_SHARE
                if weak:
                    # its bound cannot count for more than LB + d_used: once HiGHS' own bound is
                    # there and its solution is within WEAK_ROUND_STOP_GAP of the optimum over
                    # these columns, the round has given what it can
                    stop_at = (cg.bound + d_used, WEAK_ROUND_STOP_GAP)
            mip = solve_master_mip(
                problem, pats, budget, inc.x, cutoff=inc.value, rel_gap=stop_gap, stop_at=stop_at
            )
            if mip.assignment is not None and inc.offer(problem, mip.assignment):
                improved = True
            info.update(mip_bound=mip.bound, mip_status=mip.status.name, enumeration_rounds=rounds)
            # every solution below LB + d_used lies in the enumerated space
            reach = inc.value if d_used >= full * (1 - 1e-12) else cg.bound + d_used
            lb = max(lb, min(reach, mip.bound, inc.value))
            round_log.append(
                {
                    "delta": d_used,
                    "columns": len(pats),
                    "mip_status": mip.status.name,
                    "bound": lb,
                    "objective": inc.value,
                    "elapsed_s": round(time.perf_counter() - t_enter, 4),
                    "cpu_s": round(time.process_time() - cpu_enter, 4),
                }
            )
            if not mip.optimal and (whole or bound_only or out_of_time(0.05 * limit)):
                break
            bound_only = bound_only or not mip.optimal
            last_d = d_used
            # the polish MILP below searches a small set that a bound-only round enumerated
            # for its optimum (a set whose own round searched it already would only start the
            # same root again: 2 s of a 10 s limit on 200x100x2)
            if stop_gap is not None and len(pats) <= PRESOLVE_MAX_COLUMNS:
                polish_pats, polish_d = pats, d_used
            d = 3.0 * d_used
            # a round that searched its set to the end of its share says little about how long
            # a bound-only round takes (its bound rises from HiGHS' root on): the next one needs
            # the enumeration's time and a tenth of the limit
            round_s = (
                time.perf_counter() - t_round
                if mip.optimal
                else max(0.1 * limit, 3.0 * enum_s, MIN_MILP_S)
            )

    lap("enumeration")
    # bound-only rounds seldom improve the incumbent: most of what is left goes to the master
    # MILP over the widest enumerated set that is still small (presolve on), solved for its
    # optimum; every solution below LB + d of that set lies in it, so its bound counts too
    late = max(0.1 * limit, MIN_MILP_S)
    if bound_only and polish_pats is not None and not closed() and not out_of_time(late):
        assert cg is not None
        mip = solve_master_mip(
            problem, polish_pats, 0.6 * _highs_budget(deadline), inc.x, cutoff=inc.value
        )
        if mip.assignment is not None:
            inc.offer(problem, mip.assignment)
        lb = max(lb, min(cg.bound + polish_d, mip.bound, inc.value))
        info.update(polish_mip_status=mip.status.name, polish_mip_columns=len(polish_pats))
    lap("polish_mip")
    if cg is not None and not closed() and not tried_restricted and not out_of_time(late):
        restricted_mip()
    lap("restricted_mip")
    # 5. leftover time: improve the incumbent by VLNS
    # it descends once, then its iterations (a matching and a descent each) are timed; 500 x
    # 1000 at load 10: a descent 0.5-1 s, so VLNS started 0.6 s before the deadline ran 1.35 s
    if not closed() and not out_of_time(max(0.05 * limit, 2 * STEP_MARGIN * descent_s)):
        x_v, _, it = vlns(
            problem, inc.x, deadline, rng, target=lb if np.isfinite(lb) else None,
            first_step_s=descent_s,
        )  # fmt: skip
        inc.offer(problem, x_v)
        info.update(vlns_iterations=it)

    lap("vlns")
    info["phase_s"] = {k: round(v, 4) for k, v in phase_s.items()}
    bound: float | None = None
    if np.isfinite(lb):
        bound = min(lb - BOUND_SAFETY * max(abs(lb), 1e-12), inc.value)
    if closed():
        status, termination = SolveStatus.OPTIMAL, TerminationCondition.OPTIMAL
    else:
        status, termination = SolveStatus.TIME_LIMIT, TerminationCondition.TIME_LIMIT
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


__all__ = [
    "MipOutcome",
    "enumerate_columns",
    "lagrangian_bound",
    "round_master_lp",
    "solve_exact",
    "solve_master_mip",
]
