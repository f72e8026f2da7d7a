"""Worker processes that never outlive their sweep driver.

A sweep's process pool runs under a ``forkserver``: the driver starts the fork server, which
forks the workers. If the driver is killed (``kill -9``, OOM killer), nothing tells them, and
the fork server and every worker would stay alive holding their memory. Two guards, both cheap:

* on Linux, ``prctl(PR_SET_PDEATHSIG, SIGKILL)`` (through ctypes) in the fork server, armed when
  this module's importer finds itself running as one, and in every worker: a process gets
  SIGKILL from the kernel the moment its parent dies;
* in every worker, a daemon thread that waits on the driver's pid (a ``pidfd`` where the
  kernel has one, else a poll once a second) and exits the worker when the driver is gone,
  which also covers platforms without ``prctl``.
"""

from __future__ import annotations

import os
import signal
import sys
import threading

PR_SET_PDEATHSIG = 1
POLL_S = 1.0


def set_parent_death_signal(sig: int = signal.SIGKILL) -> bool:
    """Ask the kernel to send ``sig`` to this process when its parent dies (Linux only);
    return whether it was set."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0)) == 0
    except (OSError, AttributeError):  # pragma: no cover - no libc prctl
        return False


def in_forkserver() -> bool:
    """True in a multiprocessing fork server process (Linux: read from /proc/self/cmdline)."""
    try:
        with open("/proc/self/cmdline", "rb") as fh:
            return b"multiprocessing.forkserver import main" in fh.read()
    except OSError:
        return False


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # pragma: no cover - alive, owned by someone else
        return False
    return False


def _watch(pid: int) -> None:
    pidfd_open = getattr(os, "pidfd_open", None)
    if pidfd_open is not None:
        try:
            fd = pidfd_open(pid)
        except ProcessLookupError:
            os._exit(1)
        except OSError:  # pragma: no cover - kernel without pidfd: poll below
            fd = None
        if fd is not None:
            import select

            select.select([fd], [], [])  # readable once the process has exited
            os._exit(1)
    while not _gone(pid):  # pragma: no cover - platforms without pidfd
        threading.Event().wait(POLL_S)
    os._exit(1)  # pragma: no cover


def exit_with(driver_pid: int) -> None:
    """Process-pool initializer: end this worker when its parent or ``driver_pid`` dies."""
    set_parent_death_signal()
    if _gone(driver_pid):
        os._exit(1)
    threading.Thread(
        target=_watch, args=(driver_pid,), name="airshield-orphan-watch", daemon=True
    ).start()
