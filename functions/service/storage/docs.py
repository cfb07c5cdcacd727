"""A record's document: its metadata object and embeddedMetadata as one zlib-compressed JSON text.

An item's size is what every write pays for (one write unit per KB), and a camera JPEG's two objects are
about 3 KB of JSON with the same tag names in every file: deflate with a preset dictionary of those names
(data/doc_dictionary_1.bin, made by scripts/gen_doc_dictionary.py from the test images) brings them to a few
hundred bytes, so the whole record fits one write unit (docs/benchmarks.md). JSON text keeps floats exact,
which DynamoDB numbers would not. `doc` holds the bytes and `dz` the dictionary they were made with; a
document too large for an item (past INLINE_LIMIT_BYTES compressed) goes to the bucket (overflow.py) and the
item keeps `docRef` and `docDigest`. Reads inflate at most MAX_BODY_BYTES: no zlib bomb inflates.
"""
from __future__ import annotations

import json
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from library.errors import RecordNotFound

from .overflow import MAX_BODY_BYTES, CorruptRecordBody, OverflowStore, digest

METADATA = "metadata"
EMBEDDED_METADATA = "embeddedMetadata"
# The dictionary documents are written with now; every one ever used stays readable.
DICTIONARY = 1
# Compressed documents larger than this go to the bucket, leaving room in the 400 KB item for the rest.
INLINE_LIMIT_BYTES = 350 * 1024


@cache
def dictionary(version: int) -> bytes:
    return resources.files(__package__).joinpath(f"data/doc_dictionary_{version}.bin").read_bytes()


@dataclass(frozen=True)
class Stored:
    """A document as an item keeps it: its attributes, and the compressed bytes to spill (then not inline)."""

    attributes: dict[str, Any] = field(default_factory=dict)
    spill: bytes | None = None


def encode(bodies: dict[str, Any]) -> Stored:
    """The document of these bodies (None values left out); {} when there is none."""
    present = {name: body for name, body in bodies.items() if body is not None}
    if not present:
        return Stored()
    text = json.dumps(present, ensure_ascii=False, separators=(",", ":")).encode()
    compressor = zlib.compressobj(9, zlib.DEFLATED, 15, 9, zlib.Z_DEFAULT_STRATEGY, dictionary(DICTIONARY))
    compressed = compressor.compress(text) + compressor.flush()
    if len(compressed) > INLINE_LIMIT_BYTES:
        return Stored({"dz": {"N": str(DICTIONARY)}}, spill=compressed)
    return Stored({"doc": {"B": compressed}, "dz": {"N": str(DICTIONARY)}})


def spilled(stored: Stored, key: str, body: bytes) -> Stored:
    """A spilled document's attributes once its bytes (`body`, what encode() spilled) are in the bucket under `key`."""
    return Stored({**stored.attributes, "docRef": {"S": key}, "docDigest": {"S": digest(body)}})


def reference(item: dict[str, Any]) -> str | None:
    """The bucket key of an item's spilled document, or None."""
    return item["docRef"]["S"] if "docRef" in item else None


def reader(item: dict[str, Any], overflow: OverflowStore) -> Callable[[], dict[str, Any]]:
    """A reader of the item's document (decoded once, on the first call): {} when it has none; a spilled copy
    that is gone makes the file not found, a changed one is a CorruptRecordBody (a 500, never served)."""

    @cache
    def read() -> dict[str, Any]:
        if "doc" in item:
            compressed = item["doc"]["B"]
        elif "docRef" in item:
            found = overflow.get(item["docRef"]["S"], item["docDigest"]["S"])
            if found is None:
                raise RecordNotFound(detail=f"the record's document {item['docRef']['S']} is missing from the bucket")
            compressed = found
        else:
            return {}
        return dict(json.loads(inflate(compressed, int(item["dz"]["N"]))))

    return read


def inflate(compressed: bytes, version: int) -> bytes:
    """A document's JSON text, refused (CorruptRecordBody) past MAX_BODY_BYTES or when it does not inflate."""
    inflater = zlib.decompressobj(15, dictionary(version))
    try:
        text = inflater.decompress(compressed, MAX_BODY_BYTES)
    except zlib.error as error:
        raise CorruptRecordBody(f"a record document does not inflate: {error}") from None
    if inflater.unconsumed_tail or not inflater.eof:
        raise CorruptRecordBody(f"a record document inflates past {MAX_BODY_BYTES} bytes, or is cut short")
    return text
