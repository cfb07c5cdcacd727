"""Seeds: what a writer of an object knew about it, left for the ingest, so it does not read the bytes again.

The upload route extracts the bytes it is about to put (and puts their thumbnail); a copy, move or restore
knows the source's record.
Each leaves a seed under the destination's fileId and the object's ETag (the MD5 of a single-part put, the
same for a copy of the same bytes): the extraction, how the write changes the annotations (the upload's
fields and overwrite rules, or the source's annotations carried whole), and the creation time a move keeps.
The object then carries the user metadata `imagemeta-seed`, so the ingest looks for a seed only for those
objects; it takes the seed whose ETag S3 reports for the key's current version, else reads the bytes as for
any upload. Seeds are keyed `pk` "_seed#<fileId>", `sk` the ETag, and expire after a day.
"""
from __future__ import annotations

import json
import time
import zlib
from dataclasses import asdict, dataclass
from typing import Any

from library.annotations import AnnotationUpdate, Carried, Update
from library.records import Annotations, Extraction, StoredError

from .docs import INLINE_LIMIT_BYTES
from .overflow import MAX_BODY_BYTES, CorruptRecordBody

TTL_SECONDS = 24 * 3600
# Seeds have partitions of their own, so that the upload function may write them and nothing else (template.yaml).
SEED_PREFIX = "_seed#"


@dataclass(frozen=True)
class Seed:
    """What the writer of one object's bytes left for the ingest."""

    extraction: Extraction | None  # None: the ingest reads the bytes (over the upload function's budget)
    update: Update
    created_at: str | None = None  # a move keeps the file's creation time


def seed_key(file_id: str, etag: str) -> dict[str, Any]:
    return {"pk": {"S": f"{SEED_PREFIX}{file_id}"}, "sk": {"S": etag}}


class Seeds:
    """Puts, takes and discards seeds; the DynamoDB client is passed in."""

    def __init__(self, dynamodb: Any, table: str):
        self._dynamodb = dynamodb
        self._table = table

    def put(self, file_id: str, etag: str, seed: Seed) -> bool:
        """Leave a seed for the ingest; False (nothing left: the ingest reads the bytes) when too large."""
        body = zlib.compress(json.dumps(encode(seed), ensure_ascii=False, separators=(",", ":")).encode(), 6)
        if len(body) > INLINE_LIMIT_BYTES:
            return False
        self._dynamodb.put_item(
            TableName=self._table,
            Item={**seed_key(file_id, etag), "seed": {"B": body},
                  "expiresAt": {"N": str(int(time.time()) + TTL_SECONDS)}},
        )
        return True

    def take(self, file_id: str, etag: str) -> Seed | None:
        """The seed left for these bytes (strongly consistent: it was written before the object), or None."""
        item = self._dynamodb.get_item(TableName=self._table, Key=seed_key(file_id, etag), ConsistentRead=True)
        if "Item" not in item:
            return None
        return decode(json.loads(inflate_seed(item["Item"]["seed"]["B"])))

    def discard(self, file_id: str, etag: str) -> None:
        self._dynamodb.delete_item(TableName=self._table, Key=seed_key(file_id, etag))


def encode(seed: Seed) -> dict[str, Any]:
    extraction = seed.extraction or Extraction()
    update: dict[str, Any] = ({"carried": asdict(seed.update.annotations)} if isinstance(seed.update, Carried)
                              else {"upload": asdict(seed.update)})
    return {
        "read": seed.extraction is not None,
        "metadata": extraction.metadata,
        "embedded": extraction.embedded,
        "error": asdict(extraction.error) if extraction.error else None,
        "thumbnail": extraction.thumbnail_key,
        "update": update,
        "created": seed.created_at,
    }


def decode(found: dict[str, Any]) -> Seed:
    update: Update
    if "carried" in found["update"]:
        carried = found["update"]["carried"]
        update = Carried(Annotations(**{**carried, "tags": tuple(carried["tags"])}))
    else:
        upload = found["update"]["upload"]
        update = AnnotationUpdate(**{**upload, "tags": None if upload["tags"] is None else tuple(upload["tags"])})
    error = StoredError(**found["error"]) if found["error"] else None
    extraction = Extraction(found["metadata"], found["embedded"], error, found.get("thumbnail")) if found["read"] \
        else None
    return Seed(extraction, update, found["created"])


def inflate_seed(compressed: bytes) -> bytes:
    inflater = zlib.decompressobj()
    text = inflater.decompress(compressed, MAX_BODY_BYTES)
    if inflater.unconsumed_tail or not inflater.eof:
        raise CorruptRecordBody("a seed inflates past its bound, or is cut short")
    return text
