"""Seeds: what a writer of an object knew about it, left for the ingest, so it does not read the bytes again.

The upload route extracts the bytes it is about to put (and puts their thumbnail); a copy, move or restore
knows the source's record.
Each leaves a seed under the destination's fileId, the object's ETag (the MD5 of a single-part put, the same
for a copy of the same bytes) and its mark: the extraction, how the write changes the annotations (the
upload's fields and overwrite rules, or the source's annotations carried whole), and the creation time a move
keeps. The object then carries the user metadata `imagemeta-seed`, whose value is the mark ("1" for an
upload; for a copy, the operation and the source version, so versions of equal bytes copied together keep a
seed each), so the ingest looks for a seed only for those objects; it takes the seed of the ETag S3 reports
and the object's mark, else reads the bytes as for any upload. Seeds are keyed `pk` "_seed#<fileId>", `sk` the
ETag (an upload's) or "<ETag>#<mark>", and expire after a day.

A move also leaves a departure note under the source's fileId (`sk` DEPARTURE_SK): where the file went. The
ingest takes it when S3 says the source is gone and keeps it in the source's tombstone, so the old fileId
answers 404 naming the file's new path (docs/files-api.md, "fileIds after a move").
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
from .objects import UPLOAD_MARK
from .overflow import MAX_BODY_BYTES, CorruptRecordBody

TTL_SECONDS = 24 * 3600
# Seeds have partitions of their own, so that the upload function may write them and nothing else (template.yaml).
SEED_PREFIX = "_seed#"
DEPARTURE_SK = "moved"


@dataclass(frozen=True)
class Seed:
    """What the writer of one object's bytes left for the ingest."""

    extraction: Extraction | None  # None: the ingest reads the bytes (over the upload function's budget)
    update: Update
    created_at: str | None = None  # a move keeps the file's creation time


def seed_key(file_id: str, etag: str, mark: str = UPLOAD_MARK) -> dict[str, Any]:
    return {"pk": {"S": f"{SEED_PREFIX}{file_id}"}, "sk": {"S": etag if mark == UPLOAD_MARK else f"{etag}#{mark}"}}


class Seeds:
    """Puts, takes and discards seeds; the DynamoDB client is passed in."""

    def __init__(self, dynamodb: Any, table: str):
        self._dynamodb = dynamodb
        self._table = table

    def put(self, file_id: str, etag: str, seed: Seed, mark: str = UPLOAD_MARK) -> bool:
        """Leave a seed for the ingest; False (nothing left: the ingest reads the bytes) when too large."""
        body = zlib.compress(json.dumps(encode(seed), ensure_ascii=False, separators=(",", ":")).encode(), 6)
        if len(body) > INLINE_LIMIT_BYTES:
            return False
        self._dynamodb.put_item(
            TableName=self._table,
            Item={**seed_key(file_id, etag, mark), "seed": {"B": body},
                  "expiresAt": {"N": str(int(time.time()) + TTL_SECONDS)}},
        )
        return True

    def leave(self, file_id: str, etag: str, seed: Seed, mark: str = UPLOAD_MARK) -> None:
        """Leave a seed for the ingest, without its extraction when that is too large to keep (the ingest reads)."""
        if not self.put(file_id, etag, seed, mark):
            self.put(file_id, etag, Seed(None, seed.update, seed.created_at), mark)

    def take(self, file_id: str, etag: str, mark: str = UPLOAD_MARK) -> Seed | None:
        """The seed left for these bytes (strongly consistent: it was written before the object), or None."""
        item = self._dynamodb.get_item(TableName=self._table, Key=seed_key(file_id, etag, mark), ConsistentRead=True)
        if "Item" not in item:
            return None
        return decode(json.loads(inflate_seed(item["Item"]["seed"]["B"])))

    def discard(self, file_id: str, etag: str, mark: str = UPLOAD_MARK) -> None:
        self._dynamodb.delete_item(TableName=self._table, Key=seed_key(file_id, etag, mark))

    def put_departure(self, file_id: str, etag: str, destination_key: str) -> None:
        """Note that the file of this fileId, with these bytes, is moving to another key (before it is deleted)."""
        self._dynamodb.put_item(
            TableName=self._table,
            Item={**seed_key(file_id, DEPARTURE_SK), "to": {"S": destination_key}, "etag": {"S": etag},
                  "expiresAt": {"N": str(int(time.time()) + TTL_SECONDS)}},
        )

    def departure(self, file_id: str, etag: str) -> str | None:
        """The key the file of this fileId was moved to, if a move of these bytes left a note."""
        item = self._dynamodb.get_item(TableName=self._table, Key=seed_key(file_id, DEPARTURE_SK), ConsistentRead=True)
        found = item.get("Item")
        return found["to"]["S"] if found is not None and found["etag"]["S"] == etag else None


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
