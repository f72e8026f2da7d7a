"""Numba kernel of the one-night raid, and the closed-form geometry both engines share.

The readable reference engine (:mod:`airshield.raid.reference`) implements the same rules with
Python objects and a ``heapq`` queue and calls the *Python* versions of the functions below
(``fn.py_func``); tests check that both engines give identical outcomes for the same draws.

**Interface.** The compiled raid reaches numba as a few typed structures (``NamedTuple``s of
arrays, typed by numba as named tuples, fields read by name): :class:`Units` (fire units, static
per scenario), :class:`Loadout` (ready rounds per unit and pool stock at the start of a night),
:class:`Doctrine` (scalars of the scenario's doctrine), :class:`Scene` (what a replication is
drawn from: waves, assets, threat types, sensors, tally labels), :class:`NightArrays` (one
replication's draws) and :class:`Windows` (its engagement windows). All integer codes come from
:mod:`airshield.vocab`.

**One night** runs in named phases (:func:`run_night_into`):

1. *windows* (:func:`compute_windows`): every (unit, threat) engagement window, threat by
   threat, then unit, then time; only pairs the doctrine could ever assign
   (:func:`pair_can_engage`, built on the one eligibility rule :func:`kinetic_eligible`).
2. *events* (:func:`_static_events`): static events (impacts, window openings, tracks) are
   known up front and put in time order once by a stable bucket sort (:func:`time_order`,
   the radix sort :func:`stable_time_order` for uneven times); dynamic events (shot resolutions, EW dwell ends, reloads) go
   through a binary heap. Keys are ``(time_s, priority << SEQ_BITS | seq)`` so simultaneous
   events are processed in one fixed order (priorities: :class:`~airshield.vocab.Event`).
3. *resolve*: every event of one instant changes state. Invariants: a fate changes only from
   ALIVE; a channel is taken at a shot or EW start and given back at its resolution; ready
   rounds grow only when a reload ends or a team group's missed interceptor is recovered;
   pools only shrink.
4. *epoch* (:func:`_epoch_pairs`): after an instant with an event that can open an
   engagement opportunity, the (unit, threat) pairs whose state changed are collected;
5. *assign* (:func:`_candidates`, :func:`_greedy_order`): feasible engagements are chosen by
   the greedy maximum-marginal-return rule of :func:`airshield.assign.solve` with ``greedy``
   and fire;
6. *reload* (:func:`_start_reloads`): units that can no longer fire an engagement reload from
   their pool.

**Cheap layer and sensing v2** (raid model v2; each off unless the scenario uses it): the
draw phase gives each threat its track (:func:`sense`: firm tracks, track capacity, radar
horizon) and cue error (:func:`cue_errors`) and each unit its position and start time for the
night (:func:`dispatch_mobiles`; inputs :class:`Tracks`, :class:`Mobiles`); phase 1 cuts a mobile
group's windows to its arrival (:func:`clip_to_ready`); phases 3 and 5 apply a team group's hunt
(:class:`Teams`: :func:`hunt_factor` on the kill probability, lognormal hunt time, recovery).

**Buffer bounds** (stated, asserted by the reference engine, checked in debug builds):
at most ``2 * MAX_LEGS`` windows per (unit, threat) pair (2 pieces outside the minimum-range
circle per leg); at most ``n * max_shots // s`` engagements (each takes ``s`` rounds of the threat's
``max_shots``), hence as many shot resolutions; at most ``n * max_ew`` EW dwells; at most
``n_units + engagements`` reloads (a reload starts at t = 0 or right after its unit fired), so
``n_dynamic <= n * (2 * (max_shots // s) + max_ew) + n_units`` (:func:`dynamic_event_bound`);
at most one candidate pair per window in each epoch.

**Debug build.** ``AIRSHIELD_KERNEL_DEBUG=1`` in the environment compiles the kernels with
numba's bounds checking and the explicit bound assertions on (and without the on-disk cache, so
a debug build never lands in or comes from the normal cache).
"""

from __future__ import annotations

import math
import os
from typing import Any, NamedTuple

import numpy as np
from numba import njit
from numpy.typing import NDArray

from airshield.vocab import MAX_LEGS, EffectorKind, Event, Fate, Route, ThreatKind

#: ``AIRSHIELD_KERNEL_DEBUG=1``: bounds checks and buffer-bound assertions in every kernel
KERNEL_DEBUG = os.environ.get("AIRSHIELD_KERNEL_DEBUG", "") not in ("", "0")
# no kernel is passed as a first-class function, so the C-callable wrapper numba otherwise
# builds and compiles for every function is never used (numba's option, missing from its stubs;
# about a second less of a fresh install's compilation)
_NO_CFUNC: dict[str, Any] = {"no_cfunc_wrapper": True}
_jit = njit(
    cache=not KERNEL_DEBUG, error_model="numpy", boundscheck=KERNEL_DEBUG, nogil=True, **_NO_CFUNC
)  # fmt: skip
# hot helpers are inlined into their caller at numba IR level: a call would copy every array of
# the structures and touch every reference count. An inlined helper still binds its array
# arguments anew (a reference-count increment and decrement per array and call), which LLVM's
# reference-count pruning removes only if nothing in between releases a reference or calls a
# function that is not inlined: so the helpers of the event loop take plain arrays and scalars,
# read no structure field, make no view, and call only inlined helpers (tens of atomic
# operations per decision epoch otherwise: docs/benchmarks.md, issue 14)
_inline = njit(
    cache=not KERNEL_DEBUG, error_model="numpy", boundscheck=KERNEL_DEBUG, nogil=True,
    inline="always", **_NO_CFUNC,
)  # fmt: skip

# the vocabulary as compile-time constants for numba
EV_RESOLVE = int(Event.RESOLVE)
EV_EW_DONE = int(Event.EW_DONE)
EV_RELOAD = int(Event.RELOAD)
EV_IMPACT = int(Event.IMPACT)
EV_WINDOW = int(Event.WINDOW)
EV_TRACK = int(Event.TRACK)
K_MISSILE = int(EffectorKind.MISSILE)
K_GUN = int(EffectorKind.GUN)
K_IDRONE = int(EffectorKind.INTERCEPTOR_DRONE)
K_EW = int(EffectorKind.EW)
ALIVE = int(Fate.ALIVE)
DESTROYED = int(Fate.DESTROYED)
LOST = int(Fate.LOST)
LEAKED = int(Fate.LEAKED)
DECOY = int(ThreatKind.DECOY)
BALLISTIC = int(ThreatKind.BALLISTIC_MISSILE)
# route row columns (airshield.vocab.Route): point k at (_X0 + 2k, _Y0 + 2k), time _T0 + k,
# leg k at altitude _ALT0 + k; _X1 = _X0 + 2 is the end point of leg 0
_X0, _Y0, _X1, _Y1 = int(Route.X0), int(Route.Y0), int(Route.X0) + 2, int(Route.Y0) + 2
_T0, _T1, _ALT0 = int(Route.T0), int(Route.T0) + 1, int(Route.ALT0)
_NLEGS, _TI = int(Route.NLEGS), int(Route.T_IMPACT)
N_ROUTE = _TI + 1

WINDOWS_PER_PAIR_BOUND = 2 * MAX_LEGS  # each leg: 2 pieces outside the minimum-range circle
MAX_WINDOWS_PER_PAIR = WINDOWS_PER_PAIR_BOUND + 4  # rows of the per-pair scratch
SEQ_BITS = 40  # event key = priority << SEQ_BITS | sequence number
_SEQ_MASK = (1 << SEQ_BITS) - 1

F = NDArray[np.float64]
I = NDArray[np.int64]
B = NDArray[np.bool_]


# ---- the typed structures ---------------------------------------------------------------------
class Teams(NamedTuple):
    """Interceptor-drone team groups, per unit (cheap layer; all off for other units). A team
    group's channels are its teams (one hunt each at a time)."""

    is_team: B  #: the unit is a team group (hunt rules on)
    acquire_km: F  #: acquisition radius around the cue point
    ratio_min: F  #: interceptor / threat speed ratio of zero success
    ratio_full: F  #: speed ratio from which speed no longer limits success
    condition: F  #: weather / night factor on success
    time_sigma: F  #: log-sd of the hunt time (median: the unit's engage_time_s)
    recover_p: F  #: chance a missed interceptor is reused
    any_team: bool  #: some unit is a team group (the night draws hunt times and recoveries)


class Mobiles(NamedTuple):
    """Mobile fire groups, per unit (``x``/``y`` of :class:`Units` are the bases)."""

    is_mobile: B
    road_kms: F  #: road speed / road factor: straight-line progress, km/s
    reaction_s: F  #: firm track to leaving the base
    setup_s: F  #: set-up at the intercept point before the threat passes
    dispatch_km: F  #: farthest intercept point from the base
    any_mobile: bool


class Tracks(NamedTuple):
    """Sensing v2, per sensor (off: binary detection of v1, :func:`track_times`)."""

    firm_s: F  #: first detection to firm track
    capacity: I  #: tracks held at once, -1 unlimited
    antenna_m: F  #: antenna height for the radar horizon, -1 none
    pos_err_km: F  #: 1-sigma position error per axis of this sensor's tracks
    v2: bool  #: any sensor uses a v2 field


class Units(NamedTuple):
    """Fire units (index order = the scenario's expanded fire units). km, s, USD."""

    kind: I  #: EffectorKind per unit
    x: F
    y: F
    range_min_km: F
    range_max_km: F
    alt_min_km: F
    alt_max_km: F
    speed_kms: F  #: interceptor speed
    pk: F  #: (units, threat kinds) single-shot kill (or EW) probability
    peff: F  #: (units, threat kinds) kill probability of one engagement of ``s`` rounds
    engage_cost_usd: F  #: cost of one engagement (``s`` rounds), for the cost threshold
    weighted_cost: F  #: ``cost_weight`` x engagement cost, the greedy rule's cost term
    engage_time_s: F  #: time from intercept to kill assessment / EW dwell
    channels: I
    capacity: I  #: magazine size
    reload_s: F
    pool: I  #: pool index, -1 for none
    reserve: I  #: rounds kept for ballistic threats
    effector: I  #: effector-type index (tally)
    cost_per_round_usd: F  #: (tally)
    teams: Teams  #: interceptor-drone team groups (cheap layer)
    mobiles: Mobiles  #: mobile fire groups (cheap layer)


class Loadout(NamedTuple):
    """Rounds at the start of a night: ready per unit, stock per pool."""

    ready: I
    stock: I


class Doctrine(NamedTuple):
    """The doctrine scalars the kernel needs."""

    rounds_per_eng: int  #: ``s``: rounds of one engagement
    max_shots: int  #: rounds per threat
    max_ew: int  #: EW attempts per threat
    cost_threshold: float  #: engage only if engagement cost <= threshold x value at risk


class NightArrays(NamedTuple):
    """One replication's draws, per threat (see :class:`airshield.raid.compile.Night`)."""

    routes: F  #: (n, len(Route))
    speed: F  #: km/s
    kind: I  #: true ThreatKind
    pkind: I  #: perceived ThreatKind
    value: F  #: perceived value at risk, USD
    recognised: B  #: decoy recognised (never engaged kinetically)
    t_track: F  #: first tracked, inf if never
    u_shot: F  #: (n, max_shots + max_ew) uniforms of the kill and EW draws
    unit_x: F  #: where each unit is this night (mobile groups: their intercept point)
    unit_y: F
    unit_ready: F  #: from when each unit can engage (-inf static; mobile: arrival, inf unsent)
    cue_err_km: F  #: per threat: position error of the track that cues it
    z_hunt: F  #: (n, max_shots or 0) normals of the hunt times, by the threat's round index
    u_recover: F  #: (n, max_shots or 0) uniforms of the recoveries, by round index


class Windows(NamedTuple):
    """Engagement windows (the first ``m`` rows of buffers that may be longer), grouped by
    threat: threat by threat, then unit, then time."""

    unit: I
    threat: I
    start: F  #: EW: envelope entry; kinetic: first launch time that meets inside the envelope
    end: F  #: last such time
    env_start: F  #: envelope window the launch window maps to
    env_end: F


class Scene(NamedTuple):
    """What a replication is drawn from and tallied by (see CompiledRaid)."""

    th_type: I
    th_wave: I
    wv_x: F
    wv_y: F
    wv_t0: F
    wv_t1: F
    wv_jitter: F
    wv_target_cdf: F  #: (waves, assets)
    wv_nvia: I  #: waypoints a wave's routes pass before their final approach (<= MAX_LEGS - 2)
    wv_via_x: F  #: (waves, MAX_LEGS - 2) waypoint x, in order
    wv_via_y: F
    a_x: F
    a_y: F
    a_radius: F
    a_value: F
    tt_kind: I
    tt_speed_kms: F
    tt_alt_min: F
    tt_alt_max: F
    tt_lethality: F
    tt_log_survival: F  #: log1p(-min(lethality, 1 - 1e-15)), per threat type (damage)
    tt_perceived: I
    tt_terminal_km: F
    tt_mid_alt: F
    tt_alt_dist: B  #: altitude from the quartile knots (else uniform between min and max)
    tt_alt_knots: F  #: (threat types, 5) altitude at cumulative probability 0, 1/4, 1/2, 3/4, 1
    s_x: F
    s_y: F
    s_r: F
    s_amin: F
    s_pdet: F
    s_pdisc: F
    s_cover: B
    n_effectors: int
    tracks: Tracks  #: sensing v2


class Physics(NamedTuple):
    """Engagement physics and weapon-release doctrine of raid model v2 (static per scenario;
    built by :meth:`airshield.raid.compile.CompiledRaid.physics`). Its defaults (no curve,
    full range, no shot cap below ``max_shots``, no C2 delay, the EW attempt model) are the
    rules of version 1, so a scenario without the new fields runs exactly as before."""

    fire_range_km: F  #: (units) intercepts only within this range (firing_range_fraction x max)
    pk_npts: I  #: (units, threat kinds) points of the Pk curve; 0: flat at ``Units.pk``
    pk_rf: F  #: (units, threat kinds, K) the curve's range fractions (increasing)
    pk_val: F  #: (units, threat kinds, K) its single-shot kill probabilities
    shot_cap: I  #: (units, threat types) most rounds at a threat under which the unit fires
    th_ptype: I  #: (threats) perceived threat type of each threat (shot_cap's column)
    c2_kind: I  #: (units) DelayKind of the cue -> launch delay (0: none)
    c2_min_s: F  #: (units)
    c2_mode_s: F  #: (units) the fixed delay, or the triangular mode
    c2_max_s: F  #: (units)
    n_c2: int  #: columns of the C2 uniforms per threat (max_shots, or 0 with no delay at all)
    ew_hazard: B  #: (units) EW unit runs the hazard model
    ew_rate_per_s: F  #: (units, threat kinds) loss hazard inside the field (hazard model)
    th_ew_factor: F  #: (threats) 1 - ew_resistance of the threat's true type
    any_hazard: bool  #: some EW unit runs the hazard model (the exponentials are drawn)
    lost_harm_share: float  #: share of lost threats that still do harm where they fall


class NightExtra(NamedTuple):
    """One replication's draws for the rules of :class:`Physics` (empty when unused); drawn
    after every draw of version 1, so those stay the same numbers."""

    c2_u: F  #: (n, n_c2) uniforms of the C2 delays, by threat and round index
    ew_e: F  #: (n, max_ew) standard exponentials of the EW uniforms (hazard model), else (n, 0)
    fall_u: F  #: (n,) uniforms of the harmful falls of lost threats, else (0,)


class Tally(NamedTuple):
    """Per-replication tallies of a batch (first axis: replication in the batch)."""

    outcomes: I  #: (B, threat types, len(Outcome))
    destroyed_by: I  #: (B, threat types, effector types)
    lost_by: I  #: (B, threat types, effector types)
    shots: I  #: (B, effector types) rounds fired
    cost_usd: F  #: (B, effector types)
    unit_shots: I  #: (B, units)
    hits: I  #: (B, assets) harmful leakers
    log_survival: F  #: (B, assets) sum of log(1 - lethality) over hits (damage = v (1 - e^x))
    pool_drawn: I  #: (B, pools) rounds taken from the pools for reloads
    fell: I  #: (B, threat types) lost threats that still fell and did harm (raid model v2)
    fall_hits: I  #: (B, assets) of those, falls inside an asset's disc
    fall_log_survival: F  #: (B, assets) sum of log(1 - lethality) over fall hits


def dynamic_event_bound(n: int, n_units: int, doctrine: Doctrine) -> int:
    """Upper bound on the dynamic events of one night (see the module docstring)."""
    s = max(1, doctrine.rounds_per_eng)
    return n * (2 * (doctrine.max_shots // s) + doctrine.max_ew) + n_units


# ---- geometry --------------------------------------------------------------------------------
@_jit
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


@_jit
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


@_jit
def envelope_windows(route, speed_kms, ux, uy, rmin, rmax, amin, amax, out):
    """Time windows when a threat on ``route`` is inside a unit's envelope.

    ``route`` is a row of :class:`~airshield.vocab.Route` columns: ``NLEGS`` straight legs
    flown at constant speed, each at its own altitude. Writes ``(t_start, t_end)`` rows into
    ``out`` and returns how many (at most 2 per leg). Contiguous pieces (across a waypoint) are
    merged.
    """
    n = np.int64(0)  # not the literal 0: numba would compile _push_interval for it as well
    for k in range(int(route[_NLEGS])):
        alt = route[_ALT0 + k]
        if alt < amin or alt > amax:
            continue
        px, py, dx, dy, length = _direction(route, k)
        if length <= 0.0:
            continue
        lo, hi = segment_circle(px, py, dx, dy, length, ux, uy, rmax)
        if lo >= hi:
            continue
        t0 = route[_T0 + k]
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


@_jit
def _direction(route, k):
    """Start point, unit direction and length (km) of route leg k."""
    px = route[_X0 + 2 * k]
    py = route[_Y0 + 2 * k]
    qx = route[_X1 + 2 * k]
    qy = route[_Y1 + 2 * k]
    length = math.sqrt((qx - px) * (qx - px) + (qy - py) * (qy - py))
    if length <= 0.0:
        return px, py, 0.0, 0.0, 0.0
    return px, py, (qx - px) / length, (qy - py) / length, length


@_jit
def _segment(route, speed_kms, k):
    """Start point, velocity (km/s) and start time of route leg k."""
    px, py, dx, dy, _ = _direction(route, k)
    return px, py, dx * speed_kms, dy * speed_kms, route[_T0 + k]


@_jit
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
    for k in range(int(route[_NLEGS])):
        a = max(ts, route[_T0 + k])
        b = min(te, route[_T1 + k])
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


@_jit
def intercept_time(route, speed_kms, ux, uy, c_kms, t, ts, te):
    """Earliest s in [max(t, ts), te] with ``|P(s) - U| = c (s - t)``; inf if there is none.

    On each leg this is a quadratic in s, solved in closed form.
    """
    for k in range(int(route[_NLEGS])):
        a = max(ts, route[_T0 + k], t)
        b = min(te, route[_T1 + k])
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


@_jit
def first_entry_time(route, speed_kms, sx, sy, r, alt_min):
    """First time the threat is within ``r`` km of a sensor at altitude >= ``alt_min``; inf if never."""
    for k in range(int(route[_NLEGS])):
        if route[_ALT0 + k] < alt_min:
            continue
        px, py, dx, dy, length = _direction(route, k)
        if length <= 0.0:
            continue
        lo, hi = segment_circle(px, py, dx, dy, length, sx, sy, r)
        if lo < hi or (lo == hi and lo == 0.0):
            return route[_T0 + k] + lo / speed_kms
    return math.inf


@_jit
def position_at(route, t):
    """Threat position (x, y) in km at time t (clamped to the route)."""
    k = leg_at(route, t)
    ta = route[_T0 + k]
    tb = route[_T1 + k]
    if tb <= ta:
        f = 1.0
    else:
        f = (t - ta) / (tb - ta)
        if f < 0.0:
            f = 0.0
        elif f > 1.0:
            f = 1.0
    x = route[_X0 + 2 * k] + f * (route[_X1 + 2 * k] - route[_X0 + 2 * k])
    y = route[_Y0 + 2 * k] + f * (route[_Y1 + 2 * k] - route[_Y0 + 2 * k])
    return x, y


@_jit
def leg_at(route, t):
    """The leg flown at time t: the first leg k with t <= its end time (the last leg after it);
    a time at a waypoint belongs to the leg that ends there."""
    last = int(route[_NLEGS]) - 1
    k = 0
    while k < last and t > route[_T1 + k]:
        k += 1
    return k


@_jit
def route_legs(route, legs):
    """Per-leg geometry of a route into ``legs[k] = (px, py, dx, dy, length)``
    (:func:`_direction`); returns the route's bounding box ``(x_lo, x_hi, y_lo, y_hi)``."""
    nl = int(route[_NLEGS])
    x_lo = x_hi = route[_X0]
    y_lo = y_hi = route[_Y0]
    for k in range(nl):
        px, py, dx, dy, length = _direction(route, k)
        legs[k, 0] = px
        legs[k, 1] = py
        legs[k, 2] = dx
        legs[k, 3] = dy
        legs[k, 4] = length
        qx = route[_X1 + 2 * k]
        qy = route[_Y1 + 2 * k]
        x_lo = min(x_lo, qx)
        x_hi = max(x_hi, qx)
        y_lo = min(y_lo, qy)
        y_hi = max(y_hi, qy)
    return x_lo, x_hi, y_lo, y_hi


@_jit
def route_within(legs, nl, x, y, r2):
    """Does some leg of the route (``legs`` from :func:`route_legs`) pass within sqrt(r2) of
    (x, y)?"""
    for k in range(nl):
        if _dist2_to_segment(x, y, legs[k, 0], legs[k, 1], legs[k, 2], legs[k, 3],
                             legs[k, 4]) <= r2:  # fmt: skip
            return True
    return False


@_jit
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


# ---- the one eligibility rule ------------------------------------------------------------------
@_inline
def kinetic_eligible(p, engage_cost, weighted_cost, value, cost_threshold):
    """Doctrine: may a kinetic unit ever fire at a threat of perceived value ``value`` against
    which one engagement kills with probability ``p``? Only with a positive kill probability,
    an engagement cost within ``cost_threshold`` x value at risk, and a positive marginal gain
    ``value * p - weighted_cost`` (the greedy rule of :mod:`airshield.assign`). The kernel, the
    reference engine and the campaign bridge all use this one rule."""
    if p <= 0.0:
        return False
    if engage_cost > cost_threshold * value:
        return False
    return value * 1.0 * p - weighted_cost > 0.0


@_inline
def ew_eligible(p):
    """Doctrine: an EW unit attempts a threat only if it has an effect on the threat's kind."""
    return p > 0.0


@_inline
def ew_strength(ew_hazard, ew_rate_per_s, u_pk, ew_factor, u, kind):
    """What an EW unit does to a threat of true kind ``kind`` with EW factor ``ew_factor``
    (1 - resistance): the loss hazard per second (hazard model) or the loss probability of one
    attempt (attempt model). Zero: no effect (no window is needed)."""
    if ew_hazard[u]:
        return ew_rate_per_s[u, kind] * ew_factor
    return u_pk[u, kind] * ew_factor


@_jit
def pk_at(npts, rf, val, flat, x):
    """Single-shot kill probability at normalised intercept range ``x`` on a tabulated curve
    (``npts`` points ``rf`` / ``val``): linear between points, flat beyond the ends; ``flat``
    when the curve has no points."""
    if npts == 0:
        return flat
    if x <= rf[0]:
        return val[0]
    for q in range(1, npts):
        if x <= rf[q]:
            f = (x - rf[q - 1]) / (rf[q] - rf[q - 1])
            return val[q - 1] + (val[q] - val[q - 1]) * f
    return val[npts - 1]


@_jit
def intercept_range_fraction(route, t_hit, ux, uy, range_max_km):
    """Distance from the unit to the intercept point (the threat's position at ``t_hit``) as a
    fraction of the unit's maximum range."""
    x, y = position_at(route, t_hit)
    return math.sqrt((x - ux) * (x - ux) + (y - uy) * (y - uy)) / range_max_km


@_inline
def c2_delay_s(kind, lo, mode, hi, u):
    """The cue -> launch delay for uniform ``u`` (inverse CDF): DelayKind 1 fixed (``mode``),
    2 uniform on [lo, hi], 3 triangular (lo, mode, hi); 0: no delay."""
    if kind == 0:
        return 0.0
    if kind == 1:
        return mode
    if kind == 2:
        return lo + u * (hi - lo)
    span = hi - lo
    if span <= 0.0:
        return lo
    if u * span < mode - lo:
        return lo + math.sqrt(u * span * (mode - lo))
    return hi - math.sqrt((1.0 - u) * span * (hi - mode))


@_inline
def launch_open(w_unit, w_start, w_end, w0, w1, u, t, tl):
    """Has unit u an open launch window on the threat (its windows w0..w1) at t that is still
    open at the launch time tl >= t?"""
    for q in range(w0, w1):
        if w_unit[q] == u and w_start[q] <= t and w_end[q] >= tl:
            return True
    return False


@_inline
def pair_can_engage(units, doctrine, u, kind, pkind, value, recognised, t_track, physics, j):
    """False for pairs that no decision epoch could ever assign (so they need no window):
    EW without effect on the threat's true kind; kinetic against a recognised decoy or a
    never-tracked threat, or failing :func:`kinetic_eligible` on the perceived kind."""
    if units.kind[u] == K_EW:
        return ew_eligible(
            ew_strength(physics.ew_hazard, physics.ew_rate_per_s, units.pk,
                        physics.th_ew_factor[j], u, kind)
        )  # fmt: skip
    if recognised or t_track == math.inf:
        return False
    return kinetic_eligible(
        units.peff[u, pkind], units.engage_cost_usd[u], units.weighted_cost[u], value,
        doctrine.cost_threshold,
    )  # fmt: skip


# ---- phase 1: engagement windows ---------------------------------------------------------------
@_inline
def _envelope_from_legs(route, legs, nl, speed_kms, ux, uy, rmin, rmax, amin, amax, out):
    """:func:`envelope_windows` on the route's leg geometry ``legs[:nl]`` from
    :func:`route_legs` (the same numbers as :func:`_direction` gives, computed once per threat
    instead of once per unit), with the interval merge of :func:`_push_interval` written in:
    the same operations in the same order, so the same windows bit for bit."""
    n = np.int64(0)  # not the literal 0: numba would compile clip_to_ready for it too
    cap = out.shape[0]
    for k in range(nl):
        alt = route[_ALT0 + k]
        if alt < amin or alt > amax:
            continue
        length = legs[k, 4]
        if length <= 0.0:
            continue
        px = legs[k, 0]
        py = legs[k, 1]
        dx = legs[k, 2]
        dy = legs[k, 3]
        lo, hi = segment_circle(px, py, dx, dy, length, ux, uy, rmax)
        if lo >= hi:
            continue
        t0 = route[_T0 + k]
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
                ts = t0 + a / speed_kms
                te = t0 + b / speed_kms
                if n > 0 and ts <= out[n - 1, 1] + 1e-9:
                    if te > out[n - 1, 1]:
                        out[n - 1, 1] = te
                elif n < cap:
                    out[n, 0] = ts
                    out[n, 1] = te
                    n += 1
    return n


@_inline
def _launch_from_legs(route, legs, nl, speed_kms, ux, uy, c_kms, ts, te):
    """:func:`launch_window` on the route's leg geometry ``legs[:nl]`` from :func:`route_legs`
    (the velocity of :func:`_segment` is ``legs[k, 2:4] * speed_kms``, the same product), so
    the same launch window bit for bit without a square root and two divisions per leg."""
    if c_kms <= 0.0:
        return 1.0, 0.0
    lo_phi = math.inf
    hi_phi = -math.inf
    for k in range(nl):
        a = max(ts, route[_T0 + k])
        b = min(te, route[_T1 + k])
        if b < a:
            continue
        px = legs[k, 0]
        py = legs[k, 1]
        vx = legs[k, 2] * speed_kms
        vy = legs[k, 3] * speed_kms
        t0 = route[_T0 + k]
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
            x0 = (ex * vx + ey * vy) / w
            h = abs(ex * vy - ey * vx) / w
            xs = c_kms * h / math.sqrt(w2 - c_kms * c_kms)
            sv = a + (xs - x0) / w
            if a < sv < b:
                ex = px + vx * (sv - t0) - ux
                ey = py + vy * (sv - t0) - uy
                hi_phi = max(hi_phi, sv - math.sqrt(ex * ex + ey * ey) / c_kms)
    return lo_phi, hi_phi


@_jit
def compute_windows(units, doctrine, night, w, physics):
    """All windows of a replication into the buffers ``w`` (:class:`Windows`), threat by threat,
    then unit, then time. Returns how many, or -1 when the buffers might overflow (the caller
    grows them and calls again): before each threat the free rows are checked against the
    bound of :data:`WINDOWS_PER_PAIR_BOUND` windows per unit, so the inner loops never branch
    on capacity.

    For EW units a window is the time inside the envelope; for kinetic units [start, end] are
    the launch times whose intercept falls inside the envelope window (:func:`launch_window`,
    on the leg geometry computed once per threat: :func:`_launch_from_legs`).
    A branch-free reach-box cut per threat and an exact closest-approach test skip pairs that
    can never meet, and :func:`pair_can_engage` pairs that could never be assigned, so the cost
    grows with the pairs that can actually engage.
    """
    routes = night.routes
    n = routes.shape[0]
    nu = units.x.shape[0]
    cap = w.unit.shape[0]
    env = np.empty((MAX_WINDOWS_PER_PAIR, 2), np.float64)
    legs = np.empty((MAX_LEGS, 5), np.float64)
    # the structures unpacked once (field access in the pair loop would touch reference counts)
    ux = night.unit_x  # this night's positions (mobile groups move; others are units.x)
    uy = night.unit_y
    uready = night.unit_ready
    umobile = units.mobiles.is_mobile
    urmin = units.range_min_km
    urmax = physics.fire_range_km  # kinetic: the firing range; EW: the field
    uamin = units.alt_min_km
    uamax = units.alt_max_km
    uspeed = units.speed_kms
    ukind = units.kind
    upk = units.pk
    upeff = units.peff
    uengcost = units.engage_cost_usd
    ucwcost = units.weighted_cost
    threshold = doctrine.cost_threshold
    ew_hazard = physics.ew_hazard
    ew_rate = physics.ew_rate_per_s
    th_ew_factor = physics.th_ew_factor
    w_unit = w.unit
    w_threat = w.threat
    w_start = w.start
    w_end = w.end
    w_es = w.env_start
    w_ee = w.env_end
    # each unit's reach as a box, for a branch-free first cut per threat (units whose box misses
    # the route's bounding box are never looked at again)
    reach = np.empty((4, nu), np.float64)
    for u in range(nu):
        reach[0, u] = ux[u] - urmax[u]
        reach[1, u] = ux[u] + urmax[u]
        reach[2, u] = uy[u] - urmax[u]
        reach[3, u] = uy[u] + urmax[u]
    near = np.empty(nu, np.int64)
    m = 0
    for j in range(n):
        if m + WINDOWS_PER_PAIR_BOUND * nu > cap:
            return -1
        r = routes[j]
        # per-threat leg geometry, for an exact closest-approach test per unit, and the
        # bounding box of the route, for a cheap rejection before the exact test
        nl = int(r[_NLEGS])
        bx_lo, bx_hi, by_lo, by_hi = route_legs(r, legs)
        kind = night.kind[j]
        pkind = night.pkind[j]
        value = night.value[j]
        # kinetic units never engage a recognised decoy or a never-tracked threat
        kinetic_ok = not night.recognised[j] and night.t_track[j] != math.inf
        speed = night.speed[j]
        # the units whose reach box meets the route's bounding box, in index order (a box miss
        # implies the exact test below fails too); no branch, so no mispredicted jumps
        k_near = 0
        for u in range(nu):
            near[k_near] = u
            k_near += (
                (reach[1, u] >= bx_lo) & (reach[0, u] <= bx_hi) & (reach[3, u] >= by_lo)
                & (reach[2, u] <= by_hi)
            )  # fmt: skip
        for q_near in range(k_near):
            u = near[q_near]
            rr = urmax[u]
            # pair_can_engage, on the unpacked arrays (before the exact geometry: cheaper)
            is_ew = ukind[u] == K_EW
            if is_ew:
                if not ew_eligible(ew_strength(ew_hazard, ew_rate, upk, th_ew_factor[j], u, kind)):
                    continue
            elif not (
                kinetic_ok
                and kinetic_eligible(upeff[u, pkind], uengcost[u], ucwcost[u], value, threshold)
            ):
                continue
            if not route_within(legs, nl, ux[u], uy[u], rr * rr):
                continue
            k = _envelope_from_legs(r, legs, nl, speed, ux[u], uy[u], urmin[u], rr, uamin[u],
                                    uamax[u], env)  # fmt: skip
            if umobile[u]:
                k = clip_to_ready(env, k, uready[u])
            for q in range(k):
                if is_ew:
                    ls = env[q, 0]
                    le = env[q, 1]
                else:
                    ls, le = _launch_from_legs(r, legs, nl, speed, ux[u], uy[u], uspeed[u],
                                               env[q, 0], env[q, 1])  # fmt: skip
                    if le < ls:
                        continue
                w_unit[m] = u
                w_threat[m] = j
                w_start[m] = ls
                w_end[m] = le
                w_es[m] = env[q, 0]
                w_ee[m] = env[q, 1]
                m += 1
    return m


@_jit
def new_windows(cap):
    """Empty window buffers of ``cap`` rows."""
    return Windows(
        np.empty(cap, np.int64), np.empty(cap, np.int64), np.empty(cap, np.float64),
        np.empty(cap, np.float64), np.empty(cap, np.float64), np.empty(cap, np.float64),
    )  # fmt: skip


@_jit
def windows_of(units, doctrine, night, w, physics):
    """:func:`compute_windows` into ``w``, grown (doubling) until they fit; returns the buffers
    (possibly new) and the count."""
    while True:
        m = compute_windows(units, doctrine, night, w, physics)
        if m >= 0:
            return w, m
        w = new_windows(2 * w.unit.shape[0] + WINDOWS_PER_PAIR_BOUND * units.x.shape[0])


@_inline
def pair_intercept(route, speed_kms, ux, uy, c_kms, w_unit, w_start, w_end, w_es, w_ee, w0,
                   w1, u, t, t_dec):  # fmt: skip
    """Earliest intercept time of unit u (at ``ux``, ``uy``, interceptor speed ``c_kms``) on the
    threat flying ``route`` at ``speed_kms`` launched at t, over the pair's launch windows open
    at the decision time ``t_dec <= t`` and at t (indices w0..w1 of the threat's windows).

    Plain arrays and scalars only, the route row made by the caller: a view or a structure field
    made here would be released here, which keeps numba's reference-count pruning from removing
    the per-call increments of the other arguments."""
    best = math.inf
    for q in range(w0, w1):
        if w_unit[q] == u and w_start[q] <= t_dec and t <= w_end[q]:
            s = intercept_time(route, speed_kms, ux, uy, c_kms, t, w_es[q], w_ee[q])
            best = min(best, s)
    return best


# ---- drawing a replication ---------------------------------------------------------------------
@_jit
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
                te = routes[j, _T0]
            else:
                te = first_entry_time(routes[j], th_speed[j], s_x[s], s_y[s], s_r[s], s_amin[s])
            if te < t_track[j]:
                t_track[j] = te
                s_idx[j] = s
    return t_track, s_idx


# ---- the cheap layer and sensing v2 (rules: docs/raid-model.md) ------------------------------
@_inline
def hunt_factor(acquire_km, ratio_min, ratio_full, condition, c_kms, w_kms, sigma_km):
    """Multiplier on an interceptor drone's single-shot kill probability in a hunt: the cue
    factor (chance the target is inside the acquisition radius R of the cue point, with a
    circular normal position error of ``sigma_km`` per axis: ``1 - exp(-R^2 / (2 sigma^2))``)
    x the speed factor (0 at or below ``ratio_min``, 1 from ``ratio_full``, linear in between,
    in interceptor / threat speed) x the conditions factor. Exactly 1.0 with a perfect cue, a
    fast enough interceptor and clear conditions."""
    f = condition
    if sigma_km * 40.0 > acquire_km:  # beyond R = 40 sigma the factor is 1.0 in doubles
        x = acquire_km / sigma_km
        f = f * -math.expm1(-0.5 * x * x)
    ratio = c_kms / w_kms if w_kms > 0.0 else math.inf
    if ratio < ratio_full:
        if ratio <= ratio_min:
            return 0.0
        f = f * ((ratio - ratio_min) / (ratio_full - ratio_min))
    return f


@_inline
def degraded_peff(p1, f, s, peff):
    """Kill probability of an engagement of ``s`` rounds of single-shot ``p1`` degraded by the
    factor ``f``; the compiled ``peff`` itself when ``f == 1`` (so a perfect hunt is exactly the
    v1 number). The product is a loop of multiplications, the same in numba and Python."""
    if f == 1.0:
        return peff
    q = 1.0
    pf = p1 * f
    for _ in range(s):
        q = q * (1.0 - pf)
    return 1.0 - q


@_jit
def unit_hunt_factor(teams, speed_kms, u, w_kms, sigma_km):
    """:func:`hunt_factor` of team unit u against a threat at ``w_kms`` cued with ``sigma_km``;
    1.0 for units that are not team groups."""
    if not teams.is_team[u]:
        return 1.0
    return hunt_factor(teams.acquire_km[u], teams.ratio_min[u], teams.ratio_full[u],
                       teams.condition[u], speed_kms[u], w_kms, sigma_km)  # fmt: skip


@_jit
def horizon_km(antenna_m, alt_km):
    """4/3-earth radar horizon (km) of an antenna ``antenna_m`` high for a target at ``alt_km``."""
    return 4.12 * (math.sqrt(antenna_m) + math.sqrt(max(alt_km, 0.0) * 1000.0))


@_jit
def coverage_interval(route, speed_kms, sx, sy, r, alt_min, antenna_m):
    """(first entry, last time inside) of a threat in a radar's coverage: the range circle, cut
    to the radar horizon of each leg's altitude when ``antenna_m > 0``, legs below
    ``alt_min`` unseen. (inf, -inf) if never inside."""
    first = math.inf
    last = -math.inf
    for k in range(int(route[_NLEGS])):
        alt = route[_ALT0 + k]
        if alt < alt_min:
            continue
        rk = r
        if antenna_m > 0.0:
            rk = min(r, horizon_km(antenna_m, alt))
        px, py, dx, dy, length = _direction(route, k)
        if length <= 0.0:
            continue
        lo, hi = segment_circle(px, py, dx, dy, length, sx, sy, rk)
        if lo < hi or (lo == hi and lo == 0.0):
            first = min(first, route[_T0 + k] + lo / speed_kms)
            last = max(last, route[_T0 + k] + hi / speed_kms)
    return first, min(last, route[_TI])


@_jit
def sensor_tracks(routes, th_speed, s_x, s_y, s_r, s_amin, s_pdet, s_cover, tracks, u_sense):
    """Sensing v2: per threat the time of its first firm track (inf if never) and the sensor
    that holds it. A sensor detects a threat with ``p_detect`` (the same draw as v1) when it
    enters coverage; the track is firm ``firm_s`` later if the threat is still in coverage then.
    A sensor with a track capacity holds at most that many tracks at once, first come first
    served in order of entry (ties: threat index): a threat entering a full sensor waits for
    the earliest slot to free, and each track holds its slot until the threat last leaves
    coverage (or reaches its aim point). Coverage sensors track from launch to impact."""
    n = routes.shape[0]
    ns = s_x.shape[0]
    t_track = np.full(n, np.inf)
    s_idx = np.full(n, -1, np.int64)
    ent = np.empty(n, np.float64)
    rel = np.empty(n, np.float64)
    idx = np.empty(n, np.int64)
    for s in range(ns):
        cnt = np.int64(0)  # not the literal 0: numba would compile stable_time_order for it too
        for j in range(n):
            if u_sense[j, s] >= s_pdet[s]:
                continue
            if s_cover[s]:
                a = routes[j, _T0]
                b = routes[j, _TI]
            else:
                a, b = coverage_interval(routes[j], th_speed[j], s_x[s], s_y[s], s_r[s],
                                         s_amin[s], tracks.antenna_m[s])  # fmt: skip
            if a == math.inf:
                continue
            ent[cnt] = a
            rel[cnt] = b
            idx[cnt] = j
            cnt += 1
        firm = tracks.firm_s[s]
        cap = tracks.capacity[s]
        if cap < 0:
            for q in range(cnt):
                tf = ent[q] + firm
                if tf <= rel[q]:
                    j = idx[q]
                    if tf < t_track[j]:
                        t_track[j] = tf
                        s_idx[j] = s
            continue
        order = _stable_argsort(ent, cnt)
        slots = np.full(cap, -np.inf)
        for q in range(cnt):
            i = order[q]
            k = 0
            for x in range(1, cap):
                if slots[x] < slots[k]:
                    k = x
            start = max(ent[i], slots[k])
            tf = start + firm
            if tf > rel[i]:
                continue  # gone before a slot freed or the track became firm
            slots[k] = rel[i]
            j = idx[i]
            if tf < t_track[j]:
                t_track[j] = tf
                s_idx[j] = s
    return t_track, s_idx


@_jit
def sense(routes, th_speed, s_x, s_y, s_r, s_amin, s_pdet, s_cover, tracks, u_sense):
    """Tracks of a replication: :func:`sensor_tracks` when sensing v2 is on, else the binary
    detection of :func:`track_times` (v1, unchanged)."""
    if tracks.v2:
        return sensor_tracks(routes, th_speed, s_x, s_y, s_r, s_amin, s_pdet, s_cover, tracks,
                             u_sense)  # fmt: skip
    return track_times(routes, th_speed, s_x, s_y, s_r, s_amin, s_pdet, s_cover, u_sense)


@_jit
def cue_errors(tracks, s_idx, out):
    """Per threat: the position error of the sensor whose track cues it (0 if untracked)."""
    for j in range(s_idx.shape[0]):
        out[j] = tracks.pos_err_km[s_idx[j]] if s_idx[j] >= 0 else 0.0


@_jit
def dispatch_mobiles(units, routes, speed, pkind, t_track, recognised, ux, uy, uready):
    """Where each unit stands this night and from when it may engage (into ``ux``, ``uy``,
    ``uready``). Static units: their position, from -inf. Mobile groups wait at their base
    (never engaging there) and are dispatched once: tracks in order of firm-track time (ties:
    threat index), each to the first free group (index order) that can engage its perceived
    kind and reach a point of its route in time, that is the earliest s with
    ``|P(s) - base| = c (s - t_track - reaction - setup)`` (c: road speed / road factor,
    :func:`intercept_time`), at an altitude inside the group's band and within
    ``dispatch_km`` of its base. The group stands at P(s) and may engage from s on."""
    nu = units.x.shape[0]
    mob = units.mobiles
    for u in range(nu):
        ux[u] = units.x[u]
        uy[u] = units.y[u]
        uready[u] = math.inf if mob.is_mobile[u] else -math.inf
    if not mob.any_mobile:
        return
    n = routes.shape[0]
    left = 0
    for u in range(nu):
        if mob.is_mobile[u]:
            left += 1
    order = _stable_argsort(t_track, n)
    for q in range(n):
        if left == 0:
            break
        j = order[q]
        if t_track[j] == math.inf:
            break
        if recognised[j]:
            continue
        for u in range(nu):
            if not mob.is_mobile[u] or uready[u] != math.inf or units.pk[u, pkind[j]] <= 0.0:
                continue
            t_go = t_track[j] + mob.reaction_s[u] + mob.setup_s[u]
            sv = intercept_time(routes[j], speed[j], units.x[u], units.y[u], mob.road_kms[u],
                                t_go, t_track[j], routes[j, _TI])  # fmt: skip
            if sv == math.inf:
                continue
            alt = routes[j, _ALT0 + leg_at(routes[j], sv)]
            if alt < units.alt_min_km[u] or alt > units.alt_max_km[u]:
                continue
            px, py = position_at(routes[j], sv)
            ddx = px - units.x[u]
            ddy = py - units.y[u]
            if math.sqrt(ddx * ddx + ddy * ddy) > mob.dispatch_km[u]:
                continue
            ux[u] = px
            uy[u] = py
            uready[u] = sv
            left -= 1
            break


@_jit
def clip_to_ready(env, k, ready):
    """Cut the envelope windows ``env[:k]`` of a mobile group to start at its arrival
    ``ready``; returns how many remain (compacted to the front)."""
    m = 0
    for q in range(k):
        a = max(env[q, 0], ready)
        b = env[q, 1]
        if b > a:
            env[m, 0] = a
            env[m, 1] = b
            m += 1
    return m


def draw_layout(n: int, n_sensors: int, doctrine: Doctrine) -> tuple[int, int, int]:
    """Sizes of one replication's three blocks of draws, in the fixed draw order:
    uniforms ``[launch n | target n]``, normals ``[route jitter n]``, uniforms ``[aim (n, 2) |
    altitude n | sensing (n, sensors) | recognition n | shots (n, max_shots + max_ew)]``.
    Consecutive ``Generator.random`` calls draw consecutive doubles, so one call per block
    gives exactly the numbers of separate calls."""
    return 2 * n, n, n * (4 + n_sensors + doctrine.max_shots + doctrine.max_ew)


@_jit
def draw_into(scene, doctrine, u1, z, u2, cos_a, sin_a, routes, target, speed, kind, pkind,
              value, recognised):  # fmt: skip
    """One replication's routes and perception from its draws (``cos_a``/``sin_a``: cosine and
    sine of the aim angles, computed by numpy, as :func:`airshield.raid.compile.draw_night`
    does). Returns the uniforms of the shots (a view into ``u2``), the tracking times and the
    tracking sensor per threat.
    The arithmetic is that of ``draw_night`` operation for operation, so the results are
    bit-identical."""
    n = scene.th_type.shape[0]
    na = scene.a_x.shape[0]
    ns = scene.s_x.shape[0]
    o_alt = 2 * n
    o_sense = 3 * n
    o_disc = o_sense + n * ns
    o_shot = o_disc + n
    # the structure unpacked once (field access in loops would touch reference counts)
    a_radius = scene.a_radius
    a_value = scene.a_value
    a_x = scene.a_x
    a_y = scene.a_y
    th_type = scene.th_type
    th_wave = scene.th_wave
    tt_alt_dist = scene.tt_alt_dist
    tt_alt_knots = scene.tt_alt_knots
    tt_alt_max = scene.tt_alt_max
    tt_alt_min = scene.tt_alt_min
    tt_kind = scene.tt_kind
    tt_lethality = scene.tt_lethality
    tt_mid_alt = scene.tt_mid_alt
    tt_perceived = scene.tt_perceived
    tt_speed_kms = scene.tt_speed_kms
    tt_terminal_km = scene.tt_terminal_km
    wv_jitter = scene.wv_jitter
    wv_t0 = scene.wv_t0
    wv_t1 = scene.wv_t1
    wv_target_cdf = scene.wv_target_cdf
    wv_x = scene.wv_x
    wv_y = scene.wv_y
    wv_nvia = scene.wv_nvia
    wv_via_x = scene.wv_via_x
    wv_via_y = scene.wv_via_y
    for j in range(n):
        tt = th_type[j]
        wv = th_wave[j]
        t0 = wv_t0[wv] + u1[j] * (wv_t1[wv] - wv_t0[wv])
        cnt = 0
        for a in range(na):
            if u1[n + j] >= wv_target_cdf[wv, a]:
                cnt += 1
        tg = min(cnt, na - 1)
        target[j] = tg
        r_aim = a_radius[tg] * np.sqrt(u2[2 * j])
        x2 = a_x[tg] + r_aim * cos_a[j]
        y2 = a_y[tg] + r_aim * sin_a[j]
        nv = wv_nvia[wv]
        # the final approach starts at the last waypoint (the launch point without any)
        if nv > 0:
            x0 = wv_via_x[wv, nv - 1]
            y0 = wv_via_y[wv, nv - 1]
        else:
            x0 = wv_x[wv]
            y0 = wv_y[wv]
        dx = x2 - x0
        dy = y2 - y0
        dist = np.hypot(dx, dy)
        safe = dist if dist > 0 else 1.0
        ex = dx / safe
        ey = dy / safe
        k = tt_kind[tt]
        u_alt = u2[o_alt + j]
        if tt_alt_dist[tt]:
            s4 = u_alt * 4.0
            seg = min(int(s4), 3)
            frac = s4 - seg
            lo = tt_alt_knots[tt, seg]
            alt = lo + frac * (tt_alt_knots[tt, seg + 1] - lo)
        else:
            alt = tt_alt_min[tt] + u_alt * (tt_alt_max[tt] - tt_alt_min[tt])
        if k == BALLISTIC:
            term = min(tt_terminal_km[tt], dist)
            x1 = x2 - ex * term
            y1 = y2 - ey * term
            alt0 = tt_mid_alt[tt]
        else:
            lateral = z[j] * wv_jitter[wv]
            x1 = 0.5 * (x0 + x2) - ey * lateral
            y1 = 0.5 * (y0 + y2) + ex * lateral
            alt0 = alt
        sp = tt_speed_kms[tt]
        # points: launch, the waypoints, the approach waypoint (x1, y1), the aim point; every
        # leg but the last at alt0; times accumulate leg by leg
        r = routes[j]
        r[_X0] = wv_x[wv]
        r[_Y0] = wv_y[wv]
        r[_T0] = t0
        for q in range(nv):
            r[_X1 + 2 * q] = wv_via_x[wv, q]
            r[_Y1 + 2 * q] = wv_via_y[wv, q]
        r[_X1 + 2 * nv] = x1
        r[_Y1 + 2 * nv] = y1
        r[_X1 + 2 * nv + 2] = x2
        r[_Y1 + 2 * nv + 2] = y2
        nl = nv + 2
        for q in range(nl):
            px = r[_X0 + 2 * q]
            py = r[_Y0 + 2 * q]
            r[_T1 + q] = r[_T0 + q] + np.hypot(r[_X1 + 2 * q] - px, r[_Y1 + 2 * q] - py) / sp
            r[_ALT0 + q] = alt0
        r[_ALT0 + nl - 1] = alt
        for q in range(nl + 1, MAX_LEGS + 1):  # unused points and legs: 0, as draw_night
            r[_X0 + 2 * q] = 0.0
            r[_Y0 + 2 * q] = 0.0
            r[_T0 + q] = 0.0
            r[_ALT0 + q - 1] = 0.0
        r[_NLEGS] = nl
        r[_TI] = r[_T0 + nl]
        speed[j] = sp
        kind[j] = k
        pt = tt_perceived[tt]
        pkind[j] = tt_kind[pt]
        value[j] = a_value[tg] * tt_lethality[pt]
    u_sense = u2[o_sense:o_disc].reshape((n, ns))
    t_track, s_idx = sense(routes, speed, scene.s_x, scene.s_y, scene.s_r, scene.s_amin,
                           scene.s_pdet, scene.s_cover, scene.tracks, u_sense)  # fmt: skip
    for j in range(n):
        p_disc = scene.s_pdisc[s_idx[j]] if s_idx[j] >= 0 else 0.0
        recognised[j] = kind[j] == DECOY and s_idx[j] >= 0 and u2[o_disc + j] < p_disc
    u_shot = u2[o_shot:].reshape((n, doctrine.max_shots + doctrine.max_ew))
    return u_shot, t_track, s_idx


def extra_layout(n: int, physics: Physics, doctrine: Doctrine) -> tuple[int, int]:
    """Sizes of one replication's draws for the rules of :class:`Physics`, drawn after the
    three blocks of :func:`draw_layout`: uniforms ``[C2 delays (n, n_c2) | harmful falls n]``
    (each part empty when its rule is off), and the EW exponentials per threat (``max_ew``
    with the hazard model, else 0), computed from the EW uniforms by :func:`ew_exponentials`."""
    k3 = n * physics.n_c2 + (n if physics.lost_harm_share > 0.0 else 0)
    return k3, doctrine.max_ew if physics.any_hazard else 0


def ew_exponentials(u_ew: F) -> F:
    """Standard exponential variates ``-log(1 - u)`` of the EW uniforms (numpy's ``log1p``,
    used by both engines, so every loss time is the same float)."""
    return -np.log1p(-np.ascontiguousarray(u_ew, dtype=np.float64))


# ---- phase 2: event order ----------------------------------------------------------------------
@_jit
def stable_time_order(t_bits, n, order, keys, tmp):
    """``order[:n]`` = the indices of the first n times sorted by time, ties in index order:
    exactly ``np.argsort(t[:n], kind="stable")``, by a least-significant-digit radix sort on the
    bits of the doubles (``t_bits``: the times viewed as uint64), 8-bit digits, skipping digits
    that are the same for every key. ``keys`` and ``tmp`` are scratch of at least n elements.
    Times are finite or +inf, never NaN; -0.0 sorts as +0.0 (they compare equal)."""
    sign = np.uint64(1) << np.uint64(63)
    all_or = np.uint64(0)
    all_and = ~np.uint64(0)
    for i in range(n):
        k = t_bits[i]
        if k == sign:  # -0.0
            k = np.uint64(0)
        if k & sign:
            k = ~k
        else:
            k = k | sign
        keys[i] = k
        all_or |= k
        all_and &= k
        order[i] = i
    varying = all_or ^ all_and
    cnt = np.zeros(256, np.int64)
    in_order = True  # where the current permutation lives: order (True) or tmp
    byte = np.uint64(0xFF)
    for d in range(8):
        shift = np.uint64(8 * d)
        if ((varying >> shift) & byte) == np.uint64(0):
            continue
        src = order if in_order else tmp
        dst = tmp if in_order else order
        for c in range(256):  # (loops, not slice assignments: those compile numba's shape
            cnt[c] = 0  # mismatch error path, seconds of compile time for nothing)
        for i in range(n):
            cnt[np.int64((keys[src[i]] >> shift) & byte)] += 1
        tot = 0
        for c in range(256):
            x = cnt[c]
            cnt[c] = tot
            tot += x
        for i in range(n):
            q = src[i]
            dig = np.int64((keys[q] >> shift) & byte)
            dst[cnt[dig]] = q
            cnt[dig] += 1
        in_order = not in_order
    if not in_order:
        for i in range(n):
            order[i] = tmp[i]


@_inline
def _stable_argsort(t, n):
    """``np.argsort(t[:n], kind="stable")`` for a contiguous float64 ``t`` that holds no NaN, by
    :func:`stable_time_order` (which the event order compiles anyway: numpy's mergesort would
    cost over a second more of compilation)."""
    order = np.empty(n, np.int64)
    stable_time_order(t.view(np.uint64), n, order, np.empty(n, np.uint64), np.empty(n, np.int64))
    return order


@_jit
def time_order(t, t_bits, n, order, t_sorted, bucket, cnt, keys, tmp):
    """``order[:n]`` = exactly ``np.argsort(t[:n], kind="stable")`` and ``t_sorted[:n]`` =
    ``t[order[:n]]``, by a bucket sort: each time goes to one of ``n`` equal-width buckets
    between the smallest and the largest finite time (-inf to the first, +inf to the last),
    the buckets are laid out in order with their times in index order, and an insertion sort
    (strict comparisons, so ties keep index order) finishes what is out of order inside a
    bucket. The bucket is a non-decreasing function of the time (rounded subtraction,
    multiplication and truncation are monotone), so equal times share a bucket and no time
    passes one of an earlier bucket. When the buckets are too uneven for the insertion sort
    (its work, the sum of squared bucket sizes, above ``8 n + 4096``) or the span of the times
    overflows, the radix sort :func:`stable_time_order` gives the same order. Scratch:
    ``bucket`` and ``keys``/``tmp`` of at least n elements, ``cnt`` of n + 1; ``t_bits``: ``t``
    viewed as uint64. Times are never NaN. Returns True when the radix sort ran."""
    lo = math.inf
    hi = -math.inf
    for i in range(n):
        x = t[i]
        if x != math.inf and x != -math.inf:
            lo = min(lo, x)
            hi = max(hi, x)
    nb = max(1, n)
    span = hi - lo
    radix = span == math.inf
    scale = 0.0
    if span > 0.0 and not radix:
        scale = nb / span
        if scale == math.inf:  # a subnormal span: one bucket (the work test decides)
            scale = 0.0
    top = float(nb - 1)
    if not radix:
        for b in range(nb + 1):
            cnt[b] = 0
        for i in range(n):
            x = t[i]
            if x == -math.inf:
                b = 0
            elif x == math.inf:
                b = nb - 1
            else:
                f = (x - lo) * scale  # in [0, nb] (finite: x - lo <= span)
                b = nb - 1 if f >= top else int(f)
            bucket[i] = b
            cnt[b + 1] += 1
        work = 0
        for b in range(nb):  # cnt[b]: first slot of bucket b
            c = cnt[b + 1]
            work += c * c
            cnt[b + 1] += cnt[b]
        radix = work > 8 * n + 4096
    if radix:
        stable_time_order(t_bits, n, order, keys, tmp)
        for i in range(n):
            t_sorted[i] = t[order[i]]
        return True
    for i in range(n):
        b = bucket[i]
        p = cnt[b]
        order[p] = i
        t_sorted[p] = t[i]
        cnt[b] = p + 1
    for i in range(1, n):
        x = t_sorted[i]
        if t_sorted[i - 1] <= x:
            continue
        o = order[i]
        r = i
        while r > 0 and t_sorted[r - 1] > x:
            t_sorted[r] = t_sorted[r - 1]
            order[r] = order[r - 1]
            r -= 1
        t_sorted[r] = x
        order[r] = o
    return False


# dynamic events: a binary heap of (time, key) in two arrays; hp[0] holds its size
@_inline
def _heap_less(ht, hk, a, b):
    return ht[a] < ht[b] or (ht[a] == ht[b] and hk[a] < hk[b])


@_inline
def _heap_push(ht, hk, hsize, t, key):
    i = hsize
    if KERNEL_DEBUG:
        assert i < ht.shape[0], "dynamic event heap overflow"
    ht[i] = t
    hk[i] = key
    while i > 0:
        p = (i - 1) >> 1
        if _heap_less(ht, hk, i, p):
            ht[i], ht[p] = ht[p], ht[i]
            hk[i], hk[p] = hk[p], hk[i]
            i = p
        else:
            break
    return hsize + 1


@_inline
def _heap_pop(ht, hk, hsize):
    """Remove the smallest entry; returns the new size (the entry was at index 0)."""
    hsize -= 1
    ht[0] = ht[hsize]
    hk[0] = hk[hsize]
    i = 0
    while True:
        lft = 2 * i + 1
        if lft >= hsize:
            break
        c = lft
        if lft + 1 < hsize and _heap_less(ht, hk, lft + 1, lft):
            c = lft + 1
        if _heap_less(ht, hk, c, i):
            ht[i], ht[c] = ht[c], ht[i]
            hk[i], hk[c] = hk[c], hk[i]
            i = c
        else:
            break
    return hsize


class Scratch(NamedTuple):
    """Memory of one night, reused across the replications of a batch (sizes: see
    :func:`new_scratch`)."""

    ev: I  #: (events, 4) payload: type, unit, threat, extra
    st_t: F  #: static event times
    st_t_bits: NDArray[np.uint64]  #: the same memory viewed as uint64
    st_order: I
    st_sorted: F  #: static event times in time order
    st_bucket: I
    st_cnt: I  #: (static events + 1)
    st_keys: NDArray[np.uint64]
    st_tmp: I
    heap_t: F
    heap_k: I
    cand_g: F
    cand_j: I
    cand_u: I
    pair_u: I
    pair_j: I
    order: I
    new_w: I
    act: I


@_jit
def new_scratch(n, nu, m, n_dyn):
    """Scratch for ``n`` threats, ``nu`` units, ``m`` windows, ``n_dyn`` dynamic events."""
    n_static = 2 * n + m
    c = max(1, m)
    st_t = np.empty(max(1, n_static), np.float64)
    ns = max(1, n_static)
    return Scratch(
        np.empty((n_static + n_dyn, 4), np.int64), st_t, st_t.view(np.uint64),
        np.empty(ns, np.int64), np.empty(ns, np.float64), np.empty(ns, np.int64),
        np.empty(ns + 1, np.int64), np.empty(ns, np.uint64),
        np.empty(ns, np.int64), np.empty(max(1, n_dyn), np.float64),
        np.empty(max(1, n_dyn), np.int64), np.empty(c, np.float64), np.empty(c, np.int64),
        np.empty(c, np.int64), np.empty(c, np.int64), np.empty(c, np.int64),
        np.empty(c, np.int64), np.empty(c, np.int64), np.empty(c, np.int64),
    )  # fmt: skip


@_jit
def scratch_fits(sc, n, m, n_dyn):
    return (
        sc.ev.shape[0] >= 2 * n + m + n_dyn
        and sc.st_t.shape[0] >= 2 * n + m
        and (sc.heap_t.shape[0] >= n_dyn and sc.cand_g.shape[0] >= m)
    )


@_inline
def _mark(dirty, lst, k, x):
    """Add x to the list ``lst[:k]`` of changed units (or threats) once; returns the new k."""
    if dirty[x]:
        return k
    dirty[x] = True
    lst[k] = x
    return k + 1


@_inline
def _push(ev, ht, hk, hsize, seq, t, etype, u, j, c):
    """Queue a dynamic event: the heap holds (time, priority << SEQ_BITS | seq); the payload
    lives in ``ev[seq]``. Returns the new heap size and sequence number."""
    if KERNEL_DEBUG:
        assert seq < ev.shape[0], "event buffer overflow"
    ev[seq, 0] = etype
    ev[seq, 1] = u
    ev[seq, 2] = j
    ev[seq, 3] = c
    hsize = _heap_push(ht, hk, hsize, t, (etype << SEQ_BITS) | seq)
    return hsize, seq + 1


@_jit
def _static_events(night, w, m, sc):
    """Phase 2: impacts, window openings and tracks, in (time, priority, seq) order. They are
    created type by type in priority order (impact, window, track), so a stable order by time
    alone gives exactly that order. Returns their number (= the next sequence number)."""
    routes = night.routes
    n = routes.shape[0]
    t_track = night.t_track
    w_unit = w.unit
    w_threat = w.threat
    w_start = w.start
    ev = sc.ev
    st_t = sc.st_t
    seq = np.int64(0)  # not the literal 0: numba would compile stable_time_order for it too
    for j in range(n):
        ev[seq, 0] = EV_IMPACT
        ev[seq, 2] = j
        st_t[seq] = routes[j, _TI]
        seq += 1
    for q in range(m):
        ev[seq, 0] = EV_WINDOW
        ev[seq, 1] = w_unit[q]
        ev[seq, 2] = w_threat[q]
        ev[seq, 3] = q
        st_t[seq] = w_start[q]
        seq += 1
    for j in range(n):
        if t_track[j] < np.inf:
            ev[seq, 0] = EV_TRACK
            ev[seq, 2] = j
            st_t[seq] = t_track[j]
            seq += 1
    time_order(st_t, sc.st_t_bits, seq, sc.st_order, sc.st_sorted, sc.st_bucket, sc.st_cnt,
               sc.st_keys, sc.st_tmp)  # fmt: skip
    return seq


@_inline
def _epoch_pairs(t, u_kind, w_unit, w_threat, w_start, w_end, act, act_off, act_cnt, new_w,
                 n_new, th_w_off, dirty_u, du_list, n_du, dirty_j, dj_list, n_dj, pair_u,
                 pair_j):  # fmt: skip
    """Phase 4, epoch: the pairs a decision epoch examines: all open windows of units whose
    state changed, newly opened windows, and the open windows of threats whose state changed.
    Only these can have become assignable (time only ever closes launch windows). Each window
    contributes at most once, so there are at most ``m`` pairs. Expired windows leave the
    units' open lists here; the change lists are emptied."""
    npair = 0
    for q in range(n_du):
        u = du_list[q]
        if u_kind[u] == K_EW:
            continue
        base = act_off[u]
        r = 0
        while r < act_cnt[u]:  # drop expired windows
            if w_end[act[base + r]] < t:
                act_cnt[u] -= 1
                act[base + r] = act[base + act_cnt[u]]
            else:
                r += 1
        for r in range(act_cnt[u]):
            pair_u[npair] = u
            pair_j[npair] = w_threat[act[base + r]]
            npair += 1
    for q in range(n_new):
        x = new_w[q]
        u = w_unit[x]
        if dirty_u[u] or dirty_j[w_threat[x]]:
            continue  # examined with its unit's or its threat's windows
        pair_u[npair] = u
        pair_j[npair] = w_threat[x]
        npair += 1
    for q in range(n_dj):
        j = dj_list[q]
        for x in range(th_w_off[j], th_w_off[j + 1]):
            u = w_unit[x]
            if dirty_u[u] or u_kind[u] == K_EW or w_start[x] > t or w_end[x] < t:
                continue
            pair_u[npair] = u
            pair_j[npair] = j
            npair += 1
    for q in range(n_du):
        dirty_u[du_list[q]] = False
    for q in range(n_dj):
        dirty_j[dj_list[q]] = False
    return npair


@_inline
def _candidates(t, npair, pair_u, pair_j, s, max_shots, cost_threshold, u_peff, u_engcost,
                u_cwcost, u_reserve, th_pkind, th_value, th_recog, t_track, reloading, free_ch,
                ready, fate, busy, shots, u_left, cand_g, cand_j, cand_u, u_pk, is_team, team_f,
                th_f):  # fmt: skip
    """Phase 5a, assign: the allowed engagements among the epoch's pairs, with their marginal
    gain (for a team group, the kill probability of the hunt: :func:`hunt_factor`). The unit is not reloading and has a free channel and ``s`` ready rounds, and keeps
    its ballistic reserve; the threat is alive, tracked, not busy and not a recognised decoy,
    and has rounds left of its ``max_shots``; the pair passes :func:`kinetic_eligible` (and,
    with raid model v2's release rules, :func:`_release_filter` ran first). Sets ``u_left[u]``,
    the engagements unit u may still start this epoch. :func:`hunt_factor` reads ``team_f``
    (rows: acquisition radius, speed ratios of zero and full success, conditions, interceptor
    speed, per unit) and ``th_f`` (rows: speed, cue error, per threat).

    Every argument is a plain array or scalar: unpacking a tuple here would create references
    whose releases keep numba's reference-count pruning from removing the per-call increments
    of all the other arguments (tens of atomic operations per epoch)."""
    mc = 0
    for q in range(npair):
        u = pair_u[q]
        j = pair_j[q]
        if reloading[u] or free_ch[u] <= 0 or ready[u] < s:
            continue
        if fate[j] != ALIVE or busy[j] or t_track[j] > t or th_recog[j]:
            continue
        if shots[j] + s > max_shots:
            continue
        pk_kind = th_pkind[j]
        p = u_peff[u, pk_kind]
        if is_team[u]:
            f = hunt_factor(team_f[0, u], team_f[1, u], team_f[2, u], team_f[3, u], team_f[4, u],
                            th_f[0, j], th_f[1, j])  # fmt: skip
            p = degraded_peff(u_pk[u, pk_kind], f, s, p)
        cap_u = min(free_ch[u], ready[u] // s)
        if pk_kind != BALLISTIC and ready[u] - s * cap_u < u_reserve[u]:
            continue
        v = th_value[j]
        if not kinetic_eligible(p, u_engcost[u], u_cwcost[u], v, cost_threshold):
            continue
        u_left[u] = cap_u
        cand_g[mc] = v * 1.0 * p - u_cwcost[u]  # the greedy rule of airshield.assign
        cand_j[mc] = j
        cand_u[mc] = u
        mc += 1
    return mc


@_inline
def _release_filter(t, npair, pair_u, pair_j, s, shots, shot_cap, th_ptype, c2_kind, c2_min,
                    c2_mode, c2_max, c2_u, w_unit, w_start, w_end, th_w_off):  # fmt: skip
    """Phase 5a', raid model v2's weapon-release rules: keep (in order) the epoch's pairs whose
    threat has had fewer rounds than ``s`` below the unit's ``shot_cap`` for its perceived type
    and, with a C2 delay ``d`` (drawn per threat and round index), a launch window open now
    that is still open at ``t + d`` (:func:`launch_open`). Both only ever close as time passes
    or rounds are fired, so the epoch's exactness argument holds. Returns the pairs kept."""
    k = 0
    for q in range(npair):
        u = pair_u[q]
        j = pair_j[q]
        if shots[j] + s > shot_cap[u, th_ptype[j]]:
            continue
        if c2_kind[u] != 0:
            d = c2_delay_s(c2_kind[u], c2_min[u], c2_mode[u], c2_max[u], c2_u[j, shots[j]])
            if not launch_open(w_unit, w_start, w_end, th_w_off[j], th_w_off[j + 1], u, t, t + d):
                continue
        pair_u[k] = u
        pair_j[k] = j
        k += 1
    return k


@_inline
def _before(ga, ja, ua, gb, jb, ub):
    """Greedy order: larger gain first, then smaller threat index, then smaller unit index."""
    if ga != gb:
        return ga > gb
    if ja != jb:
        return ja < jb
    return ua < ub


@_inline
def _greedy_order(mc, cand_g, cand_j, cand_u, order, tmp):
    """Phase 5b: ``order[:mc]`` = candidates by gain (desc), then threat, then unit index (a
    total order of distinct pairs, so any correct sort gives the same assignment): insertion
    sort for the usual few candidates, a bottom-up merge sort (``tmp``: scratch) beyond."""
    for q in range(mc):
        order[q] = q
    if mc <= 48:  # usual case: a few candidates
        for q in range(1, mc):
            r = q
            while r > 0 and _before(cand_g[q], cand_j[q], cand_u[q], cand_g[order[r - 1]],
                                    cand_j[order[r - 1]], cand_u[order[r - 1]]):  # fmt: skip
                order[r] = order[r - 1]
                r -= 1
            order[r] = q
        return
    width = 1
    in_tmp = False  # where the current permutation lives
    while width < mc:
        src = tmp if in_tmp else order
        dst = order if in_tmp else tmp
        lo = 0
        while lo < mc:
            mid = min(lo + width, mc)
            hi = min(lo + 2 * width, mc)
            a = lo
            b = mid
            k = lo
            while a < mid and b < hi:
                x = src[a]
                y = src[b]
                if _before(cand_g[y], cand_j[y], cand_u[y], cand_g[x], cand_j[x], cand_u[x]):
                    dst[k] = y
                    b += 1
                else:
                    dst[k] = x
                    a += 1
                k += 1
            while a < mid:
                dst[k] = src[a]
                a += 1
                k += 1
            while b < hi:
                dst[k] = src[b]
                b += 1
                k += 1
            lo = hi
        in_tmp = not in_tmp
        width *= 2
    if in_tmp:
        for q in range(mc):
            order[q] = tmp[q]


@_inline
def _start_reloads(t, s, units_list, n_units, u_pool, u_cap, u_reload, reloading, ready, stock,
                   ev, ht, hk, hsize, seq):  # fmt: skip
    """Phase 6, reload: units ``units_list[:n_units]`` (in index order) that cannot fire
    another engagement start reloading their magazine from their pool (as many rounds as fit
    and the pool has). Returns the heap size and sequence number."""
    for q in range(n_units):
        u = units_list[q]
        pool = u_pool[u]
        if pool < 0 or reloading[u] or ready[u] >= s:
            continue
        k = min(u_cap[u] - ready[u], stock[pool])
        if k > 0:
            stock[pool] -= k
            reloading[u] = True
            hsize, seq = _push(ev, ht, hk, hsize, seq, t + u_reload[u], EV_RELOAD, u, -1, k)
    return hsize, seq


@_jit
def run_night_into(units, doctrine, loadout, night, w, m, sc, physics, extra):
    """One night on windows ``w[:m]`` with scratch ``sc`` (large enough: :func:`scratch_fits`).
    Returns (fate, agent unit per threat, rounds fired per unit, ready rounds left per unit,
    pool stock left, time of each threat's fate).

    The structures are unpacked into local arrays once, here; the phase helpers are inlined
    and take the arrays they use (passing whole structures to hot helpers would copy them and
    touch every reference count at each event)."""
    n = night.routes.shape[0]
    nu = units.x.shape[0]
    s = doctrine.rounds_per_eng
    max_shots = doctrine.max_shots
    max_ew = doctrine.max_ew
    cost_threshold = doctrine.cost_threshold
    # units
    u_kind = units.kind
    u_pk = units.pk
    u_peff = units.peff
    u_engcost = units.engage_cost_usd
    u_cwcost = units.weighted_cost
    u_engtime = units.engage_time_s
    u_cap = units.capacity
    u_reload = units.reload_s
    u_pool = units.pool
    u_reserve = units.reserve
    u_speed = units.speed_kms
    u_rmax = units.range_max_km
    # interceptor-drone team groups (cheap layer)
    tm = units.teams
    is_team = tm.is_team
    t_acq = tm.acquire_km
    t_rmin = tm.ratio_min
    t_rfull = tm.ratio_full
    t_cond = tm.condition
    t_sigma = tm.time_sigma
    t_recover = tm.recover_p
    # raid model v2 (Physics, NightExtra)
    p_npts = physics.pk_npts
    p_rf = physics.pk_rf
    p_val = physics.pk_val
    shot_cap = physics.shot_cap
    th_ptype = physics.th_ptype
    c2_kind = physics.c2_kind
    c2_min = physics.c2_min_s
    c2_mode = physics.c2_mode_s
    c2_max = physics.c2_max_s
    release_rules = physics.n_c2 > 0 or (physics.shot_cap < max_shots).any()
    ew_hazard = physics.ew_hazard
    ew_rate = physics.ew_rate_per_s
    th_ew_factor = physics.th_ew_factor
    c2_u = extra.c2_u
    ew_e = extra.ew_e
    # threats
    th_kind = night.kind
    th_pkind = night.pkind
    th_value = night.value
    th_recog = night.recognised
    t_track = night.t_track
    u_shot = night.u_shot
    th_speed = night.speed
    th_cue = night.cue_err_km
    z_hunt = night.z_hunt
    routes = night.routes
    unit_x = night.unit_x
    unit_y = night.unit_y
    u_rec = night.u_recover
    # what phase 5 needs of the hunts, as two tables (an inlined helper takes at most 30
    # arguments): per unit and per threat
    team_f = np.empty((5, nu), np.float64)
    for u in range(nu):
        team_f[0, u] = t_acq[u]
        team_f[1, u] = t_rmin[u]
        team_f[2, u] = t_rfull[u]
        team_f[3, u] = t_cond[u]
        team_f[4, u] = u_speed[u]
    th_f = np.empty((2, n), np.float64)
    for j in range(n):
        th_f[0, j] = th_speed[j]
        th_f[1, j] = th_cue[j]
    # windows
    w_unit = w.unit
    w_threat = w.threat
    w_start = w.start
    w_end = w.end
    w_es = w.env_start
    w_ee = w.env_end
    # scratch
    ev = sc.ev
    ht = sc.heap_t
    hk = sc.heap_k
    st_sorted = sc.st_sorted  # static event times in time order (phase 2)
    st_order = sc.st_order
    act = sc.act
    new_w = sc.new_w
    pair_u = sc.pair_u
    pair_j = sc.pair_j
    cand_g = sc.cand_g
    cand_j = sc.cand_j
    cand_u = sc.cand_u
    order = sc.order
    # state of the night
    fate = np.full(n, ALIVE, np.int64)
    fate_t = np.full(n, np.inf)
    agent = np.full(n, -1, np.int64)
    busy = np.zeros(n, np.bool_)
    shots = np.zeros(n, np.int64)
    ew_n = np.zeros(n, np.int64)
    pend_k0 = np.zeros(n, np.int64)  # first round of the threat's engagement in flight
    pend_pk = np.zeros(n, np.float64)  # single-shot Pk of that engagement at its intercept
    free_ch = units.channels.copy()
    ready = loadout.ready.copy()
    reloading = np.zeros(nu, np.bool_)
    fired = np.zeros(nu, np.int64)
    stock = loadout.stock.copy()
    # open kinetic windows per unit: a compact list act[act_off[u] : act_off[u] + act_cnt[u]]
    act_cnt = np.zeros(nu, np.int64)
    act_off = np.zeros(nu + 1, np.int64)
    for q in range(m):
        act_off[w_unit[q] + 1] += 1
    for u in range(nu):
        act_off[u + 1] += act_off[u]
    # windows of threat j: th_w_off[j] .. th_w_off[j + 1] (compute_windows groups by threat)
    th_w_off = np.zeros(n + 1, np.int64)
    for q in range(m):
        th_w_off[w_threat[q] + 1] += 1
    for j in range(n):
        th_w_off[j + 1] += th_w_off[j]
    # units / threats whose state changed since the last epoch, windows opened since then
    dirty_u = np.zeros(nu, np.bool_)
    dirty_j = np.zeros(n, np.bool_)
    du_list = np.empty(nu, np.int64)
    dj_list = np.empty(n, np.int64)
    n_du = 0
    n_dj = 0
    n_new = 0
    did_fire = np.zeros(nu, np.bool_)
    fired_now = np.empty(nu, np.int64)
    u_left = np.zeros(nu, np.int64)
    taken = np.zeros(n, np.bool_)

    n_st = _static_events(night, w, m, sc)
    seq = n_st
    hsize = 0
    all_units = np.arange(nu)
    hsize, seq = _start_reloads(0.0, s, all_units, nu, u_pool, u_cap, u_reload, reloading,
                                ready, stock, ev, ht, hk, hsize, seq)  # fmt: skip
    sp = 0
    while sp < n_st or hsize > 0:
        if hsize == 0:
            t = st_sorted[sp]
        elif sp == n_st:
            t = ht[0]
        else:
            t = min(ht[0], st_sorted[sp])
        # ---- phase 3, resolve: every event at time t, static or dynamic, whichever has the
        # smaller key (at one time a dynamic event, priority < EV_IMPACT, always comes first)
        epoch = False
        while True:
            if hsize > 0 and ht[0] == t:
                q = hk[0] & _SEQ_MASK
                hsize = _heap_pop(ht, hk, hsize)
            elif sp < n_st and st_sorted[sp] == t:
                q = st_order[sp]
                sp += 1
            else:
                break
            et = ev[q, 0]
            u = ev[q, 1]
            j = ev[q, 2]
            c = ev[q, 3]
            if et == EV_RESOLVE:  # interceptors arrive: the threat dies or survives
                free_ch[u] += 1
                busy[j] = False
                epoch = True
                n_du = _mark(dirty_u, du_list, n_du, u)
                n_dj = _mark(dirty_j, dj_list, n_dj, j)
                killed = False
                if fate[j] == ALIVE:
                    p = pend_pk[j]  # a team's hunt factor is in it (phase 5)
                    for r in range(s):
                        if u_shot[j, pend_k0[j] + r] < p:
                            fate[j] = DESTROYED
                            agent[j] = u
                            fate_t[j] = t
                            killed = True
                            break
                if is_team[u] and not killed:  # missed interceptors may come back
                    rec = 0
                    for r in range(s):
                        if u_rec[j, pend_k0[j] + r] < t_recover[u]:
                            rec += 1
                    ready[u] += rec
                    fired[u] -= rec
            elif et == EV_EW_DONE:  # an EW dwell ends; its success was drawn at its start
                if c != 2:  # c == 2: a hazard loss, which holds no channel
                    free_ch[u] += 1
                if fate[j] == ALIVE and c >= 1:
                    fate[j] = LOST
                    agent[j] = u
                    fate_t[j] = t
            elif et == EV_RELOAD:
                ready[u] += c
                reloading[u] = False
                epoch = True
                n_du = _mark(dirty_u, du_list, n_du, u)
            elif et == EV_IMPACT:
                if fate[j] == ALIVE:
                    fate[j] = LEAKED
                    fate_t[j] = t
            elif et == EV_WINDOW:
                if u_kind[u] == K_EW and ew_hazard[u]:  # hazard: lost at entry + E / rate
                    if fate[j] == ALIVE and ew_n[j] < max_ew:
                        rate = ew_rate[u, th_kind[j]] * th_ew_factor[j]
                        t_lost = t + ew_e[j, ew_n[j]] / rate
                        ew_n[j] += 1
                        if t_lost <= w_end[c]:
                            hsize, seq = _push(ev, ht, hk, hsize, seq, t_lost, EV_EW_DONE, u, j,
                                               2)  # fmt: skip
                elif u_kind[u] == K_EW:  # one attempt if a channel is free
                    if fate[j] == ALIVE and ew_n[j] < max_ew and free_ch[u] > 0:
                        idx = max_shots + ew_n[j]
                        ew_n[j] += 1
                        free_ch[u] -= 1
                        ok = 1 if u_shot[j, idx] < u_pk[u, th_kind[j]] * th_ew_factor[j] else 0
                        hsize, seq = _push(ev, ht, hk, hsize, seq, t + u_engtime[u], EV_EW_DONE,
                                           u, j, ok)  # fmt: skip
                else:
                    act[act_off[u] + act_cnt[u]] = c
                    act_cnt[u] += 1
                    epoch = True
                    new_w[n_new] = c  # only this pair is new for the unit
                    n_new += 1
            else:  # EV_TRACK
                epoch = True
                n_dj = _mark(dirty_j, dj_list, n_dj, j)
        if not epoch:
            continue
        # ---- phase 4, epoch
        npair = _epoch_pairs(t, u_kind, w_unit, w_threat, w_start, w_end, act, act_off,
                             act_cnt, new_w, n_new, th_w_off, dirty_u, du_list, n_du, dirty_j,
                             dj_list, n_dj, pair_u, pair_j)  # fmt: skip
        n_new = 0
        n_du = 0
        n_dj = 0
        # ---- phase 5, assign: greedy maximum marginal return
        if release_rules:
            npair = _release_filter(t, npair, pair_u, pair_j, s, shots, shot_cap, th_ptype,
                                    c2_kind, c2_min, c2_mode, c2_max, c2_u, w_unit, w_start,
                                    w_end, th_w_off)  # fmt: skip
        mc = _candidates(t, npair, pair_u, pair_j, s, max_shots, cost_threshold, u_peff,
                         u_engcost, u_cwcost, u_reserve, th_pkind, th_value, th_recog, t_track,
                         reloading, free_ch, ready, fate, busy, shots, u_left, cand_g, cand_j,
                         cand_u, u_pk, is_team, team_f, th_f)  # fmt: skip
        if mc == 0:
            continue
        _greedy_order(mc, cand_g, cand_j, cand_u, order, pair_u)  # pair_u: free now
        n_fired = 0
        for q in range(mc):
            i = order[q]
            j = cand_j[i]
            u = cand_u[i]
            if taken[j] or u_left[u] <= 0:
                continue
            taken[j] = True
            u_left[u] -= 1
            # fire: s rounds, one channel, the resolution at intercept + engagement time; the
            # launch waits for the C2 delay (the candidate check kept a window open for it)
            t_launch = t
            if c2_kind[u] != 0:
                t_launch = t + c2_delay_s(c2_kind[u], c2_min[u], c2_mode[u], c2_max[u],
                                          c2_u[j, shots[j]])  # fmt: skip
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
            route = routes[j]
            t_hit = pair_intercept(route, th_speed[j], unit_x[u], unit_y[u], u_speed[u], w_unit,
                                   w_start, w_end, w_es, w_ee, th_w_off[j], th_w_off[j + 1], u,
                                   t_launch, t)  # fmt: skip
            kt = th_kind[j]
            if p_npts[u, kt] == 0:
                pend_pk[j] = u_pk[u, kt]
            else:
                x = intercept_range_fraction(route, t_hit, unit_x[u], unit_y[u], u_rmax[u])
                pend_pk[j] = pk_at(p_npts[u, kt], p_rf[u, kt], p_val[u, kt], u_pk[u, kt], x)
            t_eng = u_engtime[u]
            if is_team[u]:  # a hunt: cue, speed and conditions degrade the kill
                pend_pk[j] = pend_pk[j] * hunt_factor(t_acq[u], t_rmin[u], t_rfull[u], t_cond[u],
                                                      u_speed[u], th_speed[j], th_cue[j])  # fmt: skip
                if t_sigma[u] > 0.0:  # hunt time: lognormal around its median
                    t_eng = t_eng * math.exp(t_sigma[u] * z_hunt[j, pend_k0[j]])
            hsize, seq = _push(ev, ht, hk, hsize, seq, t_hit + t_eng, EV_RESOLVE, u, j, 0)
        for q in range(mc):
            taken[cand_j[q]] = False
        # ---- phase 6, reload: only units that just fired can newly need a reload (pools never
        # grow in a night); they reload in index order, as a scan over all units would
        for q in range(1, n_fired):
            v = fired_now[q]
            r = q
            while r > 0 and fired_now[r - 1] > v:
                fired_now[r] = fired_now[r - 1]
                r -= 1
            fired_now[r] = v
        hsize, seq = _start_reloads(t, s, fired_now, n_fired, u_pool, u_cap, u_reload,
                                    reloading, ready, stock, ev, ht, hk, hsize, seq)  # fmt: skip
        for q in range(n_fired):
            did_fire[fired_now[q]] = False
    if KERNEL_DEBUG:
        assert seq - n_st <= dynamic_event_bound_jit(n, nu, doctrine), "dynamic event bound"
    return fate, agent, fired, ready, stock, fate_t


@_jit
def dynamic_event_bound_jit(n, nu, doctrine):
    s = max(1, doctrine.rounds_per_eng)
    return n * (2 * (doctrine.max_shots // s) + doctrine.max_ew) + nu


@_jit
def run_night(units, doctrine, loadout, night, w, m, physics, extra):
    """One night with fresh scratch; see :func:`run_night_into`."""
    n = night.routes.shape[0]
    nu = units.x.shape[0]
    sc = new_scratch(n, nu, m, dynamic_event_bound_jit(n, nu, doctrine))
    return run_night_into(units, doctrine, loadout, night, w, m, sc, physics, extra)


# ---- tally -------------------------------------------------------------------------------------
@_jit
def tally_into(scene, units, loadout, target, fate, agent, fired, stock_end, out, b):
    """Count one night's outcomes into row ``b`` of ``out`` (:class:`Tally`): by threat type,
    effector type, asset and pool. Sums run in index order, as ``np.bincount`` does."""
    th_type = scene.th_type
    leth = scene.tt_lethality
    log_surv = scene.tt_log_survival
    u_eff = units.effector
    u_cost = units.cost_per_round_usd
    outcomes = out.outcomes
    destroyed_by = out.destroyed_by
    lost_by = out.lost_by
    hits = out.hits
    log_survival = out.log_survival
    shots = out.shots
    cost_usd = out.cost_usd
    unit_shots = out.unit_shots
    pool_drawn = out.pool_drawn
    stock0 = loadout.stock
    n = fate.shape[0]
    for j in range(n):
        tt = th_type[j]
        outcomes[b, tt, 0] += 1
        f = fate[j]
        if f >= 0:
            outcomes[b, tt, f + 1] += 1
        if agent[j] >= 0:
            e = u_eff[agent[j]]
            if f == DESTROYED:
                destroyed_by[b, tt, e] += 1
            elif f == LOST:
                lost_by[b, tt, e] += 1
        if f == LEAKED and leth[tt] > 0:
            hits[b, target[j]] += 1
            log_survival[b, target[j]] += log_surv[tt]
    for u in range(fired.shape[0]):
        e = u_eff[u]
        shots[b, e] += fired[u]
        cost_usd[b, e] += fired[u] * u_cost[u]
        unit_shots[b, u] = fired[u]
    for p in range(stock_end.shape[0]):
        pool_drawn[b, p] = stock0[p] - stock_end[p]


@_jit
def tally_falls_into(scene, physics, routes, fate, fate_t, fall_u, out, b):
    """Raid model v2: lost threats that still fall. A lost threat of a harmful type (lethality
    > 0) with ``fall_u < lost_harm_share`` falls where it was lost (its position at its fate
    time) and is counted in ``out.fell``; if that point lies inside an asset's disc
    (``radius_km``, first asset in index order) it hits that asset like a leaker of its type
    (``out.fall_hits``, ``out.fall_log_survival``). The outcome stays *lost*, as in the record."""
    share = physics.lost_harm_share
    th_type = scene.th_type
    leth = scene.tt_lethality
    log_surv = scene.tt_log_survival
    a_x = scene.a_x
    a_y = scene.a_y
    a_r = scene.a_radius
    for j in range(fate.shape[0]):
        if fate[j] != LOST or not fall_u[j] < share:
            continue
        tt = th_type[j]
        if leth[tt] <= 0.0:
            continue
        out.fell[b, tt] += 1
        x, y = position_at(routes[j], fate_t[j])
        for a in range(a_x.shape[0]):
            dx = x - a_x[a]
            dy = y - a_y[a]
            if dx * dx + dy * dy <= a_r[a] * a_r[a]:
                out.fall_hits[b, a] += 1
                out.fall_log_survival[b, a] += log_surv[tt]
                break


@_jit
def new_tally(nb, nt, ne, nu, na, npool):
    """A zeroed :class:`Tally` for ``nb`` replications."""
    return Tally(
        np.zeros((nb, nt, 4), np.int64), np.zeros((nb, nt, ne), np.int64),
        np.zeros((nb, nt, ne), np.int64), np.zeros((nb, ne), np.int64),
        np.zeros((nb, ne), np.float64), np.zeros((nb, nu), np.int64),
        np.zeros((nb, na), np.int64), np.zeros((nb, na), np.float64),
        np.zeros((nb, npool), np.int64), np.zeros((nb, nt), np.int64),
        np.zeros((nb, na), np.int64), np.zeros((nb, na), np.float64),
    )  # fmt: skip


# ---- a batch of replications in one call ---------------------------------------------------------
@_jit
def run_batch(scene, units, doctrine, loadout, u1, z, u2, cos_a, sin_a, out, physics, u3, ew_e,
              zh, uh):  # fmt: skip
    """Replications ``b = 0 .. B-1`` from their draws (rows of ``u1``, ``z``, ``u2``, ``cos_a``,
    ``sin_a``; see :func:`draw_layout`; and of ``u3`` and ``ew_e``, see :func:`extra_layout`;
    ``zh``/``uh``: the cheap layer's hunt-time normals and recovery uniforms, ``(B, n *
    max_shots)`` with team groups, else ``(B, 0)``): draw, windows, night and tally, all in
    numba, with the memory of one night (routes, windows, scratch) reused across the batch."""
    nb = u1.shape[0]
    n = scene.th_type.shape[0]
    nu = units.x.shape[0]
    routes = np.empty((n, N_ROUTE), np.float64)
    target = np.empty(n, np.int64)
    speed = np.empty(n, np.float64)
    kind = np.empty(n, np.int64)
    pkind = np.empty(n, np.int64)
    value = np.empty(n, np.float64)
    recog = np.empty(n, np.bool_)
    cue = np.empty(n, np.float64)
    unit_x = np.empty(nu, np.float64)
    unit_y = np.empty(nu, np.float64)
    unit_ready = np.empty(nu, np.float64)
    hcols = zh.shape[1] // n if n > 0 else 0
    n_dyn = dynamic_event_bound_jit(n, nu, doctrine)
    w = new_windows(64 + 4 * n + WINDOWS_PER_PAIR_BOUND * nu)
    sc = new_scratch(n, nu, w.unit.shape[0], n_dyn)
    for b in range(nb):
        u_shot, t_track, s_idx = draw_into(scene, doctrine, u1[b], z[b], u2[b], cos_a[b],
                                           sin_a[b], routes, target, speed, kind, pkind, value,
                                           recog)  # fmt: skip
        cue_errors(scene.tracks, s_idx, cue)
        dispatch_mobiles(units, routes, speed, pkind, t_track, recog, unit_x, unit_y, unit_ready)
        night = NightArrays(routes, speed, kind, pkind, value, recog, t_track, u_shot, unit_x,
                            unit_y, unit_ready, cue, zh[b].reshape((n, hcols)),
                            uh[b].reshape((n, hcols)))  # fmt: skip
        k_c2 = n * physics.n_c2
        extra = NightExtra(u3[b, :k_c2].reshape((n, physics.n_c2)), ew_e[b], u3[b, k_c2:])
        w, m = windows_of(units, doctrine, night, w, physics)
        if not scratch_fits(sc, n, m, n_dyn):
            sc = new_scratch(n, nu, w.unit.shape[0], n_dyn)
        fate, agent, fired, _ready, stock, fate_t = run_night_into(
            units, doctrine, loadout, night, w, m, sc, physics, extra
        )
        tally_into(scene, units, loadout, target, fate, agent, fired, stock, out, b)
        if physics.lost_harm_share > 0.0:
            tally_falls_into(scene, physics, routes, fate, fate_t, extra.fall_u, out, b)
