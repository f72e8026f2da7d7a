"""Construct HiGHS silently: the one place the package calls ``highspy.Highs()``.

highspy (1.16) prints a two-line banner ("Running HiGHS ...") on *stdout* from C++ when the
first ``Highs`` object of a process is constructed, before any option can be set, so
``output_flag = False`` alone cannot stop it and ``--json`` output would start with two
non-JSON lines. :func:`new_highs` therefore constructs the object with file descriptor 1
pointed at a temporary file (whose content, the banner, is dropped), and then switches every
kind of HiGHS output off (``output_flag``, ``log_to_console``).

The redirection is needed only while constructions still print: after the first construction
that writes nothing (highspy prints the banner once per process), later calls construct the
object directly, so threads writing to stdout are not disturbed in a long-running process.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import sys
import tempfile
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import highspy

_LOCK = threading.Lock()
#: True once a construction has been seen to write nothing on stdout (the banner is behind us).
_QUIET = False


def _flush_c_stdio() -> None:
    """Flush C ``stdout`` buffers so that buffered banner bytes land in the redirected file."""
    with contextlib.suppress(Exception):  # no libc symbol lookup on this platform
        ctypes.CDLL(None).fflush(None)


@contextlib.contextmanager
def _capture_stdout() -> Iterator[None]:
    """Point file descriptor 1 at a temporary file while the block runs; drop what lands there.

    Sets ``_QUIET`` when nothing was written (later constructions need no redirection)."""
    try:
        sys.stdout.flush()
    except (AttributeError, ValueError, OSError):
        pass
    try:
        saved = os.dup(1)
    except OSError:  # no usable fd 1 (closed stdout): nothing to protect
        yield
        return
    with tempfile.TemporaryFile() as tmp:
        try:
            os.dup2(tmp.fileno(), 1)
            try:
                yield
            finally:
                _flush_c_stdio()
                os.dup2(saved, 1)
        finally:
            os.close(saved)
        tmp.seek(0)
        text = tmp.read()
    global _QUIET
    if not text:
        _QUIET = True


def new_highs(threads: int | None = 1, **options: Any) -> highspy.Highs:
    """A ``highspy.Highs`` with all console output off and nothing printed on stdout.

    ``threads`` sets HiGHS' ``threads`` option (``None`` leaves HiGHS' default); further
    keyword ``options`` are passed to ``setOptionValue`` (for example ``time_limit=5.0``).
    """
    import highspy

    with _LOCK:
        if _QUIET:
            h = highspy.Highs()
        else:
            with _capture_stdout():
                h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("log_to_console", False)
    if threads is not None:
        h.setOptionValue("threads", int(threads))
    for name, value in options.items():
        h.setOptionValue(name, value)
    return h


__all__ = ["new_highs"]
