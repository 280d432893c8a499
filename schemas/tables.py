"""The storage schema: one table per resource, the link tables that queries filter on, history,
API keys and idempotency records. Alembic migrations (migrations/) create it on every backend.

Each resource row keeps `data`, the curated record as JSON (the dataset file format, so the
database can be written back to data/ byte for byte), and `body`/`summary`, its public views as
rendered JSON, compressed (api/store/bodies.py), so that a read is a primary-key lookup. Link tables are derived from `data` and
rewritten with it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import BigInteger, Column, DateTime, Index, LargeBinary, SmallInteger, String, Table, Text, text
from sqlmodel import Field, SQLModel

LINK_TABLE = {"sqlite_with_rowid": False}
"""A link table's rows are its primary key: on SQLite it is a WITHOUT ROWID table, stored once in primary-key order,
rather than a rowid table and the index of its key holding the same columns twice (migration 0011)."""


def _binary() -> Column:  # type: ignore[type-arg]
    return Column(LargeBinary, nullable=False)


class Record(SQLModel):
    """Columns every resource table has."""

    data: str = Field(sa_type=Text, description="The curated record as JSON.")
    file: str = Field(description="Dataset file the record belongs to, e.g. `documents/000.yaml` (indexed with `position`).")
    position: int = Field(description="Order of the record within its file.")
    revision: int = 1
    created_at: datetime = Field(sa_type=DateTime(timezone=True))
    updated_at: datetime = Field(sa_type=DateTime(timezone=True))
    deleted_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    etag: str


class Actor(Record, table=True):
    __table_args__ = (Index("ix_actor_file_position", "file", "position"),)
    id: str = Field(primary_key=True)
    kind: str
    unnamed: bool = False
    body: bytes = Field(sa_column=_binary())
    summary: bytes = Field(sa_column=_binary())


class Source(Record, table=True):
    __table_args__ = (Index("ix_source_file_position", "file", "position"),)
    id: str = Field(primary_key=True)
    kind: str
    language: str = Field(index=True)
    publisher_id: str | None = None
    published_from: str | None = None
    published_to: str | None = None
    text: str | None = Field(default=None, sa_type=Text)
    body: bytes = Field(sa_column=_binary())
    summary: bytes = Field(sa_column=_binary())


class Claim(Record, table=True):
    __table_args__ = (Index("ix_claim_file_position", "file", "position"),)
    id: str = Field(primary_key=True)
    predicate: str
    polarity: str
    modality: str
    event_from: str | None = None
    event_to: str | None = None
    published_from: str | None = Field(
        default=None, description="First day of the earliest publication date of the documents its evidence quotes."
    )
    published_to: str | None = Field(
        default=None,
        description="Last day of that date at its precision (`2023` gives 2023-12-31): by then it had surely been"
        " published. `as_of` shows a claim from this day on; null when none of its documents is dated.",
    )
    placed_from: str | None = Field(
        default=None, description="Where the timeline places the claim: event_from, or when it has no event time,"
        " published_from (migration 0013).",
    )
    placed_to: str | None = Field(default=None, description="event_to, or when it has no event time, published_to.")
    body: bytes = Field(sa_column=_binary())
    summary: bytes = Field(sa_column=_binary())


class Contradiction(Record, table=True):
    __table_args__ = (Index("ix_contradiction_file_position", "file", "position"),)
    id: str = Field(primary_key=True)
    kind: str
    status: str
    origin: str
    body: bytes = Field(sa_column=_binary())


class Corroboration(Record, table=True):
    __table_args__ = (Index("ix_corroboration_file_position", "file", "position"),)
    id: str = Field(primary_key=True)
    origin: str = Field(sa_column_kwargs={"server_default": "curated"})
    kind: str = Field(sa_column_kwargs={"server_default": "same_proposition"})
    status: str = Field(sa_column_kwargs={"server_default": "confirmed"})
    independent: bool
    body: bytes = Field(sa_column=_binary())


class Document(SQLModel, table=True):
    """A held document's file: which source it is, and its coverage account."""

    file: str = Field(primary_key=True)
    source_id: str = Field(index=True, foreign_key="source.id")
    coverage: str = Field(sa_type=Text, description="The coverage section as JSON.")


class DocumentName(SQLModel, table=True):
    """A spelling a document adds for an actor."""

    __tablename__ = "document_name"
    file: str = Field(primary_key=True)
    position: int = Field(primary_key=True)
    actor_id: str = Field(index=True, foreign_key="actor.id")
    value: str
    lang: str


class ActorRole(SQLModel, table=True):
    """A role a document attests for an actor."""

    __tablename__ = "actor_role"
    file: str = Field(primary_key=True)
    position: int = Field(primary_key=True)
    actor_id: str = Field(index=True, foreign_key="actor.id")
    data: str = Field(sa_type=Text)


class SourceCite(SQLModel, table=True):
    __tablename__ = "source_cite"
    __table_args__ = LINK_TABLE
    source_id: str = Field(primary_key=True, foreign_key="source.id")
    cited_id: str = Field(primary_key=True, foreign_key="source.id")


class ClaimActor(SQLModel, table=True):
    __tablename__ = "claim_actor"
    __table_args__ = LINK_TABLE
    claim_id: str = Field(primary_key=True, foreign_key="claim.id")
    role: str = Field(primary_key=True)
    actor_id: str = Field(primary_key=True, foreign_key="actor.id")


class ClaimSource(SQLModel, table=True):
    """Every source a claim is linked to: quoted from, attributed to, or traced back to."""

    __tablename__ = "claim_source"
    __table_args__ = LINK_TABLE
    claim_id: str = Field(primary_key=True, foreign_key="claim.id")
    source_id: str = Field(primary_key=True, foreign_key="source.id")


class ClaimLanguage(SQLModel, table=True):
    """Every language range that matches the language of some evidence of a claim (RFC 4647 basic filtering,
    lower-cased: `en-GB` gives `en` and `en-gb`; api/dataset/languages.py): a language filter is one lookup."""

    __tablename__ = "claim_language"
    __table_args__ = LINK_TABLE
    claim_id: str = Field(primary_key=True, foreign_key="claim.id")
    language: str = Field(primary_key=True)


class SourceLanguage(SQLModel, table=True):
    """Every language range that matches a source's language, as for claims."""

    __tablename__ = "source_language"
    __table_args__ = LINK_TABLE
    source_id: str = Field(primary_key=True, foreign_key="source.id")
    language: str = Field(primary_key=True)


class ContradictionClaim(SQLModel, table=True):
    __tablename__ = "contradiction_claim"
    __table_args__ = LINK_TABLE
    contradiction_id: str = Field(primary_key=True, foreign_key="contradiction.id")
    claim_id: str = Field(primary_key=True, foreign_key="claim.id")
    side: str


class CorroborationClaim(SQLModel, table=True):
    __tablename__ = "corroboration_claim"
    __table_args__ = LINK_TABLE
    corroboration_id: str = Field(primary_key=True, foreign_key="corroboration.id")
    claim_id: str = Field(primary_key=True, foreign_key="claim.id")


def _code_point_text() -> Any:
    """Text that sorts by code point on both backends (PostgreSQL's "C" collation), as Python sorts strings."""
    return String().with_variant(String(collation="C"), "postgresql")


class SearchWord(SQLModel, table=True):
    """The search vocabulary (api/store/search.py): every word a record has held, folded, with how many
    records hold it now (`df`) and an upper bound of its impacts (`top`, in millionths, never lowered)."""

    __tablename__ = "search_word"
    id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    word: str = Field(sa_type=_code_point_text(), unique=True)
    df: int
    top: int


class SearchDoc(SQLModel, table=True):
    """One searchable record in the search index: its kind's code and its label (an integer in the order of
    the record ids within the kind), its fields (JSON: [field, language] in order) and its words with their
    impacts (api/store/search.py `pack_words`)."""

    __tablename__ = "search_doc"
    __table_args__ = (Index("ix_search_doc_ref", "kind", "ref_id", unique=True), {"sqlite_with_rowid": False})
    kind: int = Field(primary_key=True, sa_type=SmallInteger, sa_column_kwargs={"autoincrement": False})
    label: int = Field(primary_key=True, sa_type=BigInteger, sa_column_kwargs={"autoincrement": False})
    ref_id: str = Field(sa_type=_code_point_text())
    fields: str = Field(sa_type=Text)
    words: bytes = Field(sa_column=_binary())


class SearchPosting(SQLModel, table=True):
    """One word of one searchable record, in the order a search reads them: by word, kind, impact (negated:
    best first) and label."""

    __tablename__ = "search_posting"
    __table_args__ = {"sqlite_with_rowid": False}
    word_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    kind: int = Field(primary_key=True, sa_type=SmallInteger, sa_column_kwargs={"autoincrement": False})
    nimpact: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    label: int = Field(primary_key=True, sa_type=BigInteger, sa_column_kwargs={"autoincrement": False})


class Revision(SQLModel, table=True):
    """One change to one record: the feed behind /v1/changes and each record's history."""

    seq: int | None = Field(default=None, primary_key=True)
    resource: str
    resource_id: str
    revision: int
    action: str = Field(description="create, update or delete")
    api_key_id: str | None = None
    at: datetime = Field(sa_type=DateTime(timezone=True))
    before: str | None = Field(default=None, sa_type=Text)
    after: str | None = Field(default=None, sa_type=Text)


Index("ix_revision_resource", Revision.resource, Revision.resource_id, Revision.revision, unique=True)  # type: ignore[arg-type]
# The change feed's time filters (`since`, `until`): the first change at or after a moment, one seek (migration 0014).
Index("ix_revision_at", Revision.at, Revision.seq)  # type: ignore[arg-type]


class ApiKey(SQLModel, table=True):
    __tablename__ = "api_key"
    id: str = Field(primary_key=True, description="Public key id, the part before the dot.")
    name: str
    secret_hash: str = Field(description="SHA-256 of the secret part, hex.")
    scopes: str = Field(description="Comma-separated: read, write, admin.")
    created_at: datetime = Field(sa_type=DateTime(timezone=True))
    revoked_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))


class IdempotencyRecord(SQLModel, table=True):
    __tablename__ = "idempotency_record"
    api_key_id: str = Field(primary_key=True)
    key: str = Field(primary_key=True)
    method: str
    path: str
    request_hash: str
    status: int
    body: bytes = Field(sa_column=_binary())
    location: str | None = None
    created_at: datetime = Field(sa_type=DateTime(timezone=True))


class ClaimKey(SQLModel, table=True):
    """The keys a claim's possible partners are found under: its proposition key (`k:`), pair key (`p:`),
    outcome keys (`o:`) and direct speakers (`s:`). Detection looks candidates up here, by index."""

    __tablename__ = "claim_key"
    __table_args__ = LINK_TABLE
    claim_id: str = Field(primary_key=True, foreign_key="claim.id")
    key: str = Field(primary_key=True)  # looked up by `ix_claim_key_key_claim`


class ClaimProposition(SQLModel, table=True):
    """The proposition a claim belongs to."""

    __tablename__ = "claim_proposition"
    __table_args__ = LINK_TABLE
    claim_id: str = Field(primary_key=True, foreign_key="claim.id")
    proposition_id: str


class RelationRule(SQLModel, table=True):
    """The detection rules that propose or also find a contradiction or corroboration."""

    __tablename__ = "relation_rule"
    __table_args__ = LINK_TABLE
    relation: str = Field(primary_key=True)
    relation_id: str = Field(primary_key=True, index=True)
    rule: str = Field(primary_key=True, index=True)


class Meta(SQLModel, table=True):
    key: str = Field(primary_key=True)
    value: str = Field(sa_type=Text)


class ServerSecret(SQLModel, table=True):
    """A key the server makes once and keeps, so that every process on this database shares it (the one that
    signs list cursors is `cursor`); a configured key replaces it (api/config.py)."""

    __tablename__ = "server_secret"
    name: str = Field(primary_key=True)
    value: str
    created_at: datetime = Field(sa_type=DateTime(timezone=True))


def table_of(model: type[SQLModel]) -> Table:
    """The SQLAlchemy table of a table model (typed, for Core statements)."""
    return cast(Table, model.__table__)  # type: ignore[attr-defined]


# -- Indexes behind the lists (migration 0009)
#
# Each filter of a list has an index that yields its rows in the list's order (claims by id, the timeline by
# event time), so that a page reads about as many rows as it serves whatever the database holds
# (api/services/claims.py says how a filter is chosen to drive). The columns of a resource's own rows end in
# `deleted_at`, so a tombstone is passed over in the index; link tables hold live records only. They replace
# the single-column indexes these columns had, which each one leads.


def span_level(lo: str, hi: str) -> str:
    """SQL: how many leading characters the ISO days `lo` and `hi` share, as a level: 10 (one day), 7 (one month),
    4 (one year), 3 (one decade), 2 (one century), 0 (more, or null). A date range of level p that reaches a day
    starts at or after that day's first p characters, so an overlap query is one index range per level
    (api/services/common.py `overlap_arms`). Queries spell it exactly so, for the planners to match the index."""
    return (f"CASE WHEN {lo} = {hi} THEN 10 WHEN substr({lo}, 1, 7) = substr({hi}, 1, 7) THEN 7"
            f" WHEN substr({lo}, 1, 4) = substr({hi}, 1, 4) THEN 4 WHEN substr({lo}, 1, 3) = substr({hi}, 1, 3) THEN 3"
            f" WHEN substr({lo}, 1, 2) = substr({hi}, 1, 2) THEN 2 ELSE 0 END")


def _list_index(name: str, model: type[SQLModel], *columns: str, expression: str | None = None,
                expressions: tuple[str, ...] = ()) -> Index:
    table = table_of(model)
    leading = [expression] if expression else list(expressions)
    return Index(name, *(text(f"({e})") for e in leading), *(table.c[c] for c in columns))


EVENT_MONTH = "substr(event_from, 1, 7)"
"""SQL: the month an event time starts in (`YYYY-MM`), the second key of `ix_claim_event_month`."""


LIST_INDEXES = (
    # A claim's filtered columns by id: a filter is checked here, without reading the claim's row.
    _list_index("ix_claim_filter", Claim, "id", "deleted_at", "predicate", "modality", "polarity", "published_to", "event_from",
                "event_to", "placed_from", "placed_to"),
    _list_index("ix_claim_predicate_id", Claim, "predicate", "id", "deleted_at"),
    _list_index("ix_claim_modality_id", Claim, "modality", "id", "deleted_at"),
    _list_index("ix_claim_polarity_id", Claim, "polarity", "id", "deleted_at"),
    _list_index("ix_claim_published_id", Claim, "published_to", "id", "deleted_at"),
    # Two or three of those columns at once, in id order: a rare conjunction of common values (migration 0016).
    _list_index("ix_claim_predicate_modality_id", Claim, "predicate", "modality", "id", "deleted_at"),
    _list_index("ix_claim_predicate_polarity_id", Claim, "predicate", "polarity", "id", "deleted_at"),
    _list_index("ix_claim_modality_polarity_id", Claim, "modality", "polarity", "id", "deleted_at"),
    _list_index("ix_claim_predicate_modality_polarity_id", Claim, "predicate", "modality", "polarity", "id", "deleted_at"),
    # The same filters in timeline order (where the timeline places a claim: its event time, else its publication).
    _list_index("ix_claim_predicate_timeline", Claim, "predicate", "placed_from", "placed_to", "id", "deleted_at"),
    _list_index("ix_claim_modality_timeline", Claim, "modality", "placed_from", "placed_to", "id", "deleted_at"),
    _list_index("ix_claim_polarity_timeline", Claim, "polarity", "placed_from", "placed_to", "id", "deleted_at"),
    _list_index("ix_claim_timeline", Claim, "event_from", "event_to", "id", "deleted_at"),  # an event-time range's end
    _list_index("ix_claim_placed", Claim, "placed_from", "placed_to", "id", "deleted_at"),  # the timeline (migration 0013)
    _list_index("ix_claim_event_span", Claim, "event_from", "event_to", "id", "deleted_at",
                expression=span_level("event_from", "event_to")),
    # By span level and the month an event time starts in, then id: a date range on the id-ordered list is one
    # range per level and month, each in id order, merged (migration 0017).
    _list_index("ix_claim_event_month", Claim, "id", "deleted_at", "event_from", "event_to",
                expressions=(span_level("event_from", "event_to"), EVENT_MONTH)),
    _list_index("ix_claim_actor_actor_claim", ClaimActor, "actor_id", "claim_id", "role"),
    _list_index("ix_claim_actor_actor_role_claim", ClaimActor, "actor_id", "role", "claim_id"),
    _list_index("ix_claim_source_source_claim", ClaimSource, "source_id", "claim_id"),
    _list_index("ix_claim_language_language_claim", ClaimLanguage, "language", "claim_id"),
    _list_index("ix_claim_proposition_proposition_claim", ClaimProposition, "proposition_id", "claim_id"),
    _list_index("ix_actor_kind_id", Actor, "kind", "id", "deleted_at"),
    _list_index("ix_actor_unnamed_id", Actor, "unnamed", "id", "deleted_at"),
    _list_index("ix_source_kind_id", Source, "kind", "id", "deleted_at"),
    _list_index("ix_source_publisher_id_id", Source, "publisher_id", "id", "deleted_at"),
    _list_index("ix_source_event_span", Source, "published_from", "published_to", "id", "deleted_at",
                expression=span_level("published_from", "published_to")),
    _list_index("ix_source_language_language_source", SourceLanguage, "language", "source_id"),
    _list_index("ix_source_cite_cited_source", SourceCite, "cited_id", "source_id"),
    _list_index("ix_contradiction_kind_id", Contradiction, "kind", "id", "deleted_at"),
    _list_index("ix_contradiction_status_id", Contradiction, "status", "id", "deleted_at"),
    _list_index("ix_contradiction_origin_id", Contradiction, "origin", "id", "deleted_at"),
    _list_index("ix_contradiction_claim_claim_contradiction", ContradictionClaim, "claim_id", "contradiction_id"),
    _list_index("ix_corroboration_kind_id", Corroboration, "kind", "id", "deleted_at"),
    _list_index("ix_corroboration_status_id", Corroboration, "status", "id", "deleted_at"),
    _list_index("ix_corroboration_origin_id", Corroboration, "origin", "id", "deleted_at"),
    _list_index("ix_corroboration_independent_id", Corroboration, "independent", "id", "deleted_at"),
    _list_index("ix_corroboration_claim_claim_corroboration", CorroborationClaim, "claim_id", "corroboration_id"),
    _list_index("ix_relation_rule_relation_rule", RelationRule, "relation", "rule", "relation_id"),
    _list_index("ix_revision_resource_seq", Revision, "resource", "seq"),
)

# -- Reference tables
#
# Which record refers to which id, and by which field: derived from each record's data (api/store/records.py
# `links()`, and `role_references()` for the roles documents attest), rewritten with it, and indexed on the id
# referred to, so that finding what refers to a record (a delete refused, the views to render again) is one
# index lookup, not a scan of every record's JSON. Only live records have rows: a tombstone drops them.
# References that other link tables already hold are not repeated here: a claim's actors (`claim_actor`,
# every role), a relation's claims (`contradiction_claim`, `corroboration_claim`), a role's own actor
# (`actor_role.actor_id`).


class ActorReference(SQLModel, table=True):
    """An actor's reference to another actor: `field` is `speaks_for` or `members`."""

    __tablename__ = "actor_reference"
    __table_args__ = (Index("ix_actor_reference_target", "target_id", "field"),)
    actor_id: str = Field(primary_key=True, foreign_key="actor.id")
    field: str = Field(primary_key=True)
    target_id: str = Field(primary_key=True)


class SourceReference(SQLModel, table=True):
    """A source's reference to an actor (`publisher`, `authors`) or to another source (`cites`, `part_of`)."""

    __tablename__ = "source_reference"
    __table_args__ = (Index("ix_source_reference_target", "target_id", "field"),)
    source_id: str = Field(primary_key=True, foreign_key="source.id")
    field: str = Field(primary_key=True)
    target_id: str = Field(primary_key=True)


class ClaimReference(SQLModel, table=True):
    """A claim's reference to a source: `evidence.source` (the document it quotes) or `evidence.attributed_to`
    (the source a quoted passage relays). Its actors are in `claim_actor`."""

    __tablename__ = "claim_reference"
    __table_args__ = (Index("ix_claim_reference_target", "target_id", "field"),)
    claim_id: str = Field(primary_key=True, foreign_key="claim.id")
    field: str = Field(primary_key=True)
    target_id: str = Field(primary_key=True)


class RoleReference(SQLModel, table=True):
    """A role's reference (the role is `actor_role`'s row at `file`, `position`): `of`, the body the role is held
    in, or `evidence.source`, a document its evidence quotes."""

    __tablename__ = "role_reference"
    __table_args__ = (Index("ix_role_reference_target", "target_id", "field"),)
    file: str = Field(primary_key=True)
    position: int = Field(primary_key=True)
    field: str = Field(primary_key=True)
    target_id: str = Field(primary_key=True)


class ActorClaimCount(SQLModel, table=True):
    """How many live claims an actor plays each role in (`claim_actor`'s rows, counted): kept in step with
    `claim_actor` by every claim write, so an actor's view reads its counts instead of counting its claims."""

    __tablename__ = "actor_claim_count"
    actor_id: str = Field(primary_key=True)
    role: str = Field(primary_key=True)
    count: int


class SourceClaimCount(SQLModel, table=True):
    """How many live claims are linked to a source (`claim_source`'s rows, counted), kept as `actor_claim_count` is."""

    __tablename__ = "source_claim_count"
    source_id: str = Field(primary_key=True)
    count: int


# The engine's candidates under a key, in id order, read from the index alone: a write compares a claim with its
# neighbours by id under each key (api/engine/detect.py `NEIGHBOURS`), whatever the number of claims sharing it.
Index("ix_claim_key_key_claim", ClaimKey.key, ClaimKey.claim_id)
