"""Reader for Solomon's VRPTW benchmark, as a Li & Lim instance whose pickups are at the depot.

The data live outside the repository, under ``vrptw/solomon_100/`` of the shared benchmark
folder (``SHUYUN_BENCH_DIR`` or ``<repo>/../shared/bench``): one instance per
``<name>.txt`` in Solomon's column format, the best-known solutions in ``bks.csv`` and
``bks_routes/<name>.txt`` (SINTEF's format; see the README there).

Every Solomon customer is a delivery from the depot: new stock sent from the central
library to the branches, in shuyun's words. Our problem model knows shipments only, so
customer ``c`` becomes the pair (its load at the depot, its drop at ``c``): the load is a
node of its own, ``c + n``, at the depot's place, no service, ``c``'s demand, and a window
that closes when the depot opens, so every load is taken as its vehicle leaves (a Solomon
vehicle makes one trip: our vans may come back to the central library for more, which here
would be a second vehicle). Loads add no distance. So the converted instance is read, solved and
checked by the Li & Lim code unchanged (``benchmarks._instances.to_problem``,
``benchmarks.verify``), and a plan's distance is the Solomon distance.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from benchmarks._instances import Instance, Node

SOLOMON_SUBDIR = Path("vrptw") / "solomon_100"


def solomon_dir(bench_dir: Path) -> Path:
    """The folder of Solomon's 100-customer set in the shared benchmark folder."""
    return bench_dir / SOLOMON_SUBDIR


def read_solomon(path: Path) -> Instance:
    """Read a Solomon instance file as a pickup-and-delivery instance.

    Parameters
    ----------
    path
        The ``<name>.txt`` file: a name line, ``VEHICLE`` with ``NUMBER CAPACITY``, then
        ``CUSTOMER`` rows ``id x y demand ready due service`` from the depot (id 0) on.

    Returns
    -------
    Instance
        Named after the file's stem: node 0 the depot, nodes ``1..n`` the customers (the
        deliveries), nodes ``n+1..2n`` their loads at the depot (the pickups).

    Raises
    ------
    ValueError
        When the fleet line or a customer row is missing or malformed, or ids are not
        consecutive from 0.
    """
    rows = [line.split() for line in path.read_text().splitlines()]
    numbers = [r for r in rows if r and all(_is_number(v) for v in r)]
    if not numbers or len(numbers[0]) != 2:
        raise ValueError(f"{path}: expected the fleet line 'NUMBER CAPACITY' first")
    vehicles, capacity = (int(v) for v in numbers[0])
    customers = numbers[1:]
    for fields in customers:
        if len(fields) != 7:
            raise ValueError(f"{path}: customer row {' '.join(fields)!r} needs 7 fields")
    ids = [int(fields[0]) for fields in customers]
    if ids != list(range(len(ids))) or len(ids) < 2:
        raise ValueError(f"{path}: customer ids must run 0, 1, 2, ... (the depot first)")
    n = len(ids) - 1
    depot = _node(customers[0], pickup=0, delivery=0)
    drops = [_node(fields, pickup=k + n, delivery=0) for k, fields in enumerate(customers[1:], 1)]
    loads = [
        Node(
            id=k + n,
            x=depot.x,
            y=depot.y,
            demand=-drops[k - 1].demand,
            early=depot.early,
            late=depot.early,
            service=0,
            pickup=0,
            delivery=k,
        )
        for k in range(1, n + 1)
    ]
    return Instance(
        name=path.stem, vehicles=vehicles, capacity=capacity, nodes=(depot, *drops, *loads)
    )


def with_loads(instance: Instance, routes: Sequence[Sequence[int]]) -> list[list[int]]:
    """Customer routes (Solomon node ids) as routes of the converted instance: each route's
    loads first, at the depot, in the order of its drops."""
    pickup = {n.id: n.pickup for n in instance.nodes if n.pickup}
    return [[pickup[c] for c in route] + list(route) for route in routes if route]


def customers_only(instance: Instance, routes: Sequence[Sequence[int]]) -> list[list[int]]:
    """Routes of the converted instance without their loads: Solomon customer ids."""
    loads = {n.id for n in instance.nodes if n.delivery}
    return [[v for v in route if v not in loads] for route in routes]


def _node(fields: Sequence[str], *, pickup: int, delivery: int) -> Node:
    number, x, y, demand, ready, due, service = fields
    return Node(
        id=int(number),
        x=float(x),
        y=float(y),
        demand=-int(demand) if int(number) else 0,
        early=int(ready),
        late=int(due),
        service=int(service),
        pickup=pickup,
        delivery=delivery,
    )


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True
