"""Routes over the stored files: list and search, a file's details, its metadata, and one record by key."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict
from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from library.errors import RecordNotFound
from library.paths import key_of
from library.records import Folder

from ..storage.file_urls import FileUrls
from ..storage.listings import Result
from ..storage.records import file_id
from .deps import ApiDeps
from .file_objects import file_object, folder_object, record_view
from .list_params import list_request
from .params import parse_file_id, required_query
from .resolver import JsonArray, ok


def router(deps: ApiDeps) -> Router:
    """GET /v1/files, GET /v1/files/{fileId}/details, GET /v1/files/{fileId}/metadata, GET /v1/files/byPath."""
    routes = Router()
    stores = deps.storage

    @routes.get("/v1/files")
    def list_files() -> Response:
        page = stores.listings.page(list_request(routes, stores.field_cache))
        deps.logger.info("files listed", extra={"results": len(page.results), **asdict(page.stats)})
        answer = JsonArray(routes)
        for found in objects(page.results, deps.file_urls):
            answer.add(found)  # refused before the next file's body is read once the answer is too large
        return answer.answer()

    @routes.get("/v1/files/<fileId>/details")
    def file_details(fileId: str) -> Response:  # noqa: N803 - the contract's parameter name
        return ok(routes, file_object(stores.records.file(parse_file_id(fileId), consistent=True), deps.file_urls))

    @routes.get("/v1/files/<fileId>/metadata")
    def file_metadata(fileId: str) -> Response:  # noqa: N803 - the contract's parameter name
        return ok(routes, record_view(stores.records.file(parse_file_id(fileId)))["metadata"])

    @routes.get("/v1/files/byPath")
    def file_by_path() -> Response:
        key = key_of(required_query(routes, "path"), "path")
        return ok(routes, record_view(stores.records.file(file_id(stores.bucket, key))))

    return routes


def objects(results: list[Result], urls: FileUrls) -> Iterator[dict[str, Any]]:
    """The page's Folder and File objects; a file whose record is being replaced right now is left out."""
    for result in results:
        if isinstance(result, Folder):
            yield folder_object(result)
            continue
        try:
            yield file_object(result, urls)
        except RecordNotFound:
            continue
