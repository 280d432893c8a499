"""Search across actors, claims and sources, a page at a time in a stable order, top hits found inside the index.

A hit is a record that matches every term of the query (as a word, or a word's beginning; terms may match
in different fields); its rank (api/store/search.py) is a function of the record's own text and the query
alone, so it does not move when other records are written. Hits come in order of rank (highest first),
then kind and id; a page resumes after the last hit served, so paging while records are added or deleted
never shows a hit twice and never skips one that was there throughout (a record whose own text changes
between two pages may move).

How a page is found, reading only as much of the index as the page needs:
- each term expands to the words it begins (api/store/search.py MAX_EXPANSION; a single character only to itself,
  MIN_PREFIX), and to the members of its
  synonym group (data/synonyms.yaml) and the words they begin; each word has one
  posting list per kind, sorted best first; a list is opened only once its best possible score (the
  word's `top`) could reach the page;
- one term: the lists are merged in the API's order from where the last page ended (a record found
  through a word other than its best one is checked against its stored words, so that a record already
  served is not served again);
- several terms: the threshold algorithm (Fagin's TA): the lists are read best first, each record met is
  scored from its stored words (random access, batched), and reading stops once the page's last hit
  scores above what any record not yet met could score; when the records it has scored reach a share of the
  number the rarest term's words are in (DRIVE_SHARE), it scores the rest of those records instead, best
  possible first, and stops, so its work never exceeds about 1.25 times that number (at 100,000 claims, 13 queries of
  two to eight common words: 5.3-5.9 s in all before this bound, 0.76-0.85 s with it);
- when a term's words are in few records (RARE_SINGLE, RARE_DRIVE), its lists are read whole instead and
  only those records are scored.
Memory and time grow with the page's size and depth, and for several terms with the records scored (at
most about 1.25 times the rarest term's), not with how many records match.
"""

from __future__ import annotations

import heapq
import json
import sys
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import Any
from weakref import WeakKeyDictionary

import orjson

from api.errors import InvalidParameter
from api.services.common import INT64, TEXT, Cursor, KeyPart, Page, data_state
from api.store.db import Store
from api.store.search import (
    EXPANSION_SCAN,
    KIND_CODES,
    KIND_NAMES,
    LABEL_SPACE,
    MAX_EXPANSION,
    MIN_PREFIX,
    PREFIX_DIVISOR,
    RANK_SCALE,
    PackedWords,
    query_terms,
    snippet,
)
from api.store.text import synonyms


class SearchKind(StrEnum):
    ACTOR = "actor"
    CLAIM = "claim"
    SOURCE = "source"


# A search cursor's key: the last hit's rank, kind and id.
SEARCH_KEY = (INT64, KeyPart(str, "one of actor, claim, source", choices=frozenset(SearchKind)), TEXT)
RARE_SINGLE = 256  # one term whose words are in at most this many records: its postings are read whole
RARE_DRIVE = 1_000  # several terms: when one term's words are in at most this many records, only those are scored
# Several terms: the threshold algorithm turns to scoring the rarest term's records once it has scored this share of
# their number (1/4: of 1, 1/2, 1/4 and 1/8, the least time for 13 queries of two to eight common words at 100,000
# claims, 887, 757, 649 and 760 ms in all).
DRIVE_SHARE = 4
FIRST_BATCH = 16  # postings read from a list the first time; each further read four times as many, up to MAX_BATCH
MAX_BATCH = 1_024
_IN_CHUNK = 500  # labels per IN (...) when records are read by label
CHECK_EVERY = 256  # records scored between two checks of a budget on the event loop (Store.check_budget)

Key = tuple[int, int, int]  # (-rank, kind code, label): the API's order
Doc = tuple[str, str, PackedWords]  # ref_id, fields (JSON), its words with their impacts


@dataclass(frozen=True)
class _Word:
    id: int
    df: int
    top: int
    divisor: int  # 1: the term itself; PREFIX_DIVISOR: a longer word it begins


def search(store: Store, *, q: str, kind: SearchKind | None, limit: int, cursor: str | None) -> Page:
    """One page of the records matching every term of `q` (as a word or a word's beginning), best first.

    Raises InvalidParameter (422) when `q` has no searchable words, BadRequest (400) for a cursor not
    issued for this query (see Cursor).
    """
    terms = query_terms(q)
    if not terms:
        raise InvalidParameter(
            f"Query parameter 'q': '{q}' has no searchable words.",
            errors=[{"loc": ["query", "q"], "msg": "no searchable words", "type": "value_error"}],
        )
    pages = _caches.get(store)
    if pages is not None:
        cached = pages.get(data_state(store), (tuple(terms), kind, limit, cursor))
        if cached is not None:
            return cached
    # The postings, the index rows they name and the records are read in statements of their own: in one snapshot,
    # so that a record deleted or relabelled meanwhile by another writer cannot leave a hit without its row.
    with store.snapshot():
        state = data_state(store)
        page = _search(store, state, terms, kind, limit, cursor)
    if pages is not None:
        pages.put(state, (tuple(terms), kind, limit, cursor), page)
    return page


def _search(store: Store, state: tuple[str, int], terms: list[str], kind: SearchKind | None, limit: int, cursor: str | None) -> Page:
    scope_id = Cursor.scope({"q": terms, "kind": kind, "view": "search"})
    after = Cursor.decode(store, cursor, scope_id, SEARCH_KEY)
    expanded = [_expand(store, term) for term in terms]
    if not all(expanded):
        return Page(items=[], next_cursor=None)
    kinds = [KIND_CODES[kind.value]] if kind is not None else sorted(KIND_NAMES)
    start: Key | None = None
    if after is not None:
        start = (-int(after[0]), KIND_CODES[str(after[1])], _label_at_or_before(store, KIND_CODES[str(after[1])], str(after[2])))
    need = limit + 1
    docs: dict[tuple[int, int], Doc] = {}
    one = len(terms) == 1
    hits = _one_term(store, expanded[0], kinds, start, need, docs) if one else _several_terms(store, expanded, kinds, start, need, docs)
    window = hits[:limit]
    _load_docs(store, [(k, lab) for _, k, lab in window], docs)
    items = _render(store, state, window, docs, expanded, terms)
    next_cursor = None
    if len(hits) > limit:
        negated, code, label = window[-1]
        next_cursor = Cursor.encode(store, [-negated, KIND_NAMES[code], docs[(code, label)][0]], scope_id)
    return Page(items=items, next_cursor=next_cursor)


# -- pages already found


class PageCache:
    """Search pages found in one state of the database (`data_state`), by query: its terms, kind, limit and cursor.

    A page is a function of the database and the query alone (ranks do not depend on other records), so a page found
    in a state is the answer for as long as the state holds; a request reads the state first (one statement) and is
    answered from here when it has not moved. Entries of an earlier state are dropped when a page of a new one is
    kept, and the least recently used go first past `max_bytes` (each entry's objects, key and page, as `_footprint`
    counts them). A cursor is part of the key as it was sent, so a cursor the server did not sign is never answered from here."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._state: tuple[str, int] | None = None
        self._pages: OrderedDict[tuple[Any, ...], tuple[Page, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, state: tuple[str, int] | None, key: tuple[Any, ...]) -> Page | None:
        with self._lock:
            if state != self._state:
                return None
            found = self._pages.get(key)
            if found is None:
                return None
            self._pages.move_to_end(key)
            return found[0]

    def put(self, state: tuple[str, int] | None, key: tuple[Any, ...], page: Page) -> None:
        size = _footprint(key, page)
        if size > self.max_bytes:
            return
        with self._lock:
            if state != self._state:
                self._pages.clear()
                self._bytes = 0
                self._state = state
            held = self._pages.pop(key, None)
            if held is not None:
                self._bytes -= held[1]
            self._pages[key] = (page, size)
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, (_, dropped) = self._pages.popitem(last=False)
                self._bytes -= dropped


ENTRY_OVERHEAD = 200
"""Bytes an entry costs beyond its key's and its page's objects: the Page, its slot in the ordered dict, the size kept."""


def _footprint(key: tuple[Any, ...], page: Page) -> int:
    """The bytes a kept page holds in memory: its key (a query's terms, up to 500 characters in all, and its cursor) as
    much as its items, so that many queries with empty pages cannot hold more than the bound either."""
    terms, _, _, cursor = key
    return (ENTRY_OVERHEAD + sys.getsizeof(key) + sys.getsizeof(terms) + sum(sys.getsizeof(t) for t in terms) + sys.getsizeof(cursor)
            + sys.getsizeof(page.items) + sum(sys.getsizeof(item) for item in page.items) + sys.getsizeof(page.next_cursor))


_caches: WeakKeyDictionary[Store, PageCache] = WeakKeyDictionary()


def use_search_cache(store: Store, max_bytes: int) -> None:
    """Keep up to `max_bytes` of search pages for the searches read through `store` (PageCache); 0 keeps none. Done
    once, at start-up (CLAIMS_SEARCH_CACHE_MB)."""
    if max_bytes > 0:
        _caches[store] = PageCache(max_bytes)
    else:
        _caches.pop(store, None)


# -- the words of a term


def _after_prefix(term: str) -> str:
    """The least string above every string that begins with `term`."""
    return term[:-1] + chr(ord(term[-1]) + 1)


def _expand(store: Store, term: str) -> list[_Word]:
    """The vocabulary's words that `term` matches: those `_expand_word` gives for the term and for each other
    member of its synonym group (api/store/text.py `Synonyms`; a member counts as the term itself), each word
    once, at its best weight."""
    best: dict[int, _Word] = {}
    for member in synonyms().of_term(term):
        for word in _expand_word(store, member):
            held = best.get(word.id)
            if held is None or word.divisor < held.divisor:
                best[word.id] = word
    return sorted(best.values(), key=lambda w: (w.divisor, w.id))


def _expand_word(store: Store, term: str) -> list[_Word]:
    """The vocabulary's words that `term` matches: itself (whole) and, when it has at least MIN_PREFIX characters, at
    most MAX_EXPANSION - 1 longer words it begins (half), the most frequent among the first EXPANSION_SCAN in
    code-point order; only words some record holds now."""
    if len(term) < MIN_PREFIX:
        rows = store.all("SELECT id, word, df, top FROM search_word WHERE word = ? AND df > 0", [term])
        return [_Word(int(r[0]), int(r[2]), int(r[3]), 1) for r in rows]
    rows = store.all(
        "SELECT id, word, df, top FROM search_word WHERE word >= ? AND word < ? AND df > 0 ORDER BY word LIMIT ?",
        [term, _after_prefix(term), EXPANSION_SCAN],
    )
    exact = [_Word(int(r[0]), int(r[2]), int(r[3]), 1) for r in rows if r[1] == term]
    longer = sorted((r for r in rows if r[1] != term), key=lambda r: (-int(r[2]), str(r[1])))[: MAX_EXPANSION - 1]
    return exact + [_Word(int(r[0]), int(r[2]), int(r[3]), PREFIX_DIVISOR) for r in longer]


def _label_at_or_before(store: Store, code: int, ref_id: str) -> int:
    """The label of the last record of the kind whose id is at most `ref_id` (0 when none): a record comes after
    the cursor's id exactly when its label is above this one."""
    row = store.one("SELECT label FROM search_doc WHERE kind = ? AND ref_id <= ? ORDER BY ref_id DESC LIMIT 1", [code, ref_id])
    return 0 if row is None else int(row[0])


# -- posting lists


@dataclass
class _List:
    """One word's postings of one kind, read best first in growing batches."""

    word: _Word
    kind: int
    term: int
    position: tuple[int, int]  # (nimpact, label) of the last posting read: reading resumes after it
    rows: list[tuple[int, int]] = field(default_factory=list)
    at: int = 0
    batch: int = FIRST_BATCH
    done: bool = False

    def head(self, store: Store) -> tuple[int, int] | None:
        """The next posting, (nimpact, label), or None when the list is read to its end."""
        if self.at == len(self.rows):
            if self.done:
                return None
            self.rows = [(int(n), int(lab)) for n, lab in store.all(
                "SELECT nimpact, label FROM search_posting WHERE word_id = ? AND kind = ? AND (nimpact, label) > (?, ?)"
                " ORDER BY nimpact, label LIMIT ?",
                [self.word.id, self.kind, self.position[0], self.position[1], self.batch],
            )]
            self.at = 0
            self.done = len(self.rows) < self.batch
            self.batch = min(self.batch * 4, MAX_BATCH)
            if not self.rows:
                return None
            self.position = self.rows[-1]
        return self.rows[self.at]

    def next_label(self) -> int:
        """A label at or below that of the next posting (0 when nothing has been read)."""
        if self.at < len(self.rows):
            return self.rows[self.at][1]
        return self.position[1] if self.rows else 0

    def bound(self) -> int:
        """The best weighted impact a posting not yet read can have."""
        if self.at < len(self.rows):
            return -self.rows[self.at][0] // self.word.divisor
        if self.rows:  # what follows comes after the last posting read
            return -self.position[0] // self.word.divisor
        return self.word.top // self.word.divisor


class _Merge:
    """Posting lists merged in the API's order (weighted impact descending, kind, label); a list is first read
    only when its best possible posting could come next."""

    def __init__(self, store: Store, lists: list[_List]) -> None:
        self.store = store
        self.lists = lists
        self.waiting = sorted(range(len(lists)), key=lambda i: -(lists[i].word.top // lists[i].word.divisor))
        self.heap: list[tuple[int, int, int, int]] = []

    def _push(self, i: int) -> None:
        head = self.lists[i].head(self.store)
        if head is not None:
            lst = self.lists[i]
            heapq.heappush(self.heap, (head[0] // lst.word.divisor, lst.kind, head[1], i))

    def pop(self) -> tuple[Key, _List] | None:
        """The next posting in order, as (its key, its list); None when every list is read."""
        while self.waiting:
            i = self.waiting[0]
            best = self.lists[i].word.top // self.lists[i].word.divisor
            if self.heap and -self.heap[0][0] > best:
                break
            self.waiting.pop(0)
            self._push(i)
        if not self.heap:
            return None
        negated, kind, label, i = heapq.heappop(self.heap)
        lst = self.lists[i]
        lst.at += 1
        self._push(i)
        return (negated, kind, label), lst

def _bounds(lists: list[_List], terms: int) -> list[int]:
    """Per term, the best weighted impact of a posting not yet read in its lists (-1: they are all read)."""
    out = [-1] * terms
    for lst in lists:
        if lst.at < len(lst.rows) or not lst.done:
            out[lst.term] = max(out[lst.term], lst.bound())
    return out


def _frontier(lists: list[_List], terms: int) -> Key | None:
    """The least key a record met in no list yet can have (None: none can match every term).

    Its rank is at most the sum of the terms' bounds; when equal, the record has each term's bound in a
    list of its kind whose next posting has that bound, at or after that posting's label: so for every term
    its (kind, label) is at least the least (kind, next label) among the term's lists at the bound."""
    bounds = _bounds(lists, terms)
    if min(bounds) < 0:
        return None
    least: list[tuple[int, int]] = [(len(KIND_NAMES), 0)] * terms
    for lst in lists:
        if (lst.at < len(lst.rows) or not lst.done) and lst.bound() == bounds[lst.term]:
            least[lst.term] = min(least[lst.term], (lst.kind, lst.next_label()))
    kind, label = max(least)
    return (-sum(bounds), kind, label)


def _start(word: _Word, kind: int, start: Key | None) -> tuple[int, int]:
    """Where a list of a one-term query begins: just before its first posting that comes after `start` in the
    API's order (see the module's docstring in api/store/search.py for the keys)."""
    if start is None:
        return (-(1 << 40), 0)
    negated, start_kind, start_label = start
    threshold = negated * word.divisor  # nimpact of a posting whose weighted impact is the cursor's rank
    if kind < start_kind:
        return (threshold, LABEL_SPACE)
    if kind == start_kind:
        return (threshold, start_label)
    return (threshold, 0)


def _score(words: PackedWords, term_words: list[_Word]) -> tuple[int, int] | None:
    """A term's score in a record from its stored words, with the field position it is best in; None if absent."""
    best: tuple[int, int] | None = None
    for w in term_words:
        held = words.get(w.id)
        if held is not None and (best is None or held[0] // w.divisor > best[0]):
            best = (held[0] // w.divisor, held[1])
    return best


def _total(words: PackedWords, expanded: list[list[_Word]]) -> int | None:
    total = 0
    for term_words in expanded:
        found = _score(words, term_words)
        if found is None:
            return None
        total += found[0]
    return total


def _one_term(store: Store, words: list[_Word], kinds: list[int], start: Key | None, need: int,
              docs: dict[tuple[int, int], Doc]) -> list[Key]:
    """The first `need` hits after `start` for a one-term query."""
    if sum(w.df for w in words) <= RARE_SINGLE:
        best: dict[tuple[int, int], int] = {}
        divisor = {w.id: w.divisor for w in words}
        for chunk in _chunks([w.id for w in words]):
            where, params = _member(store, "word_id", chunk)
            for wid, k, nimpact, label in store.all(f"SELECT word_id, kind, nimpact, label FROM search_posting WHERE {where}", params):
                if int(k) in kinds:
                    score = -int(nimpact) // divisor[int(wid)]
                    doc = (int(k), int(label))
                    best[doc] = max(best.get(doc, 0), score)
        ordered = sorted((-score, k, label) for (k, label), score in best.items())
        return [hit for hit in ordered if start is None or hit > start][:need]
    lists = [_List(w, k, 0, _start(w, k, start)) for w in words for k in kinds]
    merge = _Merge(store, lists)
    check = start is not None and len(words) > 1  # a record met through a lesser word may have been served before
    hits: list[Key] = []
    seen: set[tuple[int, int]] = set()
    while len(hits) < need:
        batch: list[Key] = []
        while len(batch) < need - len(hits):
            popped = merge.pop()
            if popped is None:
                break
            key = popped[0]
            if (key[1], key[2]) not in seen:
                seen.add((key[1], key[2]))
                batch.append(key)
        if not batch:
            break
        if check:
            _load_docs(store, [(k, lab) for _, k, lab in batch], docs)
            batch = [key for key in batch if _total(docs[(key[1], key[2])][2], [words]) == -key[0]]
        hits.extend(batch)
    return hits


def _several_terms(store: Store, expanded: list[list[_Word]], kinds: list[int], start: Key | None, need: int,
                   docs: dict[tuple[int, int], Doc]) -> list[Key]:
    """The first `need` hits after `start` for a query of several terms (every term must match)."""
    found: list[Key] = []  # the best `need` hits so far (memory stays bounded by the page, not by the matches)
    scorer = _Scorer(expanded)

    def score(keys: Iterable[tuple[int, int]]) -> None:
        for n, ((k, label), blob) in enumerate(_load_blobs(store, keys)):
            if n % CHECK_EVERY == CHECK_EVERY - 1:
                store.check_budget()
            total = scorer.total(blob)
            if total is not None and (start is None or (-total, k, label) > start):
                found.append((-total, k, label))
        found.sort()
        del found[need:]

    def drive(scored: set[tuple[int, int]], bounds: list[int]) -> list[Key]:
        """Score the records of the rarest term not scored yet (`scored`, which it extends), the best each could rank
        first, until none left could enter the page: the hits are among them. A record's best possible rank is its
        weighted impact for the rarest term plus `others`, the other terms' bounds (per term, the best score a record
        not scored yet can have: one met in no list yet has each term at most at its lists' bound). The rarest
        term's lists are merged best first, so reading stops where the bound does."""
        if min(bounds) < 0:
            return sorted(found)[:need]
        others = sum(bound for t, bound in enumerate(bounds) if t != rarest)
        merge = _Merge(store, [_List(w, k, 0, (-(1 << 40), 0), batch=MAX_BATCH // 4) for w in expanded[rarest] for k in kinds])
        size, more = need, True
        while more:
            batch: list[tuple[int, int]] = []
            while len(batch) < size:
                popped = merge.pop()
                if popped is None or (len(found) >= need and found[need - 1] < (popped[0][0] - others, *popped[0][1:])):
                    more = False
                    break
                key = popped[0][1:]
                if key not in scored:
                    scored.add(key)
                    batch.append(key)
            score(batch)
            size = min(size * 2, MAX_BATCH)
        return sorted(found)[:need]

    rarest = min(range(len(expanded)), key=lambda t: sum(w.df for w in expanded[t]))
    rarest_df = sum(w.df for w in expanded[rarest])
    if rarest_df <= RARE_DRIVE:
        return drive(set(), [max(w.top // w.divisor for w in words) for words in expanded])
    # The threshold algorithm: the lists are read best first, merged (`_Merge`); the records met for the first
    # time are scored a batch at a time, and reading stops once no record not met could enter the page. When the
    # records scored so far and those the next batch may bring (a batch per term) reach 1/DRIVE_SHARE of the number
    # the rarest term's words are in, the records of the rarest term not scored yet are scored instead (`drive`),
    # the best possible first, and no other list is read: so a query scores at most about 1 + 1/DRIVE_SHARE times
    # as many records as its rarest term's words are in, and fewer as the lists read lower the other terms' bounds.
    terms = len(expanded)
    lists = [_List(w, k, t, (-(1 << 40), 0)) for t, words in enumerate(expanded) for w in words for k in kinds]
    merge = _Merge(store, lists)
    seen: set[tuple[int, int]] = set()
    size = need
    while True:
        if len(seen) + size * terms >= rarest_df // DRIVE_SHARE:
            return drive(seen, _bounds(lists, terms))
        batch: list[tuple[int, int]] = []
        exhausted = False
        while len(batch) < size:
            popped = merge.pop()
            if popped is None:
                exhausted = True
                break
            key = (popped[0][1], popped[0][2])
            if key not in seen:
                seen.add(key)
                batch.append(key)
        score(batch)
        if exhausted:
            break
        frontier = _frontier(lists, terms)
        if frontier is None:
            break  # a term has no postings left to read: every record not met lacks it
        if len(found) >= need and found[need - 1] < frontier:
            break
        size = min(size * 3 // 2, 4 * MAX_BATCH)
    return sorted(found)[:need]


class _Scorer:
    """A query's rank in a record, read from the record's packed words (api/store/search.py `pack_words`) as
    they are stored: each word is found by searching the bytes for its id, which is faster in Python than
    unpacking them."""

    def __init__(self, expanded: list[list[_Word]]) -> None:
        self.terms = [[(w.id.to_bytes(4, "little"), w.divisor) for w in words] for words in expanded]

    def total(self, blob: bytes) -> int | None:
        """The rank (the sum of each term's best weighted impact), or None when a term has no word here."""
        total = 0
        for words in self.terms:
            best = -1
            for pattern, divisor in words:
                at = blob.find(pattern)
                while at & 7 and at >= 0:  # an id starts every 8 bytes; elsewhere the bytes belong to a value
                    at = blob.find(pattern, at + 1)
                if at >= 0:
                    score = (int.from_bytes(blob[at + 4 : at + 8], "little") >> 8) * 2 // divisor
                    if score > best:
                        best = score
            if best < 0:
                return None
            total += best
        return total


# -- records and what a hit shows


def _member(store: Store, column: str, values: list[Any]) -> tuple[str, list[Any]]:
    """`column` is one of `values`, as SQL and its parameters. SQLite: `column IN (?, ...)`. PostgreSQL: `column =
    ANY(?)` with one array parameter, so that a statement has one text whatever the number of values: psycopg
    converts and PostgreSQL prepares it once per connection, where each length of an IN list was a statement of
    its own, converted anew (psycopg keeps no conversion of a statement past 4 KiB) and prepared again."""
    if store.sqlite:
        return f"{column} IN ({', '.join('?' for _ in values)})", values
    return f"{column} = ANY(?)", [values]


def _chunks(values: list[Any]) -> Iterable[list[Any]]:
    for at in range(0, len(values), _IN_CHUNK):
        yield values[at : at + _IN_CHUNK]


def _by_kind(store: Store, keys: Iterable[tuple[int, int]]) -> Iterator[tuple[str, list[Any]]]:
    """The records (kind code, label) as `search_doc` conditions with their parameters, at most _IN_CHUNK labels a
    statement: `(kind = ? AND label IN (...)) OR ...` (`_member`), one statement for every kind (a round trip, on PostgreSQL)."""
    by_kind: dict[int, list[int]] = {}
    for k, label in keys:
        by_kind.setdefault(k, []).append(label)
    chunk: list[tuple[int, list[int]]] = []
    room = _IN_CHUNK
    for k, labels in sorted(by_kind.items()):
        ordered = sorted(set(labels))
        while ordered:
            taken, ordered = ordered[:room], ordered[room:]
            chunk.append((k, taken))
            room -= len(taken)
            if room == 0:
                yield _kind_labels(store, chunk)
                chunk, room = [], _IN_CHUNK
    if chunk:
        yield _kind_labels(store, chunk)


def _kind_labels(store: Store, chunk: list[tuple[int, list[int]]]) -> tuple[str, list[Any]]:
    parts = [(k, _member(store, "label", labels)) for k, labels in chunk]
    where = " OR ".join(f"(kind = ? AND {member})" for _, (member, _) in parts)
    return where, [value for k, (_, params) in parts for value in (k, *params)]


def _load_docs(store: Store, keys: Iterable[tuple[int, int]], docs: dict[tuple[int, int], Doc]) -> None:
    """Read the index rows of the records (kind code, label) not in `docs` yet into it."""
    for where, params in _by_kind(store, (key for key in keys if key not in docs)):
        for k, label, ref_id, fields, words in store.all(f"SELECT kind, label, ref_id, fields, words FROM search_doc WHERE {where}", params):
            docs[(int(k), int(label))] = (str(ref_id), str(fields), PackedWords(words))


def _load_blobs(store: Store, keys: Iterable[tuple[int, int]]) -> Iterator[tuple[tuple[int, int], bytes]]:
    """The stored words (`search_doc.words`, packed) of the records (kind code, label)."""
    for where, params in _by_kind(store, keys):
        for k, label, words in store.all(f"SELECT kind, label, words FROM search_doc WHERE {where}", params):
            yield (int(k), int(label)), bytes(words)


def _render(store: Store, state: tuple[str, int], window: list[Key], docs: dict[tuple[int, int], Doc], expanded: list[list[_Word]],
            terms: list[str]) -> list[bytes]:
    """The page's items: each hit with its label, the field its best term matched in (the first term of the
    best score), that field's language and a snippet of it."""
    shown: list[tuple[Key, str, int]] = []  # (key, kind, field position)
    for key in window:
        ref_id, _, words = docs[(key[1], key[2])]
        scores = [_score(words, term_words) for term_words in expanded]
        best = max((s for s in scores if s is not None), key=lambda s: s[0])
        shown.append((key, ref_id, best[1]))
    wanted: dict[str, dict[str, set[int]]] = {}
    for (_, code, _), ref_id, position in shown:
        wanted.setdefault(KIND_NAMES[code], {}).setdefault(ref_id, set()).add(position)
    texts = _field_texts(store, state, wanted, {(KIND_NAMES[k], docs[(k, lab)][0]): docs[(k, lab)][1] for _, k, lab in window})
    items = []
    shown_terms = [word for term in terms for word in synonyms().of_term(term)]  # a synonym shows where it matched
    for (negated, code, _), ref_id, position in shown:
        kind = KIND_NAMES[code]
        title, fields = texts[(kind, ref_id)]
        name, lang, text = fields[position]
        items.append(orjson.dumps(
            {"kind": kind, "id": ref_id, "label": title, "field": name, "language": lang, "snippet": snippet(text, shown_terms),
             "score": -negated / RANK_SCALE},
        ))
    return items


@lru_cache(maxsize=4_096)
def _field_meta(fields: str) -> tuple[tuple[str, str], ...]:
    """search_doc.fields parsed: (field, language) per position."""
    return tuple((str(f), str(lang)) for f, lang in json.loads(fields))


# The label and field texts of recently shown records, by (kind, id), each with the record's version (revision,
# updated_at: any change to its text is a new revision, a rebuild a new updated_at) and the state of the database
# (`data_state`) in which that version was last seen. An entry is used as it is while the state has not moved; after
# a write, the versions of the records shown are read once (one statement per kind) and the entries still current
# are marked with the new state. A source's held text (a whole article) is not kept: it is read when a hit shows it.
# Bounded: emptied when it holds TEXTS_CACHED records.
TEXTS_CACHED = 4_096


@dataclass
class _Texts:
    label: str
    texts: list[str]
    version: tuple[int, str]
    state: tuple[str, int]


_texts_cache: dict[tuple[str, str], _Texts] = {}
_texts_lock = threading.Lock()


def _record_texts(kind: str, data: dict[str, Any], extra_names: list[tuple[str, str]]) -> tuple[str, list[str]]:
    """A record's label and the texts of its searchable fields, in api/store/records.py `search_fields`' order (for a
    source, its title only: its held text, the next field, is read apart)."""
    if kind == "actor":
        names = [(n["value"], n["language"]) for n in data["names"]]
        for name in extra_names:
            if name not in names:
                names.append(name)
        return data["name"], [value for value, _ in names] + [data["description"]]
    if kind == "claim":
        texts = [data["statement"]]
        for ev in data["evidence"]:
            texts.append(ev["quote"])
            if ev.get("translation"):
                texts.append(ev["translation"])
        return data["statement"], texts
    return data["title"], [data["title"]]


def _field_texts(store: Store, state: tuple[str, int], wanted: dict[str, dict[str, set[int]]],
                 fields_of: dict[tuple[str, str], str]) -> dict[tuple[str, str], tuple[str, dict[int, tuple[str, str, str]]]]:
    """(kind, id) -> (the record's label, {field position: (field, language, text)}) for the positions wanted, from
    the texts of recently shown records (`_Texts`) while they are current in `state`, else read from the records (as
    api/store/records.py `search_fields` lists them). `fields_of` gives each record's search_doc.fields."""
    out: dict[tuple[str, str], tuple[str, dict[int, tuple[str, str, str]]]] = {}
    for kind, positions in wanted.items():
        ids = sorted(positions)
        with _texts_lock:
            held = {ref_id: entry for ref_id in ids if (entry := _texts_cache.get((kind, ref_id))) is not None}
        found = {ref_id: entry for ref_id, entry in held.items() if entry.state == state}
        unsure = [ref_id for ref_id in held if ref_id not in found]
        for chunk in _chunks(unsure):
            where, params = _member(store, "id", chunk)
            for ref_id, revision, updated_at in store.all(f"SELECT id, revision, updated_at FROM {kind} WHERE {where}", params):
                entry = held[str(ref_id)]
                if entry.version == (int(revision), str(updated_at)):
                    entry.state = state
                    found[str(ref_id)] = entry
        missing = [ref_id for ref_id in ids if ref_id not in found]
        if missing:
            extra_names = _document_names(store, missing) if kind == "actor" else {}
            read: dict[tuple[str, str], _Texts] = {}
            for chunk in _chunks(missing):
                where, params = _member(store, "id", chunk)
                for ref_id, data, revision, updated_at in store.all(f"SELECT id, data, revision, updated_at FROM {kind} WHERE {where}", params):
                    label, texts = _record_texts(kind, json.loads(data), extra_names.get(str(ref_id), []))
                    entry = found[str(ref_id)] = _Texts(label, texts, (int(revision), str(updated_at)), state)
                    read[(kind, str(ref_id))] = entry
            with _texts_lock:
                if len(_texts_cache) + len(read) > TEXTS_CACHED:
                    _texts_cache.clear()
                _texts_cache.update(read)
        shown_text: dict[str, str] = {}
        if kind == "source":
            showing_text = [ref_id for ref_id in ids if max(positions[ref_id]) >= 1]
            for chunk in _chunks(showing_text):
                where, params = _member(store, "id", chunk)
                shown_text.update((str(ref_id), str(text)) for ref_id, text in store.all(
                    f"SELECT id, text FROM source WHERE {where} AND text IS NOT NULL", params))
        for ref_id in ids:
            entry = found[ref_id]
            texts = [*entry.texts, shown_text[ref_id]] if ref_id in shown_text else entry.texts
            meta = _field_meta(fields_of[(kind, ref_id)])
            out[(kind, ref_id)] = (entry.label, {p: (meta[p][0], meta[p][1], texts[p]) for p in positions[ref_id]})
    return out


def _document_names(store: Store, actor_ids: list[str]) -> dict[str, list[tuple[str, str]]]:
    names: dict[str, list[tuple[str, str]]] = {}
    for chunk in _chunks(actor_ids):
        where, params = _member(store, "actor_id", chunk)
        for actor_id, value, lang in store.all(f"SELECT actor_id, value, lang FROM document_name WHERE {where} ORDER BY file, position", params):
            names.setdefault(str(actor_id), []).append((str(value), str(lang)))
    return names


# -- a query as a filter of a list


def matching_ids_sql(store: Store, q: str, kind: SearchKind, param: str = "q") -> tuple[str, list[Any]]:
    """SQL (`?` placeholders) that selects the ids of the records of `kind` matching every term of `q` as search
    matches them (a word, a word's beginning, a synonym), with its parameters: for a list's `q` filter. The
    postings of each term's words are read whole (one primary-key range per word) and intersected, so its cost
    follows how many records hold the rarest terms' words. Raises InvalidParameter (422, naming `param`) when `q`
    has no searchable words; a term no record holds gives SQL that selects nothing."""
    terms = query_terms(q)
    if not terms:
        raise InvalidParameter(
            f"Query parameter '{param}': '{q}' has no searchable words.",
            errors=[{"loc": ["query", param], "msg": "no searchable words", "type": "value_error"}],
        )
    code = KIND_CODES[kind.value]
    selects: list[str] = []
    params: list[Any] = []
    for term in terms:
        ids = [w.id for w in _expand(store, term)]
        if not ids:
            return "SELECT ref_id FROM search_doc WHERE 1 = 0", []
        selects.append(f"SELECT label FROM search_posting WHERE word_id IN ({', '.join('?' for _ in ids)}) AND kind = ?")
        params += [*ids, code]
    return f"SELECT ref_id FROM search_doc WHERE kind = ? AND label IN ({' INTERSECT '.join(selects)})", [code, *params]
