"""Where a quote is in a held text: the answer of `GET /v1/sources/{source_id}/locate`."""

from __future__ import annotations

from pydantic import BaseModel, Field


class TextPassage(BaseModel):
    """A slice of a source's text (W3C Web Annotation TextPositionSelector with its TextQuoteSelector)."""

    start: int = Field(description="Code-point offset of the passage's first character.")
    end: int = Field(description="Code-point offset just past its last character.")
    quote: str = Field(description="The text itself: exactly `text[start:end]`.")
    prefix: str = Field(description="Up to 32 code points before the passage, to re-anchor it.")
    suffix: str = Field(description="Up to 32 code points after it.")


class QuoteLocation(TextPassage):
    """A quote located in a source's text: the exact slice the evidence would store, and where it is."""

    source_id: str = Field(description="The source whose text was searched.")
    occurrence: int = Field(description="Which place of the quote this is, 1 for the first in the text.")
    count: int = Field(description="How many times the quote is found in the text.")
