"""Monte Carlo over replications: one ``SeedSequence`` child per replication.

Replication ``i`` always uses child ``i`` of ``SeedSequence(seed)``, whichever process runs it,
so the result is the same for any number of workers. An interrupted run (Ctrl-C) returns the
replications that finished, flagged ``interrupted``.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from airshield.catalog import THREAT_KINDS
from airshield.interrupts import held_interrupts
from airshield.kernels.raid import (
    KERNEL_DEBUG,
    Loadout,
    Tally,
    draw_into,
    draw_layout,
    ew_exponentials,
    extra_layout,
    new_tally,
    position_at,
    run_batch,
    tally_falls_into,
    tally_into,
)
from airshield.raid.compile import CompiledRaid, Night, compile_scenario, draw_night
from airshield.raid.engines import EngineChoice, NightOutcome, choose_engine
from airshield.raid.result import RaidResult
from airshield.scenario import Scenario
from airshield.vocab import Fate, Outcome, Route

#: replications per kernel call (memory of one night reused within a batch)
BATCH = 64


@dataclass
class RepRecord:
    """Per-replication tallies (the rows of RaidResult's arrays)."""

    outcomes: NDArray[np.int64]
    destroyed_by: NDArray[np.int64]
    lost_by: NDArray[np.int64]
    shots: NDArray[np.int64]
    cost_usd: NDArray[np.float64]
    unit_shots: NDArray[np.int64]
    hits: NDArray[np.int64]
    damage_usd: NDArray[np.float64]
    pool_drawn: NDArray[np.int64]
    # raid model v2: lost threats that still fell and did harm (zeros when the rule is off)
    fell: NDArray[np.int64] | None = None  # (threat types)
    fall_hits: NDArray[np.int64] | None = None  # (assets)
    fall_damage_usd: NDArray[np.float64] | None = None  # (assets)


def tally(
    c: CompiledRaid,
    target: NDArray[np.int64],
    out: NightOutcome,
    night: Night | None = None,
) -> RepRecord:
    """Count one night's outcomes by threat type, effector type, asset and pool (and, given the
    ``night``, the harmful falls of lost threats: raid model v2).

    The readable numpy statement of the tally; the engines use the compiled
    :func:`airshield.kernels.raid.tally_into`, tested equal to this."""
    nt, ne, na = len(c.threat_types), len(c.effector_types), len(c.asset_names)
    tt = c.th_type
    outcomes = np.zeros((nt, len(Outcome)), np.int64)
    outcomes[:, Outcome.LAUNCHED] = np.bincount(tt, minlength=nt)
    for f in (Fate.DESTROYED, Fate.LOST, Fate.LEAKED):
        outcomes[:, Outcome.of_fate(f)] = np.bincount(tt[out.fate == f], minlength=nt)
    by = out.agent >= 0
    eff = np.zeros_like(out.agent)
    eff[by] = c.u_eff[out.agent[by]]
    destroyed_by = np.zeros((nt, ne), np.int64)
    lost_by = np.zeros((nt, ne), np.int64)
    d = by & (out.fate == Fate.DESTROYED)
    lo = by & (out.fate == Fate.LOST)
    np.add.at(destroyed_by, (tt[d], eff[d]), 1)
    np.add.at(lost_by, (tt[lo], eff[lo]), 1)
    shots = np.bincount(c.u_eff, weights=out.fired, minlength=ne).astype(np.int64)
    cost = np.bincount(c.u_eff, weights=out.fired * c.u_cost_shot, minlength=ne).astype(np.float64)
    hit = (out.fate == Fate.LEAKED) & (c.tt_lethality[tt] > 0)
    hits = np.bincount(target[hit], minlength=na).astype(np.int64)
    # damage: each hit destroys `lethality` of what is left of the asset
    log_surv = np.bincount(
        target[hit], weights=np.log1p(-np.minimum(c.tt_lethality[tt[hit]], 1 - 1e-15)), minlength=na
    )
    damage = c.a_value * (1.0 - np.exp(log_surv))
    fell = np.zeros(nt, np.int64)
    fall_hits = np.zeros(na, np.int64)
    fall_log = np.zeros(na)
    if night is not None and c.lost_harm_share > 0:
        for j in np.flatnonzero(out.fate == Fate.LOST):
            t = int(tt[j])
            if not night.fall_u[j] < c.lost_harm_share or c.tt_lethality[t] <= 0:
                continue
            fell[t] += 1
            x, y = position_at(night.routes[j], out.fate_time_s[j])
            inside = np.flatnonzero((x - c.a_x) ** 2 + (y - c.a_y) ** 2 <= c.a_radius**2)
            if inside.size:
                fall_hits[inside[0]] += 1
                fall_log[inside[0]] += c.tt_log_survival[t]
    return RepRecord(
        fell=fell,
        fall_hits=fall_hits,
        fall_damage_usd=c.a_value * (1.0 - np.exp(fall_log)),
        outcomes=outcomes,
        destroyed_by=destroyed_by,
        lost_by=lost_by,
        shots=shots,
        cost_usd=cost,
        unit_shots=out.fired.astype(np.int64),
        hits=hits,
        damage_usd=damage,
        pool_drawn=(c.pool_stock0 - out.stock_end).astype(np.int64),
    )


@dataclass
class Block(RepRecord):
    """Tallies of consecutive replications ``start .. start + len - 1``: the fields of
    :class:`RepRecord` with a leading replication axis (RaidResult's arrays)."""

    start: int = 0

    def __len__(self) -> int:
        return int(self.outcomes.shape[0])

    @classmethod
    def of_tally(cls, c: CompiledRaid, start: int, t: Tally) -> Block:
        return cls(
            start=start, outcomes=t.outcomes, destroyed_by=t.destroyed_by, lost_by=t.lost_by,
            shots=t.shots, cost_usd=t.cost_usd, unit_shots=t.unit_shots, hits=t.hits,
            damage_usd=c.a_value * (1.0 - np.exp(t.log_survival)), pool_drawn=t.pool_drawn,
            fell=t.fell, fall_hits=t.fall_hits,
            fall_damage_usd=c.a_value * (1.0 - np.exp(t.fall_log_survival)),
        )  # fmt: skip


def empty_tally(c: CompiledRaid, nb: int) -> Tally:
    return new_tally(nb, len(c.threat_types), len(c.effector_types), len(c.unit_names),
                     len(c.asset_names), len(c.pool_names))  # fmt: skip


def draw_blocks(
    c: CompiledRaid, rngs: list[np.random.Generator]
) -> tuple[NDArray[np.float64], ...]:
    """Every draw of replications ``rngs`` (one generator each) in the kernel's three blocks
    (:func:`airshield.kernels.raid.draw_layout`), plus the cosine and sine of the aim angles
    (numpy's, as :func:`draw_night` computes them), then the draws of raid model v2
    (:func:`airshield.kernels.raid.extra_layout`): its uniforms and the EW exponentials."""
    n = c.n_threats
    doctrine = c.doctrine()
    k1, k2, k3 = draw_layout(n, int(c.s_x.shape[0]), doctrine)
    k4, n_ew = extra_layout(n, c.physics(), doctrine)
    nb = len(rngs)
    u1 = np.empty((nb, k1))
    z = np.empty((nb, k2))
    u2 = np.empty((nb, k3))
    u3 = np.empty((nb, k4))
    ew_e = np.empty((nb, n, n_ew))
    ms = c.max_shots
    for b, rng in enumerate(rngs):
        rng.random(out=u1[b])
        rng.standard_normal(out=z[b])
        rng.random(out=u2[b])
        if k4:
            rng.random(out=u3[b])
        if n_ew:
            u_shot = u2[b, k3 - n * (ms + c.max_ew) :].reshape(n, ms + c.max_ew)
            ew_e[b] = ew_exponentials(u_shot[:, ms:])
    ang = 2.0 * np.pi * u2[:, 1 : 2 * n : 2]
    return (u1, z, u2, np.ascontiguousarray(np.cos(ang)), np.ascontiguousarray(np.sin(ang)), u3,
            ew_e)  # fmt: skip


def draw_hunt_blocks(
    c: CompiledRaid, rngs: list[np.random.Generator]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The cheap layer's draws, after :func:`draw_blocks` from the same generators (as
    :func:`draw_night` draws them last): hunt-time normals and recovery uniforms, ``(n,
    max_shots)`` each per replication with team groups; nothing (``(B, 0)``) without, so older
    scenarios draw exactly what they always drew."""
    nb = len(rngs)
    k = c.n_threats * c.max_shots if c.any_team else 0
    zh = np.empty((nb, k))
    uh = np.empty((nb, k))
    if k:
        for b, rng in enumerate(rngs):
            rng.standard_normal(out=zh[b])
            rng.random(out=uh[b])
    return zh, uh


@dataclass(frozen=True)
class KernelDraw:
    """One replication as the compiled draw (:func:`airshield.kernels.raid.draw_into`) makes
    it inside the batch kernel, per threat: the fields of :class:`Night` it fills."""

    routes: NDArray[np.float64]
    target: NDArray[np.int64]
    speed: NDArray[np.float64]
    kind: NDArray[np.int64]
    pkind: NDArray[np.int64]
    value: NDArray[np.float64]
    recognised: NDArray[np.bool_]
    u_shot: NDArray[np.float64]
    t_track: NDArray[np.float64]
    s_idx: NDArray[np.int64]


def kernel_draw(c: CompiledRaid, rng: np.random.Generator) -> KernelDraw:
    """The compiled draw of one replication from ``rng`` (the same numbers as
    :func:`draw_night` from the same generator; the tests compare the two)."""
    u1, z, u2, ca, sa, _u3, _ew_e = draw_blocks(c, [rng])
    n = c.n_threats
    routes = np.empty((n, len(Route)))
    target, kind, pkind = (np.empty(n, np.int64) for _ in range(3))
    speed, value = np.empty(n), np.empty(n)
    recog = np.empty(n, np.bool_)
    u_shot, t_track, s_idx = draw_into(
        c.scene(), c.doctrine(), u1[0], z[0], u2[0], ca[0], sa[0], routes, target, speed, kind,
        pkind, value, recog,
    )  # fmt: skip
    return KernelDraw(routes, target, speed, kind, pkind, value, recog, u_shot, t_track, s_idx)


def batch_is_stepwise() -> bool:
    """Whether :func:`kernel_batch` runs the batch call's Python body over its compiled parts
    (*stepwise*) instead of the compiled batch call: while the batch call is neither compiled in
    this process nor in numba's cache but its parts (groups ``raid-night`` and ``raid-parts`` of
    :mod:`airshield.warmup`) are. That is a first run after install: ``run`` and ``demo`` compile
    the parts, start the batch call's compilation in the background and replicate at once. The
    numbers are the same (the same compiled functions, called from Python: a test compares the
    two); each replication costs about 15 % more (Python calls between the parts)."""
    if run_batch.signatures:
        return False
    from airshield.warmup import cached

    return not cached("raid-batch") and cached("raid-night") and cached("raid-parts")


def compile_first_in_children() -> None:
    """On a fresh install, compile the raid kernel in child processes, side by side
    (:func:`airshield.warmup.warm_up` of :data:`~airshield.warmup.RUN_GROUPS`), before this
    process's first kernel call would compile it here, serially (a first ``simulate`` of the
    reference raid: about 16.5 s instead of 28 s on two idle cores), and LLVM's working memory
    (about 200 MiB) leaves with the children. Only when
    the batch call's parts are not in numba's cache either (``run`` and ``demo`` have compiled
    those and left the batch call to a background process: then :func:`batch_is_stepwise`);
    never with ``AIRSHIELD_KERNEL_DEBUG`` (no cache to share). The children are waited for: no
    process is left behind. Called by :func:`kernel_batch`; a no-op once this process has the
    batch call."""
    global _PARTS_READY
    if _PARTS_READY or run_batch.signatures or KERNEL_DEBUG:
        return
    from airshield.warmup import cached, ensure_warm

    with _FIRST_COMPILE:  # two threads (a web app's requests) start one compilation
        if _PARTS_READY or (cached("raid-night") and cached("raid-parts")):
            _PARTS_READY = True
            return
        import logging

        log = logging.getLogger("airshield")
        log.info("compiling the raid kernel in child processes (first run only)")
        t = ensure_warm()
        log.info("compiled: %s", ", ".join(f"{x.group} {x.wall_s:.1f} s" for x in t))
        _PARTS_READY = True


#: the batch call's parts are known to be in numba's cache (:func:`compile_first_in_children`)
_PARTS_READY = False
_FIRST_COMPILE = threading.Lock()


def kernel_batch(
    c: CompiledRaid,
    rngs: list[np.random.Generator],
    loadout: Loadout | None = None,
    *,
    stepwise: bool | None = None,
) -> Tally:
    """Replications from ``rngs`` through the kernel, draw to tally in one compiled call
    (``loadout``: rounds at the start of the night instead of the compiled raid's own;
    ``stepwise``: the batch call's Python body over its compiled parts, same numbers; default
    :func:`batch_is_stepwise`)."""
    if stepwise is None:
        compile_first_in_children()
    with held_interrupts():  # Ctrl-C between calls, never inside compiled code
        u1, z, u2, ca, sa, u3, ew_e = draw_blocks(c, rngs)
        zh, uh = draw_hunt_blocks(c, rngs)
        out = empty_tally(c, len(rngs))
        ld = c.loadout() if loadout is None else loadout
        step = batch_is_stepwise() if stepwise is None else stepwise
        call = run_batch.py_func if step else run_batch
        call(c.scene(), c.units(), c.doctrine(), ld, u1, z, u2, ca, sa, out, c.physics(), u3,
             ew_e, zh, uh)  # fmt: skip
    return out


def reference_batch(c: CompiledRaid, rngs: list[np.random.Generator]) -> Tally:
    """Replications from ``rngs`` through the readable reference engine (same tally)."""
    from airshield.raid.reference import run_reference

    with held_interrupts():  # Ctrl-C between replications, never inside compiled code
        out = empty_tally(c, len(rngs))
        scene, units, loadout, physics = c.scene(), c.units(), c.loadout(), c.physics()
    for b, rng in enumerate(rngs):
        with held_interrupts():
            night = draw_night(c, rng)
            o = run_reference(c, night)
            tally_into(scene, units, loadout, night.target, o.fate, o.agent, o.fired,
                       o.stock_end, out, b)  # fmt: skip
            if physics.lost_harm_share > 0.0:
                tally_falls_into(scene, physics, night.routes, o.fate, o.fate_time_s,
                                 night.fall_u, out, b)  # fmt: skip
    return out


def run_block(
    c: CompiledRaid, start: int, children: list[np.random.SeedSequence], engine: str
) -> Block:
    """Replications ``start ..`` from their seed-sequence children with engine ``engine``
    (``kernel`` or ``reference``, already resolved)."""
    rngs = [np.random.default_rng(ch) for ch in children]
    fn = kernel_batch if engine == "kernel" else reference_batch
    return Block.of_tally(c, start, fn(c, rngs))


def run_replication(c: CompiledRaid, child: np.random.SeedSequence, engine: str) -> RepRecord:
    """One replication from its own seed sequence child."""
    b = run_block(c, 0, [child], choose_engine(engine, c.scenario.doctrine.assigner).engine)
    return RepRecord(
        outcomes=b.outcomes[0], destroyed_by=b.destroyed_by[0], lost_by=b.lost_by[0],
        shots=b.shots[0], cost_usd=b.cost_usd[0], unit_shots=b.unit_shots[0], hits=b.hits[0],
        damage_usd=b.damage_usd[0], pool_drawn=b.pool_drawn[0],
        fell=None if b.fell is None else b.fell[0],
        fall_hits=None if b.fall_hits is None else b.fall_hits[0],
        fall_damage_usd=None if b.fall_damage_usd is None else b.fall_damage_usd[0],
    )  # fmt: skip


# ---- worker processes -----------------------------------------------------------------------
_WORKER_CACHE: dict[str, CompiledRaid] = {}


def _run_chunk(
    scenario_json: str, engine: str, start: int, children: list[np.random.SeedSequence]
) -> Block:
    c = _WORKER_CACHE.get(scenario_json)
    if c is None:
        _WORKER_CACHE.clear()
        c = compile_scenario(Scenario.model_validate_json(scenario_json))
        _WORKER_CACHE[scenario_json] = c
    return run_block(c, start, children, engine)


def stop_workers(pool: ProcessPoolExecutor) -> None:
    """Cancel a pool's queued work and end its worker processes now, without waiting for the
    tasks they are running (``ProcessPoolExecutor.terminate_workers`` from Python 3.14; before
    it, the pool's own table of processes)."""
    terminate = getattr(pool, "terminate_workers", None)
    if terminate is not None:  # pragma: no cover - Python 3.14+
        terminate()
        return
    procs = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in procs:
        if proc.is_alive():
            proc.terminate()


def _chunks(n: int, size: int, start: int = 0) -> Iterator[range]:
    for first in range(start, n, size):
        yield range(first, min(n, first + size))


def process_context() -> mp.context.BaseContext:
    """``fork`` when this process has a single thread (fast, and a script without a
    ``__main__`` guard still works); otherwise ``forkserver`` (forking a threaded process can
    deadlock), or ``spawn`` where neither exists."""
    methods = mp.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return mp.get_context("fork")
    return mp.get_context("forkserver" if "forkserver" in methods else "spawn")


def simulate(
    sc: Scenario,
    reps: int = 100,
    seed: int = 0,
    *,
    workers: int = 1,
    engine: str = "auto",
    progress: bool | Callable[[int, int], None] = False,
) -> RaidResult:
    """Run ``reps`` replications of the scenario; see :class:`RaidResult`.

    ``engine``: ``auto`` (the kernel when it can run the scenario's assigner, else the
    reference engine, noted in the result), ``kernel`` or ``reference``
    (:func:`airshield.raid.engines.choose_engine`). ``progress`` may be True (a progress bar
    on stderr) or a callback ``(done, total)``.
    """
    if reps < 1:
        raise ValueError("reps must be >= 1")
    if workers < 1:
        raise ValueError("workers must be >= 1")
    choice = choose_engine(engine, sc.doctrine.assigner)
    engine = choice.engine
    c = compile_scenario(sc)
    children = np.random.SeedSequence(seed).spawn(reps)
    records: dict[int, Block] = {}
    started = time.perf_counter()
    callback, closer = _progress(progress, reps)
    interrupted = False
    done = 0
    try:
        if workers == 1:
            # about 50 progress updates, at most BATCH replications per kernel call
            size = max(1, min(BATCH, reps // 50)) if engine == "kernel" else 1
            for r in _chunks(reps, size):
                records[r.start] = run_block(c, r.start, children[r.start : r.stop], engine)
                done += len(r)
                callback(done, reps)
        else:
            # replication 0 runs here first: it compiles (or loads) the kernels once, so the
            # workers find them in numba's cache (or, forked, in memory) instead of each
            # compiling them
            records[0] = run_block(c, 0, children[:1], engine)
            done = 1
            callback(done, reps)
            size = max(1, min(250, reps // (workers * 8) or 1))
            payload = sc.model_dump_json()
            with ProcessPoolExecutor(max_workers=workers, mp_context=process_context()) as pool:
                futures: list[Future[Block]] = [
                    pool.submit(_run_chunk, payload, engine, r.start, children[r.start : r.stop])
                    for r in _chunks(reps, size, start=1)
                ]
                try:
                    for fut in as_completed(futures):
                        blk = fut.result()
                        records[blk.start] = blk
                        done += len(blk)
                        callback(done, reps)
                except KeyboardInterrupt:
                    # the chunks in flight would add nothing to the finished prefix: end them
                    # now instead of waiting for them (the pool's exit would)
                    stop_workers(pool)
                    raise
    except KeyboardInterrupt:
        interrupted = True
    finally:
        closer()
    return _assemble(c, sc, seed, reps, choice, records, time.perf_counter() - started, interrupted)


def _progress(
    progress: bool | Callable[[int, int], None], total: int
) -> tuple[Callable[[int, int], None], Callable[[], None]]:
    from airshield.progress import progress_reporter

    return progress_reporter(progress, "replications")


def _assemble(
    c: CompiledRaid,
    sc: Scenario,
    seed: int,
    reps: int,
    choice: EngineChoice,
    records: dict[int, Block],
    elapsed: float,
    interrupted: bool,
) -> RaidResult:
    # keep the finished prefix 0..k-1 so that a partial result is itself reproducible
    done = 0
    rows: list[Block] = []
    while done in records:
        rows.append(records[done])
        done += len(records[done])
    nt, ne, na = len(c.threat_types), len(c.effector_types), len(c.asset_names)
    nu, npool = len(c.unit_names), len(c.pool_names)

    def stack(name: str, shape: tuple[int, ...], dtype: type) -> NDArray[Any]:
        if not rows:
            return np.zeros((0, *shape), dtype)
        return np.concatenate([getattr(r, name) for r in rows]).astype(dtype)

    kinds = [THREAT_KINDS[k] for k in c.tt_kind]
    falls = c.lost_harm_share > 0
    attacker_cost = float(c.tt_cost[c.th_type].sum())
    return RaidResult(
        scenario_name=sc.name,
        scenario_hash=sc.content_hash(),
        seed=seed,
        reps_requested=reps,
        engine=choice.engine,
        engine_requested=choice.requested,
        engine_note=choice.note,
        threat_types=list(c.threat_types),
        threat_kinds=kinds,
        effector_types=list(c.effector_types),
        asset_names=list(c.asset_names),
        unit_names=list(c.unit_names),
        pool_names=list(c.pool_names),
        outcomes=stack("outcomes", (nt, 4), np.int64),
        destroyed_by=stack("destroyed_by", (nt, ne), np.int64),
        lost_by=stack("lost_by", (nt, ne), np.int64),
        shots=stack("shots", (ne,), np.int64),
        cost_usd=stack("cost_usd", (ne,), np.float64),
        unit_shots=stack("unit_shots", (nu,), np.int64),
        hits=stack("hits", (na,), np.int64),
        damage_usd=stack("damage_usd", (na,), np.float64),
        pool_drawn=stack("pool_drawn", (npool,), np.int64),
        # harmful falls only when the rule is on, so results without it read as before
        fell_harmful=stack("fell", (nt,), np.int64) if falls else None,
        fall_hits=stack("fall_hits", (na,), np.int64) if falls else None,
        fall_damage_usd=stack("fall_damage_usd", (na,), np.float64) if falls else None,
        attacker_cost_usd=attacker_cost,
        elapsed_s=elapsed,
        interrupted=interrupted or done < reps,
    )


def default_workers() -> int:
    """Worker processes to use by default: the CPUs available to this process."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - non-Linux
        return max(1, os.cpu_count() or 1)
