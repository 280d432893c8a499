"""Progress of long steps (building the database, exporting it, generating a corpus), on a terminal only: rich
progress bars on stderr while stderr is a terminal, nothing at all in CI, in a pipe or under a server's log.

    with Steps() as steps:
        task = steps.task("rendering and storing records", total=len(records))
        for record in records:
            ...
            task.advance()
        task.finish()

A `Task` of a `Steps` that shows nothing costs one attribute test per call, so code may report progress
unconditionally. `NO_STEPS` is such a `Steps`, for callers that pass none.
"""

from __future__ import annotations

import sys
from types import TracebackType
from typing import Any


class Task:
    """One step: advanced as work is done (`advance(n)`, n items); a step without a total shows a pulsing bar."""

    def __init__(self, progress: Any = None, task: Any = None) -> None:
        self._progress = progress
        self._task = task

    def advance(self, amount: int = 1) -> None:
        if self._progress is not None:
            self._progress.advance(self._task, amount)

    def set_total(self, total: int) -> None:
        if self._progress is not None:
            self._progress.update(self._task, total=total)

    def finish(self) -> None:
        """Mark the step done (its bar full), whatever was advanced."""
        if self._progress is not None:
            task = self._progress.tasks[self._task]
            done = task.total or task.completed or 1
            self._progress.update(self._task, total=done, completed=done)


class Steps:
    """Progress bars for a run's steps on stderr, shown when stderr is a terminal (or when `enabled` says so).
    Used as a context manager: the bars are drawn between enter and exit. rich is imported only when shown."""

    def __init__(self, enabled: bool | None = None) -> None:
        shown = sys.stderr.isatty() if enabled is None else enabled
        self._progress: Any = None
        if shown:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

            self._progress = Progress(
                SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                console=Console(stderr=True), transient=False,
            )

    @property
    def shown(self) -> bool:
        return self._progress is not None

    def __enter__(self) -> Steps:
        if self._progress is not None:
            self._progress.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        if self._progress is not None:
            self._progress.stop()

    def task(self, description: str, total: int | None = None) -> Task:
        """A new step, shown from now on; `total`: the items it will advance by (None: not known yet)."""
        if self._progress is None:
            return Task()
        return Task(self._progress, self._progress.add_task(description, total=total))


NO_STEPS = Steps(enabled=False)

__all__ = ["NO_STEPS", "Steps", "Task"]
