"""Checks that a claim's statement says nothing its evidence does not.

A statement is one normalized English sentence; it may rephrase, but every number and every
proper name in it must be found in the claim's evidence (its quotes or their translations), in
the names of the actors its structure references, or (for numbers) in its date or quantity.
"""

from __future__ import annotations

import re

from api.dataset.loader import Dataset
from schemas.dataset import ClaimIn

_NUMBER = re.compile(r"\d[\d,.]*\d|\d")
_NAME = re.compile(r"(?<![\w'’-])[A-Z][\w'’.-]*")
# Words that are capitalized for grammar, not because they name someone.
_COMMON = {
    "A", "An", "The", "In", "On", "At", "It", "Its", "If", "He", "She", "They", "We", "This", "That", "These", "Those",
    "And", "But", "Or", "As", "By", "For", "Of", "To", "With", "According", "After", "Before", "During", "Since",
    "There", "Their", "His", "Her", "Our", "Both", "Neither", "Nor", "Some", "Several", "Other", "Others", "Another",
    "Part", "Secret", "Officials", "Russian", "Egyptian", "American", "Arab", "Western", "Soviet", "Saudi-owned",
}


def _haystack(ds: Dataset, c: ClaimIn) -> str:
    parts: list[str] = []
    for ev in c.evidence:
        parts.append(ev.quote)
        if ev.translation:
            parts.append(ev.translation)
        if ev.attributed_to:
            parts.append(ds.sources[ev.attributed_to].title)
    actor_ids = [c.subject, c.claimant, c.recipient, c.location, c.object.actor if c.object else None]
    actor_ids += [ev.speaker for ev in c.evidence]
    for actor_id in actor_ids:
        if actor_id is not None:
            actor = ds.actors[actor_id]
            parts.append(actor.name)
            parts.extend(v for v, _ in ds.names_of(actor_id))
            if actor.speaks_for:
                parts.append(ds.actors[actor.speaks_for].name)
    if c.object and c.object.label:
        parts.append(c.object.label)
    return " ".join(parts)


def _numbers_allowed(c: ClaimIn) -> set[str]:
    allowed: set[str] = set()
    if c.event_time:
        for value in (c.event_time.start, c.event_time.end):
            if value:
                allowed.update(str(int(p)) for p in value.split("-"))
    if c.quantity:
        allowed.add(str(c.quantity.value))
    return allowed


def _plain(number: str) -> str:
    return number.replace(",", "").rstrip(".")


def statement_problems(ds: Dataset) -> list[str]:
    problems: list[str] = []
    for c in ds.claims.values():
        hay = _haystack(ds, c)
        hay_numbers = {_plain(n) for n in _NUMBER.findall(hay)} | _numbers_allowed(c)
        hay_lower = hay.lower()
        where = f"{ds.origin['claim:' + c.id]}: claim '{c.id}'"
        for number in _NUMBER.findall(c.statement):
            if _plain(number) not in hay_numbers:
                problems.append(f"{where}: statement has the number {number!r}, which its evidence does not")
        for name in _NAME.findall(c.statement):
            word = name.rstrip(".'’").removesuffix("'s").removesuffix("’s")
            if word in _COMMON or not word:
                continue
            # "Russia-Egypt" names two actors; "el-Sisi" is one name.
            parts = [p for p in word.split("-") if p[:1].isupper()] if "-" in word and word.lower() not in hay_lower else [word]
            for part in parts:
                if part not in _COMMON and part.lower() not in hay_lower:
                    problems.append(f"{where}: statement names {part!r}, which neither its evidence nor its actors do")
    return problems
