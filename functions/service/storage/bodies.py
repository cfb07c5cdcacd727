"""A record's JSON bodies (metadata, embeddedMetadata): JSON text, compressed when large, spilled when too large.

Each body `<name>` lives in one of three attributes: `<name>` (JSON text), `<name>Z` (zlib-compressed JSON)
or `<name>Ref` + `<name>Digest` (the compressed JSON under the bucket's reserved prefix, overflow.py).
JSON text keeps floats exact, which DynamoDB numbers would not. The bodies of one record share its item
(400 KB): past INLINE_LIMIT_BYTES together, the largest are spilled first.
"""
from __future__ import annotations

import json
import zlib
from typing import Any

from .overflow import MAX_BODY_BYTES, CorruptRecordBody, OverflowStore, digest

# JSON above this size is stored zlib-compressed (DynamoDB items are capped at 400 KB) ...
COMPRESS_ABOVE_BYTES = 32 * 1024
# ... and bodies that together stay above this go to the bucket, leaving room for the other attributes.
INLINE_LIMIT_BYTES = 350 * 1024
METADATA = "metadata"
EMBEDDED_METADATA = "embeddedMetadata"


class MissingRecordBody(Exception):
    """A spilled body is gone from the bucket (the record is being replaced, or the bucket was tampered with)."""


def encode(bodies: dict[str, Any]) -> tuple[dict[str, Any], dict[str, bytes]]:
    """Item attributes for the bodies kept inline, and the compressed bytes of those to spill, by name."""
    inline: dict[str, tuple[str, Any]] = {}
    for name, body in bodies.items():
        text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
        encoded = text.encode()
        inline[name] = ("S", text) if len(encoded) <= COMPRESS_ABOVE_BYTES else ("B", zlib.compress(encoded, 6))
    spills: dict[str, bytes] = {}
    while inline and sum(_stored_bytes(value) for value in inline.values()) > INLINE_LIMIT_BYTES:
        largest = max(inline, key=lambda name: _stored_bytes(inline[name]))
        kind, value = inline.pop(largest)
        spills[largest] = value if kind == "B" else zlib.compress(value.encode(), 6)
    attributes = {name if kind == "S" else f"{name}Z": {kind: value} for name, (kind, value) in inline.items()}
    return attributes, spills


def spilled_attributes(name: str, key: str, body: bytes) -> dict[str, Any]:
    """The attributes pointing at a body spilled under `key`."""
    return {f"{name}Ref": {"S": key}, f"{name}Digest": {"S": digest(body)}}


def references(item: dict[str, Any]) -> set[str]:
    """The bucket keys of the bodies an item spilled."""
    return {value["S"] for attribute, value in item.items() if attribute.endswith("Ref") and "S" in value}


def stored(item: dict[str, Any], name: str) -> bool:
    """Whether the item holds the body `name` in any of its three forms."""
    return any(attribute in item for attribute in (name, f"{name}Z", f"{name}Ref"))


def decode(item: dict[str, Any], name: str, overflow: OverflowStore) -> Any:
    """The body `name` back from an item, wherever encode put it (None when the item has none)."""
    if name in item:
        return json.loads(item[name]["S"])
    if f"{name}Z" in item:
        return json.loads(inflate(item[f"{name}Z"]["B"]))
    if f"{name}Ref" not in item:
        return None
    key = item[f"{name}Ref"]["S"]
    # Records spilled before digests were kept have none: their read is still bounded.
    expected = item[f"{name}Digest"]["S"] if f"{name}Digest" in item else None
    compressed = overflow.get(key, expected)
    if compressed is None:
        raise MissingRecordBody(f"the record's body {key} is missing from the bucket")
    return json.loads(inflate(compressed))


def inflate(compressed: bytes) -> bytes:
    """A zlib-compressed record body, refused (CorruptRecordBody) past MAX_BODY_BYTES: no zlib bomb inflates."""
    inflater = zlib.decompressobj()
    try:
        text = inflater.decompress(compressed, MAX_BODY_BYTES)
    except zlib.error as error:
        raise CorruptRecordBody(f"a record body does not inflate: {error}") from None
    if inflater.unconsumed_tail or not inflater.eof:
        raise CorruptRecordBody(f"a record body inflates past {MAX_BODY_BYTES} bytes, or is cut short")
    return text


def _stored_bytes(value: tuple[str, Any]) -> int:
    kind, stored_value = value
    return len(stored_value.encode()) if kind == "S" else len(stored_value)
