"""The reference raid as an analyst would write it in SimPy: a peer for ``benchmarks/raid.py``.

    python benchmarks/peers/simpy_raid.py [--reps 5] [--seed 0] [--dt 5]

A time-stepped process model, straightforward rather than clever:

- the night's threats (routes, targets, values, tracking and decoy recognition) are drawn as
  AirShield draws them (:func:`airshield.raid.draw_night`), so both models fight the same raid;
- every threat is a SimPy *process* that waits for its launch and then moves along its route in
  fixed time steps of ``dt`` seconds until it is destroyed, lost or reaches its aim point;
- every fire unit's engagement channels are a ``simpy.Resource``, its magazine and every
  interceptor pool a ``simpy.Container``; a unit reloads from its pool (``reload_s``) when it
  cannot fire another engagement;
- a fire-control process wakes every step and assigns tracked, not-recognised, not-busy threats
  to units greedily by marginal gain (value x kill probability - weighted cost), within the
  cost threshold and keeping the ballistic reserve, when the interceptor's predicted intercept
  point (two fixed-point iterations of the lead) lies inside the unit's envelope;
- an engagement holds a channel, takes ``salvo`` rounds from the magazine, flies, and is
  assessed (shoot-look-shoot: one engagement in flight per threat, at most
  ``max_shots_per_threat`` rounds);
- an EW unit makes one attempt on each threat entering its envelope if a channel is free (at
  most ``max_ew_attempts`` per threat), holding the channel for its dwell.

The fixed step makes it slower and slightly less exact than AirShield's event-driven engine,
which is the point of the comparison; the neutralised fraction agrees within a couple of
points (``benchmarks/raid.py --peer`` prints both).
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import numpy as np
import simpy

import airshield
from airshield.kernels.raid import kinetic_eligible
from airshield.raid import compile_scenario, draw_night
from airshield.raid.compile import CompiledRaid
from airshield.vocab import EffectorKind, Route, ThreatKind

_eligible = kinetic_eligible.py_func


class SimpyRaid:
    """One compiled scenario, run as a SimPy model; :meth:`run` is one replication."""

    def __init__(self, c: CompiledRaid, dt_s: float = 5.0) -> None:
        self.c = c
        self.dt = dt_s

    def describe(self) -> str:
        return f"time step {self.dt:g} s, processes per threat, Resources and Containers"

    def neutralised_fraction(self, seed: int) -> float:
        out = self.run(seed)
        return (out["destroyed"] + out["lost"]) / max(1, out["launched"])

    def run(self, seed: int) -> dict[str, int]:
        c, dt = self.c, self.dt
        rng = np.random.default_rng(seed)
        night = draw_night(c, rng)
        n, nu = c.n_threats, len(c.unit_names)
        r = night.routes
        env = simpy.Environment()
        s = c.rounds_per_eng
        channels = [simpy.Resource(env, capacity=max(1, int(k))) for k in c.u_channels]
        kinetic = c.u_kind != EffectorKind.EW
        magazines = [
            simpy.Container(env, capacity=max(1, int(c.u_cap[u])), init=int(c.u_ready0[u]))
            for u in range(nu)
        ]
        pools = [simpy.Container(env, init=max(0, int(x))) for x in c.pool_stock0]
        reloading = np.zeros(nu, bool)
        pos = np.full((n, 2), np.nan)  # current position of threats in flight
        alt = np.zeros(n)
        state = np.zeros(n, np.int64)  # 0 waiting, 1 flying, 2 destroyed, 3 lost, 4 leaked
        busy = np.zeros(n, bool)
        shots = np.zeros(n, np.int64)
        ew_tries = np.zeros(n, np.int64)
        inside_ew = np.zeros((n, nu), bool)
        kill_u = rng.random((n, 64))  # this model's own shot draws
        kill_k = np.zeros(n, np.int64)

        def where(j: int, t: float) -> tuple[float, float, float]:
            k = 0 if t <= r[j, Route.T1] else 1
            ta, tb = r[j, Route.T0 + k], r[j, Route.T1 + k]
            f = 1.0 if tb <= ta else min(1.0, max(0.0, (t - ta) / (tb - ta)))
            x = r[j, Route.X0 + 2 * k] + f * (r[j, Route.X1 + 2 * k] - r[j, Route.X0 + 2 * k])
            y = r[j, Route.Y0 + 2 * k] + f * (r[j, Route.Y1 + 2 * k] - r[j, Route.Y0 + 2 * k])
            return x, y, r[j, Route.ALT0 + k]

        def threat(j: int):  # type: ignore[no-untyped-def]
            yield env.timeout(r[j, Route.T0])
            state[j] = 1
            while state[j] == 1:
                t = env.now
                if t >= r[j, Route.T2]:
                    state[j] = 4
                    pos[j] = np.nan
                    return
                pos[j, 0], pos[j, 1], alt[j] = where(j, t)
                yield env.timeout(min(dt, r[j, Route.T2] - t))
            pos[j] = np.nan

        def draw_kill(j: int, p: float) -> bool:
            k = kill_k[j]
            kill_k[j] += 1
            return bool(kill_u[j, k % 64] < p)

        def engage(u: int, j: int, tof: float):  # type: ignore[no-untyped-def]
            with channels[u].request() as req:
                yield req
                yield magazines[u].get(s)
                start_reload(u)
                yield env.timeout(tof + c.u_engtime[u])
                if state[j] == 1 and any(draw_kill(j, c.u_pk[u, night.kind[j]]) for _ in range(s)):
                    state[j] = 2
                busy[j] = False

        def reload(u: int):  # type: ignore[no-untyped-def]
            pool = pools[c.u_pool[u]]
            k = min(int(c.u_cap[u]) - int(magazines[u].level), int(pool.level))
            if k <= 0:
                reloading[u] = False
                return
            yield pool.get(k)
            yield env.timeout(c.u_reload[u])
            yield magazines[u].put(k)
            reloading[u] = False

        def start_reload(u: int) -> None:
            if c.u_pool[u] >= 0 and not reloading[u] and magazines[u].level < s:
                reloading[u] = True
                env.process(reload(u))

        def ew_attempt(u: int, j: int):  # type: ignore[no-untyped-def]
            with channels[u].request() as req:
                yield req
                ok = rng.random() < c.u_pk[u, night.kind[j]]
                yield env.timeout(c.u_engtime[u])
                if ok and state[j] == 1:
                    state[j] = 3

        def fire_control():  # type: ignore[no-untyped-def]
            ux, uy = c.u_x, c.u_y
            while True:
                t = env.now
                flying = np.flatnonzero(state == 1)
                if flying.size == 0 and (state == 0).sum() == 0:
                    return
                if flying.size:
                    dx = pos[flying, 0][:, None] - ux[None, :]
                    dy = pos[flying, 1][:, None] - uy[None, :]
                    d = np.hypot(dx, dy)
                    a = alt[flying][:, None]
                    inside = (d <= c.u_rmax) & (d >= c.u_rmin) & (a >= c.u_amin) & (a <= c.u_amax)
                    # EW: one attempt on entering the envelope
                    for q, u in zip(*np.nonzero(inside & ~kinetic[None, :] & ~inside_ew[flying]),
                                    strict=True):  # fmt: skip
                        j = flying[q]
                        if (ew_tries[j] < c.max_ew and channels[u].count < channels[u].capacity
                                and c.u_pk[u, night.kind[j]] > 0):  # fmt: skip
                            ew_tries[j] += 1
                            env.process(ew_attempt(int(u), int(j)))
                    inside_ew[flying] = inside & ~kinetic[None, :]
                    # kinetic: greedy by marginal gain over the feasible pairs
                    cand = []
                    near = np.nonzero((d <= c.u_rmax * 1.5) & kinetic[None, :])
                    for q, u in zip(*near, strict=True):
                        j = int(flying[q])
                        if (busy[j] or night.t_track[j] > t or night.recognised[j]
                                or shots[j] + s > c.max_shots):  # fmt: skip
                            continue
                        if (channels[u].count >= channels[u].capacity or reloading[u]
                                or magazines[u].level < s):  # fmt: skip
                            continue
                        ballistic = night.pkind[j] == ThreatKind.BALLISTIC_MISSILE
                        if not ballistic and magazines[u].level - s < c.u_reserve[u]:
                            continue
                        p = c.u_peff[u, night.pkind[j]]
                        v = night.value[j]
                        if not _eligible(p, c.u_engcost[u], c.u_cwcost[u], v, c.cost_threshold):
                            continue
                        # lead: where the interceptor meets the threat
                        tof = d[q, u] / c.u_speed[u]
                        for _ in range(2):
                            x, y, h = where(j, t + tof)
                            tof = math.hypot(x - ux[u], y - uy[u]) / c.u_speed[u]
                        dd = math.hypot(x - ux[u], y - uy[u])
                        if not (
                            c.u_rmin[u] <= dd <= c.u_rmax[u] and c.u_amin[u] <= h <= c.u_amax[u]
                        ):
                            continue
                        if t + tof > r[j, Route.T2]:
                            continue
                        cand.append((-(v * p - c.u_cwcost[u]), j, int(u), tof))
                    cand.sort()
                    for _g, j, u, tof in cand:
                        if busy[j] or magazines[u].level < s or reloading[u]:
                            continue
                        if channels[u].count + len(channels[u].queue) >= channels[u].capacity:
                            continue
                        busy[j] = True
                        shots[j] += s
                        env.process(engage(u, j, tof))
                yield env.timeout(dt)

        for u in range(nu):
            if kinetic[u]:
                start_reload(u)
        for j in range(n):
            env.process(threat(j))
        env.process(fire_control())
        env.run()
        return {
            "launched": n,
            "destroyed": int((state == 2).sum()),
            "lost": int((state == 3).sum()),
            "leaked": int((state == 4).sum()),
        }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--dt", type=float, default=5.0)
    args = ap.parse_args()
    path = Path(__file__).resolve().parents[2] / "examples" / "kyiv-2025-07-04.yaml"
    model = SimpyRaid(compile_scenario(airshield.load_scenario(path)), args.dt)
    for i in range(args.reps):
        out = model.run(args.seed + i)
        print(out, f"neutralised {(out['destroyed'] + out['lost']) / out['launched']:.3f}")


if __name__ == "__main__":
    main()
