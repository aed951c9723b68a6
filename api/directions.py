"""Turn-by-turn directions between two sites on the Beilin street network, for the driver's page.

The street graph is the one :func:`geo.load_beilin_graph` caches per data folder (the travel
times of the service load the same object); a leg is computed when first asked and kept, by
the two sites' positions, so that a driver's page reloaded all day asks the graph once per leg.
"""

from __future__ import annotations

import functools
from pathlib import Path

import geo
from dispatch import Leg, site_leg

__all__ = ["leg_between"]


@functools.lru_cache(maxsize=2048)
def _leg(
    data_dir: str, origin: tuple[float, float], destination: tuple[float, float]
) -> Leg | None:
    graph = geo.load_beilin_graph(data_dir)
    try:
        a, b = geo.snap_points(graph, [origin, destination], names=["from", "to"])
    except geo.SnapError:
        return None  # a site off the street network has no directions (the stop still shows)
    return site_leg(graph, a, b)


def leg_between(
    data_dir: Path, origin: tuple[float, float], destination: tuple[float, float]
) -> Leg | None:
    """The fastest way from ``origin`` to ``destination`` ([lon, lat] WGS-84), off-peak.

    Parameters
    ----------
    data_dir
        The ``beilin/`` folder (the settings' ``data.beilin_dir``).
    origin, destination
        The two sites' positions.

    Returns
    -------
    Leg or None
        Directions in zh-CN and English, metres and seconds; ``None`` when a site cannot be
        snapped onto the street network.
    """
    return _leg(str(Path(data_dir).resolve()), origin, destination)
