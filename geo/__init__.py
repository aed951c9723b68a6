"""geo: the Beilin street network as osmnx-style networkx graphs, and what we compute on it.

Conventions: [lon, lat] WGS-84 degrees; integer seconds and metres in matrices; graphs are
``networkx.MultiDiGraph`` with osmnx attribute names (``x``, ``y``, ``length``, ``speed_kph``,
``travel_time``, ``name``, ``highway``). Functions return new graphs, never mutate inputs.
"""

from geo._errors import GraphDataError, RoutingError, SnapError
from geo.coords import gcj02_to_wgs84, haversine_m, in_china, wgs84_to_gcj02
from geo.graph import graph_from_shapefiles, graph_from_xml, load_beilin_graph, routable_graph
from geo.matrix import UNREACHABLE, travel_matrices
from geo.routing import Instruction, Path, directions, shortest_path
from geo.snapping import (
    DEFAULT_MAX_DISTANCE_M,
    EdgeIndex,
    SnappedPoint,
    edge_index,
    snap_point,
    snap_points,
)
from geo.speeds import (
    INTERSECTION_DELAY_S,
    RUSH_HOUR_FACTOR,
    RUSH_HOURS,
    URBAN_SPEEDS_KPH,
    add_edge_speeds,
    add_edge_travel_times,
    time_of_day_factor,
)

__all__ = [
    "DEFAULT_MAX_DISTANCE_M",
    "INTERSECTION_DELAY_S",
    "RUSH_HOURS",
    "RUSH_HOUR_FACTOR",
    "UNREACHABLE",
    "URBAN_SPEEDS_KPH",
    "EdgeIndex",
    "GraphDataError",
    "Instruction",
    "Path",
    "RoutingError",
    "SnapError",
    "SnappedPoint",
    "add_edge_speeds",
    "add_edge_travel_times",
    "directions",
    "edge_index",
    "gcj02_to_wgs84",
    "graph_from_shapefiles",
    "graph_from_xml",
    "haversine_m",
    "in_china",
    "load_beilin_graph",
    "routable_graph",
    "shortest_path",
    "snap_point",
    "snap_points",
    "time_of_day_factor",
    "travel_matrices",
    "wgs84_to_gcj02",
]
