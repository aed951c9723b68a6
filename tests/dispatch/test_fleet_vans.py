"""dispatch.fleet: the fleet's rows are the optimiser's vans, and the demo's vans go in as rows."""

from __future__ import annotations

import pytest
from small_day import DAY, Day

from catalog.errors import ConflictError
from catalog.fleet import get_van, update_van
from dispatch import DispatchError, demo_vans, optimizer_van, save_vans, vans_for_day
from optimizer import Break, TimeWindow, Van


def test_the_demo_fleet_goes_in_and_comes_out_the_same(day: Day) -> None:
    vans = demo_vans(count=3)
    rows = save_vans(day.session, vans, staff="demo")
    assert [r.code for r in rows] == ["van-1", "van-2", "van-3"]
    assert vans_for_day(day.session, DAY) == vans


def test_an_inactive_van_stays_home(day: Day) -> None:
    save_vans(day.session, demo_vans(count=2), staff="demo")
    update_van(day.session, "van-1", version=1, changes={"active": False}, staff="zhao")
    assert [v.id for v in vans_for_day(day.session, DAY)] == ["van-2"]


def test_a_van_without_a_break_window_has_no_break(day: Day) -> None:
    plain = Van(
        id="van-9", start="central", capacity=(20, 300), shift=TimeWindow(8 * 3600, 12 * 3600)
    )
    save_vans(day.session, [plain], staff="demo")
    van = optimizer_van(get_van(day.session, "van-9"))
    assert van.breaks == () and van.capacity == (20, 300) and van.end_site == "central"


@pytest.mark.parametrize(
    ("van", "message"),
    [
        (Van(id="v", start="central", end="east", capacity=(1, 1)), "one depot"),
        (Van(id="v", start="central", capacity=(1,)), "crates, kg"),
        (
            Van(
                id="v",
                start="central",
                capacity=(1, 1),
                breaks=(
                    Break("a", (TimeWindow(1, 2),), 1),
                    Break("b", (TimeWindow(3, 4),), 1),
                ),
            ),
            "one break",
        ),
    ],
)
def test_vans_the_fleet_cannot_keep_are_refused(day: Day, van: Van, message: str) -> None:
    with pytest.raises(DispatchError, match=message):
        save_vans(day.session, [van], staff="demo")


def test_a_van_code_is_saved_once(day: Day) -> None:
    save_vans(day.session, demo_vans(count=1), staff="demo")
    with pytest.raises(ConflictError):
        save_vans(day.session, demo_vans(count=1), staff="demo")
