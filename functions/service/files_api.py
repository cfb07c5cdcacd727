"""Routes that look up stored file records: by fileId and by object key."""
from __future__ import annotations

import re

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response

from imagemeta.errors import BadParameter

from .http import ok, required_query
from .records import RecordStore, file_id

FILE_ID = re.compile(r"[0-9a-f]{24}")


def register_file_routes(app: APIGatewayRestResolver, store: RecordStore, bucket: str) -> None:
    """GET /v1/files/{fileId}/metadata and GET /v1/files?path=."""

    @app.get("/v1/files/<fileId>/metadata")
    def file_metadata(fileId: str) -> Response:  # noqa: N803 - the contract's parameter name
        return ok(app, store.get(parse_file_id(fileId))["metadata"])

    @app.get("/v1/files")
    def file_by_path() -> Response:
        return ok(app, store.get(file_id(bucket, required_query(app, "path"))))


def parse_file_id(value: str) -> str:
    """A fileId from a path; BadParameter unless it is the contract's 24 lowercase hex digits."""
    if not FILE_ID.fullmatch(value):
        raise BadParameter("Parameter `fileId` must be 24 lowercase hexadecimal digits.")
    return value
