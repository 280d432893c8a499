"""Claims get the dates they were first published between (`as_of` filters on the last of them), filled
for the claims already stored from the publication dates of the documents their evidence quotes.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 03:00:00
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('claim', schema=None) as batch_op:
        batch_op.add_column(sa.Column('published_from', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column('published_to', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.create_index(batch_op.f('ix_claim_published_to'), ['published_to'], unique=False)
    conn = op.get_bind()
    dates = {sid: (lo, hi) for sid, lo, hi in conn.execute(sa.text('SELECT id, published_from, published_to FROM source')) if lo}
    for claim_id, data in conn.execute(sa.text('SELECT id, data FROM claim')).all():
        spans = [dates[ev['source']] for ev in json.loads(data)['evidence'] if ev['source'] in dates]
        if spans:
            conn.execute(sa.text('UPDATE claim SET published_from = :lo, published_to = :hi WHERE id = :id'),
                         {'lo': min(lo for lo, _ in spans), 'hi': min(hi for _, hi in spans), 'id': claim_id})


def downgrade() -> None:
    # Not in batch mode: on SQLite that copies the claim table, and dropping the original breaks the
    # foreign keys of every table that references it (SQLite 3.35 drops a column in place).
    op.drop_index(op.f('ix_claim_published_to'), table_name='claim')
    op.drop_column('claim', 'published_to')
    op.drop_column('claim', 'published_from')
