"""Route sheets (路单): a small real day on the Beilin street network, solved and printed.

Five real places in Beilin, two vans with a lunch break, four transfers; one branch opens only
in the afternoon, so the route runs through lunch and the break is on the sheet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import networkx as nx
import pytest

import geo
from api.route_sheets import REASON_ZH, SiteInfo, clock, write_route_sheets
from api.sheets import StepGroup, group_steps
from api.sheets.svgmap import ROUTE_COLOUR
from dispatch.network import SiteNetwork, site_network
from optimizer import (
    Break,
    Problem,
    Result,
    Route,
    Shipment,
    ShipmentKind,
    Site,
    Step,
    StepType,
    TimeWindow,
    UnassignedReason,
    Van,
    solve,
)

H = 3600

#: id, 中文名, English name, kind, [lon, lat] WGS-84 (real places; the libraries are made up).
SITES = [
    ("central", "碑林区图书馆", "Beilin District Library", "central", 108.9535, 34.2560),
    ("branch-nanmen", "南门分馆", "South Gate branch", "branch", 108.9446, 34.2525),
    ("branch-zhonglou", "钟楼分馆", "Bell Tower branch", "branch", 108.9425, 34.2611),
    ("sp-dongguan", "东关服务点", "Dongguan service point", "service_point", 108.9650, 34.2580),
    (
        "sp-shuyuanmen",
        "书院门服务点",
        "Shuyuanmen service point",
        "service_point",
        108.9480,
        34.2545,
    ),
]
OPEN = {
    "branch-nanmen": (TimeWindow(9 * H, 12 * H), TimeWindow(14 * H, 18 * H)),  # lunch closure
    "branch-zhonglou": (TimeWindow(14 * H, 17 * H),),  # afternoons only
}
LUNCH = Break("lunch", (TimeWindow(11 * H + 1800, 13 * H + 1800),), duration=1800)
SHIPMENTS = [
    Shipment("t-new-1", "central", "branch-nanmen", (3, 36), kind=ShipmentKind.NEW_STOCK),
    Shipment("t-hold-1", "sp-dongguan", "branch-zhonglou", (1, 8), kind=ShipmentKind.HOLD),
    Shipment("t-home-1", "branch-nanmen", "central", (2, 20), kind=ShipmentKind.RETURN_HOME),
    Shipment("t-reb-1", "sp-shuyuanmen", "sp-dongguan", (1, 10), kind=ShipmentKind.REBALANCE),
]
DIRECTION = re.compile(r"直行|左转|右转|掉头|沿.+行驶")


@dataclass
class Stop:
    """One stop of the sheet as a driver reads it."""

    css: str
    heading: str = ""
    times: str = ""
    cargo: str = ""
    directions_zh: list[str] = field(default_factory=list)
    directions_en: list[str] = field(default_factory=list)


class SheetParser(HTMLParser):
    """Reads what a driver reads: the page language, the stops, the directions, the map."""

    def __init__(self) -> None:
        super().__init__()
        self.lang: str | None = None
        self.stops: list[Stop] = []
        self.route_lines = 0
        self._stack: list[tuple[str, str]] = []  # (tag, class) of the open elements
        self._dir: list[str] | None = None

    def _inside(self, css: str) -> bool:
        return any(css in c.split() for _, c in self._stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        css = a.get("class") or ""
        if tag == "html":
            self.lang = a.get("lang")
        if tag == "li" and "stop" in css.split():
            self.stops.append(Stop(css=css))
        elif tag == "li" and self._inside("dir"):
            en = self._inside("way-en")
            self._dir = self.stops[-1].directions_en if en else self.stops[-1].directions_zh
            self._dir.append("")
        elif tag == "polyline" and a.get("stroke") == ROUTE_COLOUR:
            self.route_lines += 1
        if tag not in ("br", "meta", "rect", "circle", "polyline", "path"):
            self._stack.append((tag, css))

    def handle_endtag(self, tag: str) -> None:
        if tag == "li":
            self._dir = None
        while self._stack:
            if self._stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        if not self.stops or not self._inside("stop"):
            return
        stop = self.stops[-1]
        if self._dir is not None:
            self._dir[-1] += data
        elif any(t == "h2" for t, _ in self._stack):
            stop.heading += data
        elif self._inside("times"):
            stop.times += data
        elif self._inside("cargo"):
            stop.cargo += data


def _parse(path: Path) -> tuple[SheetParser, str]:
    text = path.read_text(encoding="utf-8")
    parser = SheetParser()
    parser.feed(text)
    return parser, text


def _groups(route: Route) -> list[StepGroup[Step]]:
    return group_steps(route.steps, type_of=lambda s: s.type.value, site_of=lambda s: s.site)


@dataclass(frozen=True)
class Day:
    result: Result
    sheets: list[Path]
    sites: dict[str, SiteInfo]
    net: SiteNetwork


@pytest.fixture(scope="session")
def beilin_graph(beilin_dir: Path) -> nx.MultiDiGraph:
    """The real, routable Beilin drive graph (frozen, shared; ~1 s to load)."""
    return geo.load_beilin_graph(beilin_dir)


@pytest.fixture(scope="module")
def day(beilin_graph: nx.MultiDiGraph, tmp_path_factory: pytest.TempPathFactory) -> Day:
    """The small day, solved in 2 s on real travel times, its sheets written once."""
    ids = [s[0] for s in SITES]
    net = site_network(beilin_graph, ids, [(s[4], s[5]) for s in SITES], depart_at=9 * H)
    problem = Problem(
        sites=tuple(
            Site(
                id,
                location=(lon, lat),
                service_duration=300,
                time_windows=OPEN.get(id, (TimeWindow(8 * H, 18 * H),)),
                name=zh,
            )
            for id, zh, _, _, lon, lat in SITES
        ),
        durations=tuple(tuple(int(v) for v in row) for row in net.durations),
        distances=tuple(tuple(int(v) for v in row) for row in net.distances),
        vans=tuple(
            Van(
                f"van-{n}",
                start="central",
                capacity=(20, 300),
                shift=TimeWindow(8 * H + 1800, 17 * H + 1800),
                breaks=(LUNCH,),
                cost_per_km=2.0,
                fixed_cost=150.0,
            )
            for n in (1, 2)
        ),
        shipments=tuple(SHIPMENTS),
    )
    result = solve(problem, time_limit=2, seed=1)
    sites = {
        s[0]: SiteInfo(*s, hours=tuple((w.early, w.late) for w in OPEN.get(s[0], ())))
        for s in SITES
    }
    out = tmp_path_factory.mktemp("route-sheets")
    sheets = write_route_sheets(
        result,
        sites=sites,
        shipments={s.id: s for s in SHIPMENTS},
        leg=net.leg,
        out_dir=out,
        day_label="2026-11-27",
        demo=False,
        graph=beilin_graph,
        pdf=True,
    )
    return Day(result, sheets, sites, net)


def test_one_sheet_per_used_van_plus_an_index(day: Day) -> None:
    assert day.result.routes, "the small day needs at least one van"
    names = [p.name for p in day.sheets]
    assert names == ["index.html"] + [f"route-{r.van}.html" for r in day.result.routes]
    assert all(p.parent == day.sheets[0].parent for p in day.sheets)
    pdfs = [f"route-{r.van}.pdf" for r in day.result.routes]
    assert sorted(p.name for p in day.sheets[0].parent.iterdir()) == sorted(names + pdfs)
    for pdf in pdfs:  # printed from the same sheet (the service's template and printer)
        assert (day.sheets[0].parent / pdf).read_bytes().startswith(b"%PDF-")


def test_every_transfer_is_on_a_sheet_or_listed_as_not_planned(day: Day) -> None:
    planned = {s for r in day.result.routes for s in r.shipments}
    unassigned = {u.shipment for u in day.result.unassigned}
    assert planned | unassigned == {s.id for s in SHIPMENTS} and not planned & unassigned
    _, index = _parse(day.sheets[0])
    for sid in unassigned:
        assert sid in index
    for route, sheet in zip(day.result.routes, day.sheets[1:], strict=True):
        text = sheet.read_text(encoding="utf-8")
        assert all(sid in text for sid in route.shipments)


def test_sheet_lists_every_stop_in_order_with_arrival_times(day: Day) -> None:
    for route, sheet in zip(day.result.routes, day.sheets[1:], strict=True):
        parser, _ = _parse(sheet)
        assert parser.lang == "zh-CN"
        groups = _groups(route)
        assert len(parser.stops) == len(groups)
        for stop, group in zip(parser.stops, groups, strict=True):
            first = group.steps[0]
            if group.kind == "break":
                assert "break" in stop.css.split()
                continue
            assert group.site is not None
            info = day.sites[group.site]
            assert stop.heading.split()[:2] == [str(group.number), info.name_zh]
            assert info.name_en in stop.heading  # English second
            last = group.steps[-1]  # the van leaves the start once loaded
            shown = clock(last.departure if group.kind == "start" else first.arrival)
            assert re.search(rf"\b{shown}\b", stop.times), (stop.times, shown)


def test_sheet_shows_the_lunch_break(day: Day) -> None:
    for route, sheet in zip(day.result.routes, day.sheets[1:], strict=True):
        parser, _ = _parse(sheet)
        breaks = [s for s in parser.stops if "break" in s.css.split()]
        assert len(breaks) == 1
        shown = breaks[0]
        assert "司机休息" in shown.heading and "Driver break" in shown.heading
        assert "30 分钟" in shown.times
        [step] = [s for s in route.steps if s.type == StepType.BREAK]
        window = LUNCH.time_windows[0]
        assert window.early <= step.service_start <= window.late
        assert shown.times.startswith(clock(step.service_start))


def test_sheet_gives_turn_by_turn_directions_for_every_leg(day: Day) -> None:
    for route, sheet in zip(day.result.routes, day.sheets[1:], strict=True):
        parser, _ = _parse(sheet)
        previous: str | None = None
        legs = 0
        for stop, group in zip(parser.stops, _groups(route), strict=True):
            if group.kind == "break":
                assert not stop.directions_zh
                continue
            moved = previous is not None and group.site != previous
            assert bool(stop.directions_zh) == moved
            if moved:
                legs += 1
                assert len(stop.directions_en) == len(stop.directions_zh)
                assert any("米" in d or "公里" in d for d in stop.directions_zh)
                assert any(DIRECTION.search(d) for d in stop.directions_zh)
                assert stop.directions_zh[-1] == "到达目的地"
                assert any(re.search(r"\d+ m|\d km", d) for d in stop.directions_en)
            previous = group.site
        assert parser.route_lines == legs  # one line of the route on the map per leg


def test_sheet_gives_the_crates_of_every_stop(day: Day) -> None:
    by_id = {s.id: s for s in SHIPMENTS}
    for route, sheet in zip(day.result.routes, day.sheets[1:], strict=True):
        parser, _ = _parse(sheet)
        for stop, group in zip(parser.stops, _groups(route), strict=True):
            for step in group.steps:
                for sid in step.shipments:
                    assert f"{sid}：{by_id[sid].amount[0]} 箱" in stop.cargo
            last = group.steps[-1]
            if group.kind not in ("break", "end"):
                assert f"车上 on board {last.load[0]} 箱" in " ".join(stop.times.split())


def test_sheet_credits_osm_and_holds_no_patron_data(day: Day) -> None:
    for sheet in day.sheets:
        _, text = _parse(sheet)
        assert "© OpenStreetMap contributors" in text
        assert "ODbL" in text
        assert "patron" not in text.lower() and "读者" not in text
        assert "演示数据" not in text  # demo=False: no demo banner on a real plan


def test_index_summarises_the_day(day: Day) -> None:
    parser, text = _parse(day.sheets[0])
    assert parser.lang == "zh-CN"
    assert "配送计划 · 2026-11-27" in text
    assert f"用车 {day.result.summary.vans_used} 辆" in text
    for sheet in day.sheets[1:]:
        assert f'href="{sheet.name}"' in text


def test_every_unassigned_reason_has_a_chinese_label() -> None:
    # The index page shows REASON_ZH[reason]: a reason without a label would show nothing.
    assert {reason.value for reason in UnassignedReason} <= set(REASON_ZH)
