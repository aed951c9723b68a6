"""The national planning standards for public libraries, and a district's check against them.

Sources (read in stored copies of public pages; the standards' own PDFs were not available):

* 《公共图书馆建设用地指标》, **建标[2008]74号** (issued by the Ministry of Housing and
  Urban-Rural Development with the Ministry of Land and Resources and the Ministry of Culture,
  in force 2008-06-01). It sets the service radius and the number of libraries by the
  population served: **150万 residents or more**: service radius at most **9 km**, at least one
  large library, plus one medium library per 50万 and one small library per 20万 residents;
  **20万–150万**: radius at most **6.5 km**, one medium library plus one small library per
  20万 residents; **5万–20万**: at least one small library. Read in the text of the standard
  as quoted at https://m.274949.com/8042/t26761353.html (exam material), with the standard's
  front matter at https://m.bingdoc.com/p-12285492.html.
  The **2.5 km** radius of a small library is the standard's figure as planning studies quote
  it (e.g. the Tianjin study at https://mtoou.info/tubiao/81130.html, which lists the radius
  per size from 建标[2008]74号 and sizes libraries by floor area: large > 20,000 m²,
  medium 4,500–20,000 m², small 1,200–4,500 m²); that number was not read in the standard's
  own text here.
* **15-minute reading circle (15分钟阅读圈):** residents reach a reading place (library,
  branch, service point, city study room) within a 15-minute walk from home; e.g. Anhui's
  provincial aim (https://jinyinzb.news3.cn/jujiao/2023/0223/10359.html: "基于城市社区居民
  15分钟步行能够到达阅读空间"). About 1 km on foot, as the issue puts it
  (:data:`planning.WALK_SPEED_KPH` = 4 km/h makes 15 minutes exactly 1,000 m).

:data:`LIBRARY_SIZES` holds the table; :func:`required_libraries` the counts a population calls
for; :func:`standards_report` checks an accessibility frame against both standards.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

import geo

__all__ = [
    "LIBRARY_SIZES",
    "READING_CIRCLE_S",
    "READING_CIRCLE_WALK_M",
    "LibrarySize",
    "library_size",
    "required_libraries",
    "standards_report",
]

#: The 15-minute reading circle: seconds of walking, inclusive (``<=``).
READING_CIRCLE_S = 15 * 60

#: The walking distance the reading circle stands for (metres).
READING_CIRCLE_WALK_M = 1_000.0


@dataclass(frozen=True)
class LibrarySize:
    """One size class of 建标[2008]74号.

    Attributes
    ----------
    key
        ``"large"``, ``"medium"`` or ``"small"``.
    name_zh, name_en
        大型馆 / large library, ...
    min_population, max_population
        The band of population one library of this size serves (``None``: no upper bound).
    service_radius_m
        The largest service radius (metres, straight line).
    floor_area_m2
        The floor-area band planning studies assign to the size (lower, upper or ``None``).
    """

    key: str
    name_zh: str
    name_en: str
    min_population: int
    max_population: int | None
    service_radius_m: float
    floor_area_m2: tuple[float, float | None]


#: The size classes, largest first.
LIBRARY_SIZES: tuple[LibrarySize, ...] = (
    LibrarySize("large", "大型馆", "large library", 1_500_000, None, 9_000.0, (20_000, None)),
    LibrarySize("medium", "中型馆", "medium library", 200_000, 1_500_000, 6_500.0, (4_500, 20_000)),
    LibrarySize("small", "小型馆", "small library", 50_000, 200_000, 2_500.0, (1_200, 4_500)),
)

_BY_KEY = {s.key: s for s in LIBRARY_SIZES}


def library_size(key: str) -> LibrarySize:
    """Return the size class named ``key`` (``"large"``, ``"medium"``, ``"small"``).

    Raises
    ------
    ValueError
        Naming the unknown key.
    """
    try:
        return _BY_KEY[key]
    except KeyError:
        raise ValueError(
            f"图书馆规模只能是 large/medium/small / library size must be one of "
            f"{sorted(_BY_KEY)}, got {key!r}"
        ) from None


def required_libraries(population: float) -> dict[str, int]:
    """Return how many libraries of each size 建标[2008]74号 asks for a service population.

    Parameters
    ----------
    population
        Residents served (e.g. the district's 756,840).

    Returns
    -------
    dict
        ``{"large": n, "medium": n, "small": n}``. The "one per 20万 (50万) residents" rules
        are rounded **up**, so that every resident counts towards a library: 756,840 asks
        for 1 medium and 4 small libraries. Under 5万 residents nothing is required.
    """
    if not (math.isfinite(population) and population >= 0):
        raise ValueError(f"population 必须为非负数 / must be non-negative, got {population!r}")
    need = {"large": 0, "medium": 0, "small": 0}
    if population >= 1_500_000:
        need["large"] = 1
        need["medium"] = math.ceil(population / 500_000)
        need["small"] = math.ceil(population / 200_000)
    elif population >= 200_000:
        need["medium"] = 1
        need["small"] = math.ceil(population / 200_000)
    elif population >= 50_000:
        need["small"] = 1
    return need


def _row(zh: str, en: str, figure: float, target: float, met: bool, note: str) -> dict[str, object]:
    return {
        "criterion_zh": zh,
        "criterion_en": en,
        "figure": figure,
        "target": target,
        "met": bool(met),
        "note": note,
    }


def standards_report(
    frame: gpd.GeoDataFrame,
    sites: Sequence[tuple[str, float, float]],
    *,
    sizes: Mapping[str, str],
) -> pd.DataFrame:
    """Return the district's check against the reading circle and 建标[2008]74号.

    Parameters
    ----------
    frame
        :func:`planning.accessibility` with ``mode="walk"`` among its modes (uses
        ``population``, ``walk_time_s`` and the points' geometry).
    sites
        ``(code, lon, lat)`` of every site (libraries and service points alike).
    sizes
        Size class (``"large"``, ``"medium"``, ``"small"``) of the sites that are libraries
        under the standard, by code; sites not named (service points) count towards the
        reading circle only. Which size a site is, is the planner's call (by floor area).

    Returns
    -------
    pandas.DataFrame
        One row per criterion: ``criterion_zh``, ``criterion_en``, ``figure``, ``target``,
        ``met`` and ``note``. Shares are of the residents in ``frame``; radii are straight-line
        (haversine) distances, as the standard's 服务半径 is; the population a library serves
        is that of the points nearer to it than to any other library of its size.
    """
    if "walk_time_s" not in frame.columns:
        raise ValueError("frame 缺少 walk_time_s / frame lacks 'walk_time_s': run accessibility")
    codes = [str(s[0]) for s in sites]
    unknown = sorted(set(sizes) - set(codes))
    if unknown:
        raise ValueError(f"sizes 含未知站点 / sizes names unknown sites: {unknown[:5]}")
    for key in sizes.values():
        library_size(key)
    points = frame.geometry.to_crs("EPSG:4326")
    lon, lat = points.x.to_numpy(), points.y.to_numpy()
    population = frame["population"].to_numpy(dtype=float)
    total = float(population.sum())
    walk = frame["walk_time_s"].to_numpy(dtype="float64", na_value=np.inf)

    share = float(population[walk <= READING_CIRCLE_S].sum() / total) if total else 0.0
    rows = [
        _row(
            "15分钟阅读圈：步行15分钟内到达站点的居民比例",
            "15-minute reading circle: share of residents within a 15-minute walk of a site",
            share,
            1.0,
            share >= 1.0,
            f"walk ≤ {READING_CIRCLE_S} s on the street network (≈ {READING_CIRCLE_WALK_M:g} m)",
        )
    ]
    need = required_libraries(total)
    library_codes = [c for c in codes if c in sizes]
    site_xy = {str(s[0]): (float(s[1]), float(s[2])) for s in sites}
    lib_lon = np.array([site_xy[c][0] for c in library_codes])
    lib_lat = np.array([site_xy[c][1] for c in library_codes])
    dist = np.asarray(geo.haversine_m(lon[:, None], lat[:, None], lib_lon, lib_lat))
    for size in LIBRARY_SIZES:
        members = [i for i, c in enumerate(library_codes) if sizes[c] == size.key]
        if need[size.key] or members:
            rows.append(
                _row(
                    f"{size.name_zh}数量（建标[2008]74号）",
                    f"number of {size.key} libraries (建标[2008]74号)",
                    float(len(members)),
                    float(need[size.key]),
                    len(members) >= need[size.key],
                    f"for {total:,.0f} residents (one per 20万 / 50万 rounded up)",
                )
            )
        if not members:
            continue
        inside = (dist[:, members] <= size.service_radius_m).any(axis=1)
        radius_share = float(population[inside].sum() / total) if total else 0.0
        rows.append(
            _row(
                f"{size.name_zh}服务半径 {size.service_radius_m / 1000:g} 公里内的居民比例",
                f"share of residents within a {size.name_en}'s service radius "
                f"({size.service_radius_m / 1000:g} km)",
                radius_share,
                1.0,
                radius_share >= 1.0,
                "straight-line distance to the nearest library of this size",
            )
        )
        if size.max_population is not None:
            served_by = np.argmin(dist[:, members], axis=1)
            worst = max(float(population[served_by == i].sum()) for i in range(len(members)))
            rows.append(
                _row(
                    f"单个{size.name_zh}服务人口（最多）",
                    f"residents served by one {size.name_en} (largest)",
                    worst,
                    float(size.max_population),
                    worst <= size.max_population,
                    "residents nearer to it (straight line) than to another library of its size",
                )
            )
    return pd.DataFrame(rows)
