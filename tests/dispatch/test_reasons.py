"""The one table of the optimiser's reason codes in words (中文 / English), and reading a stored
reason back."""

from __future__ import annotations

import pytest

from dispatch.reasons import OTHER, REASONS, read_reason
from optimizer import UnassignedReason


def test_every_reason_code_of_the_optimiser_has_words_in_both_languages() -> None:
    assert set(REASONS) == set(UnassignedReason)
    for code, words in REASONS.items():
        assert words.zh and words.en, code
        assert words.zh != words.en, code


@pytest.mark.parametrize(
    ("stored", "code", "zh", "detail"),
    [
        # What dispatch.record_result stores: the code, a colon, the optimiser's detail.
        (
            "deadline: delivery cannot start before 17:00",
            "deadline",
            "无法在预约期限前送达",
            "delivery cannot start before 17:00",
        ),
        # A code alone (the optimiser gave no detail).
        ("deferred_capacity", "deferred_capacity", "今日运力不足，延后", ""),
        # Spaces around the code are tolerated.
        ("  time_limit :  ran out ", "time_limit", "时间限制内未能安排", "ran out"),
    ],
)
def test_a_stored_reason_is_read_back_as_its_code_and_words(
    stored: str, code: str, zh: str, detail: str
) -> None:
    reason = read_reason(stored)
    assert (reason.code, reason.zh, reason.detail) == (code, zh, detail)
    assert reason.en == REASONS[UnassignedReason(code)].en


@pytest.mark.parametrize(
    "stored",
    [
        "车辆故障 / van broken down",  # a dispatcher's own words
        "unknown_code: something",  # a code the optimiser does not have
    ],
)
def test_a_reason_the_optimiser_did_not_give_is_kept_whole(stored: str) -> None:
    reason = read_reason(stored)
    assert (reason.code, reason.zh, reason.en, reason.detail) == (OTHER, stored, stored, "")
