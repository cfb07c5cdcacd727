"""The attributes of a live file's record item: the File object's facts and its folder index keys.

Written by records.RecordStore; what each attribute means for the File object is in docs/files-api.md.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from library.kinds import file_kind
from library.paths import folder_path, name_of, parent_prefix

from .folder_index import FOLDER_ATTRIBUTE, sort_keys

# Version 2: the File object's facts, the folder indexes and items, embeddedMetadata. Items without the
# attribute are version 1: they answer the metadata routes, are not listed, and the backfill upgrades them.
RECORD_VERSION = 2
MARKER_KIND = "marker"


@dataclass(frozen=True)
class Times:
    """A record's instants: the key's first creation (kept across overwrites) and this version's."""

    created: str
    updated: str


def file_attributes(
    event: Any, times: Times, metadata: dict[str, Any] | None, extra: dict[str, Any], too_large: bool = False
) -> dict[str, Any]:
    """A live file's facts from S3 (event) and its metadata (None when its bytes are no readable image)."""
    image_format = metadata.get("format") if metadata else None
    kind = file_kind(event.key, event.content_type, image_format, too_large)
    name = name_of(event.key)
    height = metadata.get("height") if metadata else None
    width = metadata.get("width") if metadata else None
    attributes: dict[str, Any] = {
        "createdAt": {"S": times.created},
        "size": {"N": str(event.size)},
        "etag": {"S": event.etag},
        "mime": {"S": kind.mime},
        "fileType": {"S": kind.file_type},
        "tags": {"S": json.dumps([list(tag) for tag in event.tags], ensure_ascii=False)},
        "customMetadata": {"S": json.dumps(event.user_metadata, ensure_ascii=False)},
        "name": {"S": name},
        FOLDER_ATTRIBUTE: {"S": folder_path(parent_prefix(event.key))},
        **sort_keys(name, times.created, times.updated, event.size, height, width),
        **extra,
    }
    if event.version_id:
        attributes["versionId"] = {"S": event.version_id}
    if kind.format:
        attributes["format"] = {"S": kind.format}
    if height is not None and width is not None:
        attributes["height"] = {"N": str(height)}
        attributes["width"] = {"N": str(width)}
    if metadata and "hasTransparency" in metadata:
        attributes["hasAlpha"] = {"BOOL": bool(metadata["hasTransparency"])}
    return attributes


def marker_attributes(event: Any, times: Times) -> dict[str, Any]:
    """A folder marker (a key ending in "/"): it keeps its folder listed, and is listed as no file."""
    return {"kind": {"S": MARKER_KIND}, "createdAt": {"S": times.created}}


def now_iso() -> str:
    """Now, as records keep instants: UTC, milliseconds, "Z"."""
    now = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + f".{int(now * 1000) % 1000:03d}Z"
