"""Compile every numba kernel ahead of time (``airshield warmup``), in parallel processes.

Numba compiles a kernel on its first call and keeps the machine code in its on-disk cache
(next to the module in ``__pycache__``, or under ``NUMBA_CACHE_DIR``); later processes load it in
a second or two. A fresh install therefore pays the compilation once. This module does it up
front, each kernel *group* in its own child process so that the groups compile side by side on
a multi-core machine:

* ``raid-night``: the event loop, the largest part of the raid kernel, called with the
  argument types the batch call gives it;
* ``raid-parts``: the batch call's other parts (the compiled draw, sensing, mobile dispatch,
  windows, tallies, buffers, scratch), called with the types the batch call uses;
* ``raid-batch``: the raid kernel's whole-replication batch call (what ``run``, ``demo``,
  sweeps and campaigns use). Asked for together with the two groups above it starts once they
  have finished and loads them from the cache (numba stores each compiled function, and a
  caller that finds its callee there links the stored code instead of compiling it again), so
  the two halves of its compilation run side by side; asked for alone it compiles everything.
  ``run`` and ``demo`` do not wait for it (:func:`prepare_run`): once the two groups above are
  cached they start replicating with the batch call's Python body over the compiled parts
  (the same numbers) while it compiles in a background process;
* ``raid-single``: the single-night call (sample nights, traces, kernel-against-reference
  checks) and the numpy draw path; after ``raid-night`` and ``raid-parts`` likewise. ``run``
  and ``demo`` do not need it, so they do not wait for it;
* ``assign``: the weapon-target assignment kernels (greedy, local search, pricing).

On Linux a caller with one thread forks its children (they start with its imported modules
and numba's loaded target, about a second of CPU each that a fresh interpreter would spend
first); elsewhere they are fresh interpreters. The compilation runs in child processes, not in
the caller: LLVM's working memory (a few hundred
MiB) is returned to the system when a child ends, so a run that starts its worker processes after
a warm-up forks them from a lean parent. ``airshield run`` / ``demo`` call :func:`prepare_run`,
with a progress line on stderr, when the cache lacks the raid kernel.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import IO, Protocol

#: kernel groups: the statement a child process runs to compile (or load) each one
GROUPS: dict[str, str] = {
    "raid-night": "from airshield.raid.engines import warm_up_night as w; w()",
    "raid-parts": "from airshield.raid.engines import warm_up_parts as w; w()",
    "raid-batch": "from airshield.raid.engines import warm_up_batch as w; w()",
    "raid-single": "from airshield.raid.engines import warm_up_single as w; w()",
    "assign": "from airshield.assign.warmup import warm_up as w; w()",
}
#: groups that wait for others when those are asked for too (they load their compiled callees
#: from the cache instead of compiling them)
AFTER: dict[str, tuple[str, ...]] = {
    "raid-batch": ("raid-night", "raid-parts"),
    "raid-single": ("raid-night", "raid-parts"),
}
#: the kernel whose cache entry stands for each group (compiled last of its group)
_MAIN_KERNEL: dict[str, tuple[str, str]] = {
    "raid-night": ("airshield.kernels.raid", "run_night_into"),
    "raid-parts": ("airshield.kernels.raid", "windows_of"),
    "raid-batch": ("airshield.kernels.raid", "run_batch"),
    "raid-single": ("airshield.kernels.raid", "run_night"),
    "assign": ("airshield.kernels.wta", "price_targets"),
}
#: what ``airshield run`` / ``demo`` need for the compiled batch call
RUN_GROUPS: tuple[str, ...] = ("raid-night", "raid-parts", "raid-batch")
#: what ``airshield run`` / ``demo`` need before their first replication: the batch call's
#: parts, which its Python body calls one by one until the batch call itself is compiled
#: (:func:`airshield.raid.montecarlo.batch_is_stepwise`; :func:`prepare_run`)
STEP_GROUPS: tuple[str, ...] = ("raid-night", "raid-parts")


@dataclass(frozen=True)
class GroupTiming:
    """One kernel group's warm-up: wall seconds of its child process and its CPU seconds."""

    group: str
    wall_s: float
    cpu_s: float


def cached(group: str) -> bool:
    """Whether numba's on-disk cache holds a current (same source) build of ``group``'s main
    kernel. Reads numba's cache index the way numba does; ``False`` when unsure."""
    try:
        import importlib

        module, name = _MAIN_KERNEL[group]
        kernel = getattr(importlib.import_module(module), name)
        cache = getattr(kernel, "_cache", None)
        index = cache._cache_file._load_index() if cache is not None else {}
        return bool(index)
    except Exception:  # a private numba structure: any surprise means "compile"
        return False


def warm_up(
    groups: Sequence[str] | None = None,
    *,
    parallel: bool = True,
    progress: Callable[[str], None] | None = None,
    while_waiting: Callable[[], None] | None = None,
) -> list[GroupTiming]:
    """Compile (or load) the kernels of ``groups`` (default: all) in child processes.

    With ``parallel`` (and more than one CPU) independent groups compile at the same time;
    ``progress`` receives one line as each group finishes; ``while_waiting`` runs in this
    process once the first children have started (work that overlaps their compilation).
    Raises ``RuntimeError`` with the child's error output when a group fails. Any error,
    ``while_waiting``'s or Ctrl-C included, stops the children before it propagates.
    """
    names = list(GROUPS) if groups is None else list(groups)
    unknown = [g for g in names if g not in GROUPS]
    if unknown:
        raise ValueError(f"unknown kernel group(s) {unknown}; expected some of {list(GROUPS)}")
    parallel = parallel and (os.cpu_count() or 1) > 1
    pending = list(names)
    running: dict[str, tuple[_Child, float, IO[bytes], IO[bytes]]] = {}
    done: list[GroupTiming] = []
    try:
        while pending or running:
            for g in list(pending):
                if any(b in pending or b in running for b in AFTER.get(g, ())):
                    continue
                if running and not parallel:
                    break
                out_f: IO[bytes] = tempfile.TemporaryFile()
                err_f: IO[bytes] = tempfile.TemporaryFile()
                running[g] = (_start(g, out_f, err_f), time.perf_counter(), out_f, err_f)
                pending.remove(g)
            if while_waiting is not None:
                task, while_waiting = while_waiting, None
                task()
            for g, (proc, t0, out_f, err_f) in list(running.items()):
                if proc.poll() is None:
                    continue
                out, err = _read(out_f), _read(err_f)
                if proc.returncode != 0:
                    raise RuntimeError(f"compiling kernel group {g!r} failed:\n{err[-2000:]}")
                del running[g]
                cpu = float(out.strip().splitlines()[-1]) if out.strip() else float("nan")
                timing = GroupTiming(g, time.perf_counter() - t0, cpu)
                done.append(timing)
                if progress is not None:
                    progress(f"{g}: {timing.wall_s:.1f} s")
            if running:
                time.sleep(0.05)
    except BaseException:
        for p, _t0, out_f, err_f in running.values():
            if p.poll() is None:
                p.kill()
            p.wait()
            out_f.close()
            err_f.close()
        raise
    return done


def ensure_warm(progress: Callable[[str], None] | None = None) -> list[GroupTiming]:
    """Warm up what a raid run needs (:data:`RUN_GROUPS`) unless it is cached already."""
    missing = [g for g in RUN_GROUPS if not cached(g)]
    return warm_up(missing, progress=progress) if missing else []


def prepare_run(
    say: Callable[[str], None], while_waiting: Callable[[], None] | None = None
) -> int | None:
    """Make a raid run ready to replicate, as ``airshield run`` and ``demo`` do: compile the
    :data:`STEP_GROUPS` that the cache lacks (side by side in child processes, a line to ``say``
    before and after; ``while_waiting`` runs meanwhile, and always runs), and when the cache
    lacks the batch call as well, start its compilation in a background process
    (:func:`compile_in_background`) instead of waiting for it: until it lands in the cache the
    run's replications call the compiled parts one by one (the same numbers, about 15 % slower).
    Returns the background process's pid, or ``None``."""
    missing = [g for g in STEP_GROUPS if not cached(g)]
    if missing:
        say("compiling the raid kernel (first run only)...")
        t0 = time.perf_counter()

        forks = _forks()
        if forks:  # the children inherit the loaded modules and numba's target
            _load_for_children()

        def meanwhile() -> None:
            if not forks:
                _load_numba_target()  # what this process's first kernel call would do after
            if while_waiting is not None:
                while_waiting()

        t = warm_up(missing, while_waiting=meanwhile)
        # the groups compile side by side: the wall time is the whole warm-up's, not their sum
        say(
            f"compiled in {time.perf_counter() - t0:.0f} s "
            f"({sum(x.cpu_s for x in t):.0f} s CPU in {len(t)} processes)"
        )
    elif while_waiting is not None:
        while_waiting()
    if cached("raid-batch"):
        return None
    pid = compile_in_background("raid-batch")
    if pid is not None:
        say(
            f"compiling the batch kernel in the background (pid {pid}, a few seconds); until it "
            "is ready replications call the compiled parts one by one (same numbers)"
        )
    return pid


def _load_numba_target() -> None:
    """Load numba's CPU target (its typing and lowering registries, numpy support and the BLAS
    check, about half a second) ahead of this process's first kernel call, which would
    otherwise do it; best effort (numba's registry module is semi-private)."""
    try:
        from numba.core.registry import cpu_target

        cpu_target.target_context.refresh()
    except Exception:  # an optimisation only: the first call does it anyway
        pass


#: a background compile's pid file older than this is stale (its process died unannounced)
_BACKGROUND_STALE_S = 900.0


def compile_in_background(group: str) -> int | None:
    """Start compiling ``group`` in a detached, low-priority child process that outlives this
    one (its output discarded; it only fills numba's cache), unless one started by an earlier
    call is still at it (a pid file in the temporary folder, per package, cache location and
    environment). Returns the child's pid, or ``None`` when one was running already."""
    if group not in GROUPS:
        raise ValueError(f"unknown kernel group {group!r}; expected one of {list(GROUPS)}")
    uid = getattr(os, "getuid", lambda: 0)()
    where = f"{os.path.dirname(__file__)}-{os.environ.get('NUMBA_CACHE_DIR', '')}"
    key = f"{group}-{where}-{sys.prefix}-{uid}"
    stamp = f"{zlib.crc32(key.encode()):08x}"
    pid_file = os.path.join(tempfile.gettempdir(), f"airshield-warmup-{stamp}.pid")
    try:
        with open(pid_file) as f:
            old = int(f.read().strip() or 0)
        fresh = time.time() - os.path.getmtime(pid_file) < _BACKGROUND_STALE_S
        if old > 0 and fresh:
            os.kill(old, 0)  # raises when no such process
            return None
    except (OSError, ValueError):
        pass
    code = (
        "import os\n"
        "if hasattr(os, 'nice'):\n"
        "    os.nice(10)\n"
        "try:\n"
        f"    {GROUPS[group]}\n"
        "finally:\n"
        "    try:\n"
        f"        os.unlink({pid_file!r})\n"
        "    except OSError:\n"
        "        pass\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    with open(pid_file, "w") as f:
        f.write(str(proc.pid))
    return proc.pid


class _Child(Protocol):
    """What :func:`warm_up` asks of a child process (a ``Popen`` or a :class:`_Forked`)."""

    @property
    def returncode(self) -> int | None: ...

    def poll(self) -> int | None: ...

    def kill(self) -> None: ...

    def wait(self) -> int: ...


class _Forked:
    """A forked child process, with the part of ``Popen``'s interface :func:`warm_up` uses."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def kill(self) -> None:
        if self.returncode is None:
            os.kill(self.pid, signal.SIGKILL)

    def wait(self) -> int:
        if self.returncode is None:
            _pid, status = os.waitpid(self.pid, 0)
            self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode


def _forks() -> bool:
    """Whether the children are forked from this process rather than started afresh: on Linux,
    from a process with one thread (forking a threaded process can copy a held lock). A forked
    child starts with this process's modules and numba's loaded target, which a fresh
    interpreter spends about a second of CPU on, in each child."""
    return sys.platform.startswith("linux") and threading.active_count() == 1


def _load_for_children() -> None:
    """Import what the raid groups run and load numba's target, once, in this process before
    it forks them (:func:`prepare_run`; the caller needs both for its own replications)."""
    import airshield.raid.engines
    import airshield.raid.montecarlo
    import airshield.scenario  # noqa: F401

    _load_numba_target()


def _start(group: str, out: IO[bytes], err: IO[bytes]) -> _Child:
    """A child process compiling ``group``, forked where :func:`_forks` allows it, a fresh
    interpreter otherwise; it prints its own CPU seconds last."""
    if not _forks():
        code = f"import time\n{GROUPS[group]}\nprint(time.process_time())\n"
        return subprocess.Popen([sys.executable, "-c", code], stdout=out, stderr=err)
    for stream in (sys.stdout, sys.stderr):  # nothing buffered here is written twice
        try:
            stream.flush()
        except (AttributeError, OSError, ValueError):
            pass
    pid = os.fork()
    if pid:
        return _Forked(pid)
    status = 1  # the child: compile, report, and leave without running this process's exits
    try:
        os.dup2(out.fileno(), 1)
        os.dup2(err.fileno(), 2)
        sys.stdout = os.fdopen(1, "w", closefd=False)
        sys.stderr = os.fdopen(2, "w", closefd=False)
        exec(GROUPS[group], {})
        sys.stdout.write(f"{time.process_time()}\n")  # this child's CPU only (reset at fork)
        status = 0
    except BaseException:
        try:
            sys.stderr.write(traceback.format_exc())
        except BaseException:
            pass
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(status)


def _read(f: IO[bytes]) -> str:
    f.seek(0)
    text = f.read().decode(errors="replace")
    f.close()
    return text


__all__ = [
    "GROUPS",
    "RUN_GROUPS",
    "STEP_GROUPS",
    "GroupTiming",
    "cached",
    "compile_in_background",
    "ensure_warm",
    "prepare_run",
    "warm_up",
]
