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
from airshield.raid.compile import CompiledRaid, compile_scenario, draw_night
from airshield.raid.engines import NightOutcome, run_engine
from airshield.raid.result import RaidResult
from airshield.scenario import Scenario


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


def tally(c: CompiledRaid, target: NDArray[np.int64], out: NightOutcome) -> RepRecord:
    """Count one night's outcomes by threat type, effector type, asset and pool."""
    nt, ne, na = len(c.threat_types), len(c.effector_types), len(c.asset_names)
    tt = c.th_type
    outcomes = np.zeros((nt, 4), np.int64)
    outcomes[:, 0] = np.bincount(tt, minlength=nt)
    for f in range(3):
        outcomes[:, f + 1] = np.bincount(tt[out.fate == f], minlength=nt)
    by = out.agent >= 0
    eff = np.zeros_like(out.agent)
    eff[by] = c.u_eff[out.agent[by]]
    destroyed_by = np.zeros((nt, ne), np.int64)
    lost_by = np.zeros((nt, ne), np.int64)
    d = by & (out.fate == 0)
    lo = by & (out.fate == 1)
    np.add.at(destroyed_by, (tt[d], eff[d]), 1)
    np.add.at(lost_by, (tt[lo], eff[lo]), 1)
    shots = np.bincount(c.u_eff, weights=out.fired, minlength=ne).astype(np.int64)
    cost = np.bincount(c.u_eff, weights=out.fired * c.u_cost_shot, minlength=ne).astype(np.float64)
    hit = (out.fate == 2) & (c.tt_lethality[tt] > 0)
    hits = np.bincount(target[hit], minlength=na).astype(np.int64)
    # damage: each hit destroys `lethality` of what is left of the asset
    log_surv = np.bincount(
        target[hit], weights=np.log1p(-np.minimum(c.tt_lethality[tt[hit]], 1 - 1e-15)), minlength=na
    )
    damage = c.a_value * (1.0 - np.exp(log_surv))
    return RepRecord(
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


def run_replication(c: CompiledRaid, child: np.random.SeedSequence, engine: str) -> RepRecord:
    """One replication from its own seed sequence child."""
    rng = np.random.default_rng(child)
    night = draw_night(c, rng)
    return tally(c, night.target, run_engine(c, night, engine))


# ---- worker processes -----------------------------------------------------------------------
_WORKER_CACHE: dict[str, CompiledRaid] = {}


def _run_chunk(
    scenario_json: str, engine: str, items: list[tuple[int, np.random.SeedSequence]]
) -> list[tuple[int, RepRecord]]:
    c = _WORKER_CACHE.get(scenario_json)
    if c is None:
        _WORKER_CACHE.clear()
        c = compile_scenario(Scenario.model_validate_json(scenario_json))
        _WORKER_CACHE[scenario_json] = c
    return [(i, run_replication(c, child, engine)) for i, child in items]


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
    engine: str = "kernel",
    progress: bool | Callable[[int, int], None] = False,
) -> RaidResult:
    """Run ``reps`` replications of the scenario; see :class:`RaidResult`.

    ``progress`` may be True (a progress bar on stderr) or a callback ``(done, total)``.
    """
    if reps < 1:
        raise ValueError("reps must be >= 1")
    if workers < 1:
        raise ValueError("workers must be >= 1")
    if engine not in ("kernel", "reference"):
        raise ValueError(f"unknown engine {engine!r}; expected 'kernel' or 'reference'")
    c = compile_scenario(sc)
    children = np.random.SeedSequence(seed).spawn(reps)
    records: dict[int, RepRecord] = {}
    started = time.perf_counter()
    callback, closer = _progress(progress, reps)
    interrupted = False
    try:
        if workers == 1:
            for i, child in enumerate(children):
                records[i] = run_replication(c, child, engine)
                callback(len(records), reps)
        else:
            # replication 0 runs here first: it compiles (or loads) the kernels once, so the
            # workers find them in numba's cache instead of each compiling them
            records[0] = run_replication(c, children[0], engine)
            callback(1, reps)
            size = max(1, min(250, reps // (workers * 8) or 1))
            payload = sc.model_dump_json()
            with ProcessPoolExecutor(max_workers=workers, mp_context=process_context()) as pool:
                futures: list[Future[list[tuple[int, RepRecord]]]] = [
                    pool.submit(_run_chunk, payload, engine, [(i, children[i]) for i in rng_])
                    for rng_ in _chunks(reps, size, start=1)
                ]
                try:
                    for fut in as_completed(futures):
                        for i, rec in fut.result():
                            records[i] = rec
                        callback(len(records), reps)
                except KeyboardInterrupt:
                    for f in futures:
                        f.cancel()
                    raise
    except KeyboardInterrupt:
        interrupted = True
    finally:
        closer()
    return _assemble(c, sc, seed, reps, engine, records, time.perf_counter() - started, interrupted)


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
    engine: str,
    records: dict[int, RepRecord],
    elapsed: float,
    interrupted: bool,
) -> RaidResult:
    # keep the finished prefix 0..k-1 so that a partial result is itself reproducible
    done = 0
    while done in records:
        done += 1
    rows = [records[i] for i in range(done)]
    nt, ne, na = len(c.threat_types), len(c.effector_types), len(c.asset_names)
    nu, npool = len(c.unit_names), len(c.pool_names)

    def stack(name: str, shape: tuple[int, ...], dtype: type) -> NDArray[Any]:
        if not rows:
            return np.zeros((0, *shape), dtype)
        return np.stack([getattr(r, name) for r in rows]).astype(dtype)

    kinds = [THREAT_KINDS[k] for k in c.tt_kind]
    attacker_cost = float(c.tt_cost[c.th_type].sum())
    return RaidResult(
        scenario_name=sc.name,
        scenario_hash=sc.content_hash(),
        seed=seed,
        reps_requested=reps,
        engine=engine,
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
