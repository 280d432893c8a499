"""Indexes for the write path at scale: a record's place in its file, and a relation's rules.

`max(position) WHERE file = ?` (the next place in a file) and `DELETE FROM relation_rule WHERE
relation_id = ?` read every row of a file, or every rule row, without them; with the engine
proposing relations into one file, both grew with the database.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 03:25:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ('actor', 'source', 'claim', 'contradiction', 'corroboration')


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(f'ix_{table}_file_position', ['file', 'position'], unique=False)
    with op.batch_alter_table('relation_rule', schema=None) as batch_op:
        batch_op.create_index('ix_relation_rule_relation_id', ['relation_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('relation_rule', schema=None) as batch_op:
        batch_op.drop_index('ix_relation_rule_relation_id')
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(f'ix_{table}_file_position')
