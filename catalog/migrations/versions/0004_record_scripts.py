"""Records: original-script forms (MARC 21 880) and a sort title; stored values repaired

Adds ``title_vernacular``, ``authors_vernacular``, ``publisher_vernacular`` and
``sort_title`` to ``records``. Records imported before this revision get their sort title
from their title, and two faults of the old importer are repaired in place:

* titles that kept the non-sorting markers (``\\x88L'\\x89altra faccia``): the markers are
  removed from the title, and the marked part from the sort title;
* ISBNs stored in full-width or other non-ASCII digits: rewritten as ASCII digits (their
  check digits were checked on the way in).

Repaired records are indexed again. The downgrade drops the new columns; it does not put
the markers back.

Revision ID: 0004_record_scripts
Revises: 0003_shipment_parts
Create Date: 2026-12-02 10:00:00
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from catalog.search import index_records

revision: str = "0004_record_scripts"
down_revision: str | None = "0003_shipment_parts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = (
    ("title_vernacular", 500),
    ("authors_vernacular", 500),
    ("publisher_vernacular", 300),
    ("sort_title", 500),
)
# The marker forms as the old importer stored them (kept here, not imported, so that this
# revision does the same thing whatever the code does later).
_BEGIN = "\u0088\u0098"
_END = "\u0089\u009c"
_MARKED_RE = re.compile(rf"(?:[{_BEGIN}]|\x1bH)(.*?)(?:[{_END}]|\x1bI)")
_MARKER_RE = re.compile(rf"[{_BEGIN}{_END}]|\x1b[HI]")


def _repaired(title: str) -> tuple[str, str]:
    """(title, sort title) of a stored title."""
    if not _MARKER_RE.search(title):
        return title, title
    display = _MARKER_RE.sub("", _MARKED_RE.sub(r"\1", title)).strip()
    sort = _MARKER_RE.sub("", _MARKED_RE.sub("", title)).strip()
    return display, sort or display


def _ascii_isbn(isbn: str) -> str:
    return "".join(
        str(value) if (value := unicodedata.decimal(c, None)) is not None else c for c in isbn
    )


def upgrade() -> None:
    with op.batch_alter_table("records", schema=None) as batch_op:
        for name, length in _COLUMNS:
            batch_op.add_column(
                sa.Column(name, sa.String(length=length), nullable=False, server_default="")
            )
    connection = op.get_bind()
    connection.execute(sa.text("UPDATE records SET sort_title = title"))
    records = sa.table(
        "records",
        sa.column("id", sa.Integer),
        sa.column("title", sa.String),
        sa.column("isbn13", sa.String),
        sa.column("sort_title", sa.String),
    )
    repaired = []
    for record_id, title, isbn13 in connection.execute(
        sa.select(records.c.id, records.c.title, records.c.isbn13)
    ):
        display, sort = _repaired(title)
        isbn = _ascii_isbn(isbn13) if isbn13 and not isbn13.isascii() else isbn13
        if (display, sort, isbn) != (title, title, isbn13):
            repaired.append({"key": record_id, "title": display, "sort": sort, "isbn": isbn})
    if repaired:
        connection.execute(
            records.update()
            .where(records.c.id == sa.bindparam("key"))
            .values(
                title=sa.bindparam("title"),
                sort_title=sa.bindparam("sort"),
                isbn13=sa.bindparam("isbn"),
            ),
            repaired,
        )
        index_records(connection, [r["key"] for r in repaired])


def downgrade() -> None:
    with op.batch_alter_table("records", schema=None) as batch_op:
        for name, _length in reversed(_COLUMNS):
            batch_op.drop_column(name)
