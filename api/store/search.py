"""Full-text search over actors, claims and sources, in English and Arabic: the rank and the index.

A record's searchable fields (api/store/records.py `search_rows`: an actor's spellings and description,
a claim's statement, quotes and translations, a source's title and held text) are folded and split
into words by one tokenizer (api/store/text.py: numbers read as numbers, "40,000" and "٤٠ ألف" alike); each
word also stands for its stem, and a phrase of the synonym table is a word too. A query's terms are read the
same way, and every term must match (AND): as a word of the record, or as the beginning of one (a prefix-only
match counts half), or as a member of the term's synonym group (api/services/search.py). Terms may match in
different fields of one record.

The rank is a function of the record's own text and the query alone, so that it never moves when other
records are written and a page of results can resume after the last rank served:
- a word's *impact* in a field is BM25's term saturation and length normalization, f * (K1 + 1) /
  (f + K1 * (1 - B + B * words / REFERENCE_WORDS)), where f counts the field's words equal to it (or
  whose stem is) and `words` is the field's length; REFERENCE_WORDS stands for the collection's average
  length, fixed, in place of weights drawn from the whole collection (BM25's IDF and average length);
  in units of 1/RANK_SCALE, rounded to an even integer (so that half of it is exact);
- a word's impact in a record is its best over the record's fields (the first such field is where
  it matched);
- a term's score is the best, over the record's words that begin with it, of the word's impact (the
  term itself) or half of it (a longer word);
- the rank is the sum of the terms' scores (an integer, in millionths; the API's `score` is rank /
  RANK_SCALE).

So a record's rank for one term is the impact of one of its words, stored in the index: `search_posting`
holds a row per (word, record) ordered by (word, kind, impact descending, record), and a page of the best
hits for a word is one range scan from where the last page ended. `search_word` is the vocabulary
(its id, how many records hold the word, and an upper bound of its impacts), to expand a term to the words
it begins; `search_doc` holds per record what a hit displays and the record's words with their impacts
(random access, for queries of several terms or of a prefix, and to remove a record's postings).
api/services/search.py reads them; `SearchIndex` keeps them in step with a record in the transaction that
writes it, and `BulkIndex` builds them when the database is seeded.

Records are identified inside the index by (kind code, label): KIND_CODES in the order of the kinds'
names, and an integer label whose order is the order of the record ids within the kind (labels are
spread over [1, LABEL_SPACE) when the database is built; a new record takes the middle of the gap
between its neighbours, and when there is none a window of neighbours is spread again). So the index's
order is the API's order: rank, then kind, then id.
"""

from __future__ import annotations

import json
from array import array
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, text

from api.store.text import fold_words, normalize, original_offset, query_terms, stem, synonyms

SNIPPET_CONTEXT = 60
# BM25's usual constants; REFERENCE_WORDS stands for the collection's average field length (about 18 words
# in the curated dataset), fixed so that a rank depends on nothing but its record and the query.
K1, B, REFERENCE_WORDS = 1.2, 0.75, 18
PREFIX_DIVISOR = 2  # a word that only begins with the term counts half as much as the word itself
RANK_SCALE = 1_000_000  # ranks are integers, in millionths, so that they compare exactly wherever they are computed
KIND_CODES = {"actor": 0, "claim": 1, "source": 2}  # in the order of the names: the index sorts by code
KIND_NAMES = {code: name for name, code in KIND_CODES.items()}
LABEL_SPACE = 1 << 40  # labels lie in [1, LABEL_SPACE): six bytes on SQLite
RELABEL_WINDOW = 16  # neighbours on each side first spread again when a new record's label has no room
MAX_EXPANSION = 32  # a term expands to itself and at most 31 longer words: the most frequent ...
EXPANSION_SCAN = 2_000  # ... among the first 2,000 words it begins, in code-point order
# A term shorter than this matches only the word itself: a single letter begins a large share of all words, so that
# `u s officials` (how `U.S. officials` is read) matched records by any word beginning with u and any beginning with s,
# and a query of five single letters took 4-7 s a page at 100,000 claims.
MIN_PREFIX = 2
_IMPACT_BITS = 22  # an impact is at most (K1 + 1) * RANK_SCALE = 2,200,000 < 2**22


# -- the rank


@lru_cache(maxsize=65_536)
def _impact(f: int, words: int) -> int:
    """The impact of a word found f times in a field of `words` words (a function of the two numbers alone)."""
    norm = K1 * (1 - B + B * words / REFERENCE_WORDS)
    return 2 * round(f * (K1 + 1) / (f + norm) * RANK_SCALE / 2)


@lru_cache(maxsize=65_536)
def field_impacts(field_text: str) -> dict[str, int]:
    """Each word of a field (api/store/text.py: folded words and numbers, each Arabic word's stem, and the phrases of
    the synonym table found in them) with its impact there, in 1/RANK_SCALE (an even
    integer). Cached, since copies of one text are common: the result must not be changed."""
    folded = normalize(field_text)
    words = fold_words(folded)
    counts: Counter[str] = Counter(words)
    if not folded.isascii():  # only Arabic words have stems of their own
        for word in words:
            stemmed = stem(word)
            if stemmed != word:
                counts[stemmed] += 1
    counts.update(synonyms().phrase_words(words))  # a phrase of the synonym table is a word of its own too
    n = len(words)
    return {word: _impact(f, n) for word, f in counts.items()}


@dataclass(frozen=True)
class Indexed:
    """What the index holds for one record: its fields (field name and language, in order; api/schemas'
    SearchField) and each of its words with its impact and the position of the field it is best in."""

    fields: tuple[tuple[str, str], ...]
    words: dict[str, tuple[int, int]]

    @property
    def fields_json(self) -> str:
        return json.dumps([list(f) for f in self.fields], ensure_ascii=False, separators=(",", ":"))


def indexed(fields: Sequence[tuple[str, str, str]]) -> Indexed:
    """A record's index entry from its searchable fields, each (field name, language, text)."""
    words: dict[str, tuple[int, int]] = {}
    for position, (_, _, field_text) in enumerate(fields):
        impacts = field_impacts(field_text)
        if not words:
            words = {word: (impact, position) for word, impact in impacts.items()}
            continue
        for word, impact in impacts.items():
            held = words.get(word)
            if held is None or impact > held[0]:
                words[word] = (impact, position)
    return Indexed(tuple((name, lang) for name, lang, _ in fields), words)


def term_score(words: dict[str, tuple[int, int]], term: str) -> tuple[int, int] | None:
    """A term's score in a record whose words are `words` (word -> (impact, field position)), with the
    field it is best in; None when no word matches (the term itself counts whole, a longer word it begins half,
    when the term has at least MIN_PREFIX characters)."""
    prefix = len(term) >= MIN_PREFIX
    best: tuple[int, int] | None = None
    for word, (impact, position) in words.items():
        if word == term:
            score = impact
        elif prefix and word.startswith(term):
            score = impact // PREFIX_DIVISOR
        else:
            continue
        if best is None or score > best[0]:
            best = (score, position)
    return best


def rank(fields: Sequence[tuple[str, str, str]] | str, terms: list[str]) -> int | None:
    """The rank of a record (its searchable fields, or one text as a field) for the query terms, in
    1/RANK_SCALE: the sum of the terms' scores; None unless every term matches. The reference definition
    that the index computes from stored impacts."""
    entry = indexed([("text", "", fields)] if isinstance(fields, str) else fields)
    total = 0
    for term in terms:
        found = term_score(entry.words, term)
        if found is None:
            return None
        total += found[0]
    return total


# -- the index's rows


def pack_words(entries: Iterable[tuple[int, int, int]]) -> bytes:
    """A record's words for `search_doc.words`: (word id, impact, field position) each as two unsigned 32-bit
    integers, little-endian: the id, then impact // 2 << 8 | position (positions past 255 share 255)."""
    out = array("I")
    for word_id, impact, position in sorted(entries):
        out.append(word_id)
        out.append((impact // 2) << 8 | min(position, 255))
    if out.itemsize != 4:  # pragma: no cover - every platform Python supports has 4-byte unsigned ints
        raise RuntimeError("array('I') is not 32-bit here")
    return out.tobytes()


def unpack_words(blob: bytes) -> dict[int, tuple[int, int]]:
    """`pack_words` undone: word id -> (impact, field position)."""
    values = array("I")
    values.frombytes(bytes(blob))
    return {values[i]: ((values[i + 1] >> 8) * 2, values[i + 1] & 0xFF) for i in range(0, len(values), 2)}


class PackedWords:
    """A record's packed words (`pack_words`), read a word at a time by binary search: (impact, field position)."""

    __slots__ = ("ids", "values")

    def __init__(self, blob: bytes) -> None:
        self.values = array("I")
        self.values.frombytes(bytes(blob))
        self.ids = self.values[0::2]

    def get(self, word_id: int) -> tuple[int, int] | None:
        at = bisect_left(self.ids, word_id)
        if at == len(self.ids) or self.ids[at] != word_id:
            return None
        packed = self.values[2 * at + 1]
        return (packed >> 8) * 2, packed & 0xFF


# -- snippets

SNIPPET_CHUNK = 400  # characters folded at a time while looking for the first match


def snippet(field_text: str, terms: list[str]) -> str:
    """A window of the original text around the first place where a term occurs in its folded form (the
    whole text when it is at most 2 * SNIPPET_CONTEXT long). The text is folded a chunk at a time, only
    until a match is found."""
    if len(field_text) <= 2 * SNIPPET_CONTEXT:
        return field_text
    at = _first_match(field_text, terms)
    if at is None:
        return field_text[: 2 * SNIPPET_CONTEXT] + "…"
    start = max(0, at - SNIPPET_CONTEXT)
    end = min(len(field_text), at + SNIPPET_CONTEXT)
    return ("…" if start > 0 else "") + field_text[start:end] + ("…" if end < len(field_text) else "")


def _first_match(field_text: str, terms: list[str]) -> int | None:
    """The offset in `field_text` of the earliest occurrence of any term in the folded text, or None.

    Chunks are folded one after another (a prefix of a text folds to a prefix of its folding), and the
    offset is found inside the chunks folded last, so the work is bounded by the text up to the match."""
    longest = max((len(t) for t in terms), default=0)
    folded = ""
    starts: list[tuple[int, int]] = []  # (offset in the text, offset in the folding) where each chunk begins
    done = 0
    while done < len(field_text):
        start, done = done, min(len(field_text), done + SNIPPET_CHUNK)
        starts.append((start, len(folded)))
        folded += normalize(field_text[start:done])
        found = [at for at in (folded.find(t) for t in terms) if at >= 0]
        # A match is final once no term starting before it can still run past what is folded so far.
        if found and (min(found) + longest <= len(folded) or done == len(field_text)):
            first = min(found)
            text_at, folded_at = next(pair for pair in reversed(starts) if pair[1] <= first)
            return text_at + original_offset(field_text[text_at:done], first - folded_at)
    return None


# -- keeping the index in step with the records


def _words_sql(n: int) -> str:
    return ", ".join(f":w{i}" for i in range(n))


class SearchIndex:
    """Puts one record's entry in the index, or takes it out, on a connection inside the write's transaction
    (writes hold the write lock, so the vocabulary's ids and counts are taken without races)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def put(self, kind: str, ref_id: str, entry: Indexed | None) -> None:
        """Make the index hold `entry` for the record (None: hold nothing for it); records of kinds that are
        not searched (contradictions, corroborations) are ignored."""
        code = KIND_CODES.get(kind)
        if code is None:
            return
        row = self.conn.execute(
            text("SELECT label, fields, words FROM search_doc WHERE kind = :k AND ref_id = :r"), {"k": code, "r": ref_id}
        ).first()
        old = {} if row is None else unpack_words(row[2])
        if entry is None:
            if row is not None:
                self._postings(code, int(row[0]), old, insert=False)
                self._counts(old, -1)
                self.conn.execute(text("DELETE FROM search_doc WHERE kind = :k AND label = :l"), {"k": code, "l": int(row[0])})
            return
        ids = self._word_ids(list(entry.words))
        new = {ids[word]: value for word, value in entry.words.items()}
        blob = pack_words((wid, impact, position) for wid, (impact, position) in new.items())
        fields = entry.fields_json
        if row is not None and bytes(row[2]) == blob and row[1] == fields:
            return
        new = unpack_words(blob)  # positions as stored
        if row is None:
            label = self._new_label(code, ref_id)
            self.conn.execute(text("INSERT INTO search_doc (kind, label, ref_id, fields, words) VALUES (:k, :l, :r, :f, :b)"),
                              {"k": code, "l": label, "r": ref_id, "f": fields, "b": blob})
        else:
            label = int(row[0])
            self._postings(code, label, old, insert=False)
            self.conn.execute(text("UPDATE search_doc SET fields = :f, words = :b WHERE kind = :k AND label = :l"),
                              {"k": code, "l": label, "f": fields, "b": blob})
        self._postings(code, label, new, insert=True)
        self._counts({w: v for w, v in old.items() if w not in new}, -1)
        self._counts({w: v for w, v in new.items() if w not in old}, 1)
        tops = [{"w": wid, "i": impact} for wid, (impact, _) in new.items()]
        if tops:
            self.conn.execute(text("UPDATE search_word SET top = :i WHERE id = :w AND top < :i"), tops)

    def _postings(self, code: int, label: int, words: dict[int, tuple[int, int]], *, insert: bool) -> None:
        rows = [{"w": wid, "k": code, "n": -impact, "l": label} for wid, (impact, _) in words.items()]
        if not rows:
            return
        if insert:
            sql = "INSERT INTO search_posting (word_id, kind, nimpact, label) VALUES (:w, :k, :n, :l)"
        else:
            sql = "DELETE FROM search_posting WHERE word_id = :w AND kind = :k AND nimpact = :n AND label = :l"
        self.conn.execute(text(sql), rows)

    def _counts(self, words: dict[int, tuple[int, int]], delta: int) -> None:
        if words:
            self.conn.execute(text("UPDATE search_word SET df = df + :d WHERE id = :w"), [{"w": w, "d": delta} for w in words])

    def _word_ids(self, words: list[str]) -> dict[str, int]:
        """The vocabulary's id of each word, new words added (with no records yet: `_counts` adds them)."""
        ids: dict[str, int] = {}
        for at in range(0, len(words), 500):
            chunk = words[at : at + 500]
            params = {f"w{i}": w for i, w in enumerate(chunk)}
            rows = self.conn.execute(text(f"SELECT word, id FROM search_word WHERE word IN ({_words_sql(len(chunk))})"), params)
            ids.update((str(w), int(i)) for w, i in rows)
        missing = [w for w in words if w not in ids]
        if missing:
            last = int(self.conn.execute(text("SELECT coalesce(max(id), 0) FROM search_word")).scalar_one())
            new_ids = {w: last + n + 1 for n, w in enumerate(missing)}
            self.conn.execute(text("INSERT INTO search_word (id, word, df, top) VALUES (:id, :word, 0, 0)"),
                              [{"id": i, "word": w} for w, i in new_ids.items()])
            ids.update(new_ids)
        return ids

    def _neighbours(self, code: int, ref_id: str, count: int, before: bool) -> list[tuple[int, str, bytes]]:
        """Up to `count` records of the kind next to `ref_id` on one side, nearest first: (label, ref_id, words)."""
        sql = ("SELECT label, ref_id, words FROM search_doc WHERE kind = :k AND ref_id < :r ORDER BY ref_id DESC LIMIT :n" if before
               else "SELECT label, ref_id, words FROM search_doc WHERE kind = :k AND ref_id > :r ORDER BY ref_id LIMIT :n")
        return [(int(lab), str(r), bytes(b)) for lab, r, b in self.conn.execute(text(sql), {"k": code, "r": ref_id, "n": count})]

    def _new_label(self, code: int, ref_id: str) -> int:
        """A label between those of the record's neighbours in id order; when they leave no room, a window of
        neighbours around it is given labels spread evenly (their postings move with them)."""
        before = self._neighbours(code, ref_id, 1, before=True)
        after = self._neighbours(code, ref_id, 1, before=False)
        low = before[0][0] if before else 0
        high = after[0][0] if after else LABEL_SPACE
        if high - low >= 2:
            return (low + high) // 2
        width = RELABEL_WINDOW
        while True:
            before = self._neighbours(code, ref_id, width + 1, before=True)
            after = self._neighbours(code, ref_id, width + 1, before=False)
            low = before[width][0] if len(before) > width else 0
            high = after[width][0] if len(after) > width else LABEL_SPACE
            window: list[tuple[int, str, bytes] | None] = [*reversed(before[:width]), None, *after[:width]]
            if high - low > 4 * (len(window) + 1) or (low == 0 and high == LABEL_SPACE):
                return self._spread(code, low, high, window)
            width *= 2

    def _spread(self, code: int, low: int, high: int, window: list[tuple[int, str, bytes] | None]) -> int:
        """Give the window's records (None: the new one) labels spread evenly in (low, high); the new label."""
        step = (high - low) // (len(window) + 1)
        if step < 1:
            raise RuntimeError("search labels are exhausted")  # pragma: no cover - needs 2**40 records of a kind
        moves = [(item, low + step * (n + 1)) for n, item in enumerate(window)]
        # Through negative labels first, so that no two records ever share one on the way.
        for final in (False, True):
            for item, label in moves:
                if item is None:
                    continue
                current, _, blob = item
                src, dst = (current, -label) if not final else (-label, label)
                self.conn.execute(text("UPDATE search_doc SET label = :d WHERE kind = :k AND label = :s"), {"k": code, "s": src, "d": dst})
                rows = [{"w": wid, "k": code, "n": -impact, "s": src, "d": dst} for wid, (impact, _) in unpack_words(blob).items()]
                if rows:
                    self.conn.execute(text("UPDATE search_posting SET label = :d"
                                           " WHERE word_id = :w AND kind = :k AND nimpact = :n AND label = :s"), rows)
        return next(label for item, label in moves if item is None)


class BulkIndex:
    """The whole index for a database being seeded: records are added one by one (`add`), then `write` stores
    the vocabulary, the records and the postings, each in its primary key's order (so the B-trees are filled
    by appending), with the driver's bulk path (executemany on SQLite, COPY on PostgreSQL)."""

    def __init__(self, ids_by_kind: dict[str, Iterable[str]]) -> None:
        self.labels: dict[str, dict[str, int]] = {}
        for kind, ids in ids_by_kind.items():
            ordered = sorted(ids)
            step = LABEL_SPACE // (len(ordered) + 1)
            self.labels[kind] = {ref: step * (n + 1) for n, ref in enumerate(ordered)}
        self.word_ids: dict[str, int] = {}
        self.df: list[int] = [0]
        self.top: list[int] = [0]
        self.docs: list[tuple[int, int, str, str, bytes]] = []
        self.postings: dict[tuple[int, int], array[int]] = {}

    def add(self, kind: str, ref_id: str, entry: Indexed | None) -> None:
        """Index a record (None, for kinds that are not searched: nothing)."""
        if entry is None:
            return
        code = KIND_CODES[kind]
        label = self.labels[kind][ref_id]
        word_ids, df, top, postings = self.word_ids, self.df, self.top, self.postings
        packed = []
        for word, (impact, position) in entry.words.items():
            wid = word_ids.get(word)
            if wid is None:
                wid = word_ids[word] = len(df)
                df.append(0)
                top.append(0)
            df[wid] += 1
            if impact > top[wid]:
                top[wid] = impact
            packed.append((wid, impact, position))
            bucket = postings.get((wid, code))
            if bucket is None:
                bucket = postings[(wid, code)] = array("q")
            bucket.append(((1 << _IMPACT_BITS) - impact) << 40 | label)
        self.docs.append((code, label, ref_id, entry.fields_json, pack_words(packed)))

    def write(self, conn: Connection) -> None:
        words = [(wid, word, self.df[wid], self.top[wid]) for word, wid in self.word_ids.items()]
        _bulk(conn, "search_word", (("id", "integer"), ("word", "text"), ("df", "integer"), ("top", "integer")), iter(sorted(words)))
        self.docs.sort(key=lambda d: (d[0], d[1]))
        _bulk(conn, "search_doc", (("kind", "smallint"), ("label", "bigint"), ("ref_id", "text"), ("fields", "text"), ("words", "bytea")),
              iter(self.docs))
        self.docs = []
        _bulk(conn, "search_posting", (("word_id", "integer"), ("kind", "smallint"), ("nimpact", "integer"), ("label", "bigint")),
              self._posting_rows())

    def _posting_rows(self) -> Iterator[tuple[int, int, int, int]]:
        mask = (1 << 40) - 1
        base = 1 << _IMPACT_BITS
        for key in sorted(self.postings):
            wid, code = key
            for value in sorted(self.postings.pop(key)):
                yield wid, code, (value >> 40) - base, value & mask


def _bulk(conn: Connection, table: str, columns: tuple[tuple[str, str], ...], rows: Iterator[tuple[Any, ...]]) -> None:
    """Insert rows through the driver: executemany on SQLite, COPY on PostgreSQL (columns: (name, PostgreSQL type))."""
    raw: Any = conn.connection.driver_connection
    names = ", ".join(name for name, _ in columns)
    if conn.dialect.name == "postgresql":
        with raw.cursor() as cur, cur.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            copy.set_types([kind for _, kind in columns])
            for row in rows:
                copy.write_row(row)
        return
    placeholders = ", ".join("?" for _ in columns)
    raw.cursor().executemany(f"INSERT INTO {table} ({names}) VALUES ({placeholders})", rows)


__all__ = [
    "KIND_CODES", "KIND_NAMES", "LABEL_SPACE", "MAX_EXPANSION", "MIN_PREFIX", "PREFIX_DIVISOR", "RANK_SCALE", "BulkIndex", "Indexed",
    "PackedWords", "SearchIndex", "field_impacts", "indexed", "pack_words", "query_terms", "rank", "snippet", "term_score", "unpack_words",
]
