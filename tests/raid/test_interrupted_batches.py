"""Ctrl-C during a batch of replications lands after the batch's compiled calls, never inside
them (a signal taken inside compiled numba code could crash the interpreter later)."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import airshield
from airshield.raid import compile_scenario
from airshield.raid import montecarlo as mc
from airshield.raid import reference as ref

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")


def _interrupt() -> None:
    os.kill(os.getpid(), signal.SIGINT)


def test_reference_engine_finishes_the_replication_the_signal_came_in(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    c = compile_scenario(airshield.load_scenario(EXAMPLES / "one-battery.yaml"))
    calls: list[str] = []
    real_draw, real_run = mc.draw_night, ref.run_reference

    def draw(*args: Any) -> Any:
        calls.append("draw")
        if len(calls) == 1:
            _interrupt()  # during the first replication's draw (its compiled sensing follows)
        return real_draw(*args)

    def run(*args: Any) -> Any:
        calls.append("run")
        return real_run(*args)

    monkeypatch.setattr(mc, "draw_night", draw)
    monkeypatch.setattr(ref, "run_reference", run)
    rngs = [np.random.default_rng(s) for s in np.random.SeedSequence(5).spawn(3)]
    with pytest.raises(KeyboardInterrupt):
        mc.reference_batch(c, rngs)
    assert calls == ["draw", "run"]  # the first replication ran whole, the second never began
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_kernel_batch_runs_its_compiled_call_before_the_interruption(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    c = compile_scenario(airshield.load_scenario(EXAMPLES / "one-battery.yaml"))
    calls: list[str] = []
    real_blocks, real_batch = mc.draw_blocks, mc.run_batch

    def blocks(*args: Any) -> Any:
        calls.append("draw")
        _interrupt()
        return real_blocks(*args)

    def batch(*args: Any) -> Any:
        calls.append("batch")
        out = real_batch(*args)
        calls.append("batch done")
        return out

    monkeypatch.setattr(mc, "draw_blocks", blocks)
    monkeypatch.setattr(mc, "run_batch", batch)
    rngs = [np.random.default_rng(s) for s in np.random.SeedSequence(5).spawn(4)]
    with pytest.raises(KeyboardInterrupt):
        mc.kernel_batch(c, rngs, stepwise=False)
    assert calls == ["draw", "batch", "batch done"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_a_night_drawn_alone_finishes_its_compiled_sensing(monkeypatch: pytest.MonkeyPatch) -> None:
    """``draw_night`` outside any batch (laydown coefficients, traces) holds the signal too."""
    from airshield.raid import compile as rc

    c = compile_scenario(airshield.load_scenario(EXAMPLES / "one-battery.yaml"))
    calls: list[str] = []
    real_sense = rc.sense

    def sense(*args: Any) -> Any:
        _interrupt()
        out = real_sense(*args)
        calls.append("sensed")
        return out

    monkeypatch.setattr(rc, "sense", sense)
    with pytest.raises(KeyboardInterrupt):
        rc.draw_night(c, np.random.default_rng(1))
    assert calls == ["sensed"]
