"""Target-based (Dantzig-Wolfe) formulation: column generation, Lagrangian bounds, enumeration.

Every target ``j`` picks exactly one *pattern* ``x_j`` (rounds from each weapon). The master
problem is a set-partitioning-like MILP over patterns::

    min  sum_{j,k} cost_jk z_jk
    s.t. sum_k z_jk = 1                          for every target j
         sum_{j,k} x_i(j,k) z_jk <= m_i          for every weapon i        (duals -lambda_i)
         sum_{j,k} [x_i(j,k) > 0] z_jk <= ch_i   for every weapon i (when channels are limited)
         z binary

with ``cost_jk = V_j prod_i q_ij^x_i + sum_i c_i x_i``. Its LP relaxation equals the Lagrangian
dual of the rounds (and channel) constraints, which is at least as tight as any piecewise-linear
or convex relaxation in the space of ``x``. For multipliers ``lambda, nu >= 0``::

    L(lambda, nu) = sum_j h_j(c + lambda, nu) - lambda . m - nu . ch

is a valid lower bound (``h_j`` from :func:`airshield.kernels.wta.price_targets`, solved exactly).
Moreover any solution with objective below ``UB`` uses, on every target, a pattern whose
sub-problem value is within ``UB - L`` of ``h_j``; enumerating those patterns and solving the
master MILP over them is therefore exact (column enumeration, as in Lu & Chen 2021).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import highspy
import numpy as np
from numpy.typing import NDArray

from airshield.assign.highs import new_highs
from airshield.assign.problem import NO_LIMIT, WTAProblem
from airshield.assign.result import STEP_MARGIN
from airshield.kernels.wta import price_targets

_NODE_LIMIT = 2_000_000
#: Weapons per target the pricing searches first, cheapest per unit of log-kill (it searches all
#: of them only where the others could matter; see :func:`airshield.kernels.wta.price_targets`)
PRICING_CANDIDATES = 32


@dataclass
class Pattern:
    """One column: target, weapons, rounds per weapon, true cost."""

    target: int
    weapons: NDArray[np.int64]
    counts: NDArray[np.int64]
    cost: float


def pattern_cost(
    problem: WTAProblem, j: int, weapons: NDArray[np.int64], counts: NDArray[np.int64]
) -> float:
    """True objective contribution of a pattern on target ``j``."""
    surv = 1.0
    for i, n in zip(weapons.tolist(), counts.tolist(), strict=True):
        surv *= (1.0 - float(problem.pk[i, j])) ** n
    cost = float(problem.values[j]) * surv
    if problem.shot_cost is not None:
        cost += float(np.dot(problem.shot_cost[weapons], counts))
    return cost


def add_pattern_columns(
    h: highspy.Highs,
    patterns: list[Pattern],
    n_targets: int,
    n_weapons: int,
    channels: bool,
    upper: float,
    cost_scale: float = 1.0,
) -> None:
    """Add one HiGHS column per pattern, with bounds [0, ``upper``]: a 1 in its target's row,
    its rounds in the weapons' round rows and, with ``channels``, a 1 in each weapon's channel
    row (rows: targets, then weapon rounds, then weapon channels). Costs are multiplied by
    ``cost_scale`` (see :func:`cost_scale_for`)."""
    n = len(patterns)
    starts = np.zeros(n, np.int32)
    idx: list[int] = []
    val: list[float] = []
    costs = np.empty(n)
    for k, pat in enumerate(patterns):
        starts[k] = len(idx)
        costs[k] = pat.cost * cost_scale
        idx.append(pat.target)
        val.append(1.0)
        idx.extend((n_targets + pat.weapons).tolist())
        val.extend(pat.counts.astype(np.float64).tolist())
        if channels:
            idx.extend((n_targets + n_weapons + pat.weapons).tolist())
            val.extend([1.0] * len(pat.weapons))
    h.addCols(
        n, costs, np.zeros(n), np.full(n, upper), len(idx), starts, np.array(idx, np.int32),
        np.array(val),
    )  # fmt: skip


def cost_scale_for(problem: WTAProblem, objective: float) -> float:
    """Factor that brings HiGHS' pattern costs to order 1 per target.

    HiGHS' tolerances are absolute (about ``1e-7`` on reduced costs and feasibility); with
    many rounds per target a pattern may cost ``1e-7`` (the ``W > T`` instances), and then the
    LP's duals and the MILP's optimum would be noise. Costs handed to HiGHS are multiplied by
    ``T / objective`` of a feasible solution, and everything read back is divided by it.
    """
    if not np.isfinite(objective) or objective <= 0.0:
        return 1.0
    return float(np.clip(problem.n_targets / objective, 1e-6, 1e12))


@dataclass
class LagrangeResult:
    """Lagrangian bound at given multipliers plus every target's best pattern."""

    bound: float
    hmin: NDArray[np.float64]
    lower: NDArray[np.float64]
    items: NDArray[np.int64]
    counts: NDArray[np.int64]
    lens: NDArray[np.int64]
    proven: bool


def lagrangian_bound(
    problem: WTAProblem, lam: NDArray[np.float64], nu: NDArray[np.float64] | None = None
) -> LagrangeResult:
    """``L(lambda, nu)`` (a valid lower bound on the optimum) and the best patterns."""
    lam = np.maximum(np.asarray(lam, dtype=np.float64), 0.0)
    w = problem.cost_vector() + lam
    f = np.zeros(problem.n_weapons) if nu is None else np.maximum(nu, 0.0)
    max_len = int(min(problem.n_weapons, problem.target_cap(), max(1, problem.rounds.sum()))) + 1
    pk_t, logkill_t, allowed_t = problem.target_major
    hmin, lower, items, counts, lens, proven = price_targets(
        problem.values,
        pk_t,
        logkill_t,
        allowed_t,
        problem.rounds,
        w,
        f,
        problem.target_cap(),
        _NODE_LIMIT,
        max_len,
        PRICING_CANDIDATES,
    )
    bound = float(lower.sum() - np.dot(lam, problem.rounds))
    if nu is not None and problem.channels is not None:
        bound -= float(np.dot(f, problem.channels))
    return LagrangeResult(bound, hmin, lower, items, counts, lens, bool(proven.all()))


@dataclass
class MasterLP:
    """The restricted master LP, kept in HiGHS and grown column by column."""

    problem: WTAProblem
    #: factor applied to the costs handed to HiGHS (values read back are divided by it)
    cost_scale: float = 1.0
    highs: highspy.Highs = field(init=False)
    patterns: list[Pattern] = field(default_factory=list)
    keys: set[tuple[int, bytes]] = field(default_factory=set)
    _n_sent: int = 0
    #: columns the last LP solve covered (0: never solved); later columns are not in it yet
    n_solved: int = 0
    #: the last pricing's best patterns ``(items, counts, lens)``, all already in the pool
    last_priced: tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]] | None = None

    def __post_init__(self) -> None:
        p = self.problem
        h = new_highs(threads=1)
        h.setOptionValue("presolve", "off")
        h.setOptionValue("simplex_strategy", 4)
        inf = highspy.kHighsInf
        n_t, n_w = p.n_targets, p.n_weapons
        lower = np.concatenate([np.ones(n_t), np.full(n_w, -inf)])
        upper = np.concatenate([np.ones(n_t), p.rounds.astype(np.float64)])
        if self.has_channels:
            lower = np.concatenate([lower, np.full(n_w, -inf)])
            upper = np.concatenate([upper, p.channels.astype(np.float64)])  # type: ignore[union-attr]
        h.addRows(
            len(lower), lower, upper, 0, np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0)
        )
        self.highs = h
        # the empty pattern on every target keeps the master feasible
        for j in range(n_t):
            self.add(j, np.zeros(0, np.int64), np.zeros(0, np.int64))

    @property
    def has_channels(self) -> bool:
        """True when the channel rows are present."""
        ch = self.problem.channels
        return ch is not None and bool(np.any(ch < NO_LIMIT))

    def add(self, j: int, weapons: NDArray[np.int64], counts: NDArray[np.int64]) -> bool:
        """Queue a pattern unless it is already in the pool; True when new."""
        order = np.argsort(weapons)
        weapons = np.asarray(weapons, np.int64)[order]
        counts = np.asarray(counts, np.int64)[order]
        key = (j, weapons.tobytes() + b"|" + counts.tobytes())
        if key in self.keys:
            return False
        self.keys.add(key)
        cost = pattern_cost(self.problem, j, weapons, counts)
        self.patterns.append(Pattern(j, weapons, counts, cost))
        return True

    def flush(self) -> None:
        """Send queued patterns to HiGHS in one call."""
        new = self.patterns[self._n_sent :]
        if not new:
            return
        add_pattern_columns(
            self.highs, new, self.problem.n_targets, self.problem.n_weapons, self.has_channels,
            highspy.kHighsInf, self.cost_scale,
        )  # fmt: skip
        self._n_sent = len(self.patterns)

    def solve(self) -> tuple[float, NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
        """Solve the LP: ``(objective, mu (T,), lambda (W,), nu (W,))`` (multipliers >= 0)."""
        self.flush()
        h = self.highs
        h.run()
        self.n_solved = len(self.patterns)
        sol = h.getSolution()
        dual = np.asarray(sol.row_dual) / self.cost_scale
        n_t, n_w = self.problem.n_targets, self.problem.n_weapons
        mu = dual[:n_t]
        lam = np.maximum(-dual[n_t : n_t + n_w], 0.0)
        nu = np.maximum(-dual[n_t + n_w :], 0.0) if self.has_channels else np.zeros(n_w)
        return float(h.getInfo().objective_function_value) / self.cost_scale, mu, lam, nu

    @property
    def up_to_date(self) -> bool:
        """True when the last LP solve covered every pattern in the pool."""
        return self.n_solved == len(self.patterns) and self.n_solved > 0

    def column_values(self) -> NDArray[np.float64]:
        """Primal values of the pattern variables, one per pattern in :attr:`patterns`.

        Patterns added after the last LP solve (column generation stopped by its deadline
        between pricing and re-solving) were not in that LP and get 0; before any solve every
        value is 0.
        """
        z = np.zeros(len(self.patterns))
        if self.n_solved:
            sol = np.asarray(self.highs.getSolution().col_value, dtype=np.float64)
            n = min(self.n_solved, sol.size, z.size)
            z[:n] = sol[:n]
        return z


def patterns_to_assignment(problem: WTAProblem, chosen: list[Pattern]) -> NDArray[np.int64]:
    """The ``(W, T)`` rounds matrix of one pattern per target."""
    x = np.zeros((problem.n_weapons, problem.n_targets), dtype=np.int64)
    for pat in chosen:
        x[pat.weapons, pat.target] += pat.counts
    return x


def assignment_patterns(
    problem: WTAProblem, x: NDArray[np.int64]
) -> list[tuple[int, NDArray[np.int64], NDArray[np.int64]]]:
    """Split an assignment into one pattern per target."""
    out = []
    for j in range(problem.n_targets):
        w = np.nonzero(x[:, j])[0].astype(np.int64)
        out.append((j, w, x[w, j].astype(np.int64)))
    return out


@dataclass
class ColGenResult:
    """Outcome of column generation."""

    lp_value: float
    bound: float
    lam: NDArray[np.float64]
    nu: NDArray[np.float64]
    #: per-target lower bounds of the sub-problems at ``lam, nu`` (their sum gives ``bound``)
    lower: NDArray[np.float64]
    iterations: int
    master: MasterLP


def initial_multipliers(problem: WTAProblem, x: NDArray[np.int64]) -> NDArray[np.float64]:
    """Round prices from a heuristic solution: the best gain one more round of each weapon buys."""
    surv = problem.survival(x)
    gain = np.where(problem.allowed, problem.values * surv * problem.pk, 0.0)
    lam = gain.max(axis=1, initial=0.0) - problem.cost_vector()
    return np.maximum(lam, 0.0)


def column_generation(
    problem: WTAProblem,
    deadline: float,
    initial: list[NDArray[np.int64]] | None = None,
    lam0: NDArray[np.float64] | None = None,
    tol_rel: float = 1e-9,
    smoothing: float = 0.5,
) -> ColGenResult:
    """Solve the master LP by column generation with Wentges dual smoothing around the best
    multipliers found so far, until the Lagrangian bound meets the LP value or the deadline."""
    scale = 1.0
    if initial:
        scale = cost_scale_for(problem, min(problem.objective(x) for x in initial))
    master = MasterLP(problem, scale)
    for x in initial or []:
        for j, w, c in assignment_patterns(problem, x):
            if len(w):
                master.add(j, w, c)
    n_w = problem.n_weapons
    chan = master.has_channels
    best_lam = np.zeros(n_w) if lam0 is None else np.maximum(lam0, 0.0)
    best_nu = np.zeros(n_w)
    lr = lagrangian_bound(problem, best_lam, best_nu if chan else None)
    best_bound, best_lower = lr.bound, lr.lower
    _add_best_patterns(master, lr)
    lp_val = np.inf
    it = 0
    step_s = 0.0  # duration of the last iteration: do not start one that would end too late
    while time.perf_counter() + STEP_MARGIN * step_s < deadline:
        t_it = time.perf_counter()
        it += 1
        lp_val, _mu, lam_lp, nu_lp = master.solve()
        if lp_val - best_bound <= tol_rel * max(abs(lp_val), 1e-300):
            break
        alpha = smoothing
        added = 0
        while True:
            lam = alpha * best_lam + (1 - alpha) * lam_lp
            nu = alpha * best_nu + (1 - alpha) * nu_lp
            lr = lagrangian_bound(problem, lam, nu if chan else None)
            if lr.bound > best_bound:
                best_bound, best_lam, best_nu, best_lower = lr.bound, lam, nu, lr.lower
            added = _add_best_patterns(master, lr)
            if added or alpha == 0.0 or time.perf_counter() >= deadline:
                break
            alpha = 0.0 if alpha < 0.1 else alpha / 2  # mis-price: move towards the LP duals
        if added == 0:
            break
        step_s = time.perf_counter() - t_it
    return ColGenResult(lp_val, best_bound, best_lam, best_nu, best_lower, it, master)


def _add_best_patterns(master: MasterLP, lr: LagrangeResult) -> int:
    """Queue every target's best pattern that is not in the pool yet; returns how many.

    Most targets return the pattern they returned at the previous multipliers; those rows are
    skipped in one vectorised comparison before the per-pattern pool lookup.
    """
    items, counts, lens = lr.items, lr.counts, lr.lens
    prev = master.last_priced
    width = items.shape[1]
    if prev is not None and prev[0].shape == items.shape:
        same = (lens == prev[2]) & np.all(
            (items == prev[0]) & (counts == prev[1]) | (np.arange(width)[None, :] >= lens[:, None]),
            axis=1,
        )
    else:
        same = np.zeros(len(lens), dtype=bool)
    master.last_priced = (items, counts, lens)
    added = 0
    for j in np.nonzero(~same & (lens > 0))[0].tolist():
        ln = lens[j]
        if master.add(j, items[j, :ln], counts[j, :ln]):
            added += 1
    return added
