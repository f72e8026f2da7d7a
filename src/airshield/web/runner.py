"""Background runs for the web app: a small thread pool, live progress, results into the store.

A run validates its scenario first (a scenario error is answered at once and never reaches the
store). Then the run is added to the store as ``running`` (holding its lease); a worker thread
simulates with a ``(done, total)`` progress callback, writes the HTML report and marks the run
``done``. Any exception marks the run ``failed`` with its message: the history is kept intact.

A run is cancelled server-side, between two replications, when it exceeds its time budget
(``max_run_s``) or when the server shuts down (SIGTERM): the engine stops with the replications
that finished, and the run is marked ``interrupted`` with their summary and report.
"""

from __future__ import annotations

import threading
import time
import traceback
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from airshield.store import RunStore

if TYPE_CHECKING:
    from airshield.scenario import Scenario


class Busy(RuntimeError):
    """Too many runs in progress."""


class RunCancelled(KeyboardInterrupt):
    """Raised from the progress callback to stop a run between replications. It is a
    ``KeyboardInterrupt`` because that is the engine's interruption path: ``simulate`` returns
    the finished replications (a reproducible prefix) instead of raising."""


@dataclass
class Progress:
    done: int = 0
    total: int = 0
    phase: str = "queued"  # queued, simulating, report, done, failed
    started: float = field(default_factory=time.monotonic)


class Runner:
    """Runs scenarios in worker threads and records them in the store."""

    def __init__(
        self,
        store: RunStore,
        report_dir: Path,
        max_active: int = 2,
        max_run_s: float | None = None,
    ) -> None:
        self.store = store
        self.max_run_s = max_run_s
        self._stopping = threading.Event()
        self.report_dir = report_dir
        self.report_dir.mkdir(parents=True, exist_ok=True)
        self.max_active = max_active
        self._pool = ThreadPoolExecutor(max_workers=max_active, thread_name_prefix="airshield-run")
        self._lock = threading.Lock()
        self._progress: dict[int, Progress] = {}
        self._futures: dict[int, Future[None]] = {}

    def active(self) -> int:
        with self._lock:
            return sum(1 for f in self._futures.values() if not f.done())

    def progress(self, run_id: int) -> Progress | None:
        with self._lock:
            return self._progress.get(run_id)

    def submit(self, sc: Scenario, text: str, reps: int, seed: int) -> int:
        """Start a run of a validated scenario; return its id (raises :class:`Busy`)."""
        with self._lock:
            if self._stopping.is_set():
                raise Busy("the server is shutting down")
            if sum(1 for f in self._futures.values() if not f.done()) >= self.max_active:
                raise Busy(f"{self.max_active} runs are in progress; wait for one to finish")
            run_id = self.store.create_run(
                scenario_name=sc.name,
                scenario_hash=sc.content_hash(),
                seed=seed,
                reps=reps,
                scenario_text=text,
            )
            self._progress[run_id] = Progress(total=reps)
            self._futures[run_id] = self._pool.submit(self._run, run_id, sc, reps, seed)
        return run_id

    def wait(self, run_id: int, timeout: float | None = None) -> None:
        with self._lock:
            fut = self._futures.get(run_id)
        if fut is not None:
            fut.result(timeout=timeout)

    def _set(self, run_id: int, **kw: object) -> None:
        with self._lock:
            p = self._progress.get(run_id)
            if p is not None:
                for k, v in kw.items():
                    setattr(p, k, v)

    def _run(self, run_id: int, sc: Scenario, reps: int, seed: int) -> None:
        started = time.perf_counter()
        deadline = None if self.max_run_s is None else time.monotonic() + self.max_run_s
        why: list[str] = []
        try:
            from airshield.raid import simulate
            from airshield.report import write_raid_report

            self._set(run_id, phase="simulating")

            def callback(done: int, total: int) -> None:
                self._set(run_id, done=done, total=total)
                if done >= total:
                    return
                if self._stopping.is_set():
                    why.append("interrupted: the server stopped during the run")
                    raise RunCancelled
                if deadline is not None and time.monotonic() > deadline:
                    why.append(f"interrupted: over the time budget of {self.max_run_s:g} s")
                    raise RunCancelled

            if self._stopping.is_set():
                raise RunCancelled
            result = simulate(sc, reps=reps, seed=seed, workers=1, progress=callback)
            interrupted = bool(why) or getattr(result, "interrupted", False)
            if interrupted and result.reps == 0:
                self.store.interrupt_run(
                    run_id,
                    why[0] if why else "interrupted",
                    elapsed_s=time.perf_counter() - started,
                )
                self._set(run_id, phase="interrupted")
                return
            self._set(run_id, phase="report")
            path = self.report_dir / f"run-{run_id}.html"
            write_raid_report(result, sc, path)
            if interrupted:
                reason = why[0] if why else "interrupted"
                self.store.interrupt_run(
                    run_id,
                    f"{reason}; {result.reps} of {reps} replications finished and are kept",
                    summary=result.summary(),
                    report_path=str(path),
                    elapsed_s=time.perf_counter() - started,
                )
                self._set(run_id, phase="interrupted")
                return
            self.store.finish_run(
                run_id,
                summary=result.summary(),
                report_path=str(path),
                elapsed_s=time.perf_counter() - started,
            )
            self._set(run_id, phase="done")
        except RunCancelled:
            self.store.interrupt_run(
                run_id, why[0] if why else "interrupted: the server stopped before the run began",
                elapsed_s=time.perf_counter() - started,
            )  # fmt: skip
            self._set(run_id, phase="interrupted")
        except Exception as exc:  # every failure is recorded, none escapes
            msg = f"{type(exc).__name__}: {exc}"
            tb = traceback.format_exc(limit=6)
            try:
                self.store.fail_run(run_id, f"{msg}\n\n{tb}", time.perf_counter() - started)
            finally:
                self._set(run_id, phase="failed")

    def shutdown(self, timeout_s: float = 10.0) -> None:
        """Stop: refuse new runs, cancel the runs in progress between two replications (they are
        marked ``interrupted`` with what finished), and wait up to ``timeout_s`` for them."""
        self._stopping.set()
        with self._lock:
            futures = list(self._futures.values())
        self._pool.shutdown(wait=False, cancel_futures=True)
        from concurrent.futures import wait

        wait(futures, timeout=timeout_s)
        # a queued run that never started, or one still in a step that cannot be cancelled
        # (seeding a very large run, a long replication): recorded here, so no run of a stopped
        # server is left 'running' (a late finish cannot flip it back: updates need 'running')
        for run_id, fut in list(self._futures.items()):
            if (not fut.done() or fut.cancelled()) and self.store.holds(run_id):
                self.store.interrupt_run(run_id, "interrupted: the server stopped during the run")
                self._set(run_id, phase="interrupted")
