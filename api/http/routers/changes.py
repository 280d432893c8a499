"""The change feed: every change to every record's served view, in the order applied."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import AwareDatetime, BeforeValidator
from starlette.responses import Response

from api.errors import InvalidParameter, problem_responses
from api.http.deps import DEFAULT, CursorParam, Limit, store_of
from api.http.responses import StrictQueryRoute, page_response
from api.services import changes as changes_service
from schemas.changes import ChangePage
from schemas.timestamps import rfc3339
from schemas.vocab import ChangeResource

router = APIRouter(route_class=StrictQueryRoute)

_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})")


def _rfc3339(value: object) -> object:
    """A date-time given as text must be RFC 3339's `date-time` (section 5.6), offset included: pydantic alone would
    also read a number (`until=0.5`) as seconds since 1970."""
    if isinstance(value, str) and not _RFC3339.fullmatch(value):
        raise ValueError("an RFC 3339 date-time with its offset is expected, e.g. 2026-11-24T02:06:21Z")
    return value


Moment = Annotated[AwareDatetime, BeforeValidator(_rfc3339)]


def _utc(param: str, moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise InvalidParameter(
            f"Query parameter '{param}': {moment.isoformat()} is outside the years 0001 to 9999 in UTC.",
            errors=[{"loc": ["query", param], "msg": "outside the years 0001 to 9999 in UTC", "type": "datetime_range"}],
        ) from None


@router.get("/v1/changes", response_model=ChangePage, tags=["changes"],
            responses={304: {"description": "Not Modified."}, **problem_responses(400, 422, 503)})
async def list_changes(
    request: Request,
    after: Annotated[int | None, Query(ge=0, le=2**63 - 1, description="Only changes after this `seq` (resume a sync from the last one seen).")] = None,
    resource: Annotated[ChangeResource | None, Query(description="Only changes to this kind of record.")] = None,
    resource_id: Annotated[str | None, Query(
        min_length=1, max_length=200, description="With `resource`: only changes to the record with this id (its key is"
        " the pair), as `GET /v1/{resource}s/{id}/revisions` lists them, `refresh` included."
    )] = None,
    since: Annotated[Moment | None, Query(description="Only changes made at or after this moment: an RFC 3339 date-time with"
                                                    " its offset, e.g. `2026-11-24T02:06:21Z` (compared in UTC).")] = None,
    until: Annotated[Moment | None, Query(description="Only changes made before this moment (RFC 3339, as `since`).")] = None,
    include_views: Annotated[bool, Query(description="Give each record's current `view` on its latest change (default"
                                                     " false: `view` is null).")] = False,
    limit: Limit = DEFAULT, cursor: CursorParam = None,
) -> Response:
    """The feed of every change to what the API serves, in the order applied: a record created, changed, deleted,
    or shown differently because a record it shows changed (`refresh`). A client stays in sync by following it
    from the last `seq` it has: with `include_views=true`, keeping each record's last `view` gives what `GET`
    serves. Filter by record (`resource`, `resource_id`) and by time (`since`, `until`; `at` never goes back along
    `seq`). `resource_id` without `resource` is a 422."""
    if resource_id is not None and resource is None:
        raise InvalidParameter(
            "Query parameter 'resource_id' needs 'resource': a record is known by its kind and id (e.g."
            " resource=claim&resource_id=...).",
            errors=[{"loc": ["query", "resource_id"], "msg": "needs 'resource' with it", "type": "missing_dependency"}],
        )
    since_utc, until_utc = _utc("since", since), _utc("until", until)
    if since_utc is not None and until_utc is not None and until_utc < since_utc:
        # As a reversed date_from/date_to elsewhere: a range that ends before it starts is a mistake, not an empty feed.
        raise InvalidParameter(
            f"Query parameter 'until': {rfc3339(until_utc)} is before 'since' ({rfc3339(since_utc)}).",
            errors=[{"loc": ["query", "until"], "msg": "before since", "type": "value_error"}],
        )
    store = store_of(request)
    page = await store.call_page(
        changes_service.list_changes, store, after=after, resource=resource, resource_id=resource_id,
        since=since_utc, until=until_utc, views=include_views, limit=limit, cursor=cursor,
    )
    return page_response(request, page.items, page.next_cursor)
