"""Text files read and written byte for byte: UTF-8, no newline translation, nothing added or dropped.

Evidence offsets are code points into a held text as its file has it, CR LF and lone CR included, so a
text read in Python's text mode (which turns `\r\n` and `\r` into `\n`) would shift every offset after its
first line. A BOM is kept as U+FEFF: it is part of the text, not taken for an encoding mark.
"""

from __future__ import annotations

from pathlib import Path


def read_text(path: Path) -> str:
    """The file's text, exactly; UnicodeDecodeError when it is not UTF-8."""
    return path.read_bytes().decode("utf-8")


def write_text(path: Path, text: str) -> None:
    """Write the text as UTF-8, exactly as given."""
    path.write_bytes(text.encode("utf-8"))
