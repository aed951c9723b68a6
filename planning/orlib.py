"""OR-Library's p-median instances (Beasley's ``pmed1`` … ``pmed40``) and their optima.

An instance file is ``n m p`` on its first line, then ``m`` lines ``i j c``: an undirected
edge between vertices ``i`` and ``j`` (1-based) of integer cost ``c``. When a pair appears
more than once the **last** line is the one that counts (Beasley's note), not the cheapest.
The cost between two vertices is the shortest path over these edges; every vertex is both a
demand point of weight 1 and a candidate site.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.sparse.csgraph import shortest_path

__all__ = ["PmedInstance", "read_optima", "read_pmed"]


@dataclass(frozen=True, eq=False)
class PmedInstance:
    """One OR-Library p-median instance.

    Attributes
    ----------
    name
        The file's stem (``pmed1``).
    p
        Number of medians to choose.
    edges
        ``(i, j, cost)`` of every distinct undirected edge, 0-based, ``i < j``, the last
        occurrence of a duplicated pair kept.
    costs
        ``n × n`` shortest-path costs (int64), symmetric, zero on the diagonal.
    """

    name: str
    p: int
    edges: tuple[tuple[int, int, int], ...]
    costs: npt.NDArray[np.int64]

    @property
    def n(self) -> int:
        """Number of vertices."""
        return int(self.costs.shape[0])


def read_pmed(path: str | Path) -> PmedInstance:
    """Read an OR-Library p-median file and compute its all-pairs shortest paths.

    Parameters
    ----------
    path
        A ``pmed<k>.txt`` file.

    Returns
    -------
    PmedInstance

    Raises
    ------
    ValueError
        Naming the file and line when the header or an edge line is malformed, a vertex is
        out of ``1..n``, a cost is negative, the file has fewer edge lines than ``m``, or the
        graph is not connected.
    """
    path = Path(path)
    lines = [(k, line.split()) for k, line in enumerate(path.read_text().splitlines(), 1)]
    lines = [(k, fields) for k, fields in lines if fields]
    if not lines or len(lines[0][1]) != 3:
        raise ValueError(f"{path}: 第 1 行应为 'n m p' / line 1 must be 'n m p'")
    n, m, p = (_integer(path, lines[0][0], "header", v) for v in lines[0][1])
    if n < 1 or m < 0 or not 1 <= p <= n:
        raise ValueError(f"{path}:1: 需要 n ≥ 1, m ≥ 0, 1 ≤ p ≤ n / needs them, got {n} {m} {p}")
    if len(lines) - 1 < m:
        raise ValueError(f"{path}: 边行不足 / has {len(lines) - 1} edge lines, header says {m}")
    last: dict[tuple[int, int], int] = {}
    for number, fields in lines[1 : m + 1]:
        if len(fields) != 3:
            raise ValueError(f"{path}:{number}: 边行应为 'i j c' / edge line must be 'i j c'")
        i, j, c = (_integer(path, number, "edge", v) for v in fields)
        if not (1 <= i <= n and 1 <= j <= n):
            raise ValueError(f"{path}:{number}: 顶点超出 1..{n} / vertex out of 1..{n}: {i} {j}")
        if c < 0:
            raise ValueError(f"{path}:{number}: 边费用为负 / negative edge cost {c}")
        last[(min(i, j) - 1, max(i, j) - 1)] = c  # the last occurrence wins
    edges = tuple(sorted((i, j, c) for (i, j), c in last.items() if i != j))
    return PmedInstance(name=path.stem, p=p, edges=edges, costs=_all_pairs(path, n, edges))


def _integer(path: Path, line: int, what: str, text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"{path}:{line}: {what} 不是整数 / is not an integer: {text!r}") from None


def _all_pairs(
    path: Path, n: int, edges: tuple[tuple[int, int, int], ...]
) -> npt.NDArray[np.int64]:
    """Shortest paths over the undirected edges (zero-cost edges kept as edges)."""
    if edges:
        i, j, c = (np.array(col, dtype=np.int64) for col in zip(*edges, strict=True))
    else:
        i = j = c = np.zeros(0, dtype=np.int64)
    # csgraph ignores explicit zeros: a zero-cost edge becomes a tiny one, rounded away below.
    weight = np.where(c > 0, c, 1e-9).astype(np.float64)
    graph = sp.csr_matrix((weight, (i, j)), shape=(n, n))
    dist = shortest_path(graph, method="D", directed=False)
    if not np.isfinite(dist).all():
        raise ValueError(f"{path}: 图不连通 / the graph is not connected")
    return np.rint(dist).astype(np.int64)


def read_optima(path: str | Path) -> dict[str, int]:
    """Read ``pmedopt.txt`` (a header line, then ``name value`` lines) into ``{name: value}``.

    Raises
    ------
    ValueError
        Naming the file and line of a malformed line.
    """
    path = Path(path)
    optima: dict[str, int] = {}
    for number, line in enumerate(path.read_text().splitlines(), 1):
        fields = line.split()
        if number == 1 or not fields:
            continue  # "Data file   Optimal solution value"
        if len(fields) != 2:
            raise ValueError(f"{path}:{number}: 应为 'name value' / expected 'name value'")
        optima[fields[0]] = _integer(path, number, "value", fields[1])
    return optima
