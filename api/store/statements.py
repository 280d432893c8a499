"""Statements of the write path built once and run many times with bound parameters.

A write sends about 180 statements on the curated dataset (reading the records, links and roles that its views show,
then storing rows and views). Built anew for each, an SQLAlchemy statement costs about 100 µs of Python (making
the expression, then the key of its compiled form in the cache) where running it on SQLite costs a few; built once
and run with parameters (`bindparam`), about 20 µs. The compiled form is cached by SQLAlchemy as before, on each
dialect, so the same statements run on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TypeVar

from sqlalchemy.sql import Executable

S = TypeVar("S", bound=Executable)
_BUILT: dict[Hashable, Executable] = {}


def built(key: Hashable, build: Callable[[], S]) -> S:
    """The statement `build()` makes, made on the first call with `key` and kept for the life of the process: `key`
    names the statement's shape (its tables and columns), so `build` must give the same statement for the same key,
    and every value it compares with or limits by must be a `bindparam` passed when it runs. Safe across threads: two threads
    that build the same key at once make equal statements, and one of them is kept."""
    statement = _BUILT.get(key)
    if statement is None:
        statement = _BUILT.setdefault(key, build())
    return statement  # type: ignore[return-value]
