"""Initial schema: sites, records, items, patrons, loans, holds, transfers

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-25 20:27:13.155877
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("authors", sa.String(length=500), nullable=False),
        sa.Column("publisher", sa.String(length=300), nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("isbn13", sa.String(length=13), nullable=True),
        sa.Column("clc", sa.String(length=100), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.CheckConstraint(
            "year IS NULL OR (year >= 1000 AND year <= 2999)", name=op.f("ck_records_year_range")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_records")),
    )
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_records_isbn13"), ["isbn13"], unique=False)

    op.create_table(
        "sites",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "central",
                "branch",
                "service_point",
                name="site_kind",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("name_zh", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("address", sa.String(length=400), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("keeps_stock", sa.Boolean(), nullable=False),
        sa.CheckConstraint("lat >= -90 AND lat <= 90", name=op.f("ck_sites_lat_range")),
        sa.CheckConstraint("lon >= -180 AND lon <= 180", name=op.f("ck_sites_lon_range")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sites")),
        sa.UniqueConstraint("code", name=op.f("uq_sites_code")),
    )
    op.create_table(
        "items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("barcode", sa.String(length=64), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("home_site_id", sa.Integer(), nullable=False),
        sa.Column("current_site_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "available",
                "on_loan",
                "in_transit",
                "on_hold_shelf",
                "missing",
                "withdrawn",
                name="item_status",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("floating", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["current_site_id"], ["sites.id"], name=op.f("fk_items_current_site_id_sites")
        ),
        sa.ForeignKeyConstraint(
            ["home_site_id"], ["sites.id"], name=op.f("fk_items_home_site_id_sites")
        ),
        sa.ForeignKeyConstraint(
            ["record_id"], ["records.id"], name=op.f("fk_items_record_id_records")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_items")),
        sa.UniqueConstraint("barcode", name=op.f("uq_items_barcode")),
    )
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_items_current_site_id"), ["current_site_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_items_home_site_id"), ["home_site_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_items_record_id"), ["record_id"], unique=False)

    op.create_table(
        "opening_intervals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("open_s", sa.Integer(), nullable=False),
        sa.Column("close_s", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "open_s >= 0 AND open_s < close_s AND close_s <= 86400",
            name=op.f("ck_opening_intervals_interval"),
        ),
        sa.CheckConstraint(
            "weekday >= 0 AND weekday <= 6", name=op.f("ck_opening_intervals_weekday_range")
        ),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["sites.id"],
            name=op.f("fk_opening_intervals_site_id_sites"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opening_intervals")),
    )
    with op.batch_alter_table("opening_intervals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_opening_intervals_site_id"), ["site_id"], unique=False)

    op.create_table(
        "patrons",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("card_number", sa.String(length=64), nullable=False),
        sa.Column("home_site_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["home_site_id"], ["sites.id"], name=op.f("fk_patrons_home_site_id_sites")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patrons")),
        sa.UniqueConstraint("card_number", name=op.f("uq_patrons_card_number")),
    )
    with op.batch_alter_table("patrons", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_patrons_home_site_id"), ["home_site_id"], unique=False)

    op.create_table(
        "site_closed_dates",
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["sites.id"],
            name=op.f("fk_site_closed_dates_site_id_sites"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("site_id", "day", name=op.f("pk_site_closed_dates")),
    )
    op.create_table(
        "site_van_days",
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "weekday >= 0 AND weekday <= 6", name=op.f("ck_site_van_days_weekday_range")
        ),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["sites.id"],
            name=op.f("fk_site_van_days_site_id_sites"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("site_id", "weekday", name=op.f("pk_site_van_days")),
    )
    op.create_table(
        "holds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("patron_id", sa.Integer(), nullable=False),
        sa.Column("pickup_site_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "waiting",
                "assigned",
                "ready",
                "collected",
                "cancelled",
                name="hold_status",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("placed_at", sa.DateTime(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("expected_on", sa.Date(), nullable=True),
        sa.Column("ready_at", sa.DateTime(), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "item_id IS NOT NULL OR status NOT IN ('assigned', 'ready')",
            name=op.f("ck_holds_active_has_item"),
        ),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], name=op.f("fk_holds_item_id_items")),
        sa.ForeignKeyConstraint(
            ["patron_id"], ["patrons.id"], name=op.f("fk_holds_patron_id_patrons")
        ),
        sa.ForeignKeyConstraint(
            ["pickup_site_id"], ["sites.id"], name=op.f("fk_holds_pickup_site_id_sites")
        ),
        sa.ForeignKeyConstraint(
            ["record_id"], ["records.id"], name=op.f("fk_holds_record_id_records")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_holds")),
    )
    with op.batch_alter_table("holds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_holds_item_id"), ["item_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_holds_patron_id"), ["patron_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_holds_pickup_site_id"), ["pickup_site_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_holds_record_id"), ["record_id"], unique=False)
        batch_op.create_index(
            "uq_holds_item_id_active",
            ["item_id"],
            unique=True,
            sqlite_where=sa.text("status IN ('assigned', 'ready')"),
            postgresql_where=sa.text("status IN ('assigned', 'ready')"),
        )

    op.create_table(
        "loans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("patron_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("checked_out_at", sa.DateTime(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("returned_at", sa.DateTime(), nullable=True),
        sa.Column("return_site_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], name=op.f("fk_loans_item_id_items")),
        sa.ForeignKeyConstraint(
            ["patron_id"], ["patrons.id"], name=op.f("fk_loans_patron_id_patrons")
        ),
        sa.ForeignKeyConstraint(
            ["return_site_id"], ["sites.id"], name=op.f("fk_loans_return_site_id_sites")
        ),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_loans_site_id_sites")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loans")),
    )
    with op.batch_alter_table("loans", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_loans_item_id"), ["item_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_loans_patron_id"), ["patron_id"], unique=False)
        batch_op.create_index(
            "uq_loans_item_id_open",
            ["item_id"],
            unique=True,
            sqlite_where=sa.text("returned_at IS NULL"),
            postgresql_where=sa.text("returned_at IS NULL"),
        )

    op.create_table(
        "transfers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "hold",
                "return_home",
                "new_stock",
                "rebalance",
                name="transfer_kind",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "requested",
                "planned",
                "picked_up",
                "delivered",
                "lost",
                "cancelled",
                name="transfer_status",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("origin_site_id", sa.Integer(), nullable=False),
        sa.Column("destination_site_id", sa.Integer(), nullable=False),
        sa.Column("hold_id", sa.Integer(), nullable=True),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("deadline", sa.DateTime(), nullable=False),
        sa.Column("crate_id", sa.String(length=64), nullable=True),
        sa.Column("van_id", sa.String(length=64), nullable=True),
        sa.Column("stop", sa.Integer(), nullable=True),
        sa.Column("planned_for", sa.Date(), nullable=True),
        sa.Column("deferred_reason", sa.Text(), nullable=True),
        sa.Column("picked_up_at", sa.DateTime(), nullable=True),
        sa.Column("delivered_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "kind <> 'hold' OR hold_id IS NOT NULL", name=op.f("ck_transfers_hold_has_hold")
        ),
        sa.CheckConstraint(
            "origin_site_id <> destination_site_id", name=op.f("ck_transfers_moves")
        ),
        sa.ForeignKeyConstraint(
            ["destination_site_id"],
            ["sites.id"],
            name=op.f("fk_transfers_destination_site_id_sites"),
        ),
        sa.ForeignKeyConstraint(["hold_id"], ["holds.id"], name=op.f("fk_transfers_hold_id_holds")),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], name=op.f("fk_transfers_item_id_items")),
        sa.ForeignKeyConstraint(
            ["origin_site_id"], ["sites.id"], name=op.f("fk_transfers_origin_site_id_sites")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transfers")),
    )
    with op.batch_alter_table("transfers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_transfers_crate_id"), ["crate_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_transfers_destination_site_id"), ["destination_site_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_transfers_hold_id"), ["hold_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_transfers_item_id"), ["item_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_transfers_origin_site_id"), ["origin_site_id"], unique=False
        )
        batch_op.create_index(
            "uq_transfers_item_id_open",
            ["item_id"],
            unique=True,
            sqlite_where=sa.text("status IN ('requested', 'planned', 'picked_up')"),
            postgresql_where=sa.text("status IN ('requested', 'planned', 'picked_up')"),
        )

    op.create_table(
        "transfer_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("transfer_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "requested",
                "planned",
                "picked_up",
                "delivered",
                "lost",
                "cancelled",
                name="transfer_status",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=True),
        sa.Column("staff", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_transfer_events_site_id_sites")
        ),
        sa.ForeignKeyConstraint(
            ["transfer_id"],
            ["transfers.id"],
            name=op.f("fk_transfer_events_transfer_id_transfers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transfer_events")),
    )
    with op.batch_alter_table("transfer_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_transfer_events_transfer_id"), ["transfer_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("transfer_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_transfer_events_transfer_id"))

    op.drop_table("transfer_events")
    with op.batch_alter_table("transfers", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_transfers_item_id_open",
            sqlite_where=sa.text("status IN ('requested', 'planned', 'picked_up')"),
            postgresql_where=sa.text("status IN ('requested', 'planned', 'picked_up')"),
        )
        batch_op.drop_index(batch_op.f("ix_transfers_origin_site_id"))
        batch_op.drop_index(batch_op.f("ix_transfers_item_id"))
        batch_op.drop_index(batch_op.f("ix_transfers_hold_id"))
        batch_op.drop_index(batch_op.f("ix_transfers_destination_site_id"))
        batch_op.drop_index(batch_op.f("ix_transfers_crate_id"))

    op.drop_table("transfers")
    with op.batch_alter_table("loans", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_loans_item_id_open",
            sqlite_where=sa.text("returned_at IS NULL"),
            postgresql_where=sa.text("returned_at IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_loans_patron_id"))
        batch_op.drop_index(batch_op.f("ix_loans_item_id"))

    op.drop_table("loans")
    with op.batch_alter_table("holds", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_holds_item_id_active",
            sqlite_where=sa.text("status IN ('assigned', 'ready')"),
            postgresql_where=sa.text("status IN ('assigned', 'ready')"),
        )
        batch_op.drop_index(batch_op.f("ix_holds_record_id"))
        batch_op.drop_index(batch_op.f("ix_holds_pickup_site_id"))
        batch_op.drop_index(batch_op.f("ix_holds_patron_id"))
        batch_op.drop_index(batch_op.f("ix_holds_item_id"))

    op.drop_table("holds")
    op.drop_table("site_van_days")
    op.drop_table("site_closed_dates")
    with op.batch_alter_table("patrons", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_patrons_home_site_id"))

    op.drop_table("patrons")
    with op.batch_alter_table("opening_intervals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_opening_intervals_site_id"))

    op.drop_table("opening_intervals")
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_items_record_id"))
        batch_op.drop_index(batch_op.f("ix_items_home_site_id"))
        batch_op.drop_index(batch_op.f("ix_items_current_site_id"))

    op.drop_table("items")
    op.drop_table("sites")
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_records_isbn13"))

    op.drop_table("records")
