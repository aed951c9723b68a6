"""The catalogue's tables: sites, records, items, patrons, loans, holds, transfers, crates,
staff users, vans.

Conventions
-----------
* Every timestamp is a naive ``datetime`` in the library's local time (Asia/Shanghai, UTC+8,
  no daylight saving), so SQLite and PostgreSQL store and return exactly the same values.
* Opening hours are integer seconds since local midnight; weekdays are ``0`` = Monday .. ``6``.
* Locations are WGS-84 ``lon``, ``lat``; GCJ-02 input is converted at the edge
  (:func:`catalog.sites.create_site`).
* Status columns are plain strings checked by a CHECK constraint (``native_enum=False``), so a
  new status is one migration on both databases.
* Patrons carry no personal data beyond the card number and the home site.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship, validates

from catalog.isbn import normalize_isbn

__all__ = [
    "ACTIVE_HOLD_STATUSES",
    "CRATE_CODE_LENGTH",
    "OPEN_TRANSFER_STATUSES",
    "SHIPMENT_ID_LENGTH",
    "Base",
    "Crate",
    "CrateStatus",
    "Hold",
    "HoldStatus",
    "Item",
    "ItemStatus",
    "Loan",
    "OpeningInterval",
    "Patron",
    "Record",
    "Role",
    "Site",
    "SiteClosedDate",
    "SiteKind",
    "SiteVanDay",
    "Transfer",
    "TransferEvent",
    "TransferKind",
    "TransferStatus",
    "User",
    "Van",
]

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base whose constraints get stable names (Alembic needs them to drop/alter)."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class SiteKind(enum.StrEnum):
    """总馆 / 分馆 / 服务点."""

    central = "central"
    branch = "branch"
    service_point = "service_point"


class ItemStatus(enum.StrEnum):
    """Where an item stands in circulation."""

    available = "available"
    on_loan = "on_loan"
    in_transit = "in_transit"
    on_hold_shelf = "on_hold_shelf"
    missing = "missing"
    withdrawn = "withdrawn"


class HoldStatus(enum.StrEnum):
    """A hold's life: waiting (no copy yet) → assigned (copy chosen, moving) → ready (on the
    hold shelf) → collected (checked out); or cancelled."""

    waiting = "waiting"
    assigned = "assigned"
    ready = "ready"
    collected = "collected"
    cancelled = "cancelled"


class TransferKind(enum.StrEnum):
    """Why an item moves (调拨 kinds)."""

    hold = "hold"
    return_home = "return_home"
    new_stock = "new_stock"
    rebalance = "rebalance"


class CrateStatus(enum.StrEnum):
    """A crate's trip: open (packed at its origin) → in_transit (in a van) → delivered."""

    open = "open"
    in_transit = "in_transit"
    delivered = "delivered"


class TransferStatus(enum.StrEnum):
    """requested → planned → picked_up → delivered, or lost (too long in transit), or
    cancelled (superseded before pickup)."""

    requested = "requested"
    planned = "planned"
    picked_up = "picked_up"
    delivered = "delivered"
    lost = "lost"
    cancelled = "cancelled"


ACTIVE_HOLD_STATUSES = (HoldStatus.assigned, HoldStatus.ready)
"""Hold statuses that own a copy; at most one such hold per item (a unique partial index)."""

OPEN_TRANSFER_STATUSES = (
    TransferStatus.requested,
    TransferStatus.planned,
    TransferStatus.picked_up,
)
"""Transfer statuses still moving an item; at most one such transfer per item."""

SHIPMENT_ID_LENGTH = 120
"""Longest dispatch shipment id a transfer records (``Transfer.shipment_id``)."""


def _enum(cls: type[enum.StrEnum], name: str) -> Enum:
    return Enum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=20,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


def _in_list(values: tuple[enum.StrEnum, ...]) -> str:
    return ", ".join(f"'{v.value}'" for v in values)


class Site(Base):
    """A library site: the central library, a branch or a service point."""

    __tablename__ = "sites"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[SiteKind] = mapped_column(_enum(SiteKind, "site_kind"))
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(400), default="")
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    keeps_stock: Mapped[bool] = mapped_column(default=True)

    opening_hours: Mapped[list[OpeningInterval]] = relationship(
        back_populates="site",
        cascade="all, delete-orphan",
        order_by="(OpeningInterval.weekday, OpeningInterval.open_s)",
    )
    closed_dates: Mapped[list[SiteClosedDate]] = relationship(
        back_populates="site", cascade="all, delete-orphan", order_by="SiteClosedDate.day"
    )
    van_days: Mapped[list[SiteVanDay]] = relationship(
        back_populates="site", cascade="all, delete-orphan", order_by="SiteVanDay.weekday"
    )

    __table_args__ = (
        CheckConstraint("lon >= -180 AND lon <= 180", name="lon_range"),
        CheckConstraint("lat >= -90 AND lat <= 90", name="lat_range"),
    )

    @property
    def van_weekdays(self) -> frozenset[int]:
        """Weekdays (0 = Monday) on which a van calls."""
        return frozenset(v.weekday for v in self.van_days)

    def __repr__(self) -> str:
        return f"Site(code={self.code!r}, kind={self.kind.value!r})"


class OpeningInterval(Base):
    """One opening interval of a site on a weekday; a lunch closure is two intervals."""

    __tablename__ = "opening_intervals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    weekday: Mapped[int] = mapped_column(Integer)
    open_s: Mapped[int] = mapped_column(Integer)
    close_s: Mapped[int] = mapped_column(Integer)

    site: Mapped[Site] = relationship(back_populates="opening_hours")

    __table_args__ = (
        CheckConstraint("weekday >= 0 AND weekday <= 6", name="weekday_range"),
        CheckConstraint("open_s >= 0 AND open_s < close_s AND close_s <= 86400", name="interval"),
    )


class SiteClosedDate(Base):
    """A date on which a site is closed (public holiday, stocktaking)."""

    __tablename__ = "site_closed_dates"

    site_id: Mapped[int] = mapped_column(
        ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    reason: Mapped[str] = mapped_column(String(200), default="")

    site: Mapped[Site] = relationship(back_populates="closed_dates")


class SiteVanDay(Base):
    """A weekday on which a van calls at a site."""

    __tablename__ = "site_van_days"

    site_id: Mapped[int] = mapped_column(
        ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True
    )
    weekday: Mapped[int] = mapped_column(Integer, primary_key=True)

    site: Mapped[Site] = relationship(back_populates="van_days")

    __table_args__ = (CheckConstraint("weekday >= 0 AND weekday <= 6", name="weekday_range"),)


def _title_of(context: Any) -> str:
    return str(context.get_current_parameters().get("title") or "")


class Record(Base):
    """A bibliographic record (one edition of a work)."""

    __tablename__ = "records"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(500))
    """The title as catalogued (for a record with an alternate script: the romanised form)."""
    authors: Mapped[str] = mapped_column(String(500), default="")
    """Authors joined with ``"; "`` in catalogue order."""
    publisher: Mapped[str] = mapped_column(String(300), default="")
    year: Mapped[int | None] = mapped_column(Integer)
    isbn13: Mapped[str | None] = mapped_column(String(13), index=True)
    """Normalised ISBN-13 (13 ASCII digits), see :func:`catalog.isbn.normalize_isbn`; an
    ISBN-10 or a hyphenated ISBN set here is normalised, an invalid one refused."""
    clc: Mapped[str] = mapped_column(String(100), default="")
    """中图分类号 (CLC call number), e.g. ``I247.5``."""
    language: Mapped[str] = mapped_column(String(8), default="chi")
    """MARC language code (``chi``, ``eng`` ...)."""
    title_vernacular: Mapped[str] = mapped_column(String(500), default="", server_default="")
    """The title in its original script when ``title`` is romanised (MARC 21 880), e.g.
    ``簡明宋史`` for ``Jian ming Song shi``; ``""`` if none."""
    authors_vernacular: Mapped[str] = mapped_column(String(500), default="", server_default="")
    """The authors in their original script, joined with ``"; "``."""
    publisher_vernacular: Mapped[str] = mapped_column(String(300), default="", server_default="")
    """The publisher in its original script."""
    sort_title: Mapped[str] = mapped_column(String(500), default=_title_of, server_default="")
    """The title without its non-sorting part (``Hobbit`` for ``The Hobbit``); a record
    created without one sorts by its title."""

    items: Mapped[list[Item]] = relationship(back_populates="record")

    __table_args__ = (
        CheckConstraint("year IS NULL OR (year >= 1000 AND year <= 2999)", name="year_range"),
    )

    @validates("isbn13")
    def _valid_isbn13(self, _key: str, value: str | None) -> str | None:
        # Every way a record is created through the ORM checks its ISBN; the bulk importers
        # check theirs in catalog.marc_fields.RecordData.
        return None if value is None else normalize_isbn(value, field="isbn13")


class Item(Base):
    """A physical copy of a record, identified by its barcode."""

    __tablename__ = "items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    barcode: Mapped[str] = mapped_column(String(64), unique=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"), index=True)
    home_site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    current_site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    status: Mapped[ItemStatus] = mapped_column(
        _enum(ItemStatus, "item_status"), default=ItemStatus.available
    )
    floating: Mapped[bool] = mapped_column(default=False)
    """A floating item stays where it is returned instead of going home."""

    record: Mapped[Record] = relationship(back_populates="items")
    home_site: Mapped[Site] = relationship(foreign_keys=[home_site_id])
    current_site: Mapped[Site] = relationship(foreign_keys=[current_site_id])


class Patron(Base):
    """A library card: its number and home site, nothing more."""

    __tablename__ = "patrons"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    card_number: Mapped[str] = mapped_column(String(64), unique=True)
    home_site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)

    home_site: Mapped[Site] = relationship()

    @property
    def card_last4(self) -> str:
        """The only part of the card number that travels on hold slips."""
        return self.card_number[-4:]


class Loan(Base):
    """One check-out of an item; open while ``returned_at`` is NULL."""

    __tablename__ = "loans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    patron_id: Mapped[int] = mapped_column(ForeignKey("patrons.id"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    checked_out_at: Mapped[datetime] = mapped_column(DateTime)
    due_on: Mapped[date] = mapped_column(Date)
    returned_at: Mapped[datetime | None] = mapped_column(DateTime)
    return_site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"))

    item: Mapped[Item] = relationship()
    patron: Mapped[Patron] = relationship()

    __table_args__ = (
        # One open loan per item, whoever scans it.
        Index(
            "uq_loans_item_id_open",
            "item_id",
            unique=True,
            sqlite_where=text("returned_at IS NULL"),
            postgresql_where=text("returned_at IS NULL"),
        ),
    )


class Hold(Base):
    """A patron's request (预约) for a record, to be picked up at ``pickup_site``."""

    __tablename__ = "holds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"), index=True)
    patron_id: Mapped[int] = mapped_column(ForeignKey("patrons.id"), index=True)
    pickup_site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    status: Mapped[HoldStatus] = mapped_column(
        _enum(HoldStatus, "hold_status"), default=HoldStatus.waiting
    )
    placed_at: Mapped[datetime] = mapped_column(DateTime)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("items.id"), index=True)
    expected_on: Mapped[date | None] = mapped_column(Date)
    """预计到馆日期: the day the copy is expected on the pickup site's hold shelf."""
    ready_at: Mapped[datetime | None] = mapped_column(DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)

    record: Mapped[Record] = relationship()
    patron: Mapped[Patron] = relationship()
    pickup_site: Mapped[Site] = relationship()
    item: Mapped[Item | None] = relationship()

    __table_args__ = (
        # Two staff filling the last copy at the same moment: the second one fails here.
        Index(
            "uq_holds_item_id_active",
            "item_id",
            unique=True,
            sqlite_where=text(f"status IN ({_in_list(ACTIVE_HOLD_STATUSES)})"),
            postgresql_where=text(f"status IN ({_in_list(ACTIVE_HOLD_STATUSES)})"),
        ),
        CheckConstraint(
            f"item_id IS NOT NULL OR status NOT IN ({_in_list(ACTIVE_HOLD_STATUSES)})",
            name="active_has_item",
        ),
    )


class Transfer(Base):
    """Moving one item from one site to another (调拨)."""

    __tablename__ = "transfers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    kind: Mapped[TransferKind] = mapped_column(_enum(TransferKind, "transfer_kind"))
    status: Mapped[TransferStatus] = mapped_column(
        _enum(TransferStatus, "transfer_status"), default=TransferStatus.requested
    )
    origin_site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    destination_site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    hold_id: Mapped[int | None] = mapped_column(ForeignKey("holds.id"), index=True)
    requested_at: Mapped[datetime] = mapped_column(DateTime)
    deadline: Mapped[datetime] = mapped_column(DateTime)
    crate_id: Mapped[str | None] = mapped_column(String(64), index=True)
    """Barcode of the crate (周转箱) the item travels in."""
    van_id: Mapped[str | None] = mapped_column(String(64))
    stop: Mapped[int | None] = mapped_column(Integer)
    """Position of the pickup stop in the van's route."""
    planned_for: Mapped[date | None] = mapped_column(Date)
    deferred_reason: Mapped[str | None] = mapped_column(Text)
    """Why the last plan left this transfer out (延后), shown to staff; NULL once planned."""
    shipment_id: Mapped[str | None] = mapped_column(String(SHIPMENT_ID_LENGTH))
    """The dispatch shipment the last plan put this transfer in, planned or deferred: its
    group, e.g. ``t-return_home-west-central``, or a part of a group bigger than a van,
    e.g. ``t-new_stock-central-branch-001#2/3``. NULL until a plan is recorded."""
    picked_up_at: Mapped[datetime | None] = mapped_column(DateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime)

    item: Mapped[Item] = relationship()
    origin_site: Mapped[Site] = relationship(foreign_keys=[origin_site_id])
    destination_site: Mapped[Site] = relationship(foreign_keys=[destination_site_id])
    hold: Mapped[Hold | None] = relationship()
    events: Mapped[list[TransferEvent]] = relationship(
        back_populates="transfer", order_by="TransferEvent.id", cascade="all, delete-orphan"
    )

    __table_args__ = (
        Index(
            "uq_transfers_item_id_open",
            "item_id",
            unique=True,
            sqlite_where=text(f"status IN ({_in_list(OPEN_TRANSFER_STATUSES)})"),
            postgresql_where=text(f"status IN ({_in_list(OPEN_TRANSFER_STATUSES)})"),
        ),
        CheckConstraint("origin_site_id <> destination_site_id", name="moves"),
        CheckConstraint("kind <> 'hold' OR hold_id IS NOT NULL", name="hold_has_hold"),
    )


class TransferEvent(Base):
    """One status change of a transfer: when, where, by whom."""

    __tablename__ = "transfer_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    transfer_id: Mapped[int] = mapped_column(
        ForeignKey("transfers.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[TransferStatus] = mapped_column(_enum(TransferStatus, "transfer_status"))
    at: Mapped[datetime] = mapped_column(DateTime)
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"))
    staff: Mapped[str] = mapped_column(String(64), default="")
    note: Mapped[str] = mapped_column(Text, default="")

    transfer: Mapped[Transfer] = relationship(back_populates="events")
    site: Mapped[Site | None] = relationship()


CRATE_CODE_LENGTH = 64
"""Longest crate barcode (as ``Transfer.crate_id``)."""


class Crate(Base):
    """A crate (周转箱) on one trip from ``origin`` to ``destination``, by its barcode ``code``.

    Its items are the transfers whose ``crate_id`` is ``code``. Every step is stamped with
    when and by whom.
    """

    __tablename__ = "crates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(CRATE_CODE_LENGTH), unique=True)
    origin_site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    destination_site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    status: Mapped[CrateStatus] = mapped_column(
        _enum(CrateStatus, "crate_status"), default=CrateStatus.open
    )
    opened_at: Mapped[datetime] = mapped_column(DateTime)
    opened_by: Mapped[str] = mapped_column(String(64), default="")
    picked_up_at: Mapped[datetime | None] = mapped_column(DateTime)
    picked_up_by: Mapped[str | None] = mapped_column(String(64))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime)
    delivered_by: Mapped[str | None] = mapped_column(String(64))

    origin_site: Mapped[Site] = relationship(foreign_keys=[origin_site_id])
    destination_site: Mapped[Site] = relationship(foreign_keys=[destination_site_id])

    __table_args__ = (CheckConstraint("origin_site_id <> destination_site_id", name="moves"),)


class Role(enum.StrEnum):
    """What a staff account may do in the service (调度员, 司机, 分馆馆员, 规划人员, 管理员)."""

    dispatcher = "dispatcher"
    driver = "driver"
    branch_staff = "branch_staff"
    """Bound to one site (``User.site_id``): circulation there only."""
    planner = "planner"
    admin = "admin"


class User(Base):
    """A staff account of the service; patrons have no accounts."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    """An argon2id hash in PHC form (``$argon2id$v=19$...``); never the password."""
    role: Mapped[Role] = mapped_column(_enum(Role, "user_role"))
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"), index=True)
    """The one site a ``branch_staff`` account works at; NULL for the other roles."""
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)

    site: Mapped[Site | None] = relationship()

    __table_args__ = (
        CheckConstraint(
            "(role = 'branch_staff') = (site_id IS NOT NULL)", name="branch_staff_has_site"
        ),
    )

    def __repr__(self) -> str:
        return f"User(username={self.username!r}, role={self.role.value!r})"


class Van(Base):
    """A van of the fleet (配送车): its depot, capacity, driver's shift and lunch break, costs.

    ``version`` grows with every change, so that an edit made on a stale copy is refused
    (409) instead of overwriting another dispatcher's.
    """

    __tablename__ = "vans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    depot_site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    capacity_crates: Mapped[int] = mapped_column(Integer)
    capacity_kg: Mapped[int] = mapped_column(Integer)
    shift_start_s: Mapped[int] = mapped_column(Integer)
    shift_end_s: Mapped[int] = mapped_column(Integer)
    """The driver's shift, seconds since local midnight."""
    break_start_s: Mapped[int | None] = mapped_column(Integer)
    break_end_s: Mapped[int | None] = mapped_column(Integer)
    """When the lunch break may start (window of its start); NULL: no break."""
    break_s: Mapped[int] = mapped_column(Integer, default=0)
    max_route_s: Mapped[int | None] = mapped_column(Integer)
    cost_per_km: Mapped[float] = mapped_column(Float, default=0.0)
    cost_per_hour: Mapped[float] = mapped_column(Float, default=0.0)
    fixed_cost: Mapped[float] = mapped_column(Float, default=0.0)
    driver_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), unique=True)
    """The driver who takes this van out (a ``driver`` account); at most one van each."""
    active: Mapped[bool] = mapped_column(default=True)
    version: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    updated_by: Mapped[str] = mapped_column(String(64), default="")

    depot: Mapped[Site] = relationship()
    driver: Mapped[User | None] = relationship()

    __table_args__ = (
        CheckConstraint("capacity_crates > 0 AND capacity_kg > 0", name="capacity"),
        CheckConstraint(
            "shift_start_s >= 0 AND shift_start_s < shift_end_s AND shift_end_s <= 172800",
            name="shift",
        ),
        CheckConstraint(
            "(break_start_s IS NULL) = (break_end_s IS NULL) AND "
            "(break_start_s IS NULL OR break_start_s <= break_end_s)",
            name="break_window",
        ),
        CheckConstraint("break_s >= 0", name="break_length"),
        CheckConstraint(
            "cost_per_km >= 0 AND cost_per_hour >= 0 AND fixed_cost >= 0", name="costs"
        ),
    )
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy's own name)

    def __repr__(self) -> str:
        return f"Van(code={self.code!r})"
