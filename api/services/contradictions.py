"""Contradictions and corroborations."""

from __future__ import annotations

from api.engine.rules import RULES_BY_NAME
from api.errors import InvalidParameter
from api.services.common import Page, Where, fetch_doc, keyset_page, live, members_published_by, require
from api.store.db import Store
from schemas.vocab import ContradictionKind, ContradictionStatus, CorroborationKind, CorroborationStatus

_BY_ACTOR = "EXISTS (SELECT 1 FROM {link} l JOIN claim_actor ca ON ca.claim_id = l.claim_id WHERE l.{fk} = t.id AND ca.actor_id = ?)"
_BY_RULE = "EXISTS (SELECT 1 FROM relation_rule r WHERE r.relation = ? AND r.relation_id = t.id AND r.rule = ?)"


def _by_rule(where: Where, relation: str, rule: str | None) -> None:
    """Relations a detection rule proposed or also finds; a name that is no rule is an error, not an empty list."""
    if rule is None:
        return
    if rule not in RULES_BY_NAME:
        names = ", ".join(sorted(RULES_BY_NAME))
        raise InvalidParameter(
            f"Query parameter 'rule': '{rule}' is not a detection rule. The rules are: {names}.",
            errors=[{"loc": ["query", "rule"], "msg": f"not a detection rule; one of: {names}", "type": "unknown_rule"}],
        )
    where.add(_BY_RULE, relation, rule)


def get(store: Store, *, contradiction_id: str, include_deleted: bool = False) -> tuple[bytes, str]:
    return fetch_doc(store, "contradiction", contradiction_id, "Contradiction", include_deleted=include_deleted)


def list_contradictions(
    store: Store, *, kind: ContradictionKind | None, status: ContradictionStatus | None, origin: str | None, rule: str | None,
    claim: str | None, actor: str | None, as_of: str | None, include_deleted: bool, limit: int, cursor: str | None,
) -> Page:
    require(store, "claim", claim, "claim", "Claim")
    require(store, "actor", actor, "actor", "Actor")
    where = Where()
    live(where, "t", include_deleted)
    if kind is not None:
        where.add("t.kind = ?", kind.value)
    if status is not None:
        where.add("t.status = ?", status.value)
    if origin is not None:
        where.add("t.origin = ?", origin)
    _by_rule(where, "contradiction", rule)
    if claim is not None:
        where.add("EXISTS (SELECT 1 FROM contradiction_claim l WHERE l.contradiction_id = t.id AND l.claim_id = ?)", claim)
    if actor is not None:
        where.add(_BY_ACTOR.format(link="contradiction_claim", fk="contradiction_id"), actor)
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
    live(where, "t", include_deleted)
    if kind is not None:
        where.add("t.kind = ?", kind.value)
    if status is not None:
        where.add("t.status = ?", status.value)
    if origin is not None:
        where.add("t.origin = ?", origin)
    _by_rule(where, "corroboration", rule)
    if independent is not None:
        where.add("t.independent = ?", independent)
    if claim is not None:
        where.add("EXISTS (SELECT 1 FROM corroboration_claim l WHERE l.corroboration_id = t.id AND l.claim_id = ?)", claim)
    if actor is not None:
        where.add(_BY_ACTOR.format(link="corroboration_claim", fk="corroboration_id"), actor)
    members_published_by(where, "corroboration_claim", "corroboration_id", "t", as_of)
    return keyset_page(
        store, source="corroboration t", payload="t.body", order=["t.id"], where=where, limit=limit, cursor=cursor,
        scope={"kind": kind, "status": status, "origin": origin, "rule": rule, "claim": claim, "actor": actor,
               "independent": independent, "as_of": as_of, "deleted": include_deleted},
    )


def get_corroboration(store: Store, *, corroboration_id: str, include_deleted: bool = False) -> tuple[bytes, str]:
    return fetch_doc(store, "corroboration", corroboration_id, "Corroboration", include_deleted=include_deleted)
