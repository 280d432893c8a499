"""Every check of the curated dataset, in one run: what `python -m api.cli check` and `build` report.

The stages: the loader (each file parses, fields, references, quotes at their offsets, roles, coverage accounts;
api/dataset/loader.py), the statement rule (names and numbers a statement gives are in its evidence;
api/dataset/lint.py) and the coverage rule (every claim a document defines is listed against a passage of it;
api/dataset/coverage.py). Each stage runs on whatever the files that parse hold, so one run lists every problem
of every stage: a YAML error in one file hides no quote mismatch or statement problem in another.
"""

from __future__ import annotations

from pathlib import Path

from api.dataset.coverage import coverage_problems
from api.dataset.lint import statement_problems
from api.dataset.loader import DATA_DIR, Dataset, DatasetError, read_dataset


def dataset_problems(data_dir: Path = DATA_DIR) -> tuple[Dataset, list[str]]:
    """The dataset as far as it parsed, and every problem of every stage (each once, in stage order)."""
    ds, problems = read_dataset(data_dir)
    problems = problems + statement_problems(ds) + coverage_problems(ds)
    return ds, list(dict.fromkeys(problems))


def checked_dataset(data_dir: Path = DATA_DIR) -> Dataset:
    """The dataset, once every stage passes; else DatasetError listing every problem."""
    ds, problems = dataset_problems(data_dir)
    if problems:
        raise DatasetError(problems)
    return ds


__all__ = ["checked_dataset", "dataset_problems"]
