"""Claims: lookups, filtered lists and the timeline."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass

from api.errors import InvalidParameter
from api.services.common import Page, Where, date_range, fetch_doc, keyset_page, live, require
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
    if f.language is not None:
        where.add("EXISTS (SELECT 1 FROM claim_language cl WHERE cl.claim_id = c.id AND (cl.language = ? OR cl.language LIKE ?))",
                  f.language, f"{f.language}-%")
    for column, value in (("predicate", f.predicate), ("modality", f.modality), ("polarity", f.polarity)):
        if value is not None:
            where.add(f"c.{column} = ?", value.value)
    date_range(where, "c.event_from", "c.event_to", f.date_from, f.date_to)
    live(where, "c", f.include_deleted)
    return where


def _scope(f: ClaimFilters, **extra: object) -> dict[str, object]:
    return {**{k: (v.value if hasattr(v, "value") else v) for k, v in asdict(f).items()}, **extra}


def list_claims(store: Store, *, filters: ClaimFilters, limit: int, cursor: str | None) -> Page:
    return keyset_page(
        store, source="claim c", payload="c.summary", order=["c.id"], where=_where(store, filters),
        limit=limit, cursor=cursor, scope=_scope(filters, view="claims"),
    )


def timeline(store: Store, *, filters: ClaimFilters, limit: int, cursor: str | None) -> Page:
    where = _where(store, filters)
    where.add("c.event_from IS NOT NULL")
    return keyset_page(
        store, source="claim c", payload="c.summary", order=["c.event_from", "c.event_to", "c.id"], where=where,
        limit=limit, cursor=cursor, scope=_scope(filters, view="timeline"),
    )


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
