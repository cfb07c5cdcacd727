"""Records written as the ingest writes them, for tests that need many files or facts no real upload has.

A record comes from the record store's own write (S3's state of the object, what its bytes gave, and the
annotations of a write to the bucket), and its library page is written as the ingest writes it at the end of
a batch, so listings and near-duplicate scans see it exactly as they would see an upload.
"""
from __future__ import annotations

import hashlib
import json
from typing import Any

from library.annotations import FromBucket
from library.records import Extraction, FileRecord
from service.storage.library_pages import Batch, Pages
from service.storage.objects import ObjectState
from service.storage.overflow import OverflowStore
from service.storage.records import RecordStore
from service.storage.thumbnails import ThumbnailStore


def record_store(dynamodb: Any, s3: Any, table: str, bucket: str, bands: bool = False) -> RecordStore:
    return RecordStore(dynamodb, table, bucket, OverflowStore(s3, bucket), thumbnails=ThumbnailStore(s3, bucket),
                       bands=bands)


def write_record(store: RecordStore, pages: Pages, key: str, sequence: int, *, metadata: dict[str, Any] | None = None,
                 embedded: dict[str, Any] | None = None, size: int = 1, when: str = "2026-01-01T00:00:00.000Z",
                 etag: str | None = None, tags: tuple[str, ...] = (), custom: dict[str, Any] | None = None,
                 content_type: str = "") -> FileRecord | None:
    """One record (and its page), as the ingest writes it for an object of these facts; None when a newer
    write is stored. Other metadata means other bytes: the ETag follows the metadata unless given."""
    etag = etag or hashlib.md5(json.dumps([metadata, embedded], sort_keys=True).encode()).hexdigest()
    batch = Batch()
    state = ObjectState(key=key, size=size, etag=etag, version_id=None, last_modified=when, content_type=content_type)
    written = store.write_file(state, Extraction(metadata, embedded), FromBucket(tags, custom or {}),
                               f"{sequence:016X}", batch)
    pages.write(batch)
    return written.record


def image_metadata(width: int, height: int, size: int, phash: str, image_format: str = "png") -> dict[str, Any]:
    """A metadata object with the facts listings and searches read."""
    return {"height": height, "width": width, "size": size, "format": image_format, "hasTransparency": False,
            "pHash": phash}
