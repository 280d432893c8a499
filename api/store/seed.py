"""Write a validated dataset into an empty, migrated database, in one transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, insert, select

from api.dataset.loader import Dataset
from api.store.db import now
from api.store.records import KINDS, SEARCH_TABLE, TABLE_OF, columns, links, rendered, search_rows
from api.store.render import Renderer
from schemas.tables import ActorRole, Document, DocumentName, Meta, Revision, table_of


def _file_positions(ds: Dataset) -> dict[str, tuple[str, int]]:
    """'kind:id' -> (file, position within that file), in the files' own order."""
    counters: dict[str, int] = {}
    out: dict[str, tuple[str, int]] = {}
    for key, file in ds.origin.items():
        n = counters.get(file, 0)
        out[key] = (file, n)
        counters[file] = n + 1
    return out


def seed(conn: Connection, ds: Dataset) -> None:
    stamp = now()
    renderer = Renderer(ds)
    placed = _file_positions(ds)
    records: dict[str, dict[str, Any]] = {
        "actor": ds.actors, "source": ds.sources, "claim": ds.claims,
        "contradiction": ds.contradictions, "corroboration": ds.corroborations,
    }
    revisions: list[dict[str, Any]] = []
    search: list[dict[str, Any]] = []
    link_rows: dict[Any, list[dict[str, Any]]] = {}
    for kind in KINDS:
        rows = []
        for item_id, record in records[kind].items():
            file, position = placed[f"{kind}:{item_id}"]
            data = record.model_dump_json()
            rows.append({
                **columns(kind, record, ds), **rendered(kind, item_id, renderer, 1),
                "data": data, "file": file, "position": position, "revision": 1,
                "created_at": stamp, "updated_at": stamp, "deleted_at": None,
            })
            revisions.append({
                "resource": kind, "resource_id": item_id, "revision": 1, "action": "create", "api_key_id": None,
                "at": stamp, "before": None, "after": data,
            })
            for table, table_rows in links(kind, record, ds):
                link_rows.setdefault(table, []).extend(table_rows)
            search.extend(search_rows(kind, record, ds))
        if rows:
            conn.execute(insert(TABLE_OF[kind]), rows)
    for table, table_rows in link_rows.items():
        if table_rows:
            conn.execute(insert(table), table_rows)
    documents, names, roles = [], [], []
    for file, doc in ds.documents.items():
        documents.append({"file": file, "source_id": doc.source.id, "coverage": _json_list(doc.coverage)})
        names += [{"file": file, "position": i, "actor_id": n.actor, "value": n.value, "lang": n.lang} for i, n in enumerate(doc.names)]
        roles += [{"file": file, "position": i, "actor_id": r.actor, "data": r.model_dump_json()} for i, r in enumerate(doc.roles)]
    for table, table_rows in ((table_of(Document), documents), (table_of(DocumentName), names), (table_of(ActorRole), roles)):
        if table_rows:
            conn.execute(insert(table), table_rows)
    if search:
        conn.execute(insert(SEARCH_TABLE), search)
    if revisions:
        conn.execute(insert(table_of(Revision)), revisions)
    seeded_seq = conn.execute(select(func.coalesce(func.max(table_of(Revision).c.seq), 0))).scalar()
    conn.execute(insert(table_of(Meta)), [
        {"key": "fingerprint", "value": ds.fingerprint},
        {"key": "seeded_seq", "value": str(seeded_seq)},
    ])


def _json_list(models: list[Any]) -> str:
    import json

    return json.dumps([m.model_dump(mode="json") for m in models], ensure_ascii=False)
