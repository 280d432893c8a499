"""What decides propositions and relations, as `GET /v1/engine` shows it: the rules and the tables in force."""

from __future__ import annotations

from api.engine.rules import RULES
from api.store.db import Store
from api.store.readgraph import knowledge_of
from api.store.render import dump
from schemas.engine import EnginePublic, RulePublic


def describe(store: Store) -> bytes:
    rules = [RulePublic(name=r.name, relation=r.relation, kinds=list(r.kinds), description=r.description, symmetric=r.symmetric)
             for r in RULES]
    return dump(EnginePublic(rules=rules, knowledge=knowledge_of(store)))
