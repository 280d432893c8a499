"""Indexes that another index already serves are dropped: each resource table's index on `file` alone (its
`ix_<table>_file_position` index begins with `file`), and `ix_claim_key_key` (`ix_claim_key_key_claim` begins with
`key`). A lookup by `file` or by `key` reads the longer index's prefix instead; the rows stored and every query's
answer stay the same, and each write has one index fewer to update per table. The downgrade creates them again.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 11:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REDUNDANT = [(f"ix_{table}_file", table, "file") for table in ("actor", "source", "claim", "contradiction", "corroboration")]
REDUNDANT.append(("ix_claim_key_key", "claim_key", "key"))


def upgrade() -> None:
    for name, _table, _column in REDUNDANT:
        op.execute(f"DROP INDEX IF EXISTS {name}")


def downgrade() -> None:
    for name, table, column in REDUNDANT:
        op.create_index(name, table, [column], unique=False)
