"""Compressed bodies: each resource's rendered `body` is stored as one gzip member (RFC 1952) of its JSON, so that
it is served as it is stored to clients that accept gzip, and its `summary` (actors, sources, claims) as a zlib
stream (RFC 1950) with the preset dictionary api/store/summaries.zdict (see api/store/bodies.py). The views
already stored are compressed here, in batches; the downgrade gives them back as JSON. Nothing else changes: the
ETags name the JSON and stay as they are.

A record's `create` revision no longer keeps a copy of the data it created when that copy is what the record's
next revision holds as its `before`, or the record's own row when it has not changed since (api/store/revisions.py):
those copies are emptied here, by ranges of `seq`, and put back by the downgrade.

On SQLite the link tables become WITHOUT ROWID tables: each was a rowid table plus the index of its primary key,
the same columns twice; now its rows are stored once, in primary-key order (schemas/tables.py says which). Only
their parent tables refer to nothing in them, so each is created anew from its own CREATE statement, copied,
dropped and renamed, and its indexes created again.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 07:00:00
"""

import re
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path

import sqlalchemy as sa
from alembic import op
from isal import isal_zlib

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 2_000
VIEWS = {'actor': ('body', 'summary'), 'source': ('body', 'summary'), 'claim': ('body', 'summary'),
         'contradiction': ('body',), 'corroboration': ('body',)}
GZIP_MAGIC = b'\x1f\x8b'


# As api/store/bodies.py's pack and pack_summary when this was written (ISA-L level 1); a migration keeps its
# own copy. The dictionary file never changes (stored summaries name it by its Adler-32).
DICTIONARY = (Path(__file__).resolve().parents[2] / 'api' / 'store' / 'summaries.zdict').read_bytes()


def _pack(view: bytes) -> bytes:
    return isal_zlib.compress(view, 1, 31)


def _pack_summary(view: bytes) -> bytes:
    c = isal_zlib.compressobj(1, isal_zlib.DEFLATED, 15, 9, 0, DICTIONARY)
    return c.compress(view) + c.flush()


def _unpack(blob: bytes) -> bytes:
    if blob[:2] == GZIP_MAGIC:
        return zlib.decompress(blob, 31)
    d = zlib.decompressobj(15, zdict=DICTIONARY)
    return d.decompress(blob) + d.flush()


def _packed(view: bytes) -> bool:
    return view[:1] != b'{'  # JSON as rendered starts with '{'; a gzip member or zlib stream never does


def _convert(table: str, changes: dict[str, Callable[[bytes], bytes]], wanted: Callable[[bytes], bool]) -> None:
    """Rewrite the views of every row of `table` (deleted ones too) that `wanted` picks, BATCH rows at a time in id order."""
    conn = op.get_bind()
    columns = list(changes)
    select = sa.text(f"SELECT id, {', '.join(columns)} FROM {table} WHERE id > :after ORDER BY id LIMIT :n")
    update = sa.text(f"UPDATE {table} SET {', '.join(f'{c} = :{c}' for c in columns)} WHERE id = :id")
    after = ''
    while True:
        rows = conn.execute(select, {'after': after, 'n': BATCH}).all()
        changed = []
        for row in rows:
            views = dict(zip(columns, (bytes(v) for v in row[1:]), strict=True))
            if any(wanted(v) for v in views.values()):
                changed.append({'id': row[0], **{c: changes[c](v) if wanted(v) else v for c, v in views.items()}})
        if changed:
            conn.execute(update, changed)
        if len(rows) < BATCH:
            return
        after = rows[-1][0]


# As api/store/revisions.py's REVISION_AFTER when this was written, for a row whose own `after` is left out.
_CURRENT = ' '.join(f"WHEN '{t}' THEN (SELECT x.data FROM {t} x WHERE x.id = revision.resource_id)" for t in VIEWS)
CREATED = (
    'coalesce((SELECT n.before FROM revision n WHERE n.resource = revision.resource AND n.resource_id = revision.resource_id'
    f' AND n.revision = revision.revision + 1), CASE revision.resource {_CURRENT} END)'
)
SEQ_BATCH = 50_000
LINK_TABLES = ('claim_actor', 'claim_source', 'claim_language', 'claim_key', 'claim_proposition', 'contradiction_claim',
               'corroboration_claim', 'relation_rule', 'source_cite', 'source_language')


def _rowid(with_rowid: bool) -> None:
    """Rebuild each link table as a rowid table or WITHOUT ROWID, by its own CREATE statement (plain SQL, no
    reflection: a fresh database's build runs this too): create it anew, copy, drop the old one, rename, and
    create its indexes again."""
    conn = op.get_bind()
    if conn.dialect.name != 'sqlite':
        return
    for table in LINK_TABLES:
        create = conn.execute(sa.text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :t"), {'t': table}).scalar_one()
        indexes = [r[0] for r in conn.execute(
            sa.text("SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = :t AND sql IS NOT NULL"), {'t': table})]
        columns = re.sub(r'\s*WITHOUT ROWID\s*$', '', create.split('(', 1)[1].rstrip())
        option = '' if with_rowid else ' WITHOUT ROWID'
        conn.execute(sa.text(f'CREATE TABLE "_new_{table}" ({columns}{option}'))
        conn.execute(sa.text(f'INSERT INTO "_new_{table}" SELECT * FROM "{table}"'))
        conn.execute(sa.text(f'DROP TABLE "{table}"'))
        conn.execute(sa.text(f'ALTER TABLE "_new_{table}" RENAME TO "{table}"'))
        for index in indexes:
            conn.execute(sa.text(index))


def _revisions(statement: str) -> None:
    conn = op.get_bind()
    last = conn.execute(sa.text('SELECT coalesce(max(seq), 0) FROM revision')).scalar_one()
    for low in range(0, int(last), SEQ_BATCH):
        conn.execute(sa.text(f"{statement} AND revision.seq > :low AND revision.seq <= :high"), {'low': low, 'high': low + SEQ_BATCH})


def upgrade() -> None:
    for table, columns in VIEWS.items():
        _convert(table, {c: _pack if c == 'body' else _pack_summary for c in columns}, lambda v: not _packed(v))
    _revisions(f"UPDATE revision SET after = NULL WHERE revision.action = 'create' AND revision.after = {CREATED}")
    _rowid(False)


def downgrade() -> None:
    _rowid(True)
    for table, columns in VIEWS.items():
        _convert(table, dict.fromkeys(columns, _unpack), _packed)
    _revisions(f"UPDATE revision SET after = {CREATED} WHERE revision.action = 'create' AND revision.after IS NULL")
