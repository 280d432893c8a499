"""Language tags (BCP 47, RFC 5646) and the language ranges that match them (RFC 4647 basic filtering).

Tags are case-insensitive (RFC 5646 §2.1.1): `en-GB` and `en-gb` are one tag, kept as written. A basic
language range matches a tag when, compared case-insensitively, it equals the tag or is a prefix of it
that ends where a subtag does (RFC 4647 §3.3.1): `en` matches `en`, `en-GB` and `en-gb-oxendict`, not
`eng`; `en-g` matches nothing of these. The range `*` matches every tag.

Storage keeps, beside each record's tags, every range other than `*` that matches one of them,
lower-cased (`ranges_of`): a filter is then one equality lookup on an indexed column, the same on SQLite
and PostgreSQL, whatever the collation.
"""

from __future__ import annotations

from collections.abc import Iterable

WILDCARD = "*"


def ranges_of(tags: Iterable[str]) -> list[str]:
    """Every basic language range (lower-case, without `*`) that matches one of the tags, sorted:
    `["en-GB"]` gives `["en", "en-gb"]`."""
    found: set[str] = set()
    for tag in tags:
        subtags = tag.lower().split("-")
        found.update("-".join(subtags[: n + 1]) for n in range(len(subtags)))
    return sorted(found)


def matches(language_range: str, tag: str) -> bool:
    """Whether the basic language range matches the tag (RFC 4647 §3.3.1)."""
    return language_range == WILDCARD or language_range.lower() in ranges_of([tag])


def range_key(language_range: str) -> str | None:
    """What a filter by the range looks up among `ranges_of`'s values; None for `*`, which filters nothing."""
    return None if language_range == WILDCARD else language_range.lower()
