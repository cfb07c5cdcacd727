"""A file's versions copied to another key with their records' facts, and for a move the source taken away.

Copy, move and rename (one file, in the request) and the folder jobs (page by page) place files this way. Each
version is copied by CopyObject, oldest first, so the destination's newest is the source's current one (onto
an existing file, they become its newest versions where the bucket keeps versions), marked with the seed's
user metadata; before each copy a seed (seeds.py) under the destination's fileId and the version's ETag
(CopyObject keeps a single-part object's ETag) carries the source record's extraction and its annotations
whole (Carried), and a move's creation time, so the ingest writes the destination's records without reading
or extracting the bytes. A version with no record yet (an upload the ingest has not reached) passes its own
upload's seed on, or none: the ingest then reads the copy as any upload. Each version's seed has the copy's
mark in its key, so versions of equal bytes keep a seed each.

A move deletes exactly the versions it copied (by version id; in a bucket without versions, only while the
object still has the ETag it copied, S3's conditional delete), after the copies: an object is never in neither
place, and one written to the source meanwhile stays there. It leaves a departure note first, so the source's
fileId answers where the file went. The mark each copy carries names the operation and the source version it
came from, so a folder job redoing a step finds what it copied already and goes on from there.
"""
from __future__ import annotations

from typing import Any

from library.annotations import Carried
from library.errors import RecordNotFound
from library.records import Extraction, FileRecord

from .objects import (
    SEED_METADATA,
    ObjectState,
    copy_version,
    delete_if_unchanged,
    delete_versions,
    head_version,
    key_versions,
)
from .records import RecordStore, file_id
from .seeds import Seed, Seeds


class Transfers:
    """Copies and moves files' versions within the bucket; the S3 client and the stores are passed in."""

    def __init__(self, s3: Any, bucket: str, records: RecordStore, seeds: Seeds):
        self._s3 = s3
        self._bucket = bucket
        self._records = records
        self._seeds = seeds

    def transfer(self, key: str, destination: str, *, versions: bool, moves: bool, operation: str,
                 redo: bool = False) -> ObjectState | None:
        """Copy the key's current version (every version with `versions`) to `destination`, then for a move
        delete them at the source. `operation` names the copies' mark; with `redo`, versions a first attempt of
        the same operation copied already are not copied again. The current version as copied, or None when the
        key has no current version (nothing to transfer)."""
        sources = self._sources(key, versions)
        if not sources:
            return None
        marks = [f"{operation}/{source.version_id or source.etag}" for source in sources]
        start = self._copied(destination, marks) if redo else 0
        destination_id = file_id(self._bucket, destination)
        for source, mark in zip(sources[start:], marks[start:], strict=True):
            seed = self._seed(source, moves)
            if seed is not None:
                self._seeds.leave(destination_id, source.etag, seed, mark)
            copy_version(self._s3, self._bucket, source, destination, mark)
        current = sources[-1]
        if moves:
            self._seeds.put_departure(file_id(self._bucket, key), current.etag, destination)
            if current.version_id is not None:
                delete_versions(self._s3, self._bucket, [(key, source.version_id) for source in sources])
            else:
                delete_if_unchanged(self._s3, self._bucket, key, current.etag)
        return current

    def _sources(self, key: str, versions: bool) -> list[ObjectState]:
        """The versions to copy, oldest first, as HeadObject says (type, user metadata, headers): the current one,
        or every one S3 holds; none when the key has no current version."""
        current = head_version(self._s3, self._bucket, key)
        if current is None or not versions or current.version_id is None:
            return [current] if current is not None else []
        listed = [stored.version_id for stored in key_versions(self._s3, self._bucket, key) if not stored.delete_marker]
        older = listed[: listed.index(current.version_id)] if current.version_id in listed else []
        states = [head_version(self._s3, self._bucket, key, version_id) for version_id in older]
        return [state for state in states if state is not None] + [current]

    def _copied(self, destination: str, marks: list[str]) -> int:
        """How many of the versions an earlier attempt copied: the destination's current version carries the mark
        of the last it copied (they are copied in order)."""
        found = head_version(self._s3, self._bucket, destination)
        mark = found.user_metadata.get(SEED_METADATA) if found is not None else None
        return marks.index(mark) + 1 if mark in marks else 0

    def _seed(self, source: ObjectState, moves: bool) -> Seed | None:
        """What the ingest needs of a copied version: its record's extraction and annotations (and a move's
        creation time); a pending upload's own seed; or nothing (a folder marker, or an unread object)."""
        if source.key.endswith("/"):
            return None
        fid = file_id(self._bucket, source.key)
        record = self._record(fid, source)
        if record is not None:
            extraction = Extraction(record.metadata(), record.embedded_metadata(), record.error, record.thumbnail_key)
            return Seed(extraction, Carried(record.annotations), record.created_at if moves else None)
        mark = source.seed_mark
        return self._seeds.take(fid, source.etag, mark) if mark is not None else None

    def _record(self, fid: str, source: ObjectState) -> FileRecord | None:
        """The record of exactly this version (the current one's, or a kept version's), if the ingest wrote it."""
        try:
            current = self._records.file(fid, consistent=True)
        except RecordNotFound:
            current = None
        if current is not None and current.version_id == source.version_id and current.etag == source.etag:
            return current
        kept = self._records.version(fid, source.version_id) if source.version_id else None
        return kept if kept is not None and kept.etag == source.etag else None
