"""Search postings: an impact-ordered index held in the database, in place of FTS5 and the tsvector index.

search_word is the vocabulary (id, word, records that hold it, an upper bound of its impacts); search_doc
holds one row per searchable record (kind code, label in id order, fields, its words packed with their
impacts); search_posting one row per (word, record), ordered by word, kind, impact (negated) and label.
They are filled from search_entry, whose rows hold each record's fields in order, in batches; then
search_fts and its triggers (SQLite), ix_search_entry_tsv (PostgreSQL) and search_entry are dropped.
The downgrade rebuilds search_entry and its full-text index from the records.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 07:00:00
"""

import json
import re
import unicodedata
from array import array
from collections import Counter
from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 10_000

# As api/store/text.py and api/store/search.py had them when this was written; a migration keeps its own copy.
_ARABIC_FOLD = str.maketrans({'أ': 'ا', 'إ': 'ا', 'آ': 'ا', 'ٱ': 'ا', 'ى': 'ي', 'ة': 'ه', 'ؤ': 'و', 'ئ': 'ي'})
_DROP = re.compile('[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]')
_TOKEN = re.compile(r'\w+')
_ARABIC_PREFIXES = ('وبال', 'وال', 'بال', 'كال', 'فال', 'لل', 'ال', 'و', 'ب', 'ل', 'ف', 'ك')
_ARABIC_LETTERS = re.compile('[\u0600-\u06ff]')
K1, B, REFERENCE_WORDS, RANK_SCALE = 1.2, 0.75, 18, 1_000_000
KIND_CODES = {'actor': 0, 'claim': 1, 'source': 2}
LABEL_SPACE = 1 << 40


def _normalize(text: str) -> str:
    folded = unicodedata.normalize('NFKD', _DROP.sub('', text).translate(_ARABIC_FOLD).casefold())
    return ''.join(c for c in folded if not unicodedata.combining(c)) if not folded.isascii() else folded


def _stem(token: str) -> str:
    if not _ARABIC_LETTERS.match(token):
        return token
    for prefix in _ARABIC_PREFIXES:
        if token.startswith(prefix) and len(token) - len(prefix) >= 3:
            return token[len(prefix):]
    return token


def _impacts(text: str) -> dict[str, int]:
    words = _TOKEN.findall(_normalize(text))
    counts: Counter[str] = Counter(words)
    for word in words:
        if _stem(word) != word:
            counts[_stem(word)] += 1
    norm = K1 * (1 - B + B * len(words) / REFERENCE_WORDS)
    return {w: 2 * round(f * (K1 + 1) / (f + norm) * RANK_SCALE / 2) for w, f in counts.items()}


def _pack(entries: list[tuple[int, int, int]]) -> bytes:
    out = array('I')
    for word_id, impact, position in sorted(entries):
        out.extend((word_id, (impact // 2) << 8 | min(position, 255)))
    return out.tobytes()


def _code_point_text() -> Any:
    return sa.String().with_variant(sa.String(collation='C'), 'postgresql')


def _create_tables() -> None:
    op.create_table('search_word',
    sa.Column('id', sa.Integer(), nullable=False, autoincrement=False),
    sa.Column('word', _code_point_text(), nullable=False),
    sa.Column('df', sa.Integer(), nullable=False),
    sa.Column('top', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('word')
    )
    op.create_table('search_doc',
    sa.Column('kind', sa.SmallInteger(), nullable=False, autoincrement=False),
    sa.Column('label', sa.BigInteger(), nullable=False, autoincrement=False),
    sa.Column('ref_id', _code_point_text(), nullable=False),
    sa.Column('fields', sa.Text(), nullable=False),
    sa.Column('words', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('kind', 'label'),
    sqlite_with_rowid=False,
    )
    op.create_index('ix_search_doc_ref', 'search_doc', ['kind', 'ref_id'], unique=True)
    op.create_table('search_posting',
    sa.Column('word_id', sa.Integer(), nullable=False, autoincrement=False),
    sa.Column('kind', sa.SmallInteger(), nullable=False, autoincrement=False),
    sa.Column('nimpact', sa.Integer(), nullable=False, autoincrement=False),
    sa.Column('label', sa.BigInteger(), nullable=False, autoincrement=False),
    sa.PrimaryKeyConstraint('word_id', 'kind', 'nimpact', 'label'),
    sqlite_with_rowid=False,
    )


def _insert(conn: sa.Connection, table: str, columns: Sequence[str], rows: Iterator[tuple[Any, ...]]) -> None:
    statement = sa.text(f'INSERT INTO {table} ({", ".join(columns)}) VALUES ({", ".join(":" + c for c in columns)})')
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(dict(zip(columns, row, strict=True)))
        if len(batch) == BATCH:
            conn.execute(statement, batch)
            batch = []
    if batch:
        conn.execute(statement, batch)


def _fill(conn: sa.Connection) -> None:
    refs: dict[int, list[str]] = {code: [] for code in KIND_CODES.values()}
    for kind, ref_id in conn.execute(sa.text('SELECT DISTINCT kind, ref_id FROM search_entry')):
        if kind in KIND_CODES:
            refs[KIND_CODES[kind]].append(ref_id)
    labels: dict[tuple[int, str], int] = {}
    for code, ids in refs.items():
        step = LABEL_SPACE // (len(ids) + 1)
        labels.update(((code, ref), step * (n + 1)) for n, ref in enumerate(sorted(ids)))
    word_ids: dict[str, int] = {}
    df: list[int] = [0]
    top: list[int] = [0]
    docs: list[tuple[int, int, str, str, bytes]] = []
    postings: dict[tuple[int, int], array[int]] = {}

    def add(key: tuple[int, str], fields: list[tuple[str, str, str]]) -> None:
        words: dict[str, tuple[int, int]] = {}
        for position, (_, _, original) in enumerate(fields):
            for word, impact in _impacts(original).items():
                if word not in words or impact > words[word][0]:
                    words[word] = (impact, position)
        label = labels[key]
        packed = []
        for word, (impact, position) in words.items():
            wid = word_ids.setdefault(word, len(df))
            if wid == len(df):
                df.append(0)
                top.append(0)
            df[wid] += 1
            top[wid] = max(top[wid], impact)
            packed.append((wid, impact, position))
            postings.setdefault((wid, key[0]), array('q')).append(((1 << 22) - impact) << 40 | label)
        docs.append((key[0], label, key[1], json.dumps([[f, lang] for f, lang, _ in fields], ensure_ascii=False, separators=(',', ':')),
                     _pack(packed)))

    current: tuple[int, str] | None = None
    fields: list[tuple[str, str, str]] = []
    rows = conn.execute(
        sa.text('SELECT kind, ref_id, field, lang, original FROM search_entry ORDER BY kind, ref_id, id').execution_options(yield_per=BATCH))
    for kind, ref_id, field, lang, original in rows:
        if kind not in KIND_CODES:
            continue
        key = (KIND_CODES[kind], ref_id)
        if key != current:
            if current is not None:
                add(current, fields)
            current, fields = key, []
        fields.append((field, lang, original))
    if current is not None:
        add(current, fields)
    _insert(conn, 'search_word', ('id', 'word', 'df', 'top'), iter(sorted((i, w, df[i], top[i]) for w, i in word_ids.items())))
    docs.sort(key=lambda d: (d[0], d[1]))
    _insert(conn, 'search_doc', ('kind', 'label', 'ref_id', 'fields', 'words'), iter(docs))

    def posting_rows() -> Iterator[tuple[int, int, int, int]]:
        for key in sorted(postings):
            for value in sorted(postings.pop(key)):
                yield key[0], key[1], (value >> 40) - (1 << 22), value & ((1 << 40) - 1)

    _insert(conn, 'search_posting', ('word_id', 'kind', 'nimpact', 'label'), posting_rows())


def upgrade() -> None:
    _create_tables()
    conn = op.get_bind()
    _fill(conn)
    if conn.dialect.name == 'sqlite':
        op.execute('DROP TRIGGER IF EXISTS search_entry_ai')
        op.execute('DROP TRIGGER IF EXISTS search_entry_ad')
        op.execute('DROP TABLE IF EXISTS search_fts')
    else:
        op.execute('DROP INDEX IF EXISTS ix_search_entry_tsv')
    with op.batch_alter_table('search_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_search_entry_ref_id'))
        batch_op.drop_index(batch_op.f('ix_search_entry_kind'))
    op.drop_table('search_entry')


def _index_text(text: str) -> str:
    tokens = _TOKEN.findall(_normalize(text))
    stems = [s for s in (_stem(t) for t in tokens) if s not in tokens]
    return ' '.join(tokens + stems)


def _entries(conn: sa.Connection) -> Iterator[dict[str, str]]:
    """search_entry's rows as 0007 kept them, worked out from the live records."""
    languages = dict(conn.execute(sa.text('SELECT id, language FROM source')).all())
    document_names: dict[str, list[tuple[str, str]]] = {}
    for actor_id, value, lang in conn.execute(sa.text('SELECT actor_id, value, lang FROM document_name ORDER BY file, position')):
        document_names.setdefault(actor_id, []).append((value, lang))
    for actor_id, data in conn.execute(sa.text('SELECT id, data FROM actor WHERE deleted_at IS NULL ORDER BY id')):
        actor = json.loads(data)
        names = [(n['value'], n['language']) for n in actor['names']]
        names += [n for n in dict.fromkeys(document_names.get(actor_id, [])) if n not in names]
        for value, lang in names:
            yield {'kind': 'actor', 'ref_id': actor_id, 'label': actor['name'], 'field': 'name', 'lang': lang, 'original': value}
        yield {'kind': 'actor', 'ref_id': actor_id, 'label': actor['name'], 'field': 'description', 'lang': 'en', 'original': actor['description']}
    for claim_id, data in conn.execute(sa.text('SELECT id, data FROM claim WHERE deleted_at IS NULL ORDER BY id')):
        claim = json.loads(data)
        label = claim['statement']
        yield {'kind': 'claim', 'ref_id': claim_id, 'label': label, 'field': 'statement', 'lang': 'en', 'original': label}
        for ev in claim['evidence']:
            yield {'kind': 'claim', 'ref_id': claim_id, 'label': label, 'field': 'quote', 'lang': ev.get('language') or languages[ev['source']],
                   'original': ev['quote']}
            if ev.get('translation'):
                yield {'kind': 'claim', 'ref_id': claim_id, 'label': label, 'field': 'translation', 'lang': 'en', 'original': ev['translation']}
    for source_id, data, text in conn.execute(sa.text('SELECT id, data, text FROM source WHERE deleted_at IS NULL ORDER BY id')):
        source = json.loads(data)
        yield {'kind': 'source', 'ref_id': source_id, 'label': source['title'], 'field': 'title', 'lang': 'en', 'original': source['title']}
        if text is not None:
            yield {'kind': 'source', 'ref_id': source_id, 'label': source['title'], 'field': 'text', 'lang': source['language'], 'original': text}


def downgrade() -> None:
    op.create_table('search_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('ref_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('label', sa.Text(), nullable=False),
    sa.Column('field', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('lang', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('original', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('search_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_search_entry_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_search_entry_ref_id'), ['ref_id'], unique=False)
    conn = op.get_bind()
    if conn.dialect.name == 'sqlite':
        op.execute("CREATE VIRTUAL TABLE search_fts USING fts5(body, content='search_entry', content_rowid='id',"
                   " tokenize='unicode61 remove_diacritics 2')")
        op.execute('CREATE TRIGGER search_entry_ai AFTER INSERT ON search_entry BEGIN'
                   ' INSERT INTO search_fts (rowid, body) VALUES (new.id, new.body); END')
        op.execute('CREATE TRIGGER search_entry_ad AFTER DELETE ON search_entry BEGIN'
                   " INSERT INTO search_fts (search_fts, rowid, body) VALUES ('delete', old.id, old.body); END")
    else:
        op.execute("CREATE INDEX ix_search_entry_tsv ON search_entry USING gin (to_tsvector('simple', body))")
    columns = ('kind', 'ref_id', 'label', 'field', 'lang', 'original', 'body')
    _insert(conn, 'search_entry', columns, ((*(e[c] for c in columns[:-1]), _index_text(e['original'])) for e in _entries(conn)))
    op.drop_table('search_posting')
    op.drop_index('ix_search_doc_ref', table_name='search_doc')
    op.drop_table('search_doc')
    op.drop_table('search_word')
