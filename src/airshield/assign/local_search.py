"""Local search and a very-large-neighbourhood search (VLNS) for the WTA problem.

* ``local_search``: greedy MMR, then best-improvement descent over add / drop / relocate / swap
  moves of single rounds (numba, incremental survival products). Milliseconds.
* ``vlns``: uses its whole time budget in two phases. (1) A Lagrangian heuristic: subgradient
  steps on the round prices of the weapons; at each step every target takes its best pattern at
  those prices (exact numba sub-problem, see :mod:`airshield.assign.colgen`), over-used weapons
  are repaired and the result descends. The best Lagrangian value is a valid lower bound, which
  the result reports. (2) Very-large-neighbourhood search from the best point: each iteration
  frees *all* rounds of a group of related weapons (weapons sharing targets with a random seed
  weapon), re-assigns them with the matching-based construction (an exact linear assignment per
  round layer) and descends. A move re-routes up to a dozen weapons at once, which captures
  ejection chains that single-round moves cannot reach. Worse points are accepted under a
  threshold that decays to zero over the time budget.
"""

from __future__ import annotations

import time

import numpy as np
from numpy.typing import NDArray

from airshield.assign.greedy import greedy_assignment, heuristic_result
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
from airshield.kernels.wta import local_search as _ls_kernel

#: Default time budget of the search solvers when the caller gives none.
DEFAULT_TIME_LIMIT_S = 10.0
#: Share of the VLNS budget spent in the Lagrangian phase.
LAGRANGE_SHARE = 0.5


def descend(problem: WTAProblem, x: NDArray[np.int64], swap: bool = True) -> NDArray[np.int64]:
    """Local optimum reached from feasible ``x`` by single-round moves."""
    x = np.ascontiguousarray(x, dtype=np.int64)
    return np.asarray(_ls_kernel(x, *problem.kernel_arrays(), swap))


def _start(problem: WTAProblem, warm_start: NDArray[np.int64] | None) -> NDArray[np.int64]:
    if warm_start is not None:
        return problem.feasible_start(warm_start)
    # the better of the two constructions (matching is often optimal when rounds are scarce)
    return min((greedy_assignment(problem), matching_layers(problem)), key=problem.objective)


@register_solver(
    "local_search",
    {
        AssignerFeature.MULTI_SHOT,
        AssignerFeature.SIDE_CONSTRAINTS,
        AssignerFeature.WARM_START,
        AssignerFeature.DETERMINISTIC,
    },
    "Greedy MMR, then descent over add/drop/relocate/swap moves (numba).",
    rank=40,
)
def solve_local_search(
    problem: WTAProblem,
    time_limit_s: float | None = None,
    seed: int | None = None,
    warm_start: NDArray[np.int64] | None = None,
) -> AssignmentResult:
    """Registry entry: greedy (or ``warm_start``) then a local-optimum descent."""
    t0 = time.perf_counter()
    x = greedy_assignment(problem) if warm_start is None else _start(problem, warm_start)
    x = descend(problem, x)
    return heuristic_result(problem, x, "local_search", t0)


def repair(problem: WTAProblem, x: NDArray[np.int64]) -> NDArray[np.int64]:
    """Make ``x`` (which respects masks and per-target caps) respect rounds and channels.

    Over-used weapons drop the rounds (or, for channels, whole engagements) whose loss
    ``V_j S_j (q^-n - 1) - n c_i`` is smallest, a batch per weapon and pass.
    """
    x = np.array(x, dtype=np.int64, copy=True)
    q = 1.0 - problem.pk
    cost = problem.cost_vector()
    chan = problem.channel_vector()
    while True:
        used = x.sum(axis=1)
        engaged = (x > 0).sum(axis=1)
        over = np.nonzero((used > problem.rounds) | (engaged > chan))[0]
        if over.size == 0:
            return x
        surv = problem.survival(x)
        for i in over.tolist():
            js = np.nonzero(x[i])[0]
            whole = used[i] <= problem.rounds[i]  # only the channels are exceeded
            n = x[i, js] if whole else np.ones(js.size, dtype=np.int64)
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                loss = problem.values[js] * surv[js] * (q[i, js] ** (-n) - 1.0) - n * cost[i]
            loss = np.where(np.isfinite(loss), loss, np.inf)
            excess = int(engaged[i] - chan[i]) if whole else int(used[i] - problem.rounds[i])
            drop = js[np.argsort(loss, kind="stable")[: max(1, excess)]]
            if whole:
                x[i, drop] = 0
            else:
                x[i, drop] -= 1


def lagrangian_heuristic(
    problem: WTAProblem, x0: NDArray[np.int64], deadline: float, max_iter: int | None = None
) -> tuple[NDArray[np.int64], float, float, int]:
    """Subgradient optimisation of the weapon round (and channel) prices with a primal repair.

    Returns ``(best assignment, its objective, best Lagrangian lower bound, iterations)``.
    Deterministic: no random draws.
    """
    from airshield.assign.colgen import initial_multipliers, lagrangian_bound

    best = descend(problem, x0)
    ub = problem.objective(best)
    chan = problem.channels is not None and bool(np.any(problem.channel_vector() < NO_LIMIT))
    lam = initial_multipliers(problem, best)
    nu = np.zeros(problem.n_weapons)
    lb = -np.inf
    theta, stall, it = 1.0, 0, 0
    step_s = 0.0  # duration of the last iteration: do not start one that would end too late
    while time.perf_counter() + STEP_MARGIN * step_s < deadline and (
        max_iter is None or it < max_iter
    ):
        t_it = time.perf_counter()
        it += 1
        lr = lagrangian_bound(problem, lam, nu if chan else None)
        y = np.zeros(problem.pk.shape, dtype=np.int64)
        for j in range(problem.n_targets):
            ln = int(lr.lens[j])
            y[lr.items[j, :ln], j] = lr.counts[j, :ln]
        cand = descend(problem, repair(problem, y), swap=False)
        val = problem.objective(cand)
        if val < ub:
            cand = descend(problem, cand)
            best, ub = cand, problem.objective(cand)
        if lr.bound > lb + 1e-12 * max(1.0, abs(lr.bound)):
            lb, stall = lr.bound, 0
        else:
            stall += 1
            if stall >= 5:
                theta, stall = theta / 2, 0
        if ub - lb <= 1e-9 * max(abs(ub), 1e-300) or theta < 1e-6:
            break
        g = (y.sum(axis=1) - problem.rounds).astype(np.float64)
        g[(lam <= 0) & (g < 0)] = 0.0
        gc = np.zeros(problem.n_weapons)
        if chan:
            gc = ((y > 0).sum(axis=1) - problem.channel_vector()).astype(np.float64)
            gc[(nu <= 0) & (gc < 0)] = 0.0
        norm = float(g @ g + gc @ gc)
        if norm == 0.0:
            break
        step = theta * (ub - lr.bound) / norm
        lam = np.maximum(lam + step * g, 0.0)
        nu = np.maximum(nu + step * gc, 0.0)
        step_s = time.perf_counter() - t_it
    return best, ub, lb, it


def related_weapons(
    problem: WTAProblem, x: NDArray[np.int64], size: int, rng: np.random.Generator
) -> NDArray[np.int64]:
    """A random seed weapon plus weapons that engage, or could engage, the same targets."""
    n_w = problem.n_weapons
    chosen = [int(rng.integers(n_w))]
    seen = np.zeros(n_w, dtype=bool)
    seen[chosen[0]] = True
    while len(chosen) < min(size, n_w):
        base = chosen[int(rng.integers(len(chosen)))]
        targets = np.nonzero(x[base])[0]
        if targets.size and rng.random() < 0.8:
            j = int(targets[rng.integers(targets.size)])
            # weapons on j, or weapons with a good shot at j
            on_j = np.nonzero((x[:, j] > 0) & ~seen)[0]
            if on_j.size and rng.random() < 0.5:
                cand = int(on_j[rng.integers(on_j.size)])
            else:
                score = np.where(problem.allowed[:, j] & ~seen, problem.pk[:, j], -1.0)
                top = np.argsort(score)[-4:]
                top = top[score[top] > 0]
                if top.size == 0:
                    continue
                cand = int(top[rng.integers(top.size)])
        else:
            cand = int(rng.integers(n_w))
        if not seen[cand]:
            seen[cand] = True
            chosen.append(cand)
    return np.array(chosen, dtype=np.int64)


def vlns(
    problem: WTAProblem,
    x0: NDArray[np.int64],
    deadline: float,
    rng: np.random.Generator,
    group_size: tuple[int, int] = (3, 12),
    threshold_rel: float = 2e-4,
    max_iter: int | None = None,
    target: float | None = None,
    first_step_s: float = 0.0,
) -> tuple[NDArray[np.int64], float, int]:
    """Very-large-neighbourhood search from feasible ``x0`` until ``deadline``.

    Returns ``(best assignment, best objective, iterations)``; stops early at ``max_iter``
    iterations or when the objective reaches ``target`` (for example a proven lower bound).
    ``first_step_s``: what the caller expects an iteration to take (a descent's duration), so
    that not even the first one starts when it cannot end in time.
    """
    cur = descend(problem, x0)
    cur_val = problem.objective(cur)
    best, best_val = cur.copy(), cur_val
    t_start = time.perf_counter()
    span = max(deadline - t_start, 1e-9)
    it = 0
    step_s = first_step_s  # duration of the last iteration: start none that would end late
    while time.perf_counter() + STEP_MARGIN * step_s < deadline and (
        max_iter is None or it < max_iter
    ):
        if target is not None and best_val <= target:
            break
        t_it = time.perf_counter()
        it += 1
        size = int(rng.integers(group_size[0], group_size[1] + 1))
        ws = related_weapons(problem, cur, size, rng)
        trial = cur.copy()
        trial[ws] = 0
        trial = matching_layers(problem, trial, ws)
        trial = descend(problem, trial)
        val = problem.objective(trial)
        frac_left = max(0.0, deadline - time.perf_counter()) / span
        thr = threshold_rel * abs(best_val) * frac_left * rng.random()
        if val < cur_val - 1e-12 * abs(cur_val) or val <= cur_val + thr:
            cur, cur_val = trial, val
            if val < best_val - 1e-12 * abs(best_val):
                best, best_val = trial.copy(), val
        step_s = time.perf_counter() - t_it
    return best, best_val, it


@register_solver(
    "vlns",
    {
        AssignerFeature.MULTI_SHOT,
        AssignerFeature.SIDE_CONSTRAINTS,
        AssignerFeature.WARM_START,
        AssignerFeature.TIME_LIMIT,
    },
    "Lagrangian heuristic (subgradient on round prices, exact per-target patterns, repair), "
    "then very-large-neighbourhood search re-assigning groups of related weapons by linear "
    "assignment layers; uses the whole time budget (default 10 s); reports the Lagrangian "
    "lower bound.",
    rank=30,
)
def solve_vlns(
    problem: WTAProblem,
    time_limit_s: float | None = None,
    seed: int | None = None,
    warm_start: NDArray[np.int64] | None = None,
) -> AssignmentResult:
    """Registry entry of the VLNS (seeded; stops at the time limit, which counts from entry and
    includes numba's compilation when that happens in this call)."""
    t0 = time.perf_counter()
    jit_s = warm_up()
    limit = DEFAULT_TIME_LIMIT_S if time_limit_s is None else time_limit_s
    deadline = t0 + limit
    rng = np.random.default_rng(seed)
    x0 = _start(problem, warm_start)
    x1, _, lb, it_l = lagrangian_heuristic(problem, x0, t0 + LAGRANGE_SHARE * limit)
    target = lb if np.isfinite(lb) else None
    x, val, it = vlns(problem, x1, deadline, rng, target=target)
    bound = None
    if np.isfinite(lb):
        bound = min(lb - 1e-9 * max(abs(lb), 1e-12), val)
    gap = relative_gap(val, bound)
    proven = gap is not None and gap <= 1e-9
    info: dict[str, object] = {"lagrange_iterations": it_l, "vlns_iterations": it}
    if jit_s > 0:
        info["jit_s"] = jit_s
    return AssignmentResult(
        assignment=x,
        objective=val,
        bound=bound,
        gap=gap,
        status=SolveStatus.OPTIMAL if proven else SolveStatus.TIME_LIMIT,
        termination=TerminationCondition.OPTIMAL if proven else TerminationCondition.TIME_LIMIT,
        runtime_s=time.perf_counter() - t0,
        solver="vlns",
        info=info,
    )
