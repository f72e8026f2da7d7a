"""Ctrl-C held over a block: delivered once, after the block, to the handler installed before."""

from __future__ import annotations

import os
import signal
import sys
import threading

import pytest

from airshield.interrupts import held_interrupts

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")


def _interrupt() -> None:
    os.kill(os.getpid(), signal.SIGINT)


def test_a_signal_in_the_block_is_raised_after_it() -> None:
    steps = []
    with pytest.raises(KeyboardInterrupt):
        with held_interrupts():
            _interrupt()
            steps.append("after the signal")  # the block runs to its end
    assert steps == ["after the signal"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_no_signal_no_interruption() -> None:
    with held_interrupts():
        x = sum(range(1000))
    assert x == 499500
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_two_signals_are_delivered_once_to_the_handler_before() -> None:
    calls: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: calls.append(signum))
    try:
        with held_interrupts():
            _interrupt()
            _interrupt()
            assert calls == []
        assert calls == [signal.SIGINT]
    finally:
        signal.signal(signal.SIGINT, previous)


def test_nested_blocks_deliver_at_the_outer_end() -> None:
    steps = []
    with pytest.raises(KeyboardInterrupt):
        with held_interrupts():
            with held_interrupts():
                _interrupt()
            steps.append("between the blocks")  # the inner block hands it to the outer one
    assert steps == ["between the blocks"]


def test_a_block_that_raises_keeps_its_exception_and_the_handler_is_restored() -> None:
    with pytest.raises(ValueError, match="own"):
        with held_interrupts():
            _interrupt()
            raise ValueError("its own")
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_ignored_sigint_stays_ignored() -> None:
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with held_interrupts():
            _interrupt()
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, previous)


def test_outside_the_main_thread_it_is_a_no_op() -> None:
    seen: list[object] = []

    def body() -> None:
        with held_interrupts():  # signal.signal would raise ValueError here
            seen.append(signal.getsignal(signal.SIGINT))

    t = threading.Thread(target=body)
    t.start()
    t.join()
    assert seen == [signal.default_int_handler]


def test_a_held_function_keeps_its_name_and_result_and_delivers_after_it() -> None:
    from airshield.interrupts import holds_interrupts

    steps: list[str] = []

    @holds_interrupts
    def work(x: int) -> int:
        """Doubles."""
        _interrupt()
        steps.append("finished")
        return 2 * x

    assert work.__name__ == "work" and work.__doc__ == "Doubles."
    with pytest.raises(KeyboardInterrupt):
        work(2)
    assert steps == ["finished"]
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        assert work(3) == 6  # ignored: no interruption, the result comes back
    finally:
        signal.signal(signal.SIGINT, previous)
