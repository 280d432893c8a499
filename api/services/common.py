"""Query building blocks shared by the read services, and the cursors their pages hand out."""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from weakref import WeakKeyDictionary

from itsdangerous import BadData, BadSignature, URLSafeSerializer

from api.dataset.checks import did_you_mean_among
from api.errors import BadRequest, Gone, InvalidParameter, NotFound
from api.store.db import Store
from api.store.nearby import nearby_ids
from schemas.common import date_bounds
from schemas.tables import span_level


@dataclass
class Page:
    """A page of a list: its items as JSON (or as stored, compressed: api/store/bodies.py), the cursor of the next
    page, and optionally `tags`, one per item, shorter bytes that determine each item (its stored summary and what
    was added to it), for the page's ETag to digest instead of the items (api/http/responses.py page_etag)."""

    items: list[bytes]
    next_cursor: str | None
    tags: list[bytes] | None = None


INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


@dataclass(frozen=True)
class KeyPart:
    """What one value of a cursor's key must be, checked before it reaches SQL.

    `kind` is its JSON type: `int` a signed 64-bit integer, `str` a string of at most `max_length`
    characters (matching `pattern`, or one of `choices`, when given), `float` a finite number; `nullable`
    lets it be null too. `what` says it in words, for the 400 problem.
    """

    kind: type[int] | type[str] | type[float]
    what: str
    nullable: bool = False
    max_length: int = 256
    pattern: re.Pattern[str] | None = None
    choices: frozenset[str] = frozenset()

    def accepts(self, value: object) -> bool:
        if value is None:
            return self.nullable
        if self.kind is int:
            return type(value) is int and INT64_MIN <= value <= INT64_MAX
        if self.kind is float:
            return type(value) in (int, float) and math.isfinite(value)  # type: ignore[arg-type]
        return (
            isinstance(value, str) and len(value) <= self.max_length
            and (self.pattern is None or self.pattern.fullmatch(value) is not None)
            and (not self.choices or value in self.choices)
        )


TEXT = KeyPart(str, "a string of at most 256 characters")
DAY = KeyPart(str, "an ISO date (YYYY-MM-DD)", pattern=re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}"))
INT64 = KeyPart(int, "an integer from -2**63 to 2**63-1")
# The key each order column of keyset_page takes, by column name (without its table alias).
ORDER_KEYS: dict[str, KeyPart] = {"id": TEXT, "event_from": DAY, "event_to": DAY, "seq": INT64}


def _json_kind(value: object) -> str:
    """A JSON value in words, for the 400 problem: short strings as themselves, anything else by its type."""
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, int):
        return "an integer" if INT64_MIN <= value <= INT64_MAX else "an integer beyond 64 bits"
    if isinstance(value, float):
        return "a number" if math.isfinite(value) else "a non-finite number"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False) if len(value) <= 40 else f"a string of {len(value)} characters"
    return "an array" if isinstance(value, list) else "an object"


class CursorSigner:
    """Signs cursors, and checks them, with one secret: HMAC-SHA256 over URL-safe base64 of compact JSON (itsdangerous)."""

    SALT = "claims-api.cursor"

    def __init__(self, secret: str) -> None:
        self._serializer = URLSafeSerializer(secret, salt=self.SALT, signer_kwargs={"digest_method": hashlib.sha256})

    def dumps(self, payload: object) -> str:
        return self._serializer.dumps(payload)

    def loads(self, cursor: str) -> Any:
        """The payload; raises itsdangerous.BadSignature for a cursor not signed with this secret, or not in the exact
        form `dumps` gives its payload, BadPayload for a signed one that does not decode. base64 decoding forgives
        padding and the unused low bits of a last character, so `loads` alone accepted `<cursor>=` and a cursor whose
        last character was changed to one of three others; only the bytes the server issued are accepted now."""
        payload = self._serializer.loads(cursor)
        if self._serializer.dumps(payload) != cursor:
            raise BadSignature("not the form in which this server issues its cursors")
        return payload


_signers: WeakKeyDictionary[Store, CursorSigner] = WeakKeyDictionary()


def use_cursor_secret(store: Store, secret: str) -> None:
    """Sign and check the cursors of the lists read through `store` with this secret (done once, at start-up)."""
    _signers[store] = CursorSigner(secret)


def _signer(store: Store) -> CursorSigner:
    signer = _signers.get(store)
    if signer is None:
        raise RuntimeError("no cursor secret for this store: call use_cursor_secret() at start-up")
    return signer


class Cursor:
    """An opaque position in a list: the sort key of the last item served, bound to its query, signed.

    A cursor is `<payload>.<signature>` in URL-safe base64: the payload is `{"k": key, "s": scope}` (JSON,
    zlib-compressed when that is shorter), the signature an HMAC-SHA256 of it with the server's secret
    (CLAIMS_CURSOR_SECRET, else the one kept in the database). `decode` raises BadRequest (400
    /problems/bad-request) for a cursor this server did not sign, one issued for another query (other
    filters, another list), and one whose key does not have the types its list's order expects, so no
    value a client makes up reaches SQL.
    """

    @staticmethod
    def scope(params: Mapping[str, Any]) -> str:
        canonical = json.dumps({k: v for k, v in sorted(params.items()) if v is not None}, default=str)
        return hashlib.blake2b(canonical.encode(), digest_size=6).hexdigest()

    @staticmethod
    def encode(store: Store, key: Sequence[Any], scope: str) -> str:
        return _signer(store).dumps({"k": list(key), "s": scope})

    @staticmethod
    def decode(store: Store, cursor: str | None, scope: str, parts: Sequence[KeyPart]) -> list[Any] | None:
        """The key of a cursor issued by `encode` for this scope, each value checked against its part."""
        if cursor is None:
            return None
        try:
            data = _signer(store).loads(cursor)
        except BadSignature:
            raise _bad_cursor(cursor, "this server did not issue it (its signature does not match)") from None
        except BadData:
            raise _bad_cursor(cursor, "it does not decode") from None
        key = data.get("k") if isinstance(data, dict) else None
        if not isinstance(key, list) or not isinstance(data.get("s"), str):
            raise _bad_cursor(cursor, "it does not decode")
        if data["s"] != scope:
            raise _bad_cursor(cursor, "it was issued for another query (other filters, or another list)")
        if len(key) != len(parts):
            raise _bad_cursor(cursor, f"its key has {len(key)} values where this list's order has {len(parts)}")
        for i, (value, part) in enumerate(zip(key, parts, strict=True), start=1):
            if not part.accepts(value):
                raise _bad_cursor(cursor, f"value {i} of its key must be {part.what}{' or null' if part.nullable else ''}, not {_json_kind(value)}")
        return key


def _bad_cursor(cursor: str, reason: str) -> BadRequest:
    shown = cursor if len(cursor) <= 80 else cursor[:80] + "…"
    return BadRequest(
        f"The cursor '{shown}' is not valid for this query: {reason}. Pass back next_cursor unchanged,"
        " with the filters it was issued for."
    )


@dataclass
class Where:
    """SQL conditions and their parameters, built up filter by filter."""

    clauses: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)

    def add(self, clause: str, *params: Any) -> None:
        self.clauses.append(clause)
        self.params.extend(params)

    def sql(self) -> str:
        return " AND ".join(self.clauses) if self.clauses else "1=1"


def _gone(what: str, table: str, item_id: str, revision: int) -> Gone:
    return Gone(
        f"{what} '{item_id}' was deleted (revision {revision}); its history, its last state included, is at"
        f" /v1/{table}s/{item_id}/revisions, and /v1/{table}s?include_deleted=true lists it."
    )


def data_state(store: Store) -> tuple[str, int]:
    """The state of the whole database, as one statement reads it: the fingerprint of the dataset it was built from
    and the `seq` of the last change applied since (0 when none). Every write adds a change (api/store/revisions.py)
    and every build a new fingerprint, so anything computed from the database after reading this holds as long as
    this does not move."""
    row = store.one("SELECT (SELECT value FROM meta WHERE key = 'fingerprint'), (SELECT max(seq) FROM revision)")
    return (str(row[0] or "") if row else "", int(row[1] or 0) if row else 0)


def fetch_doc(store: Store, table: str, item_id: str, what: str, *, include_deleted: bool = False) -> tuple[bytes, str]:
    row = store.one(f"SELECT body, etag, deleted_at, revision FROM {table} WHERE id = ?", (item_id,))
    if row is None:
        raise NotFound(f"{what} '{item_id}' does not exist.")
    if row[2] is not None and not include_deleted:
        raise _gone(what, table, item_id, row[3])
    return bytes(row[0]), row[1]


def require(store: Store, table: str, item_id: str | None, param: str, what: str) -> None:
    """A filter that names an unknown id is an error, not an empty result."""
    if item_id is not None and store.one(f"SELECT 1 FROM {table} WHERE id = ? AND deleted_at IS NULL", (item_id,)) is None:
        candidates = nearby_ids(store.all, table, item_id)
        hint = did_you_mean_among(item_id, candidates)
        raise InvalidParameter(
            f"Query parameter '{param}': {what} '{item_id}' does not exist{hint or '.'}",
            errors=[{"loc": ["query", param], "msg": f"unknown {what.lower()} '{item_id}'{hint}", "type": "unknown_reference"}],
        )


def exists_or_404(store: Store, table: str, item_id: str, what: str) -> None:
    row = store.one(f"SELECT deleted_at, revision FROM {table} WHERE id = ?", (item_id,))
    if row is None:
        raise NotFound(f"{what} '{item_id}' does not exist.")
    if row[0] is not None:
        raise _gone(what, table, item_id, row[1])


def live(where: Where, alias: str, include_deleted: bool, through_links: Mapping[str, object] | None = None) -> None:
    """Hide tombstones unless asked for; `through_links` as `refuse_tombstones_through`."""
    refuse_tombstones_through(include_deleted, through_links or {})
    if not include_deleted:
        where.add(f"{alias}.deleted_at IS NULL")


def refuse_tombstones_through(include_deleted: bool, through_links: Mapping[str, object]) -> None:
    """A deletion removes a record's link rows (its actors, sources, languages, citations, members, rules) and its
    search index entries with it, so the filters matched through them (`through_links`: parameter name -> value,
    None when not given) cannot find a tombstone. Asked for together with `include_deleted=true`, they would
    answer the live records alone as if complete: InvalidParameter (422) at `include_deleted` instead."""
    given = [name for name, value in through_links.items() if value is not None]
    if include_deleted and given:
        named = ", ".join(f"'{name}'" for name in given)
        raise InvalidParameter(
            f"Query parameter 'include_deleted': deleted records cannot be listed by {named}, which match a record through"
            " the links (or search index entries) that a deletion removes with it. Filter tombstones by the record's own"
            " fields, or leave out include_deleted.",
            errors=[{"loc": ["query", "include_deleted"], "msg": f"cannot be combined with {', '.join(given)}", "type": "value_error"}],
        )


def date_span(date_from: str | None, date_to: str | None) -> tuple[str | None, str | None]:
    """The first day of `date_from` and the last of `date_to` (both partial dates), as ISO days."""
    if date_from is not None and date_to is not None and date_bounds(date_to)[1] < date_bounds(date_from)[0]:
        raise InvalidParameter(
            f"date_to '{date_to}' is before date_from '{date_from}'.",
            errors=[{"loc": ["query", "date_to"], "msg": "before date_from", "type": "value_error"}],
        )
    return (None if date_from is None else date_bounds(date_from)[0].isoformat(),
            None if date_to is None else date_bounds(date_to)[1].isoformat())


def date_range(where: Where, lo_col: str, hi_col: str, date_from: str | None, date_to: str | None) -> None:
    """Keep rows whose [lo, hi] date range overlaps the requested one (both partial dates)."""
    first, last = date_span(date_from, date_to)
    if first is not None:
        where.add(f"{hi_col} >= ?", first)
    if last is not None:
        where.add(f"{lo_col} <= ?", last)


SPAN_LEVELS = (10, 7, 4, 3, 2, 0)
"""How much of their ISO dates a range's two ends share (schemas.tables.span_level): 10 (one day), 7 (one month),
4 (one year), 3 (one decade), 2 (one century), 0 (more)."""


def overlap_arms(
    lo: str, hi: str, first: str | None, last: str | None, *, after: tuple[Sequence[str], Sequence[Any]] | None = None,
) -> list[tuple[str, list[Any]]]:
    """SQL conditions, one per index range, whose union is the rows whose [lo, hi] overlaps [first, last] (ISO days).

    Overlap is `hi >= first AND lo <= last`, which no single B-tree range bounds: a range that starts long before
    `first` may still reach it. A range of span level p shares its first p characters with its end, so if it
    reaches `first` it starts at or after `first[:p]`: one range `level = p AND lo BETWEEN first[:p] AND last` per
    level, each read in (lo, hi, ...) order on the span-level index, reads the overlapping rows and few others (the
    level's rows that start in that stretch and end before `first`). Without `first`, one range: `lo <= last`.

    `after` = (order columns starting with lo, the key of the last row served) resumes each range after that key
    (keyset paging in (lo, hi, id) order), folded into its lower bound so the index seeks straight to it.
    """
    if first is None:
        clauses, params = ([f"{lo} <= ?"], [last]) if last is not None else ([f"{lo} IS NOT NULL"], [])
        if after is not None:
            clauses.append(f"({', '.join(after[0])}) > ({', '.join('?' * len(after[1]))})")
            params += list(after[1])
        return [(" AND ".join(clauses), params)]
    arms = []
    level = span_level(lo, hi)
    for p in SPAN_LEVELS:
        bound = first[:p]
        clauses, params = [f"{level} = {p}"], []
        if after is not None and after[1][0] >= bound:
            clauses.append(f"({', '.join(after[0])}) > ({', '.join('?' * len(after[1]))})")
            params += list(after[1])
        else:
            clauses.append(f"{lo} >= ?")
            params.append(bound)
        if last is not None:
            clauses.append(f"{lo} <= ?")
            params.append(last)
        clauses.append(f"{hi} >= ?")
        params.append(first)
        arms.append((" AND ".join(clauses), params))
    return arms


def published_by(where: Where, alias: str, as_of: str | None) -> None:
    """Keep the claims published by a date (`as_of`): from the last day of their earliest document's date."""
    if as_of is not None:
        where.add(f"{alias}.published_to IS NOT NULL AND {alias}.published_to <= ?", as_of)


def members_published_by(where: Where, link: str, fk: str, alias: str, as_of: str | None) -> None:
    """Keep the contradictions or corroborations all of whose claims were published by a date."""
    if as_of is not None:
        where.add(f"NOT EXISTS (SELECT 1 FROM {link} lp JOIN claim cp ON cp.id = lp.claim_id WHERE lp.{fk} = {alias}.id"
                  " AND (cp.published_to IS NULL OR cp.published_to > ?))", as_of)


LINK_CAP = 1000
"""A link filter with fewer rows than this drives its page (see link_filters), unless the list says otherwise."""


@dataclass(frozen=True)
class LinkFilter:
    """A filter kept through a link table: `ids`, the SQL of the ids it keeps (one index range, e.g. `SELECT
    source_id FROM source_cite WHERE cited_id = ?`), and `exists`, the same as a per-row condition on the list's
    row (its primary key reached from the row, e.g. `EXISTS (SELECT 1 FROM source_cite x WHERE x.source_id = s.id
    AND x.cited_id = ?)`), with their parameters (`exists_params`, when they differ from those of `ids`)."""

    ids: str
    exists: str
    params: tuple[Any, ...]
    exists_params: tuple[Any, ...] | None = None


def link_filters(store: Store, where: Where, column: str, filters: Sequence[LinkFilter], cap: int = LINK_CAP) -> None:
    """Add link filters to `where` on an id-ordered list whose key is `column`.

    The rarest (its ids counted in its index, up to `cap`) drives when it has fewer than `cap`: `column IN
    (ids)`, whose ids are read, sorted and looked up in order (a claim's few relations, a source cited once, the
    sources in Arabic). The others, and a common one, are checked per row by primary key while the list runs in
    its own order (about `limit` / the share of rows they keep).
    """
    if not filters:
        return
    counts = []
    limit = cap
    for f in filters:
        row = store.one(f"SELECT count(*) FROM ({f.ids} LIMIT ?) n", [*f.params, limit])
        counts.append(row[0] if row else 0)
        limit = min(limit, counts[-1])
    best = min(range(len(filters)), key=lambda i: (counts[i], i))
    for i, f in enumerate(filters):
        if i == best and counts[i] < cap:
            where.add(f"{column} IN ({f.ids})", *f.params)
        else:
            where.add(f.exists, *(f.params if f.exists_params is None else f.exists_params))


def keyset_page(
    store: Store,
    *,
    source: str,
    payload: str,
    order: Sequence[str],
    where: Where,
    limit: int,
    cursor: str | None,
    scope: dict[str, Any],
) -> Page:
    """One page in `order`, resuming after the cursor's key: no offsets, stable under inserts and deletes.

    The cursor is bound to `scope` (the filters) and to `source` (the list), and each value of its key is
    checked against ORDER_KEYS for its column; BadRequest (400) otherwise (see Cursor).
    """
    scope_id = Cursor.scope({**scope, "@list": source})
    key = Cursor.decode(store, cursor, scope_id, [ORDER_KEYS[column.rsplit(".", 1)[-1]] for column in order])
    clauses = Where(list(where.clauses), list(where.params))
    if key is not None:
        clauses.add(f"({', '.join(order)}) > ({', '.join('?' * len(order))})", *key)
    cols = ", ".join(order)
    sql = f"SELECT {payload}, {cols} FROM {source} WHERE {clauses.sql()} ORDER BY {cols} LIMIT ?"
    rows = store.all(sql, [*clauses.params, limit + 1])
    next_cursor = Cursor.encode(store, rows[limit - 1][1:], scope_id) if len(rows) > limit else None
    return Page(items=[r[0] for r in rows[:limit]], next_cursor=next_cursor)
