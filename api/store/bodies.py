"""Rendered views as they are stored: compressed. Every writer of a stored view goes through `pack` (bodies) or
`pack_summary` (summaries), every reader through `inflate`.

- A `body` is one gzip member (RFC 1952) of its JSON, served as it is stored, with `Content-Encoding: gzip`, to
  a client whose Accept-Encoding allows gzip, and decompressed for the others (api/http/responses.py).
- A `summary` is never sent as it is stored (a list is many of them, put together into one document), so it
  need not be gzip: it is a zlib stream (RFC 1950) compressed with a preset dictionary, SUMMARY_DICTIONARY
  (api/store/summaries.zdict: summaries of the curated dataset; `python -m bench.storage --make-dictionary`),
  which the stream names by its Adler-32 (DICTID). At 100,000 claims a claim's summary is 1,079 bytes of JSON,
  505 as gzip and 293 with the dictionary. A body with a dictionary would be smaller still (about half), but
  could then be sent to no client as it is.
- Lists decompress their items and are sent as identity JSON. Measured at 100,000 claims on the shared 2-core
  machine (CPU time): inflating a page's 50 claim summaries takes 0.75 ms (15 µs each, the dictionary adds
  about 2 µs); gzipping the 57 kB page would add 0.15 ms (ISA-L level 1; zlib's level 1 0.57 ms) to send 10 kB.
  What limits lists here is CPU (p99 at 16 connections on 2 cores), so pages are not compressed; a reverse
  proxy can compress them where bandwidth costs more. Inflated summaries are kept (`inflate_summary`), so a
  page that lists records in the same state again does not inflate them again.

Compression is ISA-L's deflate (the `isal` package) at level LEVEL: 2.6 times as fast as zlib's level 1 for the
same size (a 3.6 kB claim body at 100,000 claims: 1,017 bytes in 20 µs; zlib level 1: 1,029 in 53 µs; level 6:
954 in 73 µs), which keeps building a million claims cheap. Its output is plain deflate that any zlib reads. A member has a fixed header
(no name, mtime 0), so the same JSON gives the same bytes with the same library.

Views written before migration 0011 hold their JSON uncompressed; `inflate` gives those back as they are (JSON
starts with `{`, never with the gzip magic bytes or a zlib header).

The representations' entity tags: `etag` (stored; a digest of the body's JSON, api/store/render.py `etag_of`)
names the identity form, and `gzip_etag(etag)` the gzip form: the same tag with `-gzip` before its closing
quote (a strong tag must differ between the two, RFC 9110 §8.8.3).
"""

from __future__ import annotations

import zlib
from pathlib import Path

from isal import isal_zlib

GZIP_MAGIC = b"\x1f\x8b"
LEVEL = 1
"""ISA-L level (0 to 3): 1 is as small as 2 and 3 on these views, and 0 is a quarter larger."""
SUMMARY_DICTIONARY = (Path(__file__).parent / "summaries.zdict").read_bytes()
DICTIONARIES = {zlib.adler32(SUMMARY_DICTIONARY): SUMMARY_DICTIONARY}
"""Every summary dictionary, by its Adler-32 (a stream's DICTID): a new one is added, none ever replaced."""
_SUMMARY_DICTID = zlib.adler32(SUMMARY_DICTIONARY)
_ZLIB_CMF = 0x78  # deflate with a 32 KiB window: the first byte of every zlib stream written here
_FDICT = 0x20


def pack(view: bytes) -> bytes:
    """The stored form of a rendered body: `view` (JSON, UTF-8 bytes) as one gzip member."""
    return isal_zlib.compress(view, LEVEL, 31)


def pack_summary(view: bytes) -> bytes:
    """The stored form of a rendered summary: `view` (JSON, UTF-8 bytes) as a zlib stream with the preset
    dictionary SUMMARY_DICTIONARY."""
    c = isal_zlib.compressobj(LEVEL, isal_zlib.DEFLATED, 15, 9, 0, SUMMARY_DICTIONARY)
    return c.compress(view) + c.flush()


def is_packed(blob: bytes | memoryview) -> bool:
    """Whether a stored view is a gzip member, the form `pack` writes (and a body may be sent as it is)."""
    return bytes(blob[:2]) == GZIP_MAGIC


def inflate(blob: bytes | memoryview) -> bytes:
    """The JSON bytes of a stored view: a gzip member, a zlib stream with a dictionary of DICTIONARIES, or JSON
    stored as it is (before migration 0011). Raises zlib.error (isal_zlib.error) for a damaged stream and
    KeyError for a dictionary this server does not have."""
    head = bytes(blob[:2])
    if head == GZIP_MAGIC:
        return isal_zlib.decompress(blob, 31)
    if len(head) == 2 and head[0] == _ZLIB_CMF and head[1] & _FDICT:
        d = isal_zlib.decompressobj(15, DICTIONARIES[int.from_bytes(bytes(blob[2:6]), "big")])
        return d.decompress(blob) + d.flush()
    return bytes(blob)


SUMMARIES_CACHED = 8_192
"""How many inflated summaries `inflate_summary` keeps (about 1.6 kB each: some 15 MB at most)."""
_summaries: dict[bytes, bytes] = {}


def inflate_summary(blob: bytes | memoryview) -> bytes:
    """`inflate(blob)` for a stored summary, kept for the next page that lists the same record in the same state.

    The key is the stored bytes themselves, so an entry is never stale: a changed record has a new summary and
    thus a new key. A list page inflates each of its items (up to 200); at about 7 µs each, that was a third of a
    50-item page's CPU. The cache is emptied when it holds SUMMARIES_CACHED entries (a page that misses costs what
    it did without it). Safe from several threads: each step is one dict operation."""
    key = bytes(blob)
    if key[:1] == b"{":
        return key  # JSON already (a search hit, a timeline entry, a view stored before migration 0011)
    found = _summaries.get(key)
    if found is None:
        found = inflate(key)
        if len(_summaries) >= SUMMARIES_CACHED:
            _summaries.clear()
        _summaries[key] = found
    return found


def gzip_etag(etag: str) -> str:
    """The entity tag of the gzip form of the representation whose identity form has `etag` (a strong tag,
    quotes included): `"3-ab12"` gives `"3-ab12-gzip"`."""
    return etag[:-1] + '-gzip"'


def etags_of(etag: str) -> tuple[str, str]:
    """Both entity tags of a stored body whose identity form has `etag`: (identity, gzip). A record's state is the
    same in either, so If-Match accepts both (api/services/writes.py)."""
    return etag, gzip_etag(etag)


__all__ = [
    "DICTIONARIES", "GZIP_MAGIC", "LEVEL", "SUMMARIES_CACHED", "etags_of", "gzip_etag", "inflate", "inflate_summary", "is_packed", "pack",
    "pack_summary",
]
