"""Why a transfer waits (延后): the optimiser's reason codes in words staff read, 中文 and English.

The optimiser reports each shipment it leaves out with a code of its closed vocabulary
(:class:`optimizer.UnassignedReason`); :func:`dispatch.record_result` stores it on every
transfer of the shipment as ``"<code>: <detail>"`` (``Transfer.deferred_reason``). This is
the one table of the codes' wording: the route sheets, the service's list of unplanned
transfers and any later page read it here, never a copy.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from optimizer import UnassignedReason

__all__ = ["OTHER", "REASONS", "DeferredReason", "ReasonText", "read_reason"]


@dataclass(frozen=True, slots=True)
class ReasonText:
    """A reason code in words: ``zh`` first, ``en`` second."""

    zh: str
    en: str


REASONS: Mapping[UnassignedReason, ReasonText] = MappingProxyType(
    {
        UnassignedReason.DEFERRED_CAPACITY: ReasonText(
            "今日运力不足，延后", "no room in today's vans: deferred"
        ),
        UnassignedReason.TIME_WINDOW: ReasonText(
            "开放时间内无法完成", "cannot be picked up and delivered within opening hours"
        ),
        UnassignedReason.DEADLINE: ReasonText(
            "无法在预约期限前送达", "cannot be delivered before its deadline"
        ),
        UnassignedReason.CAPACITY_EXCEEDS_VAN: ReasonText(
            "超过任何一辆车的容量", "larger than any van's capacity"
        ),
        UnassignedReason.UNREACHABLE: ReasonText("道路不可达", "no path on the street network"),
        UnassignedReason.SHIFT: ReasonText(
            "超出司机班次或最长线路时间", "does not fit in any driver's shift or route length"
        ),
        UnassignedReason.SKILLS: ReasonText("没有车辆具备所需条件", "no van has what it needs"),
        UnassignedReason.NO_VEHICLE: ReasonText("没有任何车辆", "no van at all today"),
        UnassignedReason.TIME_LIMIT: ReasonText(
            "时间限制内未能安排", "the planning time ran out before it was placed"
        ),
        UnassignedReason.LOCK_INFEASIBLE: ReasonText(
            "无法按调度员锁定的车辆和顺序配送",
            "cannot be served on the van and in the order a dispatcher locked",
        ),
    }
)
"""The wording of every optimiser reason code (a test checks that none is missing)."""

OTHER = "other"
"""The code of a reason the optimiser did not give (e.g. a dispatcher's own words)."""


@dataclass(frozen=True, slots=True)
class DeferredReason:
    """A stored reason read back: its ``code`` (an optimiser code or :data:`OTHER`), the
    code's wording in ``zh`` and ``en``, and the optimiser's ``detail`` (English, may be
    ``""``)."""

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
    >>> read_reason("staff: van broken").code
    'other'
    """
    head, _, detail = stored.partition(":")
    try:
        code = UnassignedReason(head.strip())
    except ValueError:
        text = stored.strip()
        return DeferredReason(code=OTHER, zh=text, en=text, detail="")
    words = REASONS[code]
    return DeferredReason(code=code.value, zh=words.zh, en=words.en, detail=detail.strip())
