"""Plans: the day's plans as jobs (queued, running, done, failed, cancelled), with their routes,
stops, shipments and unplanned work, and the workers that solve them

Adds ``plans`` (the job and the plan in one row: status, phase, progress, claim token,
heartbeat, attempts, who asked, superseded by, parent, version), ``plan_routes``,
``plan_stops`` (movable and lockable: no unique position), ``plan_shipments``,
``plan_unplanned`` and ``plan_workers``.

Revision ID: 0007_plans
Revises: 0007_crates
Create Date: 2026-12-05 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_plans"
down_revision: str | None = "0007_crates"  # after the crates (two 0007s met on merge)
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KINDS = ("hold", "return_home", "new_stock", "rebalance")


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=20)


def _plan_id(table: str) -> sa.Column[int]:
    return sa.Column(
        "plan_id",
        sa.Integer(),
        sa.ForeignKey("plans.id", name=f"fk_{table}_plan_id_plans", ondelete="CASCADE"),
        nullable=False,
    )


def upgrade() -> None:
    op.create_table(
        "plan_workers",
        sa.Column("id", sa.String(length=120), nullable=False),
        sa.Column("host", sa.String(length=200), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("seen_at", sa.DateTime(), nullable=False),
        sa.Column("stopped_at", sa.DateTime(), nullable=True),
        sa.Column("plan_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_workers")),
    )
    op.create_table(
        "plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column(
            "status",
            _enum("plan_status", "queued", "running", "done", "failed", "cancelled"),
            nullable=False,
        ),
        sa.Column(
            "phase",
            _enum("plan_phase", "loading_network", "building_day", "solving", "recording"),
            nullable=True,
        ),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("best_cost", sa.Float(), nullable=True),
        sa.Column("time_limit", sa.Float(), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("requested_by", sa.String(length=64), nullable=False),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(), nullable=True),
        sa.Column("worker_id", sa.String(length=120), nullable=True),
        sa.Column("claim_token", sa.String(length=32), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("cancel_requested_at", sa.DateTime(), nullable=True),
        sa.Column("cancel_requested_by", sa.String(length=64), nullable=True),
        sa.Column("superseded_by_id", sa.Integer(), nullable=True),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("warm_start", sa.JSON(), nullable=True),
        sa.Column("problem", sa.JSON(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("vans_used", sa.Integer(), nullable=True),
        sa.Column("distance", sa.Integer(), nullable=True),
        sa.Column("duration", sa.Integer(), nullable=True),
        sa.Column("planned_transfers", sa.Integer(), nullable=True),
        sa.Column("deferred_transfers", sa.Integer(), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.CheckConstraint(
            "status <> 'running' OR claim_token IS NOT NULL",
            name=op.f("ck_plans_running_is_claimed"),
        ),
        sa.CheckConstraint("attempts >= 0", name=op.f("ck_plans_attempts_count")),
        sa.CheckConstraint("progress >= 0 AND progress <= 1", name=op.f("ck_plans_progress_range")),
        sa.CheckConstraint(
            "superseded_by_id IS NULL OR superseded_by_id <> id", name=op.f("ck_plans_supersedes")
        ),
        sa.CheckConstraint("time_limit > 0", name=op.f("ck_plans_time_limit_positive")),
        sa.ForeignKeyConstraint(["parent_id"], ["plans.id"], name=op.f("fk_plans_parent_id_plans")),
        sa.ForeignKeyConstraint(
            ["superseded_by_id"], ["plans.id"], name=op.f("fk_plans_superseded_by_id_plans")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plans")),
    )
    op.create_index(op.f("ix_plans_day"), "plans", ["day"], unique=False)
    op.create_index(op.f("ix_plans_parent_id"), "plans", ["parent_id"], unique=False)
    op.create_index(
        "ix_plans_status_requested_at", "plans", ["status", "requested_at"], unique=False
    )
    op.create_index(op.f("ix_plans_superseded_by_id"), "plans", ["superseded_by_id"], unique=False)

    op.create_table(
        "plan_shipments",
        sa.Column("id", sa.Integer(), nullable=False),
        _plan_id("plan_shipments"),
        sa.Column("shipment_id", sa.String(length=120), nullable=False),
        sa.Column("kind", _enum("transfer_kind", *_KINDS), nullable=False),
        sa.Column("pickup_site_code", sa.String(length=32), nullable=False),
        sa.Column("delivery_site_code", sa.String(length=32), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.Column("crates", sa.Integer(), nullable=False),
        sa.Column("kg", sa.Integer(), nullable=False),
        sa.Column("part", sa.Integer(), nullable=False),
        sa.Column("parts", sa.Integer(), nullable=False),
        sa.Column("transfer_ids", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_shipments")),
    )
    op.create_index(op.f("ix_plan_shipments_plan_id"), "plan_shipments", ["plan_id"], unique=False)
    op.create_index(
        "uq_plan_shipments_plan_id_shipment_id",
        "plan_shipments",
        ["plan_id", "shipment_id"],
        unique=True,
    )

    op.create_table(
        "plan_unplanned",
        sa.Column("id", sa.Integer(), nullable=False),
        _plan_id("plan_unplanned"),
        sa.Column("shipment_id", sa.String(length=120), nullable=False),
        sa.Column("kind", _enum("transfer_kind", *_KINDS), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("transfer_ids", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_unplanned")),
    )
    op.create_index(op.f("ix_plan_unplanned_plan_id"), "plan_unplanned", ["plan_id"], unique=False)

    op.create_table(
        "plan_routes",
        sa.Column("id", sa.Integer(), nullable=False),
        _plan_id("plan_routes"),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("van_code", sa.String(length=32), nullable=False),
        sa.Column("van_id", sa.Integer(), nullable=True),
        sa.Column("driver_username", sa.String(length=64), nullable=True),
        sa.Column("distance", sa.Integer(), nullable=False),
        sa.Column("duration", sa.Integer(), nullable=False),
        sa.Column("cost", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["van_id"], ["vans.id"], name=op.f("fk_plan_routes_van_id_vans")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_routes")),
    )
    op.create_index(op.f("ix_plan_routes_plan_id"), "plan_routes", ["plan_id"], unique=False)
    op.create_index(op.f("ix_plan_routes_van_id"), "plan_routes", ["van_id"], unique=False)
    op.create_index(
        "uq_plan_routes_plan_id_van_code", "plan_routes", ["plan_id", "van_code"], unique=True
    )

    op.create_table(
        "plan_stops",
        sa.Column("id", sa.Integer(), nullable=False),
        _plan_id("plan_stops"),
        sa.Column("route_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column(
            "type",
            _enum("plan_step_type", "start", "pickup", "delivery", "break", "end"),
            nullable=False,
        ),
        sa.Column("site_code", sa.String(length=32), nullable=True),
        sa.Column("break_id", sa.String(length=64), nullable=True),
        sa.Column("arrival", sa.Integer(), nullable=False),
        sa.Column("waiting", sa.Integer(), nullable=False),
        sa.Column("service_start", sa.Integer(), nullable=False),
        sa.Column("departure", sa.Integer(), nullable=False),
        sa.Column("load_crates", sa.Integer(), nullable=False),
        sa.Column("load_kg", sa.Integer(), nullable=False),
        sa.Column("distance", sa.Integer(), nullable=False),
        sa.Column("shipment_ids", sa.JSON(), nullable=False),
        sa.Column("transfer_ids", sa.JSON(), nullable=False),
        sa.Column("locked", sa.Boolean(), nullable=False),
        sa.Column("violations", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["route_id"],
            ["plan_routes.id"],
            name=op.f("fk_plan_stops_route_id_plan_routes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_stops")),
    )
    op.create_index(op.f("ix_plan_stops_plan_id"), "plan_stops", ["plan_id"], unique=False)
    op.create_index(op.f("ix_plan_stops_route_id"), "plan_stops", ["route_id"], unique=False)
    op.create_index(
        "ix_plan_stops_route_id_position", "plan_stops", ["route_id", "position"], unique=False
    )


def downgrade() -> None:
    for table, indexes in (
        (
            "plan_stops",
            ("ix_plan_stops_route_id_position", "ix_plan_stops_route_id", "ix_plan_stops_plan_id"),
        ),
        (
            "plan_routes",
            ("uq_plan_routes_plan_id_van_code", "ix_plan_routes_van_id", "ix_plan_routes_plan_id"),
        ),
        ("plan_unplanned", ("ix_plan_unplanned_plan_id",)),
        ("plan_shipments", ("uq_plan_shipments_plan_id_shipment_id", "ix_plan_shipments_plan_id")),
        (
            "plans",
            (
                "ix_plans_superseded_by_id",
                "ix_plans_status_requested_at",
                "ix_plans_parent_id",
                "ix_plans_day",
            ),
        ),
    ):
        for index in indexes:
            op.drop_index(index, table_name=table)
        op.drop_table(table)
    op.drop_table("plan_workers")
