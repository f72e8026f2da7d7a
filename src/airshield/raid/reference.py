"""The readable reference engine of one night: Python objects and a heapq event queue.

It follows the same rules as the numba kernel (:mod:`airshield.kernels.raid`) and shares its
closed-form geometry (the functions' pure-Python versions), so the two give identical outcomes
for the same draws. Each decision epoch builds a :class:`airshield.assign.WTAProblem` and asks
the scenario's assigner (greedy by default) which fire unit engages which threat.

Rules, in plain words:

- A threat flies its two-segment route and *leaks* at its aim point unless destroyed or lost.
- Each fire unit has an envelope (min/max range, altitude band); the times a threat is inside
  it come from segment-circle intersection. For a kinetic unit the engagement window is the set
  of launch times from which its interceptor, flying straight at its own speed to the collision
  point, meets the threat inside the envelope (the image of the envelope window under
  ``phi(s) = s - d(s) / v``, in closed form); the shot resolves at that intercept time.
- An EW unit makes one attempt on each threat entering its envelope if it has a free channel;
  the attempt occupies a channel for the dwell time and then makes the threat *lost* with the
  EW kill probability of the threat's kind.
- Kinetic units engage only tracked threats that are not recognised decoys, with one
  engagement in flight per threat (shoot-look-shoot) of ``salvo_size`` rounds (``salvo``),
  at most ``max_shots_per_threat`` rounds per threat, only inside an engagement window,
  only if engagement cost <= ``cost_threshold`` x value at risk,
  and keeping ``ballistic_reserve`` rounds for ballistic threats.
- A unit that cannot fire another engagement reloads its full magazine from its pool.
- Raid model v2 (part A, :class:`airshield.kernels.raid.Physics`): kinetic windows use the
  firing range (``firing_range_fraction`` x max range); a unit fires at a threat only while
  the rounds at it stay within its ``shots_per_threat`` for the threat's perceived type; with
  a C2 delay ``d`` (drawn per threat and round index) a pair is on offer at ``t`` only if a
  launch window open at ``t`` is still open at ``t + d``, and the interceptor leaves at
  ``t + d``; the kill probability of each round is the effector's Pk curve at the normalised
  range of the intercept point (``pk_model: range``); a hazard-model EW unit makes a threat
  lost at ``entry + E / rate`` (``E`` standard exponential) if that is before it leaves the
  field, with no channel; EW effects are scaled by ``1 - ew_resistance``.
- Cheap layer. A *team group* (interceptor drones) has one channel per team: a team runs one
  hunt at a time. A hunt kills with the effector's Pk times :func:`~airshield.kernels.raid.
  hunt_factor` (cue error of the threat's track, interceptor / threat speed ratio, weather and
  night), which the assignment also uses; it lasts the flight to the intercept plus a hunt time
  drawn lognormal around the unit's engagement time; each interceptor of a hunt that did not
  kill comes back with the recovery probability (ready again, not counted as fired).
  A *mobile fire group* stands where :func:`~airshield.kernels.raid.dispatch_mobiles` sent it
  this night (``night.unit_x``) and engages only from its arrival (``night.unit_ready``).
- Doctrine eligibility (which unit may ever fire at which threat) is the one rule
  :func:`airshield.kernels.raid.kinetic_eligible` (and ``ew_eligible``), shared with the kernel
  and the campaign bridge.

The buffer bounds the kernel relies on (module docstring of :mod:`airshield.kernels.raid`)
are asserted here on every night: windows per (unit, threat) pair, dynamic events per night and
engagement options per epoch.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field

import numpy as np

from airshield.assign import WTAProblem, solve
from airshield.kernels import raid as K
from airshield.raid.compile import CompiledRaid, Night
from airshield.raid.engines import NightOutcome
from airshield.vocab import EffectorKind, Event, Fate, Route, ThreatKind

_envelope_windows = K.envelope_windows.py_func
_pair_can_engage = K.pair_can_engage.py_func
_kinetic_eligible = K.kinetic_eligible.py_func
_launch_window = K.launch_window.py_func
_intercept_time = K.intercept_time.py_func
_hunt_factor = K.hunt_factor.py_func
_degraded_peff = K.degraded_peff.py_func
_clip_to_ready = K.clip_to_ready.py_func
_pk_at = K.pk_at.py_func
_intercept_range_fraction = K.intercept_range_fraction.py_func
_c2_delay_s = K.c2_delay_s.py_func
_position_at = K.position_at.py_func


@dataclass
class Window:
    """For an EW unit: the time the threat is inside its envelope. For a kinetic unit: the
    launch times from which the interceptor meets the threat inside the envelope."""

    unit: int
    threat: int
    start_s: float
    end_s: float
    envelope_start_s: float
    envelope_end_s: float


@dataclass(frozen=True)
class Resolve:
    """An engagement's interceptors arrive: the threat is destroyed or survives."""

    unit: int
    threat: int


@dataclass(frozen=True)
class EwDone:
    """An EW unit's dwell on a threat ends; ``success`` was drawn when it started."""

    unit: int
    threat: int
    success: bool
    hazard: bool = False  #: a loss of the hazard model (it holds no channel)


@dataclass(frozen=True)
class ReloadDone:
    unit: int
    rounds: int


@dataclass(frozen=True)
class Impact:
    threat: int


@dataclass(frozen=True)
class WindowOpen:
    window: Window


@dataclass(frozen=True)
class Tracked:
    threat: int


NightEvent = Resolve | EwDone | ReloadDone | Impact | WindowOpen | Tracked


@dataclass
class UnitState:
    index: int
    kind: int
    free_channels: int
    ready: int
    reloading: bool = False
    fired: int = 0
    active: list[Window] = field(default_factory=list)


@dataclass
class ThreatState:
    index: int
    fate: int = Fate.ALIVE
    agent: int = -1
    busy: bool = False
    shots: int = 0
    ew_attempts: int = 0
    pending_first_shot: int = 0
    pending_pk: float = 0.0  # single-shot Pk of the engagement in flight, at its intercept
    fate_time_s: float = math.inf


def engagement_windows(c: CompiledRaid, night: Night) -> list[Window]:
    """Every (unit, threat) window, threats in order, then units, then time."""
    out: list[Window] = []
    env = np.empty((K.MAX_WINDOWS_PER_PAIR, 2))
    units, doctrine, physics = c.units(), c.doctrine(), c.physics()
    for j in range(c.n_threats):
        route, speed = night.routes[j], night.speed[j]
        for u in range(c.u_x.shape[0]):
            if not _pair_can_engage(
                units, doctrine, u, night.kind[j], night.pkind[j], night.value[j],
                night.recognised[j], night.t_track[j], physics, j,
            ):  # fmt: skip
                continue
            # kinetic: the firing range (firing_range_fraction x max); EW: the jammed field
            ux, uy = night.unit_x[u], night.unit_y[u]
            n = _envelope_windows(
                route, speed, ux, uy, c.u_rmin[u], c.u_fire_range[u], c.u_amin[u], c.u_amax[u],
                env,
            )  # fmt: skip
            assert n <= K.WINDOWS_PER_PAIR_BOUND, "more windows per pair than the kernel's bound"
            if c.u_mobile[u]:  # a mobile group engages only once it has arrived
                n = _clip_to_ready(env, n, night.unit_ready[u])
            for q in range(n):
                es, ee = float(env[q, 0]), float(env[q, 1])
                if c.u_kind[u] == EffectorKind.EW:
                    out.append(Window(u, j, es, ee, es, ee))
                    continue
                ls, le = _launch_window(route, speed, ux, uy, c.u_speed[u], es, ee)
                if ls <= le:
                    out.append(Window(u, j, float(ls), float(le), es, ee))
    return out


class ReferenceNight:
    """One night run step by step; see the module docstring for the rules."""

    def __init__(self, c: CompiledRaid, night: Night) -> None:
        self.c = c
        self.night = night
        self.s = c.rounds_per_eng
        self.units = [
            UnitState(u, int(c.u_kind[u]), int(c.u_channels[u]), int(c.u_ready0[u]))
            for u in range(c.u_x.shape[0])
        ]
        self.threats = [ThreatState(j) for j in range(c.n_threats)]
        self.stock = [int(x) for x in c.pool_stock0]
        self.queue: list[tuple[float, int, int, NightEvent]] = []
        self.seq = 0
        self.n_dynamic = 0  # shot resolutions, EW dwell ends and reloads queued

    def push(self, time_s: float, priority: Event, event: NightEvent) -> None:
        heapq.heappush(self.queue, (time_s, int(priority), self.seq, event))
        self.seq += 1
        if priority < Event.IMPACT:
            self.n_dynamic += 1

    # ---- the night ----------------------------------------------------------------------
    def run(self) -> NightOutcome:
        c, night = self.c, self.night
        for j in range(c.n_threats):
            self.push(float(night.routes[j, Route.T_IMPACT]), Event.IMPACT, Impact(j))
            if math.isfinite(night.t_track[j]):
                self.push(float(night.t_track[j]), Event.TRACK, Tracked(j))
        windows = engagement_windows(c, night)
        self.n_windows = len(windows)
        for w in windows:
            self.push(w.start_s, Event.WINDOW, WindowOpen(w))
        self.start_reloads(0.0)
        while self.queue:
            t = self.queue[0][0]
            epoch = False
            while self.queue and self.queue[0][0] == t:
                event = heapq.heappop(self.queue)[3]
                epoch |= self.handle(t, event)
            if epoch:
                self.decide(t)
        bound = K.dynamic_event_bound(c.n_threats, len(self.units), c.doctrine())
        assert self.n_dynamic <= bound, f"{self.n_dynamic} dynamic events > kernel bound {bound}"
        return NightOutcome(
            fate=np.array([th.fate for th in self.threats], np.int64),
            agent=np.array([th.agent for th in self.threats], np.int64),
            fired=np.array([u.fired for u in self.units], np.int64),
            ready_end=np.array([u.ready for u in self.units], np.int64),
            stock_end=np.array(self.stock, np.int64),
            fate_time_s=np.array([th.fate_time_s for th in self.threats], np.float64),
        )

    def handle(self, t: float, event: NightEvent) -> bool:
        """Process one event; True if it may open a new engagement opportunity."""
        c, night = self.c, self.night
        match event:
            case Resolve(u, j):
                unit, th = self.units[u], self.threats[j]
                unit.free_channels += 1
                th.busy = False
                first = th.pending_first_shot
                killed = False
                if th.fate == Fate.ALIVE:
                    p = th.pending_pk  # a team's hunt factor is in it (decide)
                    if any(x < p for x in night.u_shot[j, first : first + self.s]):
                        th.fate, th.agent, th.fate_time_s = Fate.DESTROYED, u, t
                        killed = True
                if c.u_team[u] and not killed:  # missed interceptors may come back
                    back = sum(
                        1 for x in night.u_recover[j, first : first + self.s] if x < c.u_recover[u]
                    )
                    unit.ready += back
                    unit.fired -= back
                return True
            case EwDone(u, j, success, hazard):
                if not hazard:  # a hazard loss holds no channel
                    self.units[u].free_channels += 1
                th = self.threats[j]
                if th.fate == Fate.ALIVE and success:
                    th.fate, th.agent, th.fate_time_s = Fate.LOST, u, t
                return False
            case ReloadDone(u, rounds):
                self.units[u].ready += rounds
                self.units[u].reloading = False
                return True
            case Impact(j):
                th = self.threats[j]
                if th.fate == Fate.ALIVE:
                    th.fate, th.fate_time_s = Fate.LEAKED, t
                return False
            case WindowOpen(w):
                unit, th = self.units[w.unit], self.threats[w.threat]
                if unit.kind != EffectorKind.EW:
                    unit.active.append(w)
                    return True
                factor = c.physics().th_ew_factor[w.threat]
                kind = night.kind[w.threat]
                if c.u_ew_hazard[w.unit]:
                    # hazard model: lost after an exponential time in the field, if still in it
                    if th.fate == Fate.ALIVE and th.ew_attempts < c.max_ew:
                        # Python floats: a tiny rate gives an infinite time, as in the kernel
                        rate = float(c.u_ew_rate[w.unit, kind] * factor)
                        t_lost = t + float(night.ew_e[w.threat, th.ew_attempts]) / rate
                        th.ew_attempts += 1
                        if t_lost <= w.end_s:
                            self.push(t_lost, Event.EW_DONE, EwDone(w.unit, w.threat, True, True))
                    return False
                if th.fate == Fate.ALIVE and th.ew_attempts < c.max_ew and unit.free_channels > 0:
                    draw = night.u_shot[w.threat, c.max_shots + th.ew_attempts]
                    th.ew_attempts += 1
                    unit.free_channels -= 1
                    success = bool(draw < c.u_pk[w.unit, kind] * factor)
                    self.push(
                        t + c.u_engtime[w.unit], Event.EW_DONE, EwDone(w.unit, w.threat, success)
                    )
                return False
            case Tracked():
                return True
        raise AssertionError(f"unknown event {event!r}")

    def hunt_factor(self, u: int, j: int) -> float:
        """The cheap layer's factor on team unit u's kill probability against threat j."""
        c, night = self.c, self.night
        return float(
            _hunt_factor(
                c.u_acq[u], c.u_ratio_min[u], c.u_ratio_full[u], c.u_condition[u], c.u_speed[u],
                night.speed[j], night.cue_err_km[j],
            )
        )  # fmt: skip

    def peff(self, u: int, j: int) -> float:
        """Kill probability of one engagement of unit u on threat j as the assignment sees it
        (perceived kind; a team's hunt degraded by :meth:`hunt_factor`)."""
        c, k = self.c, self.night.pkind[j]
        p = float(c.u_peff[u, k])
        if c.u_team[u]:
            p = float(_degraded_peff(c.u_pk[u, k], self.hunt_factor(u, j), self.s, p))
        return p

    def decide(self, t: float) -> None:
        """A decision epoch: offer every feasible (unit, threat) engagement to the assigner."""
        c, night, s = self.c, self.night, self.s
        options: set[tuple[int, int]] = set()  # (unit, threat) engagements on offer
        caps: dict[int, int] = {}
        for unit in self.units:
            if unit.kind == EffectorKind.EW:
                continue
            unit.active = [w for w in unit.active if w.end_s >= t]
            if not unit.active or unit.reloading or unit.free_channels <= 0 or unit.ready < s:
                continue
            u = unit.index
            caps[u] = min(unit.free_channels, unit.ready // s)
            keeps_reserve = unit.ready - s * caps[u] >= c.u_reserve[u]
            for w in unit.active:
                j = w.threat
                th = self.threats[j]
                if th.fate != Fate.ALIVE or th.busy or night.t_track[j] > t or night.recognised[j]:
                    continue
                if th.shots + s > c.max_shots:
                    continue
                if th.shots + s > c.u_shot_cap[u, c.tt_perceived[c.th_type[j]]]:
                    continue  # the unit's shots_per_threat for the perceived type
                if c.u_c2_kind[u] and w.end_s < t + self.c2_delay(u, j):
                    continue  # this window closes before the launch
                if night.pkind[j] != ThreatKind.BALLISTIC_MISSILE and not keeps_reserve:
                    continue
                if not _kinetic_eligible(
                    self.peff(u, j), c.u_engcost[u], c.u_cwcost[u], night.value[j],
                    c.cost_threshold,
                ):  # fmt: skip
                    continue
                options.add((u, j))
        assert len(options) <= self.n_windows, "more options than windows in an epoch"
        if not options:
            return
        weapons = sorted({u for u, _ in options})
        targets = sorted({j for _, j in options})
        wi = {u: i for i, u in enumerate(weapons)}
        ti = {j: i for i, j in enumerate(targets)}
        pk = np.zeros((len(weapons), len(targets)))
        feasible = np.zeros_like(pk, dtype=bool)
        for u, j in options:
            pk[wi[u], ti[j]] = self.peff(u, j)
            feasible[wi[u], ti[j]] = True
        problem = WTAProblem(
            values=night.value[targets],
            pk=pk,
            rounds=np.array([caps[u] for u in weapons], np.int64),
            shot_cost=c.u_cwcost[weapons],
            channels=np.array([caps[u] for u in weapons], np.int64),
            feasible=feasible,
            max_rounds_per_target=1,
        )
        result = solve(problem, solver=c.scenario.doctrine.assigner)
        for i, k, _rounds in result.triples():
            u, j = weapons[i], targets[k]
            unit, th = self.units[u], self.threats[j]
            # after the C2 delay (drawn for the threat's next round), the interceptor flies
            # straight to the earliest intercept inside a window open at its launch
            t_launch = t + self.c2_delay(u, j) if c.u_c2_kind[u] else t
            th.pending_first_shot = th.shots
            th.shots += s
            th.busy = True
            unit.free_channels -= 1
            unit.ready -= s
            unit.fired += s
            t_hit = min(
                _intercept_time(
                    night.routes[j], night.speed[j], night.unit_x[u], night.unit_y[u],
                    c.u_speed[u], t_launch, w.envelope_start_s, w.envelope_end_s,
                )
                for w in unit.active
                if w.threat == j and w.start_s <= t_launch <= w.end_s
            )  # fmt: skip
            th.pending_pk = self.pk_at_intercept(u, j, t_hit)
            t_eng = c.u_engtime[u]
            if c.u_team[u]:  # a hunt: cue, speed and conditions degrade the kill
                th.pending_pk = th.pending_pk * self.hunt_factor(u, j)
                if c.u_hunt_sigma[u] > 0:  # hunt time: lognormal around the median
                    t_eng = t_eng * math.exp(
                        c.u_hunt_sigma[u] * night.z_hunt[j, th.pending_first_shot]
                    )
            self.push(t_hit + t_eng, Event.RESOLVE, Resolve(u, j))
        self.start_reloads(t)

    def c2_delay(self, u: int, j: int) -> float:
        """The cue -> launch delay of unit u's next engagement of threat j: drawn per threat
        and round index (the uniform of the threat's next round)."""
        c = self.c
        return float(
            _c2_delay_s(
                c.u_c2_kind[u], c.u_c2_min[u], c.u_c2_mode[u], c.u_c2_max[u],
                self.night.c2_u[j, self.threats[j].shots],
            )
        )  # fmt: skip

    def pk_at_intercept(self, u: int, j: int, t_hit: float) -> float:
        """Single-shot kill probability of unit u's round meeting threat j at ``t_hit``: the
        Pk curve for its true kind at the normalised intercept range (flat: the type's pk)."""
        c, kind = self.c, self.night.kind[j]
        if c.u_pk_npts[u, kind] == 0:
            return float(c.u_pk[u, kind])
        night = self.night  # where the unit stands tonight (a mobile group moves)
        x = _intercept_range_fraction(night.routes[j], t_hit, night.unit_x[u], night.unit_y[u],
                                      c.u_rmax[u])  # fmt: skip
        return float(
            _pk_at(c.u_pk_npts[u, kind], c.u_pk_rf[u, kind], c.u_pk_val[u, kind],
                   c.u_pk[u, kind], x)
        )  # fmt: skip

    def start_reloads(self, t: float) -> None:
        """Units (in index order) that cannot fire another engagement reload from their pool."""
        c = self.c
        for unit in self.units:
            pool = int(c.u_pool[unit.index])
            if pool < 0 or unit.reloading or unit.ready >= self.s:
                continue
            k = min(int(c.u_cap[unit.index]) - unit.ready, self.stock[pool])
            if k > 0:
                self.stock[pool] -= k
                unit.reloading = True
                self.push(t + c.u_reload[unit.index], Event.RELOAD, ReloadDone(unit.index, k))


def run_reference(c: CompiledRaid, night: Night) -> NightOutcome:
    """Run one night with the readable reference engine."""
    return ReferenceNight(c, night).run()
