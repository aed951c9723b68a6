"""Demo sites for the demo day: 总馆, eight 分馆 (one per sub-district) and about 30 服务点.

All positions are DEMO LOCATIONS (演示位置), not the real addresses of Beilin's
libraries, which are not public in our data. They are drawn reproducibly:

- 总馆 (central) at a fixed point near the district centre;
- each 分馆 (branch) at the published "geographic centre" point of its sub-district
  (Vonng/adcode, CC BY 4.0) where one exists, else at a hand-picked point in the
  sub-district (太乙路, 文艺路);
- 服务点 (service points) named after real communities (NBS 2020 list), placed at
  seeded random points near their sub-district's branch, inside the district.

Opening hours follow what Chinese public libraries commonly publish: the central
library open all day, branches and service points closed at lunch.
"""

from __future__ import annotations

import csv
import json
import random
from dataclasses import dataclass
from pathlib import Path

from shapely.geometry import Point, shape

HOUR = 3600

# Hand-picked demo points for the two sub-districts without a published centre point.
_FALLBACK_BRANCH_POINTS = {
    "610103005": (108.9745, 34.2470),  # 太乙路街道
    "610103006": (108.9565, 34.2475),  # 文艺路街道
}
_SUBDISTRICTS = {
    "610103001": ("南院门", "Nanyuanmen"),
    "610103002": ("柏树林", "Baishulin"),
    "610103003": ("长乐坊", "Changlefang"),
    "610103004": ("东关南街", "Dongguannanjie"),
    "610103005": ("太乙路", "Taiyilu"),
    "610103006": ("文艺路", "Wenyilu"),
    "610103007": ("长安路", "Chang'anlu"),
    "610103008": ("张家村", "Zhangjiacun"),
}
CENTRAL_POINT = (108.9505, 34.2545)  # demo location near the district centre

CENTRAL_HOURS = ((9 * HOUR, 20 * HOUR),)
BRANCH_HOURS = ((9 * HOUR, 12 * HOUR), (14 * HOUR, 18 * HOUR))
SERVICE_POINT_HOURS = ((9 * HOUR + 1800, 11 * HOUR + 1800), (14 * HOUR + 1800, 17 * HOUR + 1800))


@dataclass(frozen=True, slots=True)
class DemoSite:
    """One demo site; ``kind`` is ``central``, ``branch`` or ``service_point``."""

    id: str
    kind: str
    name_zh: str
    name_en: str
    subdistrict: str
    lon: float
    lat: float
    hours: tuple[tuple[int, int], ...]
    service_seconds: int

    @property
    def label_zh(self) -> str:
        return f"{self.name_zh}（演示位置）"


def central_site() -> DemoSite:
    """The demo central library (总馆), the vans' depot."""
    return DemoSite(
        id="central",
        kind="central",
        name_zh="碑林区图书馆总馆",
        name_en="Beilin District Library (central)",
        subdistrict="",
        lon=CENTRAL_POINT[0],
        lat=CENTRAL_POINT[1],
        hours=CENTRAL_HOURS,
        service_seconds=600,
    )


def demo_sites(
    *,
    subdistrict_points: Path,
    communities: Path,
    boundary: Path,
    service_points: int = 30,
    seed: int = 7,
) -> list[DemoSite]:
    """Return the demo network: 1 central library, 8 branches, ``service_points`` service points.

    Parameters
    ----------
    subdistrict_points, communities, boundary
        The shared data files (see ``Settings``).
    service_points
        How many 服务点 to place (spread over the sub-districts by community count).
    seed
        Seed of the placement; the same seed gives the same sites.
    """
    rng = random.Random(seed)
    district = shape(json.loads(boundary.read_text(encoding="utf-8"))["features"][0]["geometry"])
    points = dict(_FALLBACK_BRANCH_POINTS)
    for feature in json.loads(subdistrict_points.read_text(encoding="utf-8"))["features"]:
        lon, lat = feature["geometry"]["coordinates"][:2]
        points[str(feature["properties"]["code"])] = (float(lon), float(lat))

    sites = [central_site()]
    for code, (zh, en) in _SUBDISTRICTS.items():
        lon, lat = points[code]
        sites.append(
            DemoSite(
                id=f"branch-{code[-3:]}",
                kind="branch",
                name_zh=f"{zh}街道分馆",
                name_en=f"{en} branch",
                subdistrict=code,
                lon=lon,
                lat=lat,
                hours=BRANCH_HOURS,
                service_seconds=300,
            )
        )

    with communities.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    chosen = rng.sample(rows, k=min(service_points, len(rows)))
    chosen.sort(key=lambda r: r["community_code"])
    for row in chosen:
        code = row["subdistrict_code"]
        centre_lon, centre_lat = points[code]
        lon, lat = _point_near(rng, centre_lon, centre_lat, district)
        name = row["community_name"].removesuffix("居委会")
        sites.append(
            DemoSite(
                id=f"sp-{row['community_code'][-6:]}",
                kind="service_point",
                name_zh=f"{name}服务点",
                name_en=f"Service point {row['community_code'][-6:]}",
                subdistrict=code,
                lon=lon,
                lat=lat,
                hours=SERVICE_POINT_HOURS,
                service_seconds=180,
            )
        )
    return sites


def _point_near(
    rng: random.Random, lon: float, lat: float, district: object
) -> tuple[float, float]:
    """A seeded point about 300–900 m from (lon, lat), inside the district and the network."""
    for _ in range(200):
        dlon = rng.gauss(0.0, 0.006)
        dlat = rng.gauss(0.0, 0.005)
        cand = (round(lon + dlon, 6), round(lat + dlat, 6))
        # 108.923 E: the street data stops at about 108.922 E (see the data README).
        if cand[0] > 108.923 and district.contains(Point(cand)):  # type: ignore[attr-defined]
            return cand
    return (lon, lat)
