"""Items of the records table decoded into the library's typed records, once, here.

Nothing above storage reads DynamoDB attribute values: the API and the ingest get FileRecord and Folder
(library/records.py). A file's bodies stay where they are stored until a route reads one: the record's
`metadata` and `embedded_metadata` are readers bound to the item and the overflow store.
"""
from __future__ import annotations

import json
from typing import Any

from library.errors import RecordNotFound
from library.kinds import file_kind
from library.records import Body, FileRecord, Folder, StoredError

from . import bodies
from .overflow import OverflowStore

Item = dict[str, Any]


def file_record(item: Item, overflow: OverflowStore) -> FileRecord:
    """The record of a live file's item (is_file(item) holds)."""
    key = item["path"]["S"]
    error = stored_error(item)
    metadata = body_reader(item, bodies.METADATA, overflow)
    version = int(item["recordVersion"]["N"]) if "recordVersion" in item else 1
    common: dict[str, Any] = {
        "file_id": item["fileId"]["S"],
        "key": key,
        "updated_at": item["updatedAt"]["S"],
        "created_at": (item.get("createdAt") or item["updatedAt"])["S"],
        "size": int(item["size"]["N"]),
        "etag": item["etag"]["S"],
        "version_id": item["versionId"]["S"] if "versionId" in item else None,
        "error": error,
        "record_version": version,
        "metadata": metadata,
    }
    if version == 1:
        return _version_1(common, key, metadata)
    return FileRecord(
        **common,
        mime=item["mime"]["S"],
        file_type=item["fileType"]["S"],
        format=item["format"]["S"] if "format" in item else "",
        height=int(item["height"]["N"]) if "height" in item else None,
        width=int(item["width"]["N"]) if "width" in item else None,
        has_alpha=item["hasAlpha"]["BOOL"] if "hasAlpha" in item else None,
        tags=tuple(name if not value else f"{name}={value}" for name, value in json.loads(item["tags"]["S"])),
        custom_metadata=json.loads(item["customMetadata"]["S"]),
        embedded_metadata=body_reader(item, bodies.EMBEDDED_METADATA, overflow),
    )


def _version_1(common: dict[str, Any], key: str, metadata: Body) -> FileRecord:
    """A record written before the File object's facts were kept: they come from its metadata, or its error."""
    read = metadata() if common["error"] is None else None
    error: StoredError | None = common["error"]
    kind = file_kind(key, "", read["format"] if read else None, error is not None and error.too_large)
    return FileRecord(
        **common,
        mime=kind.mime,
        file_type=kind.file_type,
        format=kind.format,
        height=read["height"] if read else None,
        width=read["width"] if read else None,
        has_alpha=read["hasTransparency"] if read else None,
    )


def body_reader(item: Item, name: str, overflow: OverflowStore) -> Body:
    """A reader of one of the item's JSON bodies; a spilled copy that is gone makes the file not found."""

    def read() -> Any:
        try:
            return bodies.decode(item, name, overflow)
        except bodies.MissingRecordBody as missing:
            raise RecordNotFound(detail=str(missing)) from None

    return read


def stored_error(item: Item) -> StoredError | None:
    """The error an item keeps for bytes that are no readable image, or None."""
    if "error" not in item:
        return None
    stored = item["error"]["M"]
    return StoredError(stored["kind"]["S"], stored["message"]["S"], stored["help"]["S"])


def folder_record(item: Item) -> Folder:
    return Folder(
        folder_id=item["fileId"]["S"],
        prefix=item["prefix"]["S"],
        name=item["folderName"]["S"],
        created_at=item["createdAt"]["S"],
        updated_at=item["updatedAt"]["S"],
    )
