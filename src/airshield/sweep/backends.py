"""Where batches run: in this process, in local worker processes, or on a Dask cluster.

Every backend runs the same :func:`~airshield.sweep.worker.run_batch` on the same tasks (or a
:class:`~airshield.sweep.worker.CallTask`, a plain function call of another layer); cells
carry their own seeds, so the results do not depend on the backend, the number of workers or
the order in which batches finish.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any, Protocol

from airshield.sweep.orphans import exit_with
from airshield.sweep.worker import BatchTask, CallResult, CallTask, TaskResult, run_task

BACKENDS = ("serial", "processes", "dask")


class Backend(Protocol):
    """What the driver needs from a backend."""

    name: str
    workers: int

    def submit(self, task: BatchTask | CallTask) -> Any: ...

    def wait_any(self, handles: Sequence[Any]) -> list[Any]: ...

    def result(self, handle: Any) -> TaskResult:
        """The finished task's result: a :class:`~airshield.sweep.worker.BatchResult` for a
        :class:`~airshield.sweep.worker.BatchTask`, a :class:`~airshield.sweep.worker.CallResult`
        for a :class:`~airshield.sweep.worker.CallTask`."""
        ...

    def close(self, cancel: bool = False) -> None: ...


class SerialBackend:
    """Runs each batch in this process when the driver waits for it."""

    name = "serial"

    def __init__(self) -> None:
        self.workers = 1
        self._results: dict[int, TaskResult] = {}

    def submit(self, task: BatchTask | CallTask) -> Any:
        return task

    def wait_any(self, handles: Sequence[Any]) -> list[Any]:
        task = handles[0]
        self._results[id(task)] = run_task(task)
        return [task]

    def result(self, handle: Any) -> TaskResult:
        return self._results.pop(id(handle))

    def close(self, cancel: bool = False) -> None:
        self._results.clear()


def mp_context() -> mp.context.BaseContext:
    """``forkserver`` where available (safe with threads, cheap workers), else ``spawn``."""
    methods = mp.get_all_start_methods()
    if "forkserver" in methods:
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload(["airshield.sweep.worker"])
        return ctx
    return mp.get_context("spawn")


class ProcessBackend:
    """A pool of local worker processes (``concurrent.futures``)."""

    name = "processes"

    def __init__(self, workers: int) -> None:
        self.workers = workers
        # workers end when the driver dies, even by kill -9 (see airshield.sweep.orphans)
        self._pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=mp_context(),
            initializer=exit_with,
            initargs=(os.getpid(),),
        )

    def submit(self, task: BatchTask | CallTask) -> Any:
        return self._pool.submit(run_task, task)

    def wait_any(self, handles: Sequence[Any]) -> list[Any]:
        done, _ = wait(handles, return_when=FIRST_COMPLETED)
        return list(done)

    def result(self, handle: Future[TaskResult]) -> TaskResult:
        return handle.result()

    def close(self, cancel: bool = False) -> None:
        self._pool.shutdown(wait=True, cancel_futures=cancel)


class DaskBackend:
    """A Dask distributed cluster: a running scheduler, or a local cluster started here.

    Workers of a remote cluster need ``airshield`` installed (the same version); they return
    tables to this process, which writes every part, so no shared disk is needed.
    """

    name = "dask"

    def __init__(
        self,
        scheduler: str | None = None,
        workers: int = 1,
        *,
        local_processes: bool = True,
        timeout_s: float = 30.0,
    ) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise RuntimeError(
                "the dask backend needs dask distributed: pip install 'airshield[dist]'"
            ) from exc
        self._cluster: Any = None
        if scheduler:
            self._client = Client(scheduler, timeout=f"{timeout_s}s")
        else:
            # a local cluster listens on the loopback only (threads: in-process transport)
            where = {"host": "127.0.0.1"} if local_processes else {}
            self._cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=local_processes,
                dashboard_address=None,
                **where,
            )
            self._client = Client(self._cluster, timeout=f"{timeout_s}s")
        nthreads = self._client.nthreads()
        self.workers = max(1, sum(nthreads.values()))
        self.address = str(self._client.scheduler.address) if self._client.scheduler else ""

    def submit(self, task: BatchTask | CallTask) -> Any:
        return self._client.submit(run_task, task, pure=False)

    def wait_any(self, handles: Sequence[Any]) -> list[Any]:
        from distributed import wait as dwait

        done, _ = dwait(list(handles), return_when="FIRST_COMPLETED")
        return list(done)

    def result(self, handle: Any) -> TaskResult:
        res: TaskResult = handle.result()
        handle.release()
        return res

    def close(self, cancel: bool = False) -> None:
        try:
            self._client.close()
        finally:
            if self._cluster is not None:
                self._cluster.close()


def make_backend(
    backend: str,
    workers: int,
    scheduler: str | None = None,
    *,
    dask_processes: bool = True,
) -> Backend:
    """A backend by name: ``serial``, ``processes`` or ``dask`` (remote if ``scheduler``)."""
    if backend == "serial":
        return SerialBackend()
    if backend == "processes":
        return ProcessBackend(workers)
    if backend == "dask":
        return DaskBackend(scheduler, workers, local_processes=dask_processes)
    raise ValueError(f"unknown backend {backend!r}; expected one of {BACKENDS}")


def map_calls(be: Backend, target: str, payloads: Sequence[Any]) -> list[Any]:
    """``target(payload)`` (``"airshield.module:function"``) for each payload as a
    :class:`~airshield.sweep.worker.CallTask` on ``be``, the values in payload order (whatever
    order they finish in). What to do with the backend when a call fails is the caller's."""
    pending = [be.submit(CallTask(i, target, p)) for i, p in enumerate(payloads)]
    out: list[Any] = [None] * len(pending)
    while pending:
        for h in be.wait_any(pending):
            pending.remove(h)
            r = be.result(h)
            if not isinstance(r, CallResult):  # only calls are submitted here
                raise TypeError(f"a call returned {type(r).__name__}")
            out[r.batch] = r.value
    return out
