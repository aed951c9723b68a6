"""planning.month: a few days of the demo network on the real streets, at a tiny scale."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

import geo
from catalog.db import create_engine, session_factory, upgrade
from catalog.demo_data import demo_sites_from_db, generate_demo_catalogue
from catalog.models import Hold, Patron, Site
from catalog.settings import CirculationSettings
from catalog.simulate import simulate_day
from catalog.sites import create_site
from catalog.travel import MatrixTravelTimes
from planning.month import (
    MORNING_ROUND,
    SHORT_ROUND,
    MonthError,
    MonthNetwork,
    month_network,
    new_service_point,
    simulate_month,
)

MONDAY = date(2026, 3, 2)
TINY = 0.01
"""About 20 transfers a day: a day's solve takes a fraction of a second."""


@pytest.fixture(scope="module")
def beilin(beilin_dir: Path) -> nx.MultiDiGraph:
    return geo.load_beilin_graph(beilin_dir)


@pytest.fixture(scope="module")
def network(beilin: nx.MultiDiGraph, beilin_dir: Path) -> MonthNetwork:
    return month_network(beilin, beilin_dir)


def test_the_network_is_the_demo_sites_with_the_residents_nearest_each(
    network: MonthNetwork,
) -> None:
    assert len(network.sites) == 39 and network.codes[0] == "central"
    assert len(network.durations) == len(network.distances) == 39
    assert all(len(row) == 39 for row in network.durations)
    # Every resident of the district (756,840 in the 2020 census) counts at some site.
    assert sum(network.residents.values()) == pytest.approx(756_840, rel=1e-6)
    assert all(r >= 0 for r in network.residents.values())


def test_an_added_service_point_takes_residents_from_its_neighbours(
    beilin: nx.MultiDiGraph, beilin_dir: Path, network: MonthNetwork
) -> None:
    site = network.sites[5]
    near = geo.snap_point(beilin, site.lon + 0.004, site.lat, max_distance=1e4)
    lon, lat = beilin.nodes[near.u]["x"], beilin.nodes[near.u]["y"]  # a street junction
    bigger = month_network(beilin, beilin_dir, added=[new_service_point("new-1", lon, lat)])
    assert bigger.codes[-1] == "new-1" and len(bigger.sites) == 40
    assert bigger.residents["new-1"] > 0
    assert sum(bigger.residents.values()) == pytest.approx(sum(network.residents.values()))
    with pytest.raises(MonthError, match="added"):
        month_network(beilin, beilin_dir, added=[new_service_point("central", lon, lat)])


def test_three_days_every_planned_transfer_is_delivered_and_counted(
    network: MonthNetwork,
) -> None:
    report = simulate_month(network, days=3, start=MONDAY, scale=TINY, fleet=2)
    days = report.days
    assert list(days["day"]) == [MONDAY + timedelta(days=n) for n in range(3)]
    assert (days["planned"] > 0).all()
    # The vans drove every planned transfer to its destination, nothing refused.
    assert list(days["items_moved"]) == list(days["planned"])
    assert report.undelivered == 0
    assert (days["vans"] <= days["fleet"]).all() and (days["km"] > 0).all()
    assert (days["stopped_by"] == "work_limit").all()
    total = report.summary()
    assert total["items_moved"] == days["items_moved"].sum()
    assert total["km"] == pytest.approx(days["km"].sum())
    assert total["vans_needed"] == days["vans"].max()
    handled = 2 * days["crates"].sum()  # each crate loaded at one stop, unloaded at another
    assert total["crates_per_stop"] == pytest.approx(handled / days["stops"].sum(), abs=1e-3)
    # Every transfer of the month is in the frame; the delivered ones have a time.
    t = report.transfers
    assert len(t) == total["transfers"] and set(t["kind"]) <= {"hold", "return_home", "new_stock"}
    delivered = t.dropna(subset=["delivered_at"])
    assert len(delivered) == days["items_moved"].sum()
    assert (delivered["hours"] > 0).all()
    assert total["transfer_h_median"] == pytest.approx(
        t["hours"].fillna(float("inf")).quantile(0.5, interpolation="lower"), abs=1e-3
    )
    # A hold delivered on the first van day after its request is on the shelf next day.
    h = report.holds
    assert len(h) == (t["kind"] == "hold").sum() > 0
    next_day = h["delivered_at"].dt.date == (h["requested_at"] + pd.Timedelta(days=1)).dt.date
    assert h.loc[next_day, "on_shelf_next_open_day"].all()


def test_the_same_arguments_give_the_same_month(network: MonthNetwork) -> None:
    a = simulate_month(network, days=2, start=MONDAY, scale=TINY, fleet=2, seed=3)
    b = simulate_month(network, days=2, start=MONDAY, scale=TINY, fleet=2, seed=3)
    pd.testing.assert_frame_equal(a.days, b.days)
    pd.testing.assert_frame_equal(a.transfers, b.transfers)
    pd.testing.assert_series_equal(a.summary(), b.summary())


def test_transfers_deferred_on_a_day_without_vans_go_the_next_van_day(
    network: MonthNetwork,
) -> None:
    # Vans call at the branches and service points on Mondays and Wednesdays only.
    report = simulate_month(network, days=3, start=MONDAY, scale=TINY, fleet=2, van_weekdays=(0, 2))
    monday, tuesday, wednesday = report.days.to_dict("records")
    assert tuesday["vans"] == 0 and tuesday["items_moved"] == 0
    assert tuesday["deferred"] == monday["requested"] > 0  # carried over, not lost
    # Wednesday's vans take both days' transfers (less those a later request superseded).
    assert wednesday["items_moved"] >= tuesday["deferred"]
    assert wednesday["deferred"] == 0 and report.summary()["open_at_end"] == 0


def test_a_broken_down_van_leaves_the_day_to_the_next(network: MonthNetwork) -> None:
    report = simulate_month(network, days=3, start=MONDAY, scale=TINY, fleet=1, breakdown_day=1)
    days = report.days
    assert list(days["fleet"]) == [1, 0, 1]
    assert days.loc[1, "vans"] == 0 and days.loc[1, "deferred"] > 0
    assert days.loc[2, "items_moved"] >= days.loc[1, "deferred"]  # the day after, all of it
    assert days.loc[2, "deferred"] == 0


def test_a_hold_past_its_deadline_is_still_delivered_counted_late(network: MonthNetwork) -> None:
    # Holds due on the day they are filled: by the next van day every one is late. They must
    # still go (the first van day after), not wait for a deadline that has passed.
    same_day = CirculationSettings(hold_deadline_working_days=0)
    report = simulate_month(network, days=2, start=MONDAY, scale=TINY, fleet=2, settings=same_day)
    h = report.holds
    first = h[h["requested_at"] < datetime.combine(MONDAY, time())]
    assert len(first) > 0
    assert first["delivered_at"].notna().all()
    assert (first["delivered_at"].dt.date == MONDAY).all()
    assert not first["on_shelf_by_deadline"].any()  # late, and counted so
    assert report.days.loc[0, "deferred_holds"] == 0


@pytest.mark.parametrize("shift", [MORNING_ROUND, SHORT_ROUND], ids=["to-12:30", "to-11:00"])
def test_a_morning_round_delivers_within_its_shift(
    network: MonthNetwork, shift: tuple[int, int]
) -> None:
    report = simulate_month(network, days=2, start=MONDAY, scale=TINY, fleet=3, shift=shift)
    delivered = report.transfers["delivered_at"].dropna()
    assert len(delivered) > 0
    seconds = delivered.dt.hour * 3600 + delivered.dt.minute * 60
    assert (seconds >= shift[0]).all() and (seconds <= shift[1]).all()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"days": 0}, "days"),
        ({"fleet": 0}, "fleet"),
        ({"scale": 0.0}, "scale"),
        ({"breakdown_day": 5}, "breakdown_day"),  # beyond the 2 days
        ({"hours": {"library": {}}}, "hours"),
        ({"van_weekdays": (7,)}, "van_weekdays"),
        ({"shift": (12 * 3600, 9 * 3600)}, "shift"),
    ],
)
def test_a_month_that_cannot_be_simulated_is_refused_naming_the_field(
    network: MonthNetwork, changes: dict[str, object], field: str
) -> None:
    with pytest.raises(MonthError) as raised:
        simulate_month(network, **{"days": 2, "scale": TINY, **changes})  # type: ignore[arg-type]
    assert raised.value.field == field


def test_a_database_with_data_is_not_used(network: MonthNetwork, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'kept.sqlite'}"
    engine = create_engine(url)
    upgrade(engine)
    with session_factory(engine)() as session:
        create_site(session, code="mine", kind="branch", name_zh="我的", name_en="Mine",
                    lon=108.95, lat=34.25)  # fmt: skip
        session.commit()
    with pytest.raises(MonthError, match="database_url"):
        simulate_month(network, days=1, scale=TINY, database_url=url)
    with session_factory(engine)() as session:  # left as it was
        assert session.scalars(select(Site.code)).all() == ["mine"]
    engine.dispose()


# --- the simulator's options the month needs --------------------------------------------------


@pytest.fixture
def two_sites(tmp_path: Path) -> Session:
    engine = create_engine(f"sqlite:///{tmp_path / 'two.sqlite'}")
    upgrade(engine)
    session = session_factory(engine)()
    hours = {d: [(9 * 3600, 18 * 3600)] for d in range(7)}
    for code, kind in (("central", "central"), ("a", "branch"), ("b", "branch")):
        create_site(session, code=code, kind=kind, name_zh=code, name_en=code, lon=108.95,
                    lat=34.25, opening_hours=hours, van_weekdays=range(7))  # fmt: skip
    generate_demo_catalogue(session, demo_sites_from_db(session), seed=1, scale=0.01)
    session.commit()
    return session


def test_site_weights_decide_whose_patrons_come(two_sites: Session) -> None:
    ids = dict(two_sites.execute(select(Site.code, Site.id)).all())
    travel = MatrixTravelTimes({(x, y): 600 for x in ids.values() for y in ids.values() if x != y})
    simulate_day(
        two_sites,
        day=MONDAY,
        travel_times=travel,
        seed=1,
        scale=0.05,
        site_weights={ids["a"]: 1.0},  # only the patrons of branch a come today
    )
    homes = two_sites.scalars(
        select(Patron.home_site_id).join(Hold, Hold.patron_id == Patron.id)
    ).all()
    assert homes and set(homes) == {ids["a"]}
    with pytest.raises(ValueError, match="site_weights"):
        simulate_day(two_sites, day=MONDAY, travel_times=travel, site_weights={ids["a"]: -1.0})
    with pytest.raises(ValueError, match="site_weights"):
        simulate_day(two_sites, day=MONDAY, travel_times=travel, site_weights={})


def test_a_day_of_a_longer_run_returns_the_open_loans(two_sites: Session) -> None:
    ids = dict(two_sites.execute(select(Site.code, Site.id)).all())
    travel = MatrixTravelTimes({(x, y): 600 for x in ids.values() for y in ids.values() if x != y})
    first = simulate_day(two_sites, day=MONDAY, travel_times=travel, seed=1, scale=0.05)
    assert first.backlog_loans > 0
    # The next day makes no backlog: it returns loans the first day made.
    second = simulate_day(
        two_sites, day=MONDAY + timedelta(days=1), travel_times=travel, seed=2, scale=0.05,
        backlog=False,
    )  # fmt: skip
    assert second.backlog_loans == 0
    assert 0 < second.returns <= first.backlog_loans - first.returns + first.loans
