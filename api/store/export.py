"""Write the database back to the dataset files: the same records, in the same files and order,
in the canonical YAML form, so that exporting a database loaded from data/ reproduces data/."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Connection, select

from api.config import get_settings
from api.dataset.files import write_text
from api.dataset.yamlio import dump
from api.store.records import MODEL_OF, TABLE_OF
from schemas.common import STORED
from schemas.dataset import (
    ActorRoleIn,
    ActorsFile,
    CoverageIn,
    DocumentFile,
    LinksFile,
    SourcesFile,
)
from schemas.knowledge import Knowledge
from schemas.synonyms import SYNONYMS_FILE
from schemas.tables import ActorRole, Document, DocumentName, Meta, table_of


def _records(conn: Connection, kind: str, file: str) -> list[Any]:
    t = TABLE_OF[kind]
    rows = conn.execute(select(t.c.data).where(t.c.file == file, t.c.deleted_at.is_(None)).order_by(t.c.position))
    records = [MODEL_OF[kind].model_validate_json(r[0], context=STORED) for r in rows]
    # Which rules find a relation is worked out again whenever the database is built: not curated data.
    return [r.model_copy(update={"detected_by": []}) if kind in ("contradiction", "corroboration") else r for r in records]


def _write(path: Path, model: BaseModel) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text(path, dump(model))
    return path


def export_dataset(conn: Connection, out: Path) -> list[Path]:
    written = [
        _write(out / "actors.yaml", ActorsFile(actors=_records(conn, "actor", "actors.yaml"))),
        _write(out / "sources.yaml", SourcesFile(sources=_records(conn, "source", "sources.yaml"))),
    ]
    doc = table_of(Document)
    names_t, roles_t = table_of(DocumentName), table_of(ActorRole)
    for file, source_id, coverage in conn.execute(select(doc.c.file, doc.c.source_id, doc.c.coverage).order_by(doc.c.file)):
        sources = _records(conn, "source", file)
        own = next(s for s in sources if s.id == source_id)
        names = conn.execute(
            select(names_t.c.actor_id, names_t.c.value, names_t.c.lang).where(names_t.c.file == file).order_by(names_t.c.position)
        )
        roles = conn.execute(select(roles_t.c.data).where(roles_t.c.file == file).order_by(roles_t.c.position))
        document = DocumentFile(
            source=own,
            sources=[s for s in sources if s.id != source_id],
            actors=_records(conn, "actor", file),
            names=[{"actor": a, "value": v, "language": language} for a, v, language in names],
            roles=[ActorRoleIn.model_validate_json(r[0], context=STORED) for r in roles],
            claims=_records(conn, "claim", file),
            contradictions=_records(conn, "contradiction", file),
            corroborations=_records(conn, "corroboration", file),
            coverage=[CoverageIn.model_validate(c) for c in json.loads(coverage)],
        )
        written.append(_write(out / file, document))
        text = conn.execute(select(TABLE_OF["source"].c.text).where(TABLE_OF["source"].c.id == source_id)).scalar()
        if own.text_file and text is not None:
            target = out / own.text_file
            target.parent.mkdir(parents=True, exist_ok=True)
            write_text(target, text)
            written.append(target)
    written.append(_write(out / "links.yaml", LinksFile(
        contradictions=_records(conn, "contradiction", "links.yaml"),
        corroborations=_records(conn, "corroboration", "links.yaml"),
    )))
    knowledge = conn.execute(select(table_of(Meta).c.value).where(table_of(Meta).c.key == "knowledge")).scalar()
    if knowledge is not None:
        written.append(_write(out / "knowledge.yaml", Knowledge.model_validate_json(knowledge, context=STORED)))
    synonyms = conn.execute(select(table_of(Meta).c.value).where(table_of(Meta).c.key == "synonyms")).scalar()
    if synonyms is None:
        # A database upgraded in place (migration 0013) rather than built holds no copy: its search index was made
        # with the table search reads, the configured data directory's (api/store/text.py `synonyms`).
        in_force = get_settings().data_dir / SYNONYMS_FILE
        synonyms = in_force.read_text(encoding="utf-8") if in_force.is_file() else None
    if synonyms:  # the table as the build read it, comments included (no API writes it); "": built without one
        write_text(out / SYNONYMS_FILE, synonyms)
        written.append(out / SYNONYMS_FILE)
    exported = {p.resolve() for p in written}
    for stale in (out / "documents").glob("*.yaml"):
        if stale.resolve() not in exported:
            stale.unlink()
    return written
