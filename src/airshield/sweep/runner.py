"""Run a sweep: open (or reopen) its directory, send the batches that are not done to a backend,
commit each batch's parts as it finishes, and report progress with an ETA."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from airshield.interrupts import held_interrupts
from airshield.store import SweepStore
from airshield.sweep.backends import BACKENDS, Backend, make_backend
from airshield.sweep.plan import SweepPlan, load_plan
from airshield.sweep.worker import BatchResult, BatchTask, SweepInterrupted
from airshield.workers import DEFAULT_WORKERS, resolve_workers

if TYPE_CHECKING:
    import pandas as pd

ProgressCallback = Callable[[int, int], None]


@dataclass
class SweepRun:
    """What one call of :func:`run_sweep` did."""

    out: Path
    name: str
    n_cells: int
    cells_done: int
    cells_run: int
    batches_run: int
    elapsed_s: float
    backend: str
    workers: int
    interrupted: bool

    @property
    def complete(self) -> bool:
        return self.cells_done == self.n_cells

    @property
    def cells_per_s(self) -> float:
        return self.cells_run / self.elapsed_s if self.elapsed_s > 0 else float("nan")

    def as_dict(self) -> dict[str, Any]:
        return {
            "out": str(self.out),
            "name": self.name,
            "n_cells": self.n_cells,
            "cells_done": self.cells_done,
            "cells_run": self.cells_run,
            "batches_run": self.batches_run,
            "elapsed_s": self.elapsed_s,
            "cells_per_s": self.cells_per_s,
            "backend": self.backend,
            "workers": self.workers,
            "interrupted": self.interrupted,
            "complete": self.complete,
        }

    def to_frame(self) -> pd.DataFrame:
        """The per-cell summary (one row per finished cell: parameters, outcome bands)."""
        from airshield.sweep.analysis import load_summary

        return load_summary(self.out)[0]

    def __repr__(self) -> str:
        from airshield.notebook import sweep_repr

        return sweep_repr(self)

    def _repr_html_(self) -> str:
        from airshield.notebook import sweep_html

        return sweep_html(self)

    @property
    def plot(self) -> Any:
        """The sweep report's figures: ``.influence(outcome)``, ``.response(outcome)``."""
        from airshield.notebook import SweepPlot

        return SweepPlot(self)


def default_workers() -> int:
    """One worker per CPU available to this process."""
    from airshield.workers import available_cpus

    return available_cpus()


def task_for(plan: SweepPlan, b: int) -> BatchTask:
    """The work item of batch ``b`` (plain data; no paths)."""
    from airshield.sweep.worker import CellTask

    return BatchTask(
        batch=b,
        cells=tuple(
            CellTask(c.index, c.seed, c.scenario_json, c.values, c.template_json)
            for c in plan.batch(b)
        ),
        reps=plan.spec.reps,
        engine=plan.spec.engine,
        outputs=tuple(plan.spec.outputs),
        param_names=tuple(p.name for p in plan.parameters),
        param_types=tuple(p.column_type for p in plan.parameters),
        base_kind=plan.spec.base.kind,
        mode=getattr(plan.spec.base, "mode", "fast"),
    )


def run_sweep(
    plan: SweepPlan | str | Path,
    out: str | Path,
    *,
    backend: str = "processes",
    workers: int | None = DEFAULT_WORKERS,
    scheduler: str | None = None,
    dask_processes: bool = True,
    progress: bool | ProgressCallback = False,
) -> SweepRun:
    """Run (or resume) a sweep into ``out``.

    ``backend`` is ``serial``, ``processes`` (default; ``workers`` local processes, default 1, 0
    or None one per CPU: :mod:`airshield.workers`) or ``dask`` (the scheduler at ``scheduler``, e.g. ``tcp://host:8786``, or else a local
    cluster of ``workers`` processes; ``dask_processes=False`` uses threads). Every check runs
    before the first batch starts. Ctrl-C stops after committing what finished; run again to
    resume. ``progress`` is True for a progress bar on stderr, or a callback ``(cells_done,
    n_cells)``.
    """
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r}; expected one of {BACKENDS}")
    if scheduler and backend != "dask":
        raise ValueError("a scheduler address needs backend='dask'")
    if not isinstance(plan, SweepPlan):
        plan = load_plan(plan)
    store = SweepStore.open(out, plan)  # locked against a second writer until closed
    try:
        return _run_open(store, plan, out, backend, workers, scheduler, dask_processes, progress)
    finally:
        store.close()


def _run_open(
    store: SweepStore,
    plan: SweepPlan,
    out: str | Path,
    backend: str,
    workers: int | None,
    scheduler: str | None,
    dask_processes: bool,
    progress: bool | ProgressCallback,
) -> SweepRun:
    todo = [b for b in range(plan.n_batches) if b not in store.done]
    started = time.perf_counter()
    run = SweepRun(
        out=Path(out),
        name=plan.spec.name,
        n_cells=plan.n_cells,
        cells_done=store.cells_done,
        cells_run=0,
        batches_run=0,
        elapsed_s=0.0,
        backend=backend,
        workers=0,
        interrupted=False,
    )
    if not todo:
        return run
    n = resolve_workers(workers)
    if backend != "dask" or not scheduler:
        n = max(1, min(n, len(todo)))
    callback, closer = _progress(progress, plan.n_cells, store.cells_done)
    be: Backend | None = None
    try:
        be = make_backend(backend, n, scheduler, dask_processes=dask_processes)
        run.workers = be.workers
        window = 1 if backend == "serial" else 2 * be.workers
        queue = list(reversed(todo))
        inflight: list[Any] = []
        while queue or inflight:
            while queue and len(inflight) < window:
                inflight.append(be.submit(task_for(plan, queue.pop())))
            for h in be.wait_any(inflight):
                inflight.remove(h)
                res = be.result(h)
                if not isinstance(res, BatchResult):  # the sweep submits batches only
                    raise TypeError(f"a sweep batch returned {type(res).__name__}")
                with held_interrupts():  # a finished batch is committed whole
                    store.commit(res)
                run.cells_run += len(res.cells)
                run.batches_run += 1
                run.cells_done = store.cells_done
                callback(run.cells_done, plan.n_cells)
    except (KeyboardInterrupt, SweepInterrupted):
        run.interrupted = True
    finally:
        closer()
        if be is not None:
            try:
                be.close(cancel=True)
            except KeyboardInterrupt:  # pragma: no cover - a second Ctrl-C while closing
                run.interrupted = True
        run.elapsed_s = time.perf_counter() - started
        run.cells_done = store.cells_done
    return run


def _progress(
    progress: bool | ProgressCallback, total: int, done0: int
) -> tuple[ProgressCallback, Callable[[], None]]:
    from airshield.progress import progress_reporter

    return progress_reporter(progress, "cells", done0)
