"""Plain function calls of the planners (attacker best responses, laydown coefficients) through
the sweep backends: in this process for one worker, local ``processes`` for more, ``dask`` with a
scheduler address.

Each call carries its own seeds (a seed-sequence child per replication or per coefficient
night), so neither the backend nor the number of workers changes an answer; results come back
in call order. A shared context (a scenario, a coefficient builder) is pickled once by the
driver and unpickled once per worker (:func:`context`).
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Sequence
from typing import Any

#: backends of :class:`CallRunner`: ``inline`` (this process, no copies) and the sweep backends
CALL_BACKENDS = ("inline", "serial", "processes", "dask")

_CONTEXTS: dict[str, Any] = {}


def pack(obj: Any) -> tuple[str, bytes]:
    """A context as (key, bytes) for :func:`context` in a worker."""
    blob = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    return hashlib.sha256(blob).hexdigest()[:24], blob


def context(key: str, blob: bytes) -> Any:
    """The unpickled context of ``key`` (kept per worker process)."""
    hit = _CONTEXTS.get(key)
    if hit is None:
        if len(_CONTEXTS) > 8:
            _CONTEXTS.clear()
        hit = _CONTEXTS[key] = pickle.loads(blob)  # our own driver's bytes
    return hit


class CallRunner:
    """Runs ``target(payload)`` calls (``"airshield.module:function"``) in order: ``inline``
    with one worker and no scheduler, else through a sweep backend (``processes`` with
    ``workers``, ``dask`` with ``scheduler``). The backend starts on the first fanned-out batch
    and is kept until :meth:`close`."""

    def __init__(self, workers: int = 1, scheduler: str | None = None) -> None:
        self.workers = max(1, int(workers))
        self.scheduler = scheduler
        if scheduler:
            self.backend = "dask"
        else:
            self.backend = "processes" if self.workers > 1 else "inline"
        self._be: Any = None
        self.calls = 0

    def map(self, target: str, payloads: Sequence[Any]) -> list[Any]:
        self.calls += len(payloads)
        if self.backend == "inline" or (len(payloads) <= 1 and self._be is None):
            from airshield.sweep.worker import CallTask, run_call

            return [run_call(CallTask(i, target, p)).value for i, p in enumerate(payloads)]
        from airshield.sweep.backends import make_backend, map_calls

        if self._be is None:
            self._be = make_backend(self.backend, self.workers, self.scheduler)
        try:
            return map_calls(self._be, target, payloads)
        except BaseException:
            self._be.close(cancel=True)
            self._be = None
            raise

    def close(self) -> None:
        if self._be is not None:
            self._be.close()
            self._be = None


__all__ = ["CALL_BACKENDS", "CallRunner", "context", "pack"]
