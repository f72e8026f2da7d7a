"""Numba kernel of the one-night raid event loop, and the closed-form geometry both engines share.

The readable reference engine (:mod:`airshield.raid.reference`) implements the same rules with
Python objects and a ``heapq`` queue and calls the *Python* versions of the geometry functions
below (``fn.py_func``); tests check that both engines give identical outcomes for the same draws.

Event keys are ``(time_s, priority, seq)`` so simultaneous events are processed in one fixed
order (static events are sorted once and merged with a heap of dynamic ones). Priorities: shot resolution, EW dwell end, reload done, impact, window open, track start.
After all events of one instant, a decision epoch assigns free fire units to tracked threats by
greedy maximum marginal return (the rule of :func:`airshield.assign.solve` with ``greedy``).
"""

from __future__ import annotations

import heapq
import math

import numpy as np
from numba import njit

# event types (also their priority)
EV_RESOLVE = 0
EV_EW_DONE = 1
EV_RELOAD = 2
EV_IMPACT = 3
EV_WINDOW = 4
EV_TRACK = 5

# effector kinds
K_MISSILE = 0
K_GUN = 1
K_IDRONE = 2
K_EW = 3

# fates
ALIVE = -1
DESTROYED = 0
LOST = 1
LEAKED = 2

BALLISTIC = 3  # index of ballistic_missile in THREAT_KINDS
MAX_WINDOWS_PER_PAIR = 8


@njit(cache=True, error_model="numpy")
def segment_circle(px, py, dx, dy, length, cx, cy, r):
    """Parameter interval [lo, hi] in [0, length] where |p + d*tau - c| <= r (|d| = 1).

    Returns ``lo > hi`` when the segment never enters the circle.
    """
    if length <= 0.0 or r <= 0.0:
        return 1.0, 0.0
    ex = px - cx
    ey = py - cy
    b = dx * ex + dy * ey
    c = ex * ex + ey * ey - r * r
    disc = b * b - c
    if disc <= 0.0:
        return 1.0, 0.0
    sq = math.sqrt(disc)
    lo = -b - sq
    hi = -b + sq
    if lo < 0.0:
        lo = 0.0
    if hi > length:
        hi = length
    return lo, hi


@njit(cache=True, error_model="numpy")
def _push_interval(out, n, ts, te):
    """Append [ts, te] to the interval list ``out[:n]``, merging with the last one if contiguous."""
    if n > 0 and ts <= out[n - 1, 1] + 1e-9:
        if te > out[n - 1, 1]:
            out[n - 1, 1] = te
        return n
    if n < out.shape[0]:
        out[n, 0] = ts
        out[n, 1] = te
        return n + 1
    return n


@njit(cache=True, error_model="numpy")
def envelope_windows(route, speed_kms, ux, uy, rmin, rmax, amin, amax, out):
    """Time windows when a threat on ``route`` is inside a unit's envelope.

    ``route`` is ``[x0, y0, x1, y1, x2, y2, t0, t1, t2, alt0, alt1]``: two straight segments
    flown at constant speed, each at its own altitude. Writes ``(t_start, t_end)`` rows into
    ``out`` and returns how many. Contiguous pieces (across the waypoint) are merged.
    """
    n = 0
    for k in range(2):
        alt = route[9 + k]
        if alt < amin or alt > amax:
            continue
        px, py, dx, dy, length = _direction(route, k)
        if length <= 0.0:
            continue
        lo, hi = segment_circle(px, py, dx, dy, length, ux, uy, rmax)
        if lo >= hi:
            continue
        t0 = route[6 + k]
        # subtract the inner (minimum range) circle: up to two pieces
        ilo, ihi = segment_circle(px, py, dx, dy, length, ux, uy, rmin)
        for piece in range(2):
            if ilo >= ihi:
                if piece == 1:
                    break
                a, b = lo, hi
            elif piece == 0:
                a, b = lo, min(hi, ilo)
            else:
                a, b = max(lo, ihi), hi
            if b > a:
                n = _push_interval(out, n, t0 + a / speed_kms, t0 + b / speed_kms)
    return n


@njit(cache=True, error_model="numpy")
def _direction(route, k):
    """Start point, unit direction and length (km) of route segment k."""
    px = route[2 * k]
    py = route[2 * k + 1]
    qx = route[2 * k + 2]
    qy = route[2 * k + 3]
    length = math.sqrt((qx - px) * (qx - px) + (qy - py) * (qy - py))
    if length <= 0.0:
        return px, py, 0.0, 0.0, 0.0
    return px, py, (qx - px) / length, (qy - py) / length, length


@njit(cache=True, error_model="numpy")
def _segment(route, speed_kms, k):
    """Start point, velocity (km/s) and start time of route segment k."""
    px, py, dx, dy, _ = _direction(route, k)
    return px, py, dx * speed_kms, dy * speed_kms, route[6 + k]


@njit(cache=True, error_model="numpy")
def launch_window(route, speed_kms, ux, uy, c_kms, ts, te):
    """Launch times from which an interceptor flying straight at ``c_kms`` meets the threat at
    some time s in the envelope window [ts, te].

    A launch at t meets the threat at s when ``|P(s) - U| = c (s - t)``, i.e. ``t = phi(s) =
    s - d(s) / c``. The launch window is the image of [ts, te] under the continuous phi: the
    interval [min phi, max phi]. On a straight segment d is convex, so phi is concave: its
    minimum is at an end of the piece and its maximum at an end or at the stationary point
    ``x = c h / sqrt(w^2 - c^2)`` (x: along-track offset, h: miss distance, w: threat speed).
    Returns ``(t_first, t_last)``; ``t_first > t_last`` if no intercept is possible.
    """
    if c_kms <= 0.0:
        return 1.0, 0.0
    lo_phi = math.inf
    hi_phi = -math.inf
    for k in range(2):
        a = max(ts, route[6 + k])
        b = min(te, route[7 + k])
        if b < a:
            continue
        px, py, vx, vy, t0 = _segment(route, speed_kms, k)
        for sv in (a, b):
            ex = px + vx * (sv - t0) - ux
            ey = py + vy * (sv - t0) - uy
            f = sv - math.sqrt(ex * ex + ey * ey) / c_kms
            lo_phi = min(lo_phi, f)
            hi_phi = max(hi_phi, f)
        w2 = vx * vx + vy * vy
        if w2 > c_kms * c_kms:
            w = math.sqrt(w2)
            ex = px + vx * (a - t0) - ux
            ey = py + vy * (a - t0) - uy
            x0 = (ex * vx + ey * vy) / w  # along-track offset at s = a
            h = abs(ex * vy - ey * vx) / w  # perpendicular miss distance
            xs = c_kms * h / math.sqrt(w2 - c_kms * c_kms)
            sv = a + (xs - x0) / w
            if a < sv < b:
                ex = px + vx * (sv - t0) - ux
                ey = py + vy * (sv - t0) - uy
                hi_phi = max(hi_phi, sv - math.sqrt(ex * ex + ey * ey) / c_kms)
    return lo_phi, hi_phi


@njit(cache=True, error_model="numpy")
def intercept_time(route, speed_kms, ux, uy, c_kms, t, ts, te):
    """Earliest s in [max(t, ts), te] with ``|P(s) - U| = c (s - t)``; inf if there is none.

    On each segment this is a quadratic in s, solved in closed form.
    """
    for k in range(2):
        a = max(ts, route[6 + k], t)
        b = min(te, route[7 + k])
        if b < a:
            continue
        px, py, vx, vy, t0 = _segment(route, speed_kms, k)
        ex = px + vx * (a - t0) - ux
        ey = py + vy * (a - t0) - uy
        dl = a - t
        c2 = c_kms * c_kms
        qa = vx * vx + vy * vy - c2
        qb = ex * vx + ey * vy - c2 * dl  # half the linear coefficient
        qc = ex * ex + ey * ey - c2 * dl * dl
        span = b - a
        tol = 1e-9 * (1.0 + span)
        root = math.inf
        if abs(qa) < 1e-12:
            if qb != 0.0:
                r = -qc / (2.0 * qb)
                if -tol <= r <= span + tol:
                    root = max(r, 0.0)
        else:
            disc = qb * qb - qa * qc
            if disc >= 0.0:
                sq = math.sqrt(disc)
                r1 = (-qb - sq) / qa
                r2 = (-qb + sq) / qa
                if r1 > r2:
                    r1, r2 = r2, r1
                if -tol <= r1 <= span + tol:
                    root = max(r1, 0.0)
                elif -tol <= r2 <= span + tol:
                    root = max(r2, 0.0)
        if root < math.inf:
            return a + min(root, span)
    return math.inf


@njit(cache=True, error_model="numpy")
def first_entry_time(route, speed_kms, sx, sy, r, alt_min):
    """First time the threat is within ``r`` km of a sensor at altitude >= ``alt_min``; inf if never."""
    for k in range(2):
        if route[9 + k] < alt_min:
            continue
        px, py, dx, dy, length = _direction(route, k)
        if length <= 0.0:
            continue
        lo, hi = segment_circle(px, py, dx, dy, length, sx, sy, r)
        if lo < hi or (lo == hi and lo == 0.0):
            return route[6 + k] + lo / speed_kms
    return math.inf


@njit(cache=True, error_model="numpy")
def position_at(route, t):
    """Threat position (x, y) in km at time t (clamped to the route)."""
    if t <= route[7]:
        k = 0
    else:
        k = 1
    ta = route[6 + k]
    tb = route[7 + k]
    if tb <= ta:
        f = 1.0
    else:
        f = (t - ta) / (tb - ta)
        if f < 0.0:
            f = 0.0
        elif f > 1.0:
            f = 1.0
    x = route[2 * k] + f * (route[2 * k + 2] - route[2 * k])
    y = route[2 * k + 1] + f * (route[2 * k + 3] - route[2 * k + 1])
    return x, y


@njit(cache=True, inline="always", error_model="numpy")
def _dist2_to_segment(x, y, px, py, dx, dy, length):
    """Squared distance from (x, y) to the segment from (px, py) along unit (dx, dy)."""
    ex = x - px
    ey = y - py
    along = ex * dx + ey * dy
    if along <= 0.0:
        return ex * ex + ey * ey
    if along >= length:
        fx = ex - dx * length
        fy = ey - dy * length
        return fx * fx + fy * fy
    perp = ex * dy - ey * dx
    return perp * perp


@njit(cache=True, error_model="numpy")
def pair_can_engage(
    u, u_kind, u_pk, u_peff, u_engcost, u_cwcost, kind, pkind, value, recognised, t_track,
    cost_threshold,
):  # fmt: skip
    """False for pairs that no decision epoch could ever assign (so they need no window):
    EW without effect on the threat's kind; kinetic with zero kill probability, a cost above the
    threshold or a non-positive gain, against a recognised decoy or a never-tracked threat."""
    if u_kind[u] == K_EW:
        return u_pk[u, kind] > 0.0
    p = u_peff[u, pkind]
    if p <= 0.0 or recognised or t_track == math.inf:
        return False
    if u_engcost[u] > cost_threshold * value:
        return False
    return value * 1.0 * p - u_cwcost[u] > 0.0


@njit(cache=True, error_model="numpy")
def compute_windows(
    routes, th_speed, th_kind, th_pkind, th_value, th_recog, t_track,
    u_kind, u_x, u_y, u_rmin, u_rmax, u_amin, u_amax, u_speed,
    u_pk, u_peff, u_engcost, u_cwcost, cost_threshold,
):  # fmt: skip
    """All windows of a replication, threat by threat, then unit, then time.

    Returns arrays (unit, threat, start, end, envelope start, envelope end). For EW units a
    window is the time inside the envelope; for kinetic units [start, end] are the launch times
    whose intercept falls inside the envelope window (:func:`launch_window`). A bounding-box
    test skips pairs that can never meet, and :func:`pair_can_engage` pairs that could never
    be assigned, so the cost grows with the pairs that can actually engage.
    """
    n = routes.shape[0]
    nu = u_x.shape[0]
    cap = 64 + 4 * n
    w_u = np.empty(cap, np.int64)
    w_j = np.empty(cap, np.int64)
    w_s = np.empty(cap, np.float64)
    w_e = np.empty(cap, np.float64)
    w_es = np.empty(cap, np.float64)
    w_ee = np.empty(cap, np.float64)
    env = np.empty((MAX_WINDOWS_PER_PAIR, 2), np.float64)
    m = 0
    for j in range(n):
        r = routes[j]
        # per-threat segment geometry, for an exact closest-approach test per unit
        ax = r[0]
        ay = r[1]
        bx = r[2]
        by = r[3]
        cx = r[4]
        cy = r[5]
        l0 = math.sqrt((bx - ax) * (bx - ax) + (by - ay) * (by - ay))
        l1 = math.sqrt((cx - bx) * (cx - bx) + (cy - by) * (cy - by))
        d0x = (bx - ax) / l0 if l0 > 0.0 else 0.0
        d0y = (by - ay) / l0 if l0 > 0.0 else 0.0
        d1x = (cx - bx) / l1 if l1 > 0.0 else 0.0
        d1y = (cy - by) / l1 if l1 > 0.0 else 0.0
        for u in range(nu):
            rr2 = u_rmax[u] * u_rmax[u]
            if (
                _dist2_to_segment(u_x[u], u_y[u], ax, ay, d0x, d0y, l0) > rr2
                and _dist2_to_segment(u_x[u], u_y[u], bx, by, d1x, d1y, l1) > rr2
            ):
                continue
            if not pair_can_engage(
                u, u_kind, u_pk, u_peff, u_engcost, u_cwcost, th_kind[j], th_pkind[j],
                th_value[j], th_recog[j], t_track[j], cost_threshold,
            ):  # fmt: skip
                continue
            k = envelope_windows(
                r, th_speed[j], u_x[u], u_y[u], u_rmin[u], u_rmax[u], u_amin[u], u_amax[u], env
            )
            for q in range(k):
                if u_kind[u] == K_EW:
                    ls = env[q, 0]
                    le = env[q, 1]
                else:
                    ls, le = launch_window(
                        r, th_speed[j], u_x[u], u_y[u], u_speed[u], env[q, 0], env[q, 1]
                    )
                    if le < ls:
                        continue
                if m == cap:
                    cap *= 2
                    w_u = _grow_i(w_u, cap)
                    w_j = _grow_i(w_j, cap)
                    w_s = _grow_f(w_s, cap)
                    w_e = _grow_f(w_e, cap)
                    w_es = _grow_f(w_es, cap)
                    w_ee = _grow_f(w_ee, cap)
                w_u[m] = u
                w_j[m] = j
                w_s[m] = ls
                w_e[m] = le
                w_es[m] = env[q, 0]
                w_ee[m] = env[q, 1]
                m += 1
    return (
        w_u[:m].copy(),
        w_j[:m].copy(),
        w_s[:m].copy(),
        w_e[:m].copy(),
        w_es[:m].copy(),
        w_ee[:m].copy(),
    )


@njit(cache=True, error_model="numpy")
def pair_intercept(routes, th_speed, u_x, u_y, u_speed, w_u, w_s, w_e, w_es, w_ee, w0, w1, u, j, t):
    """Earliest intercept time of unit u on threat j launched at t, over the pair's open
    launch windows (indices w0..w1 of threat j's windows)."""
    best = math.inf
    for w in range(w0, w1):
        if w_u[w] == u and w_s[w] <= t <= w_e[w]:
            s = intercept_time(
                routes[j], th_speed[j], u_x[u], u_y[u], u_speed[u], t, w_es[w], w_ee[w]
            )
            best = min(best, s)
    return best


@njit(cache=True, error_model="numpy")
def _grow_i(a, cap):
    b = np.empty(cap, np.int64)
    b[: a.shape[0]] = a
    return b


@njit(cache=True, error_model="numpy")
def _grow_f(a, cap):
    b = np.empty(cap, np.float64)
    b[: a.shape[0]] = a
    return b


@njit(cache=True, error_model="numpy")
def track_times(routes, th_speed, s_x, s_y, s_r, s_amin, s_pdet, s_cover, u_sense):
    """Per threat: time first tracked (inf if never) and the index of the sensor that tracked it."""
    n = routes.shape[0]
    ns = s_x.shape[0]
    t_track = np.full(n, np.inf)
    s_idx = np.full(n, -1, np.int64)
    for j in range(n):
        for s in range(ns):
            if u_sense[j, s] >= s_pdet[s]:
                continue
            if s_cover[s]:
                te = routes[j, 6]
            else:
                te = first_entry_time(routes[j], th_speed[j], s_x[s], s_y[s], s_r[s], s_amin[s])
            if te < t_track[j]:
                t_track[j] = te
                s_idx[j] = s
    return t_track, s_idx


SEQ_BITS = 40  # heap key = priority << SEQ_BITS | sequence number


@njit(cache=True, error_model="numpy")
def _push(heap, ev, seq, t, etype, u, j, c):
    """Queue an event: the heap holds (time, priority<<40 | seq); the payload lives in ``ev``."""
    ev[seq, 0] = etype
    ev[seq, 1] = u
    ev[seq, 2] = j
    ev[seq, 3] = c
    heapq.heappush(heap, (t, (etype << SEQ_BITS) | seq))
    return seq + 1


@njit(cache=True, error_model="numpy")
def _start_reloads(
    t, heap, ev, seq, units, n_units, ready, reloading, stock, u_pool, u_cap, u_reload, s
):
    """Units ``units[:n_units]`` (in index order) that cannot fire another engagement start
    reloading from their pool."""
    for q in range(n_units):
        u = units[q]
        pool = u_pool[u]
        if pool < 0 or reloading[u] or ready[u] >= s:
            continue
        k = min(u_cap[u] - ready[u], stock[pool])
        if k > 0:
            stock[pool] -= k
            reloading[u] = True
            seq = _push(heap, ev, seq, t + u_reload[u], EV_RELOAD, u, -1, k)
    return seq


@njit(cache=True, error_model="numpy")
def _before(ga, ja, ua, gb, jb, ub):
    """Greedy order: larger gain first, then smaller threat index, then smaller unit index."""
    if ga != gb:
        return ga > gb
    if ja != jb:
        return ja < jb
    return ua < ub


@njit(cache=True, error_model="numpy")
def run_night(
    routes,
    th_speed,
    th_kind,
    th_pkind,
    th_value,
    th_recog,
    t_track,
    u_shot,
    u_kind,
    u_x,
    u_y,
    u_speed,
    u_pk,
    u_peff,
    u_cwcost,
    u_engcost,
    u_engtime,
    u_channels,
    u_cap,
    u_ready0,
    u_reload,
    u_pool,
    u_reserve,
    pool_stock0,
    w_u,
    w_j,
    w_s,
    w_e,
    w_es,
    w_ee,
    rounds_per_eng,
    max_shots,
    max_ew,
    cost_threshold,
):
    """One night. Returns (fate, agent unit per threat, rounds fired per unit, ready rounds left
    per unit, pool stock left, time of each threat's fate)."""
    n = routes.shape[0]
    nu = u_x.shape[0]
    s = rounds_per_eng
    fate = np.full(n, ALIVE, np.int64)
    fate_t = np.full(n, np.inf)
    agent = np.full(n, -1, np.int64)
    busy = np.zeros(n, np.bool_)
    shots = np.zeros(n, np.int64)
    ew_n = np.zeros(n, np.int64)
    pend_k0 = np.zeros(n, np.int64)
    free_ch = u_channels.copy()
    ready = u_ready0.copy()
    reloading = np.zeros(nu, np.bool_)
    fired = np.zeros(nu, np.int64)
    stock = pool_stock0.copy()
    # active kinetic windows per unit: a compact list of window indices
    act_cnt = np.zeros(nu, np.int64)
    per_unit = np.zeros(nu, np.int64)
    for q in range(w_u.shape[0]):
        per_unit[w_u[q]] += 1
    act_off = np.zeros(nu + 1, np.int64)
    for u in range(nu):
        act_off[u + 1] = act_off[u] + per_unit[u]
    act = np.empty(max(1, act_off[nu]), np.int64)

    # Events: the static ones (impacts, window openings, tracks) are known up front and sorted
    # once; the dynamic ones (shot resolutions, EW dwell ends, reloads) go through a small heap.
    # Both are ordered by (time, priority << SEQ_BITS | seq). Static events are created type by
    # type in priority order (impact 3, window 4, track 5), so a stable sort by time alone gives
    # exactly that order.
    n_static = 2 * n + w_u.shape[0]
    n_dynamic = n * (2 * max_shots + max_ew) + nu + 16
    ev = np.empty((n_static + n_dynamic, 4), np.int64)
    st_t = np.empty(n_static, np.float64)
    st_key = np.empty(n_static, np.int64)
    seq = 0
    for j in range(n):
        ev[seq, 0] = EV_IMPACT
        ev[seq, 2] = j
        st_t[seq] = routes[j, 8]
        st_key[seq] = (EV_IMPACT << SEQ_BITS) | seq
        seq += 1
    for q in range(w_u.shape[0]):
        ev[seq, 0] = EV_WINDOW
        ev[seq, 1] = w_u[q]
        ev[seq, 2] = w_j[q]
        ev[seq, 3] = q
        st_t[seq] = w_s[q]
        st_key[seq] = (EV_WINDOW << SEQ_BITS) | seq
        seq += 1
    for j in range(n):
        if t_track[j] < np.inf:
            ev[seq, 0] = EV_TRACK
            ev[seq, 2] = j
            st_t[seq] = t_track[j]
            st_key[seq] = (EV_TRACK << SEQ_BITS) | seq
            seq += 1
    n_st = seq
    st_order = np.argsort(st_t[:n_st], kind="mergesort")
    sp = 0
    heap = [(0.0, 0)]
    heap.pop()
    all_units = np.arange(nu)
    seq = _start_reloads(
        0.0, heap, ev, seq, all_units, nu, ready, reloading, stock, u_pool, u_cap, u_reload, s
    )
    did_fire = np.zeros(nu, np.bool_)
    fired_now = np.empty(nu, np.int64)
    n_fired = 0

    # candidate buffers for epochs
    # at most one candidate per open window
    cap_c = max(1, w_u.shape[0])
    c_g = np.empty(cap_c, np.float64)
    c_j = np.empty(cap_c, np.int64)
    c_u = np.empty(cap_c, np.int64)
    p_u = np.empty(cap_c, np.int64)
    order = np.empty(cap_c, np.int64)
    p_j = np.empty(cap_c, np.int64)
    u_left = np.zeros(nu, np.int64)
    taken = np.zeros(n, np.bool_)
    # Only pairs whose window just opened, or whose unit or threat changed state since the last
    # epoch, can become assignable (time only ever closes launch windows), so each epoch
    # examines just those.
    dirty_u = np.zeros(nu, np.bool_)
    dirty_j = np.zeros(n, np.bool_)
    du_list = np.empty(nu, np.int64)
    dj_list = np.empty(n, np.int64)
    n_du = 0
    n_dj = 0
    new_w = np.empty(max(1, w_u.shape[0]), np.int64)
    n_new = 0
    # windows of each threat are contiguous (compute_windows emits them threat by threat)
    th_w_off = np.zeros(n + 1, np.int64)
    for q in range(w_j.shape[0]):
        th_w_off[w_j[q] + 1] += 1
    for j in range(n):
        th_w_off[j + 1] += th_w_off[j]

    while sp < n_st or len(heap) > 0:
        if len(heap) == 0:
            t = st_t[st_order[sp]]
        elif sp == n_st:
            t = heap[0][0]
        else:
            t = min(heap[0][0], st_t[st_order[sp]])
        epoch = False
        while True:
            # next event at time t: static or dynamic, whichever has the smaller key
            take_static = False
            if sp < n_st and st_t[st_order[sp]] == t:
                take_static = True
                if len(heap) > 0 and heap[0][0] == t and heap[0][1] < st_key[st_order[sp]]:
                    take_static = False
            elif not (len(heap) > 0 and heap[0][0] == t):
                break
            if take_static:
                q = st_order[sp]
                sp += 1
            else:
                q = heapq.heappop(heap)[1] & ((1 << SEQ_BITS) - 1)
            et = ev[q, 0]
            u = ev[q, 1]
            j = ev[q, 2]
            c = ev[q, 3]
            if et == EV_RESOLVE:
                free_ch[u] += 1
                busy[j] = False
                epoch = True
                if not dirty_u[u]:
                    dirty_u[u] = True
                    du_list[n_du] = u
                    n_du += 1
                if not dirty_j[j]:
                    dirty_j[j] = True
                    dj_list[n_dj] = j
                    n_dj += 1
                if fate[j] == ALIVE:
                    p = u_pk[u, th_kind[j]]
                    for r in range(s):
                        if u_shot[j, pend_k0[j] + r] < p:
                            fate[j] = DESTROYED
                            agent[j] = u
                            fate_t[j] = t
                            break
            elif et == EV_EW_DONE:
                free_ch[u] += 1
                if fate[j] == ALIVE and c == 1:
                    fate[j] = LOST
                    agent[j] = u
                    fate_t[j] = t
            elif et == EV_RELOAD:
                ready[u] += c
                reloading[u] = False
                epoch = True
                if not dirty_u[u]:
                    dirty_u[u] = True
                    du_list[n_du] = u
                    n_du += 1
            elif et == EV_IMPACT:
                if fate[j] == ALIVE:
                    fate[j] = LEAKED
                    fate_t[j] = t
            elif et == EV_WINDOW:
                if u_kind[u] == K_EW:
                    if fate[j] == ALIVE and ew_n[j] < max_ew and free_ch[u] > 0:
                        idx = max_shots + ew_n[j]
                        ew_n[j] += 1
                        free_ch[u] -= 1
                        ok = 1 if u_shot[j, idx] < u_pk[u, th_kind[j]] else 0
                        seq = _push(heap, ev, seq, t + u_engtime[u], EV_EW_DONE, u, j, ok)
                else:
                    act[act_off[u] + act_cnt[u]] = c
                    act_cnt[u] += 1
                    epoch = True
                    new_w[n_new] = c  # only this pair is new for the unit
                    n_new += 1
            else:  # EV_TRACK
                epoch = True
                if not dirty_j[j]:
                    dirty_j[j] = True
                    dj_list[n_dj] = j
                    n_dj += 1
        if not epoch:
            continue
        # ---- decision epoch: pairs to examine: all open windows of units whose state changed,
        # newly opened windows, and the open windows of threats whose state changed ----
        npair = 0
        for q in range(n_du):
            u = du_list[q]
            if u_kind[u] == K_EW:
                continue
            base = act_off[u]
            r = 0
            while r < act_cnt[u]:  # drop expired windows
                if w_e[act[base + r]] < t:
                    act_cnt[u] -= 1
                    act[base + r] = act[base + act_cnt[u]]
                else:
                    r += 1
            for r in range(act_cnt[u]):
                p_u[npair] = u
                p_j[npair] = w_j[act[base + r]]
                npair += 1
        for q in range(n_new):
            w = new_w[q]
            u = w_u[w]
            if dirty_u[u] or dirty_j[w_j[w]]:
                continue  # examined with its unit's or its threat's windows
            p_u[npair] = u
            p_j[npair] = w_j[w]
            npair += 1
        n_new = 0
        for q in range(n_dj):
            j = dj_list[q]
            for w in range(th_w_off[j], th_w_off[j + 1]):
                u = w_u[w]
                if dirty_u[u] or u_kind[u] == K_EW or w_s[w] > t or w_e[w] < t:
                    continue
                p_u[npair] = u
                p_j[npair] = j
                npair += 1
        for q in range(n_du):
            dirty_u[du_list[q]] = False
        for q in range(n_dj):
            dirty_j[dj_list[q]] = False
        n_du = 0
        n_dj = 0
        # ---- candidates: allowed engagements with positive marginal gain ----
        m = 0
        for q in range(npair):
            u = p_u[q]
            j = p_j[q]
            if reloading[u] or free_ch[u] <= 0 or ready[u] < s:
                continue
            if fate[j] != ALIVE or busy[j] or t_track[j] > t or th_recog[j]:
                continue
            if shots[j] + s > max_shots:
                continue
            pk_kind = th_pkind[j]
            p = u_peff[u, pk_kind]
            if p <= 0.0:
                continue
            cap_u = min(free_ch[u], ready[u] // s)
            if pk_kind != BALLISTIC and ready[u] - s * cap_u < u_reserve[u]:
                continue
            v = th_value[j]
            if u_engcost[u] > cost_threshold * v:
                continue
            g = v * 1.0 * p - u_cwcost[u]  # the greedy rule of airshield.assign
            if not g > 0.0:
                continue
            u_left[u] = cap_u
            c_g[m] = g
            c_j[m] = j
            c_u[m] = u
            m += 1
        if m == 0:
            continue
        # ---- greedy maximum marginal return: gain desc, then threat index, then unit index ----
        if m <= 48:  # usual case: a few candidates, insertion sort without allocation
            for q in range(m):
                order[q] = q
                r = q
                while r > 0 and _before(
                    c_g[q], c_j[q], c_u[q], c_g[order[r - 1]], c_j[order[r - 1]], c_u[order[r - 1]]
                ):
                    order[r] = order[r - 1]
                    r -= 1
                order[r] = q
        else:
            key = c_j[:m] * nu + c_u[:m]
            o1 = np.argsort(key, kind="mergesort")
            o2 = np.argsort(-c_g[:m][o1], kind="mergesort")
            order[:m] = o1[o2]
        for q in range(m):
            i = order[q]
            j = c_j[i]
            u = c_u[i]
            if taken[j] or u_left[u] <= 0:
                continue
            taken[j] = True
            u_left[u] -= 1
            # fire
            pend_k0[j] = shots[j]
            shots[j] += s
            busy[j] = True
            free_ch[u] -= 1
            ready[u] -= s
            fired[u] += s
            if not did_fire[u]:
                did_fire[u] = True
                fired_now[n_fired] = u
                n_fired += 1
            t_hit = pair_intercept(
                routes, th_speed, u_x, u_y, u_speed, w_u, w_s, w_e, w_es, w_ee,
                th_w_off[j], th_w_off[j + 1], u, j, t,
            )  # fmt: skip
            seq = _push(heap, ev, seq, t_hit + u_engtime[u], EV_RESOLVE, u, j, 0)
        for q in range(m):
            taken[c_j[q]] = False
        # only units that just fired can newly need a reload (pools never grow in a night);
        # they reload in index order, as a scan over all units would
        for q in range(1, n_fired):
            v = fired_now[q]
            r = q
            while r > 0 and fired_now[r - 1] > v:
                fired_now[r] = fired_now[r - 1]
                r -= 1
            fired_now[r] = v
        seq = _start_reloads(
            t, heap, ev, seq, fired_now, n_fired, ready, reloading, stock, u_pool, u_cap,
            u_reload, s,
        )  # fmt: skip
        for q in range(n_fired):
            did_fire[fired_now[q]] = False
        n_fired = 0
    return fate, agent, fired, ready, stock, fate_t
