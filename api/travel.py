"""The vans' travel times between the catalogue's sites, for the service's circulation routes.

Holds and returns away from home ask how long a van takes from one site to another
(:class:`catalog.travel.TravelTimes`). The service answers from the Beilin street network:
the graph is loaded and the site matrix computed once (about 3 s, far more on a busy
machine), by :meth:`StreetTravelTimes.prepare` at start-up (the app's lifespan), so that
the first desks to search or take a copy back do not all wait on it, holding the server's
threads; a site added since gets the matrix computed again.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.errors import NotFoundError
from catalog.models import Site
from catalog.travel import MatrixTravelTimes

__all__ = ["StreetTravelTimes"]


class StreetTravelTimes:
    """:class:`catalog.travel.TravelTimes` on the street network, for every site of a database.

    Parameters
    ----------
    data_dir
        The ``beilin/`` folder (the settings' ``data.beilin_dir``).
    sessions
        Opens a session on the catalogue (to read the sites' locations).
    """

    def __init__(self, data_dir: Path, sessions: Callable[[], Session]) -> None:
        self._data_dir = data_dir
        self._sessions = sessions
        self._matrix: MatrixTravelTimes | None = None
        self._known: frozenset[int] = frozenset()
        self._lock = threading.Lock()

    def prepare(self) -> None:
        """Load the graph and compute the matrix now, if not yet done (errors are raised, for
        the caller to report; a question asked later tries again)."""
        with self._lock:
            if self._matrix is None:
                self._matrix, self._known = self._compute()

    def seconds(self, from_site_id: int, to_site_id: int) -> int:
        """Van seconds from one site to the other, off-peak, on the street network."""
        if from_site_id == to_site_id:
            return 0
        with self._lock:
            if self._matrix is None or not {from_site_id, to_site_id} <= self._known:
                self._matrix, self._known = self._compute()
            matrix = self._matrix
        if not {from_site_id, to_site_id} <= self._known:
            raise NotFoundError("site_id", (from_site_id, to_site_id), "no such site")
        return matrix.seconds(from_site_id, to_site_id)

    def _compute(self) -> tuple[MatrixTravelTimes, frozenset[int]]:
        import geo
        from dispatch import site_network

        with self._sessions() as session:
            sites = list(session.execute(select(Site.id, Site.lon, Site.lat).order_by(Site.id)))
        graph = geo.load_beilin_graph(self._data_dir)
        ids = [str(site.id) for site in sites]
        net = site_network(graph, ids, [(site.lon, site.lat) for site in sites])
        matrix = {
            (a.id, b.id): int(net.durations[i][j])
            for i, a in enumerate(sites)
            for j, b in enumerate(sites)
            if i != j
        }
        return MatrixTravelTimes(matrix), frozenset(site.id for site in sites)
