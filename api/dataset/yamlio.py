"""The dataset files' canonical YAML form.

Files are written by one dumper from the validated models, field order as the models declare
it and defaults left out, so that reading a file and writing it back yields the same bytes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from api.dataset.loader import data_files, read_yaml
from schemas.dataset import ActorsFile, DocumentFile, LinksFile, SourcesFile
from schemas.knowledge import Knowledge


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        # Indent list items under their key, as people write them by hand.
        super().increase_indent(flow, False)


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
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
    raw = read_yaml(path.read_text(encoding="utf-8"))
    return dump(model_for(path).model_validate(raw))


def format_files(data_dir: Path, *, write: bool) -> list[Path]:
    """The dataset files not in canonical form; rewritten when `write` is true."""
    changed: list[Path] = []
    for path in data_files(data_dir):
        if not path.exists():
            continue
        text = canonical(path)
        if text != path.read_text(encoding="utf-8"):
            changed.append(path)
            if write:
                path.write_text(text, encoding="utf-8")
    return changed
