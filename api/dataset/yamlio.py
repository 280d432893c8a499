"""The dataset files' canonical YAML form.

Files are written by one dumper from the validated models, field order as the models declare
it and defaults left out, so that reading a file and writing it back yields the same bytes, and
every string reads back as the very string written (see `_str`). Files are read and written as
bytes (api/dataset/files.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from api.dataset.files import read_text, write_text
from api.dataset.loader import data_files, read_yaml
from schemas.dataset import ActorsFile, DocumentFile, LinksFile, SourcesFile
from schemas.knowledge import Knowledge


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        # Indent list items under their key, as people write them by hand.
        super().increase_indent(flow, False)


# Line breaks other than LF: YAML 1.1 (PyYAML) reads CR, CR LF and NEL (U+0085) as LF in a block scalar and
# folds them into a space in a plain or quoted one, and counts LS and PS (U+2028, U+2029) as breaks too, where
# YAML 1.2 does not. Only the double-quoted style writes them as escapes (`\r`, `\N`, `\L`, `\P`) that every
# reader takes back as they were. The rest PyYAML's emitter settles by itself: it double-quotes what no
# other style holds (tabs and other controls, a BOM, noncharacters, a space before a line break), quotes
# leading and trailing white space and indicators, and what would read as another type (`yes`, `null`,
# `1e3`, `2023-02-17`).
_ESCAPED_BREAKS = frozenset("\r\x85\u2028\u2029")


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    """A string, in the style that reads back as the same string: double-quoted when it holds a line break
    other than LF, a literal block when it has several lines, plain or quoted (PyYAML's choice) otherwise."""
    if not _ESCAPED_BREAKS.isdisjoint(value):
        style: str | None = '"'
    else:
        style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def dump(model: BaseModel) -> str:
    data: Any = model.model_dump(mode="json", exclude_defaults=True)
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=4096, default_flow_style=False)


def model_for(path: Path) -> type[BaseModel]:
    if path.name == "actors.yaml":
        return ActorsFile
    if path.name == "sources.yaml":
        return SourcesFile
    if path.name == "links.yaml":
        return LinksFile
    if path.name == "knowledge.yaml":
        return Knowledge
    return DocumentFile


def canonical(path: Path) -> str:
    raw = read_yaml(read_text(path))
    return dump(model_for(path).model_validate(raw))


def format_files(data_dir: Path, *, write: bool) -> list[Path]:
    """The dataset files not in canonical form; rewritten when `write` is true."""
    changed: list[Path] = []
    for path in data_files(data_dir):
        if not path.exists():
            continue
        text = canonical(path)
        if text != read_text(path):
            changed.append(path)
            if write:
                write_text(path, text)
    return changed
