"""One claim added to or removed from a contradiction or a corroboration, without sending the whole list.

A member edit is a PATCH of the relation's `claims` that the server works out from the list as it stands: the same
transaction, checks, history and feed entries as `PATCH /v1/{contradictions,corroborations}/{id}` with the whole
list, and the same preconditions (RFC 9110 §13.1.1: `If-Match` with the relation's current ETag; 428 without it,
412 when stale). Rules that live here:
- a claim added must not be a member already (409), and must be a live claim (422 naming the path's `claim_id`);
- a claim removed must be a member (404);
- what the list must satisfy afterwards is the relation's own rule (422 naming the path's `claim_id`): two claims
  or more; for a contradiction, a claim on each side; claims from different passages; no relation repeated.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from api.errors import Conflict, NotFound, ValidationProblem
from api.services.writes import NAMES, Writer, Written
from api.store.records import MODEL_OF
from schemas.common import STORED
from schemas.vocab import ContradictionSide
from schemas.writes import ContradictionPatch, CorroborationPatch

KINDS = ("contradiction", "corroboration")


def _members(record: Any) -> list[str]:
    return [m if isinstance(m, str) else m.claim for m in record.claims]


class MemberWrites:
    def __init__(self, writer: Writer) -> None:
        self.w = writer

    def _current(self, kind: str, relation_id: str, if_match: str | None) -> Any:
        assert kind in KINDS
        row = self.w._precondition(kind, relation_id, if_match)
        return MODEL_OF[kind].model_validate_json(row.data, context=STORED)

    def add(self, kind: str, relation_id: str, claim_id: str, side: ContradictionSide | None, if_match: str | None) -> Written:
        """Add `claim_id` to the relation (a contradiction on `side`, which it needs; a corroboration takes none)."""
        current = self._current(kind, relation_id, if_match)
        if claim_id in _members(current):
            raise Conflict(f"Claim '{claim_id}' is already in {kind} '{relation_id}'; remove it first to change its side.")
        if kind == "contradiction":
            assert side is not None
            claims: list[Any] = [m.model_dump(mode="json") for m in current.claims] + [{"claim": claim_id, "side": side.value}]
        else:
            claims = [*current.claims, claim_id]
        return self._write(kind, relation_id, claim_id, claims, if_match, f"Claim '{claim_id}' was not added to {kind} '{relation_id}'")

    def remove(self, kind: str, relation_id: str, claim_id: str, if_match: str | None) -> Written:
        current = self._current(kind, relation_id, if_match)
        if claim_id not in _members(current):
            raise NotFound(f"{NAMES[kind]} '{relation_id}' has no claim '{claim_id}'.")
        if kind == "contradiction":
            claims: list[Any] = [m.model_dump(mode="json") for m in current.claims if m.claim != claim_id]
        else:
            claims = [c for c in current.claims if c != claim_id]
        return self._write(kind, relation_id, claim_id, claims, if_match, f"Claim '{claim_id}' was not removed from {kind} '{relation_id}'")

    def _write(self, kind: str, relation_id: str, claim_id: str, claims: list[Any], if_match: str | None, failed: str) -> Written:
        patch_model = ContradictionPatch if kind == "contradiction" else CorroborationPatch
        try:
            patch = patch_model.model_validate({"claims": claims})
            return self.w.update(kind, relation_id, patch, if_match)
        except ValidationProblem as problem:
            # The list was the server's to write: what is wrong with it is the claim named in the path.
            issues = [{**issue, "loc": ["path", "claim_id"]} for issue in problem.errors or []] or [
                {"loc": ["path", "claim_id"], "msg": problem.detail, "type": "value_error"}]
            summary = "; ".join(dict.fromkeys(str(i["msg"]) for i in issues))
            raise ValidationProblem(f"{failed}: {summary}.", errors=issues) from None
        except ValidationError as exc:  # the path's claim id is no id at all
            issues = [{"loc": ["path", "claim_id"], "msg": e["msg"].removeprefix("Value error, "), "type": e["type"]} for e in exc.errors()]
            summary = "; ".join(dict.fromkeys(str(i["msg"]) for i in issues))
            raise ValidationProblem(f"{failed}: {summary}.", errors=issues) from None


__all__ = ["MemberWrites"]
