"""How a curated record becomes rows: its own row's columns, its link rows and its search index entry.

Seeding and the write path both use these, so a record written through the API is stored exactly
as the same record loaded from data/.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from api.dataset.graph import Graph, claim_roles
from api.dataset.languages import ranges_of
from api.engine.detect import index_keys
from api.engine.propositions import facts_of
from api.engine.world import World, world_in
from api.store.bodies import pack, pack_summary
from api.store.render import Renderer, etag_of, event_range
from api.store.search import KIND_CODES, Indexed, indexed
from schemas.common import date_bounds
from schemas.dataset import ActorIn, ActorRoleIn, ClaimIn, ContradictionIn, CorroborationIn, SourceIn
from schemas.tables import (
    Actor,
    ActorReference,
    ClaimActor,
    ClaimKey,
    ClaimLanguage,
    ClaimProposition,
    ClaimReference,
    ClaimSource,
    Contradiction,
    ContradictionClaim,
    Corroboration,
    CorroborationClaim,
    RelationRule,
    Source,
    SourceCite,
    SourceLanguage,
    SourceReference,
    table_of,
)
from schemas.tables import Claim as ClaimRow

KINDS = ("actor", "source", "claim", "contradiction", "corroboration")
TABLE_OF: dict[str, Any] = {
    "actor": table_of(Actor), "source": table_of(Source), "claim": table_of(ClaimRow),
    "contradiction": table_of(Contradiction), "corroboration": table_of(Corroboration),
}
MODEL_OF: dict[str, type[BaseModel]] = {
    "actor": ActorIn, "source": SourceIn, "claim": ClaimIn, "contradiction": ContradictionIn, "corroboration": CorroborationIn,
}
LINK_TABLES: dict[str, list[tuple[Any, str]]] = {
    # (table, column naming the record) for the link rows derived from a record
    "actor": [(table_of(ActorReference), "actor_id")],
    "source": [(table_of(SourceCite), "source_id"), (table_of(SourceLanguage), "source_id"), (table_of(SourceReference), "source_id")],
    "claim": [(table_of(ClaimActor), "claim_id"), (table_of(ClaimSource), "claim_id"), (table_of(ClaimLanguage), "claim_id"),
              (table_of(ClaimKey), "claim_id"), (table_of(ClaimProposition), "claim_id"), (table_of(ClaimReference), "claim_id")],
    "contradiction": [(table_of(ContradictionClaim), "contradiction_id"), (table_of(RelationRule), "relation_id")],
    "corroboration": [(table_of(CorroborationClaim), "corroboration_id"), (table_of(RelationRule), "relation_id")],
}


def columns(kind: str, record: Any, graph: Graph, texts: dict[str, str] | None = None) -> dict[str, Any]:
    """The filterable columns of a record's row (without data, bookkeeping or rendered bodies)."""
    if kind == "actor":
        return {"id": record.id, "kind": record.kind.value, "unnamed": record.unnamed}
    if kind == "source":
        bounds = date_bounds(record.published.date) if record.published else None
        return {
            "id": record.id, "kind": record.kind.value, "language": record.language, "publisher_id": record.publisher,
            "published_from": bounds[0].isoformat() if bounds else None,
            "published_to": bounds[1].isoformat() if bounds else None,
            "text": (texts or {}).get(record.id, graph.texts.get(record.id)),
        }
    if kind == "claim":
        first, last = event_range(record)
        published_from, published_to = published_range(record, graph)
        return {
            "id": record.id, "predicate": record.predicate.value, "polarity": record.polarity.value,
            "modality": record.modality.value, "event_from": first, "event_to": last,
            "published_from": published_from, "published_to": published_to,
            # The timeline places a claim with no event time by its publication (api/services/claims.py).
            "placed_from": first if first is not None else published_from,
            "placed_to": last if first is not None else published_to,
        }
    if kind == "contradiction":
        return {"id": record.id, "kind": record.kind.value, "status": record.status.value, "origin": record.origin}
    return {
        "id": record.id, "kind": record.kind.value, "status": record.status.value, "origin": record.origin,
        "independent": graph.shared_origins(record.claims).independent,
    }


def published_range(claim: ClaimIn, graph: Graph) -> tuple[str | None, str | None]:
    """When the claim was first published, as ISO days: the first and last day of the earliest publication date
    of the documents its evidence quotes. The last day is the conservative one: a document dated only `2023`
    surely existed by 2023-12-31, and a claim is shown `as_of` a date from then on. (None, None) when none of
    the documents is dated."""
    spans = [date_bounds(s.published.date) for s in (graph.sources.get(ev.source) for ev in claim.evidence) if s and s.published]
    if not spans:
        return None, None
    return min(lo for lo, _ in spans).isoformat(), min(hi for _, hi in spans).isoformat()


def links(kind: str, record: Any, graph: Graph, world: World | None = None) -> list[tuple[Any, list[dict[str, Any]]]]:
    """(table, rows) of the link rows a record implies, its reference rows (schemas/tables.py, "Reference tables") among them.
    `world`: the engine's view of `graph` when the caller keeps one (a build does, for every claim)."""
    if kind == "actor":
        return [(table_of(ActorReference), [{"actor_id": record.id, "field": f, "target_id": t} for f, t in actor_references(record)])]
    if kind == "source":
        return [(table_of(SourceCite), [{"source_id": record.id, "cited_id": c} for c in dict.fromkeys(record.cites)]),
                (table_of(SourceLanguage), [{"source_id": record.id, "language": r} for r in ranges_of([record.language])]),
                (table_of(SourceReference), [{"source_id": record.id, "field": f, "target_id": t} for f, t in source_references(record)])]
    if kind == "claim":
        return [
            (table_of(ClaimReference), [{"claim_id": record.id, "field": f, "target_id": t} for f, t in claim_references(record)]),
            (table_of(ClaimActor), [{"claim_id": record.id, "role": r.value, "actor_id": a} for r, a in claim_roles(record)]),
            (table_of(ClaimSource), [{"claim_id": record.id, "source_id": s} for s in sorted(graph.claim_links(record))]),
            (table_of(ClaimLanguage), [
                {"claim_id": record.id, "language": r} for r in ranges_of(graph.anchor(ev).language for ev in record.evidence)
            ]),
            (table_of(ClaimKey), [{"claim_id": record.id, "key": key} for key in claim_keys(record, graph, world)]),
            (table_of(ClaimProposition), [
                {"claim_id": record.id, "proposition_id": p} for p in [graph.proposition_of(record.id)] if p is not None
            ]),
        ]
    if kind not in ("contradiction", "corroboration"):
        return []
    rules = [{"relation": kind, "relation_id": record.id, "rule": r} for r in sorted({*record.detected_by} | (
        {record.origin} if record.origin != "curated" else set()))]
    if kind == "contradiction":
        return [(table_of(ContradictionClaim), [
            {"contradiction_id": record.id, "claim_id": m.claim, "side": m.side.value} for m in record.claims
        ]), (table_of(RelationRule), rules)]
    if kind == "corroboration":
        return [(table_of(CorroborationClaim), [{"corroboration_id": record.id, "claim_id": c} for c in record.claims]),
                (table_of(RelationRule), rules)]
    return []


def actor_references(actor: ActorIn) -> list[tuple[str, str]]:
    """(field, actor id) of the actors an actor refers to: `speaks_for`, `members`; without repeats."""
    refs = [("speaks_for", actor.speaks_for)] if actor.speaks_for else []
    return list(dict.fromkeys(refs + [("members", m) for m in actor.members]))


def source_references(source: SourceIn) -> list[tuple[str, str]]:
    """(field, id) of what a source refers to: actors (`publisher`, `authors`), sources (`cites`, `part_of`); without repeats."""
    refs = [("publisher", source.publisher)] if source.publisher else []
    refs += [("authors", a) for a in source.authors] + [("cites", c) for c in source.cites]
    refs += [("part_of", source.part_of)] if source.part_of else []
    return list(dict.fromkeys(refs))


def claim_references(claim: ClaimIn) -> list[tuple[str, str]]:
    """(field, source id) of the sources a claim's evidence refers to: `evidence.source`, `evidence.attributed_to`;
    without repeats. (Its actors are its `claim_actor` rows.)"""
    refs = [("evidence.source", ev.source) for ev in claim.evidence]
    refs += [("evidence.attributed_to", ev.attributed_to) for ev in claim.evidence if ev.attributed_to]
    return list(dict.fromkeys(refs))


def role_references(file: str, position: int, role: ActorRoleIn) -> list[dict[str, Any]]:
    """The `role_reference` rows of the role at `file`, `position`: its `of` and the documents its evidence quotes."""
    refs = [("of", role.of)] if role.of else []
    refs += [("evidence.source", ev.source) for ev in role.evidence]
    return [{"file": file, "position": position, "field": f, "target_id": t} for f, t in dict.fromkeys(refs)]


def claim_keys(claim: ClaimIn, graph: Graph, world: World | None = None) -> list[str]:
    """The keys the engine finds a claim's partners under (proposition, pair, outcome, direct speaker); `world` is
    `graph`'s, built here when not given."""
    world = world or world_in(graph)
    return index_keys(facts_of(claim, world), world)


def search_fields(kind: str, record: Any, graph: Graph) -> list[tuple[str, str, str]]:
    """The searchable fields of a record, in order: (field, language, text). api/services/search.py finds a
    field's text again by its position in this order (from the record's JSON), so the two change together."""
    fields: list[tuple[str, str, str]] = []
    if kind == "actor":
        fields += [("name", lang, value) for value, lang in graph.names_of(record.id)]
        fields.append(("description", "en", record.description))
    elif kind == "claim":
        fields.append(("statement", "en", record.statement))
        for ev in record.evidence:
            fields.append(("quote", ev.language or graph.sources[ev.source].language, ev.quote))
            if ev.translation:
                fields.append(("translation", "en", ev.translation))
    elif kind == "source":
        fields.append(("title", "en", record.title))
        text = graph.texts.get(record.id)
        if text is not None:
            fields.append(("text", record.language, text))
    return fields


def search_rows(kind: str, record: Any, graph: Graph) -> Indexed | None:
    """What the search index holds for a record (api/store/search.py), None for kinds that are not searched."""
    return indexed(search_fields(kind, record, graph)) if kind in KIND_CODES else None


def rendered(kind: str, item_id: str, renderer: Renderer, revision: int) -> dict[str, Any]:
    """The rendered columns of a record as stored (api/store/bodies.py): body (`pack`: a gzip member of its JSON),
    summary where it has one (`pack_summary`), and the ETag of the body's JSON."""
    if kind == "actor":
        body, summary = renderer.actor(item_id)
    elif kind == "source":
        body, summary = renderer.source(item_id)
    elif kind == "claim":
        body, summary = renderer.claim(item_id)
    elif kind == "contradiction":
        return {"body": pack(b := renderer.contradiction(item_id)), "etag": etag_of(revision, b)}
    else:
        return {"body": pack(b := renderer.corroboration(item_id)), "etag": etag_of(revision, b)}
    return {"body": pack(body), "summary": pack_summary(summary), "etag": etag_of(revision, body)}

