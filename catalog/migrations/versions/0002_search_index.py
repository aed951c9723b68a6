"""Search index: FTS5 table (SQLite) or tsvector table with a GIN index (PostgreSQL)

Owned by catalog/search.py, which holds the DDL (:func:`catalog.search.ensure_search_index`)
so that the migration and the code that queries the index cannot drift apart.

Revision ID: 0002_search_index
Revises: 0001
Create Date: 2026-11-25 20:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from catalog.search import drop_search_index, ensure_search_index, rebuild_search_index

revision: str = "0002_search_index"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    connection = op.get_bind()
    ensure_search_index(connection)
    # A database that already holds records gets them indexed now.
    rebuild_search_index(connection)


def downgrade() -> None:
    drop_search_index(op.get_bind())
