"""Field types shared by every entity: slugs, partial dates, text anchors."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, Field, FiniteFloat, StringConstraints, model_validator

from schemas.vocab import DatePrecision

MAX_INT64 = 2**63 - 1  # the largest integer either backend's BIGINT holds
MAX_OFFSET = 2**31 - 1  # the largest code-point offset into a text

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
PARTIAL_DATE_PATTERN = r"^[0-9]{4}(?:-[0-9]{2}(?:-[0-9]{2})?)?$"  # ASCII digits only: \\d would admit ٢٠٢٣

Slug = Annotated[
    str,
    StringConstraints(pattern=SLUG_PATTERN, min_length=1, max_length=120),
    Field(description="Stable URL-safe identifier: lower-case words joined by hyphens.", examples=["abdel-fattah-el-sisi"]),
]
PartialDate = Annotated[
    str,
    StringConstraints(pattern=PARTIAL_DATE_PATTERN),
    Field(
        description="ISO 8601 date at its known precision: `2023`, `2023-02` or `2023-02-17`.",
        examples=["2023-02-17", "2023-02", "2023"],
    ),
]
LanguageTag = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$"),
    Field(description="BCP 47 language tag.", examples=["en", "ar"]),
]

_PRECISION_BY_LENGTH = {4: DatePrecision.YEAR, 7: DatePrecision.MONTH, 10: DatePrecision.DAY}


def precision_of(value: str) -> DatePrecision:
    return _PRECISION_BY_LENGTH[len(value)]


def date_bounds(value: str) -> tuple[date, date]:
    """First and last calendar day covered by a partial date; ValueError when it is no real date."""
    if not re.fullmatch(PARTIAL_DATE_PATTERN, value):
        raise ValueError(f"'{value}' is not an ISO 8601 date (YYYY, YYYY-MM or YYYY-MM-DD)")
    parts = [int(p) for p in value.split("-")]
    if len(parts) == 3:
        day = date(*parts)
        return day, day
    if len(parts) == 2:
        first = date(parts[0], parts[1], 1)
        following = date(parts[0] + parts[1] // 12, parts[1] % 12 + 1, 1)
        return first, date.fromordinal(following.toordinal() - 1)
    return date(parts[0], 1, 1), date(parts[0], 12, 31)


def _unstorable(value: Any, path: str = "") -> str | None:
    """Where a string holds a NUL or a lone surrogate: text no database stores faithfully."""
    if isinstance(value, str):
        if "\x00" in value:
            return f"{path or 'value'} contains a NUL character"
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return f"{path or 'value'} is not valid Unicode text"
    elif isinstance(value, dict):
        for k, v in value.items():
            found = _unstorable(k, path) or _unstorable(v, f"{path}.{k}" if path else str(k))
            if found:
                return found
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found = _unstorable(v, f"{path}[{i}]")
            if found:
                return found
    return None


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _storable_text(cls, data: Any) -> Any:
        problem = _unstorable(data)
        if problem:
            raise ValueError(problem)
        return data


def _check_precision(value: str, precision: DatePrecision, field: str) -> None:
    date_bounds(value)
    if precision_of(value) != precision:
        raise ValueError(f"{field} '{value}' does not have precision '{precision.value}'")


class DateValue(StrictModel):
    """A date with its precision, and whether it was inferred rather than stated."""

    date: PartialDate
    precision: DatePrecision = Field(description="How much of the date is known.")
    inferred: bool = Field(False, description="True when the source does not state it and it was worked out from context.")
    note: str | None = Field(None, description="How the date was established, when it is inferred or uncertain.")

    @model_validator(mode="after")
    def _precision_matches(self) -> Self:
        _check_precision(self.date, self.precision, "date")
        if self.inferred and not self.note:
            raise ValueError("an inferred date needs a note saying how it was inferred")
        return self


class EventTime(StrictModel):
    """When the claimed event happens: a date or a range, at a stated precision."""

    start: PartialDate
    end: PartialDate | None = Field(None, description="Last date of a range; absent for a single date.")
    precision: DatePrecision = Field(description="Precision of `start` and `end`.")
    inferred: bool = Field(False, description="True when (part of) the date is worked out from context, e.g. a year the text omits.")
    note: str | None = Field(None, description="How the date was established.")

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        _check_precision(self.start, self.precision, "start")
        if self.end is not None:
            _check_precision(self.end, self.precision, "end")
            if date_bounds(self.end)[1] < date_bounds(self.start)[0]:
                raise ValueError(f"end '{self.end}' is before start '{self.start}'")
        if self.inferred and not self.note:
            raise ValueError("an inferred event time needs a note saying how it was inferred")
        return self


class Quantity(StrictModel):
    """An amount stated in the claim."""

    value: Annotated[int, Field(ge=-MAX_INT64, le=MAX_INT64)] | FiniteFloat = Field(
        description="The number as stated (40,000 is 40000; 3.5 billion is 3500000000): an integer within signed 64 bits,"
        " or a finite decimal (RFC 8259 numbers; NaN and Infinity are not numbers and are refused with 422)."
    )
    unit: str = Field(min_length=1, description="What is counted or measured: `missiles`, `USD`, `days`.")
    approximate: bool = Field(False, description="True when the source hedges it (\"about\", \"some\").")


class ClaimObject(StrictModel):
    """What the subject acts on: an actor, a thing, or both (e.g. an actor's document)."""

    actor: Slug | None = Field(None, description="Id of the actor, when the object is one.")
    label: str | None = Field(None, min_length=1, description="Normalized English noun phrase for the thing: `missiles`, `artillery shells`.")

    @model_validator(mode="after")
    def _not_empty(self) -> Self:
        if self.actor is None and self.label is None:
            raise ValueError("an object needs an actor, a label or both")
        return self
