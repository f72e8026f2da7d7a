"""Numba kernel of the one-night raid event loop, and the closed-form geometry both engines share.

The readable reference engine (:mod:`airshield.raid.reference`) implements the same rules with
Python objects and a ``heapq`` queue and calls the *Python* versions of the geometry functions
below (``fn.py_func``); tests check that both engines give identical outcomes for the same draws.

Event keys are ``(time_s, priority, seq)`` so simultaneous events are processed in one fixed
order. Priorities: shot resolution, EW dwell end, reload done, impact, window open, track start.
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


@njit(cache=True)
def segment_circle(px, py, dx, dy, length, cx, cy, r):  # type: ignore[no-untyped-def]
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


@njit(cache=True)
def _push_interval(out, n, ts, te):  # type: ignore[no-untyped-def]
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


@njit(cache=True)
def envelope_windows(route, speed_kms, ux, uy, rmin, rmax, amin, amax, out):  # type: ignore[no-untyped-def]
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
        px = route[2 * k]
        py = route[2 * k + 1]
        qx = route[2 * k + 2]
        qy = route[2 * k + 3]
        length = math.sqrt((qx - px) * (qx - px) + (qy - py) * (qy - py))
        if length <= 0.0:
            continue
        dx = (qx - px) / length
        dy = (qy - py) / length
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


@njit(cache=True)
def closing_speed(kind, ispeed_kms, tspeed_kms):  # type: ignore[no-untyped-def]
    """Speed (km/s) at which an interceptor closes on a threat; <= 0 if it never catches it.

    Missiles and guns fly straight at their own speed; interceptor drones are assumed to chase
    from behind (own speed minus threat speed), the conservative case.
    """
    if kind == K_IDRONE:
        return ispeed_kms - tspeed_kms
    return ispeed_kms


@njit(cache=True)
def launch_windows(route, speed_kms, ux, uy, c_kms, env, n_env, out):  # type: ignore[no-untyped-def]
    """Launch times at which an interceptor closing at ``c_kms`` meets the threat inside its
    envelope window: the set of t in [ts, te] with ``|P(t) - U| <= c (te - t)``.

    On each straight segment this is a quadratic inequality in t, solved in closed form, so a
    pair's feasibility is a fixed union of intervals that only ever closes as time passes.
    Writes ``(t_first, t_last)`` rows into ``out`` and returns how many.
    """
    n = 0
    if c_kms <= 0.0:
        return 0
    for w in range(n_env):
        ts = env[w, 0]
        te = env[w, 1]
        for k in range(2):
            lo = max(ts, route[6 + k])
            hi = min(te, route[7 + k])
            if hi < lo:
                continue
            px = route[2 * k]
            py = route[2 * k + 1]
            qx = route[2 * k + 2]
            qy = route[2 * k + 3]
            length = math.sqrt((qx - px) * (qx - px) + (qy - py) * (qy - py))
            if length <= 0.0:
                continue
            vx = (qx - px) / length * speed_kms
            vy = (qy - py) / length * speed_kms
            # relative position at t = lo, in local time tau = t - lo
            ex = px + vx * (lo - route[6 + k]) - ux
            ey = py + vy * (lo - route[6 + k]) - uy
            big_w = te - lo
            c2 = c_kms * c_kms
            a = vx * vx + vy * vy - c2
            b = ex * vx + ey * vy + c2 * big_w  # half of the linear coefficient
            q = ex * ex + ey * ey - c2 * big_w * big_w
            span = hi - lo
            # feasible tau in [0, span] with a tau^2 + 2 b tau + q <= 0
            if abs(a) < 1e-12:
                if abs(b) < 1e-15:
                    if q <= 0.0:
                        n = _push_interval(out, n, lo, hi)
                    continue
                r = -q / (2.0 * b)
                if b > 0.0:
                    if r >= 0.0:
                        n = _push_interval(out, n, lo, lo + min(r, span))
                elif r <= span:
                    n = _push_interval(out, n, lo + max(r, 0.0), hi)
                continue
            disc = b * b - a * q
            if disc < 0.0:
                if a < 0.0:
                    n = _push_interval(out, n, lo, hi)
                continue
            sq = math.sqrt(disc)
            r1 = (-b - sq) / a
            r2 = (-b + sq) / a
            if r1 > r2:
                r1, r2 = r2, r1
            if a > 0.0:
                x0 = max(r1, 0.0)
                x1 = min(r2, span)
                if x1 >= x0:
                    n = _push_interval(out, n, lo + x0, lo + x1)
            else:
                if r1 >= 0.0:
                    n = _push_interval(out, n, lo, lo + min(r1, span))
                if r2 <= span:
                    n = _push_interval(out, n, lo + max(r2, 0.0), hi)
    return n


@njit(cache=True)
def first_entry_time(route, speed_kms, sx, sy, r, alt_min):  # type: ignore[no-untyped-def]
    """First time the threat is within ``r`` km of a sensor at altitude >= ``alt_min``; inf if never."""
    for k in range(2):
        if route[9 + k] < alt_min:
            continue
        px = route[2 * k]
        py = route[2 * k + 1]
        qx = route[2 * k + 2]
        qy = route[2 * k + 3]
        length = math.sqrt((qx - px) * (qx - px) + (qy - py) * (qy - py))
        if length <= 0.0:
            continue
        lo, hi = segment_circle(px, py, (qx - px) / length, (qy - py) / length, length, sx, sy, r)
        if lo < hi or (lo == hi and lo == 0.0):
            return route[6 + k] + lo / speed_kms
    return math.inf


@njit(cache=True)
def position_at(route, t):  # type: ignore[no-untyped-def]
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


@njit(cache=True)
def flight_time_at(route, t, ux, uy, kind, ispeed_kms, tspeed_kms):  # type: ignore[no-untyped-def]
    """Interceptor flight time for a launch at t (distance to the threat at launch / closing speed)."""
    x, y = position_at(route, t)
    d = math.sqrt((x - ux) * (x - ux) + (y - uy) * (y - uy))
    return d / closing_speed(kind, ispeed_kms, tspeed_kms)


@njit(cache=True)
def compute_windows(routes, th_speed, u_kind, u_x, u_y, u_rmin, u_rmax, u_amin, u_amax, u_speed):  # type: ignore[no-untyped-def]
    """All windows of a replication: arrays (unit, threat, t_start, t_end), threat by threat.

    For EW units a window is the time inside the envelope; for kinetic units it is the interval
    of launch times whose intercept falls inside the envelope (:func:`launch_windows`). A
    bounding-box test skips pairs that can never meet, so the cost grows with the pairs that
    can engage, not with all pairs.
    """
    n = routes.shape[0]
    nu = u_x.shape[0]
    cap = 64 + 4 * n
    w_u = np.empty(cap, np.int64)
    w_j = np.empty(cap, np.int64)
    w_s = np.empty(cap, np.float64)
    w_e = np.empty(cap, np.float64)
    env = np.empty((MAX_WINDOWS_PER_PAIR, 2), np.float64)
    lw = np.empty((MAX_WINDOWS_PER_PAIR, 2), np.float64)
    m = 0
    for j in range(n):
        r = routes[j]
        xmin = min(r[0], r[2], r[4])
        xmax = max(r[0], r[2], r[4])
        ymin = min(r[1], r[3], r[5])
        ymax = max(r[1], r[3], r[5])
        for u in range(nu):
            rr = u_rmax[u]
            if u_x[u] + rr < xmin or u_x[u] - rr > xmax or u_y[u] + rr < ymin or u_y[u] - rr > ymax:
                continue
            k = envelope_windows(r, th_speed[j], u_x[u], u_y[u], u_rmin[u], rr, u_amin[u], u_amax[u], env)
            if k == 0:
                continue
            if u_kind[u] == K_EW:
                buf = env
            else:
                c = closing_speed(u_kind[u], u_speed[u], th_speed[j])
                k = launch_windows(r, th_speed[j], u_x[u], u_y[u], c, env, k, lw)
                buf = lw
            for q in range(k):
                if m == cap:
                    cap *= 2
                    w_u = _grow_i(w_u, cap)
                    w_j = _grow_i(w_j, cap)
                    w_s = _grow_f(w_s, cap)
                    w_e = _grow_f(w_e, cap)
                w_u[m] = u
                w_j[m] = j
                w_s[m] = buf[q, 0]
                w_e[m] = buf[q, 1]
                m += 1
    return w_u[:m].copy(), w_j[:m].copy(), w_s[:m].copy(), w_e[:m].copy()


@njit(cache=True)
def _grow_i(a, cap):  # type: ignore[no-untyped-def]
    b = np.empty(cap, np.int64)
    b[: a.shape[0]] = a
    return b


@njit(cache=True)
def _grow_f(a, cap):  # type: ignore[no-untyped-def]
    b = np.empty(cap, np.float64)
    b[: a.shape[0]] = a
    return b


@njit(cache=True)
def track_times(routes, th_speed, s_x, s_y, s_r, s_amin, s_pdet, s_cover, u_sense):  # type: ignore[no-untyped-def]
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


@njit(cache=True)
def _start_reloads(t, heap, seq, ready, reloading, stock, u_pool, u_cap, u_reload, s):  # type: ignore[no-untyped-def]
    """Units (in index order) that cannot fire another engagement start reloading from their pool."""
    for u in range(ready.shape[0]):
        pool = u_pool[u]
        if pool < 0 or reloading[u] or ready[u] >= s:
            continue
        k = min(u_cap[u] - ready[u], stock[pool])
        if k > 0:
            stock[pool] -= k
            reloading[u] = True
            heapq.heappush(heap, (t + u_reload[u], EV_RELOAD, seq, EV_RELOAD, u, -1, k))
            seq += 1
    return seq


@njit(cache=True)
def run_night(
    routes, th_speed, th_kind, th_pkind, th_value, th_recog, t_track, u_shot,
    u_kind, u_x, u_y, u_speed, u_pk, u_peff, u_cwcost, u_engcost, u_engtime, u_channels,
    u_cap, u_ready0, u_reload, u_pool, u_reserve, pool_stock0,
    w_u, w_j, w_s, w_e,
    rounds_per_eng, max_shots, max_ew, cost_threshold,
):  # type: ignore[no-untyped-def]
    """One night. Returns (fate, agent unit per threat, rounds fired per unit, ready rounds left
    per unit, pool stock left)."""
    n = routes.shape[0]
    nu = u_x.shape[0]
    s = rounds_per_eng
    fate = np.full(n, ALIVE, np.int64)
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

    heap = [(0.0, 0, 0, 0, 0, 0, 0)]
    heap.pop()
    seq = 0
    for j in range(n):
        heap.append((routes[j, 8], EV_IMPACT, seq, EV_IMPACT, -1, j, 0))
        seq += 1
        if t_track[j] < np.inf:
            heap.append((t_track[j], EV_TRACK, seq, EV_TRACK, -1, j, 0))
            seq += 1
    for q in range(w_u.shape[0]):
        heap.append((w_s[q], EV_WINDOW, seq, EV_WINDOW, w_u[q], w_j[q], q))
        seq += 1
    heapq.heapify(heap)
    seq = _start_reloads(0.0, heap, seq, ready, reloading, stock, u_pool, u_cap, u_reload, s)

    # candidate buffers for epochs
    # at most one candidate per open window
    cap_c = max(1, w_u.shape[0])
    c_g = np.empty(cap_c, np.float64)
    c_j = np.empty(cap_c, np.int64)
    c_u = np.empty(cap_c, np.int64)
    p_u = np.empty(cap_c, np.int64)
    p_j = np.empty(cap_c, np.int64)
    u_left = np.zeros(nu, np.int64)
    taken = np.zeros(n, np.bool_)
    # Only pairs touching a unit or threat whose state changed since the last epoch can become
    # assignable (time only ever closes windows), so each epoch scans just those.
    dirty_u = np.zeros(nu, np.bool_)
    dirty_j = np.zeros(n, np.bool_)
    du_list = np.empty(nu, np.int64)
    dj_list = np.empty(n, np.int64)
    n_du = 0
    n_dj = 0
    # windows of each threat are contiguous (compute_windows emits them threat by threat)
    th_w_off = np.zeros(n + 1, np.int64)
    for q in range(w_j.shape[0]):
        th_w_off[w_j[q] + 1] += 1
    for j in range(n):
        th_w_off[j + 1] += th_w_off[j]

    while len(heap) > 0:
        t = heap[0][0]
        epoch = False
        while len(heap) > 0 and heap[0][0] == t:
            ev = heapq.heappop(heap)
            et = ev[3]
            u = ev[4]
            j = ev[5]
            c = ev[6]
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
                            break
            elif et == EV_EW_DONE:
                free_ch[u] += 1
                if fate[j] == ALIVE and c == 1:
                    fate[j] = LOST
                    agent[j] = u
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
            elif et == EV_WINDOW:
                if u_kind[u] == K_EW:
                    if fate[j] == ALIVE and ew_n[j] < max_ew and free_ch[u] > 0:
                        idx = max_shots + ew_n[j]
                        ew_n[j] += 1
                        free_ch[u] -= 1
                        ok = 1 if u_shot[j, idx] < u_pk[u, th_kind[j]] else 0
                        heapq.heappush(heap, (t + u_engtime[u], EV_EW_DONE, seq, EV_EW_DONE, u, j, ok))
                        seq += 1
                else:
                    act[act_off[u] + act_cnt[u]] = c
                    act_cnt[u] += 1
                    epoch = True
                    if not dirty_u[u]:
                        dirty_u[u] = True
                        du_list[n_du] = u
                        n_du += 1
            else:  # EV_TRACK
                epoch = True
                if not dirty_j[j]:
                    dirty_j[j] = True
                    dj_list[n_dj] = j
                    n_dj += 1
        if not epoch:
            continue
        # ---- decision epoch: pairs to examine (dirty units' open windows, dirty threats') ----
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
        key = c_j[:m] * nu + c_u[:m]
        o1 = np.argsort(key, kind="mergesort")
        neg = -c_g[:m][o1]
        o2 = np.argsort(neg, kind="mergesort")
        order = o1[o2]
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
            tof = flight_time_at(routes[j], t, u_x[u], u_y[u], u_kind[u], u_speed[u], th_speed[j])
            heapq.heappush(heap, (t + tof + u_engtime[u], EV_RESOLVE, seq, EV_RESOLVE, u, j, 0))
            seq += 1
        for q in range(m):
            taken[c_j[q]] = False
        seq = _start_reloads(t, heap, seq, ready, reloading, stock, u_pool, u_cap, u_reload, s)
    return fate, agent, fired, ready, stock
