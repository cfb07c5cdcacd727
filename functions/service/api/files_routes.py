"""Routes over the stored files: list and search, a file's details, its metadata, and one record by key."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response

from library.errors import RecordNotFound
from library.paths import key_of

from ..storage.folders import FolderEntry
from ..storage.listings import Listings
from ..storage.records import RecordStore, file_id
from .file_objects import UrlSigner, file_object, folder_object
from .list_params import list_request
from .params import parse_file_id, required_query
from .resolver import ok


def register_file_routes(
    app: APIGatewayRestResolver, store: RecordStore, listings: Listings, bucket: str, url: UrlSigner, logger: Logger
) -> None:
    """GET /v1/files, GET /v1/files/{fileId}/details, GET /v1/files/{fileId}/metadata, GET /v1/files/byPath."""

    @app.get("/v1/files")
    def list_files() -> Response:
        page = listings.page(list_request(app))
        logger.info("files listed", extra={"results": len(page.results), **asdict(page.stats)})
        return ok(app, list(objects(page.results, store, url)))

    @app.get("/v1/files/<fileId>/details")
    def file_details(fileId: str) -> Response:  # noqa: N803 - the contract's parameter name
        return ok(app, file_object(store.file_item(parse_file_id(fileId)), store, url))

    @app.get("/v1/files/<fileId>/metadata")
    def file_metadata(fileId: str) -> Response:  # noqa: N803 - the contract's parameter name
        return ok(app, store.get(parse_file_id(fileId))["metadata"])

    @app.get("/v1/files/byPath")
    def file_by_path() -> Response:
        return ok(app, store.get(file_id(bucket, key_of(required_query(app, "path"), "path"))))


def objects(results: list[Any], store: RecordStore, url: UrlSigner) -> Iterator[dict[str, Any]]:
    """The page's Folder and File objects; a file whose record is being replaced right now is left out."""
    for result in results:
        if isinstance(result, FolderEntry):
            yield folder_object(result)
            continue
        try:
            yield file_object(result, store, url)
        except RecordNotFound:
            continue
