"""Fast-mode evaluations of the procurement optimiser, in this process or through the sweep
backends (local processes, a Dask cluster).

The unit of work is a :class:`FastJob`: a chunk of variants of one scenario's campaign (extra
deliveries and per-night caps, see :func:`airshield.campaign.engine.run_fast_variants`), its
replications and seed. Every variant's replication ``r`` sees the random numbers of replication
``r`` (child ``r`` of ``SeedSequence(seed)``) of a run of that variant alone, so how the variants
are split into jobs, which backend runs them and on how many workers never changes an answer.

A job carries its scenario's context (campaign, surrogate, attacker plan, the constraints'
pools and nights) pickled once by the driver; a worker unpickles it once per key and keeps it.
"""

from __future__ import annotations

import hashlib
import math
import pickle
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from airshield.campaign import Campaign
from airshield.campaign.surrogate import Surrogate
from airshield.campaign.tempo import AttackerPlan

F = NDArray[np.float64]
I = NDArray[np.int64]

#: the execution backends of the fast-mode evaluations: ``inline`` (this process, no copies)
#: and the sweep backends
FAST_BACKENDS = ("inline", "serial", "processes", "dask")


@dataclass
class FastContext:
    """What a worker needs to evaluate variants of one scenario."""

    campaign: Campaign
    surrogate: Surrogate
    plan: AttackerPlan
    objective: str  # harmful_leakers | damage_usd
    # per constraint: (pool index, nights counted) of a stockout constraint, (pool index, None)
    # of a min_stock constraint
    constraints: list[tuple[int, NDArray[np.bool_] | None]]


@dataclass(frozen=True)
class FastJob:
    """One chunk of variants: ``extra`` (K, nights, pools), ``caps`` (K, nights, pools) or None."""

    key: str
    context: bytes
    extra: I
    caps: I | None
    reps: int
    seed: int


@dataclass
class FastOutcome:
    """Per variant and replication the objective; per variant and constraint the share of
    replications with the pool empty on a counted night (stockout) or the mean end stock."""

    objective: F  # (K, R)
    stockout: F  # (K, C), nan where not a stockout constraint
    end_stock: F  # (K, C), nan where not a min_stock constraint


def evaluate(ctx: FastContext, extra: I, caps: I | None, reps: int, seed: int) -> FastOutcome:
    """Fast mode for every variant of the chunk with common random numbers."""
    from airshield.campaign.engine import run_fast_variants

    res = run_fast_variants(ctx.campaign, ctx.surrogate, reps, seed, extra, caps, plan=ctx.plan)
    return outcome_of(ctx, res, extra.shape[0], reps)


def outcome_of(ctx: FastContext, res: Any, k: int, reps: int) -> FastOutcome:
    """The objective and constraint values of a stacked run of ``k`` variants."""
    if ctx.objective == "damage_usd":
        per = np.asarray(res.damage_usd.sum(axis=1), np.float64)
    else:
        per = np.asarray(res.leaked_harmful().sum(axis=1), np.float64)
    nc = len(ctx.constraints)
    so = np.full((k, nc), np.nan)
    es = np.full((k, nc), np.nan)
    stock = res.stock_end.reshape(k, reps, res.stock_end.shape[1], -1)
    for j, (pk, mask) in enumerate(ctx.constraints):
        if mask is not None:
            so[:, j] = (stock[:, :, mask, pk] == 0).any(axis=2).mean(axis=1)
        else:
            es[:, j] = stock[:, :, -1, pk].mean(axis=1)
    return FastOutcome(per.reshape(k, reps), so, es)


_CONTEXTS: dict[str, FastContext] = {}


def run_fast_job(job: FastJob) -> FastOutcome:
    """A worker's entry (through :class:`airshield.sweep.worker.CallTask`)."""
    ctx = _CONTEXTS.get(job.key)
    if ctx is None:
        if len(_CONTEXTS) > 8:
            _CONTEXTS.clear()
        ctx = pickle.loads(job.context)  # our own driver's bytes
        _CONTEXTS[job.key] = ctx
    return evaluate(ctx, job.extra, job.caps, job.reps, job.seed)


class Evaluator:
    """Runs chunks of fast-mode variants: ``inline`` in this process (the default), or through a
    sweep backend (``serial``, local ``processes`` with ``workers``, ``dask`` with a scheduler
    address or a local cluster). The answer is the same for every backend and any number of
    workers (tested)."""

    def __init__(self, backend: str = "inline", workers: int = 1, scheduler: str | None = None):
        if backend not in FAST_BACKENDS:
            raise ValueError(f"unknown backend {backend!r}; expected one of {FAST_BACKENDS}")
        self.backend = backend
        self.workers = max(1, int(workers))
        self.scheduler = scheduler
        self._be: Any = None
        self._packed: dict[int, tuple[str, bytes]] = {}
        self.jobs = 0

    @property
    def fan_out(self) -> int:
        """How many jobs a batch of variants should at least be split into."""
        return 1 if self.backend in ("inline", "serial") else self.workers

    def _backend(self) -> Any:
        if self._be is None:
            from airshield.sweep.backends import make_backend

            self._be = make_backend(self.backend, self.workers, self.scheduler)
        return self._be

    def _pack(self, ctx: FastContext) -> tuple[str, bytes]:
        hit = self._packed.get(id(ctx))
        if hit is None:
            blob = pickle.dumps(ctx, protocol=pickle.HIGHEST_PROTOCOL)
            hit = (hashlib.sha256(blob).hexdigest()[:24], blob)
            self._packed[id(ctx)] = hit
        return hit

    def run(
        self, ctx: FastContext, extras: Sequence[I], caps: Sequence[I | None], reps: int,
        seed: int,
    ) -> list[FastOutcome]:  # fmt: skip
        """Every chunk ``(extras[i], caps[i])``; results in order."""
        self.jobs += len(extras)
        if self.backend == "inline":
            return [evaluate(ctx, e, c, reps, seed) for e, c in zip(extras, caps, strict=True)]
        key, blob = self._pack(ctx)
        jobs = [FastJob(key, blob, e, c, reps, seed) for e, c in zip(extras, caps, strict=True)]
        return self.map(f"{__name__}:run_fast_job", jobs)

    def run_many(
        self, chunks: Sequence[tuple[FastContext, I, I | None]], reps: int, seed: int
    ) -> list[FastOutcome]:
        """Chunks of several contexts (scenarios) in one batch; results in order."""
        if self.backend == "inline":
            self.jobs += len(chunks)
            return [evaluate(ctx, e, c, reps, seed) for ctx, e, c in chunks]
        self.jobs += len(chunks)
        jobs = []
        for ctx, e, c in chunks:
            key, blob = self._pack(ctx)
            jobs.append(FastJob(key, blob, e, c, reps, seed))
        return self.map(f"{__name__}:run_fast_job", jobs)

    def map(self, target: str, payloads: Sequence[Any]) -> list[Any]:
        """Plain calls ``target(payload)`` (``"airshield.module:function"``) through this
        evaluator's backend, results in order: other work of the same optimisation (the detailed
        screen's cells) shares its worker processes instead of starting a pool of its own."""
        from airshield.sweep.worker import CallTask, run_call

        if self.backend == "inline":
            return [run_call(CallTask(i, target, p)).value for i, p in enumerate(payloads)]
        from airshield.sweep.backends import map_calls

        be = self._backend()
        try:
            return map_calls(be, target, payloads)
        except KeyboardInterrupt:
            be.close(cancel=True)
            self._be = None
            raise

    def close(self) -> None:
        if self._be is not None:
            self._be.close()
            self._be = None
        self._packed.clear()


def chunk_size(n_variants: int, reps: int, max_rows: int, fan_out: int) -> int:
    """Variants per job: at most ``max_rows`` rows (variants x replications) in one vectorised
    pass, and at least ``fan_out`` jobs when there are enough variants."""
    per = max(1, max_rows // max(1, reps))
    if fan_out > 1:
        per = min(per, max(1, math.ceil(n_variants / fan_out)))
    return per
