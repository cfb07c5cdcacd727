"""The hosted API's File and Folder objects, from record items and folder entries (docs/contract.md)."""
from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from library.kinds import IMAGE, file_kind
from library.paths import file_path, folder_path, name_of

from ..storage.bodies import EMBEDDED_METADATA, METADATA
from ..storage.folders import FolderEntry
from ..storage.records import RecordStore

# A presigned GET URL of an item's object version, or None when the deployment hands out none.
UrlSigner = Callable[[dict[str, Any]], "str | None"]


def file_object(item: dict[str, Any], store: RecordStore, url: UrlSigner) -> dict[str, Any]:
    """The File object of a live file's item; records written before the File object's facts were kept
    (recordVersion 1) answer with what they have: no tags, custom metadata or embeddedMetadata."""
    key = item["path"]["S"]
    facts = _facts(item) if "recordVersion" in item else _facts_of_version_1(item, store)
    embedded = store.body(item, EMBEDDED_METADATA) if facts["fileType"] == IMAGE else None
    return {
        "type": "file",
        "name": name_of(key),
        "createdAt": item.get("createdAt", item["updatedAt"])["S"],
        "updatedAt": item["updatedAt"]["S"],
        "fileId": item["fileId"]["S"],
        "tags": [name if not value else f"{name}={value}"
                 for name, value in json.loads(item.get("tags", {"S": "[]"})["S"])],
        "AITags": None,
        # The S3 version where the bucket keeps versions; else, as the hosted API does for a first version, the fileId.
        "versionInfo": {"id": item.get("versionId", item["fileId"])["S"]},
        "embeddedMetadata": embedded,
        "customCoordinates": None,
        "customMetadata": json.loads(item.get("customMetadata", {"S": "{}"})["S"]),
        "url": url(item),
        "thumbnail": None,
        "fileType": facts["fileType"],
        "filePath": file_path(key),
        "height": facts["height"],
        "width": facts["width"],
        "size": int(item["size"]["N"]),
        "hasAlpha": facts["hasAlpha"],
        "mime": facts["mime"],
    }


def folder_object(entry: FolderEntry) -> dict[str, Any]:
    """The Folder object of a folder entry; folderPath without its trailing "/", as the hosted API writes it."""
    return {
        "type": "folder",
        "name": entry.name,
        "folderId": entry.folder_id,
        "folderPath": folder_path(entry.prefix)[:-1],
        "createdAt": entry.created_at,
        "updatedAt": entry.updated_at,
        "customMetadata": {},
    }


def _facts(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "fileType": item["fileType"]["S"],
        "mime": item["mime"]["S"],
        "height": int(item["height"]["N"]) if "height" in item else None,
        "width": int(item["width"]["N"]) if "width" in item else None,
        "hasAlpha": item["hasAlpha"]["BOOL"] if "hasAlpha" in item else None,
    }


def _facts_of_version_1(item: dict[str, Any], store: RecordStore) -> dict[str, Any]:
    """What a version 1 record tells: its metadata, or its stored error."""
    metadata = store.body(item, METADATA) if "error" not in item else None
    too_large = item.get("error", {}).get("M", {}).get("kind", {}).get("S") == "TooLarge"
    kind = file_kind(item["path"]["S"], "", metadata["format"] if metadata else None, too_large)
    return {
        "fileType": kind.file_type,
        "mime": kind.mime,
        "height": metadata["height"] if metadata else None,
        "width": metadata["width"] if metadata else None,
        "hasAlpha": metadata["hasTransparency"] if metadata else None,
    }
