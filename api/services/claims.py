"""Claims: lookups, filtered lists and the timeline.

A list page is one query driven by an index that yields rows in the list's order, so that its cost follows the
page and the filters' selectivity, never the size of the database (`plan`; `list_query` gives the SQL, for the
query-plan test and for EXPLAIN by hand):

- every filter has an index behind it: `claim_actor (actor_id, claim_id, role)` and `(actor_id, role, claim_id)`,
  `claim_source (source_id, claim_id)`, `claim_language (language, claim_id)`, `claim (predicate, id,
  deleted_at)` and the same for modality and polarity (and for two or three of them together, `claim (predicate,
  polarity, id, deleted_at)`...), `claim (published_to, id, deleted_at)` for `as_of`, the
  timeline's `claim (event_from, event_to, id, deleted_at)`, and `claim (<span level>, event_from, event_to, id,
  deleted_at)` for event-time ranges (common.overlap_arms);
- one filter drives (`d`: its index read in the list's order) and the others are checked per row without
  reading the claim's row: its columns on `ix_claim_filter` (`f`: id, deleted_at and every filtered column),
  its links by `EXISTS` on a link table's primary key; the row (`c`) is read only for the claims served. With
  several filters, each is counted in its index up to a cap (`CAP`; past it, the one given first) and the
  rarest drives: an actor with one claim beats a common predicate. Link tables hold live claims only (a
  deleted claim's links are removed with it), and the claim indexes hold `deleted_at`, so tombstones are
  passed over in the index;
- on SQLite, a date range with both ends, over at most `MONTH_ARMS` months from the start of its first year, is
  read on the id-ordered list from `claim (<span level>, <month its event time starts>, id, ...)`: one range per span
  level and month, each in id order, merged (cost: about `limit` plus one entry per range; `_month_arms`);
- a wider or open date range, or `as_of`, cannot be range-scanned and id-ordered by one index: when it
  matches fewer than `SET_CAP` claims (counted in its index), their ids after the cursor are read from the
  index and sorted (cost: about the matches); else the list runs in id order on `ix_claim_filter` and checks
  the dates there (cost: about `limit` / the share of claims that match, so at most `limit * N / SET_CAP`
  index entries at N claims);
- the timeline runs down its index, or that of a predicate, modality or polarity in timeline order (`claim
  (predicate, event_from, event_to, id, deleted_at)`...), or with a date range one range of the span-level index
  per level, merged in order; a filter with fewer than `GATHER` claims drives it instead, its claims read and
  sorted by event time. An actor, source or language that is common has no index in timeline order (its link
  table holds no event time): it is checked per row, about `limit` / its share of claims per page.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, fields
from typing import Any, Literal

from api.dataset.languages import range_key
from api.errors import InvalidParameter
from api.services import search as search_service
from api.services.common import (
    DAY,
    SPAN_LEVELS,
    TEXT,
    Cursor,
    KeyPart,
    Page,
    data_state,
    date_span,
    fetch_doc,
    overlap_arms,
    refuse_tombstones_through,
    require,
)
from api.store.bodies import inflate, inflate_summary
from api.store.db import Store
from schemas.tables import EVENT_MONTH, span_level
from schemas.vocab import ClaimRole, Modality, Polarity, Predicate

View = Literal["claims", "timeline"]

CAP = 1000
"""Counts that choose the driving filter stop here: past it a filter is common, and the first given drives."""
SET_CAP = 4000
"""A date range or `as_of` that matches fewer claims than this drives the id-ordered list (its ids read and sorted)."""
WIDE_CAP = 4000
"""How far the filters without a kept count are counted when every kept count (an actor's, a source's) is past `CAP`."""
MONTH_ARMS = 24
"""A date range on the claim list whose months, from the start of its first year, are at most this many is read
as ranges in id order, merged (`_month_arms`); a wider one as before (its ids sorted, or the list in id order)."""
GATHER = 1000
"""A filter with fewer claims than this drives the timeline: its claims are read and sorted by event time."""

_KEYS: dict[View, list[KeyPart]] = {"claims": [TEXT], "timeline": [DAY, DAY, TEXT]}
_DATED = "c.event_from IS NOT NULL"
"""The timeline's last column: whether the claim has an event time (its `event_from` is set exactly then), so
that `placement.basis` is known without parsing the summary."""


@dataclass(frozen=True)
class ClaimFilters:
    actor: str | None = None
    role: ClaimRole | None = None
    source: str | None = None
    language: str | None = None
    predicate: Predicate | None = None
    modality: Modality | None = None
    polarity: Polarity | None = None
    date_from: str | None = None
    date_to: str | None = None
    as_of: str | None = None
    include_deleted: bool = False
    q: str | None = None  # full text, as /v1/search matches it (api/services/search.py `matching_ids_sql`)


@dataclass
class Query:
    """The SQL of one page (`?` placeholders) with its parameters; each row is (summary, *sort key). `driver` is
    the filter whose index drives it (`id` and `timeline`: the list's own order; else `actor`, `source`,
    `language`, `predicate`, `modality`, `polarity`, two or three of those three comma-separated (`predicate,polarity`),
    `date` or `as_of`), `how` whether that index yields the
    list's order (`ordered`), its rows are read and sorted (`sorted`), or the timeline's date ranges are merged
    (`merged`)."""

    sql: str
    params: list[Any]
    driver: str
    how: str


@dataclass
class _Filter:
    """One filter: its check on `f` (ix_claim_filter: the claim's filtered columns), and when it can drive, the
    SQL that counts its claims (capped) and either the index read in id order (`stream`: FROM, WHERE, the
    claim id column, parameters) or the index ranges whose union is its claims (`arms`, on table claim)."""

    name: str
    check: str
    params: list[Any]
    count: str | None = None
    count_params: list[Any] = field(default_factory=list)
    exact: tuple[str, list[Any]] | None = None  # SQL giving its claims' number from a kept count, and its parameters
    months: list[tuple[str, list[Any], bool]] | None = None  # a date range's ranges in id order (_month_arms)
    stream: tuple[str, str, str, list[Any]] | None = None
    arms: list[tuple[str, list[Any]]] | None = None


def get(store: Store, *, claim_id: str, include_deleted: bool = False) -> tuple[bytes, str]:
    return fetch_doc(store, "claim", claim_id, "Claim", include_deleted=include_deleted)


def _check(store: Store, f: ClaimFilters) -> None:
    # An actor or a source in the path (/v1/actors/{id}/claims) is a link filter too.
    refuse_tombstones_through(f.include_deleted, {"actor": f.actor, "source": f.source, "language": f.language, "q": f.q})
    require(store, "actor", f.actor, "actor", "Actor")
    require(store, "source", f.source, "source", "Source")
    if f.role is not None and f.actor is None:
        raise InvalidParameter(
            "Query parameter 'role' filters by the role of an actor: give 'actor' too.",
            errors=[{"loc": ["query", "role"], "msg": "role needs actor", "type": "missing_dependency"}],
        )


def _filters(store: Store, f: ClaimFilters, view: View) -> list[_Filter]:
    """The filters given, in the order they are preferred as drivers when their counts tie (all past the cap). On
    the claim list, two or three of predicate, modality and polarity are one filter (named by them, comma-separated)
    with the index of that combination; the timeline keeps them apart, each with its index in timeline order."""
    nx = "+" if store.sqlite else ""  # SQLite: a check on f must not choose an index of its own for f
    out: list[_Filter] = []
    if f.actor is not None:
        if f.role is not None:
            out.append(_Filter(
                "actor", "EXISTS (SELECT 1 FROM claim_actor ca WHERE ca.claim_id = f.id AND ca.role = ? AND ca.actor_id = ?)",
                [f.role.value, f.actor],
                count="SELECT 1 FROM claim_actor WHERE actor_id = ? AND role = ?", count_params=[f.actor, f.role.value],
                exact=("SELECT count FROM actor_claim_count WHERE actor_id = ? AND role = ?", [f.actor, f.role.value]),
                stream=("claim_actor d", "d.actor_id = ? AND d.role = ?", "d.claim_id", [f.actor, f.role.value]),
            ))
        else:
            # An actor in two roles of one claim has two rows: the one with the first role stands for the claim.
            out.append(_Filter(
                "actor", "EXISTS (SELECT 1 FROM claim_actor ca WHERE ca.claim_id = f.id AND ca.actor_id = ?)", [f.actor],
                count="SELECT 1 FROM claim_actor WHERE actor_id = ?", count_params=[f.actor],
                # Claims in which the actor plays two roles count twice: a bound from above, which is all a choice needs.
                exact=("SELECT sum(count) FROM actor_claim_count WHERE actor_id = ?", [f.actor]),
                stream=("claim_actor d", "d.actor_id = ? AND NOT EXISTS (SELECT 1 FROM claim_actor e WHERE e.actor_id = d.actor_id"
                        " AND e.claim_id = d.claim_id AND e.role < d.role)", "d.claim_id", [f.actor]),
            ))
    if f.source is not None:
        out.append(_Filter(
            "source", "EXISTS (SELECT 1 FROM claim_source cs WHERE cs.claim_id = f.id AND cs.source_id = ?)", [f.source],
            count="SELECT 1 FROM claim_source WHERE source_id = ?", count_params=[f.source],
            exact=("SELECT count FROM source_claim_count WHERE source_id = ?", [f.source]),
            stream=("claim_source d", "d.source_id = ?", "d.claim_id", [f.source]),
        ))
    if f.language is not None and (key := range_key(f.language)) is not None:
        out.append(_Filter(
            "language", "EXISTS (SELECT 1 FROM claim_language cl WHERE cl.claim_id = f.id AND cl.language = ?)", [key],
            count="SELECT 1 FROM claim_language WHERE language = ?", count_params=[key],
            stream=("claim_language d", "d.language = ?", "d.claim_id", [key]),
        ))
    if f.as_of is not None:
        out.append(_Filter(
            "as_of", f"f.published_to IS NOT NULL AND {nx}f.published_to <= ?", [f.as_of],
            count="SELECT 1 FROM claim WHERE published_to <= ?", count_params=[f.as_of],
            arms=[("published_to <= ?", [f.as_of])],
        ))
    first, last = date_span(f.date_from, f.date_to)
    if first is not None or last is not None:
        checks, params = [], []
        if first is not None:
            checks.append(f"{nx}f.event_to >= ?")
            params.append(first)
        if last is not None:
            checks.append(f"{nx}f.event_from <= ?")
            params.append(last)
        arms = overlap_arms("event_from", "event_to", first, last)
        out.append(_Filter("date", " AND ".join(checks), params,
                           count=" UNION ALL ".join(f"SELECT 1 FROM claim WHERE {sql}" for sql, _ in arms),
                           count_params=[p for _, ps in arms for p in ps], arms=arms,
                           months=_month_arms(first, last) if view == "claims" and store.sqlite else None))
    if f.q is not None:
        # The matching claims' ids from the search index (postings intersected): driven in id order from
        # search_doc's (kind, ref_id) index, or checked per row.
        matching, q_params = search_service.matching_ids_sql(store, f.q, search_service.SearchKind.CLAIM)
        out.append(_Filter(
            "q", f"f.id IN ({matching})", q_params,
            count=f"SELECT 1 FROM ({matching}) m", count_params=q_params,
            stream=("search_doc d", f"d.kind = 1 AND d.ref_id IN ({matching})", "d.ref_id", q_params),
        ))
    columns = [(name, value.value) for name, value in (("predicate", f.predicate), ("modality", f.modality),
                                                       ("polarity", f.polarity)) if value is not None]
    if len(columns) > 1 and view == "claims":
        # Two or three of the claim's own columns: one filter, driven by the index of that combination in id order.
        names, values = [name for name, _ in columns], [value for _, value in columns]
        index = f"claim d INDEXED BY ix_claim_{'_'.join(names)}_id" if store.sqlite else "claim d"
        out.append(_Filter(",".join(names), " AND ".join(f"{nx}f.{name} = ?" for name in names), values,
                           count="SELECT 1 FROM claim WHERE " + " AND ".join(f"{name} = ?" for name in names),
                           count_params=values, stream=(index, " AND ".join(f"d.{name} = ?" for name in names), "d.id", values)))
        return out
    for name, value in columns:
        out.append(_Filter(name, f"{nx}f.{name} = ?", [value], count=f"SELECT 1 FROM claim WHERE {name} = ?",
                           count_params=[value], stream=("claim d", f"d.{name} = ?", "d.id", [value])))
    return out


def _months(start: str, end: str) -> list[str]:
    """The months from `start` to `end` (`YYYY-MM`), both included."""
    year, month = int(start[:4]), int(start[5:7])
    out = []
    while (label := f"{year:04d}-{month:02d}") <= end:
        out.append(label)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def _month_arms(first: str | None, last: str | None) -> list[tuple[str, list[Any], bool]] | None:
    """A bounded date range's claims as conditions on `claim d`, each yielding its claims in id order: (SQL,
    parameters, whether it reads `ix_claim_event_month`). None when the range is open or spans more than
    `MONTH_ARMS` months from the start of its first year.

    SQLite only. On PostgreSQL at 1,000,000 claims the planner sorted all 14,500 claims of a three-month range
    (33 ms) rather than merging the 26 ranges, and with each range bounded by a LIMIT it merged them in 0.9 ms but
    took 3.8 ms to plan (reads are planned for each call's values, CUSTOM_PLANS in api/store/db.py): it keeps the
    sorted set or the id-ordered walk.

    A claim whose event time overlaps [first, last] and spans a day, a month or a year (span level 10, 7 or 4)
    starts at or after `first`'s first 10, 7 or 4 characters and by `last`: one range of `ix_claim_event_month` per
    such level and month, each in id order. The rare wider spans (a decade, a century, more) are one more range,
    their ids read from `ix_claim_event_span` (common.overlap_arms) as a set that SQL walks in id order."""
    if first is None or last is None:
        return None
    year_months = _months(f"{first[:4]}-01", last[:7])
    if len(year_months) > MONTH_ARMS:
        return None
    level = span_level("d.event_from", "d.event_to")
    arms: list[tuple[str, list[Any], bool]] = []
    for p in (10, 7, 4):
        for month in (year_months if p == 4 else _months(first[:7], last[:7])):
            arms.append((f"{level} = {p} AND {EVENT_MONTH.replace('event_from', 'd.event_from')} = ?"
                         " AND d.event_from >= ? AND d.event_from <= ? AND d.event_to >= ?",
                         [month, first[:p], last, first], True))
    wide = [(sql, ps) for p, (sql, ps) in zip(SPAN_LEVELS, overlap_arms("event_from", "event_to", first, last), strict=True)
            if p < 4]
    arms.append(("d.id IN (" + " UNION ALL ".join(f"SELECT id FROM claim WHERE {sql}" for sql, _ in wide) + ")",
                 [x for _, ps in wide for x in ps], False))
    return arms


def _counts(store: Store, candidates: list[_Filter], cap: int, wide: int) -> dict[str, int]:
    """Each candidate's claims: read from a kept count where there is one (an actor's, a source's: one row), else
    counted in its index up to the smallest count so far (so a rare one ends the search) and at most `cap`. When
    every kept count is past `cap`, the others are counted up to `wide` (the claim list's `WIDE_CAP`), or the
    smallest kept count if lower, so that a conjunction of common values (`predicate,polarity`: 1% of claims) is told from a common actor
    (25%): both past `cap`, and the first given would otherwise drive."""
    counts: dict[str, int] = {}
    for c in candidates:
        if c.exact is not None:
            row = store.one(*c.exact)
            counts[c.name] = int(row[0] or 0) if row else 0
    if counts:
        least = min(counts.values())
        cap = min(least, cap if least <= cap else max(cap, wide))
    for c in candidates:
        if c.name in counts or cap == 0:
            continue
        assert c.count is not None
        row = store.one(f"SELECT count(*) FROM ({c.count} LIMIT ?) n", [*c.count_params, cap])
        counts[c.name] = row[0] if row else 0
        cap = min(cap, counts[c.name])
    return counts


def _choose(store: Store, filters: list[_Filter], view: View) -> tuple[_Filter | None, dict[str, int]]:
    """The driving filter (None: the list's own order) and the counts that chose it."""
    drivers = [x for x in filters if x.stream is not None or x.arms is not None]
    if not drivers:
        return None, {}
    # Counted when there is a choice to make: between filters, between a set and id order, or (the timeline)
    # between gathering a rare filter's claims and running down the timeline's own index.
    if len(drivers) == 1 and (drivers[0].arms is None or drivers[0].months is not None) and view == "claims":
        return drivers[0], {}
    cap = SET_CAP if any(x.arms is not None for x in drivers) else max(CAP, GATHER)
    counts = _counts(store, drivers, cap, WIDE_CAP if view == "claims" else cap)
    ranked = sorted(drivers, key=lambda x: (counts.get(x.name, cap), drivers.index(x)))
    best = ranked[0]
    if best.arms is not None and best.months is None and counts.get(best.name, cap) >= SET_CAP:
        # A wide date range or as_of: the list's order, behind another filter's index when there is one.
        streams = [x for x in ranked if x.stream is not None]
        return (streams[0] if streams else None), counts
    return best, counts


def _after(columns: Sequence[str], key: list[Any] | None) -> tuple[list[str], list[Any]]:
    if key is None:
        return [], []
    return [f"({', '.join(columns)}) > ({', '.join('?' * len(columns))})"], list(key)


def _in_set(driver: _Filter, key: list[Any] | None, live: bool) -> tuple[str, list[Any]]:
    """`f.id IN (...)`: the driver's claim ids after the cursor's (id order), read from its index ranges."""
    assert driver.arms is not None
    arms, params = [], []
    for sql, ps in driver.arms:
        after, after_params = _after(["id"], key)
        arms.append(" AND ".join([sql, *after, *(["deleted_at IS NULL"] if live else [])]))
        params += [*ps, *after_params]
    return "f.id IN (" + " UNION ALL ".join(f"SELECT id FROM claim WHERE {arm}" for arm in arms) + ")", params


def plan(store: Store, f: ClaimFilters, view: View, key: list[Any] | None, limit: int) -> Query:
    """The query of one page of `view` after the sort key `key` (None: the first page), `limit` + 1 rows."""
    filters = _filters(store, f, view)
    driver, counts = _choose(store, filters, view)
    live = not f.include_deleted
    checks = [x.check for x in filters if x is not driver]
    check_params = [p for x in filters if x is not driver for p in x.params]
    # SQLite would rather look f up by the primary key's unique index than by ix_claim_filter, which holds the
    # columns checked: named, the checks read no row.
    fj = "claim f INDEXED BY ix_claim_filter" if store.sqlite else "claim f"
    if view == "claims":
        return _claims_query(store, driver, checks, check_params, live, key, limit, fj)
    return _timeline_query(store, f, filters, driver, counts, checks, check_params, live, key, limit, fj)


def _claims_query(store: Store, driver: _Filter | None, checks: list[str], check_params: list[Any], live: bool,
                  key: list[Any] | None, limit: int, fj: str) -> Query:
    if driver is not None and driver.months is not None:
        # A bounded date range: its ranges in id order, merged; the other filters checked per entry.
        after, after_params = _after(["d.id"], key)
        rest = [*after, *(["d.deleted_at IS NULL"] if live else []), *(["f.id = d.id", *checks] if checks else [])]
        arms, params = [], []
        for cond, ps, indexed in driver.months:
            source = "claim d INDEXED BY ix_claim_event_month" if indexed and store.sqlite else "claim d"
            arms.append((f"{source} CROSS JOIN {fj}" if checks else source, [cond, *rest]))
            params += [*ps, *after_params, *check_params]
        return Query(_select(store, ["d.id"], "", [], arms=arms), [*params, limit + 1], driver.name, "merged")
    if driver is not None and driver.stream is not None:
        source, cond, id_col, params = driver.stream
        after, after_params = _after([id_col], key)
        where = [cond, *after, *(["d.deleted_at IS NULL"] if live and source.startswith("claim d") else [])]
        if checks:
            joins, where = f"{source} CROSS JOIN {fj}", [*where, f"f.id = {id_col}", *checks]
        else:
            joins = source
        return Query(_select(store, [id_col], joins, where), [*params, *after_params, *check_params, limit + 1], driver.name, "ordered")
    if driver is not None:
        head, params = _in_set(driver, key, live)
        # The cursor's bound on f too: the set's ids are bounded inside it, and PostgreSQL would otherwise walk f's
        # primary key from its start to meet them.
        after, after_params = _after(["f.id"], key)
        where, how, params = [head, *after, *checks], "sorted", [*params, *after_params]
    else:
        after, params = _after(["f.id"], key)
        where, how = [*after, *(["f.deleted_at IS NULL"] if live else []), *checks], "ordered"
    return Query(_select(store, ["f.id"], fj, where), [*params, *check_params, limit + 1], driver.name if driver else "id", how)


def _timeline_query(store: Store, f: ClaimFilters, filters: list[_Filter], driver: _Filter | None, counts: dict[str, int],
                    checks: list[str], check_params: list[Any], live: bool, key: list[Any] | None, limit: int, fj: str) -> Query:
    if driver is not None and driver.name != "date" and counts.get(driver.name, GATHER) < GATHER:
        # A rare filter: gather its claims and sort them by where the timeline places them.
        order = ["f.placed_from", "f.placed_to", "f.id"]
        after, after_params = _after(order, key)
        rest = ["f.placed_from IS NOT NULL", *after, *checks]
        if driver.stream is not None:
            source, cond, id_col, params = driver.stream
            where = [cond, f"f.id = {id_col}", *rest]
            joins = f"{source} CROSS JOIN {fj}"
        else:
            head, params = _in_set(driver, None, live)
            where, joins = [head, *rest], fj
        if live:
            where.append("f.deleted_at IS NULL")
        return Query(_select(store, order, joins, where, dated=True), [*params, *after_params, *check_params, limit + 1], driver.name, "sorted")
    # The timeline's order drives: its own index, or a claim column's in timeline order (the first given of
    # predicate, modality and polarity), or a date range's; every other filter is checked per row.
    date = next((x for x in filters if x.name == "date"), None)
    # A date range keeps claims by event time, so only dated ones, whose place is their event time: the event-time
    # span index serves it in the same order.
    order = ["d.event_from", "d.event_to", "d.id"] if date is not None else ["d.placed_from", "d.placed_to", "d.id"]
    column = next((x for x in filters if x.name in ("predicate", "modality", "polarity")), None) if date is None else None
    checks = [x.check for x in filters if x is not date and x is not column]
    check_params = [p for x in filters if x is not date and x is not column for p in x.params]
    joins = f"claim d CROSS JOIN {fj}" if checks else "claim d"
    rest = [*(["d.deleted_at IS NULL"] if live else []), *(["f.id = d.id", *checks] if checks else [])]
    if date is None:
        after, after_params = _after(order, key)
        column_where, head_params = ([f"d.{column.name} = ?"], column.params) if column is not None else ([], [])
        where = [*column_where, "d.placed_from IS NOT NULL", *after, *rest]
        return Query(_select(store, order, joins, where, dated=True), [*head_params, *after_params, *check_params, limit + 1],
                     column.name if column else "timeline", "ordered")
    # One range of the span-level index per level, each in timeline order, merged.
    first, last = date_span(f.date_from, f.date_to)
    arms, params = [], []
    for sql, ps in overlap_arms("d.event_from", "d.event_to", first, last, after=None if key is None else (order, key)):
        arms.append((joins, [sql, *rest]))
        params += [*ps, *check_params]
    return Query(_select(store, order, "", [], dated=True, arms=arms), [*params, limit + 1], "date", "merged")


def _select(store: Store, order: list[str], joins: str, where: list[str], *, dated: bool = False,
            arms: list[tuple[str, list[str]]] | None = None) -> str:
    """A page's SQL: the rows of `joins` that meet `where` (or of each of `arms`, (joins, where), merged in order),
    in `order` (the sort key, ending in the claim's id), `LIMIT ?`; each row the claim's summary (from `claim c`),
    the sort key and, when `dated`, whether the claim has an event time (`_DATED`).

    SQLite joins `claim c` last (CROSS JOIN keeps that order), so a row is read for each claim served and no
    other. PostgreSQL picks the page's keys first, in a subquery with the LIMIT, and only then reads the rows:
    joined in one query, it chose a merge join over the whole primary key (which the cursor's bound on the
    driving index does not reach), and read the 50,000 rows before page 1,000 (137 ms at 100,000 claims; 2 ms
    with the keys first)."""
    tail = f", {_DATED}" if dated else ""
    cols = ", ".join(order)
    n = len(order)
    if store.sqlite:
        def one(j: str, w: list[str]) -> str:
            return f"SELECT c.summary, {cols}{tail} FROM {j} CROSS JOIN claim c WHERE {' AND '.join([*w, f'c.id = {order[-1]}'])}"
        if arms is None:
            return f"{one(joins, where)} ORDER BY {cols} LIMIT ?"
        # SQLite merges the ranges' ordered outputs.
        return f"{' UNION ALL '.join(one(j, w) for j, w in arms)} ORDER BY {', '.join(str(i + 2) for i in range(n))} LIMIT ?"
    keys = ", ".join(f"{col} AS k{i}" for i, col in enumerate(order))
    outer = ", ".join(f"p.k{i}" for i in range(n))
    if arms is None:
        page = f"SELECT {keys} FROM {joins}{' WHERE ' + ' AND '.join(where) if where else ''} ORDER BY {cols} LIMIT ?"
    else:  # a Merge Append of the ranges
        union = " UNION ALL ".join(f"SELECT {keys} FROM {j} WHERE {' AND '.join(w)}" for j, w in arms)
        page = f"SELECT * FROM ({union}) t ORDER BY {outer.replace('p.', 't.')} LIMIT ?"
    return f"SELECT c.summary, {outer}{tail} FROM ({page}) p CROSS JOIN claim c WHERE c.id = p.k{n - 1} ORDER BY {outer}"


def _scope(f: ClaimFilters, **extra: object) -> dict[str, object]:
    # `q` only when given, so that cursors issued before it existed stay valid. The fields are read as they are
    # (all scalars): dataclasses.asdict would deep-copy each.
    values = {x.name: getattr(f, x.name) for x in fields(f)}
    return {**{k: (v.value if hasattr(v, "value") else v) for k, v in values.items() if k != "q" or v is not None}, **extra}


def _scope_id(f: ClaimFilters, view: View) -> str:
    # The list keeps the name it had in cursors issued before the plans changed (`claim c`, both views).
    return Cursor.scope({**_scope(f, view=view), "@list": "claim c"})


def list_query(store: Store, *, filters: ClaimFilters, view: View, cursor: str | None, limit: int) -> Query:
    """The query that serves this page of `view`, as list_claims and timeline run it (for EXPLAIN). Raises what
    they raise for bad filters or cursors."""
    _check(store, filters)
    key = Cursor.decode(store, cursor, _scope_id(filters, view), _KEYS[view])
    return plan(store, filters, view, key, limit)


def _page(store: Store, filters: ClaimFilters, view: View, limit: int, cursor: str | None) -> Page:
    query = list_query(store, filters=filters, view=view, cursor=cursor, limit=limit)
    rows = store.all(query.sql, query.params)
    key_end = 1 + len(_KEYS[view])
    next_cursor = Cursor.encode(store, rows[limit - 1][1:key_end], _scope_id(filters, view)) if len(rows) > limit else None
    served = rows[:limit]
    if view != "timeline":
        return _as_of(store, Page(items=[r[0] for r in served], next_cursor=next_cursor), filters.as_of)
    placed = [(r[0], _placement(r[1], r[2], r[key_end])) for r in served]
    items = [inflate_summary(summary)[:-1] + placement for summary, placement in placed]
    tags = [summary + placement for summary, placement in placed]
    return _as_of(store, Page(items=items, next_cursor=next_cursor, tags=tags), filters.as_of)


def _placement(start: str, end: str, dated: object) -> bytes:
    """What a timeline entry adds to the claim's summary, with the summary's closing brace: `placement`, where the
    timeline places it (schemas/claim.py TimelineEntry), its event time, or when it has none, its publication."""
    basis = "event_time" if dated else "publication"
    # ISO 8601 days and a fixed word: nothing in them needs escaping in JSON.
    return f',"placement":{{"start":"{start}","end":"{end}","basis":"{basis}"}}}}'.encode()


def _as_of(store: Store, page: Page, as_of: str | None) -> Page:
    """Under `as_of`, a claim lists only the contradictions and corroborations known by then: those all of whose
    claims had been published. The summaries are rendered for today, so the later ones are taken out here."""
    if as_of is None or not page.items:
        return page
    views = [json.loads(inflate(item)) for item in page.items]
    hidden: set[str] = set()
    # The relations' claims' publication dates, read on ix_claim_filter (SQLite would read each claim's row).
    claim = "claim c INDEXED BY ix_claim_filter" if store.sqlite else "claim c"
    for link, fk, listed in (("contradiction_claim", "contradiction_id", "contradiction_ids"),
                            ("corroboration_claim", "corroboration_id", "corroboration_ids")):
        ids = sorted({x for view in views for x in view[listed]})
        if ids:
            hidden |= {row[0] for row in store.all(
                f"SELECT DISTINCT l.{fk} FROM {link} l CROSS JOIN {claim} WHERE c.id = l.claim_id AND l.{fk} IN ({', '.join('?' * len(ids))})"
                " AND (c.published_to IS NULL OR c.published_to > ?)", [*ids, as_of])}
    if not hidden:
        return page
    items = []
    for item, view in zip(page.items, views, strict=True):
        if hidden & {*view["contradiction_ids"], *view["corroboration_ids"]}:
            for listed in ("contradiction_ids", "corroboration_ids"):
                view[listed] = [x for x in view[listed] if x not in hidden]
            item = json.dumps(view, ensure_ascii=False, separators=(",", ":")).encode()
        items.append(item)
    return Page(items=items, next_cursor=page.next_cursor)  # the ETag digests the items as changed


def list_claims(store: Store, *, filters: ClaimFilters, limit: int, cursor: str | None) -> Page:
    """A page of claims in id order (`limit` of them, 1-200) after the cursor's; 422 for an unknown actor or source
    or a role without an actor, 400 for a cursor not issued for these filters."""
    return _page(store, filters, "claims", limit, cursor)


def timeline(store: Store, *, filters: ClaimFilters, limit: int, cursor: str | None) -> Page:
    """A page of the claims in timeline order: by where the timeline places each (first day, last day, id), its event
    time, or when it has none, the publication date of the earliest held document its evidence quotes; each entry
    says which (`placement`). With date_from or date_to, only claims whose event time is in the range (so dated
    ones). Errors as list_claims."""
    return _page(store, filters, "timeline", limit, cursor)


def export_etag(store: Store) -> str:
    """A strong ETag for the whole export: it names the dataset the database was built from and the last change
    applied since (the change feed's `seq`), so it changes whenever any claim's view can have changed."""
    fingerprint, seq = data_state(store)
    state = f"{fingerprint}:{seq}"
    return '"export-' + hashlib.blake2b(state.encode(), digest_size=12).hexdigest() + '"'


def export_lines(store: Store, batch: int = 200) -> Iterator[bytes]:
    """Every live claim's full view, a line each, read in keyset batches so memory stays flat."""
    after = ""
    while True:
        rows = store.all("SELECT id, body FROM claim WHERE deleted_at IS NULL AND id > ? ORDER BY id LIMIT ?", (after, batch))
        for row in rows:
            yield inflate(row[1]) + b"\n"
        if len(rows) < batch:
            return
        after = rows[-1][0]
