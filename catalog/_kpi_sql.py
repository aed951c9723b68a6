"""Portable SQL for the KPIs: whole seconds of a timestamp, and percentiles by window functions.

SQLite has neither ``percentile_cont`` nor interval arithmetic, PostgreSQL spells both its own
way; the KPIs must come out identical on the two (:mod:`catalog.kpis`). So:

* :class:`epoch_seconds` is the whole seconds since 1970-01-01 of a naive timestamp or date
  (fractions dropped, as ``strftime('%s')`` does), compiled per dialect; differences of two
  are exact integers on both databases.
* :func:`percentiles` ranks the values of each group with ``row_number()`` and ``count()``
  windows and interpolates between the two ranks around ``1 + p (n - 1)``, the definition of
  PostgreSQL's ``percentile_cont``, in integer arithmetic up to the one division, so that
  both databases compute the same double.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Float, Select, case, cast, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import FunctionElement
from sqlalchemy.sql.selectable import Subquery

__all__ = ["epoch_seconds", "percentiles"]


class epoch_seconds(FunctionElement[int]):
    """Whole seconds since 1970-01-01 00:00 of a naive timestamp or date (no time zone)."""

    type = BigInteger()
    inherit_cache = True
    name = "epoch_seconds"


@compiles(epoch_seconds, "sqlite")
def _epoch_sqlite(element: epoch_seconds, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST(strftime('%s', {compiler.process(element.clauses, **kw)}) AS INTEGER)"


@compiles(epoch_seconds, "postgresql")
def _epoch_postgresql(element: epoch_seconds, compiler: SQLCompiler, **kw: Any) -> str:
    # A literal percent sign must be doubled for psycopg's pyformat parameters; none here.
    inner = compiler.process(element.clauses, **kw)
    return f"CAST(FLOOR(EXTRACT(EPOCH FROM CAST({inner} AS TIMESTAMP))) AS BIGINT)"


def percentiles(
    values: Subquery, keys: Sequence[str], value: str, points: Sequence[int] = (50, 90)
) -> Select[Any]:
    """Per group of ``keys``: ``n`` and the ``points``-th percentiles of ``value``.

    Parameters
    ----------
    values
        A subquery with the ``keys`` columns and an integer ``value`` column; rows whose value
        is NULL are left out.
    keys
        The grouping columns' names.
    value
        The integer column to rank.
    points
        Percentiles as whole percents (50 is the median); column ``p<point>`` each.

    Returns
    -------
    Select
        Columns ``*keys, n, p<point>...`` (floats), one row per group that has values.
    """
    key_cols = [values.c[k] for k in keys]
    v = values.c[value]
    ranked = (
        select(
            *key_cols,
            v.label("v"),
            func.row_number().over(partition_by=key_cols, order_by=v).label("rn"),
            func.count().over(partition_by=key_cols).label("n"),
        )
        .where(v.is_not(None))
        .subquery()
    )
    n = ranked.c.n
    columns: list[ColumnElement[Any]] = []
    for point in points:
        if not 0 <= point <= 100:
            raise ValueError(f"percentile {point} not within 0..100")
        scaled = point * (n - 1)  # integers: the rank's whole part and its hundredths
        low_rank = 1 + scaled // 100
        frac = scaled % 100
        high_rank = low_rank + case((frac > 0, 1), else_=0)
        low = func.max(case((ranked.c.rn == low_rank, ranked.c.v)))
        high = func.max(case((ranked.c.rn == high_rank, ranked.c.v)))
        interpolated = cast(low, Float) + cast(high - low, Float) * cast(
            func.max(frac), Float
        ) / cast(100, Float)
        columns.append(interpolated.label(f"p{point}"))
    group = [ranked.c[k] for k in keys]
    return select(*group, func.max(n).label("n"), *columns).group_by(*group)
