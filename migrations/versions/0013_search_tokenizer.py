"""Search tokenizer: numbers read as numbers, compatibility forms and Persian letters folded, the synonym
table's phrases indexed; every record's search postings are rebuilt. The timeline places undated claims.

Claims gain `placed_from` and `placed_to`: where the timeline places a claim, its event time, or when it has
none, its publication (published_from, published_to: the earliest publication date of the held documents its
evidence quotes), filled here from those columns. The timeline runs down ix_claim_placed (new) and the predicate,
modality and polarity indexes in timeline order, which now hold them instead of the event time; ix_claim_filter
holds them too. The downgrade puts the event-time indexes back and drops the columns.

api/store/text.py now reads "40,000", "40 000", "٤٠٠٠٠" and "40 ألف" as the one word "40000", folds Unicode
compatibility forms before the Arabic letters (presentation forms, Persian yeh and kaf) and all decimal digits
to ASCII, and indexes a phrase of data/synonyms.yaml as a word: the words and impacts stored in search_word,
search_doc and search_posting change, so they are rebuilt from the records (search_fields of each live actor,
claim and source), the way a fresh build writes them.

The upgrade rebuilds them with the tokenizer of the code that runs it (api/store/search.py's own functions: the
index must be exactly what that code computes when it keeps the index in step with a write). The downgrade
rebuilds them with the tokenizer as it was before (a copy kept here: `_old_impacts`).

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 10:15:00
"""

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The tokenizer before this revision (api/store/text.py and api/store/search.py `field_impacts` as they were).
_OLD_FOLD = str.maketrans({'أ': 'ا', 'إ': 'ا', 'آ': 'ا', 'ٱ': 'ا', 'ى': 'ي', 'ة': 'ه', 'ؤ': 'و', 'ئ': 'ي'})
_OLD_DROP = re.compile('[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]')
_OLD_TOKEN = re.compile(r'\w+')
_OLD_PREFIXES = ('وبال', 'وال', 'بال', 'كال', 'فال', 'لل', 'ال', 'و', 'ب', 'ل', 'ف', 'ك')
_OLD_ARABIC = re.compile('[\u0600-\u06ff]')


def _old_stem(token: str) -> str:
    if not _OLD_ARABIC.match(token):
        return token
    for prefix in _OLD_PREFIXES:
        if token.startswith(prefix) and len(token) - len(prefix) >= 3:
            return token[len(prefix):]
    return token


def _old_impacts(text: str) -> dict[str, int]:
    from api.store.search import _impact

    folded = unicodedata.normalize('NFKD', _OLD_DROP.sub('', text).translate(_OLD_FOLD).casefold())
    if not folded.isascii():
        folded = ''.join(c for c in folded if not unicodedata.combining(c))
    words = _OLD_TOKEN.findall(folded)
    counts: Counter[str] = Counter(words)
    if not folded.isascii():
        for word in words:
            if _old_stem(word) != word:
                counts[_old_stem(word)] += 1
    return {word: _impact(f, len(words)) for word, f in counts.items()}


def _rebuild(impacts: Callable[[str], dict[str, int]]) -> None:
    """Empty the index and write it again from the live records, each field's words weighed by `impacts`."""
    from api.store.dbgraph import DbGraph
    from api.store.records import search_fields
    from api.store.search import KIND_CODES, BulkIndex, Indexed

    conn = op.get_bind()
    graph = DbGraph(conn)
    ids = {kind: list(graph.records(kind)) for kind in KIND_CODES}
    bulk = BulkIndex(ids)
    for kind, refs in ids.items():
        records = graph.records(kind)
        for ref_id in refs:
            fields = search_fields(kind, records[ref_id], graph)
            words: dict[str, tuple[int, int]] = {}
            for position, (_, _, field_text) in enumerate(fields):
                for word, impact in impacts(field_text).items():
                    if word not in words or impact > words[word][0]:
                        words[word] = (impact, position)
            bulk.add(kind, ref_id, Indexed(tuple((name, lang) for name, lang, _ in fields), words))
    for table in ('search_posting', 'search_doc', 'search_word'):
        conn.execute(sa.text(f'DELETE FROM {table}'))
    bulk.write(conn)


# (name, columns before, columns after) of the claim indexes that now hold where the timeline places a claim
_TIMELINE_INDEXES = [
    ('ix_claim_filter', ['id', 'deleted_at', 'predicate', 'modality', 'polarity', 'published_to', 'event_from', 'event_to'],
     ['id', 'deleted_at', 'predicate', 'modality', 'polarity', 'published_to', 'event_from', 'event_to', 'placed_from', 'placed_to']),
    ('ix_claim_predicate_timeline', ['predicate', 'event_from', 'event_to', 'id', 'deleted_at'],
     ['predicate', 'placed_from', 'placed_to', 'id', 'deleted_at']),
    ('ix_claim_modality_timeline', ['modality', 'event_from', 'event_to', 'id', 'deleted_at'],
     ['modality', 'placed_from', 'placed_to', 'id', 'deleted_at']),
    ('ix_claim_polarity_timeline', ['polarity', 'event_from', 'event_to', 'id', 'deleted_at'],
     ['polarity', 'placed_from', 'placed_to', 'id', 'deleted_at']),
]
# (name, columns) of the indexes added: the timeline's own order
CREATED = [('ix_claim_placed', 'claim', ['placed_from', 'placed_to', 'id', 'deleted_at'])]


def _indexes(after: bool) -> None:
    for name, before_columns, after_columns in _TIMELINE_INDEXES:
        op.drop_index(name, table_name='claim')
        op.execute(sa.text(f'CREATE INDEX {name} ON claim ({", ".join(after_columns if after else before_columns)})'))
    for name, table, columns in CREATED:
        if after:
            op.execute(sa.text(f'CREATE INDEX {name} ON {table} ({", ".join(columns)})'))
        else:
            op.drop_index(name, table_name=table)


def upgrade() -> None:
    from api.store.search import field_impacts

    op.add_column('claim', sa.Column('placed_from', sa.String(), nullable=True))
    op.add_column('claim', sa.Column('placed_to', sa.String(), nullable=True))
    op.execute(sa.text('UPDATE claim SET placed_from = CASE WHEN event_from IS NULL THEN published_from ELSE event_from END,'
                       ' placed_to = CASE WHEN event_from IS NULL THEN published_to ELSE event_to END'))
    _indexes(after=True)
    _rebuild(field_impacts)


def downgrade() -> None:
    _rebuild(_old_impacts)
    _indexes(after=False)
    op.drop_column('claim', 'placed_to')
    op.drop_column('claim', 'placed_from')
