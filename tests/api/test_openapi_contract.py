"""The OpenAPI document as a contract: what generated clients and tools rely on (keys, preconditions, headers,
problems, enums, input and output forms), and the runtime behaviour behind the parts of it that changed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from api.engine.rules import RULES_BY_NAME
from api.errors import BadRequest, ProblemError
from api.http.openapi import IF_MATCH_PATTERN
from api.main import create_app
from api.services.preconditions import parse_tags
from schemas.common import (
    CALENDAR_DATE_PATTERN,
    CALENDAR_DAY_PATTERN,
    DAY_PATTERN,
    PARTIAL_DATE_PATTERN,
    SLUG_PATTERN,
    date_bounds,
)
from schemas.vocab import UNKNOWN_VALUES, DetectionRule, RelationOrigin
from schemas.writes import ActorPatch, ClaimPatch, ContradictionPatch, CorroborationPatch, SourcePatch
from tests.conftest import assert_problem

pytestmark = pytest.mark.anyio
SPEC = create_app().openapi()
SCHEMAS: dict[str, Any] = SPEC["components"]["schemas"]
WRITES = ("post", "put", "patch", "delete")


def operations() -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in SPEC["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def refs_in(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if "$ref" in node:
            yield node["$ref"].rsplit("/", 1)[-1]
        for value in node.values():
            yield from refs_in(value)
    elif isinstance(node, list):
        for value in node:
            yield from refs_in(value)


def reachable(roots: Iterator[str]) -> set[str]:
    seen: set[str] = set()
    pending = list(roots)
    while pending:
        name = pending.pop()
        if name in SCHEMAS and name not in seen:
            seen.add(name)
            pending += refs_in(SCHEMAS[name])
    return seen


def response_schemas() -> set[str]:
    return reachable(name for _, _, op in operations() for r in op["responses"].values() for name in refs_in(r.get("content", {})))


def request_schemas() -> set[str]:
    return reachable(name for _, _, op in operations() for name in refs_in(op.get("requestBody", {})))


def test_keys_are_declared_and_every_write_names_the_scope_it_needs():
    schemes = SPEC["components"]["securitySchemes"]
    assert schemes["bearerAuth"]["type"] == "http" and schemes["bearerAuth"]["scheme"] == "bearer"
    assert (schemes["apiKeyAuth"]["type"], schemes["apiKeyAuth"]["in"], schemes["apiKeyAuth"]["name"]) == ("apiKey", "header", "X-API-Key")
    scopes = {}
    for path, method, op in operations():
        if method in WRITES:
            [bearer, api_key] = op["security"]
            assert list(bearer) == ["bearerAuth"] and list(api_key) == ["apiKeyAuth"] and bearer["bearerAuth"] == api_key["apiKeyAuth"]
            scopes[f"{method.upper()} {path}"] = bearer["bearerAuth"]
            assert {"400", "401", "403", "408", "413"} <= set(op["responses"]), path
        else:
            assert "security" not in op, path  # the document's own: no key, or one with scope `read`
            assert "CLAIMS_READ_REQUIRES_KEY" in op["responses"]["401"]["description"], path
            assert "403" in op["responses"], path
    assert SPEC["security"] == [{}, {"bearerAuth": ["read"]}, {"apiKeyAuth": ["read"]}]
    assert scopes["PUT /v1/engine/knowledge"] == ["admin"]
    assert {tuple(s) for k, s in scopes.items() if k != "PUT /v1/engine/knowledge"} == {("write",)}
    assert len(scopes) == 23


def test_every_operation_documents_500_as_an_internal_problem():
    for path, _, op in operations():
        internal = op["responses"]["500"]
        assert internal["content"] == {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}, path
        assert "/problems/internal" in internal["description"]
    assert SCHEMAS["Problem"]["properties"]["type"] == {"$ref": "#/components/schemas/ProblemType"}


def test_every_problem_type_the_code_raises_is_in_the_enum():
    raised = set()
    pending: list[type[ProblemError]] = [ProblemError]
    while pending:
        cls = pending.pop()
        raised.add(cls.type)
        pending += cls.__subclasses__()
    problem_types = SCHEMAS["ProblemType"]
    others = {"/problems/method-not-allowed", "/problems/request-timeout", "/problems/internal", "/problems/unknown-parameter"}
    assert raised | others <= set(problem_types["enum"])
    assert problem_types["x-enum-descriptions"]["/problems/precondition-required"] == "428 Precondition Required"
    assert "handled by its `status`" in problem_types["description"]
    assert "error_id" in SCHEMAS["Problem"]["properties"] and "error_id" not in SCHEMAS["Problem"]["required"]


def test_if_match_is_required_and_never_null_on_patch_and_delete():
    checked = 0
    for path, method, op in operations():
        headers = {p["name"]: p for p in op.get("parameters", []) if p.get("in") == "header"}
        assert not {name for name in headers if name != name.title()}, path  # canonical names: If-Match, not if-match
        if method in ("patch", "delete") or "If-Match" in headers:  # the member edits' POST too
            if_match = headers["If-Match"]
            assert (if_match["required"], if_match["schema"]) == (True, {"type": "string", "pattern": IF_MATCH_PATTERN}), path
            assert "RFC 9110" in if_match["description"] and "428" in if_match["description"]
            assert {"400", "412", "428"} <= set(op["responses"]), path
            assert "If-Match" in op["responses"]["400"]["description"]
            checked += 1
        if method == "post" and "Idempotency-Key" in headers:
            key = headers["Idempotency-Key"]
            assert key["required"] is False and key["schema"]["type"] == "string" and key["schema"]["minLength"] == 1, path
            assert "anyOf" not in key["schema"]
    assert checked == 15


@pytest.mark.parametrize(("value", "accepted"), [
    ("*", True), (" * ", True), ('"3-ab"', True), ('W/"3-ab"', True), ('"a", W/"b"', True), ('"a", ,"b"', True),
    (',"a"', True), ('"a",', True), ('""', True), ('"é"', True), (",".join(['"t"'] * 64), True),
    ("3", False), ("", False), ("  ", False), ('"a', False), ('"a"b', False), ('*,"a"', False), ('w/"a"', False),
    ('"a b"', False), ('"Ā"', False), (",".join(['"t"'] * 65), False),
])
def test_the_if_match_pattern_admits_what_the_server_parses(value, accepted):
    try:
        parse_tags(value, "If-Match")
        parsed = True
    except BadRequest:
        parsed = False
    assert parsed is accepted
    assert (re.search(IF_MATCH_PATTERN.replace("$", r"\Z"), value) is not None) is accepted


def test_reads_take_if_none_match_and_a_304_is_no_success_data():
    for path, method, op in operations():
        responses = op["responses"]
        if method == "get":
            assert "304" in responses, path
            assert {"$ref": "#/components/parameters/IfNoneMatch"} in op["parameters"], path
        for status, response in responses.items():
            if status == "304":
                assert "content" not in response, path
                vary = {"Vary": {"$ref": "#/components/headers/Vary"}} if path in STORED_VIEWS else {}
                assert response["headers"] == {"ETag": {"$ref": "#/components/headers/ETag"}, **vary}
            elif status.startswith("2") and status != "204":
                assert response["content"], (path, status)
                assert response["headers"]["ETag"] == {"$ref": "#/components/headers/ETag"}, (path, status)
    if_none_match = SPEC["components"]["parameters"]["IfNoneMatch"]
    assert (if_none_match["name"], if_none_match["in"], if_none_match["required"]) == ("If-None-Match", "header", False)


def test_lists_send_link_and_creates_send_location():
    lists = 0
    for path, method, op in operations():
        ok = op["responses"].get("200", {})
        schema = ok.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref", "")
        if schema.endswith("Page"):
            assert ok["headers"]["Link"] == {"$ref": "#/components/headers/Link"}, path
            lists += 1
        if method == "post" and path.count("/") == 2:
            assert op["responses"]["201"]["headers"]["Location"] == {"$ref": "#/components/headers/Location"}, path
    assert lists == 16
    assert set(SPEC["components"]["headers"]) == {"ETag", "Link", "Location", "Content-Encoding", "Vary"}


STORED_VIEWS = {"/v1/actors/{actor_id}", "/v1/sources/{source_id}", "/v1/claims/{claim_id}",
                "/v1/contradictions/{contradiction_id}", "/v1/corroborations/{corroboration_id}"}


def test_reads_of_stored_views_state_their_content_coding():
    """A record's view is sent gzip-compressed or decoded by Accept-Encoding (tests/api/test_content_encoding.py)."""
    encoded = set()
    for path, method, op in operations():
        headers = op["responses"].get("200", {}).get("headers", {})
        if "Content-Encoding" in headers:
            encoded.add(path)
            assert method == "get" and headers["Vary"] == {"$ref": "#/components/headers/Vary"}, path
    assert encoded == STORED_VIEWS
    assert SPEC["components"]["headers"]["Content-Encoding"]["schema"] == {"type": "string", "enum": ["gzip"]}


def test_page_schemas_are_named_for_what_they_list():
    assert not [name for name in SCHEMAS if name.startswith("Page") or "-Input" in name or "-Output" in name]
    pages = {name for name in SCHEMAS if name.endswith("Page")}
    assert pages == {"ActorPage", "ChangePage", "ClaimPage", "ContradictionPage", "CorroborationPage", "PropositionPage",
                     "SearchHitPage", "SourcePage", "TimelinePage"}
    assert SCHEMAS["ClaimPage"]["properties"]["items"]["items"] == {"$ref": "#/components/schemas/ClaimSummary"}


def test_no_response_schema_forbids_fields_added_later():
    outputs = response_schemas()
    assert {"ClaimPublic", "EventTimePublic", "QuantityPublic", "DateValuePublic", "KnowledgePublic"} <= outputs
    assert not [name for name in outputs if SCHEMAS[name].get("additionalProperties") is False]
    assert not outputs & {"EventTime", "Quantity", "DateValue", "Knowledge", "DateRef"}


def test_input_and_output_forms_differ_where_the_server_fills_defaults():
    assert {"EventTime", "Quantity", "DateValue", "Knowledge"} <= request_schemas()
    for name in ("EventTime", "Quantity", "DateValue"):
        given, served = SCHEMAS[name], SCHEMAS[f"{name}Public"]
        assert given["additionalProperties"] is False
        assert set(served["required"]) == set(served["properties"]), name  # every field is always rendered
        assert set(given["required"]) < set(served["required"]), name
    assert SCHEMAS["EventTime"]["required"] == ["start", "precision"]
    assert "Default: `false`." in SCHEMAS["EventTime"]["properties"]["inferred"]["description"]


def test_no_schema_carries_a_default():
    """openapi-typescript types a property that has a default as required: an optional request field must not."""
    for name, schema in SCHEMAS.items():
        assert not [p for p, prop in schema.get("properties", {}).items() if "default" in prop], name


def test_patch_fields_are_optional_nullable_only_where_null_clears_and_keep_their_constraints():
    for model in (ActorPatch, SourcePatch, ClaimPatch, ContradictionPatch, CorroborationPatch):
        schema = SCHEMAS[model.__name__]
        assert "required" not in schema, model.__name__
        for name, prop in schema["properties"].items():
            nullable = {"type": "null"} in prop.get("anyOf", [])
            assert nullable == ("`null` clears it." in prop.get("description", "")), (model.__name__, name)
    claim = SCHEMAS["ClaimPatch"]["properties"]
    assert (claim["subject"]["pattern"], claim["subject"]["maxLength"], claim["statement"]["minLength"]) == (SLUG_PATTERN, 120, 1)
    assert claim["polarity"] == {"$ref": "#/components/schemas/Polarity"}
    assert claim["note"]["anyOf"] == [{"type": "string", "pattern": "\\S"}, {"type": "null"}]
    assert (claim["statement"]["pattern"], claim["quantity"]["anyOf"][0]["$ref"]) == ("\\S", "#/components/schemas/Quantity")
    assert SCHEMAS["ContradictionPatch"]["properties"]["claims"]["minItems"] == 2
    assert "null" in SCHEMAS["ClaimPatch"]["description"]


def test_closed_sets_are_enums_and_clients_are_told_vocabularies_grow():
    def ref(schema: str, prop: str) -> Any:
        value = SCHEMAS[schema]["properties"][prop]
        return value.get("$ref") or value["items"]["$ref"]

    assert ref("Change", "resource").endswith("/ChangeResource") and ref("Change", "action").endswith("/ChangeAction")
    assert ref("Reference", "resource").endswith("/RecordKind")
    assert ref("SearchHit", "field").endswith("/SearchField")
    assert ref("ContradictionPublic", "origin").endswith("/RelationOrigin")
    assert ref("ContradictionPublic", "detected_by").endswith("/DetectionRule")
    assert ref("ClaimContradiction", "origin").endswith("/RelationOrigin")
    assert ref("RulePublic", "name").endswith("/DetectionRule")
    assert SCHEMAS["ChangeResource"]["enum"] == ["actor", "source", "claim", "contradiction", "corroboration", "role", "knowledge"]
    assert SCHEMAS["SearchField"]["enum"] == ["name", "description", "statement", "quote", "translation", "title", "text"]
    for name, schema in SCHEMAS.items():
        if "enum" in schema:
            assert UNKNOWN_VALUES in schema["description"], name
    assert "Enumerations grow." in SPEC["info"]["description"]


def test_detection_rule_vocabularies_are_the_engines_rules():
    assert {r.value for r in DetectionRule} == set(RULES_BY_NAME)
    assert [o.value for o in RelationOrigin] == ["curated", *(r.value for r in DetectionRule)]


def test_a_claims_contradictions_list_its_side_apart_and_corroboration_members_have_no_side():
    claim_contradiction = SCHEMAS["ClaimContradiction"]["properties"]
    assert claim_contradiction["side"] == {"$ref": "#/components/schemas/ContradictionSide", "description": "This claim's side."}
    assert claim_contradiction["same_side"]["items"] == claim_contradiction["opposing_side"]["items"] == {"$ref": "#/components/schemas/RelatedClaim"}
    assert "side" not in SCHEMAS["RelatedClaim"]["properties"] and "side" not in SCHEMAS["CorroborationMember"]["properties"]
    assert SCHEMAS["ContradictionMember"]["properties"]["side"]["$ref"].endswith("/ContradictionSide")
    assert "side" in SCHEMAS["ContradictionMember"]["required"]


def test_export_lines_are_claims():
    ok = SPEC["paths"]["/v1/export/claims"]["get"]["responses"]["200"]
    assert ok["content"] == {"application/x-ndjson": {
        "schema": {"type": "string", "contentMediaType": "application/x-ndjson"},
        "x-itemSchema": {"$ref": "#/components/schemas/ClaimPublic"},
    }}
    assert "each line one `ClaimPublic`" in ok["description"]


def test_one_naming_rule_language_and_partial_dates():
    for name, schema in SCHEMAS.items():
        assert "lang" not in schema.get("properties", {}), name
    assert SCHEMAS["Name"]["required"] == ["value", "language"] and "language" in SCHEMAS["NameIn"]["required"]
    assert "DateRef" not in SCHEMAS
    assert SCHEMAS["SourceRef"]["properties"]["published"]["anyOf"][0] == {"$ref": "#/components/schemas/DateValuePublic"}
    assert SCHEMAS["DateValuePublic"]["properties"]["date"] == {"$ref": "#/components/schemas/PartialDate"}
    params = {p["name"]: p["schema"] for p in SPEC["paths"]["/v1/claims"]["get"]["parameters"] if "name" in p}
    assert params["date_from"]["anyOf"][0] == {"$ref": "#/components/schemas/PartialDate"}
    assert params["as_of"]["anyOf"][0] == {"$ref": "#/components/schemas/Day"}
    assert (SCHEMAS["PartialDate"]["pattern"], SCHEMAS["Day"]["pattern"]) == (CALENDAR_DATE_PATTERN, CALENDAR_DAY_PATTERN)


def _accepted(value: str, pattern: str) -> bool:
    """What the server accepts: the plain pattern the route checks, then the calendar (`check_date`)."""
    if not re.fullmatch(pattern, value):
        return False
    try:
        date_bounds(value)
    except ValueError:
        return False
    return True


def test_documented_date_patterns_admit_exactly_the_dates_the_server_accepts():
    years = ["0000", "0001", "0004", "0100", "0400", "1900", "2000", "2023", "2024", "2100", "9999", "٢٠٢٣", "20x3"]
    candidates = [*years]
    for year in years:
        for month in range(0, 14):
            candidates.append(f"{year}-{month:02d}")
            candidates += [f"{year}-{month:02d}-{day:02d}" for day in range(0, 33)]
    candidates += ["2023-2", "2023-02-1", "2023-02-17T00:00", " 2023", "2023-02-17\n"]
    def documented(pattern: str, value: str) -> bool:  # as JSON Schema reads it (ECMA-262: `$` is the very end)
        return re.search(pattern.replace("$", r"\Z"), value) is not None

    for value in candidates:
        assert documented(CALENDAR_DATE_PATTERN, value) == _accepted(value, PARTIAL_DATE_PATTERN), value
        assert documented(CALENDAR_DAY_PATTERN, value) == _accepted(value, DAY_PATTERN), value


@pytest.mark.parametrize("query", ["date_from=0000", "date_to=2023-00", "date_from=2023-02-29", "as_of=2100-02-29", "date_to=٢٠٢٣"])
async def test_a_date_the_document_excludes_is_a_422(client, query):
    response = await client.get(f"/v1/claims?{query}")
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["query", query.split("=")[0]]


async def test_a_leap_day_the_document_admits_is_accepted(client):
    assert (await client.get("/v1/claims?date_from=2024-02-29&as_of=2000-02-29")).status_code == 200


async def test_if_match_stays_428_for_a_client_that_skips_it(client, auth):
    response = await client.patch("/v1/claims/sisi-planned-40000-missiles-for-russia", json={"note": None}, headers=auth)
    assert_problem(response, 428, "/problems/precondition-required")


async def test_null_clears_a_field_that_may_be_empty_and_is_refused_elsewhere(client, auth):
    url = "/v1/claims/sisi-planned-40000-missiles-for-russia"
    etag = (await client.get(url)).headers["etag"]
    refused = await client.patch(url, json={"polarity": None}, headers={**auth, "If-Match": etag})
    problem = assert_problem(refused, 422, "/problems/validation-error")
    assert [e["loc"] for e in problem["errors"]] == [["body", "polarity"]]
    cleared = await client.patch(url, json={"event_time": None}, headers={**auth, "If-Match": etag})
    assert cleared.status_code == 200
    assert cleared.json()["event_time"] is None
    assert (await client.get(url)).json()["event_time"] is None


async def test_an_origin_that_is_no_rule_is_refused(client, auth):
    body = {
        "id": "made-up-origin", "kind": "negation", "explanation": "Test.", "origin": "gut-feeling",
        "claims": [{"claim": "sisi-planned-40000-missiles-for-russia", "side": "a"},
                   {"claim": "us-representative-saw-no-missile-deliveries", "side": "b"}],
    }
    problem = assert_problem(await client.post("/v1/contradictions", json=body, headers=auth), 422, "/problems/validation-error")
    assert [e["loc"] for e in problem["errors"]] == [["body", "origin"]]
