"""SIGINT while the coach answers (the terminal is not in the editor then): the first asks to
leave after the answer, a second interrupts as Python always does, so nothing can hang."""

from __future__ import annotations

import signal

import pytest

from rapport.adapters.terminal.console_prompt import _sigint_between_prompts


def test_a_first_sigint_is_noted_and_a_second_interrupts() -> None:
    before = signal.getsignal(signal.SIGINT)
    with _sigint_between_prompts() as interrupts:
        assert not interrupts.asked
        signal.raise_signal(signal.SIGINT)
        assert interrupts.asked  # noted, nothing raised: the answer being shown is not cut off
        with pytest.raises(KeyboardInterrupt):
            signal.raise_signal(signal.SIGINT)
    assert signal.getsignal(signal.SIGINT) is before
