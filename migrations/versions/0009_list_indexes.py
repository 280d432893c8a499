"""Indexes behind the list filters: each yields a list's rows in its order for one filter.

A page of a filtered list scanned the claims in id order and checked the filter on every row (an actor with
one claim read every claim). These composite indexes lead with the filter and follow with the list's order
(`id`, or the timeline's event time), ending in `deleted_at` where the table has tombstones so that they are
passed over in the index; `ix_claim_filter` holds every filtered column of a claim by id, so that the filters a
page does not drive by are checked without reading the claim's row; `ix_claim_event_span` and `ix_source_event_span` hold date ranges by how much of
their two ends' ISO text they share, so that an overlap query is one range per level (schemas/tables.py
`span_level`, whose expression is copied here, as a migration keeps its own). The single-column indexes
that each of them leads are dropped.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 07:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _span_level(lo: str, hi: str) -> str:
    return (f"(CASE WHEN {lo} = {hi} THEN 10 WHEN substr({lo}, 1, 7) = substr({hi}, 1, 7) THEN 7"
            f" WHEN substr({lo}, 1, 4) = substr({hi}, 1, 4) THEN 4 WHEN substr({lo}, 1, 3) = substr({hi}, 1, 3) THEN 3"
            f" WHEN substr({lo}, 1, 2) = substr({hi}, 1, 2) THEN 2 ELSE 0 END)")


# (name, table, columns; an expression first where given)
CREATED: list[tuple[str, str, list[str]]] = [
    ('ix_claim_filter', 'claim', ['id', 'deleted_at', 'predicate', 'modality', 'polarity', 'published_to', 'event_from', 'event_to']),
    ('ix_claim_predicate_id', 'claim', ['predicate', 'id', 'deleted_at']),
    ('ix_claim_modality_id', 'claim', ['modality', 'id', 'deleted_at']),
    ('ix_claim_polarity_id', 'claim', ['polarity', 'id', 'deleted_at']),
    ('ix_claim_published_id', 'claim', ['published_to', 'id', 'deleted_at']),
    ('ix_claim_predicate_timeline', 'claim', ['predicate', 'event_from', 'event_to', 'id', 'deleted_at']),
    ('ix_claim_modality_timeline', 'claim', ['modality', 'event_from', 'event_to', 'id', 'deleted_at']),
    ('ix_claim_polarity_timeline', 'claim', ['polarity', 'event_from', 'event_to', 'id', 'deleted_at']),
    ('ix_claim_timeline', 'claim', ['event_from', 'event_to', 'id', 'deleted_at']),
    ('ix_claim_event_span', 'claim', [_span_level('event_from', 'event_to'), 'event_from', 'event_to', 'id', 'deleted_at']),
    ('ix_claim_actor_actor_claim', 'claim_actor', ['actor_id', 'claim_id', 'role']),
    ('ix_claim_actor_actor_role_claim', 'claim_actor', ['actor_id', 'role', 'claim_id']),
    ('ix_claim_source_source_claim', 'claim_source', ['source_id', 'claim_id']),
    ('ix_claim_language_language_claim', 'claim_language', ['language', 'claim_id']),
    ('ix_claim_proposition_proposition_claim', 'claim_proposition', ['proposition_id', 'claim_id']),
    ('ix_actor_kind_id', 'actor', ['kind', 'id', 'deleted_at']),
    ('ix_actor_unnamed_id', 'actor', ['unnamed', 'id', 'deleted_at']),
    ('ix_source_kind_id', 'source', ['kind', 'id', 'deleted_at']),
    ('ix_source_publisher_id_id', 'source', ['publisher_id', 'id', 'deleted_at']),
    ('ix_source_event_span', 'source',
     [_span_level('published_from', 'published_to'), 'published_from', 'published_to', 'id', 'deleted_at']),
    ('ix_source_language_language_source', 'source_language', ['language', 'source_id']),
    ('ix_source_cite_cited_source', 'source_cite', ['cited_id', 'source_id']),
    ('ix_contradiction_kind_id', 'contradiction', ['kind', 'id', 'deleted_at']),
    ('ix_contradiction_status_id', 'contradiction', ['status', 'id', 'deleted_at']),
    ('ix_contradiction_origin_id', 'contradiction', ['origin', 'id', 'deleted_at']),
    ('ix_contradiction_claim_claim_contradiction', 'contradiction_claim', ['claim_id', 'contradiction_id']),
    ('ix_corroboration_kind_id', 'corroboration', ['kind', 'id', 'deleted_at']),
    ('ix_corroboration_status_id', 'corroboration', ['status', 'id', 'deleted_at']),
    ('ix_corroboration_origin_id', 'corroboration', ['origin', 'id', 'deleted_at']),
    ('ix_corroboration_independent_id', 'corroboration', ['independent', 'id', 'deleted_at']),
    ('ix_corroboration_claim_claim_corroboration', 'corroboration_claim', ['claim_id', 'corroboration_id']),
    ('ix_relation_rule_relation_rule', 'relation_rule', ['relation', 'rule', 'relation_id']),
    ('ix_revision_resource_seq', 'revision', ['resource', 'seq']),
]

# (name, table, column) of the single-column indexes that one of the above leads
DROPPED: list[tuple[str, str, str]] = [
    ('ix_claim_predicate', 'claim', 'predicate'),
    ('ix_claim_modality', 'claim', 'modality'),
    ('ix_claim_polarity', 'claim', 'polarity'),
    ('ix_claim_published_to', 'claim', 'published_to'),
    ('ix_claim_event_from', 'claim', 'event_from'),
    ('ix_claim_actor_actor_id', 'claim_actor', 'actor_id'),
    ('ix_claim_source_source_id', 'claim_source', 'source_id'),
    ('ix_claim_language_language', 'claim_language', 'language'),
    ('ix_claim_proposition_proposition_id', 'claim_proposition', 'proposition_id'),
    ('ix_actor_kind', 'actor', 'kind'),
    ('ix_source_kind', 'source', 'kind'),
    ('ix_source_publisher_id', 'source', 'publisher_id'),
    ('ix_source_published_from', 'source', 'published_from'),
    ('ix_source_language_language', 'source_language', 'language'),
    ('ix_source_cite_cited_id', 'source_cite', 'cited_id'),
    ('ix_contradiction_kind', 'contradiction', 'kind'),
    ('ix_contradiction_status', 'contradiction', 'status'),
    ('ix_contradiction_origin', 'contradiction', 'origin'),
    ('ix_contradiction_claim_claim_id', 'contradiction_claim', 'claim_id'),
    ('ix_corroboration_kind', 'corroboration', 'kind'),
    ('ix_corroboration_status', 'corroboration', 'status'),
    ('ix_corroboration_origin', 'corroboration', 'origin'),
    ('ix_corroboration_independent', 'corroboration', 'independent'),
    ('ix_corroboration_claim_claim_id', 'corroboration_claim', 'claim_id'),
]


def upgrade() -> None:
    for name, table, columns in CREATED:
        op.execute(sa.text(f'CREATE INDEX {name} ON {table} ({", ".join(columns)})'))
    for name, table, _column in DROPPED:
        op.drop_index(name, table_name=table)


def downgrade() -> None:
    for name, table, column in DROPPED:
        op.create_index(name, table, [column], unique=False)
    for name, table, _columns in reversed(CREATED):
        op.drop_index(name, table_name=table)
