"""The hosted API's File and Folder objects, and the service's own record view, from typed records."""
from __future__ import annotations

from typing import Any

from library.kinds import IMAGE
from library.paths import folder_path
from library.records import FileRecord, Folder

from ..storage.file_urls import FileUrls


def file_object(record: FileRecord, urls: FileUrls) -> dict[str, Any]:
    """The File object of a live file (docs/contract.md): `tags` null when it has none, as the hosted API."""
    return {
        "type": "file",
        "name": record.name,
        "createdAt": record.created_at,
        "updatedAt": record.updated_at,
        "fileId": record.file_id,
        "tags": list(record.annotations.tags) or None,
        "AITags": None,
        # The S3 version where the bucket keeps versions; else, as the hosted API does for a first version, the fileId.
        "versionInfo": {"id": record.version_id or record.file_id},
        "embeddedMetadata": record.embedded_metadata() if record.file_type == IMAGE else None,
        "customCoordinates": record.annotations.custom_coordinates,
        "customMetadata": dict(record.annotations.custom_metadata),
        "url": urls.of(record.key, record.version_id, record.mime, record.annotations.is_private),
        "thumbnail": urls.thumbnail(record.thumbnail_key, record.annotations.is_private),
        "fileType": record.file_type,
        "filePath": record.file_path,
        "height": record.height,
        "width": record.width,
        "size": record.size,
        "hasAlpha": record.has_alpha,
        "mime": record.mime,
    }


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
