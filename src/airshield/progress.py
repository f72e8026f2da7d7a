"""One progress helper for every long command: a bar with an estimate on a terminal, plain lines
with an estimate otherwise (logs, CI, pipes, notebooks).

``progress_reporter(progress, label)`` turns a command's ``progress`` argument (``True``,
``False`` or a callback) into ``(update, close)``: ``update(done, total)`` for one counter, or
``update(stage, done, total)`` through :class:`StagedProgress` for work with named stages (a
campaign's surrogate fit, then its replications). Output goes to stderr, so ``--json`` output on
stdout stays one document.

Plain-line mode prints at the first update, then at most every :data:`LINE_INTERVAL_S` seconds,
and at the end::

    replications: 400/1,000 (40 %), 12 s elapsed, about 18 s left
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import IO, Any

from airshield import fmt

LINE_INTERVAL_S = 5.0
Update = Callable[[int, int], None]
StagedUpdate = Callable[[str, int, int], None]


def estimate_left(done: int, total: int, elapsed_s: float) -> float | None:
    """Seconds left at the average rate so far (None before the first unit is done)."""
    if done <= 0 or total <= 0 or elapsed_s <= 0:
        return None
    return max(0.0, elapsed_s * (total - done) / done)


def progress_line(label: str, done: int, total: int, elapsed_s: float, done0: int = 0) -> str:
    """One plain progress line: ``label: done/total (share), elapsed, estimate`` (the rate is
    that of this run: units done before it started, ``done0``, do not count)."""
    share = f" ({done / total:.0%})" if total > 0 else ""
    left = estimate_left(done - done0, total - done0, elapsed_s)
    est = "" if left is None or done >= total else f", about {fmt.duration(left)} left"
    return (
        f"{label}: {fmt.count(done)}/{fmt.count(total)}{share}, "
        f"{fmt.duration(elapsed_s)} elapsed{est}"
    )


class StagedProgress:
    """Progress of one or more named stages; a rich bar per stage on a terminal, else lines."""

    def __init__(
        self,
        stream: IO[str] | None = None,
        interval_s: float = LINE_INTERVAL_S,
        terminal: bool | None = None,
    ) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.interval_s = interval_s
        isatty = getattr(self.stream, "isatty", lambda: False)
        self.terminal = bool(isatty()) if terminal is None else terminal
        self._started: dict[str, float] = {}
        self._last: dict[str, float] = {}
        self._final: set[str] = set()
        self._bar: Any = None
        self._tasks: dict[str, Any] = {}
        self.done0: dict[str, int] = {}

    def _rich(self) -> Any:
        if self._bar is None:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TaskProgressColumn,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self._bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TaskProgressColumn(),
                TimeElapsedColumn(),
                TextColumn("left"),
                TimeRemainingColumn(),
                console=Console(file=self.stream),
                transient=True,
            )
            self._bar.start()
        return self._bar

    def update(self, stage: str, done: int, total: int) -> None:
        """Record that ``done`` of ``total`` units of ``stage`` are finished."""
        now = time.monotonic()
        start = self._started.setdefault(stage, now)
        if self.terminal:
            bar = self._rich()
            if stage not in self._tasks:
                self._tasks[stage] = bar.add_task(
                    stage, total=total, completed=self.done0.get(stage, 0)
                )
            bar.update(self._tasks[stage], completed=done, total=total)
            return
        finished = total > 0 and done >= total
        if finished and stage in self._final:
            return
        last = self._last.get(stage)
        if last is None or finished or now - last >= self.interval_s:
            self._last[stage] = now
            if finished:
                self._final.add(stage)
            line = progress_line(stage, done, total, now - start, self.done0.get(stage, 0))
            self.stream.write(line + "\n")
            self.stream.flush()

    def close(self) -> None:
        """Stop the bar (terminal mode); nothing to do for plain lines."""
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


def progress_reporter(
    progress: bool | Update, label: str, done0: int = 0
) -> tuple[Update, Callable[[], None]]:
    """``(update(done, total), close)`` for a ``progress`` argument: a callback is used as it
    is, ``False`` reports nothing, ``True`` reports on stderr (bar or plain lines)."""
    if callable(progress):
        return progress, lambda: None
    if not progress:
        return (lambda done, total: None), (lambda: None)
    p = StagedProgress()
    p.done0[label] = done0
    return (lambda done, total: p.update(label, done, total)), p.close


def staged_reporter(
    progress: bool | StagedUpdate,
) -> tuple[StagedUpdate, Callable[[], None]]:
    """``(update(stage, done, total), close)`` for a ``progress`` argument (see
    :func:`progress_reporter`)."""
    if callable(progress):
        return progress, lambda: None
    if not progress:
        return (lambda stage, done, total: None), (lambda: None)
    p = StagedProgress()
    return p.update, p.close


__all__ = [
    "StagedProgress",
    "estimate_left",
    "progress_line",
    "progress_reporter",
    "staged_reporter",
]
