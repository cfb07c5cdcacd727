"""Deleting uploaded files: DELETE /v1/files/{fileId}, POST /v1/files/batch/deleteByFileIds, and one kept version,
DELETE /v1/files/{fileId}/versions/{versionId}.

A file's delete removes the S3 object with every version it has, for good, as the hosted API deletes a file's
versions with it (a bucket without versions has only the object); the record then goes by the ingest's normal
path, from the objects' ObjectRemoved events, so a lookup in between may still answer.
"""
from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from imagemeta.errors import BadParameter
from library.errors import MissingFiles, VersionNotFound
from library.records import FileRecord

from ..storage.objects import delete_versions, key_versions
from ..storage.overflow import RESERVED_PREFIX
from ..storage.stores import Stores
from .deps import ApiDeps
from .params import FILE_ID, json_body, parse_file_id
from .resolver import ok, respond
from .versions_routes import addressed_version

# The hosted API's bound on one bulk delete.
MAX_BULK_FILE_IDS = 100


def router(deps: ApiDeps) -> Router:
    """DELETE /v1/files/{fileId} and POST /v1/files/batch/deleteByFileIds."""
    routes = Router()
    stores = deps.storage

    @routes.delete("/v1/files/<fileId>")
    def delete_file(fileId: str) -> Response:  # noqa: N803 - the contract's parameter name
        record = stores.records.file(parse_file_id(fileId), consistent=True)
        deletable_key(record.key)
        if not delete_with_versions(stores, [record]):
            raise RuntimeError(f"S3 did not delete {record.key!r}")
        return respond(routes, 204, "")

    @routes.delete("/v1/files/<fileId>/versions/<versionId>")
    def delete_version(fileId: str, versionId: str) -> Response:  # noqa: N803 - the contract's parameter names
        current, version_id = addressed_version(stores, fileId, versionId)
        if current.is_version(version_id):
            raise BadParameter("You cannot delete current version of a file.",
                               help="Restore another version first, or delete the file (with all its versions).")
        if stores.records.version(current.file_id, version_id) is None:
            raise VersionNotFound()
        delete_versions(stores.clients.s3, stores.bucket, [(deletable_key(current.key), version_id)])
        return respond(routes, 204, "")

    @routes.post("/v1/files/batch/deleteByFileIds")
    def delete_files() -> Response:
        file_ids = bulk_file_ids(json_body(routes))
        found = stores.records.files(file_ids, consistent=True)
        missing = [fid for fid in file_ids if fid not in found]
        if missing:
            raise MissingFiles(missing, help="Remove the missing fileIds from the request (missingFileIds); nothing "
                                               "was deleted.")
        for record in found.values():
            deletable_key(record.key)
        deleted = delete_with_versions(stores, [found[fid] for fid in file_ids])
        return ok(routes, {"successfullyDeletedFileIds": [fid for fid in file_ids if found[fid].key in deleted]})

    return routes


def bulk_file_ids(body: Any) -> list[str]:
    """`fileIds` of a bulk delete: 1 to 100 distinct fileIds."""
    file_ids = body.get("fileIds") if isinstance(body, dict) else None
    if (not isinstance(file_ids, list) or not 1 <= len(file_ids) <= MAX_BULK_FILE_IDS
            or not all(isinstance(fid, str) and FILE_ID.fullmatch(fid) for fid in file_ids)):
        raise BadParameter(f"Parameter `fileIds` must be a list of 1 to {MAX_BULK_FILE_IDS} fileIds (24 hex digits).")
    return list(dict.fromkeys(file_ids))


def delete_with_versions(stores: Stores, records: list[FileRecord]) -> set[str]:
    """Delete files with all their versions (a file's record has a version id where the bucket keeps versions);
    the keys whose every version S3 deleted."""
    wanted: list[tuple[str, str | None]] = []
    for record in records:
        if record.version_id is None:
            wanted.append((record.key, None))
        else:
            wanted.extend((record.key, version.version_id)
                          for version in key_versions(stores.clients.s3, stores.bucket, record.key))
    deleted = delete_versions(stores.clients.s3, stores.bucket, wanted)
    return {key for key, _ in wanted} - {key for key, version in wanted if (key, version) not in deleted}


def deletable_key(key: str) -> str:
    """A record's key, unless it lies under the reserved prefix (no record should: the ingest skips it)."""
    if key.startswith(RESERVED_PREFIX):
        raise BadParameter(f"Parameter `fileId`: {RESERVED_PREFIX} holds the service's own objects.")
    return key
