"""A file's versions: GET /v1/files/{fileId}/versions and GET /v1/files/{fileId}/versions/{versionId}.

The current record is the file (`type` file), each kept version a File object of its own (`type`
file-version), with its own facts and metadata (storage/versions.py).
"""
from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from library.errors import VersionNotFound
from library.records import FileRecord

from ..storage.stores import Stores
from .deps import ApiDeps
from .file_objects import file_object
from .params import parse_file_id, parse_version_id
from .resolver import ok


def router(deps: ApiDeps) -> Router:
    """GET /v1/files/{fileId}/versions and GET /v1/files/{fileId}/versions/{versionId}."""
    routes = Router()
    stores = deps.storage

    @routes.get("/v1/files/<fileId>/versions")
    def list_versions(fileId: str) -> Response:  # noqa: N803 - the contract's parameter name
        current = stores.records.file(parse_file_id(fileId), consistent=True)
        kept = stores.records.versions(current.file_id)
        return ok(routes, [file_object(record, deps.file_urls) for record in [current, *reversed(kept)]])

    @routes.get("/v1/files/<fileId>/versions/<versionId>")
    def get_version(fileId: str, versionId: str) -> Response:  # noqa: N803 - the contract's parameter names
        current, version_id = addressed_version(stores, fileId, versionId)
        if current.is_version(version_id):
            return ok(routes, file_object(current, deps.file_urls))
        kept = stores.records.version(current.file_id, version_id)
        if kept is None:
            raise VersionNotFound()
        return ok(routes, file_object(kept, deps.file_urls))

    return routes


def addressed_version(stores: Stores, file_id: str, version_id: str) -> tuple[FileRecord, str]:
    """The current record of the file a version route names (RecordNotFound, or FileMoved, when there is none), and
    the versionId it names, checked."""
    return stores.records.file(parse_file_id(file_id), consistent=True), parse_version_id(version_id)
