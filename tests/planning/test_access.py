"""Coverage, 2SFCA, gravity and isochrones: hand-computed cases, then the Beilin district."""

from __future__ import annotations

from pathlib import Path

import access_graphs as ag
import networkx as nx
import numpy as np
import pytest
import shapely
from shapely.geometry import Point

import geo
import planning
from dispatch import demo_sites
from settings import Settings

U = geo.UNREACHABLE

# The ring of access_graphs: rows d2 (100 residents), d4 (300); columns A (supply 2), B (1).
RING_TO_SITE = np.array([[180, 60], [60, 180]])  # demand → site, as the residents travel
RING_FROM_SITE = np.array([[60, 180], [180, 60]])  # site → demand, the wrong way round
RING_SUPPLY = np.array([2.0, 1.0])
RING_PEOPLE = np.array([100.0, 300.0])


@pytest.fixture(scope="module")
def beilin(beilin_dir: Path) -> nx.MultiDiGraph:
    """The real routable Beilin drive graph (cached by geo)."""
    return geo.load_beilin_graph(beilin_dir)


@pytest.fixture(scope="module")
def beilin_sites(shuyun_settings: Settings) -> list[tuple[str, float, float]]:
    """The demo network's 39 sites as (code, lon, lat)."""
    data = shuyun_settings.data
    sites = demo_sites(
        subdistrict_points=data.subdistrict_points_file,
        communities=data.communities_file,
        boundary=data.boundary_file,
    )
    return [(s.id, s.lon, s.lat) for s in sites]


# --- the cutoff ----------------------------------------------------------------------------


def test_within_includes_the_boundary() -> None:
    assert planning.within(np.array([899, 900, 901]), 900).tolist() == [True, True, False]


def test_no_path_is_never_within() -> None:
    assert planning.within(np.array([U]), 10 * U).tolist() == [False]


def test_a_negative_cutoff_is_refused() -> None:
    with pytest.raises(ValueError, match="cutoff_s"):
        planning.within(np.array([1]), -1)


def test_a_point_exactly_15_minutes_away_on_foot_is_covered() -> None:
    G = ag.street()
    demand = ag.demand_at(G, {2: 10, 3: 5})  # 900 s and 901 s on foot from node 1
    frame = planning.accessibility(G, demand, [ag.site_at(G, "s", 1)], modes=("walk",))
    assert frame["walk_time_s"].tolist() == [900, 901]
    assert frame["walk_within"].tolist() == [True, False]
    summary = planning.coverage_summary(frame, [899, 900, 901], modes=("walk",))
    assert summary["population"].tolist() == [0.0, 10.0, 15.0]
    assert frame.attrs["cutoff_s"] == 900.0
    assert "<=" in frame.attrs["cutoff_rule"]


# --- two-step floating catchment -----------------------------------------------------------


def test_2sfca_on_the_ring_by_hand() -> None:
    access, ratio = planning.two_step_fca(RING_TO_SITE, RING_SUPPLY, RING_PEOPLE, cutoff_s=120)
    # Within 120 s: d4 reaches A (ratio 2/300), d2 reaches B (1/100).
    assert ratio == pytest.approx([2 / 300, 1 / 100])
    assert access == pytest.approx([1 / 100, 2 / 300])


def test_2sfca_with_the_sites_view_of_demand_gives_another_answer() -> None:
    # PySAL access (issue #18) counted each site's residents with times *from* the site, then
    # summed with times *to* it. On a one-way ring that swaps which residents each site has.
    wrong_ratio = RING_SUPPLY / (RING_PEOPLE @ (RING_FROM_SITE <= 120))
    wrong = (RING_TO_SITE <= 120) @ wrong_ratio
    assert wrong == pytest.approx([1 / 300, 2 / 100])
    right, _ = planning.two_step_fca(RING_TO_SITE, RING_SUPPLY, RING_PEOPLE, cutoff_s=120)
    assert not np.allclose(right, wrong)


def test_accessibility_reads_the_ring_in_the_residents_direction() -> None:
    G = ag.ring()
    sites = [ag.site_at(G, "A", 1), ag.site_at(G, "B", 3)]
    demand = ag.demand_at(G, {2: 100, 4: 300})
    frame = planning.accessibility(
        G, demand, sites, cutoff_s=120, modes=("drive",), supply={"A": 2, "B": 1}
    )
    per = planning.PER_RESIDENTS
    assert frame["drive_2sfca"].to_numpy() == pytest.approx([per / 100, per * 2 / 300])
    assert frame["drive_site"].tolist() == ["B", "A"]
    assert frame["drive_time_s"].tolist() == [60, 60]


def test_2sfca_shares_out_exactly_the_supply_that_someone_reaches() -> None:
    rng = np.random.default_rng(1)
    times = rng.integers(0, 1800, size=(40, 6))
    supply, people = rng.uniform(1, 5, 6), rng.uniform(0, 900, 40)
    access, ratio = planning.two_step_fca(times, supply, people, cutoff_s=900)
    reached = (times <= 900).T @ people > 0
    assert people @ access == pytest.approx(supply[reached].sum())
    assert ratio[~reached].tolist() == [0.0] * int((~reached).sum())


def test_a_site_nobody_reaches_shares_nothing() -> None:
    access, ratio = planning.two_step_fca(np.array([[60, U]]), [1, 1], [10], cutoff_s=900)
    assert ratio.tolist() == [0.1, 0.0]
    assert access.tolist() == [0.1]


@pytest.mark.parametrize(
    ("supply", "people", "named"),
    [
        ([1.0], [1.0, 1.0], "supply"),  # one value for two sites
        ([1.0, 1.0], [1.0], "demand"),  # one value for two demand points
        ([1.0, -1.0], [1.0, 1.0], "supply"),  # negative supply
        ([1.0, 1.0], [1.0, float("nan")], "demand"),  # unknown residents
    ],
)
def test_2sfca_refuses_weights_that_do_not_fit(
    supply: list[float], people: list[float], named: str
) -> None:
    with pytest.raises(ValueError, match=named):
        planning.two_step_fca(RING_TO_SITE, supply, people, cutoff_s=120)


# --- gravity -------------------------------------------------------------------------------


def test_gravity_by_hand() -> None:
    # One resident group of 100 at 1 and 2 minutes from two sites of supply 1: decay 1 and
    # 1/2; each site's weighted demand 100 and 50; access 1/100 + (1/2)/50 = 0.02.
    access = planning.gravity_access(np.array([[60, 120]]), [1, 1], [100], beta=1.0)
    assert access == pytest.approx([0.02])


def test_gravity_on_the_ring_uses_the_residents_times() -> None:
    access = planning.gravity_access(RING_TO_SITE, RING_SUPPLY, RING_PEOPLE, beta=1.0)
    # Decay (t / 60 s)^-1: d2 [1/3, 1], d4 [1, 1/3]; weighted demand A 100/3 + 300, B 200.
    v_a, v_b = 100 / 3 + 300, 200.0
    assert access == pytest.approx([2 / 3 / v_a + 1 / v_b, 2 / v_a + 1 / 3 / v_b])


def test_gravity_cutoff_drops_pairs_beyond_it() -> None:
    with_cut = planning.gravity_access(np.array([[60, 120]]), [1, 1], [100], cutoff_s=60)
    assert with_cut == pytest.approx([0.01])


def test_gravity_never_divides_by_a_zero_time() -> None:
    access = planning.gravity_access(np.array([[0]]), [1], [10])
    assert access == pytest.approx([0.1])


# --- isochrones ----------------------------------------------------------------------------


def test_a_walking_isochrone_stops_where_the_time_runs_out() -> None:
    G = ag.street()
    iso = planning.isochrones(G, [ag.site_at(G, "s", 1)], [450, 900])
    half, whole = iso.geometry.iloc[0], iso.geometry.iloc[1]
    assert iso["street_m"].tolist() == pytest.approx([500.0, 1000.0], abs=0.5)
    assert half.contains(Point(ag.lonlat(450.0, 0.0)))
    assert not half.contains(Point(ag.lonlat(600.0, 0.0)))
    assert whole.contains(Point(ag.lonlat(1000.0, 0.0)))
    assert iso.crs == "EPSG:4326"


def test_an_isochrone_is_the_streets_buffered_not_a_hull() -> None:
    G = ag.street()
    iso = planning.isochrones(G, [ag.site_at(G, "s", 1)], [450], buffer_m=50.0)
    # 500 m of street × 100 m, plus the two round ends (a 50 m disc drawn with 16 sides).
    assert iso["area_km2"].iloc[0] == pytest.approx((500 * 100 + 7654) / 1e6, rel=0.01)
    assert not iso.geometry.iloc[0].contains(Point(ag.lonlat(250.0, 80.0)))  # 80 m off


def test_a_driving_isochrone_follows_the_one_way_street() -> None:
    G = ag.one_way()
    site = [ag.site_at(G, "s", 2)]
    catchment = planning.isochrones(G, site, [50], mode="drive", direction="to_site")
    reach = planning.isochrones(G, site, [50], mode="drive", direction="from_site")
    # 50 s of a 100 s street: the half before the site can drive to it; nothing leaves it.
    assert catchment["street_m"].iloc[0] == pytest.approx(500.0, abs=0.5)
    assert reach["street_m"].iloc[0] == 0.0
    walk = planning.isochrones(G, site, [450], mode="walk", direction="from_site")
    assert walk["street_m"].iloc[0] == pytest.approx(500.0, abs=0.5)


def test_isochrone_options_are_checked() -> None:
    G = ag.street()
    with pytest.raises(ValueError, match="buffer_m"):
        planning.isochrones(G, [ag.site_at(G, "s", 1)], [450], buffer_m=0)
    with pytest.raises(ValueError, match="cutoffs_s"):
        planning.isochrones(G, [ag.site_at(G, "s", 1)], [])


# --- the Beilin district --------------------------------------------------------------------


@pytest.mark.slow
def test_beilin_accessibility_frame(
    beilin: nx.MultiDiGraph, beilin_dir: Path, beilin_sites: list[tuple[str, float, float]]
) -> None:
    demand = planning.district_demand(beilin, beilin_dir)
    frame = planning.accessibility(beilin, demand, beilin_sites)
    assert len(frame) == len(demand)
    assert frame["population"].sum() == pytest.approx(756_840)
    for mode in ("drive", "walk"):
        assert frame[f"{mode}_time_s"].notna().all()  # every point reaches a site
        assert set(frame[f"{mode}_site"]) <= {s[0] for s in beilin_sites}
        # Scores share out the supply: one per site, 39 sites, per 10,000 residents.
        total = (frame["population"] * frame[f"{mode}_gravity"]).sum() / planning.PER_RESIDENTS
        assert total == pytest.approx(len(beilin_sites))
    summary = planning.coverage_summary(frame, [900])
    walk_share = summary.loc[summary["mode"] == "walk", "share"].iloc[0]
    within = frame.loc[frame["walk_within"], "population"].sum() / 756_840
    assert walk_share == pytest.approx(within)
    assert frame.attrs["assumptions"] == demand.attrs["assumptions"]


@pytest.mark.slow
def test_beilin_walking_isochrone_holds_the_points_the_matrix_reaches(
    beilin: nx.MultiDiGraph, beilin_dir: Path, beilin_sites: list[tuple[str, float, float]]
) -> None:
    demand = planning.district_demand(beilin, beilin_dir)
    central = [s for s in beilin_sites if s[0] == "central"]
    times = planning.travel_matrix(beilin, demand, central, mode="walk")[:, 0]
    iso = planning.isochrones(beilin, central, [900], mode="walk")
    polygon = iso.geometry.iloc[0]
    reached = demand.geometry[times <= 900]
    assert len(reached) > 20
    assert shapely.contains(polygon, reached.to_numpy()).all()
    farther = demand.geometry[times > 1200]  # well beyond: outside, but for a street nearby
    assert shapely.contains(polygon, farther.to_numpy()).mean() < 0.02
