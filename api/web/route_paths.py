"""The vans' routes along the streets, for the console's map: each route of a plan as the
polyline of the fastest street paths between its consecutive stops (:func:`geo.shortest_path`
on the Beilin drive graph), as GeoJSON.

The graph is loaded once per process (``geo.load_beilin_graph`` keeps it), the sites snapped
once per place and each leg computed once per pair of places, so that drawing a plan again
after an edit costs only its new legs.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import JSONResponse
from sqlalchemy import select

from api.deps import SessionDep, require_role
from catalog.models import Role, Site, User
from catalog.plans import get_plan

__all__ = ["route_lines", "router"]

router = APIRouter(include_in_schema=False)
Reader = Annotated[User, Depends(require_role(Role.dispatcher, Role.admin, Role.planner))]
PlanId = Annotated[int, Path(ge=1, le=2**31 - 1)]

Place = tuple[float, float]

_lock = threading.Lock()
_snapped: dict[Place, Any] = {}
_legs: dict[tuple[Place, Place], list[list[float]]] = {}
MAX_LEGS = 20_000
"""Legs kept per process (a day's plans need a few hundred)."""


def route_lines(graph: Any, places: Sequence[Place]) -> list[list[float]]:
    """The street polyline ([lon, lat] points) through ``places`` in order: the fastest path
    of each leg joined; a leg between two places on no street stays a straight line.
    """
    import geo

    line: list[list[float]] = []
    for a, b in itertools.pairwise(places):
        if a == b:
            continue
        with _lock:
            known = _legs.get((a, b))
        if known is None:
            try:
                ends = [_snap(graph, p) for p in (a, b)]
                known = geo.shortest_path(graph, ends[0], ends[1]).coordinates
            except (geo.SnapError, geo.RoutingError):
                known = [list(a), list(b)]
            with _lock:
                if len(_legs) >= MAX_LEGS:
                    _legs.clear()
                _legs[(a, b)] = known
        line.extend(known if not line else known[1:])
    return line


def _snap(graph: Any, place: Place) -> Any:
    import geo

    with _lock:
        found = _snapped.get(place)
    if found is None:
        found = geo.snap_point(graph, place[0], place[1])
        with _lock:
            _snapped[place] = found
    return found


@router.get("/ui/data/plans/{plan_id}/paths.geojson")
def plan_paths(
    plan_id: PlanId, request: Request, session: SessionDep, _user: Reader
) -> JSONResponse:
    """每辆车沿街道的线路 / Each van's route of the plan along the streets (GeoJSON)."""
    import geo
    from settings import SettingsError

    plan = get_plan(session, plan_id)
    sites = {s.code: (s.lon, s.lat) for s in session.scalars(select(Site))}
    try:
        graph = geo.load_beilin_graph(request.app.state.services.settings.data.beilin_dir)
    except (SettingsError, geo.GraphDataError) as error:
        # The map draws the routes as straight lines between the stops instead.
        return JSONResponse(
            {"detail": f"街道路网不可用 / the street network is unavailable: {error}"},
            status_code=503,
        )
    features = []
    for route in plan.routes:
        places = [sites[s.site_code] for s in route.stops if s.site_code in sites]
        features.append(
            {
                "type": "Feature",
                "properties": {"van": route.van_code},
                "geometry": {"type": "LineString", "coordinates": route_lines(graph, places)},
            }
        )
    return JSONResponse(
        {"type": "FeatureCollection", "plan_id": plan.id, "features": features},
        media_type="application/geo+json",
    )
