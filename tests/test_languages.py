"""RFC 4647 basic filtering, with the RFC's own examples (§3.3.1)."""

from __future__ import annotations

import pytest

from api.dataset.languages import matches, range_key, ranges_of


@pytest.mark.parametrize(("language_range", "tag"), [
    ("de-de", "de-DE-1996"), ("de-de", "de-DE"), ("de-DE", "de-de"), ("en", "en-GB"), ("EN", "en-gb-oxendict"), ("*", "ar"),
])
def test_a_range_matches_the_tags_it_begins(language_range, tag):
    assert matches(language_range, tag)


@pytest.mark.parametrize(("language_range", "tag"), [
    ("de-de", "de-Deva"), ("de-de", "de-Latn-DE"), ("en", "eng"), ("en-g", "en-GB"), ("en-gb", "en"),
])
def test_a_range_does_not_match_a_tag_it_does_not_begin_at_a_subtag(language_range, tag):
    assert not matches(language_range, tag)


def test_stored_ranges_are_lower_case_and_the_wildcard_filters_nothing():
    assert ranges_of(["en-GB", "ar", "en"]) == ["ar", "en", "en-gb"]
    assert (range_key("EN-gb"), range_key("*")) == ("en-gb", None)
