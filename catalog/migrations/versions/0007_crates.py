"""Crates: the boxes (周转箱) transfers travel in, one row per trip

Adds ``crates``: a unique barcode (``code``, what ``transfers.crate_id`` holds), the origin
and destination sites, a status (``open`` at the origin, ``in_transit``, ``delivered``) and
who opened, picked up and delivered it, when. Self-contained: it touches no other table.

Revision ID: 0007_crates
Revises: 0006_fleet
Create Date: 2026-12-04 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_crates"
down_revision: str | None = "0006_fleet"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STATUSES = ("open", "in_transit", "delivered")


def upgrade() -> None:
    op.create_table(
        "crates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("origin_site_id", sa.Integer(), nullable=False),
        sa.Column("destination_site_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                *_STATUSES,
                name="crate_status",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.Column("opened_by", sa.String(length=64), nullable=False),
        sa.Column("picked_up_at", sa.DateTime(), nullable=True),
        sa.Column("picked_up_by", sa.String(length=64), nullable=True),
        sa.Column("delivered_at", sa.DateTime(), nullable=True),
        sa.Column("delivered_by", sa.String(length=64), nullable=True),
        sa.CheckConstraint("origin_site_id <> destination_site_id", name=op.f("ck_crates_moves")),
        sa.ForeignKeyConstraint(
            ["destination_site_id"], ["sites.id"], name=op.f("fk_crates_destination_site_id_sites")
        ),
        sa.ForeignKeyConstraint(
            ["origin_site_id"], ["sites.id"], name=op.f("fk_crates_origin_site_id_sites")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crates")),
        sa.UniqueConstraint("code", name=op.f("uq_crates_code")),
    )
    op.create_index(
        op.f("ix_crates_destination_site_id"), "crates", ["destination_site_id"], unique=False
    )
    op.create_index(op.f("ix_crates_origin_site_id"), "crates", ["origin_site_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_crates_origin_site_id"), table_name="crates")
    op.drop_index(op.f("ix_crates_destination_site_id"), table_name="crates")
    op.drop_table("crates")
