"""Users: the service's staff accounts (dispatcher, driver, branch staff, planner, admin)

Adds ``users``: a unique username, an argon2id password hash, a role, and for branch staff
the one site they work at (a CHECK: branch staff have a site, the other roles none).

Revision ID: 0005_users
Revises: 0004_record_scripts
Create Date: 2026-12-03 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_users"
down_revision: str | None = "0004_record_scripts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ROLES = ("dispatcher", "driver", "branch_staff", "planner", "admin")


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                *_ROLES, name="user_role", native_enum=False, create_constraint=True, length=20
            ),
            nullable=False,
        ),
        sa.Column("site_id", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "(role = 'branch_staff') = (site_id IS NOT NULL)",
            name=op.f("ck_users_branch_staff_has_site"),
        ),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_users_site_id_sites")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_index(op.f("ix_users_site_id"), "users", ["site_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_users_site_id"), table_name="users")
    op.drop_table("users")
