"""A file record's item (records version 3): FileRecord to attributes and back, the one place that knows them.

Partition key `pk` is the fileId, sort key `sk` is FILE_SK. Attributes (docs/files-api.md, "Records"):

- the write's place: `ord` (S3's LastModified, then the event's sequencer: what a later write must exceed),
  `rev` (a counter every write bumps: the condition of the next one), `ver` (the layout, 3);
- the object: `folder` (the folder index's partition) and `name`, which make its key (object_key); `size`, `etag`,
  `vid` (its version); `ckey` (the key's first upload while it stays live, then `/` and the name: the folder
  index's sort key, and the file's creation time), `updatedAt` (this version's upload, when it is not that first);
- what its bytes are: `mime`, `fileType`, `format`, `height`, `width`, `hasAlpha`, `pHash`, `taken`
  (DateTimeOriginal), `em` (the other embeddedMetadata tags searches read: library.search_fields.EMBEDDED_STORED),
  `error`, and `doc`: the metadata
  object and embeddedMetadata as one compressed JSON document (docs.py), or `docRef` when it is spilled;
  `thumb`, the key of an image's thumbnail in the bucket, its random part alone when the rest is the record's
  fileId and ETag (thumbnails.py; "" when none could be made, absent in records written before thumbnails,
  which a backfill gives one);
- what callers keep: `tags`, `custom` (typed values), `coords`, `desc`, `private` and `published` (when not
  false and true), `vnum`;
- `page`: the library page that lists it (library_pages.py).

No attribute says twice what another says: a write unit holds 1 KB of item, and a camera JPEG's record is just
under it (docs/benchmarks.md, "Ingest cost": one more byte over is a second unit per upload).

Only live files carry `folder` and `ckey`, so only they are in the folder index; a tombstone keeps `ord`,
`rev`, `deleted` and `expiresAt` and nothing of the file.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from library.paths import folder_path, name_of, parent_prefix
from library.records import Annotations, FileRecord, StoredError
from library.search_fields import EMBEDDED_STORED

from . import docs
from .overflow import OverflowStore
from .thumbnails import kept_thumbnail, stored_thumbnail

Item = dict[str, Any]
FILE_SK = "F"
# The folder index partitions of kept versions start with this (versions.py); a folder path starts with "/".
VERSIONS_PARTITION = "v:"
# DateTimeOriginal, kept as the record's `taken` rather than in `em` (one attribute says it once).
TAKEN_TAG = "DateTimeOriginal"
# Attributes the folder index projects beside its keys: every field a search filters or a listing sorts on.
INDEXED_ATTRIBUTES = ("name", "updatedAt", "size", "height", "width", "format", "fileType", "hasAlpha", "tags",
                      "custom", "private", "published", "taken", "em")


def created_key(created_at: str, key: str) -> str:
    """The folder index's sort key: the creation instant, then the name (unique in its folder): string order is
    creation order, and equal instants page in name order."""
    return f"{created_at}/{name_of(key)}"


def object_key(item: Item) -> str:
    """The object key of a record item: a live file's folder and name (a tombstone or a marker keeps `key`)."""
    if "key" in item:
        return str(item["key"]["S"])
    # A kept version's folder is its file's behind the versions' partition (versions.py).
    return str(item["folder"]["S"]).removeprefix(VERSIONS_PARTITION)[1:] + str(item["name"]["S"])


def creation_instant(item: Item) -> str:
    """A live file's creation instant, the first part of its `ckey`."""
    return str(item["ckey"]["S"]).split("/", 1)[0]


def update_instant(item: Item) -> str:
    """When a live file's current version was uploaded: `updatedAt`, or its creation when it has one version."""
    return str(item["updatedAt"]["S"]) if "updatedAt" in item else creation_instant(item)


def file_attributes(record: FileRecord, document: docs.Stored) -> Item:
    """Every attribute of a live file's item but its keys and its place in the write order."""
    notes = record.annotations
    item: Item = {
        "ver": {"N": str(record.record_version)},
        "name": {"S": record.name},
        "folder": {"S": folder_path(parent_prefix(record.key))},
        "ckey": {"S": created_key(record.created_at, record.key)},
        "size": {"N": str(record.size)},
        "etag": {"S": record.etag},
        "mime": {"S": record.mime},
        "fileType": {"S": record.file_type},
        **document.attributes,
    }
    optional: dict[str, Any] = {
        "vid": record.version_id and {"S": record.version_id},
        "updatedAt": record.updated_at != record.created_at and {"S": record.updated_at},
        "format": record.format and {"S": record.format},
        "height": record.height is not None and {"N": str(record.height)},
        "width": record.width is not None and {"N": str(record.width)},
        "hasAlpha": record.has_alpha is not None and {"BOOL": record.has_alpha},
        "pHash": record.phash and {"S": record.phash},
        "taken": record.taken_at and {"S": record.taken_at},
        "tags": notes.tags and {"L": [{"S": tag} for tag in notes.tags]},
        "custom": notes.custom_metadata and {"M": {name: typed(value)
                                                   for name, value in notes.custom_metadata.items()}},
        "coords": notes.custom_coordinates and {"S": notes.custom_coordinates},
        "desc": notes.description and {"S": notes.description},
        "private": notes.is_private and {"BOOL": True},
        "published": not notes.is_published and {"BOOL": False},
        "vnum": record.version_number > 1 and {"N": str(record.version_number)},
        "error": record.error and {"M": {"kind": {"S": record.error.kind}, "message": {"S": record.error.message},
                                         "help": {"S": record.error.help}}},
    }
    item.update({name: value for name, value in optional.items() if value})
    if record.phash is not None:  # an image read by a version that makes thumbnails: "" when it could make none
        item["thumb"] = {"S": stored_thumbnail(record.thumbnail_key, record.file_id, record.etag)}
    return item


def searchable_embedded(embedded: Mapping[str, Any] | None) -> Item:
    """The `em` attribute: the searchable embeddedMetadata tags of an image, typed ({} when it has none);
    DateTimeOriginal is the record's `taken` already (embedded_of puts it back)."""
    if not embedded:
        return {}
    found = {name: typed(embedded[name]) for name in EMBEDDED_STORED
             if name != TAKEN_TAG and _storable(embedded.get(name))}
    return {"em": {"M": found}} if found else {}


# Searchable values are short: a longer text or list is in the document, not in the index.
MAX_SEARCHABLE_CHARACTERS = 256
MAX_SEARCHABLE_VALUES = 64


def _storable(value: Any) -> bool:
    if isinstance(value, list):
        return 0 < len(value) <= MAX_SEARCHABLE_VALUES and all(_storable(each) for each in value)
    if isinstance(value, str):
        return 0 < len(value) <= MAX_SEARCHABLE_CHARACTERS
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def embedded_of(item: Item) -> dict[str, Any]:
    """The searchable embeddedMetadata tags of a record item or an index row: `em`, and `taken`."""
    found = {name: untyped(value) for name, value in item["em"]["M"].items()} if "em" in item else {}
    if "taken" in item:
        found[TAKEN_TAG] = item["taken"]["S"]
    return found


def file_record(item: Item, overflow: OverflowStore) -> FileRecord:
    """The record of a live file's item (records version 3; is_file(item) holds)."""
    key = object_key(item)
    stored = docs.reader(item, overflow)
    return FileRecord(
        file_id=item["pk"]["S"],
        key=key,
        created_at=creation_instant(item),
        updated_at=update_instant(item),
        size=int(item["size"]["N"]),
        etag=item["etag"]["S"],
        version_id=item["vid"]["S"] if "vid" in item else None,
        mime=item["mime"]["S"],
        file_type=item["fileType"]["S"],
        format=item["format"]["S"] if "format" in item else "",
        height=int(item["height"]["N"]) if "height" in item else None,
        width=int(item["width"]["N"]) if "width" in item else None,
        has_alpha=item["hasAlpha"]["BOOL"] if "hasAlpha" in item else None,
        phash=item["pHash"]["S"] if "pHash" in item else None,
        taken_at=item["taken"]["S"] if "taken" in item else None,
        thumbnail_key=thumbnail_of(item),
        annotations=read_annotations(item),
        version_number=int(item["vnum"]["N"]) if "vnum" in item else 1,
        error=stored_error(item),
        record_version=int(item["ver"]["N"]),
        current=item["sk"]["S"] == FILE_SK,
        metadata=lambda: stored().get(docs.METADATA),
        embedded_metadata=lambda: stored().get(docs.EMBEDDED_METADATA),
    )


def read_annotations(item: Item) -> Annotations:
    return Annotations(
        tags=tuple(tag["S"] for tag in item["tags"]["L"]) if "tags" in item else (),
        custom_metadata={name: untyped(value) for name, value in item["custom"]["M"].items()}
        if "custom" in item else {},
        custom_coordinates=item["coords"]["S"] if "coords" in item else None,
        description=item["desc"]["S"] if "desc" in item else None,
        is_private=item["private"]["BOOL"] if "private" in item else False,
        is_published=item["published"]["BOOL"] if "published" in item else True,
    )


def stored_error(item: Item) -> StoredError | None:
    if "error" not in item:
        return None
    stored = item["error"]["M"]
    return StoredError(stored["kind"]["S"], stored["message"]["S"], stored["help"]["S"])


def typed(value: Any) -> dict[str, Any]:
    """A JSON value (custom metadata, a searchable tag) as a DynamoDB attribute value of its own type."""
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, (int, float)):
        return {"N": json.dumps(value)}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, list):
        return {"L": [typed(each) for each in value]}
    raise TypeError(f"not a storable value: {value!r}")


def untyped(value: dict[str, Any]) -> Any:
    """An attribute value written by typed() back as JSON."""
    if "BOOL" in value:
        return value["BOOL"]
    if "N" in value:
        text = value["N"]
        return int(text) if text.lstrip("-").isdigit() else float(Decimal(text))
    if "S" in value:
        return value["S"]
    return [untyped(each) for each in value["L"]]


def thumbnail_of(item: Item | None) -> str | None:
    """The thumbnail key a stored item holds (None for none)."""
    if item is None or "thumb" not in item:
        return None
    return kept_thumbnail(str(item["thumb"]["S"]), str(item["pk"]["S"]), str(item["etag"]["S"]))
