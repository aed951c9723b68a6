"""A seeded demo catalogue (演示数据 / demo data): records, items and patrons for demo sites.

Everything here is invented and labelled as such: every publisher name ends in
``（演示数据）``, item barcodes start with ``DEMO`` and library cards with ``DEMO``. Titles
and authors are combined from word lists so they read like a Chinese public library's
shelves (novels, local history of 长安/西安, children's books, computing, health ...), each
record has a CLC class (中图分类号) matching its subject and a valid ISBN-13 with the
Chinese group prefix ``978-7``.

The default size follows a district network: about 20,000 records, 60,000 items and 10,000
patrons; ``scale`` shrinks or grows all three (tests use ``scale=0.005``). Rows are written
with bulk ``INSERT``s, then the records are added to the search index.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, insert, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from catalog.errors import InvalidValueError, NotFoundError
from catalog.isbn import isbn13_check_digit
from catalog.marc_import import RecordData, import_records
from catalog.models import Item, ItemStatus, Patron, Site, SiteKind

__all__ = [
    "DEMO_LABEL",
    "DemoCatalogue",
    "demo_sites_from_db",
    "generate_demo_catalogue",
    "make_demo_records",
]

DEMO_LABEL = "（演示数据）"
"""Appended to every demo publisher name, so demo records are recognisable anywhere."""

RECORDS = 20_000
ITEMS = 60_000
PATRONS = 10_000

# Share of the copies held by each kind of site (a service point keeps a small rotating
# collection; the central library and the branches hold the rest).
_KIND_SHARE = {SiteKind.central: 0.35, SiteKind.branch: 0.55, SiteKind.service_point: 0.10}
_PATRON_SHARE = {SiteKind.central: 0.30, SiteKind.branch: 0.50, SiteKind.service_point: 0.20}

# --- word lists --------------------------------------------------------------------------

_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛"
)
_GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉力斌宇浩凯鹏飞晨阳欣怡雪"
    "梅琳颖婷雨涵子轩博思远志诚慧晓春秋冬海波峰云山川宁安嘉佳俊逸若昕之然"
)
_FOREIGN_GIVEN = ("约翰", "玛丽", "斯蒂芬", "安娜", "卡尔", "伊丽莎白", "彼得", "露西", "托马斯")
_FOREIGN_FAMILY = ("史密斯", "米勒", "布朗", "霍夫曼", "杜邦", "加西亚", "伊藤", "佐藤", "卡森")
_FOREIGN_COUNTRY = ("美", "英", "法", "德", "日", "俄", "意")

_PLACES = (
    "长安",
    "西安",
    "秦岭",
    "终南山",
    "大唐",
    "碑林",
    "钟楼",
    "渭河",
    "黄土地",
    "南山",
    "城南",
    "古城",
    "关中",
    "丝路",
    "曲江",
    "大雁塔",
    "小雁塔",
    "书院门",
    "北方",
    "江南",
    "故乡",
    "远方",
)
_SEASONS = ("春天", "夏夜", "秋天", "冬日", "清晨", "黄昏", "雨季", "雪夜", "星期天", "少年时")
_THINGS = (
    "荔枝",
    "故事",
    "秘密",
    "记忆",
    "星空",
    "河流",
    "森林",
    "孩子",
    "世界",
    "灯火",
    "歌声",
    "旅程",
    "来信",
    "花园",
    "月光",
    "书信",
    "老街",
    "钟声",
    "风景",
    "传说",
    "长夜",
    "山河",
    "人间",
    "岁月",
    "烟火",
    "归途",
    "白鹿",
    "麦田",
    "灯塔",
    "群星",
)
_FICTION_FORMS = ("{p}的{t}", "{s}的{t}", "{t}与{t2}", "{p}{t}", "{t}", "{p}往事", "{s}{t}")
_SEQUEL = ("", "", "", "", "", "Ⅱ", "Ⅲ", "（上）", "（下）", "：第一部", "：第二部")

_ANIMALS = ("小熊", "小兔", "小狐狸", "小猫", "小象", "小企鹅", "小刺猬", "小恐龙", "小松鼠")
_KID_ACTIONS = (
    "的生日",
    "去旅行",
    "找妈妈",
    "学游泳",
    "的新朋友",
    "不想睡觉",
    "和月亮",
    "的奇妙一天",
    "上学记",
    "过新年",
)

_TOPICS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # CLC class: (topic words, title endings)
    "TP3": (
        (
            "Python编程",
            "数据结构",
            "机器学习",
            "人工智能",
            "深度学习",
            "数据库系统",
            "算法",
            "操作系统",
            "计算机网络",
            "Java程序设计",
            "Web开发",
            "大数据分析",
        ),
        (
            "入门",
            "实战",
            "从入门到精通",
            "原理与实践",
            "基础教程",
            "（第2版）",
            "（第3版）",
            "十讲",
        ),
    ),
    "K2": (
        (
            "唐代",
            "明朝",
            "秦汉",
            "丝绸之路",
            "长安城",
            "宋代",
            "中国古代",
            "西安城墙",
            "周秦汉唐",
            "碑林",
            "关中",
        ),
        ("史", "简史", "史话", "十五讲", "研究", "往事", "考古记", "文化", "风物志"),
    ),
    "R1": (
        ("家庭", "儿童", "老年人", "中医", "营养", "睡眠", "运动", "心理"),
        ("健康手册", "养生", "保健指南", "百问百答", "常识", "自我调理"),
    ),
    "G62": (
        ("小学语文", "小学数学", "初中英语", "高中物理", "作文", "阅读理解"),
        ("同步练习", "精讲精练", "知识清单", "一本通", "满分训练"),
    ),
    "F27": (
        ("企业", "创业", "个人理财", "市场营销", "管理", "数字经济"),
        ("学", "之道", "实务", "案例精选", "三十讲", "指南"),
    ),
    "J2": (
        ("书法", "国画", "素描", "水彩", "篆刻", "摄影"),
        ("入门", "技法", "教程", "临摹范本", "鉴赏"),
    ),
    "B2": (
        ("论语", "道德经", "庄子", "孟子", "中国哲学", "王阳明"),
        ("译注", "精读", "十讲", "通识", "今读"),
    ),
    "H31": (
        ("英语语法", "英语口语", "雅思词汇", "新概念英语", "商务英语"),
        ("大全", "速成", "必备", "精讲", "一本通"),
    ),
}
_FICTION_CLASSES = (("I247.5", 6), ("I247.7", 2), ("I267", 2), ("I287.5", 2), ("I313.45", 1))
_SUBJECT_WEIGHTS = (
    ("I", 13),
    ("TP3", 3),
    ("K2", 3),
    ("R1", 2),
    ("G62", 2),
    ("F27", 2),
    ("J2", 1),
    ("B2", 1),
    ("H31", 1),
)
_PUBLISHERS = (
    # (name, ISBN publisher prefix after 978-7)
    ("人民文学出版社", "02"),
    ("中华书局", "101"),
    ("商务印书馆", "100"),
    ("陕西人民出版社", "224"),
    ("太白文艺出版社", "5513"),
    ("三秦出版社", "5518"),
    ("陕西师范大学出版社", "5695"),
    ("西北大学出版社", "5604"),
    ("人民邮电出版社", "115"),
    ("机械工业出版社", "111"),
    ("清华大学出版社", "302"),
    ("作家出版社", "5063"),
    ("译林出版社", "5447"),
    ("接力出版社", "5448"),
    ("未来出版社", "5417"),
)


def _person(rng: random.Random) -> str:
    if rng.random() < 0.12:
        given, family = rng.choice(_FOREIGN_GIVEN), rng.choice(_FOREIGN_FAMILY)
        return f"（{rng.choice(_FOREIGN_COUNTRY)}）{given}·{family}"
    given = rng.choice(_GIVEN) + (rng.choice(_GIVEN) if rng.random() < 0.7 else "")
    return rng.choice(_SURNAMES) + given


def _fiction_title(rng: random.Random) -> str:
    form = rng.choice(_FICTION_FORMS)
    t, t2 = rng.sample(_THINGS, 2)
    title = form.format(p=rng.choice(_PLACES), s=rng.choice(_SEASONS), t=t, t2=t2)
    return title + rng.choice(_SEQUEL)


def _title_and_class(rng: random.Random) -> tuple[str, str]:
    subject = rng.choices([s for s, _ in _SUBJECT_WEIGHTS], [w for _, w in _SUBJECT_WEIGHTS])[0]
    if subject == "I":
        clc = rng.choices([c for c, _ in _FICTION_CLASSES], [w for _, w in _FICTION_CLASSES])[0]
        if clc == "I287.5":
            return rng.choice(_ANIMALS) + rng.choice(_KID_ACTIONS), clc
        return _fiction_title(rng), clc
    topics, endings = _TOPICS[subject]
    # A finer class under the subject (TP3 → TP312), as cataloguers assign.
    return rng.choice(topics) + rng.choice(endings), f"{subject}{rng.randint(1, 9)}"


def make_demo_records(count: int, *, seed: int = 0) -> list[RecordData]:
    """Invent ``count`` demo records (same seed, same records).

    Titles may repeat, as editions and reprints do on real shelves; ISBNs never repeat.

    Parameters
    ----------
    count
        Number of records.
    seed
        Random seed.
    """
    rng = random.Random(seed)
    used: set[str] = set()
    next_number = {prefix: 0 for _, prefix in _PUBLISHERS}
    records = []
    for _ in range(count):
        title, clc = _title_and_class(rng)
        authors = [_person(rng) for _ in range(1 if rng.random() < 0.8 else 2)]
        publisher, prefix = rng.choice(_PUBLISHERS)
        # 978-7-<publisher>-<title number>: the title number fills the 12 digits before the
        # check digit; numbers are handed out in order, so ISBNs are unique per publisher.
        width = 12 - 4 - len(prefix)
        while True:
            next_number[prefix] += 1 + rng.randrange(7)
            body = f"9787{prefix}{next_number[prefix] % 10**width:0{width}d}"
            if body not in used:
                used.add(body)
                break
        records.append(
            RecordData(
                title=title,
                authors=tuple(authors),
                publisher=publisher + DEMO_LABEL,
                year=rng.randint(1980, 2025),
                isbn13=body + isbn13_check_digit(body),
                clc=clc,
            )
        )
    return records


@dataclass(frozen=True, slots=True)
class DemoCatalogue:
    """What :func:`generate_demo_catalogue` wrote.

    Attributes
    ----------
    records, items, patrons
        Rows created.
    items_by_site
        Copies per site id.
    patrons_by_site
        Patrons per home site id.
    """

    records: int
    items: int
    patrons: int
    items_by_site: dict[int, int] = field(default_factory=dict)
    patrons_by_site: dict[int, int] = field(default_factory=dict)


def demo_sites_from_db(session: Session) -> list[tuple[int, SiteKind]]:
    """Every site in the database as ``(site_id, kind)``, in id order."""
    return [(s.id, s.kind) for s in session.scalars(select(Site).order_by(Site.id))]


def _checked_sites(
    session: Session, sites: Sequence[tuple[int, SiteKind | str]]
) -> tuple[list[tuple[int, SiteKind]], list[tuple[int, SiteKind]]]:
    """All the sites checked, and those of them that keep stock (get items)."""
    if not sites:
        raise InvalidValueError("sites", sites, "need at least one site")
    checked = []
    for site_id, kind in sites:
        try:
            checked.append((int(site_id), SiteKind(kind)))
        except ValueError as exc:
            kinds = [k.value for k in SiteKind]
            raise InvalidValueError(
                "sites", (site_id, kind), f"kind must be one of {kinds}"
            ) from exc
    rows = session.execute(
        select(Site.id, Site.keeps_stock).where(Site.id.in_([s for s, _ in checked]))
    )
    keeps = {site_id: keeps_stock for site_id, keeps_stock in rows}
    for site_id, _ in checked:
        if site_id not in keeps:
            raise NotFoundError("sites", site_id, "no such site in the database")
    stocked = [(s, k) for s, k in checked if keeps[s]]
    if not stocked:
        raise InvalidValueError("sites", sites, "none of these sites keeps stock")
    return checked, stocked


def _spread(
    rng: random.Random, total: int, sites: list[tuple[int, SiteKind]], share: dict[SiteKind, float]
) -> list[int]:
    """``total`` site ids drawn so each kind gets its share, split evenly within a kind
    (kinds absent from ``sites`` give their share to the others)."""
    weights = []
    per_kind = {k: sum(1 for _, kk in sites if kk == k) for k in SiteKind}
    for _, kind in sites:
        weights.append(share[kind] / per_kind[kind])
    return rng.choices([s for s, _ in sites], weights, k=total)


def generate_demo_catalogue(
    session: Session,
    sites: Sequence[tuple[int, SiteKind | str]],
    *,
    seed: int = 0,
    scale: float = 1.0,
    records: int | None = None,
    items: int | None = None,
    patrons: int | None = None,
) -> DemoCatalogue:
    """Fill the catalogue with demo records, items and patrons (演示数据) at ``sites``.

    Parameters
    ----------
    session
        Session on a migrated catalogue database; the sites must exist. The caller commits.
    sites
        ``(site_id, kind)`` for each demo site (``kind``: ``central``, ``branch`` or
        ``service_point``), e.g. from :func:`demo_sites_from_db`.
    seed
        Random seed: the same seed and sites give the same catalogue.
    scale
        Multiplies the default sizes (20,000 records, 60,000 items, 10,000 patrons).
    records, items, patrons
        Exact sizes, overriding ``scale``.

    Returns
    -------
    DemoCatalogue
        Counts written, per site.

    Raises
    ------
    InvalidValueError
        No sites, an unknown kind, a size below 1 or fewer items than records.
    NotFoundError
        A site id not in the database.
    """
    if scale <= 0:
        raise InvalidValueError("scale", scale, "must be > 0")
    n_records = records if records is not None else max(1, round(RECORDS * scale))
    n_items = items if items is not None else max(1, round(ITEMS * scale))
    n_patrons = patrons if patrons is not None else max(1, round(PATRONS * scale))
    for name, value in (("records", n_records), ("items", n_items), ("patrons", n_patrons)):
        if value < 1:
            raise InvalidValueError(name, value, "must be >= 1")
    if n_items < n_records:
        raise InvalidValueError(
            "items", n_items, f"need at least one copy per record ({n_records})"
        )
    checked, stocked = _checked_sites(session, sites)
    rng = random.Random(seed)

    record_ids = import_records(session, make_demo_records(n_records, seed=seed))
    # One copy each, then the rest to popular records (a few titles have many copies).
    copies_of = list(record_ids) + rng.choices(
        record_ids,
        weights=[1.0 / (1 + i % 97) for i in range(len(record_ids))],
        k=n_items - n_records,
    )
    first_barcode = _next_serial(session, Item.barcode)
    item_sites = _spread(rng, n_items, stocked, _KIND_SHARE)
    item_rows = [
        {
            "barcode": f"DEMO{first_barcode + i:08d}",
            "record_id": record_id,
            "home_site_id": site_id,
            "current_site_id": site_id,
            "status": ItemStatus.available,
            "floating": False,
        }
        for i, (record_id, site_id) in enumerate(zip(copies_of, item_sites, strict=True))
    ]
    for start in range(0, len(item_rows), 10_000):
        session.execute(insert(Item), item_rows[start : start + 10_000])
    first_card = _next_serial(session, Patron.card_number)
    patron_sites = _spread(rng, n_patrons, checked, _PATRON_SHARE)
    session.execute(
        insert(Patron),
        [
            {"card_number": f"DEMO{first_card + i:08d}", "home_site_id": site_id}
            for i, site_id in enumerate(patron_sites)
        ],
    )
    return DemoCatalogue(
        records=n_records,
        items=n_items,
        patrons=n_patrons,
        items_by_site=_count(item_sites),
        patrons_by_site=_count(patron_sites),
    )


def _count(values: list[int]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for v in values:
        counts[v] = counts.get(v, 0) + 1
    return dict(sorted(counts.items()))


def _next_serial(session: Session, column: InstrumentedAttribute[str]) -> int:
    """One past the highest ``DEMO<8 digits>`` value in ``column``, so a second demo batch
    does not collide with the first (fixed width: the text maximum is the numeric one)."""
    highest = session.scalar(select(func.max(column)).where(column.like("DEMO%")))
    digits = highest[4:] if highest else ""
    return int(digits) + 1 if digits.isdigit() else 1
