"""Conditional requests (RFC 9110 §13): parsing `If-Match` / `If-None-Match` and comparing entity tags.

The grammar (RFC 9110 §8.8.3 and §13.1.1):

    If-Match      = "*" / #entity-tag
    entity-tag    = [ weak ] opaque-tag
    weak          = %s"W/"
    opaque-tag    = DQUOTE *etagc DQUOTE
    etagc         = %x21 / %x23-7E / obs-text

A header that does not follow it is a client error (400), never guessed at: a server that read
`W/"3-x"` or `3` as "revision 3" would let a stale write through.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from api.errors import BadRequest

# One list element, every part optional: OWS, then W/ and a quoted opaque tag of etagc characters
# (obs-text is %x80-FF; a comma is an etagc), then OWS.
_ELEMENT = re.compile(r'[ \t]*(?:(W/)?("[\x21\x23-\x7e\x80-\xff]*"))?[ \t]*')
MAX_TAGS = 64  # a list longer than this is not a client that read the resource


@dataclass(frozen=True)
class EntityTag:
    """An entity tag as sent: `opaque` keeps its quotes, exactly as an `ETag` header carries it."""

    opaque: str
    weak: bool


@dataclass(frozen=True)
class TagList:
    """A parsed `If-Match` or `If-None-Match`: `any` for `*`, else the listed tags in order."""

    any: bool
    tags: tuple[EntityTag, ...]

    def strong_match(self, etag: str) -> bool:
        """RFC 9110 §13.1.1 (If-Match): true for `*`, or when a listed tag is strong and its opaque tag is
        identical, character for character, to the current `etag` (itself a strong tag)."""
        return self.any or any(not t.weak and t.opaque == etag for t in self.tags)

    def weak_match(self, etag: str) -> bool:
        """RFC 9110 §13.1.2 (If-None-Match): true for `*`, or when a listed tag's opaque tag equals the
        current `etag`'s, whether either is weak or not."""
        current = etag.removeprefix("W/")
        return self.any or any(t.opaque == current for t in self.tags)


def parse_tags(header: str, name: str) -> TagList:
    """Parse an `If-Match`/`If-None-Match` value. Raises BadRequest (400) naming the header and what is wrong
    when it is not `*` or a comma-separated list of entity tags, or lists more than MAX_TAGS of them.

    The list is scanned, not split on commas: an opaque tag may itself hold a comma (`","` is a valid tag).
    Empty list elements are ignored (RFC 9110 §5.6.1)."""
    value = header.strip(" \t")
    if value == "*":
        return TagList(any=True, tags=())
    tags: list[EntityTag] = []
    pos = 0
    while True:
        element = _ELEMENT.match(value, pos)
        assert element is not None  # every part of it is optional
        if element.group(2) is not None:
            tags.append(EntityTag(opaque=element.group(2), weak=element.group(1) is not None))
        pos = element.end()
        if pos == len(value):
            break
        if value[pos] != ",":
            rest = value[element.start():].strip()
            raise BadRequest(
                f"{name}: {rest[:80]!r} is not an entity tag. Send the ETag exactly as the server gave it,"
                ' quotes included (e.g. "3-ab12…"), or a comma-separated list of them, or * (RFC 9110 §13.1.1).',
                errors=[{"loc": ["header", name], "msg": "not an entity tag", "type": "value_error"}],
            )
        pos += 1
    if not tags or len(tags) > MAX_TAGS:
        what = "lists no entity tag" if not tags else f"lists {len(tags)} entity tags, more than {MAX_TAGS}"
        raise BadRequest(
            f"{name} {what}.", errors=[{"loc": ["header", name], "msg": what, "type": "value_error"}],
        )
    return TagList(any=False, tags=tuple(tags))


def not_modified(if_none_match: str | None, etag: str) -> bool:
    """Whether a GET with this `If-None-Match` should get 304 for a representation with `etag`. A malformed
    header is ignored rather than refused (RFC 9110 §13.1.2: the condition is then simply false)."""
    if if_none_match is None:
        return False
    try:
        return parse_tags(if_none_match, "If-None-Match").weak_match(etag)
    except BadRequest:
        return False
