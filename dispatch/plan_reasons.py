"""Why a plan left a shipment out, in words (中文 / English): the optimiser's codes and the day's
calendar.

The optimiser's codes (:class:`optimizer.UnassignedReason`) come with the calendar's own:
a shipment to or from a site that is closed on the plan's day (``site_closed``) or that no
van calls at on that weekday (``no_van_day``) is deferred before the search, with one of
these. Branch h-desk keeps the optimiser codes' wording in ``dispatch.reasons``; the wording
below for those codes is the same, and the two tables are to become one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from optimizer import UnassignedReason

__all__ = ["NO_VAN_DAY", "PLAN_REASONS", "SITE_CLOSED", "ReasonWords", "reason_words"]

SITE_CLOSED = "site_closed"
"""The pickup or delivery site is closed on the plan's day (a closed date, or no hours)."""
NO_VAN_DAY = "no_van_day"
"""No van calls at the pickup or delivery site on the plan's weekday."""


@dataclass(frozen=True, slots=True)
class ReasonWords:
    """A reason code in words: ``zh`` first, ``en`` second."""

    zh: str
    en: str


PLAN_REASONS: Mapping[str, ReasonWords] = MappingProxyType(
    {
        UnassignedReason.DEFERRED_CAPACITY.value: ReasonWords(
            "今日运力不足，延后", "no room in today's vans: deferred"
        ),
        UnassignedReason.TIME_WINDOW.value: ReasonWords(
            "开放时间内无法完成", "cannot be picked up and delivered within opening hours"
        ),
        UnassignedReason.DEADLINE.value: ReasonWords(
            "无法在预约期限前送达", "cannot be delivered before its deadline"
        ),
        UnassignedReason.CAPACITY_EXCEEDS_VAN.value: ReasonWords(
            "超过任何一辆车的容量", "larger than any van's capacity"
        ),
        UnassignedReason.UNREACHABLE.value: ReasonWords(
            "道路不可达", "no path on the street network"
        ),
        UnassignedReason.SHIFT.value: ReasonWords(
            "超出司机班次或最长线路时间", "does not fit in any driver's shift or route length"
        ),
        UnassignedReason.SKILLS.value: ReasonWords(
            "没有车辆具备所需条件", "no van has what it needs"
        ),
        UnassignedReason.NO_VEHICLE.value: ReasonWords("没有任何车辆", "no van at all today"),
        UnassignedReason.TIME_LIMIT.value: ReasonWords(
            "时间限制内未能安排", "the planning time ran out before it was placed"
        ),
        UnassignedReason.LOCK_INFEASIBLE.value: ReasonWords(
            "无法按调度员锁定的车辆和顺序配送",
            "cannot be served on the van and in the order a dispatcher locked",
        ),
        SITE_CLOSED: ReasonWords("站点当日闭馆，延后", "a site is closed that day: deferred"),
        NO_VAN_DAY: ReasonWords(
            "当日无配送车到该站点，延后", "no van calls at a site that weekday: deferred"
        ),
    }
)
"""Every code a plan's unplanned shipment may carry (a test checks none is missing)."""


def reason_words(code: str) -> ReasonWords:
    """The words of ``code``; an unknown code is shown as it is, in both languages."""
    return PLAN_REASONS.get(code, ReasonWords(code, code))
