"""`POST /v1/documents`: one report whole, shaped like a dataset file `data/documents/NNN.yaml`.

The sections are the document file's (`schemas/dataset.py: DocumentFile`), with the write API's bodies: the
document itself is a source with its `text` (instead of `text_file`), evidence quotes may come without offsets (the
server locates them), and `coverage` may be left out (the server makes the account: a passage per line, each
claim listed where its evidence is).
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from schemas.actor import ActorPublic
from schemas.claim import ClaimPublic
from schemas.common import StrictModel
from schemas.contradiction import ContradictionPublic, CorroborationPublic
from schemas.dataset import ActorIn, ActorNameIn, ContradictionIn, CorroborationIn, CoverageIn
from schemas.source import SourcePublic
from schemas.writes import ClaimCreate, RoleCreate, SourceCreate


class HeldSource(SourceCreate):
    """The report itself: a source whose full text the project will hold."""

    text: str = Field(min_length=1, description="Full text of the report, exactly as published; evidence offsets index into it.")


class BundleRole(RoleCreate):
    """A role the report attests for an actor (new in this bundle, or existing), with evidence from the report."""

    actor: str = Field(min_length=1, description="Id of the actor who holds the role.")


class DocumentBundle(StrictModel):
    """A report with everything drawn from it, stored in one transaction: all of it, or nothing."""

    source: HeldSource = Field(description="The report: a source with its full text.")
    sources: list[SourceCreate] = Field([], description="New sources the report cites (cited ones that exist are referenced by id).")
    actors: list[ActorIn] = Field([], description="New actors the report names, with their names in every language.")
    names: list[ActorNameIn] = Field([], description="Further spellings the report uses for existing actors.")
    roles: list[BundleRole] = Field([], description="Roles the report attests, with evidence.")
    claims: list[ClaimCreate] = Field([], description="The claims drawn from the report; quotes may come without offsets.")
    contradictions: list[ContradictionIn] = Field([], description="Contradictions the analyst asserts (the engine proposes others).")
    corroborations: list[CorroborationIn] = Field([], description="Corroborations the analyst asserts.")
    coverage: list[CoverageIn] | None = Field(
        None, description="The report's coverage account, passage by passage, checked as the loader checks it. Left out, the"
        " server makes it: one passage per line of text, each claim listed against the passages its evidence quotes, the others"
        " explained as not curated yet.",
    )


class BundleResult(BaseModel):
    """What a bundle stored (or, with `dry_run`, would store), as each record now reads, and what the engine proposed."""

    dry_run: bool = Field(description="True when nothing was stored: the answer shows what would have been.")
    source: SourcePublic
    sources: list[SourcePublic]
    actors: list[ActorPublic] = Field(description="The new actors, then the existing ones the bundle gave names or roles.")
    claims: list[ClaimPublic]
    contradictions: list[ContradictionPublic] = Field(description="The contradictions the bundle asserts.")
    corroborations: list[CorroborationPublic] = Field(description="The corroborations the bundle asserts.")
    proposed_contradictions: list[ContradictionPublic] = Field(
        description="Contradictions the detection rules propose for the bundle's claims (`status: proposed`), to be reviewed.")
    proposed_corroborations: list[CorroborationPublic] = Field(
        description="Corroborations the detection rules propose for the bundle's claims, to be reviewed.")
