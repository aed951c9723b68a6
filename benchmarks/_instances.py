"""Readers for the Li & Lim PDPTW benchmark and its conversion to our problem model.

The data live outside the repository (``SHUYUN_BENCH_DIR`` or ``<repo>/../shared/bench``),
under ``pdptw/li_lim_100/``: one instance per ``<name>.txt``, the best-known solutions in
``bks.csv`` and ``bks_routes/<name>.txt`` (see the README there for the format).

Scaling. The benchmark measures distance and travel time as the *unrounded* Euclidean
distance, while our model is integer. ``to_problem`` multiplies every time by ``SCALE``
and rounds each travel time **up** (times and windows of the files are integers, so they
scale exactly). A plan that keeps every window with rounded-up travel also keeps it with
the true, shorter travel, so whatever the solver finds is feasible in doubles; the price is
a margin of less than ``1 / SCALE`` per arc, which no best-known route needs (the tests
check all of them). Reported distances are always recomputed in doubles from the visit
order (``benchmarks.verify``).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from optimizer import PlannedRoute, Problem, Shipment, Site, TimeWindow, Van, Visit, VisitType

SCALE = 170
"""Integer units per benchmark unit of distance and time.

Bounded above by our model's time range: the longest horizon of a set (3598, the
200-task LC2 class) times ``SCALE`` must stay within ``optimizer.TIME_MAX`` (2**32 - 1
s), far above. Bounded below by the rounding margin: at 100 two best-known plans (lr106,
lr203) no longer fit their windows; at 170 every one does (tests/benchmarks check all 56).
"""

VAN_FIXED_COST = 100_000.0
"""Fixed cost of a van in the converted problem, far above any route's distance cost.

Distances are ``SCALE`` units per benchmark unit and cost 1 per 1000 units
(``cost_per_km = 1``): a whole Li & Lim plan (below 3000 benchmark units) costs
below ``3 * SCALE`` (510), so one van less always beats any distance: the benchmark's
hierarchical objective.
"""

LI_LIM_SUBDIR = Path("pdptw") / "li_lim_100"


def li_lim_dir(bench_dir: Path) -> Path:
    """The folder of the Li & Lim 100-task set in the shared benchmark folder ``bench_dir``
    (the settings' ``data.bench_dir``: ``SHUYUN_BENCH_DIR`` or ``<repo>/../shared/bench``)."""
    return bench_dir / LI_LIM_SUBDIR


@dataclass(frozen=True, slots=True)
class Node:
    """One line of an instance file (the depot is node 0)."""

    id: int
    x: float
    y: float
    demand: int
    early: int
    late: int
    service: int
    pickup: int  # for a delivery: its pickup's id, else 0
    delivery: int  # for a pickup: its delivery's id, else 0


@dataclass(frozen=True, slots=True)
class Instance:
    """A Li & Lim instance as published: fleet size, capacity and the nodes."""

    name: str
    vehicles: int
    capacity: int
    nodes: tuple[Node, ...]

    @property
    def pairs(self) -> tuple[tuple[int, int], ...]:
        """(pickup id, delivery id) of every request, in pickup-id order."""
        return tuple((n.id, n.delivery) for n in self.nodes[1:] if n.delivery)

    def distance(self, i: int, j: int) -> float:
        """Euclidean distance between nodes ``i`` and ``j`` (also the travel time)."""
        a, b = self.nodes[i], self.nodes[j]
        return math.hypot(a.x - b.x, a.y - b.y)


@dataclass(frozen=True, slots=True)
class BestKnown:
    """A best-known solution: its vehicle count and distance."""

    instance: str
    vehicles: int
    distance: float


def read_instance(path: Path) -> Instance:
    """Read a Li & Lim instance file.

    Parameters
    ----------
    path
        The ``<name>.txt`` file (TAB separated, any line ending).

    Returns
    -------
    Instance
        The instance named after the file's stem.

    Raises
    ------
    ValueError
        When a line does not have the expected fields, ids are not consecutive from 0,
        or a pair does not refer back to itself.
    """
    lines = [line.split() for line in path.read_text().splitlines() if line.strip()]
    if not lines or len(lines[0]) < 2:
        raise ValueError(f"{path}: line 1 must be 'vehicles capacity speed', got {lines[:1]}")
    vehicles, capacity = int(lines[0][0]), int(lines[0][1])
    nodes: list[Node] = []
    for number, fields in enumerate(lines[1:], start=2):
        if len(fields) != 9:
            raise ValueError(f"{path}:{number}: expected 9 fields, got {len(fields)}")
        node = Node(
            id=int(fields[0]),
            x=float(fields[1]),
            y=float(fields[2]),
            demand=int(fields[3]),
            early=int(fields[4]),
            late=int(fields[5]),
            service=int(fields[6]),
            pickup=int(fields[7]),
            delivery=int(fields[8]),
        )
        if node.id != len(nodes):
            raise ValueError(f"{path}:{number}: node id {node.id}, expected {len(nodes)}")
        nodes.append(node)
    for node in nodes[1:]:
        if node.delivery and nodes[node.delivery].pickup != node.id:
            raise ValueError(
                f"{path}: pickup {node.id} names delivery {node.delivery}, "
                f"whose pickup_index is {nodes[node.delivery].pickup}"
            )
    return Instance(name=path.stem, vehicles=vehicles, capacity=capacity, nodes=tuple(nodes))


def read_bks(path: Path) -> dict[str, BestKnown]:
    """Read ``bks.csv`` (``instance,vehicles,distance,source``) into a dict by instance."""
    with path.open(newline="") as fh:
        return {
            row["instance"]: BestKnown(
                row["instance"], int(row["vehicles"]), float(row["distance"])
            )
            for row in csv.DictReader(fh)
        }


def read_solution(path: Path) -> list[list[int]]:
    """Read a SINTEF-format solution: one list of node ids per ``Route k : ...`` line."""
    routes = []
    for line in path.read_text().splitlines():
        if line.startswith("Route") and ":" in line:
            routes.append([int(v) for v in line.split(":", 1)[1].split()])
    return routes


def site_id(node: int) -> str:
    """Our site id of a benchmark node."""
    return f"n{node}"


def shipment_id(pickup: int) -> str:
    """Our shipment id of the request whose pickup node is ``pickup``."""
    return f"p{pickup}"


def to_problem(instance: Instance, *, vans: int | None = None) -> Problem:
    """Convert an instance to our problem model, times and distances scaled by ``SCALE``.

    Parameters
    ----------
    instance
        The instance.
    vans
        Number of identical vans (the file's fleet size when ``None``).

    Returns
    -------
    Problem
        One site per node (``n<id>``; windows and service ×``SCALE``), one shipment per
        request (``p<pickup id>``, amount ``(demand,)``), identical vans ``v0``... at the
        depot with shift ``[0, depot late]`` and fixed cost ``VAN_FIXED_COST``. Both
        matrices hold ``ceil(SCALE × distance)``.
    """
    nodes = instance.nodes
    sites = tuple(
        Site(
            id=site_id(n.id),
            service_duration=n.service * SCALE,
            time_windows=(TimeWindow(n.early * SCALE, n.late * SCALE),),
        )
        for n in nodes
    )
    matrix = tuple(
        tuple(math.ceil(SCALE * instance.distance(i, j) - 1e-9) for j in range(len(nodes)))
        for i in range(len(nodes))
    )
    depot = nodes[0]
    fleet = tuple(
        Van(
            id=f"v{k}",
            start=site_id(0),
            capacity=(instance.capacity,),
            shift=TimeWindow(depot.early * SCALE, depot.late * SCALE),
            cost_per_km=1.0,
            fixed_cost=VAN_FIXED_COST,
        )
        for k in range(instance.vehicles if vans is None else vans)
    )
    shipments = tuple(
        Shipment(
            id=shipment_id(p),
            pickup=site_id(p),
            delivery=site_id(d),
            amount=(nodes[p].demand,),
        )
        for p, d in instance.pairs
    )
    return Problem(sites=sites, durations=matrix, distances=matrix, vans=fleet, shipments=shipments)


def node_routes(problem: Problem, routes: Sequence[PlannedRoute]) -> list[list[int]]:
    """Planned routes of a converted problem as lists of benchmark node ids."""
    shipments = {s.id: s for s in problem.shipments}
    result = []
    for route in routes:
        ids = []
        for visit in route.visits:
            shipment = shipments[visit.shipment]
            site = shipment.pickup if visit.type == VisitType.PICKUP else shipment.delivery
            ids.append(int(site.removeprefix("n")))
        if ids:
            result.append(ids)
    return result


def planned_routes(instance: Instance, routes: Sequence[Sequence[int]]) -> list[PlannedRoute]:
    """Benchmark node-id routes as our planned routes (vans ``v0``, ``v1``... in order)."""
    result = []
    for k, route in enumerate(routes):
        visits = []
        for node_id in route:
            node = instance.nodes[node_id]
            if node.delivery:
                visits.append(Visit(shipment_id(node.id), VisitType.PICKUP))
            else:
                visits.append(Visit(shipment_id(node.pickup), VisitType.DELIVERY))
        result.append(PlannedRoute(van=f"v{k}", visits=tuple(visits)))
    return result
