"""建标[2008]74号 and the 15-minute reading circle: the table, the counts, the district check."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

import planning

LIBRARY = (108.95, 34.25)
KM_PER_DEGREE_LAT = 111.195  # haversine on the mean Earth radius


def test_the_size_table_of_the_standard() -> None:
    table = {s.key: s for s in planning.LIBRARY_SIZES}
    assert [s.key for s in planning.LIBRARY_SIZES] == ["large", "medium", "small"]
    assert (table["large"].service_radius_m, table["large"].min_population) == (9_000, 1_500_000)
    assert (table["medium"].service_radius_m, table["medium"].max_population) == (6_500, 1_500_000)
    assert (table["small"].service_radius_m, table["small"].max_population) == (2_500, 200_000)
    assert table["small"].name_zh == "小型馆"


def test_the_reading_circle_is_a_15_minute_walk_of_about_1_km() -> None:
    assert planning.READING_CIRCLE_S == 900
    walked_m = planning.READING_CIRCLE_S * planning.WALK_SPEED_KPH / 3.6
    assert walked_m == pytest.approx(planning.READING_CIRCLE_WALK_M)


@pytest.mark.parametrize(
    ("population", "expected"),
    [
        (756_840, {"large": 0, "medium": 1, "small": 4}),  # Beilin 2020: 3.8 × 20万, rounded up
        (2_000_000, {"large": 1, "medium": 4, "small": 10}),  # a large city: per 50万 and 20万
        (1_500_000, {"large": 1, "medium": 3, "small": 8}),  # the large band starts at 150万
        (200_000, {"large": 0, "medium": 1, "small": 1}),  # the medium band starts at 20万
        (199_999, {"large": 0, "medium": 0, "small": 1}),  # a town of 5万–20万
        (49_999, {"large": 0, "medium": 0, "small": 0}),  # under 5万 nothing is required
    ],
)
def test_required_libraries_by_population(population: int, expected: dict[str, int]) -> None:
    assert planning.required_libraries(population) == expected


def test_a_negative_population_is_refused() -> None:
    with pytest.raises(ValueError, match="population"):
        planning.required_libraries(-1)


def test_an_unknown_size_is_named() -> None:
    with pytest.raises(ValueError, match="huge"):
        planning.library_size("huge")


def _frame(rows: list[tuple[float, float, int | None]]) -> gpd.GeoDataFrame:
    """Demand points ``(km north of the library, residents, walk seconds or None)``."""
    return gpd.GeoDataFrame(
        {
            "population": [float(r[1]) for r in rows],
            "walk_time_s": pd.array([r[2] for r in rows], dtype="Int64"),
        },
        geometry=[Point(LIBRARY[0], LIBRARY[1] + r[0] / KM_PER_DEGREE_LAT) for r in rows],
        crs="EPSG:4326",
    )


def test_the_district_check_by_hand() -> None:
    frame = _frame(
        [
            (0.5, 100_000, 600),  # inside everything
            (2.4, 60_000, 900),  # at the reading circle's boundary: counted
            (2.6, 40_000, 901),  # one second too far on foot; beyond the small radius
            (7.0, 50_000, None),  # no site reached on foot; beyond the medium radius too
        ]
    )
    sites = [("central", *LIBRARY), ("b1", *LIBRARY), ("sp", LIBRARY[0], LIBRARY[1] + 0.03)]
    report = planning.standards_report(frame, sites, sizes={"central": "medium", "b1": "small"})
    got = dict(
        zip(report["criterion_en"], zip(report["figure"], report["met"], strict=True), strict=True)
    )
    reading = next(k for k in got if k.startswith("15-minute"))
    assert got[reading] == (pytest.approx(160_000 / 250_000), False)
    assert got["number of medium libraries (建标[2008]74号)"] == (1.0, True)
    assert got["number of small libraries (建标[2008]74号)"] == (1.0, False)  # 250,000: 2 asked
    small_radius = next(k for k in got if "small library's service radius" in k)
    assert got[small_radius] == (pytest.approx(160_000 / 250_000), False)
    medium_radius = next(k for k in got if "medium library's service radius" in k)
    assert got[medium_radius] == (pytest.approx(200_000 / 250_000), False)
    served = next(k for k in got if "served by one small" in k)
    assert got[served] == (250_000.0, False)  # more than a small library's 20万


def test_two_small_libraries_are_asked_for_250_000_residents() -> None:
    frame = _frame([(0.5, 250_000, 60)])
    report = planning.standards_report(frame, [("b1", *LIBRARY)], sizes={"b1": "small"})
    row = report.loc[report["criterion_en"].str.startswith("number of small")].iloc[0]
    assert (row["figure"], row["target"], row["met"]) == (1.0, 2.0, False)


def test_service_points_count_for_the_reading_circle_only() -> None:
    frame = _frame([(0.5, 1_000, 300)])
    report = planning.standards_report(frame, [("sp", *LIBRARY)], sizes={})
    assert report["criterion_en"].tolist() == [
        "15-minute reading circle: share of residents within a 15-minute walk of a site"
    ]
    assert report["met"].tolist() == [True]


def test_sizes_must_name_known_sites_and_sizes() -> None:
    frame = _frame([(0.5, 1_000, 300)])
    with pytest.raises(ValueError, match="nowhere"):
        planning.standards_report(frame, [("sp", *LIBRARY)], sizes={"nowhere": "small"})
    with pytest.raises(ValueError, match="tiny"):
        planning.standards_report(frame, [("sp", *LIBRARY)], sizes={"sp": "tiny"})


def test_the_check_needs_walking_times() -> None:
    frame = _frame([(0.5, 1_000, 300)]).drop(columns="walk_time_s")
    with pytest.raises(ValueError, match="walk_time_s"):
        planning.standards_report(frame, [("sp", *LIBRARY)], sizes={})
