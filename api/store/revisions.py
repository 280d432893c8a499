"""The revision table as stored: the first revision of a record built from data/ keeps no copy of its data.

The build writes one `create` revision per record (the change feed starts with every record of the dataset),
and the data it created is what the record's own row holds until its next change: then that change's revision
keeps it as its `before`. So the build leaves `after` NULL on those rows (at 100,000 claims they held 1.9 kB per
claim, a copy of every record), and readers take it from `REVISION_AFTER`, an SQL expression (SQLite and
PostgreSQL) for the `after` of a row of `revision` as every writer stores it:

- the stored `after`, when there is one, or when the row is not a `create` (a delete has none);
- else the `before` of the record's next revision that has one (its data until then: a `refresh`, a change
  of the record's view alone, stores neither `before` nor `after`);
- else the record's current `data` (it has not changed since).

Every write that changes a record's data records its `before` (api/services/writes.py `_replace_record`,
`_tombstone`), which is what makes this exact. Migration 0011 empties the copies a database already holds.
"""

from __future__ import annotations

RESOURCES = ("actor", "source", "claim", "contradiction", "corroboration")

_CURRENT = " ".join(f"WHEN '{t}' THEN (SELECT x.data FROM {t} x WHERE x.id = revision.resource_id)" for t in RESOURCES)
REVISION_AFTER = (
    "CASE WHEN revision.after IS NOT NULL OR revision.action <> 'create' THEN revision.after ELSE coalesce("
    "(SELECT n.before FROM revision n WHERE n.resource = revision.resource AND n.resource_id = revision.resource_id"
    " AND n.revision > revision.revision AND n.before IS NOT NULL ORDER BY n.revision LIMIT 1),"
    f" CASE revision.resource {_CURRENT} END) END"
)
"""The `after` of the row of `revision` being read, in a query over `revision` (not aliased): JSON text or NULL."""

__all__ = ["RESOURCES", "REVISION_AFTER"]
