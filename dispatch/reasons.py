"""Why a transfer waits (延后): every reason code in words staff read, 中文 and English.

Two sources give codes. The optimiser reports each shipment it leaves out with a code of its
closed vocabulary (:class:`optimizer.UnassignedReason`); the day's calendar defers a shipment
to or from a site closed on the plan's day (:data:`SITE_CLOSED`) or that no van calls at on
that weekday (:data:`NO_VAN_DAY`) before the search. :func:`dispatch.record_result` stores the
code on every transfer of the shipment as ``"<code>: <detail>"`` (``Transfer.deferred_reason``).

This is the one table of the codes' wording (:data:`REASONS`): the route sheets, the plans'
unplanned shipments, the service's list of unplanned transfers and any later page read it
here, never a copy.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from optimizer import UnassignedReason

__all__ = [
    "NO_VAN_DAY",
    "OTHER",
    "REASONS",
    "SITE_CLOSED",
    "DeferredReason",
    "ReasonText",
    "read_reason",
    "reason_text",
]

SITE_CLOSED = "site_closed"
"""The pickup or delivery site is closed on the plan's day (a closed date, or no hours)."""
NO_VAN_DAY = "no_van_day"
"""No van calls at the pickup or delivery site on the plan's weekday."""
OTHER = "other"
"""The code of a stored reason no one in this table gave (e.g. a dispatcher's own words)."""


@dataclass(frozen=True, slots=True)
class ReasonText:
    """A reason code in words: ``zh`` first, ``en`` second."""

    zh: str
    en: str


REASONS: Mapping[str, ReasonText] = MappingProxyType(
    {
        UnassignedReason.DEFERRED_CAPACITY.value: ReasonText(
            "今日运力不足，延后", "no room in today's vans: deferred"
        ),
        UnassignedReason.TIME_WINDOW.value: ReasonText(
            "开放时间内无法完成", "cannot be picked up and delivered within opening hours"
        ),
        UnassignedReason.DEADLINE.value: ReasonText(
            "无法在预约期限前送达", "cannot be delivered before its deadline"
        ),
        UnassignedReason.CAPACITY_EXCEEDS_VAN.value: ReasonText(
            "超过任何一辆车的容量", "larger than any van's capacity"
        ),
        UnassignedReason.UNREACHABLE.value: ReasonText(
            "道路不可达", "no path on the street network"
        ),
        UnassignedReason.SHIFT.value: ReasonText(
            "超出司机班次或最长线路时间", "does not fit in any driver's shift or route length"
        ),
        UnassignedReason.SKILLS.value: ReasonText(
            "没有车辆具备所需条件", "no van has what it needs"
        ),
        UnassignedReason.NO_VEHICLE.value: ReasonText("没有任何车辆", "no van at all today"),
        UnassignedReason.TIME_LIMIT.value: ReasonText(
            "时间限制内未能安排", "the planning time ran out before it was placed"
        ),
        UnassignedReason.LOCK_INFEASIBLE.value: ReasonText(
            "无法按调度员锁定的车辆和顺序配送",
            "cannot be served on the van and in the order a dispatcher locked",
        ),
        SITE_CLOSED: ReasonText("站点当日闭馆，延后", "a site is closed that day: deferred"),
        NO_VAN_DAY: ReasonText(
            "当日无配送车到该站点，延后", "no van calls at a site that weekday: deferred"
        ),
    }
)
"""The wording of every code a shipment left out may carry, keyed by the code's text (an
:class:`optimizer.UnassignedReason` looks itself up too, being a ``str``); a test checks
that none is missing."""


def reason_text(code: str) -> ReasonText:
    """The words of ``code``; an unknown code is shown as it is, in both languages."""
    return REASONS.get(code, ReasonText(code, code))


@dataclass(frozen=True, slots=True)
class DeferredReason:
    """A stored reason read back: its ``code`` (a code of :data:`REASONS` or :data:`OTHER`),
    the code's wording in ``zh`` and ``en``, and the ``detail`` stored after it (English, may
    be ``""``)."""

    code: str
    zh: str
    en: str
    detail: str


def read_reason(stored: str) -> DeferredReason:
    """Read ``Transfer.deferred_reason`` (``"<code>: <detail>"`` or ``"<code>"``).

    A text that starts with no known code is kept whole: code :data:`OTHER`, the text as
    its wording in both languages.

    Examples
    --------
    >>> read_reason("deadline: delivery cannot start before 17:00").zh
    '无法在预约期限前送达'
    >>> read_reason("site_closed: east closed on 2026-10-01").en
    'a site is closed that day: deferred'
    >>> read_reason("staff: van broken").code
    'other'
    """
    head, _, detail = stored.partition(":")
    code = head.strip()
    words = REASONS.get(code)
    if words is None:
        text = stored.strip()
        return DeferredReason(code=OTHER, zh=text, en=text, detail="")
    return DeferredReason(code=code, zh=words.zh, en=words.en, detail=detail.strip())
