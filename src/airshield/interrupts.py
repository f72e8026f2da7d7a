"""Ctrl-C (SIGINT) held over a block of work that must not be cut in the middle.

Python raises ``KeyboardInterrupt`` at the next bytecode its main thread runs after the signal.
Inside a compiled numba call that can be a callback of the compiled code itself (numba
unpickles a returned named tuple's class, or an exception, through Python), and compiled code
does not expect an exception there: the call fails with ``SystemError`` and a later call into
the same kernels can crash the interpreter (a segmentation fault, seen as exit status -11 of an
``airshield run`` interrupted at its second replication). :func:`held_interrupts` therefore
takes the signal itself while the block runs and raises ``KeyboardInterrupt`` (or calls the
handler that was installed before it) once the block has finished, so an interruption lands
between blocks: a replication, a batch of replications, a committed sweep batch.
"""

from __future__ import annotations

import functools
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


@contextmanager
def held_interrupts() -> Iterator[None]:
    """Hold SIGINT until the block is done, then deliver it (main thread only; elsewhere, and
    where SIGINT is ignored or left to the system's default action, a no-op).

    A signal that came during the block is delivered once, after it: to the handler installed
    before (an enclosing :func:`held_interrupts` records it in turn), which by default raises
    ``KeyboardInterrupt``. A block that raises keeps its own exception."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGINT)
    if not callable(previous):  # SIG_IGN, SIG_DFL or a handler installed outside Python
        yield
        return
    caught: list[tuple[int, FrameType | None]] = []
    signal.signal(signal.SIGINT, lambda signum, frame: caught.append((signum, frame)))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if caught:
        previous(*caught[0])


def holds_interrupts(fn: Callable[P, R]) -> Callable[P, R]:
    """``fn`` with SIGINT held over each call (:func:`held_interrupts`): for functions that call
    compiled kernels and are called from loops a user may interrupt."""

    @functools.wraps(fn)
    def held(*args: P.args, **kwargs: P.kwargs) -> R:
        with held_interrupts():
            return fn(*args, **kwargs)

    return held


__all__ = ["held_interrupts", "holds_interrupts"]
