"""A call run in a child process and stopped at its deadline (``optimizer._child``)."""

from __future__ import annotations

import time

import pytest

from optimizer._child import ChildFailed, call_until


def test_the_childs_answer_comes_back() -> None:
    assert call_until(lambda: {"routes": [1, 2, 3]}, time.perf_counter() + 30) == {
        "routes": [1, 2, 3]
    }


def test_a_call_past_its_deadline_is_stopped_and_answers_nothing() -> None:
    began = time.perf_counter()
    assert call_until(lambda: time.sleep(60), began + 0.2) is None
    # stopped where it stood, not awaited: well before the minute it would have taken
    assert time.perf_counter() - began < 10


def test_what_the_call_raised_is_raised_here() -> None:
    def broken() -> None:
        raise ValueError("no plan")

    with pytest.raises(ChildFailed, match="no plan"):
        call_until(broken, time.perf_counter() + 30)
