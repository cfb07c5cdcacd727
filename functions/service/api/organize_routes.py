"""Organizing files: POST /v1/files/copy, POST /v1/files/move, PUT /v1/files/rename, and restoring a version
(PUT /v1/files/{fileId}/versions/{versionId}/restore).

Each writes S3 only (storage/transfers.py: CopyObject with a seed of the source record's facts, then for a
move the source's versions deleted); the records follow through the ingest, as for any write, without the
bytes being read or extracted again. A moved file has its new path's fileId: the old one answers 404 naming
where it went (docs/files-api.md, "fileIds after a move").
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from imagemeta.errors import BadParameter, echo
from library.annotations import Carried
from library.errors import NameTaken, RecordNotFound, SourceMissing, VersionNotFound
from library.paths import RENAMED_FILE_KEEPS, file_path, name_of, parent_prefix, sanitized_name
from library.records import Extraction, FileRecord

from ..storage.cdn import key_paths
from ..storage.objects import copy_version, head_version
from ..storage.records import file_id
from ..storage.seeds import Seed
from ..storage.stores import Stores
from .deps import ApiDeps
from .file_objects import file_object
from .params import bool_field, file_key_field, folder_field, json_object, text_field
from .resolver import ok, respond
from .versions_routes import addressed_version

# The mark of copies made by these routes (a folder job's copies carry its jobId instead).
COPY_OPERATION = "copy"


def router(deps: ApiDeps) -> Router:
    """POST /v1/files/copy, POST /v1/files/move, PUT /v1/files/rename, PUT .../versions/{versionId}/restore."""
    routes = Router()
    stores = deps.storage

    @routes.post("/v1/files/copy")
    def copy_file() -> Response:
        body = json_object(routes)
        key, destination = placed(stores, body)
        versions = bool_field(body, "includeFileVersions", False)
        stores.transfers.transfer(key, destination, versions=versions, moves=False, operation=COPY_OPERATION)
        return respond(routes, 204, "")

    @routes.post("/v1/files/move")
    def move_file() -> Response:
        key, destination = placed(stores, json_object(routes))
        stores.transfers.transfer(key, destination, versions=True, moves=True, operation=COPY_OPERATION)
        return respond(routes, 204, "")

    @routes.put("/v1/files/rename")
    def rename_file() -> Response:
        body = json_object(routes)
        key = file_key_field(body, "filePath")
        new_name = sanitized_name(text_field(body, "newFileName"), RENAMED_FILE_KEEPS)
        if new_name in (".", ".."):
            raise BadParameter(f"Parameter `newFileName` must be a file name; got {echo(new_name)}.")
        purge = bool_field(body, "purgeCache", False)
        destination = parent_prefix(key) + new_name
        if destination == key:
            raise BadParameter("Parameter `newFileName` is the file's name already (SAME_OLD_AND_NEW_NAME).")
        existing(stores, key, "FILE_MISSING")
        if head_version(stores.clients.s3, stores.bucket, destination) is not None:
            raise NameTaken()
        stores.transfers.transfer(key, destination, versions=True, moves=True, operation=COPY_OPERATION)
        return ok(routes, {"purgeRequestId": stores.purges.purge(key_paths(key))} if purge else {})

    @routes.put("/v1/files/<fileId>/versions/<versionId>/restore")
    def restore_version(fileId: str, versionId: str) -> Response:  # noqa: N803 - the contract's parameter names
        current, version_id = addressed_version(stores, fileId, versionId)
        if current.is_version(version_id):
            return ok(routes, file_object(current, deps.file_urls))
        return ok(routes, file_object(restored(stores, current, version_id), deps.file_urls))

    return routes


def placed(stores: Stores, body: dict[str, Any]) -> tuple[str, str]:
    """A copy's or move's source key (an existing file) and its destination key, the file's name in the folder
    `destinationPath`."""
    key = file_key_field(body, "sourceFilePath")
    destination = folder_field(body, "destinationPath", root=True) + name_of(key)
    existing(stores, key, "SOURCE_FILE_MISSING")
    if destination == key:
        raise BadParameter("Parameter `destinationPath` is the file's own folder (SAME_SOURCE_AND_DESTINATION).")
    return key, destination


def existing(stores: Stores, key: str, reason: str) -> FileRecord:
    """The record of the file at a key; SourceMissing (404) when there is none."""
    try:
        return stores.records.file(file_id(stores.bucket, key), consistent=True)
    except RecordNotFound:
        raise SourceMissing(file_path(key), reason) from None


def restored(stores: Stores, current: FileRecord, version_id: str) -> FileRecord:
    """Copy a kept version over the file (its newest version then), seeded with the version's facts; the
    record the ingest will write of it."""
    kept = stores.records.version(current.file_id, version_id)
    state = head_version(stores.clients.s3, stores.bucket, current.key, version_id)
    if kept is None or state is None:
        raise VersionNotFound()
    extraction = Extraction(kept.metadata(), kept.embedded_metadata(), kept.error, kept.thumbnail_key)
    mark = f"restore/{version_id}"
    stores.seeds.leave(current.file_id, state.etag, Seed(extraction, Carried(kept.annotations), current.created_at),
                       mark)
    copied = copy_version(stores.clients.s3, stores.bucket, state, current.key, mark)
    newest = head_version(stores.clients.s3, stores.bucket, current.key, copied["VersionId"])
    return replace(kept, version_id=copied["VersionId"], created_at=current.created_at,
                   updated_at=newest.last_modified if newest is not None else kept.updated_at,
                   version_number=current.version_number + 1, current=True)
