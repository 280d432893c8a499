"""Field types shared by every entity: slugs, partial dates, text anchors."""

from __future__ import annotations

import calendar
import re
from datetime import date
from functools import lru_cache
from typing import Annotated, Any, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    FiniteFloat,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

from schemas.vocab import DatePrecision

MAX_INT64 = 2**63 - 1  # the largest integer either backend's BIGINT holds
MAX_OFFSET = 2**31 - 1  # the largest code-point offset into a text
NOT_BLANK = r"\S"
"""The `pattern` of a text that must say something: at least one character that is not white space (a regular
expression found anywhere in the value, as JSON Schema's `pattern` is; the value is stored as sent)."""
WHITE_SPACE = frozenset("\t\n\v\f\r \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000" + "".join(map(chr, range(0x2000, 0x200B))))
"""Unicode's White_Space characters: what `\\s` means in the validator's regular expressions (Python's str.strip
also takes U+001C to U+001F)."""


def says_something(text: str) -> bool:
    """Whether `text` matches `NOT_BLANK`: it holds a character outside `WHITE_SPACE`."""
    return any(c not in WHITE_SPACE for c in text)
MAX_LABEL = 200  # code points in a label or unit: labels go into the engine's index keys, which have a size limit

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
PARTIAL_DATE_PATTERN = r"^[0-9]{4}(?:-[0-9]{2}(?:-[0-9]{2})?)?$"  # ASCII digits only: \\d would admit ٢٠٢٣
DAY_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"

# The exact sets of dates the server accepts, as the OpenAPI document states them: years 0001 to 9999, months
# 01 to 12, and the days each month has (29 February in leap years only), so that a client generating values
# from the document never meets a 422. At run time the plain patterns above and `date_bounds` accept the same
# sets, the calendar part with a clearer message; a test holds the two to each other.
_YEAR = r"(?:[0-9]{3}[1-9]|[0-9]{2}[1-9][0-9]|[0-9][1-9][0-9]{2}|[1-9][0-9]{3})"
_LEAP_YEAR = r"(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:0[48]|[2468][048]|[13579][26])00)"
_MONTH = r"(?:0[1-9]|1[0-2])"
_MONTH_DAY = (
    r"(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8]))"
)
_DAY = rf"(?:{_YEAR}-{_MONTH_DAY}|{_LEAP_YEAR}-02-29)"
CALENDAR_DAY_PATTERN = rf"^{_DAY}$"
CALENDAR_DATE_PATTERN = rf"^(?:{_YEAR}(?:-{_MONTH})?|{_DAY})$"

Slug = Annotated[
    str,
    StringConstraints(pattern=SLUG_PATTERN, min_length=1, max_length=120),
    Field(description="Stable URL-safe identifier: lower-case words joined by hyphens.", examples=["abdel-fattah-el-sisi"]),
]


class _NamedDate:
    """A date string that the OpenAPI document shows as one named schema (`PartialDate`, `Day`), with the exact
    pattern of the dates the server accepts; at run time a plain pattern checks its shape."""

    def __init__(self, name: str, pattern: str, exact: str, description: str, examples: list[str]) -> None:
        self.name, self.pattern, self.exact, self.description, self.examples = name, pattern, exact, description, examples

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        # The JSON schema function rides on the core schema that bears the ref, so that it shapes the one definition.
        return core_schema.str_schema(pattern=self.pattern, ref=self.name, metadata={"pydantic_js_functions": [self._document]})

    def _document(self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        json_schema = handler(schema)
        json_schema.update(pattern=self.exact, description=self.description, examples=self.examples)
        return json_schema


PartialDate = Annotated[
    str,
    _NamedDate(
        "PartialDate", PARTIAL_DATE_PATTERN, CALENDAR_DATE_PATTERN,
        "ISO 8601 date at its known precision: a year (`2023`), a month (`2023-02`) or a day (`2023-02-17`), from year"
        " 0001 to 9999; every date it names is a real calendar date.",
        ["2023-02-17", "2023-02", "2023"],
    ),
]
Day = Annotated[
    str,
    _NamedDate(
        "Day", DAY_PATTERN, CALENDAR_DAY_PATTERN,
        "A calendar day, ISO 8601 `YYYY-MM-DD` (year 0001 to 9999).",
        ["2023-12-31"],
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


@lru_cache(maxsize=65536)
def date_bounds(value: str) -> tuple[date, date]:
    """First and last calendar day covered by a partial date; ValueError when it is no real date. Remembered per
    value (a dataset names the same dates again and again); errors are not remembered."""
    if not re.fullmatch(PARTIAL_DATE_PATTERN, value):
        raise ValueError(f"'{value}' is not an ISO 8601 date (YYYY, YYYY-MM or YYYY-MM-DD)")
    parts = [int(p) for p in value.split("-")]
    if len(parts) == 3:
        day = date(*parts)
        return day, day
    if len(parts) == 2:
        first = date(parts[0], parts[1], 1)
        return first, first.replace(day=calendar.monthrange(parts[0], parts[1])[1])
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


STORED: dict[str, bool] = {"stored": True}
"""The validation context of a record read back from the database (`Model.model_validate_json(data,
context=STORED)`): its text was checked when it was written, so the walk over every string for a NUL or a lone
surrogate (`_unstorable`, 60% of the time it takes to read a claim) is skipped; every other rule still holds."""


class StrictModel(BaseModel):
    """A model clients send: a field it does not declare is an error.

    Where one is also served back (a claim's `event_time`, the knowledge tables), the OpenAPI document
    shows its output form apart (named `<Model>Public`): every field required, since every field is
    rendered, and no `additionalProperties: false`, so that a field added later breaks no client.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, json_schema_serialization_defaults_required=True)

    @classmethod
    def __get_pydantic_json_schema__(cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        json_schema = super().__get_pydantic_json_schema__(schema, handler)
        if handler.mode == "serialization":
            handler.resolve_ref_schema(json_schema).pop("additionalProperties", None)
        return json_schema

    @model_validator(mode="before")
    @classmethod
    def _storable_text(cls, data: Any, info: ValidationInfo) -> Any:
        if info.context is STORED:  # checked on the way in
            return data
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
    inferred: bool = Field(False, strict=True, description="True when the source does not state it and it was worked out from context.")
    note: str | None = Field(None, pattern=NOT_BLANK, description="How the date was established, when it is inferred or uncertain.")

    @model_validator(mode="after")
    def _precision_matches(self) -> Self:
        _check_precision(self.date, self.precision, "date")
        if self.inferred and not self.note:
            raise ValueError("an inferred date needs a note saying how it was inferred")
        return self


class EventTime(StrictModel):
    """When the claimed event happens: a date or a range, at a stated precision."""

    start: PartialDate
    end: PartialDate | None = Field(None, description="Last date of a range; null for a single date.")
    precision: DatePrecision = Field(description="Precision of `start` and `end`.")
    inferred: bool = Field(False, strict=True, description="True when (part of) the date is worked out from context, e.g. a year the text omits.")
    note: str | None = Field(None, pattern=NOT_BLANK, description="How the date was established.")

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

    value: Annotated[int, Field(strict=True, ge=-MAX_INT64, le=MAX_INT64)] | FiniteFloat = Field(
        description="The number as stated (40,000 is 40000; 3.5 billion is 3500000000): an integer within signed 64 bits,"
        " or a finite decimal (RFC 8259 numbers; NaN and Infinity are not numbers and are refused with 422)."
    )
    unit: str = Field(min_length=1, max_length=MAX_LABEL, pattern=NOT_BLANK, description="What is counted or measured: `missiles`, `USD`, `days`.")
    approximate: bool = Field(False, strict=True, description="True when the source hedges it (\"about\", \"some\").")

    @field_validator("value", mode="before")
    @classmethod
    def _a_number_as_stated(cls, value: object) -> object:
        """true and false are not numbers, nor is a number written as a string ("40000", "4e4"), and an integer beyond
        signed 64 bits would be kept only approximately (as a float): all are refused (422), not converted (I-JSON,
        RFC 7493 §2.2)."""
        if isinstance(value, bool):
            raise ValueError("a number is needed, not true or false")
        if isinstance(value, str):
            raise ValueError("a number is needed, not a string: send 40000, not \"40000\"")
        if isinstance(value, int) and not -MAX_INT64 <= value <= MAX_INT64:
            raise ValueError(f"an integer must lie within signed 64 bits (±{MAX_INT64}); this one would lose its digits")
        return value


class ClaimObject(StrictModel):
    """What the subject acts on: an actor, a thing, or both (e.g. an actor's document)."""

    actor: Slug | None = Field(None, description="Id of the actor, when the object is one.")
    label: str | None = Field(
        None, min_length=1, max_length=MAX_LABEL, pattern=NOT_BLANK,
        description="Normalized English noun phrase for the thing: `missiles`, `artillery shells` (at most 200 code points).",
    )

    @model_validator(mode="after")
    def _not_empty(self) -> Self:
        if self.actor is None and self.label is None:
            raise ValueError("an object needs an actor, a label or both")
        return self
