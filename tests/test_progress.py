"""The one progress helper: plain lines with an estimate when not a terminal, callbacks as given."""

from __future__ import annotations

import io
import re

from airshield.progress import (
    StagedProgress,
    estimate_left,
    progress_line,
    progress_reporter,
    staged_reporter,
)


def test_estimate_is_the_average_rate_so_far() -> None:
    assert estimate_left(0, 10, 5.0) is None
    assert estimate_left(5, 10, 10.0) == 10.0
    assert estimate_left(10, 10, 10.0) == 0.0
    # resumed work: only this run's units set the rate
    line = progress_line("cells", 60, 100, 10.0, done0=50)
    assert line == "cells: 60/100 (60%), 10 s elapsed, about 40 s left"


def test_plain_lines_when_not_a_terminal() -> None:
    s = io.StringIO()
    p = StagedProgress(stream=s, interval_s=0.0)
    assert not p.terminal  # a StringIO is no terminal
    for done in (0, 250, 500, 1000, 1000):
        p.update("replications", done, 1000)
    p.close()
    lines = s.getvalue().splitlines()
    assert len(lines) == 4  # the final state is printed once
    assert lines[0].startswith("replications: 0/1,000 (0%)")
    assert re.fullmatch(
        r"replications: 250/1,000 \(25%\), \d+ s elapsed, about \d+ s left", lines[1]
    )
    assert lines[-1].startswith("replications: 1,000/1,000 (100%)")
    assert "left" not in lines[-1]


def test_plain_lines_are_throttled_but_first_and_last_shown() -> None:
    s = io.StringIO()
    p = StagedProgress(stream=s, interval_s=3600.0)
    for done in range(0, 101):
        p.update("cells", done, 100)
    lines = s.getvalue().splitlines()
    assert [ln.split(" ")[1] for ln in lines] == ["0/100", "100/100"]


def test_stages_are_reported_separately() -> None:
    s = io.StringIO()
    p = StagedProgress(stream=s, interval_s=0.0)
    p.update("surrogate fit", 1, 2)
    p.update("replications", 1, 4)
    p.update("surrogate fit", 2, 2)
    text = s.getvalue()
    assert "surrogate fit: 1/2" in text and "replications: 1/4" in text
    assert "surrogate fit: 2/2 (100%)" in text


def test_reporters_pass_callbacks_through_and_stay_silent_when_off() -> None:
    seen: list[tuple[int, int]] = []
    cb, close = progress_reporter(lambda d, t: seen.append((d, t)), "x")
    cb(1, 2)
    close()
    assert seen == [(1, 2)]
    cb, close = progress_reporter(False, "x")
    cb(1, 2)  # nothing happens
    close()
    staged: list[tuple[str, int, int]] = []
    scb, sclose = staged_reporter(lambda s, d, t: staged.append((s, d, t)))
    scb("a", 1, 1)
    sclose()
    assert staged == [("a", 1, 1)]
