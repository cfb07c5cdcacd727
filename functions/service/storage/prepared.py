"""Extractions the upload route already made, handed to the ingest so it does not read and extract again.

The upload function extracts the bytes it is about to put, and stores the result under the object's ETag
(the MD5 of a single-part put) before it puts the object. When the ingest gets the object's event, it looks
for an extraction under the ETag the event names, checks with HeadObject that the object still has that
ETag, and writes the record from it; otherwise it reads and extracts as for any upload. Items live beside
the records (`_prepared/<fileId>/<etag>`, never a fileId), expire after a day, and only the upload
function's role may write them (template.yaml: a LeadingKeys condition).
"""
from __future__ import annotations

import json
import time
import zlib
from dataclasses import dataclass
from typing import Any

from imagemeta.errors import ImageMetaError

from .bodies import INLINE_LIMIT_BYTES, inflate

PREFIX = "_prepared/"
TTL_SECONDS = 24 * 3600


@dataclass(frozen=True)
class Prepared:
    """An extraction of one object's bytes: its metadata and embeddedMetadata, or why it has none."""

    metadata: dict[str, Any] | None
    embedded: dict[str, Any] | None
    error: dict[str, str] | None = None


def prepared_key(file_id: str, etag: str) -> str:
    return f"{PREFIX}{file_id}/{etag}"


class PreparedExtractions:
    """Puts, takes and discards prepared extractions; the DynamoDB client is passed in."""

    def __init__(self, dynamodb: Any, table: str):
        self._dynamodb = dynamodb
        self._table = table

    def put(self, file_id: str, etag: str, metadata: dict | None, embedded: dict | None,
            error: ImageMetaError | None) -> bool:
        """Keep an extraction for the ingest; False (nothing kept) when it is too large for an item."""
        found = {"metadata": metadata, "embedded": embedded,
                 "error": None if error is None else
                 {"kind": type(error).__name__, "message": error.message, "help": error.help}}
        body = zlib.compress(json.dumps(found, ensure_ascii=False, separators=(",", ":")).encode(), 6)
        if len(body) > INLINE_LIMIT_BYTES:
            return False
        self._dynamodb.put_item(
            TableName=self._table,
            Item={
                "fileId": {"S": prepared_key(file_id, etag)},
                "extraction": {"B": body},
                "expiresAt": {"N": str(int(time.time()) + TTL_SECONDS)},
            },
        )
        return True

    def take(self, file_id: str, etag: str) -> Prepared | None:
        """The extraction kept for these bytes, or None."""
        if not etag:
            return None
        key = {"fileId": {"S": prepared_key(file_id, etag)}}
        item = self._dynamodb.get_item(TableName=self._table, Key=key).get("Item")
        if item is None:
            return None
        found = json.loads(inflate(item["extraction"]["B"]))
        return Prepared(found["metadata"], found["embedded"], found["error"])

    def discard(self, file_id: str, etag: str) -> None:
        self._dynamodb.delete_item(TableName=self._table, Key={"fileId": {"S": prepared_key(file_id, etag)}})
