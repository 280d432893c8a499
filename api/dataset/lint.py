"""Checks that a claim's statement says nothing its evidence does not, over the whole dataset.

A statement is one normalized English sentence; it may rephrase, but every number and every
proper name in it must be found in the claim's evidence (its quotes or their translations), in
the names of the actors its structure references, or (for numbers) in its date or quantity. The
rule itself is `RecordChecks.statement` (api/dataset/checks.py), which API writes run too.
"""

from __future__ import annotations

from api.dataset.checks import Loc, RecordChecks
from api.dataset.loader import Dataset


def statement_problems(ds: Dataset) -> list[str]:
    problems: list[str] = []
    for c in ds.claims.values():
        where = f"{ds.origin['claim:' + c.id]}: claim '{c.id}'"

        def report(_loc: Loc, msg: str, _type: str, where: str = where) -> None:
            problems.append(f"{where}: {msg}")

        RecordChecks(ds, report).statement(c)
    return problems
