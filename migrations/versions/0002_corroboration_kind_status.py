"""Corroborations get a kind (same proposition, consistent outcome, fulfilment) and a review status.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 01:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('corroboration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default='same_proposition'))
        batch_op.add_column(sa.Column('status', sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default='confirmed'))
        batch_op.create_index(batch_op.f('ix_corroboration_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_corroboration_status'), ['status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('corroboration', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_corroboration_status'))
        batch_op.drop_index(batch_op.f('ix_corroboration_kind'))
        batch_op.drop_column('status')
        batch_op.drop_column('kind')
