"""Claims: lookups, filtered lists and the timeline."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass

from api.dataset.languages import range_key
from api.errors import InvalidParameter
from api.services.common import Page, Where, date_range, fetch_doc, keyset_page, live, published_by, require
from api.store.db import Store
from schemas.vocab import ClaimRole, Modality, Polarity, Predicate


@dataclass(frozen=True)
class ClaimFilters:
    actor: str | None = None
    role: ClaimRole | None = None
    source: str | None = None
    language: str | None = None
    predicate: Predicate | None = None
    modality: Modality | None = None
    polarity: Polarity | None = None
    date_from: str | None = None
    date_to: str | None = None
    as_of: str | None = None
    include_deleted: bool = False


def get(store: Store, *, claim_id: str, include_deleted: bool = False) -> tuple[bytes, str]:
    return fetch_doc(store, "claim", claim_id, "Claim", include_deleted=include_deleted)


def _where(store: Store, f: ClaimFilters) -> Where:
    require(store, "actor", f.actor, "actor", "Actor")
    require(store, "source", f.source, "source", "Source")
    where = Where()
    if f.role is not None and f.actor is None:
        raise InvalidParameter(
            "Query parameter 'role' filters by the role of an actor: give 'actor' too.",
            errors=[{"loc": ["query", "role"], "msg": "role needs actor", "type": "missing_dependency"}],
        )
    if f.actor is not None:
        if f.role is not None:
            where.add("EXISTS (SELECT 1 FROM claim_actor ca WHERE ca.claim_id = c.id AND ca.actor_id = ? AND ca.role = ?)",
                      f.actor, f.role.value)
        else:
            where.add("EXISTS (SELECT 1 FROM claim_actor ca WHERE ca.claim_id = c.id AND ca.actor_id = ?)", f.actor)
    if f.source is not None:
        where.add("EXISTS (SELECT 1 FROM claim_source cs WHERE cs.claim_id = c.id AND cs.source_id = ?)", f.source)
    if f.language is not None and (key := range_key(f.language)) is not None:
        where.add("EXISTS (SELECT 1 FROM claim_language cl WHERE cl.claim_id = c.id AND cl.language = ?)", key)
    for column, value in (("predicate", f.predicate), ("modality", f.modality), ("polarity", f.polarity)):
        if value is not None:
            where.add(f"c.{column} = ?", value.value)
    date_range(where, "c.event_from", "c.event_to", f.date_from, f.date_to)
    published_by(where, "c", f.as_of)
    live(where, "c", f.include_deleted)
    return where


def _scope(f: ClaimFilters, **extra: object) -> dict[str, object]:
    return {**{k: (v.value if hasattr(v, "value") else v) for k, v in asdict(f).items()}, **extra}


def _as_of(store: Store, page: Page, as_of: str | None) -> Page:
    """Under `as_of`, a claim lists only the contradictions and corroborations known by then: those all of whose
    claims had been published. The summaries are rendered for today, so the later ones are taken out here."""
    if as_of is None or not page.items:
        return page
    views = [json.loads(item) for item in page.items]
    hidden: set[str] = set()
    for link, fk, field in (("contradiction_claim", "contradiction_id", "contradiction_ids"),
                            ("corroboration_claim", "corroboration_id", "corroboration_ids")):
        ids = sorted({x for view in views for x in view[field]})
        if ids:
            hidden |= {row[0] for row in store.all(
                f"SELECT DISTINCT l.{fk} FROM {link} l JOIN claim c ON c.id = l.claim_id WHERE l.{fk} IN ({', '.join('?' * len(ids))})"
                " AND (c.published_to IS NULL OR c.published_to > ?)", [*ids, as_of])}
    if not hidden:
        return page
    items = []
    for item, view in zip(page.items, views, strict=True):
        if hidden & {*view["contradiction_ids"], *view["corroboration_ids"]}:
            for field in ("contradiction_ids", "corroboration_ids"):
                view[field] = [x for x in view[field] if x not in hidden]
            item = json.dumps(view, ensure_ascii=False, separators=(",", ":")).encode()
        items.append(item)
    return Page(items=items, next_cursor=page.next_cursor)


def list_claims(store: Store, *, filters: ClaimFilters, limit: int, cursor: str | None) -> Page:
    page = keyset_page(
        store, source="claim c", payload="c.summary", order=["c.id"], where=_where(store, filters),
        limit=limit, cursor=cursor, scope=_scope(filters, view="claims"),
    )
    return _as_of(store, page, filters.as_of)


def timeline(store: Store, *, filters: ClaimFilters, limit: int, cursor: str | None) -> Page:
    where = _where(store, filters)
    where.add("c.event_from IS NOT NULL")
    page = keyset_page(
        store, source="claim c", payload="c.summary", order=["c.event_from", "c.event_to", "c.id"], where=where,
        limit=limit, cursor=cursor, scope=_scope(filters, view="timeline"),
    )
    return _as_of(store, page, filters.as_of)


def export_etag(store: Store) -> str:
    """A strong ETag for the whole export: it names the dataset the database was built from and the last change
    applied since (the change feed's `seq`), so it changes whenever any claim's view can have changed."""
    row = store.one("SELECT (SELECT value FROM meta WHERE key = 'fingerprint'), (SELECT max(seq) FROM revision)")
    state = f"{row[0] if row else ''}:{row[1] if row else 0}"
    return '"export-' + hashlib.blake2b(state.encode(), digest_size=12).hexdigest() + '"'


def export_lines(store: Store, batch: int = 200) -> Iterator[bytes]:
    """Every live claim's full view, a line each, read in keyset batches so memory stays flat."""
    after = ""
    while True:
        rows = store.all("SELECT id, body FROM claim WHERE deleted_at IS NULL AND id > ? ORDER BY id LIMIT ?", (after, batch))
        for row in rows:
            yield bytes(row[1]) + b"\n"
        if len(rows) < batch:
            return
        after = rows[-1][0]
