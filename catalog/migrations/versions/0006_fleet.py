"""Fleet: the vans (配送车), each with a depot, capacity, shift, lunch break, costs and driver

Adds ``vans``. A van's ``version`` grows with each change (stale edits are refused); a
driver account drives at most one van (unique ``driver_id``).

Revision ID: 0006_fleet
Revises: 0005_users
Create Date: 2026-12-04 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_fleet"
down_revision: str | None = "0005_users"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "vans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("depot_site_id", sa.Integer(), nullable=False),
        sa.Column("capacity_crates", sa.Integer(), nullable=False),
        sa.Column("capacity_kg", sa.Integer(), nullable=False),
        sa.Column("shift_start_s", sa.Integer(), nullable=False),
        sa.Column("shift_end_s", sa.Integer(), nullable=False),
        sa.Column("break_start_s", sa.Integer(), nullable=True),
        sa.Column("break_end_s", sa.Integer(), nullable=True),
        sa.Column("break_s", sa.Integer(), nullable=False),
        sa.Column("max_route_s", sa.Integer(), nullable=True),
        sa.Column("cost_per_km", sa.Float(), nullable=False),
        sa.Column("cost_per_hour", sa.Float(), nullable=False),
        sa.Column("fixed_cost", sa.Float(), nullable=False),
        sa.Column("driver_id", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.CheckConstraint(
            "capacity_crates > 0 AND capacity_kg > 0", name=op.f("ck_vans_capacity")
        ),
        sa.CheckConstraint(
            "shift_start_s >= 0 AND shift_start_s < shift_end_s AND shift_end_s <= 172800",
            name=op.f("ck_vans_shift"),
        ),
        sa.CheckConstraint(
            "(break_start_s IS NULL) = (break_end_s IS NULL) AND "
            "(break_start_s IS NULL OR break_start_s <= break_end_s)",
            name=op.f("ck_vans_break_window"),
        ),
        sa.CheckConstraint("break_s >= 0", name=op.f("ck_vans_break_length")),
        sa.CheckConstraint(
            "cost_per_km >= 0 AND cost_per_hour >= 0 AND fixed_cost >= 0",
            name=op.f("ck_vans_costs"),
        ),
        sa.ForeignKeyConstraint(
            ["depot_site_id"], ["sites.id"], name=op.f("fk_vans_depot_site_id_sites")
        ),
        sa.ForeignKeyConstraint(["driver_id"], ["users.id"], name=op.f("fk_vans_driver_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vans")),
        sa.UniqueConstraint("code", name=op.f("uq_vans_code")),
        sa.UniqueConstraint("driver_id", name=op.f("uq_vans_driver_id")),
    )
    op.create_index(op.f("ix_vans_depot_site_id"), "vans", ["depot_site_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_vans_depot_site_id"), table_name="vans")
    op.drop_table("vans")
