"""The lists' query plans: every filter of /v1/claims and /v1/timeline is served by an index, and a page gives the
same claims whichever filter drives it.

The plans are read with the backend's own EXPLAIN on the exact SQL the service runs (claims.list_query): on
SQLite, no step of EXPLAIN QUERY PLAN is a SCAN (a full pass over a table or an index) and, where the driver's
index yields the list's order, there is no temporary B-tree for ORDER BY; on PostgreSQL, whose planner prefers a
sequential scan of a table as small as the shipped dataset's, EXPLAIN runs with `enable_seqscan = off` and no
step may be a `Seq Scan`. The shipped dataset is small, so every filter counts as rare here; the caps that tell a
common filter from a rare one are lowered to reach the other plans (a wide date range run in id order, a common
filter on the timeline run down its index).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy import create_engine, text

from api.services import actors, changes, claims, propositions, sources
from api.services import contradictions as relations
from api.services.claims import ClaimFilters, Query
from api.services.common import Page, use_cursor_secret
from api.store.db import Store
from schemas.vocab import ActorKind, ClaimRole, ContradictionStatus, Modality, Polarity, Predicate, SourceKind
from tests.conftest import walk

pytestmark = pytest.mark.anyio

ACTOR, SOURCE = "egypt", "alkhaleej-aljadeed-2023-09-26-russia-egypt-security-talks"
CLAIM = "sisi-planned-40000-missiles-for-russia"

# (name, filters, the filter that drives with every filter rare (`claims|timeline` where the views differ), as a query
# string for the HTTP check)
CASES: list[tuple[str, ClaimFilters, str, dict[str, str]]] = [
    ("actor", ClaimFilters(actor=ACTOR), "actor", {"actor": ACTOR}),
    ("actor in a role", ClaimFilters(actor=ACTOR, role=ClaimRole("object")), "actor", {"actor": ACTOR, "role": "object"}),
    ("source", ClaimFilters(source=SOURCE), "source", {"source": SOURCE}),
    ("language", ClaimFilters(language="ar"), "language", {"language": "ar"}),
    ("predicate", ClaimFilters(predicate=Predicate("supply_arms")), "predicate", {"predicate": "supply_arms"}),
    ("modality", ClaimFilters(modality=Modality("planned")), "modality", {"modality": "planned"}),
    ("polarity", ClaimFilters(polarity=Polarity("negated")), "polarity", {"polarity": "negated"}),
    ("date range", ClaimFilters(date_from="2023-02", date_to="2023-09"), "date", {"date_from": "2023-02", "date_to": "2023-09"}),
    ("a year's date range", ClaimFilters(date_from="2023", date_to="2023"), "date", {"date_from": "2023", "date_to": "2023"}),
    ("date from", ClaimFilters(date_from="2015"), "date", {"date_from": "2015"}),
    ("date to", ClaimFilters(date_to="2014-06"), "date", {"date_to": "2014-06"}),
    ("as of", ClaimFilters(as_of="2023-04-12"), "as_of", {"as_of": "2023-04-12"}),
    ("deleted too", ClaimFilters(predicate=Predicate("supply_arms"), include_deleted=True), "predicate",
     {"predicate": "supply_arms", "include_deleted": "true"}),
    # On the claim list two of a claim's own columns are one filter, with their pair's index; the timeline keeps them apart.
    ("actor, predicate, polarity", ClaimFilters(actor=ACTOR, predicate=Predicate("supply_arms"), polarity=Polarity("negated")),
     "predicate,polarity|polarity", {"actor": ACTOR, "predicate": "supply_arms", "polarity": "negated"}),
    ("predicate, modality, polarity",
     ClaimFilters(predicate=Predicate("supply_arms"), modality=Modality("planned"), polarity=Polarity("affirmed")),
     "predicate,modality,polarity|predicate", {"predicate": "supply_arms", "modality": "planned", "polarity": "affirmed"}),
    ("modality, polarity, language", ClaimFilters(language="ar", modality=Modality("planned"), polarity=Polarity("affirmed")),
     "modality,polarity|modality", {"language": "ar", "modality": "planned", "polarity": "affirmed"}),
    ("language, modality", ClaimFilters(language="ar", modality=Modality("planned")), "modality",
     {"language": "ar", "modality": "planned"}),
    ("actor, date range, as of", ClaimFilters(actor=ACTOR, date_from="2013", date_to="2016", as_of="2023-12-31"), "date",
     {"actor": ACTOR, "date_from": "2013", "date_to": "2016", "as_of": "2023-12-31"}),
    ("source, language, date", ClaimFilters(source=SOURCE, language="ar", date_from="2023"), "date",
     {"source": SOURCE, "language": "ar", "date_from": "2023"}),
    # An actor with one claim beats a predicate with 13, though the predicate is the claim's own column.
    ("rare actor, common predicate", ClaimFilters(actor="china", predicate=Predicate("supply_arms")), "actor",
     {"actor": "china", "predicate": "supply_arms"}),
]
MONTHS_MERGED = {"date range", "a year's date range"}
"""The CASES whose date range the claim list reads as ranges of ix_claim_event_month in id order, merged."""


def without_seqscan(database_url: str) -> None:
    """On PostgreSQL, every later connection to this test's own database plans without sequential scans."""
    if database_url.startswith("postgresql"):
        name = database_url.rsplit("/", 1)[1]
        engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.execute(text(f"ALTER DATABASE {name} SET enable_seqscan = off"))
        finally:
            engine.dispose()


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    without_seqscan(database_url)
    s = Store(database_url)
    use_cursor_secret(s, "query-plan-test-secret")
    yield s
    s.close()


def plan_of(store: Store, query: Query) -> list[str]:
    if store.sqlite:
        return [row[3] for row in store.all("EXPLAIN QUERY PLAN " + query.sql, query.params)]
    return [row[0] for row in store.all("EXPLAIN " + query.sql, query.params)]


def assert_indexed(store: Store, query: Query) -> None:
    """No step reads a whole table (or index); none sorts what the driver's index already yields in order."""
    plan = plan_of(store, query)
    shown = "\n".join(plan)
    if store.sqlite:
        assert not [step for step in plan if step.startswith("SCAN ")], shown
        if query.how in ("ordered", "merged"):
            assert not [step for step in plan if "TEMP B-TREE FOR ORDER BY" in step], shown
    else:
        assert "Seq Scan" not in shown, shown


def second_page(store: Store, f: ClaimFilters, view: claims.View) -> str | None:
    page = claims.timeline(store, filters=f, limit=1, cursor=None) if view == "timeline" else \
        claims.list_claims(store, filters=f, limit=1, cursor=None)
    return page.next_cursor


@pytest.mark.parametrize("view", ["claims", "timeline"])
def test_every_filter_is_served_by_an_index(store: Store, view: claims.View) -> None:
    for name, f, drivers, _ in CASES:
        driver = drivers.split("|")[view == "timeline"] if "|" in drivers else drivers
        for cursor in (None, second_page(store, f, view)):
            query = claims.list_query(store, filters=f, view=view, cursor=cursor, limit=50)
            assert query.driver == driver, name
            # A bounded date range of at most MONTH_ARMS months merges ranges in id order on the claim list too (SQLite).
            assert query.how == ("merged" if driver == "date" and (view == "timeline" or (name in MONTHS_MERGED and store.sqlite)) else
                                 "sorted" if view == "timeline" or driver in ("date", "as_of") else "ordered"), name
            assert_indexed(store, query)


@pytest.mark.parametrize("view", ["claims", "timeline"])
def test_common_filters_run_in_the_lists_order(store: Store, view: claims.View, monkeypatch: pytest.MonkeyPatch) -> None:
    # Every filter counted as common: the timeline runs down its index (its date ranges, or a claim column's
    # index in timeline order), the claim list in the order of the first filter given with an index in id order.
    monkeypatch.setattr(claims, "SET_CAP", 0)
    monkeypatch.setattr(claims, "GATHER", 0)
    for name, f, _, _ in CASES:
        query = claims.list_query(store, filters=f, view=view, cursor=second_page(store, f, view), limit=50)
        if view == "timeline":
            assert query.driver in ("timeline", "date", "predicate", "modality", "polarity"), name
            assert query.how in ("ordered", "merged"), name
        if query.driver != "id":  # id: a wide date range alone (the next test)
            assert_indexed(store, query)


def test_a_wide_date_range_alone_runs_in_id_order(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    # The documented exception: a date range (or as_of) that matches SET_CAP claims or more, with no other filter,
    # reads the claims in id order and checks the dates per row (about limit / its share of claims per page), on
    # an index that holds them.
    monkeypatch.setattr(claims, "SET_CAP", 0)
    for f in (ClaimFilters(date_from="2013"), ClaimFilters(as_of="2023-12-31")):
        query = claims.list_query(store, filters=f, view="claims", cursor=None, limit=50)
        assert (query.driver, query.how) == ("id", "ordered")
        plan = plan_of(store, query)
        if store.sqlite:
            # In id order on ix_claim_filter, which holds the dates: a claim's row is read only when it is served.
            assert plan == ["SCAN f USING COVERING INDEX ix_claim_filter", "SEARCH c USING INDEX sqlite_autoindex_claim_1 (id=?)"], plan
        else:
            assert "Seq Scan" not in "\n".join(plan), plan


def test_a_bounded_date_range_merges_ranges_in_id_order(store: Store) -> None:
    # February to September 2023 on the claim list (SQLite): for each span level of a day, a month and a year, one
    # range of ix_claim_event_month per month (a year's from January), each in id order; the wider spans' ids as one
    # set. Merged, nothing is sorted, and only the rows served are read. PostgreSQL keeps the sorted set.
    f = ClaimFilters(date_from="2023-02", date_to="2023-09")
    query = claims.list_query(store, filters=f, view="claims", cursor=None, limit=50)
    if not store.sqlite:
        assert (query.driver, query.how) == ("date", "sorted")
        return
    assert (query.driver, query.how) == ("date", "merged")
    assert query.sql.count("INDEXED BY ix_claim_event_month") == 8 + 8 + 9
    plan = plan_of(store, query)
    shown = "\n".join(plan)
    assert sum("USING COVERING INDEX ix_claim_event_month (<expr>=? AND <expr>=?" in step for step in plan) == 25, shown
    assert not [step for step in plan if "TEMP B-TREE" in step or step.startswith("SCAN ")], shown


def rows_read(node: dict[str, Any], alias: str) -> int:
    """How many rows the plan node and those under it read from the table named `alias` (EXPLAIN ANALYZE's actual
    rows times loops)."""
    own = int(node["Actual Rows"]) * int(node["Actual Loops"]) if node.get("Alias") == alias else 0
    return own + sum(rows_read(child, alias) for child in node.get("Plans", []))


def deep_cursor(store: Store, f: ClaimFilters, view: claims.View, pages: int) -> str | None:
    cursor = None
    for _ in range(pages):
        page = claims.timeline(store, filters=f, limit=2, cursor=cursor) if view == "timeline" else \
            claims.list_claims(store, filters=f, limit=2, cursor=cursor)
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    return cursor


@pytest.mark.parametrize("view", ["claims", "timeline"])
@pytest.mark.parametrize("caps", [(1000, 4000, 1000), (0, 0, 0)])
def test_a_page_reads_the_rows_it_serves_and_no_others(store: Store, view: claims.View, caps, monkeypatch: pytest.MonkeyPatch) -> None:
    # The claim rows (`claim c`, which hold the summaries) are read for the page's claims alone, however deep the
    # page and whichever filter drives: on PostgreSQL a merge join over claim's primary key once read every row
    # before the cursor. SQLite joins claim c last, by id (the plan tests above); PostgreSQL's EXPLAIN ANALYZE
    # counts the rows.
    if store.sqlite:
        for name, f, _, _ in [("id", ClaimFilters(), "", {}), *CASES]:
            query = claims.list_query(store, filters=f, view=view, cursor=deep_cursor(store, f, view, 5), limit=3)
            assert [step for step in plan_of(store, query) if step.startswith(("SCAN c ", "SEARCH c "))] == \
                ["SEARCH c USING INDEX sqlite_autoindex_claim_1 (id=?)"] * (query.sql.count("claim c")), name
        return
    monkeypatch.setattr(claims, "CAP", caps[0])
    monkeypatch.setattr(claims, "SET_CAP", caps[1])
    monkeypatch.setattr(claims, "GATHER", caps[2])
    for name, f, _, _ in [("id", ClaimFilters(), "", {}), *CASES]:
        query = claims.list_query(store, filters=f, view=view, cursor=deep_cursor(store, f, view, 5), limit=3)
        plan = store.one("EXPLAIN (ANALYZE, FORMAT JSON) " + query.sql, query.params)
        assert plan is not None
        root = (plan[0] if isinstance(plan[0], list) else __import__("json").loads(plan[0]))[0]["Plan"]
        assert rows_read(root, "c") <= 4, (name, query.sql)


@pytest.mark.parametrize("caps", [(1000, 4000, 1000), (0, 0, 0), (1, 1, 1), (10**6, 10**6, 10**6)])
async def test_pages_are_the_same_whichever_filter_drives(client, monkeypatch: pytest.MonkeyPatch, caps) -> None:
    expected = {
        ("claims", "actor"): 78, ("claims", "language"): 35, ("claims", "date range"): 7, ("timeline", "date range"): 7,
        ("claims", "as of"): 61, ("claims", "a year's date range"): 9, ("timeline", "a year's date range"): 9,
        ("claims", "actor, predicate, polarity"): 1, ("claims", "predicate, modality, polarity"): 3,
        ("claims", "modality, polarity, language"): 1,
    }
    walked: dict[tuple[str, str], list[str]] = {}
    for view, path in (("claims", "/v1/claims"), ("timeline", "/v1/timeline")):
        monkeypatch.setattr(claims, "CAP", caps[0])
        monkeypatch.setattr(claims, "SET_CAP", caps[1])
        monkeypatch.setattr(claims, "GATHER", caps[2])
        monkeypatch.setattr(claims, "WIDE_CAP", caps[1])
        for name, _, _, query in CASES:
            walked[(view, name)] = [c["id"] for c in await walk(client, f"{path}?{urlencode({**query, 'limit': 3})}")]
        monkeypatch.undo()
        every = await walk(client, f"{path}?limit=200")
        for name, _, _, query in CASES:
            ids = walked[(view, name)]
            assert len(ids) == len(set(ids)), name
            reference = [c["id"] for c in await walk(client, f"{path}?{urlencode({**query, 'limit': 200})}")]
            assert ids == reference, name
            order = [c["id"] for c in every]
            if "include_deleted" not in query:
                assert [i for i in order if i in set(ids)] == ids, name  # the list's own order
    for key, count in expected.items():
        assert len(walked[key]) == count, key


class RecordingStore(Store):
    """A store that keeps every statement it runs, with its parameters, to EXPLAIN them after."""

    def __init__(self, database_url: str) -> None:
        super().__init__(database_url)
        self.statements: list[tuple[str, list[Any]]] = []

    def one(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        self.statements.append((sql, list(params)))
        return super().one(sql, params)

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        self.statements.append((sql, list(params)))
        return super().all(sql, params)


@pytest.fixture
def recording(database_url: str) -> Iterator[RecordingStore]:
    without_seqscan(database_url)
    s = RecordingStore(database_url)
    use_cursor_secret(s, "query-plan-test-secret")
    yield s
    s.close()


RELATION = {"kind": None, "status": None, "origin": None, "rule": None, "claim": None, "actor": None, "as_of": None,
            "include_deleted": False}
SOURCE = {"kind": None, "language": None, "publisher": None, "cites": None, "date_from": None, "date_to": None,
          "include_deleted": False}

# (name, the call of the service that serves the list, on a store)
OTHER_LISTS: list[tuple[str, Callable[[Store], Page]]] = [
    ("actors, kind", lambda s: actors.list_actors(s, kind=ActorKind("person"), unnamed=None, include_deleted=False, limit=5,
                                                  cursor=None)),
    ("actors, unnamed", lambda s: actors.list_actors(s, kind=None, unnamed=True, include_deleted=False, limit=5, cursor=None)),
    ("sources, kind", lambda s: sources.list_sources(s, **{**SOURCE, "kind": SourceKind("news_article")}, limit=5, cursor=None)),
    ("sources, language", lambda s: sources.list_sources(s, **{**SOURCE, "language": "ar"}, limit=5, cursor=None)),
    ("sources, publisher", lambda s: sources.list_sources(s, **{**SOURCE, "publisher": "alkhaleej-aljadeed"}, limit=5,
                                                          cursor=None)),
    ("sources, cites", lambda s: sources.list_sources(s, **{**SOURCE, "cites": "abdul-atti-remarks-to-asharq-al-awsat-2013-russia-talks"},
                                                      limit=5, cursor=None)),
    ("sources, date range", lambda s: sources.list_sources(s, **{**SOURCE, "date_from": "2023-02", "date_to": "2023-09"},
                                                           limit=5, cursor=None)),
    ("contradictions, claim", lambda s: relations.list_contradictions(s, **{**RELATION, "claim": CLAIM}, limit=5, cursor=None)),
    ("contradictions, actor", lambda s: relations.list_contradictions(s, **{**RELATION, "actor": ACTOR}, limit=5, cursor=None)),
    ("contradictions, rule", lambda s: relations.list_contradictions(s, **{**RELATION, "rule": "opposite-polarity"}, limit=5,
                                                                     cursor=None)),
    ("contradictions, status", lambda s: relations.list_contradictions(s, **{**RELATION, "status": ContradictionStatus("open")},
                                                                       limit=5, cursor=None)),
    ("corroborations, claim", lambda s: relations.list_corroborations(s, **{**RELATION, "claim": CLAIM}, independent=None,
                                                                      limit=5, cursor=None)),
    ("corroborations, actor", lambda s: relations.list_corroborations(s, **{**RELATION, "actor": ACTOR}, independent=None,
                                                                      limit=5, cursor=None)),
    ("corroborations, independent", lambda s: relations.list_corroborations(s, **RELATION, independent=False, limit=5,
                                                                            cursor=None)),
    ("propositions, actor", lambda s: propositions.list_propositions(s, filters=propositions.PropositionFilters(actor=ACTOR),
                                                                     limit=5, cursor=None)),
    ("propositions, predicate", lambda s: propositions.list_propositions(
        s, filters=propositions.PropositionFilters(predicate=Predicate("supply_arms")), limit=5, cursor=None)),
    ("changes, resource", lambda s: changes.list_changes(s, after=None, resource="claim", limit=5, cursor=None)),
    ("changes, after", lambda s: changes.list_changes(s, after=100, resource=None, limit=5, cursor=None)),
    ("revisions", lambda s: changes.list_revisions(s, resource="claim", resource_id=CLAIM, limit=5, cursor=None)),
]
LISTED = ("actor", "source", "contradiction", "corroboration", "claim_proposition", "revision")


def assert_no_scan(store: RecordingStore, statements: list[tuple[str, list[Any]]]) -> None:
    """Each statement's plan reads the listed tables through an index: no `SCAN <table>` (SQLite), no `Seq Scan`
    (PostgreSQL)."""
    for sql, params in statements:
        plan = plan_of(store, Query(sql, params, "", ""))
        shown = "\n".join(plan)
        if store.sqlite:
            assert not [step for step in plan if step.startswith(tuple(f"SCAN {t}" for t in LISTED))], shown
        else:
            assert "Seq Scan" not in shown, shown


@pytest.mark.parametrize("name,serve", OTHER_LISTS, ids=[name for name, _ in OTHER_LISTS])
def test_other_lists_are_served_by_an_index(recording: RecordingStore, name: str, serve: Callable[[Store], Page]) -> None:
    page = serve(recording)
    assert page.items, name  # each case lists something on the shipped dataset
    listing = [(sql, params) for sql, params in recording.statements if "LIMIT ?" in sql and "count(*)" not in sql]
    assert listing, name
    assert_no_scan(recording, listing)


SEARCHED = ("actor", "source", "claim", "search_doc", "search_posting", "search_word", "revision", "meta", "document_name")
SEARCHES = ["egypt", "السيسي", "40,000", "rockets russia", "sisi", "hovercraft"]


@pytest.mark.parametrize("q", SEARCHES)
def test_searches_are_served_by_indexes(recording: RecordingStore, q: str) -> None:
    """Every statement a search sends, first page and the next, reads each table through an index: among them the
    join of an index row with its record (on PostgreSQL search_doc.ref_id has the "C" collation and the records' ids the
    default one, which no index of the records would serve unless the join names the records' collation)."""
    from api.services import search

    first = search.search(recording, q=q, kind=None, limit=2, cursor=None)
    if first.next_cursor is not None:
        search.search(recording, q=q, kind=None, limit=2, cursor=first.next_cursor)
    sent = list(recording.statements)
    assert sent, q
    for sql, params in sent:
        plan = plan_of(recording, Query(sql, params, "", ""))
        shown = "\n".join(plan)
        if recording.sqlite:
            assert not [step for step in plan if step.startswith(tuple(f"SCAN {t}" for t in SEARCHED))], f"{sql}\n{shown}"
        else:
            assert "Seq Scan" not in shown, f"{sql}\n{shown}"
