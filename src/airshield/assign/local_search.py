"""Local search and a very-large-neighbourhood search (VLNS) for the WTA problem.

* ``local_search``: greedy MMR, then best-improvement descent over add / drop / relocate / swap
  moves of single rounds (numba, incremental survival products). Milliseconds.
* ``vlns``: iterated search that uses its whole time budget. Each iteration frees *all* rounds of
  a group of related weapons (weapons sharing targets with a random seed weapon) and re-assigns
  them with the matching-based construction (an exact linear assignment per round layer), then
  descends. This is a large neighbourhood: a move re-routes up to a dozen weapons at once,
  which captures the ejection chains that single-round moves cannot reach. Worse points are
  accepted under a threshold that decays to zero over the time budget.
"""

from __future__ import annotations

import time

import numpy as np
from numpy.typing import NDArray

from airshield.assign.greedy import greedy_assignment, heuristic_result
from airshield.assign.matching import matching_layers
from airshield.assign.problem import WTAProblem
from airshield.assign.registry import AssignerFeature, register_solver
from airshield.assign.result import AssignmentResult, TerminationCondition
from airshield.assign.warmup import warm_up
from airshield.kernels.wta import local_search as _ls_kernel

#: Default time budget of the search solvers when the caller gives none.
DEFAULT_TIME_LIMIT_S = 10.0


def descend(problem: WTAProblem, x: NDArray[np.int64], swap: bool = True) -> NDArray[np.int64]:
    """Local optimum reached from feasible ``x`` by single-round moves."""
    return np.asarray(
        _ls_kernel(
            np.ascontiguousarray(x, dtype=np.int64),
            problem.values,
            problem.pk,
            problem.allowed,
            problem.rounds,
            problem.cost_vector(),
            problem.channel_vector(),
            problem.target_cap(),
            swap,
        )
    )


def _start(problem: WTAProblem, warm_start: NDArray[np.int64] | None) -> NDArray[np.int64]:
    if warm_start is not None:
        x = np.asarray(warm_start, dtype=np.int64)
        if not problem.is_feasible(x):
            raise ValueError("warm_start is not a feasible assignment")
        return x
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
) -> tuple[NDArray[np.int64], float, int]:
    """Very-large-neighbourhood search from feasible ``x0`` until ``deadline``.

    Returns ``(best assignment, best objective, iterations)``; stops early at ``max_iter``
    iterations or when the objective reaches ``target`` (for example a proven lower bound).
    """
    cur = descend(problem, x0)
    cur_val = problem.objective(cur)
    best, best_val = cur.copy(), cur_val
    t_start = time.perf_counter()
    span = max(deadline - t_start, 1e-9)
    it = 0
    while time.perf_counter() < deadline and (max_iter is None or it < max_iter):
        if target is not None and best_val <= target:
            break
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
    return best, best_val, it


@register_solver(
    "vlns",
    {
        AssignerFeature.MULTI_SHOT,
        AssignerFeature.SIDE_CONSTRAINTS,
        AssignerFeature.WARM_START,
        AssignerFeature.TIME_LIMIT,
    },
    "Very-large-neighbourhood search: re-assign groups of related weapons by linear "
    "assignment layers, then descend; uses the whole time budget (default 10 s).",
    rank=30,
)
def solve_vlns(
    problem: WTAProblem,
    time_limit_s: float | None = None,
    seed: int | None = None,
    warm_start: NDArray[np.int64] | None = None,
) -> AssignmentResult:
    """Registry entry of the VLNS (seeded; stops at the time limit)."""
    t0 = time.perf_counter()
    warm_up()  # JIT / cache load is not charged to the time limit
    limit = DEFAULT_TIME_LIMIT_S if time_limit_s is None else time_limit_s
    rng = np.random.default_rng(seed)
    x, _, it = vlns(problem, _start(problem, warm_start), time.perf_counter() + limit, rng)
    return heuristic_result(problem, x, "vlns", t0, TerminationCondition.TIME_LIMIT, iterations=it)
