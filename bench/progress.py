"""Progress of long steps, on a terminal only: rich progress bars on stderr, nothing at all in CI or in a pipe."""

from __future__ import annotations

import sys
from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn


class Task:
    """One step: advanced as work is done; a step without a total shows a pulsing bar."""

    def __init__(self, progress: Progress | None, task: TaskID | None) -> None:
        self._progress = progress
        self._task = task

    def advance(self, amount: int = 1) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.advance(self._task, amount)

    def set_total(self, total: int) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, total=total)

    def finish(self) -> None:
        if self._progress is not None and self._task is not None:
            task = self._progress.tasks[self._task]
            self._progress.update(self._task, total=task.total or task.completed or 1, completed=task.total or task.completed or 1)


class Steps:
    """Progress bars for a run's steps, shown when stderr is a terminal (or when `enabled` says so)."""

    def __init__(self, enabled: bool | None = None) -> None:
        shown = sys.stderr.isatty() if enabled is None else enabled
        self._progress = Progress(
            SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            console=Console(stderr=True), transient=False,
        ) if shown else None

    def __enter__(self) -> Steps:
        if self._progress is not None:
            self._progress.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        if self._progress is not None:
            self._progress.stop()

    def task(self, description: str, total: int | None = None) -> Task:
        if self._progress is None:
            return Task(None, None)
        return Task(self._progress, self._progress.add_task(description, total=total))
