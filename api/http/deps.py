"""Dependencies and parameter types shared by the routers."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Query, Request
from pydantic import GetJsonSchemaHandler, TypeAdapter
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

from api.errors import InvalidParameter, problem_responses
from api.http.responses import DEFAULT_LIMIT, MAX_LIMIT
from api.services.claims import ClaimFilters
from api.store.db import Store
from schemas.common import Day, PartialDate, date_bounds
from schemas.vocab import ClaimRole, Modality, Polarity, Predicate


def store_of(request: Request) -> Store:
    """The app's read store. Read as a plain call, not a dependency: on the hot path a solved
    dependency costs more than the database lookup itself."""
    store: Store = request.app.state.store
    return store

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"Items per page (1-{MAX_LIMIT}).")]
CursorParam = Annotated[
    str | None, Query(max_length=1024, description="The `next_cursor` of the previous page, passed back unchanged.")
]
DateParam = Annotated[PartialDate | None, Query(description="ISO 8601 date: `2023`, `2023-02` or `2023-02-17`.")]
LanguageParam = Annotated[
    str | None,
    Query(
        pattern=r"^(\*|[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*)$",
        description="A language range, matched against BCP 47 tags by RFC 4647 basic filtering: case-insensitive, and a"
        " range matches the tag itself and every longer tag it begins up to a `-` (`en` finds `en`, `en-GB` and"
        " `en-gb-oxendict`, not `eng`); `*` matches any.",
        examples=["ar", "en-GB"],
    ),
]
AS_OF_RULE = (
    "Only what had been published by this date (`YYYY-MM-DD`): a claim once a held document its evidence quotes"
    " had surely been published, that is from the last day of the earliest such document's date at its precision"
    " (a document dated only `2023` counts from 2023-12-31; a claim none of whose documents is dated is not shown);"
    " a contradiction or corroboration once all its claims are."
)
AsOfParam = Annotated[Day | None, Query(description=AS_OF_RULE)]
IdParam = Annotated[str | None, Query(max_length=120)]


class DocumentedAs:
    """A query parameter the route reads as a plain string, so that an unknown value gets the service's own
    problem (naming every accepted value), while the document states the closed set it accepts."""

    def __init__(self, documented: type) -> None:
        self.documented = documented

    def __get_pydantic_json_schema__(self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        return handler(TypeAdapter(self.documented).core_schema)

IncludeDeleted = Annotated[bool, Query(
    description="Include deleted records (tombstones, with `deleted_at` set). A deletion removes a record's links and"
    " search index entries, so this cannot be combined with the filters matched through them (claims: `actor`, `source`,"
    " `language`, `q`, and an actor's or a source's claims; sources: `language`, `cites`; actors: `q`; contradictions and"
    " corroborations: `rule`, `claim`, `actor`, `as_of`): 422.",
)]

READ_RESPONSES: dict[int | str, dict[str, Any]] = {
    304: {"description": "Not Modified: the `If-None-Match` ETag is current (RFC 9110 §15.4.5); no body."},
    **problem_responses(503),
}
LIST_RESPONSES = {**READ_RESPONSES, **problem_responses(400, 422)}
ITEM_RESPONSES = {**READ_RESPONSES, **problem_responses(404, 410, 422)}
SUBLIST_RESPONSES = {**READ_RESPONSES, **problem_responses(400, 404, 410, 422)}
DEFAULT = DEFAULT_LIMIT


def check_date(param: str, value: str | None) -> str | None:
    if value is not None:
        try:
            date_bounds(value)
        except ValueError:
            raise InvalidParameter(
                f"Query parameter '{param}': '{value}' is not a calendar date.",
                errors=[{"loc": ["query", param], "msg": "not a calendar date", "type": "date_parsing"}],
            ) from None
    return value


async def claim_filters(
    actor: Annotated[IdParam, Query(description="Claims in which this actor plays any role (or `role`).")] = None,
    role: Annotated[ClaimRole | None, Query(description="With `actor`: only claims where the actor plays this role.")] = None,
    source: Annotated[IdParam, Query(description="Claims quoted from, attributed to, or tracing back to this source.")] = None,
    language: LanguageParam = None,
    predicate: Predicate | None = None,
    modality: Modality | None = None,
    polarity: Polarity | None = None,
    date_from: Annotated[DateParam, Query(description="Claims whose event time reaches this date or later.")] = None,
    date_to: Annotated[DateParam, Query(description="Claims whose event time starts by this date.")] = None,
    as_of: AsOfParam = None,
    include_deleted: IncludeDeleted = False,
    q: Annotated[str | None, Query(
        min_length=1, max_length=500,
        description="Claims whose statement, quotes or translations hold every word of `q` as /v1/search matches it"
        " (folded; numbers however written: `40000`, `40,000`, `٤٠٠٠٠`, `40 ألف`; a word's beginning; synonyms)."
        " Combined with the other filters; the order stays the list's own.",
    )] = None,
) -> ClaimFilters:
    return ClaimFilters(
        actor=actor, role=role, source=source, language=language, predicate=predicate, modality=modality,
        polarity=polarity, date_from=check_date("date_from", date_from), date_to=check_date("date_to", date_to),
        as_of=check_date("as_of", as_of), include_deleted=include_deleted, q=q,
    )


ClaimFiltersDep = Annotated[ClaimFilters, Depends(claim_filters)]
