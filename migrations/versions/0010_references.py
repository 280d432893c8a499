"""Reference tables: which record refers to which id, by which field, indexed on the id referred to, so that
a write finds what refers to a record by lookup instead of searching every record's JSON; and the claim
counts of actors and sources, kept with the claims instead of counted on each write; and an index of the
engine's claim keys with their claims, so that a write reads the first few claims under a key from the index
alone. All are filled from the data already stored (live records only: tombstones refer to nothing), in batches.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 07:00:00
"""

import json
from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 5_000
REFERENCES = (  # table, the column naming the referring record
    ('actor_reference', 'actor_id', 'actor'),
    ('source_reference', 'source_id', 'source'),
    ('claim_reference', 'claim_id', 'claim'),
)


# What each record refers to, as api/store/records.py's *_references when this was written; a migration
# keeps its own copy. Each returns (field, id) pairs without repeats.

def _actor(data: dict[str, Any]) -> list[tuple[str, str]]:
    refs = [('speaks_for', data['speaks_for'])] if data.get('speaks_for') else []
    return list(dict.fromkeys(refs + [('members', m) for m in data.get('members') or []]))


def _source(data: dict[str, Any]) -> list[tuple[str, str]]:
    refs = [('publisher', data['publisher'])] if data.get('publisher') else []
    refs += [('authors', a) for a in data.get('authors') or []] + [('cites', c) for c in data.get('cites') or []]
    refs += [('part_of', data['part_of'])] if data.get('part_of') else []
    return list(dict.fromkeys(refs))


def _claim(data: dict[str, Any]) -> list[tuple[str, str]]:
    evidence = data.get('evidence') or []
    refs = [('evidence.source', ev['source']) for ev in evidence]
    refs += [('evidence.attributed_to', ev['attributed_to']) for ev in evidence if ev.get('attributed_to')]
    return list(dict.fromkeys(refs))


def _role(data: dict[str, Any]) -> list[tuple[str, str]]:
    refs = [('of', data['of'])] if data.get('of') else []
    refs += [('evidence.source', ev['source']) for ev in data.get('evidence') or []]
    return list(dict.fromkeys(refs))


EXTRACT = {'actor': _actor, 'source': _source, 'claim': _claim}


def _create(name: str, owner: list[sa.Column], foreign: str | None) -> None:
    columns = [*owner,
               sa.Column('field', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
               sa.Column('target_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False)]
    constraints: list[Any] = [sa.PrimaryKeyConstraint(*[c.name for c in owner], 'field', 'target_id')]
    if foreign:
        constraints.append(sa.ForeignKeyConstraint([owner[0].name], [foreign]))
    op.create_table(name, *columns, *constraints)
    op.create_index(f'ix_{name}_target', name, ['target_id', 'field'], unique=False)


def _pages(conn: sa.Connection, query: str) -> Iterator[list[Any]]:
    """The rows of `query` (its first column a unique key, `:after` its lower bound) in batches, by keyset."""
    after = ''
    while True:
        rows = conn.execute(sa.text(query), {'after': after, 'n': BATCH}).all()
        if not rows:
            return
        yield rows
        after = rows[-1][0]


def upgrade() -> None:
    for name, column, kind in REFERENCES:
        _create(name, [sa.Column(column, sqlmodel.sql.sqltypes.AutoString(), nullable=False)], f'{kind}.id')
    _create('role_reference', [sa.Column('file', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
                               sa.Column('position', sa.Integer(), nullable=False)], None)
    op.create_table('actor_claim_count',
    sa.Column('actor_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('actor_id', 'role')
    )
    op.create_table('source_claim_count',
    sa.Column('source_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('source_id')
    )
    op.create_index('ix_claim_key_key_claim', 'claim_key', ['key', 'claim_id'], unique=False)
    conn = op.get_bind()
    for name, column, kind in REFERENCES:
        insert = sa.text(f'INSERT INTO {name} ({column}, field, target_id) VALUES (:owner, :field, :target)')
        query = f'SELECT id, data FROM {kind} WHERE deleted_at IS NULL AND id > :after ORDER BY id LIMIT :n'
        for rows in _pages(conn, query):
            found = [{'owner': rid, 'field': f, 'target': t} for rid, data in rows for f, t in EXTRACT[kind](json.loads(data))]
            if found:
                conn.execute(insert, found)
    insert = sa.text('INSERT INTO role_reference (file, position, field, target_id) VALUES (:file, :position, :field, :target)')
    roles = conn.execute(sa.text('SELECT file, position, data FROM actor_role ORDER BY file, position')).all()
    for at in range(0, len(roles), BATCH):
        found = [{'file': file, 'position': position, 'field': f, 'target': t}
                 for file, position, data in roles[at : at + BATCH] for f, t in _role(json.loads(data))]
        if found:
            conn.execute(insert, found)
    # claim_actor and claim_source hold live claims only (a tombstone drops its links): their counts are the counts.
    conn.execute(sa.text('INSERT INTO actor_claim_count (actor_id, role, count)'
                         ' SELECT actor_id, role, count(*) FROM claim_actor GROUP BY actor_id, role'))
    conn.execute(sa.text('INSERT INTO source_claim_count (source_id, count)'
                         ' SELECT source_id, count(*) FROM claim_source GROUP BY source_id'))


def downgrade() -> None:
    op.drop_index('ix_claim_key_key_claim', table_name='claim_key')
    op.drop_table('source_claim_count')
    op.drop_table('actor_claim_count')
    for name in ('role_reference', *(name for name, _, _ in REFERENCES)):
        op.drop_index(f'ix_{name}_target', table_name=name)
        op.drop_table(name)
