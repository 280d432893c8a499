"""Indexes for conjunctions of a claim's own columns: `predicate`, `modality` and `polarity` two or three at a time,
each followed by the list's order (`id`, then `deleted_at`).

Each of those filters alone has its index in id order (migration 0009), and a second one was checked per row. Two
common values whose conjunction is rare then read many rows per claim served: `actor=egypt&predicate=supply_arms&
polarity=negated` on 100,000 claims drove by the actor (25,604 claims) and checked about 3,700 of them for 50 that
matched. With the pair's own index the pair drives (1,347 claims, a quarter of them Egypt's).

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30 23:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0016'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CREATED: list[tuple[str, list[str]]] = [
    ('ix_claim_predicate_modality_id', ['predicate', 'modality', 'id', 'deleted_at']),
    ('ix_claim_predicate_polarity_id', ['predicate', 'polarity', 'id', 'deleted_at']),
    ('ix_claim_modality_polarity_id', ['modality', 'polarity', 'id', 'deleted_at']),
    ('ix_claim_predicate_modality_polarity_id', ['predicate', 'modality', 'polarity', 'id', 'deleted_at']),
]


def upgrade() -> None:
    for name, columns in CREATED:
        op.create_index(name, 'claim', columns, unique=False)


def downgrade() -> None:
    for name, _columns in reversed(CREATED):
        op.drop_index(name, table_name='claim')
