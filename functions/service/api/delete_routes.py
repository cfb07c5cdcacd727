"""Deleting uploaded files: DELETE /v1/files/{fileId} and POST /v1/files/batch/deleteByFileIds.

A delete removes the S3 object (a delete marker where the bucket keeps versions); the record then goes by
the ingest's normal path, from the object's ObjectRemoved event, so a lookup in between may still answer.
"""
from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from imagemeta.errors import BadParameter
from library.errors import MissingFiles

from ..storage.objects import delete_objects
from ..storage.overflow import RESERVED_PREFIX
from .deps import ApiDeps
from .params import FILE_ID, json_body, parse_file_id
from .resolver import ok, respond

# The hosted API's bound on one bulk delete.
MAX_BULK_FILE_IDS = 100


def router(deps: ApiDeps) -> Router:
    """DELETE /v1/files/{fileId} and POST /v1/files/batch/deleteByFileIds."""
    routes = Router()
    stores = deps.storage

    @routes.delete("/v1/files/<fileId>")
    def delete_file(fileId: str) -> Response:  # noqa: N803 - the contract's parameter name
        key = deletable_key(stores.records.file(parse_file_id(fileId), consistent=True).key)
        if not delete_objects(stores.clients.s3, stores.bucket, [key]):
            raise RuntimeError(f"S3 did not delete {key!r}")
        return respond(routes, 204, "")

    @routes.post("/v1/files/batch/deleteByFileIds")
    def delete_files() -> Response:
        file_ids = bulk_file_ids(json_body(routes))
        found = stores.records.files(file_ids, consistent=True)
        missing = [fid for fid in file_ids if fid not in found]
        if missing:
            raise MissingFiles(missing, help="Remove the missing fileIds from the request (missingFileIds); nothing "
                                               "was deleted.")
        keys = {fid: deletable_key(found[fid].key) for fid in file_ids}
        deleted = delete_objects(stores.clients.s3, stores.bucket, list(keys.values()))
        return ok(routes, {"successfullyDeletedFileIds": [fid for fid in file_ids if keys[fid] in deleted]})

    return routes


def bulk_file_ids(body: Any) -> list[str]:
    """`fileIds` of a bulk delete: 1 to 100 distinct fileIds."""
    file_ids = body.get("fileIds") if isinstance(body, dict) else None
    if (not isinstance(file_ids, list) or not 1 <= len(file_ids) <= MAX_BULK_FILE_IDS
            or not all(isinstance(fid, str) and FILE_ID.fullmatch(fid) for fid in file_ids)):
        raise BadParameter(f"Parameter `fileIds` must be a list of 1 to {MAX_BULK_FILE_IDS} fileIds (24 hex digits).")
    return list(dict.fromkeys(file_ids))


def deletable_key(key: str) -> str:
    """A record's key, unless it lies under the reserved prefix (no record should: the ingest skips it)."""
    if key.startswith(RESERVED_PREFIX):
        raise BadParameter(f"Parameter `fileId`: {RESERVED_PREFIX} holds the service's own objects.")
    return key
