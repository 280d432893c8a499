"""Language filters by lookup: claim_language holds every language range that matches a claim's evidence
languages, lower-cased (RFC 4647 basic filtering: `en-GB` gives `en` and `en-gb`), and source_language the
same for each source, so that `language=` is one equality on an indexed column, case-insensitive and
the same on SQLite and PostgreSQL. Both are filled from the tags already stored.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 10:00:00
"""

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 10_000


def _ranges(tags: Iterable[str]) -> list[str]:
    # As api/dataset/languages.py's ranges_of when this was written; a migration keeps its own copy.
    found: set[str] = set()
    for tag in tags:
        subtags = tag.lower().split('-')
        found.update('-'.join(subtags[: n + 1]) for n in range(len(subtags)))
    return sorted(found)


def _insert(conn: sa.Connection, table: str, column: str, rows: list[tuple[str, str]]) -> None:
    statement = sa.text(f'INSERT INTO {table} ({column}, language) VALUES (:owner, :language)')
    for at in range(0, len(rows), BATCH):
        conn.execute(statement, [{'owner': owner, 'language': language} for owner, language in rows[at : at + BATCH]])


def upgrade() -> None:
    op.create_table('source_language',
    sa.Column('source_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('language', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.ForeignKeyConstraint(['source_id'], ['source.id'], ),
    sa.PrimaryKeyConstraint('source_id', 'language')
    )
    with op.batch_alter_table('source_language', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_source_language_language'), ['language'], unique=False)
    conn = op.get_bind()
    sources = conn.execute(sa.text('SELECT id, language FROM source WHERE deleted_at IS NULL')).all()
    _insert(conn, 'source_language', 'source_id', [(sid, r) for sid, tag in sources for r in _ranges([tag])])
    tags: dict[str, list[str]] = defaultdict(list)
    for claim_id, tag in conn.execute(sa.text('SELECT claim_id, language FROM claim_language')).all():
        tags[claim_id].append(tag)
    conn.execute(sa.text('DELETE FROM claim_language'))
    _insert(conn, 'claim_language', 'claim_id', [(cid, r) for cid, claim_tags in tags.items() for r in _ranges(claim_tags)])


def downgrade() -> None:
    with op.batch_alter_table('source_language', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_source_language_language'))
    op.drop_table('source_language')
    # claim_language held each evidence language as written: the quote's own, else its source's.
    conn = op.get_bind()
    source_tags = dict(conn.execute(sa.text('SELECT id, language FROM source')).all())
    rows: list[tuple[str, str]] = []
    for claim_id, data in conn.execute(sa.text('SELECT id, data FROM claim WHERE id IN (SELECT claim_id FROM claim_language)')).all():
        evidence = json.loads(data)['evidence']
        rows += [(claim_id, tag) for tag in sorted({ev.get('language') or source_tags[ev['source']] for ev in evidence})]
    conn.execute(sa.text('DELETE FROM claim_language'))
    _insert(conn, 'claim_language', 'claim_id', rows)
