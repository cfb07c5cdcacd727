"""Routes that look up stored file records: by fileId and by object key."""
from __future__ import annotations

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response

from ..storage.records import RecordStore, file_id
from .params import parse_file_id, required_query
from .resolver import ok


def register_file_routes(app: APIGatewayRestResolver, store: RecordStore, bucket: str) -> None:
    """GET /v1/files/{fileId}/metadata and GET /v1/files?path=."""

    @app.get("/v1/files/<fileId>/metadata")
    def file_metadata(fileId: str) -> Response:  # noqa: N803 - the contract's parameter name
        return ok(app, store.get(parse_file_id(fileId))["metadata"])

    @app.get("/v1/files")
    def file_by_path() -> Response:
        return ok(app, store.get(file_id(bucket, required_query(app, "path"))))
