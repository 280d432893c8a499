"""The engine's storage: claim lookup keys, propositions, the rules behind each relation, and the
origin of corroborations.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 02:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('claim_key',
    sa.Column('claim_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.ForeignKeyConstraint(['claim_id'], ['claim.id'], ),
    sa.PrimaryKeyConstraint('claim_id', 'key')
    )
    with op.batch_alter_table('claim_key', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_claim_key_key'), ['key'], unique=False)
    op.create_table('claim_proposition',
    sa.Column('claim_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('proposition_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.ForeignKeyConstraint(['claim_id'], ['claim.id'], ),
    sa.PrimaryKeyConstraint('claim_id')
    )
    with op.batch_alter_table('claim_proposition', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_claim_proposition_proposition_id'), ['proposition_id'], unique=False)
    op.create_table('relation_rule',
    sa.Column('relation', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('relation_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('rule', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.PrimaryKeyConstraint('relation', 'relation_id', 'rule')
    )
    with op.batch_alter_table('relation_rule', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_relation_rule_rule'), ['rule'], unique=False)
    with op.batch_alter_table('corroboration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('origin', sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default='curated'))
        batch_op.create_index(batch_op.f('ix_corroboration_origin'), ['origin'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('corroboration', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_corroboration_origin'))
        batch_op.drop_column('origin')
    for table, index in (('relation_rule', 'ix_relation_rule_rule'), ('claim_proposition', 'ix_claim_proposition_proposition_id'),
                         ('claim_key', 'ix_claim_key_key')):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(index))
        op.drop_table(table)
