"""The hosted API's File and Folder objects, and the service's own record view, from typed records."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from library.kinds import IMAGE
from library.paths import folder_path
from library.records import FileRecord, Folder

if TYPE_CHECKING:  # the functions that answer no File object (deletes) do not load url signing
    from ..storage.file_urls import FileUrls


def file_object(record: FileRecord, urls: FileUrls) -> dict[str, Any]:
    """The File object of a live file, or of a kept version of one (`type` file-version) (docs/contract.md):
    `tags` null when it has none, as the hosted API."""
    notes = record.annotations
    return {
        "type": "file" if record.current else "file-version",
        "name": record.name,
        "createdAt": record.created_at,
        "updatedAt": record.updated_at,
        "fileId": record.file_id,
        "tags": list(notes.tags) or None,
        "AITags": None,
        # The S3 version where the bucket keeps versions; else, as the hosted API does for a first version, the fileId.
        "versionInfo": version_info(record.file_id, record.version_id, record.version_number),
        "embeddedMetadata": record.embedded_metadata() if record.file_type == IMAGE else None,
        "customCoordinates": notes.custom_coordinates,
        "customMetadata": dict(notes.custom_metadata),
        "description": notes.description,
        "isPrivateFile": notes.is_private,
        "isPublished": notes.is_published,
        "url": urls.of(record.key, record.version_id, record.mime, notes.is_private),
        "thumbnail": urls.thumbnail(record.thumbnail_key, notes.is_private),
        "fileType": record.file_type,
        "filePath": record.file_path,
        "height": record.height,
        "width": record.width,
        "size": record.size,
        "hasAlpha": record.has_alpha,
        "mime": record.mime,
    }


def version_info(file_id: str, version_id: str | None, number: int) -> dict[str, str]:
    """`{id, name}`: the S3 version where the bucket keeps versions, else (as the hosted API does for a first
    version) the fileId; and "Version N", N counting the key's versions while it stays live."""
    return {"id": version_id or file_id, "name": f"Version {number}"}


def folder_object(folder: Folder) -> dict[str, Any]:
    """The Folder object; folderPath without its trailing "/", as the hosted API writes it."""
    return {
        "type": "folder",
        "name": folder.name,
        "folderId": folder.folder_id,
        "folderPath": folder_path(folder.prefix)[:-1],
        "createdAt": folder.created_at,
        "updatedAt": folder.updated_at,
        "customMetadata": {},
    }


def record_view(record: FileRecord) -> dict[str, Any]:
    """What GET /v1/files/byPath answers (and the metadata routes read): the file's key facts and its metadata
    object; the stored error (400 or 413) when its bytes were no readable image."""
    if record.error is not None:
        raise record.error.error()
    return {
        "fileId": record.file_id,
        "path": record.key,
        "size": record.size,
        "etag": record.etag,
        "updatedAt": record.updated_at,
        "metadata": record.metadata(),
    }
