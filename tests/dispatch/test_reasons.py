"""The one table of the reason codes in words (中文 / English): the optimiser's and the
calendar's; and reading a stored reason back."""

from __future__ import annotations

import pytest

from dispatch.reasons import (
    NO_VAN_DAY,
    OTHER,
    REASONS,
    SITE_CLOSED,
    ReasonText,
    read_reason,
    reason_text,
)
from optimizer import UnassignedReason


def test_every_reason_code_of_the_optimiser_and_the_calendar_has_words_in_both_languages() -> None:
    assert set(REASONS) == {r.value for r in UnassignedReason} | {SITE_CLOSED, NO_VAN_DAY}
    assert REASONS[UnassignedReason.DEADLINE] is REASONS["deadline"]  # the enum looks up too
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
        # The calendar's codes are read from the same table.
        ("site_closed: east closed", "site_closed", "站点当日闭馆，延后", "east closed"),
    ],
)
def test_a_stored_reason_is_read_back_as_its_code_and_words(
    stored: str, code: str, zh: str, detail: str
) -> None:
    reason = read_reason(stored)
    assert (reason.code, reason.zh, reason.detail) == (code, zh, detail)
    assert reason.en == REASONS[code].en == reason_text(code).en


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
    assert reason_text(stored) == ReasonText(stored, stored)
