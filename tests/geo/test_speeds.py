"""Speed table, posted limits, intersection delay, rush hours."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

import geo
from geo.speeds import (
    FALLBACK_SPEED_KPH,
    INTERSECTION_DELAY_S,
    RUSH_HOUR_FACTOR,
    URBAN_SPEEDS_KPH,
    add_edge_speeds,
    add_edge_travel_times,
    time_of_day_factor,
)


def _one_edge(**attrs) -> nx.MultiDiGraph:
    G = nx.MultiDiGraph(crs="epsg:4326")
    G.add_node(1, x=108.95, y=34.25, street_count=3)
    G.add_node(2, x=108.951, y=34.25, street_count=1)
    G.add_edge(1, 2, 0, length=100.0, **attrs)
    return G


@pytest.mark.parametrize(
    ("attrs", "expected_kph"),
    [
        ({"highway": "secondary"}, URBAN_SPEEDS_KPH["secondary"]),  # plain class
        ({"highway": "residential", "maxspeed": "10"}, 10.0),  # posted limit below class
        ({"highway": "residential", "maxspeed": "70"}, URBAN_SPEEDS_KPH["residential"]),  # above
        ({"highway": "primary", "maxspeed": ["60", "20"]}, 20.0),  # list: the smallest limit
        ({"highway": "primary", "maxspeed": "['60', '20']"}, 20.0),  # list as a string
        ({"highway": "primary", "maxspeed": "signals"}, URBAN_SPEEDS_KPH["primary"]),  # no number
        ({"highway": "residential", "maxspeed": "10 mph"}, 16.09344),  # mph converted
        ({"highway": ["primary", "secondary"]}, (30.0 + 28.0) / 2),  # list: mean, like osmnx
        ({"highway": "['primary', 'secondary']"}, (30.0 + 28.0) / 2),  # list as a string
        ({"highway": "bus_guideway"}, FALLBACK_SPEED_KPH),  # class not in the table
    ],
)
def test_edge_speed_from_class_and_maxspeed(attrs, expected_kph):
    H = add_edge_speeds(_one_edge(**attrs))
    assert H.edges[1, 2, 0]["speed_kph"] == pytest.approx(expected_kph)


def test_add_edge_speeds_returns_a_new_graph_and_accepts_overrides():
    G = _one_edge(highway="residential")
    H = add_edge_speeds(G, hwy_speeds={"residential": 12.0})
    assert H.edges[1, 2, 0]["speed_kph"] == 12.0
    assert "speed_kph" not in G.edges[1, 2, 0]
    with pytest.raises(ValueError, match="hwy_speeds"):
        add_edge_speeds(G, hwy_speeds={"residential": 0})


def test_travel_time_is_length_over_speed_plus_delay_at_an_intersection_head():
    H = add_edge_travel_times(add_edge_speeds(_one_edge(highway="residential")))
    H.add_edge(2, 1, 0, length=100.0, speed_kph=16.5)
    H = add_edge_travel_times(H)
    into_dead_end = H.edges[1, 2, 0]  # node 2 has one street: no delay
    into_junction = H.edges[2, 1, 0]  # node 1 has three streets: one delay
    assert into_dead_end["intersection_delay"] == 0.0
    assert into_dead_end["travel_time"] == pytest.approx(100 / (16.5 / 3.6))
    assert into_junction["intersection_delay"] == INTERSECTION_DELAY_S
    assert into_junction["travel_time"] == pytest.approx(100 / (16.5 / 3.6) + INTERSECTION_DELAY_S)


def test_travel_time_needs_speed():
    with pytest.raises(ValueError, match="speed_kph"):
        add_edge_travel_times(_one_edge(highway="residential"))


@pytest.mark.parametrize(
    ("depart_at", "factor"),
    [
        (None, 1.0),  # no departure time: off-peak
        (6 * 3600 + 3599, 1.0),  # 06:59:59
        (7 * 3600, RUSH_HOUR_FACTOR),  # 07:00 starts the morning peak
        (8 * 3600, RUSH_HOUR_FACTOR),
        (9 * 3600, 1.0),  # 09:00 ends it
        (10 * 3600, 1.0),
        (17 * 3600, RUSH_HOUR_FACTOR),
        (18 * 3600 + 3599, RUSH_HOUR_FACTOR),
        (19 * 3600, 1.0),
        (24 * 3600 + 8 * 3600, RUSH_HOUR_FACTOR),  # 08:00 the next day wraps round
        (np.int64(8 * 3600), RUSH_HOUR_FACTOR),  # numpy integers from a schedule array
    ],
)
def test_rush_hours(depart_at, factor):
    assert time_of_day_factor(depart_at) == factor


@pytest.mark.parametrize("bad", [-1, 8.5, "08:00", True])
def test_bad_departure_time_is_named(bad):
    with pytest.raises(ValueError, match="depart_at"):
        time_of_day_factor(bad)


def test_rush_hour_factor_is_derived_from_gaode_xian_speeds():
    # docs/speeds.md: all-day 29.61 km/h over 16 h with 4 peak hours at 25.02 km/h.
    off_peak_hours_per_km = (1 / 29.61 - 4 / 16 / 25.02) / (12 / 16)
    derived = (1 / 25.02) / off_peak_hours_per_km
    assert abs(RUSH_HOUR_FACTOR - derived) < 0.01


def test_table_sits_in_the_gbt_33171_light_congestion_bands_at_peak():
    # Peak speed = off-peak / factor; 快速路 35–50, 主干路 20–30, 次干路/支路 15–25 km/h.
    peak = {k: v / RUSH_HOUR_FACTOR for k, v in URBAN_SPEEDS_KPH.items()}
    assert 35 <= peak["trunk"] <= 50
    assert 20 <= peak["primary"] <= 30 and 20 <= peak["secondary"] <= 30
    assert 15 <= peak["tertiary"] <= 25 and 15 <= peak["unclassified"] <= 25
    assert 10 <= peak["residential"] <= 15  # 支路 moderate congestion


def test_modelled_beilin_peak_network_speed_matches_the_published_18_5_kmh(beilin_graph):
    # Seeded random trips inside the district's bounding box, at 08:00: total metres over
    # total seconds of the fastest routes should be Beilin's published peak speed ±5 %.
    rng = np.random.default_rng(7)
    pts = np.column_stack([rng.uniform(108.925, 109.0, 120), rng.uniform(34.232, 34.269, 120)])
    sites = geo.snap_points(beilin_graph, pts, max_distance=1e4)
    seconds, metres = geo.travel_matrices(beilin_graph, sites, depart_at=8 * 3600)
    off = ~np.eye(len(sites), dtype=bool)
    kmh = metres[off].sum() / seconds[off].sum() * 3.6
    assert kmh == pytest.approx(18.5, rel=0.05)
