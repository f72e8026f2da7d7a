"""Compile every numba kernel ahead of time (``airshield warmup``), in parallel processes.

Numba compiles a kernel on its first call and keeps the machine code in its on-disk cache
(next to the module in ``__pycache__``, or under ``NUMBA_CACHE_DIR``); later processes load it in
a second or two. A fresh install therefore pays the compilation once. This module does it up
front, each kernel *group* in its own child process so that the groups compile side by side on
a multi-core machine:

* ``raid-night``: the event loop and its scratch, the largest part of the raid kernel, called
  with the argument types the batch call gives them;
* ``raid-parts``: the batch call's other parts (the compiled draw, sensing, mobile dispatch,
  windows, tallies, buffers), called with the types the batch call uses;
* ``raid-batch``: the raid kernel's whole-replication batch call (what ``run``, ``demo``,
  sweeps and campaigns use). Asked for together with the two groups above it starts once they
  have finished and loads them from the cache (numba stores each compiled function, and a
  caller that finds its callee there links the stored code instead of compiling it again), so
  the two halves of its compilation run side by side; asked for alone it compiles everything;
* ``raid-single``: the single-night call (sample nights, traces, kernel-against-reference
  checks) and the numpy draw path; after ``raid-night`` and ``raid-parts`` likewise. ``run``
  and ``demo`` do not need it, so they do not wait for it;
* ``assign``: the weapon-target assignment kernels (greedy, local search, pricing).

The compilation runs in child processes, not in the caller: LLVM's working memory (a few hundred
MiB) is returned to the system when a child ends, so a run that starts its worker processes after
a warm-up forks them from a lean parent. ``airshield run`` / ``demo`` call :func:`ensure_warm`
with a progress line on stderr when the cache lacks the batch kernel.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import IO

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
#: what ``airshield run`` / ``demo`` need before their first replication
RUN_GROUPS: tuple[str, ...] = ("raid-night", "raid-parts", "raid-batch")


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
) -> list[GroupTiming]:
    """Compile (or load) the kernels of ``groups`` (default: all) in child processes.

    With ``parallel`` (and more than one CPU) independent groups compile at the same time;
    ``progress`` receives one line as each group finishes. Raises ``RuntimeError`` with the
    child's error output when a group fails.
    """
    names = list(GROUPS) if groups is None else list(groups)
    unknown = [g for g in names if g not in GROUPS]
    if unknown:
        raise ValueError(f"unknown kernel group(s) {unknown}; expected some of {list(GROUPS)}")
    parallel = parallel and (os.cpu_count() or 1) > 1
    pending = list(names)
    running: dict[str, tuple[subprocess.Popen[bytes], float, IO[bytes], IO[bytes]]] = {}
    done: list[GroupTiming] = []
    finished: set[str] = set()
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
        for g, (proc, t0, out_f, err_f) in list(running.items()):
            if proc.poll() is None:
                continue
            out, err = _read(out_f), _read(err_f)
            if proc.returncode != 0:
                for p, *_ in running.values():
                    if p.poll() is None:
                        p.kill()
                raise RuntimeError(f"compiling kernel group {g!r} failed:\n{err[-2000:]}")
            del running[g]
            finished.add(g)
            cpu = float(out.strip().splitlines()[-1]) if out.strip() else float("nan")
            timing = GroupTiming(g, time.perf_counter() - t0, cpu)
            done.append(timing)
            if progress is not None:
                progress(f"{g}: {timing.wall_s:.1f} s")
        if running:
            time.sleep(0.05)
    return done


def ensure_warm(progress: Callable[[str], None] | None = None) -> list[GroupTiming]:
    """Warm up what a raid run needs (:data:`RUN_GROUPS`) unless it is cached already."""
    missing = [g for g in RUN_GROUPS if not cached(g)]
    return warm_up(missing, progress=progress) if missing else []


def _start(group: str, out: IO[bytes], err: IO[bytes]) -> subprocess.Popen[bytes]:
    """A child process compiling ``group``; it prints its own CPU seconds last."""
    code = f"import time\n{GROUPS[group]}\nprint(time.process_time())\n"
    return subprocess.Popen([sys.executable, "-c", code], stdout=out, stderr=err)


def _read(f: IO[bytes]) -> str:
    f.seek(0)
    text = f.read().decode(errors="replace")
    f.close()
    return text


__all__ = ["GROUPS", "RUN_GROUPS", "GroupTiming", "cached", "ensure_warm", "warm_up"]
