"""Raid engine benchmark: replications per second, CPU per replication, memory, kernel vs
reference, scaling in threats and fire units, and (``--peer``) a SimPy model side by side.

    python benchmarks/raid.py [--reps 2000] [--workers 2] [--repeats 5] [--quick] [--peer]
                              [--phases] [--v2]

Prints, for the reference raid (``examples/kyiv-2025-07-04.yaml``, after warm-up):

- replications/s with 1 and N worker processes: wall and CPU time (``time.process_time`` of
  this process plus the CPU of finished worker processes), min / median / max over
  ``--repeats`` runs, and whether N workers gave results identical to 1;
- CPU ms per replication on one core (the figure that does not depend on machine load);
- peak resident memory of this process and of the largest worker;
- phases (``--phases`` for this part only): CPU per replication of each phase of the kernel
  called on its own (numpy draws, compiled draw, windows, night, tally) and of the whole batch
  call, interleaved, min / median / max;
- the kernel against the readable reference engine on the same nights;
- scaling: CPU per replication against engagement windows, from 100 to 5,000 threats (waves
  scaled) and from 10 to 1,000 fire units (the laydown subsampled or tiled with offsets);
- raid model v2 on against off: CPU per replication of the kernel on the reference raid and on
  ``examples/kyiv-2025-07-04-engagement-v2.yaml`` (the same raid with Pk by range, hazard EW,
  firing ranges, shots per threat type and C2 delays on), interleaved, medians of
  ``--repeats`` and their ratio (the target: within 1.5x), and one reference-engine night each
  (``--v2`` runs only this part);
- ``--peer``: replications/s of AirShield and of ``benchmarks/peers/simpy_raid.py``, interleaved
  in one run, their ratio and their neutralised fractions;
- raid model v2 (``--v2`` for this part only): CPU ms per replication of the kernel on the
  reference raid as today and with each v2 configuration switched on (the cheap layer and
  sensing: ``examples/kyiv-cheap-layer-2026.yaml``), interleaved, medians of ``--repeats``, and
  the ratio to today (the target: at most 1.5x).

The machine's load (``os.getloadavg``) is printed before and after: on a shared machine CPU
time is the robust figure, wall time is not.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

import airshield
from airshield.kernels import raid as K
from airshield.raid import compile_scenario, draw_night
from airshield.raid.compile import CompiledRaid
from airshield.raid.engines import run_kernel, window_arrays
from airshield.raid.montecarlo import (
    draw_blocks,
    draw_hunt_blocks,
    empty_tally,
    kernel_batch,
    kernel_draw,
)
from airshield.raid.reference import run_reference

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
sys.path.insert(0, str(Path(__file__).resolve().parent))


def peak_rss_mib(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024.0


def cpu_s() -> float:
    """CPU seconds of this process and of its finished children."""
    ch = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + ch.ru_utime + ch.ru_stime


def load() -> str:
    a, b, c = os.getloadavg()
    return f"load average {a:.1f} / {b:.1f} / {c:.1f} on {os.cpu_count()} CPUs"


def spread(xs: list[float], fmt: str = "{:.1f}") -> str:
    return (
        f"median {fmt.format(statistics.median(xs))} (min {fmt.format(min(xs))}, "
        f"max {fmt.format(max(xs))}, {len(xs)} runs)"
    )


def scaled(sc: airshield.Scenario, total: int) -> airshield.Scenario:
    """The reference raid with every wave scaled so that the raid has about ``total`` threats."""
    f = total / sc.total_threats()
    waves = [w.model_copy(update={"count": max(1, round(w.count * f))}) for w in sc.waves]
    return sc.model_copy(update={"waves": waves})


def with_units(c: CompiledRaid, n_units: int, seed: int = 0) -> CompiledRaid:
    """The compiled raid with ``n_units`` fire units: the first ones of the laydown, or the
    laydown tiled with every copy moved by a random offset of up to 10 km."""
    nu = len(c.unit_names)
    idx = np.arange(n_units) % nu
    rng = np.random.default_rng(seed)
    off = rng.uniform(-10.0, 10.0, (n_units, 2)) * (np.arange(n_units) >= nu)[:, None]
    fields = {
        f.name: getattr(c, f.name)[idx]
        for f in dataclasses.fields(c)
        if f.name.startswith("u_") and isinstance(getattr(c, f.name), np.ndarray)
    }
    fields["u_x"] = fields["u_x"] + off[:, 0]
    fields["u_y"] = fields["u_y"] + off[:, 1]
    names = [f"{c.unit_names[i]}#{k}" for k, i in enumerate(idx)]
    return dataclasses.replace(c, unit_names=names, **fields)


def per_rep_cpu_ms(c: CompiledRaid, reps: int, seed: int = 7) -> float:
    rngs = [np.random.default_rng(seed + i) for i in range(reps)]
    kernel_batch(c, rngs[:1])
    t = time.process_time()
    kernel_batch(c, rngs)
    return (time.process_time() - t) / reps * 1e3


def throughput(sc: airshield.Scenario, reps: int, workers: int, repeats: int) -> None:
    results = []
    for w in sorted({1, workers}):
        walls, cpus = [], []
        for _ in range(repeats):
            c0, t0 = cpu_s(), time.perf_counter()
            r = sc.simulate(reps=reps, seed=1, workers=w)
            walls.append(time.perf_counter() - t0)
            cpus.append(cpu_s() - c0)
            results.append((w, r))
        rate = [reps / x for x in walls]
        print(f"{w} worker(s), {reps} reps: replications/s (wall) {spread(rate)}")
        print(f"{'':13}CPU ms per replication {spread([1e3 * x / reps for x in cpus], '{:.3f}')}")
    base = results[0][1]
    same = all(np.array_equal(base.outcomes, r.outcomes) for _, r in results)
    same &= all(np.array_equal(base.damage_usd, r.damage_usd) for _, r in results)
    print(f"identical across workers and repeats: {same}")


def scaling(sc: airshield.Scenario, quick: bool) -> None:
    print("\n# scaling: CPU per replication (draw + windows + night + tally) against windows")
    print(
        f"{'threats':>8} {'units':>6} {'all pairs':>10} {'windows':>8} {'ms/rep':>8} {'us/window':>10}"
    )

    def row(c: CompiledRaid) -> None:
        night = draw_night(c, np.random.default_rng(7))
        nw = len(window_arrays(c, night)[0])
        reps = max(3, min(200, int(40_000 / max(1, nw))))
        ms = per_rep_cpu_ms(c, reps // (4 if quick else 1) or 1)
        pairs = c.n_threats * len(c.unit_names)
        print(f"{c.n_threats:8d} {len(c.unit_names):6d} {pairs:10d} {nw:8d} {ms:8.2f} "
              f"{ms * 1e3 / max(1, nw):10.3f}")  # fmt: skip

    for total in (100, 300, 1000, 2000, 5000):
        row(compile_scenario(scaled(sc, total)))
    c = compile_scenario(sc)
    for nu in (10, 30, 100, 300, 1000):
        row(with_units(c, nu))


def phases(sc: airshield.Scenario, reps: int, repeats: int) -> None:
    """CPU per replication of each phase of the kernel, each called on its own (the batch call
    runs them back to back): the draws (numpy generators), the compiled draw of routes and
    perception, the windows, the night (event loop, with its scratch) and the tally."""
    c = compile_scenario(sc)
    n = c.n_threats
    scene, units, doctrine, physics, loadout = (c.scene(), c.units(), c.doctrine(), c.physics(),
                                                c.loadout())  # fmt: skip
    night = draw_night(c, np.random.default_rng(0))
    arr, extra = night.arrays(), night.extra()
    w, m = K.windows_of(units, doctrine, arr, K.new_windows(64 + 4 * n), physics)
    out = empty_tally(c, 1)
    fate, agent, fired, _ready, stock, _t = K.run_night(units, doctrine, loadout, arr, w, m,
                                                         physics, extra)  # fmt: skip

    def draws() -> None:
        rngs = [np.random.default_rng(i) for i in range(reps)]
        draw_blocks(c, rngs)
        draw_hunt_blocks(c, rngs)

    def compiled_draw() -> None:
        for i in range(reps):
            kernel_draw(c, np.random.default_rng(i))

    def windows() -> None:
        for _ in range(reps):
            K.windows_of(units, doctrine, arr, w, physics)

    def night_loop() -> None:
        for _ in range(reps):
            K.run_night(units, doctrine, loadout, arr, w, m, physics, extra)

    def tally_() -> None:
        for _ in range(reps):
            K.tally_into(scene, units, loadout, night.target, fate, agent, fired, stock, out, 0)

    def batch() -> None:
        kernel_batch(c, [np.random.default_rng(i) for i in range(reps)])

    parts: list[tuple[str, Callable[[], None]]] = [
        ("draws (numpy generators, per replication)", draws),
        ("draws + compiled draw of routes/perception", compiled_draw),
        (f"windows ({m} windows)", windows),
        ("night: events, epochs, assignment (with scratch)", night_loop),
        ("tally", tally_),
        ("whole batch call (all of the above)", batch),
    ]
    for _, f in parts:
        f()  # compile / load
    times: list[list[float]] = [[] for _ in parts]
    for _ in range(repeats):  # interleaved, so every phase sees the same load
        for k, (_, f) in enumerate(parts):
            t = time.process_time()
            f()
            times[k].append((time.process_time() - t) / reps * 1e3)
    print(f"\n# phases of one replication of the reference raid: CPU ms ({reps} x {repeats})")
    for (name, _), ts in zip(parts, times, strict=True):
        print(f"{name:50} {spread(ts, '{:.3f}')}")


def kernel_vs_reference(sc: airshield.Scenario, quick: bool) -> None:
    c = compile_scenario(sc)
    nights = [draw_night(c, np.random.default_rng(i)) for i in range(1 if quick else 3)]
    t = time.process_time()
    for n in nights:
        run_reference(c, n)
    t_ref = (time.process_time() - t) / len(nights)
    k = 60
    t = time.process_time()
    for i in range(k):
        run_kernel(c, nights[i % len(nights)])
    t_ker = (time.process_time() - t) / k
    print(
        f"\none night (CPU): reference {t_ref * 1e3:.0f} ms, kernel {t_ker * 1e3:.2f} ms "
        f"(single-night call), ratio {t_ref / t_ker:.0f}x"
    )


def v2_on_off(sc: airshield.Scenario, reps: int, repeats: int) -> None:
    """Kernel CPU per replication with the raid model v2 rules off (the reference raid) and on
    (its engagement-v2 variant), interleaved so both see the same machine load."""
    on_sc = airshield.load_scenario(EXAMPLES / "kyiv-2025-07-04-engagement-v2.yaml")
    c_off, c_on = compile_scenario(sc), compile_scenario(on_sc)
    off: list[float] = []
    on: list[float] = []
    for k in range(repeats):
        off.append(per_rep_cpu_ms(c_off, reps, seed=1000 * k))
        on.append(per_rep_cpu_ms(c_on, reps, seed=1000 * k))
    ratio = statistics.median(on) / statistics.median(off)
    print("\n# raid model v2 (Pk by range, hazard EW, release rules, C2 delay): kernel CPU")
    print(f"off (kyiv-2025-07-04)             : ms per replication {spread(off, '{:.3f}')}")
    print(f"on  (kyiv-2025-07-04-engagement-v2): ms per replication {spread(on, '{:.3f}')}")
    print(f"ratio on / off: {ratio:.2f}x (target <= 1.5x)")
    r_off = sc.simulate(reps=reps, seed=1)
    r_on = on_sc.simulate(reps=reps, seed=1)
    for name, r in (("off", r_off), ("on ", r_on)):
        o = r.outcomes.sum(axis=(0, 1)) / r.reps
        print(f"{name}: per night destroyed {o[1]:.1f}, lost {o[2]:.1f}, leaked {o[3]:.1f}, "
              f"rounds {r.shots.sum(axis=1).mean():.1f}")  # fmt: skip
    nights = [(c, draw_night(c, np.random.default_rng(5))) for c in (c_off, c_on)]
    for name, (c, n) in zip(("off", "on "), nights, strict=True):
        t = time.process_time()
        run_reference(c, n)
        print(f"reference engine, one night {name}: {1e3 * (time.process_time() - t):.0f} ms CPU")


def v2_configurations(sc: airshield.Scenario) -> list[tuple[str, airshield.Scenario]]:
    """The reference raid as today and with raid-model-v2 features switched on."""
    cheap = airshield.load_scenario(EXAMPLES / "kyiv-cheap-layer-2026.yaml")
    return [("today (kyiv-2025-07-04)", sc), ("cheap layer + sensing v2", cheap)]


def v2_speed(sc: airshield.Scenario, reps: int, repeats: int) -> None:
    configs = v2_configurations(sc)
    compiled = [compile_scenario(x) for _, x in configs]
    for c in compiled:
        per_rep_cpu_ms(c, 2)  # compile / load from cache
    times: list[list[float]] = [[] for _ in configs]
    for _ in range(repeats):  # interleaved, so every configuration sees the same load
        for k, c in enumerate(compiled):
            times[k].append(per_rep_cpu_ms(c, reps))
    print(f"\n# raid model v2: kernel CPU ms per replication ({reps} reps, {repeats} repeats)")
    base = statistics.median(times[0])
    for (name, _), ts in zip(configs, times, strict=True):
        print(f"{name:28} {spread(ts, '{:.3f}')}  ratio {statistics.median(ts) / base:.2f}x")


def peer(sc: airshield.Scenario, reps: int, peer_reps: int, rounds: int) -> None:
    from peers.simpy_raid import SimpyRaid

    model = SimpyRaid(compile_scenario(sc))
    c = compile_scenario(sc)
    ours: list[float] = []
    theirs: list[float] = []
    fr_ours: list[float] = []
    fr_theirs: list[float] = []
    run_peer: Callable[[int], float] = model.neutralised_fraction
    for k in range(rounds):  # interleaved, so both see the same machine load
        t = time.process_time()
        out = kernel_batch(c, [np.random.default_rng(k * 100_000 + i) for i in range(reps)])
        ours.append(reps / (time.process_time() - t))
        o = out.outcomes.sum(axis=1)
        fr_ours.append(float((o[:, 1] + o[:, 2]).sum() / o[:, 0].sum()))
        t = time.process_time()
        fr_theirs.append(float(np.mean([run_peer(k * 100_000 + i) for i in range(peer_reps)])))
        theirs.append(peer_reps / (time.process_time() - t))
    print(f"\n# peer: SimPy model of the same raid ({model.describe()})")
    print(f"airshield kernel: replications/s (CPU) {spread(ours)}")
    print(f"simpy model     : replications/s (CPU) {spread(theirs, '{:.2f}')}")
    print(f"ratio           : {statistics.median(ours) / statistics.median(theirs):.0f}x")
    print(
        f"neutralised fraction: airshield {np.mean(fr_ours):.3f} ({reps * rounds} reps), "
        f"simpy {np.mean(fr_theirs):.3f} ({peer_reps * rounds} reps), difference "
        f"{100 * (np.mean(fr_theirs) - np.mean(fr_ours)):+.1f} points"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=2000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--quick", action="store_true", help="fewer replications (smoke run)")
    ap.add_argument("--peer", action="store_true", help="only the SimPy peer comparison")
    ap.add_argument("--phases", action="store_true", help="only the per-phase CPU profile")
    ap.add_argument("--peer-reps", type=int, default=10, help="SimPy replications per round")
    ap.add_argument(
        "--v2",
        action="store_true",
        help="only the raid-model-v2 speed comparisons (engagement v2 on / off; cheap layer)",
    )
    args = ap.parse_args()
    reps = 200 if args.quick else args.reps
    repeats = 2 if args.quick else args.repeats

    sc = airshield.load_scenario(EXAMPLES / "kyiv-2025-07-04.yaml")
    print(f"# {load()}")
    t = time.process_time()
    sc.simulate(reps=2, seed=0)  # warm-up: numba compile / cache load
    print(f"# warm-up (numba cache load or compile): {time.process_time() - t:.1f} s CPU")
    print(f"# kyiv-2025-07-04: {sc.total_threats()} threats, airshield {airshield.__version__}")
    if args.peer:
        peer(sc, 200 if args.quick else 1000, 2 if args.quick else args.peer_reps, 3)
        print(f"# {load()}")
        return
    if args.phases:
        phases(sc, 100 if args.quick else 500, repeats)
        print(f"# {load()}")
        return
    if args.v2:
        v2_on_off(sc, reps, repeats)
        v2_speed(sc, reps, repeats)
        print(f"# {load()}")
        return
    throughput(sc, reps, args.workers, repeats)
    print(f"one core: {per_rep_cpu_ms(compile_scenario(sc), reps):.3f} ms CPU per replication")
    print(
        f"peak RSS: this process {peak_rss_mib():.0f} MiB, "
        f"largest worker {peak_rss_mib(resource.RUSAGE_CHILDREN):.0f} MiB"
    )
    phases(sc, 100 if args.quick else 500, repeats)
    kernel_vs_reference(sc, args.quick)
    v2_on_off(sc, reps, repeats)
    v2_speed(sc, reps, repeats)
    scaling(sc, args.quick)
    print(f"# {load()}")


if __name__ == "__main__":
    main()
