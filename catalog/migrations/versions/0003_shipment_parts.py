"""Shipment parts: the dispatch shipment (or part of one) each transfer was last planned in

A crate group bigger than a van is split into van-sized parts; the catalogue records which
part each transfer rode in (or was deferred with), as ``transfers.shipment_id``.

Revision ID: 0003_shipment_parts
Revises: 0002_search_index
Create Date: 2026-12-01 21:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_shipment_parts"
down_revision: str | None = "0002_search_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Plain ADD/DROP COLUMN, not batch mode: SQLite (3.35+) does both in place, and recreating
# the table would have to carry its partial unique index over by hand.


def upgrade() -> None:
    op.add_column("transfers", sa.Column("shipment_id", sa.String(length=120), nullable=True))


def downgrade() -> None:
    op.drop_column("transfers", "shipment_id")
