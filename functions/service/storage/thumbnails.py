"""Thumbnails in the upload bucket, under the service's prefix: one WebP per image version, named by its file.

Who makes a thumbnail puts it (the upload route in the request, else the ingest; for a copy, move or restore
the ingest copies the source's), under a key of its own
(`_imagemeta/thumbnails/<fileId>/<ETag>-<random>.webp`), and hands the key to the record write, which keeps
it or deletes it (records.py): a write that loses (a stale or repeated event, a key overwritten since) never
deletes the thumbnail of the record that won, and a record that replaces another deletes the one it replaces.
A private file's thumbnail carries the private tag as its object does, so only signed URLs reach it.
The bucket policy lets only the ingest and the upload function write under the prefix (template.yaml).
"""
from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from library.annotations import private_tagging

from .overflow import RESERVED_PREFIX

THUMBNAIL_PREFIX = f"{RESERVED_PREFIX}thumbnails/"
# The random part of a thumbnail's key (a key is written once: a new thumbnail is a new key).
SUFFIX_BYTES = 6
ENDING = ".webp"
# Each key is written once and never changes: browsers and the distribution may keep it for good (a private
# one, only the browser that was given its signed URL).
CACHE_CONTROL = {False: "public, max-age=31536000, immutable", True: "private, max-age=31536000, immutable"}


class ThumbnailStore:
    """Puts and deletes thumbnails; the S3 client is passed in."""

    def __init__(self, s3: Any, bucket: str) -> None:
        self._s3 = s3
        self._bucket = bucket

    def put(self, file_id: str, etag: str, webp: bytes, private: bool) -> str:
        """Store a thumbnail of one version of a file under a new key, and return the key."""
        key = self._new_key(file_id, etag)
        request: dict[str, Any] = {"Bucket": self._bucket, "Key": key, "Body": webp, "ContentType": "image/webp",
                                   "CacheControl": CACHE_CONTROL[private]}
        if private:
            request["Tagging"] = private_tagging()
        self._s3.put_object(**request)
        return key

    def copy(self, source: str, file_id: str, etag: str, private: bool) -> str:
        """Store a copy of another file's thumbnail (a copied, moved or restored file's source) under a new key of
        this file's, and return the key: each record owns its thumbnail, so the source's may go with its record."""
        key = self._new_key(file_id, etag)
        self._s3.copy_object(
            Bucket=self._bucket, Key=key, CopySource={"Bucket": self._bucket, "Key": source},
            MetadataDirective="REPLACE", ContentType="image/webp", CacheControl=CACHE_CONTROL[private],
            TaggingDirective="REPLACE", Tagging=private_tagging() if private else "",
        )
        return key

    def keep(self, file_id: str, etag: str, webp: bytes, private: bool) -> tuple[str | None, str]:
        """put(), as (key, ""); or (None, why) when S3 refuses it: a thumbnail never fails its file's upload or
        ingest."""
        return self._kept(lambda: self.put(file_id, etag, webp, private))

    def keep_copy(self, source: str, file_id: str, etag: str, private: bool) -> tuple[str | None, str]:
        """copy(), as keep() puts: (None, why) when S3 refuses it (the source gone meanwhile, say)."""
        return self._kept(lambda: self.copy(source, file_id, etag, private))

    def delete(self, key: str) -> None:
        self._s3.delete_object(Bucket=self._bucket, Key=key)

    @staticmethod
    def _kept(store: Callable[[], str]) -> tuple[str | None, str]:
        try:
            return store(), ""
        except Exception as error:  # noqa: BLE001 - whatever S3 answers, the file's record or upload goes on
            return None, f"{type(error).__name__}: {error}"

    @staticmethod
    def _new_key(file_id: str, etag: str) -> str:
        return thumbnail_key(file_id, etag, secrets.token_hex(SUFFIX_BYTES))


def thumbnail_key(file_id: str, etag: str, suffix: str) -> str:
    return f"{THUMBNAIL_PREFIX}{file_id}/{etag}-{suffix}{ENDING}"


def stored_thumbnail(key: str | None, file_id: str, etag: str) -> str:
    """How a record keeps its thumbnail's key: the random part alone when the rest is its own fileId and ETag (a
    record's write unit holds 1 KB, and the whole key is 90 bytes), else the key; "" for none."""
    if not key:
        return ""
    suffix = key[-len(ENDING) - SUFFIX_BYTES * 2:-len(ENDING)]
    return suffix if key == thumbnail_key(file_id, etag, suffix) else key


def kept_thumbnail(stored: str, file_id: str, etag: str) -> str | None:
    """The thumbnail key a record keeps as stored_thumbnail() wrote it."""
    if not stored:
        return None
    return stored if stored.startswith(THUMBNAIL_PREFIX) else thumbnail_key(file_id, etag, stored)
