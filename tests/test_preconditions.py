"""The If-Match grammar the OpenAPI document states is the one the server parses (RFC 9110 §13.1.1)."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from api.errors import BadRequest
from api.http.openapi import IF_MATCH_PATTERN
from api.services.preconditions import parse_tags


@settings(max_examples=400, derandomize=True, deadline=None)
@given(st.from_regex(IF_MATCH_PATTERN, fullmatch=True).filter(lambda v: all(ord(c) < 256 for c in v)))
def test_every_value_the_document_admits_parses(value: str) -> None:
    parsed = parse_tags(value, "If-Match")
    assert parsed.any or 1 <= len(parsed.tags) <= 64


@settings(max_examples=400, derandomize=True, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=255), max_size=40))
def test_the_parser_accepts_only_what_the_document_admits(value: str) -> None:
    documented = re.fullmatch(IF_MATCH_PATTERN, value) is not None
    try:
        parse_tags(value, "If-Match")
        parsed = True
    except BadRequest:
        parsed = False
    assert parsed == documented or (not value.strip(" \t") and not parsed)


def test_a_tag_may_hold_a_comma() -> None:
    parsed = parse_tags('",", W/"a,b" ,, "3-x"', "If-Match")
    assert [(t.opaque, t.weak) for t in parsed.tags] == [('","', False), ('"a,b"', True), ('"3-x"', False)]
    assert parsed.strong_match('"3-x"') and not parsed.strong_match('"a,b"')
