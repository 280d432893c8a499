"""Contradictions and corroborations."""

from __future__ import annotations

from api.engine.rules import RULES_BY_NAME
from api.errors import InvalidParameter
from api.services.common import LinkFilter, Page, Where, fetch_doc, keyset_page, link_filters, live, members_published_by, require
from api.store.db import Store
from schemas.vocab import ContradictionKind, ContradictionStatus, CorroborationKind, CorroborationStatus


def _links(relation: str, rule: str | None, claim: str | None, actor: str | None) -> list[LinkFilter]:
    """The link filters of a relation list (common.link_filters): by rule (relation_rule), by claim (the link
    table) and by actor (its claims, then their links; the link rows of the relation first when checked per row,
    so that a common actor's claims are not read for each relation). A name that is no rule is an error, not
    an empty list."""
    link, fk = f"{relation}_claim", f"{relation}_id"
    out = []
    if rule is not None:
        if rule not in RULES_BY_NAME:
            names = ", ".join(sorted(RULES_BY_NAME))
            raise InvalidParameter(
                f"Query parameter 'rule': '{rule}' is not a detection rule. The rules are: {names}.",
                errors=[{"loc": ["query", "rule"], "msg": f"not a detection rule; one of: {names}", "type": "unknown_rule"}],
            )
        out.append(LinkFilter(
            "SELECT r.relation_id FROM relation_rule r WHERE r.relation = ? AND r.rule = ?",
            "EXISTS (SELECT 1 FROM relation_rule r WHERE r.relation = ? AND r.relation_id = t.id AND r.rule = ?)",
            (relation, rule)))
    if claim is not None:
        out.append(LinkFilter(f"SELECT l.{fk} FROM {link} l WHERE l.claim_id = ?",
                              f"EXISTS (SELECT 1 FROM {link} l WHERE l.{fk} = t.id AND l.claim_id = ?)", (claim,)))
    if actor is not None:
        out.append(LinkFilter(
            f"SELECT l.{fk} FROM claim_actor ca CROSS JOIN {link} l WHERE ca.actor_id = ? AND l.claim_id = ca.claim_id",
            f"EXISTS (SELECT 1 FROM {link} l CROSS JOIN claim_actor ca WHERE l.{fk} = t.id AND ca.claim_id = l.claim_id"
            " AND ca.actor_id = ?)", (actor,)))
    return out


def get(store: Store, *, contradiction_id: str, include_deleted: bool = False) -> tuple[bytes, str]:
    return fetch_doc(store, "contradiction", contradiction_id, "Contradiction", include_deleted=include_deleted)


def list_contradictions(
    store: Store, *, kind: ContradictionKind | None, status: ContradictionStatus | None, origin: str | None, rule: str | None,
    claim: str | None, actor: str | None, as_of: str | None, include_deleted: bool, limit: int, cursor: str | None,
) -> Page:
    require(store, "claim", claim, "claim", "Claim")
    require(store, "actor", actor, "actor", "Actor")
    where = Where()
    live(where, "t", include_deleted, {"rule": rule, "claim": claim, "actor": actor, "as_of": as_of})
    if kind is not None:
        where.add("t.kind = ?", kind.value)
    if status is not None:
        where.add("t.status = ?", status.value)
    if origin is not None:
        where.add("t.origin = ?", origin)
    link_filters(store, where, "t.id", _links("contradiction", rule, claim, actor))
    members_published_by(where, "contradiction_claim", "contradiction_id", "t", as_of)
    return keyset_page(
        store, source="contradiction t", payload="t.body", order=["t.id"], where=where, limit=limit, cursor=cursor,
        scope={"kind": kind, "status": status, "origin": origin, "rule": rule, "claim": claim, "actor": actor, "as_of": as_of,
               "deleted": include_deleted},
    )


def list_corroborations(
    store: Store, *, kind: CorroborationKind | None, status: CorroborationStatus | None, origin: str | None, rule: str | None,
    claim: str | None, actor: str | None, independent: bool | None, as_of: str | None, include_deleted: bool, limit: int,
    cursor: str | None,
) -> Page:
    require(store, "claim", claim, "claim", "Claim")
    require(store, "actor", actor, "actor", "Actor")
    where = Where()
    live(where, "t", include_deleted, {"rule": rule, "claim": claim, "actor": actor, "as_of": as_of})
    if kind is not None:
        where.add("t.kind = ?", kind.value)
    if status is not None:
        where.add("t.status = ?", status.value)
    if origin is not None:
        where.add("t.origin = ?", origin)
    if independent is not None:
        where.add("t.independent = ?", independent)
    link_filters(store, where, "t.id", _links("corroboration", rule, claim, actor))
    members_published_by(where, "corroboration_claim", "corroboration_id", "t", as_of)
    return keyset_page(
        store, source="corroboration t", payload="t.body", order=["t.id"], where=where, limit=limit, cursor=cursor,
        scope={"kind": kind, "status": status, "origin": origin, "rule": rule, "claim": claim, "actor": actor,
               "independent": independent, "as_of": as_of, "deleted": include_deleted},
    )


def get_corroboration(store: Store, *, corroboration_id: str, include_deleted: bool = False) -> tuple[bytes, str]:
    return fetch_doc(store, "corroboration", corroboration_id, "Corroboration", include_deleted=include_deleted)
