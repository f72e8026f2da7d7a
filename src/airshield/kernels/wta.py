"""Numba hot loops of the weapon-target assignment module (:mod:`airshield.assign`).

Everything here works on plain arrays:

* ``values`` ``(T,)`` float64, ``pk`` ``(W, T)`` float64, ``allowed`` ``(W, T)`` bool
  (mask and ``pk > 0``), ``rounds`` ``(W,)`` int64, ``cost`` ``(W,)`` float64 (zeros when free),
  ``channels`` ``(W,)`` int64 (huge when unlimited), ``cap`` int64 rounds-per-target (huge when
  unlimited), ``x`` ``(W, T)`` int64 rounds.
"""

from __future__ import annotations

import numba as nb
import numpy as np

_NEG_INF = -np.inf
#: Output rows :func:`enumerate_target_patterns` allocates first (it grows to its ``max_out``)
ENUM_FIRST_ROOM = 64


@nb.njit(cache=True, nogil=True)
def _best_weapon_for_target(
    j: int,
    values: np.ndarray,
    pk: np.ndarray,
    allowed: np.ndarray,
    cost: np.ndarray,
    channels: np.ndarray,
    rem: np.ndarray,
    n_engaged: np.ndarray,
    x: np.ndarray,
    surv: np.ndarray,
) -> tuple[float, int]:
    """Largest gain ``V_j * S_j * p_ij - c_i`` over eligible weapons (smallest i on ties)."""
    best_gain = _NEG_INF
    best_i = -1
    vs = values[j] * surv[j]
    for i in range(pk.shape[0]):
        if not allowed[i, j] or rem[i] <= 0:
            continue
        if x[i, j] == 0 and n_engaged[i] >= channels[i]:
            continue
        gain = vs * pk[i, j] - cost[i]
        if gain > best_gain:
            best_gain = gain
            best_i = i
    return best_gain, best_i


@nb.njit(cache=True, nogil=True)
def greedy_mmr(
    values: np.ndarray,
    pk: np.ndarray,
    allowed: np.ndarray,
    rounds: np.ndarray,
    cost: np.ndarray,
    channels: np.ndarray,
    cap: int,
) -> np.ndarray:
    """Greedy maximum marginal return, one round at a time.

    Repeatedly adds the single round ``(i, j)`` with the largest gain
    ``V_j * S_j * p_ij - c_i`` (``S_j`` the current survival of target ``j``) among eligible pairs:
    allowed, weapon ``i`` has rounds left, ``j`` already engaged by ``i`` or ``i`` has a free
    channel, target ``j`` below ``cap`` rounds. The round is taken only if its gain is strictly
    positive. Ties go to the smallest target index, then the smallest weapon index.

    Per-target best gains are cached; a target is re-scanned only when its survival changes or
    the weapon that was its best becomes unavailable (out of rounds or out of channels), so the
    cost is ``O(rounds * (T + W * k))`` for ``k`` re-scanned targets instead of
    ``O(rounds * W * T)``. Gains only ever decrease, so the cache stays exact.
    """
    n_w, n_t = pk.shape
    x = np.zeros((n_w, n_t), dtype=np.int64)
    surv = np.ones(n_t)
    rem = rounds.copy()
    n_engaged = np.zeros(n_w, dtype=np.int64)
    on_target = np.zeros(n_t, dtype=np.int64)
    best_gain = np.full(n_t, _NEG_INF)
    best_i = np.full(n_t, -1, dtype=np.int64)
    for j in range(n_t):
        if on_target[j] < cap:
            g, bi = _best_weapon_for_target(
                j, values, pk, allowed, cost, channels, rem, n_engaged, x, surv
            )
            best_gain[j] = g
            best_i[j] = bi
    while True:
        g_star = _NEG_INF
        j_star = -1
        for j in range(n_t):
            if best_gain[j] > g_star:
                g_star = best_gain[j]
                j_star = j
        if j_star < 0 or not (g_star > 0.0):
            break
        i_star = best_i[j_star]
        new_channel = x[i_star, j_star] == 0
        x[i_star, j_star] += 1
        rem[i_star] -= 1
        if new_channel:
            n_engaged[i_star] += 1
        surv[j_star] = surv[j_star] * (1.0 - pk[i_star, j_star])
        on_target[j_star] += 1
        # Did weapon i_star just become unavailable for some targets?
        weapon_gone = rem[i_star] <= 0 or (new_channel and n_engaged[i_star] >= channels[i_star])
        if weapon_gone:
            for j in range(n_t):
                if best_i[j] == i_star and j != j_star:
                    g, bi = _best_weapon_for_target(
                        j, values, pk, allowed, cost, channels, rem, n_engaged, x, surv
                    )
                    best_gain[j] = g
                    best_i[j] = bi
        if on_target[j_star] >= cap:
            best_gain[j_star] = _NEG_INF
            best_i[j_star] = -1
        else:
            g, bi = _best_weapon_for_target(
                j_star, values, pk, allowed, cost, channels, rem, n_engaged, x, surv
            )
            best_gain[j_star] = g
            best_i[j_star] = bi
    return x


# --------------------------------------------------------------------------------------------
# Target sub-problems of the target-based (Dantzig-Wolfe) formulation.
#
# For target j and per-round prices w_i (shot cost + Lagrange multiplier of the rounds
# constraint) and per-engagement prices f_i (multiplier of the channel constraint), the
# sub-problem is
#
#     h_j(w, f) = min_x  V_j * prod_i q_ij ** x_i + sum_i w_i x_i + sum_i f_i [x_i > 0]
#                 s.t.   0 <= x_i <= m_i integer, x_i = 0 unless allowed, sum_i x_i <= K.
#
# It is solved exactly by depth-first branch and bound over the candidate weapons sorted by
# price per unit of log-kill r_i = w_i / a_ij (a_ij = -log q_ij). The bound at a node is the
# continuous relaxation "buy log-kill t at the cheapest rates, up to a_i * u_i per weapon" of
# min V s e^{-t} + cost(t), a fractional knapsack solved by walking the sorted candidates.
# --------------------------------------------------------------------------------------------


@nb.njit(cache=True, nogil=True)
def _tail_bound(cur: float, r_tail: float) -> float:
    """``min_{t >= 0} cur e^{-t} + r_tail t``: log-kill bought without limit at ``r_tail`` per
    unit, a lower bound on what the candidates left out of a truncated list (every one of them
    priced at ``r_tail`` or more per unit of log-kill) can add to a pattern."""
    if cur <= r_tail:
        return cur
    if r_tail <= 0.0:
        return 0.0
    return r_tail + r_tail * np.log(cur / r_tail)


@nb.njit(cache=True, nogil=True)
def _relaxed_bound(
    vs: float,
    start: int,
    n_cand: int,
    ratio: np.ndarray,
    a: np.ndarray,
    ucap: np.ndarray,
    rounds_left: int,
    r_tail: float,
) -> float:
    """Lower bound on ``min V s e^{-t} + cost`` using candidates ``start..`` (fractional).

    ``r_tail`` (``inf`` when the list is complete) is the least price per unit of log-kill of
    the candidates left out of a truncated list: after the listed ones, log-kill is available
    without limit at that price (a relaxation of the left-out ones, so the bound stays valid
    for patterns that use them)."""
    cum_t = 0.0
    cum_c = 0.0
    for k in range(start, n_cand):
        u = ucap[k] if ucap[k] < rounds_left else rounds_left
        if u <= 0:
            continue
        cur = vs * np.exp(-cum_t)
        r = ratio[k]
        if cur <= r:
            return cur + cum_c
        seg = a[k] * u
        if r <= 0.0:
            if np.isinf(seg):
                return cum_c
            cum_t += seg
            continue
        t_star = np.log(vs / r)
        if t_star <= cum_t + seg:
            return r + cum_c + r * (t_star - cum_t)
        cum_c += r * seg
        cum_t += seg
    cur = vs * np.exp(-cum_t)
    if rounds_left > 0 and r_tail < np.inf:
        return _tail_bound(cur, r_tail) + cum_c
    return cur + cum_c


@nb.njit(cache=True, nogil=True)
def _target_dfs(
    value: float,
    n_cand: int,
    cand_w: np.ndarray,
    q: np.ndarray,
    a: np.ndarray,
    ratio: np.ndarray,
    wprice: np.ndarray,
    fprice: np.ndarray,
    ucap: np.ndarray,
    cap: int,
    threshold: float,
    enumerate_mode: bool,
    node_limit: int,
    out_items: np.ndarray,
    out_counts: np.ndarray,
    out_len: np.ndarray,
    out_val: np.ndarray,
    max_out: int,
    r_tail: float,
) -> tuple[float, int, bool, bool]:
    """Branch and bound (``enumerate_mode=False``) or enumeration of one target's patterns.

    Optimisation mode: finds the minimum of the sub-problem; the incumbent starts at the empty
    pattern (value ``V``) and ``threshold`` is ignored. The best pattern is written to
    ``out_*[0]``. Returns ``(best, 1, proven)``; ``proven`` is False when the node limit hit.

    Enumeration mode: writes every pattern with value ``<= threshold`` (the empty one first, if
    it qualifies) and returns ``(min value seen, count, complete)``; ``complete`` is False when
    ``max_out`` or the node limit stopped it early.

    The candidates may be the cheapest part of a longer list (``r_tail < inf``: the least price
    per unit of log-kill of the others, see :func:`_candidates`). The node bounds then cover the
    left-out candidates too, and wherever a pattern extended by one of them could still beat the
    threshold the fourth value returned, ``needs_tail``, is True: the caller must search again
    with the whole list. When it is False the answer equals that of the whole list.
    """
    max_depth = n_cand + 1
    base_s = np.empty(max_depth)
    base_g = np.empty(max_depth)
    base_used = np.empty(max_depth, dtype=np.int64)
    cur_l = np.empty(max_depth, dtype=np.int64)
    cur_n = np.empty(max_depth, dtype=np.int64)
    path_l = np.empty(max_depth, dtype=np.int64)
    path_n = np.empty(max_depth, dtype=np.int64)
    best = value
    n_out = 0
    complete = True
    if enumerate_mode:
        thr = threshold
        if value <= thr:
            out_len[0] = 0
            out_val[0] = value
            n_out = 1
    else:
        thr = value
        out_len[0] = 0
        out_val[0] = value
        n_out = 1
    d = 0
    base_s[0] = 1.0
    base_g[0] = 0.0
    base_used[0] = 0
    cur_l[0] = 0
    cur_n[0] = 0
    nodes = 0
    needs_tail = False
    has_tail = r_tail < np.inf
    while d >= 0:
        # advance the choice (item l, count n) at depth d
        found = False
        rl = cap - base_used[d]
        while cur_l[d] < n_cand:
            l = cur_l[d]
            if cur_n[d] == 0:
                lb = base_g[d] + _relaxed_bound(
                    value * base_s[d], l, n_cand, ratio, a, ucap, rl, r_tail
                )
                if lb >= thr:
                    cur_l[d] = n_cand  # later items have larger ratios: also pruned
                    break
            umax = ucap[l] if ucap[l] < rl else rl
            if cur_n[d] == 0 and umax > 0:
                cur_n[d] = umax  # largest count first: dives towards "fire more"
                found = True
                break
            if cur_n[d] > 1:
                cur_n[d] -= 1
                found = True
                break
            cur_l[d] += 1
            cur_n[d] = 0
            if has_tail and cur_l[d] == n_cand and rl > 0:
                # every listed extension of this node was tried: one by a left-out candidate
                if base_g[d] + _tail_bound(value * base_s[d], r_tail) < thr:
                    needs_tail = True
        if not found:
            d -= 1
            continue
        nodes += 1
        if nodes > node_limit:
            complete = False
            break
        l = cur_l[d]
        n = cur_n[d]
        s2 = base_s[d] * q[l] ** n
        g2 = base_g[d] + n * wprice[l] + fprice[l]
        used2 = base_used[d] + n
        path_l[d] = l
        path_n[d] = n
        val = value * s2 + g2
        if enumerate_mode:
            if val <= thr:
                if n_out >= max_out or d + 1 > out_items.shape[1]:
                    complete = False
                    break
                out_len[n_out] = d + 1
                out_val[n_out] = val
                for k in range(d + 1):
                    out_items[n_out, k] = cand_w[path_l[k]]
                    out_counts[n_out, k] = path_n[k]
                n_out += 1
            if val < best:
                best = val
        elif val < best:
            best = val
            thr = val
            out_len[0] = d + 1
            out_val[0] = val
            for k in range(d + 1):
                out_items[0, k] = cand_w[path_l[k]]
                out_counts[0, k] = path_n[k]
        if has_tail and l + 1 >= n_cand and used2 < cap:
            if g2 + _tail_bound(value * s2, r_tail) < thr:
                needs_tail = True
        if l + 1 < n_cand and used2 < cap:
            lb = g2 + _relaxed_bound(value * s2, l + 1, n_cand, ratio, a, ucap, cap - used2, r_tail)
            if lb < thr:
                d += 1
                base_s[d] = s2
                base_g[d] = g2
                base_used[d] = used2
                cur_l[d] = l + 1
                cur_n[d] = 0
    return best, n_out, complete, needs_tail


@nb.njit(cache=True, nogil=True)
def _candidates(
    j: int,
    value: float,
    pk_t: np.ndarray,
    logkill_t: np.ndarray,
    allowed_t: np.ndarray,
    rounds: np.ndarray,
    w: np.ndarray,
    f: np.ndarray,
    cap: int,
    slack: float,
    max_cand: int,
) -> tuple[
    np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, float
]:
    """Weapons worth considering for target j, sorted by price per unit of log-kill.

    ``pk_t``, ``logkill_t`` (``-log(1 - p)``, ``inf`` where ``p = 1``) and ``allowed_t`` are
    ``(T, W)``: one target's row is contiguous, which the pricing loop reads ``T`` times per
    call (see :attr:`airshield.assign.WTAProblem.target_major`).

    Only the ``max_cand`` cheapest are returned (ties by weapon index, so the list is the head
    of the whole stable order), with ``r_tail``, the least price of the others (``inf`` when
    none is left out). Sorting every weapon of every target was three quarters of a pricing
    call on 500 x 1000 (43 of 53 ms) while the search reads only the first few.
    """
    n_w = pk_t.shape[1]
    if max_cand >= n_w:
        return _all_candidates(j, value, pk_t, logkill_t, allowed_t, rounds, w, f, cap, slack)
    k_max = max_cand if max_cand > 0 else 1
    idx = np.empty(k_max, dtype=np.int64)
    rat = np.empty(k_max)
    n = 0
    r_tail = np.inf
    for i in range(n_w):
        if not allowed_t[j, i] or rounds[i] <= 0:
            continue
        p = pk_t[j, i]
        # A round whose price exceeds its largest possible benefit V p never helps: dropping
        # one round saves w and loses at most V p, so a pattern using weapon i is worse by at
        # least ``w - V p`` than the pattern without that round.
        if w[i] >= value * p + slack:
            continue
        ai = logkill_t[j, i]
        r = w[i] / ai if ai > 0 else np.inf
        if n == k_max:
            if r >= rat[n - 1]:
                if r < r_tail:
                    r_tail = r
                continue
            if rat[n - 1] < r_tail:
                r_tail = rat[n - 1]
            n -= 1  # the dearest listed one leaves the list
        # insert after every listed one with the same or a smaller price (stable order)
        k = n
        while k > 0 and rat[k - 1] > r:
            rat[k] = rat[k - 1]
            idx[k] = idx[k - 1]
            k -= 1
        rat[k] = r
        idx[k] = i
        n += 1
    return _candidate_arrays(
        j, idx[:n].copy(), rat[:n].copy(), pk_t, logkill_t, rounds, w, f, cap, r_tail
    )


@nb.njit(cache=True, nogil=True)
def _all_candidates(
    j: int,
    value: float,
    pk_t: np.ndarray,
    logkill_t: np.ndarray,
    allowed_t: np.ndarray,
    rounds: np.ndarray,
    w: np.ndarray,
    f: np.ndarray,
    cap: int,
    slack: float,
) -> tuple[
    np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, float
]:
    """Every candidate of :func:`_candidates`, sorted by a stable merge sort (``r_tail`` inf)."""
    n_w = pk_t.shape[1]
    idx = np.empty(n_w, dtype=np.int64)
    rat = np.empty(n_w)
    n = 0
    for i in range(n_w):
        if not allowed_t[j, i] or rounds[i] <= 0:
            continue
        if w[i] >= value * pk_t[j, i] + slack:  # see _candidates
            continue
        idx[n] = i
        ai = logkill_t[j, i]
        rat[n] = w[i] / ai if ai > 0 else np.inf
        n += 1
    order = np.argsort(rat[:n], kind="mergesort")
    return _candidate_arrays(
        j, idx[:n][order], rat[:n][order], pk_t, logkill_t, rounds, w, f, cap, np.inf
    )


@nb.njit(cache=True, nogil=True)
def _candidate_arrays(
    j: int,
    cand: np.ndarray,
    ratio: np.ndarray,
    pk_t: np.ndarray,
    logkill_t: np.ndarray,
    rounds: np.ndarray,
    w: np.ndarray,
    f: np.ndarray,
    cap: int,
    r_tail: float,
) -> tuple[
    np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, float
]:
    """The per-candidate arrays the search reads, in the order of ``cand``."""
    n = cand.shape[0]
    q = np.empty(n)
    a = np.empty(n)
    wp = np.empty(n)
    fp = np.empty(n)
    ucap = np.empty(n, dtype=np.int64)
    for k in range(n):
        i = cand[k]
        q[k] = 1.0 - pk_t[j, i]
        a[k] = logkill_t[j, i]
        wp[k] = w[i]
        fp[k] = f[i]
        ucap[k] = rounds[i] if rounds[i] < cap else cap
    return cand, q, a, ratio, wp, fp, ucap, r_tail


@nb.njit(cache=True, nogil=True)
def price_targets(
    values: np.ndarray,
    pk_t: np.ndarray,
    logkill_t: np.ndarray,
    allowed_t: np.ndarray,
    rounds: np.ndarray,
    w: np.ndarray,
    f: np.ndarray,
    cap: int,
    node_limit: int,
    max_len: int,
    max_cand: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Solve every target's sub-problem exactly (``pk_t``, ``logkill_t``, ``allowed_t`` are
    ``(T, W)``, see :func:`_candidates`).

    Each target is searched over its ``max_cand`` cheapest weapons first, and again over all of
    them only where a pattern with one of the others could still be better (see
    :func:`_target_dfs`): the answer is the same for any ``max_cand``.

    Returns ``(hmin, lower, items, counts, lens, proven)``: ``hmin[j]`` the best pattern's value,
    ``lower[j]`` a proven lower bound on the sub-problem (``== hmin`` when ``proven[j]``), and
    the best pattern of target ``j`` as ``items[j, :lens[j]]`` weapons with ``counts`` rounds.
    """
    n_t, n_w = pk_t.shape
    hmin = np.empty(n_t)
    lower = np.empty(n_t)
    items = np.zeros((n_t, max_len), dtype=np.int64)
    counts = np.zeros((n_t, max_len), dtype=np.int64)
    lens = np.zeros(n_t, dtype=np.int64)
    proven = np.ones(n_t, dtype=np.bool_)
    o_items = np.zeros((1, n_w + 1), dtype=np.int64)
    o_counts = np.zeros((1, n_w + 1), dtype=np.int64)
    o_len = np.zeros(1, dtype=np.int64)
    o_val = np.zeros(1)
    for j in range(n_t):
        v = values[j]
        k_cand = max_cand
        while True:
            cand, q, a, ratio, wp, fp, ucap, r_tail = _candidates(
                j, v, pk_t, logkill_t, allowed_t, rounds, w, f, cap, 0.0, k_cand
            )
            n_cand = cand.shape[0]
            best, _, ok, needs_tail = _target_dfs(
                v, n_cand, cand, q, a, ratio, wp, fp, ucap, cap, 0.0, False, node_limit,
                o_items, o_counts, o_len, o_val, 1, r_tail,
            )  # fmt: skip
            if not needs_tail or k_cand >= n_w:
                break
            k_cand = n_w
        hmin[j] = best
        if ok:
            lower[j] = best
        else:
            proven[j] = False
            lower[j] = _relaxed_bound(v, 0, n_cand, ratio, a, ucap, cap, r_tail)
        ln = o_len[0] if o_len[0] < max_len else max_len
        lens[j] = ln
        for k in range(ln):
            items[j, k] = o_items[0, k]
            counts[j, k] = o_counts[0, k]
    return hmin, lower, items, counts, lens, proven


@nb.njit(cache=True, nogil=True)
def enumerate_target_patterns(
    j: int,
    values: np.ndarray,
    pk_t: np.ndarray,
    logkill_t: np.ndarray,
    allowed_t: np.ndarray,
    rounds: np.ndarray,
    w: np.ndarray,
    f: np.ndarray,
    cap: int,
    threshold: float,
    slack: float,
    node_limit: int,
    max_out: int,
    max_width: int,
    max_cand: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, bool]:
    """Every pattern of target ``j`` with sub-problem value ``<= threshold``.

    ``slack`` must be at least ``threshold - hmin_j`` (it widens the candidate filter).
    Returns ``(items, counts, lens, vals, complete)``. Searched over the ``max_cand`` cheapest
    weapons first, and again over all where the others could matter (see :func:`price_targets`).
    """
    n_w = pk_t.shape[1]
    v = values[j]
    k_cand = max_cand
    # most targets have a handful of patterns within the threshold: the output starts small
    # and grows to ``max_out`` only when full (allocating ``max_out`` rows for every target was
    # most of an enumeration round on 500 x 1000: 0.3-0.4 s CPU for 5,000 patterns)
    room = min(max_out, ENUM_FIRST_ROOM)
    while True:
        cand, q, a, ratio, wp, fp, ucap, r_tail = _candidates(
            j, v, pk_t, logkill_t, allowed_t, rounds, w, f, cap, slack, k_cand
        )
        n_cand = cand.shape[0]
        width = min(n_cand, max_width) + 1
        o_items = np.empty((room, width), dtype=np.int64)
        o_counts = np.empty((room, width), dtype=np.int64)
        o_len = np.empty(room, dtype=np.int64)
        o_val = np.empty(room)
        _, n_out, ok, needs_tail = _target_dfs(
            v, n_cand, cand, q, a, ratio, wp, fp, ucap, cap, threshold, True, node_limit,
            o_items, o_counts, o_len, o_val, room, r_tail,
        )  # fmt: skip
        if not ok and n_out >= room and room < max_out:
            room = max_out
            continue
        if not needs_tail or k_cand >= n_w:
            break
        k_cand = n_w
    return o_items[:n_out], o_counts[:n_out], o_len[:n_out], o_val[:n_out], ok


# --------------------------------------------------------------------------------------------
# Local search on the rounds matrix: add / drop / relocate / swap with incremental survival.
#
# Survival of target j is kept as a product ``surv[j]`` over factors q > 0 plus a count
# ``zeros[j]`` of rounds with q == 0 (pk == 1), so removing a round never divides by zero.
# --------------------------------------------------------------------------------------------


@nb.njit(cache=True, nogil=True)
def _eff(surv: float, zeros: int) -> float:
    return 0.0 if zeros > 0 else surv


@nb.njit(cache=True, nogil=True)
def _state_from(
    x: np.ndarray, pk: np.ndarray, cap: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    n_w, n_t = x.shape
    surv = np.ones(n_t)
    zeros = np.zeros(n_t, dtype=np.int64)
    used = np.zeros(n_w, dtype=np.int64)
    eng = np.zeros(n_w, dtype=np.int64)
    ont = np.zeros(n_t, dtype=np.int64)
    for i in range(n_w):
        for j in range(n_t):
            n = x[i, j]
            if n > 0:
                used[i] += n
                eng[i] += 1
                ont[j] += n
                q = 1.0 - pk[i, j]
                if q <= 0.0:
                    zeros[j] += n
                else:
                    surv[j] *= q**n
    return surv, zeros, used, eng, ont


@nb.njit(cache=True, nogil=True)
def objective_of(x: np.ndarray, values: np.ndarray, pk: np.ndarray, cost: np.ndarray) -> float:
    """``sum_j V_j prod_i q_ij^x_ij + sum_ij c_i x_ij``."""
    surv, zeros, used, _, _ = _state_from(x, pk, 1 << 62)
    val = 0.0
    for j in range(values.shape[0]):
        val += values[j] * _eff(surv[j], zeros[j])
    for i in range(cost.shape[0]):
        val += cost[i] * used[i]
    return val


@nb.njit(cache=True, nogil=True)
def _removed(surv: float, zeros: int, q: float) -> float:
    """Effective survival after removing one round with factor q."""
    if q <= 0.0:
        return surv if zeros - 1 == 0 else 0.0
    return 0.0 if zeros > 0 else surv / q


@nb.njit(cache=True, nogil=True)
def _apply(
    x: np.ndarray,
    i: int,
    j: int,
    dn: int,
    pk: np.ndarray,
    surv: np.ndarray,
    zeros: np.ndarray,
    used: np.ndarray,
    eng: np.ndarray,
    ont: np.ndarray,
) -> None:
    """Add (dn = +1) or remove (dn = -1) one round of weapon i on target j."""
    q = 1.0 - pk[i, j]
    if dn > 0:
        if x[i, j] == 0:
            eng[i] += 1
        x[i, j] += 1
        if q <= 0.0:
            zeros[j] += 1
        else:
            surv[j] *= q
    else:
        x[i, j] -= 1
        if x[i, j] == 0:
            eng[i] -= 1
        if q <= 0.0:
            zeros[j] -= 1
        else:
            surv[j] /= q
    used[i] += dn
    ont[j] += dn


@nb.njit(cache=True, nogil=True)
def _fill_row(
    i: int,
    x: np.ndarray,
    values: np.ndarray,
    pk: np.ndarray,
    allowed: np.ndarray,
    rounds: np.ndarray,
    cost: np.ndarray,
    channels: np.ndarray,
    cap: int,
    surv: np.ndarray,
    zeros: np.ndarray,
    used: np.ndarray,
    eng: np.ndarray,
    ont: np.ndarray,
) -> tuple[float, int]:
    """Best (most negative) objective change of adding one round of weapon i, and its target."""
    best = np.inf
    bj = -1
    if used[i] >= rounds[i]:
        return best, bj
    for j in range(x.shape[1]):
        if not allowed[i, j] or ont[j] >= cap:
            continue
        if x[i, j] == 0 and eng[i] >= channels[i]:
            continue
        d = cost[i] - values[j] * _eff(surv[j], zeros[j]) * pk[i, j]
        if d < best:
            best = d
            bj = j
    return best, bj


@nb.njit(cache=True, nogil=True)
def _fill(
    x: np.ndarray,
    values: np.ndarray,
    pk: np.ndarray,
    allowed: np.ndarray,
    rounds: np.ndarray,
    cost: np.ndarray,
    channels: np.ndarray,
    cap: int,
    surv: np.ndarray,
    zeros: np.ndarray,
    used: np.ndarray,
    eng: np.ndarray,
    ont: np.ndarray,
    tol: float,
) -> bool:
    """Greedy MMR completion from the current state (only weapons with rounds left).

    Caches every weapon's best target; after a round lands on target j only the weapons whose
    best target was j (and the firing weapon) are re-scanned, since gains elsewhere are unchanged.
    """
    n_w = x.shape[0]
    wbest = np.full(n_w, np.inf)
    wtgt = np.full(n_w, -1, dtype=np.int64)
    for i in range(n_w):
        d, bj = _fill_row(
            i, x, values, pk, allowed, rounds, cost, channels, cap, surv, zeros, used, eng, ont
        )
        wbest[i] = d
        wtgt[i] = bj
    changed = False
    while True:
        best = -tol
        bi = -1
        for i in range(n_w):
            if wbest[i] < best:
                best = wbest[i]
                bi = i
        if bi < 0:
            return changed
        bj = wtgt[bi]
        _apply(x, bi, bj, 1, pk, surv, zeros, used, eng, ont)
        changed = True
        for i in range(n_w):
            if i == bi or wtgt[i] == bj:
                d, tj = _fill_row(
                    i,
                    x,
                    values,
                    pk,
                    allowed,
                    rounds,
                    cost,
                    channels,
                    cap,
                    surv,
                    zeros,
                    used,
                    eng,
                    ont,
                )
                wbest[i] = d
                wtgt[i] = tj


@nb.njit(cache=True, nogil=True)
def _descent(
    x: np.ndarray,
    values: np.ndarray,
    pk: np.ndarray,
    allowed: np.ndarray,
    rounds: np.ndarray,
    cost: np.ndarray,
    channels: np.ndarray,
    cap: int,
    surv: np.ndarray,
    zeros: np.ndarray,
    used: np.ndarray,
    eng: np.ndarray,
    ont: np.ndarray,
    tol: float,
    use_swap: bool,
) -> None:
    """Best-improvement descent over add, drop, relocate and swap moves until a local optimum."""
    n_w, n_t = x.shape
    src_i = np.empty(n_w * n_t if n_w * n_t < 1 << 20 else 1 << 20, dtype=np.int64)
    src_j = np.empty_like(src_i)
    improved = True
    while improved:
        improved = False
        _fill(x, values, pk, allowed, rounds, cost, channels, cap, surv, zeros, used, eng, ont, tol)
        # list the engaged pairs
        n_src = 0
        for i in range(n_w):
            for j in range(n_t):
                if x[i, j] > 0 and n_src < src_i.shape[0]:
                    src_i[n_src] = i
                    src_j[n_src] = j
                    n_src += 1
        # drop and relocate: for each engaged pair, the best place for one of its rounds
        for s in range(n_src):
            i = src_i[s]
            j = src_j[s]
            if x[i, j] == 0:
                continue
            qij = 1.0 - pk[i, j]
            cur_j = _eff(surv[j], zeros[j])
            gain_remove = values[j] * (_removed(surv[j], zeros[j], qij) - cur_j)  # >= 0
            best = gain_remove - cost[i]  # drop the round
            bk = -1
            frees_channel = x[i, j] == 1
            for k in range(n_t):
                if k == j or not allowed[i, k] or ont[k] >= cap:
                    continue
                if x[i, k] == 0 and not frees_channel and eng[i] >= channels[i]:
                    continue
                d = gain_remove - values[k] * _eff(surv[k], zeros[k]) * pk[i, k]
                if d < best:
                    best = d
                    bk = k
            if best < -tol:
                _apply(x, i, j, -1, pk, surv, zeros, used, eng, ont)
                if bk >= 0:
                    _apply(x, i, bk, 1, pk, surv, zeros, used, eng, ont)
                improved = True
        if improved or not use_swap:
            continue
        # swap: (a on j) <-> (b on k)
        for s in range(n_src):
            a = src_i[s]
            j = src_j[s]
            if x[a, j] == 0:
                continue
            for r in range(s + 1, n_src):
                b = src_i[r]
                k = src_j[r]
                if a == b or j == k or x[b, k] == 0 or x[a, j] == 0:
                    continue
                if not allowed[b, j] or not allowed[a, k]:
                    continue
                # channels: a leaves j (if last round) and joins k (if new); b likewise
                if x[a, k] == 0 and x[a, j] > 1 and eng[a] >= channels[a]:
                    continue
                if x[b, j] == 0 and x[b, k] > 1 and eng[b] >= channels[b]:
                    continue
                qaj = 1.0 - pk[a, j]
                qbk = 1.0 - pk[b, k]
                old = values[j] * _eff(surv[j], zeros[j]) + values[k] * _eff(surv[k], zeros[k])
                sj = _removed(surv[j], zeros[j], qaj) * (1.0 - pk[b, j])
                sk = _removed(surv[k], zeros[k], qbk) * (1.0 - pk[a, k])
                d = values[j] * sj + values[k] * sk - old
                if d < -tol:
                    _apply(x, a, j, -1, pk, surv, zeros, used, eng, ont)
                    _apply(x, b, k, -1, pk, surv, zeros, used, eng, ont)
                    _apply(x, a, k, 1, pk, surv, zeros, used, eng, ont)
                    _apply(x, b, j, 1, pk, surv, zeros, used, eng, ont)
                    improved = True
                    break


@nb.njit(cache=True, nogil=True)
def local_search(
    x0: np.ndarray,
    values: np.ndarray,
    pk: np.ndarray,
    allowed: np.ndarray,
    rounds: np.ndarray,
    cost: np.ndarray,
    channels: np.ndarray,
    cap: int,
    use_swap: bool,
) -> np.ndarray:
    """Descend from the feasible assignment ``x0`` to a local optimum (returns a new array)."""
    x = x0.copy()
    surv, zeros, used, eng, ont = _state_from(x, pk, cap)
    scale = 0.0
    for j in range(values.shape[0]):
        scale += values[j]
    tol = 1e-12 * (scale + 1.0)
    _descent(
        x,
        values,
        pk,
        allowed,
        rounds,
        cost,
        channels,
        cap,
        surv,
        zeros,
        used,
        eng,
        ont,
        tol,
        use_swap,
    )
    return x
