"""The change feed filtered by time: an index on `revision (at, seq)`.

`GET /v1/changes?since=...&until=...` turns each moment into a bound on `seq` (the first change at or after it),
which this index finds in one seek; `at` never goes back along `seq` (api/services/writes.py `_history`). A
`refresh` change (a record's view changed while its data did not) needs no schema change: it stores neither
`before` nor `after`.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 10:15:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_revision_at", "revision", ["at", "seq"])


def downgrade() -> None:
    op.drop_index("ix_revision_at", table_name="revision")
