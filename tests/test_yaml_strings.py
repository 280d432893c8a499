"""The dataset's YAML writer: every string reads back as the very string written, whatever Unicode it holds."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from api.dataset.loader import read_yaml
from api.dataset.yamlio import dump
from schemas.common import says_something
from schemas.dataset import ActorsFile

# Everything the API accepts (no NUL, no lone surrogate), with YAML's breaks, blanks, indicators and words mixed in.
SPECIAL = ["\r\n", "\r", "\n", "\x85", "\u2028", "\u2029", "\ufeff", "\t", " ", "\xa0", "\x1b", "\x7f", "\ufffe", "\U0010ffff",
           "yes", "No", "null", "~", "1e3", "0x1F", ".5", "2023-02-17", "- ", "? ", ": ", "#", "'", '"', "|", ">", "&a", "*a",
           "!!str", "---", "...", "%", "@", "`"]
TEXT = st.lists(st.one_of(st.characters(codec="utf-8", exclude_characters="\x00"), st.sampled_from(SPECIAL)),
                min_size=1, max_size=30).map("".join).filter(says_something)  # names and descriptions say something


def _round_trip(value: str) -> ActorsFile:
    actors = ActorsFile.model_validate({"actors": [{
        "id": "a", "kind": "person", "name": value, "names": [{"value": value, "language": "en"}], "description": value,
    }]})
    return ActorsFile.model_validate(read_yaml(dump(actors)))


def test_the_issue_strings_read_back_as_written():
    for value in ["a\x85b", "a\n\x85b", "line\r\nline", "a\rb", "a\u2028b\u2029c", "\ufeffbom", "trailing \n", "\n\nlead",
                  "yes", "null", "2023-02-17", "- item", "key: value", "tab\there", "end\n\n"]:
        assert _round_trip(value).actors[0].description == value, repr(value)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(TEXT)
def test_every_string_reads_back_as_written(value):
    actor = _round_trip(value).actors[0]
    assert (actor.name, actor.names[0].value, actor.description) == (value, value, value)
