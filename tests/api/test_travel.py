"""The service's travel times come from the Beilin street network, for every site in the
database, including one added after the first question."""

from __future__ import annotations

from pathlib import Path

import pytest
from service_seed import H

from api.travel import StreetTravelTimes
from catalog.db import create_engine, session_factory
from catalog.errors import NotFoundError
from catalog.models import SiteKind
from catalog.sites import create_site


@pytest.mark.slow
def test_van_times_on_the_streets_for_every_site_even_a_new_one(
    sqlite_url: str, site_ids: dict[str, int], beilin_dir: Path
) -> None:
    engine = create_engine(sqlite_url)
    sessions = session_factory(engine)
    try:
        times = StreetTravelTimes(beilin_dir, sessions)
        there = times.seconds(site_ids["central"], site_ids["east"])
        back = times.seconds(site_ids["east"], site_ids["central"])
        # About 2.3 km of city streets apart: minutes, not seconds or hours.
        assert 120 < there < 1800 and 120 < back < 1800
        assert times.seconds(site_ids["west"], site_ids["west"]) == 0
        with sessions() as session:
            new = create_site(
                session,
                code="bell",
                kind=SiteKind.service_point,
                name_zh="钟楼服务点",
                name_en="Bell Tower Service Point",
                lon=108.9425,
                lat=34.2611,
                opening_hours={d: [(8 * H, 20 * H)] for d in range(7)},
            ).id
            session.commit()
        assert times.seconds(new, site_ids["central"]) > 0
        with pytest.raises(NotFoundError):
            times.seconds(new, 999_999)
    finally:
        engine.dispose()
