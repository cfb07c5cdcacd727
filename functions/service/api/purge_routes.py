"""Cache purges: POST /v1/files/purge and GET /v1/files/purge/{requestId} (storage/cdn.py).

With the stack's CloudFront distributions in front of the bucket, a purge is an invalidation in each; without
them (FileDelivery=PresignedS3) nothing caches the files, and a purge is Completed at once.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from imagemeta.errors import BadParameter, echo

from .deps import ApiDeps
from .params import json_object, text_field
from .resolver import ok

# CloudFront's bound on an invalidation path.
MAX_PATH_CHARACTERS = 4000
MAX_REQUEST_ID_CHARACTERS = 128


def router(deps: ApiDeps) -> Router:
    """POST /v1/files/purge and GET /v1/files/purge/{requestId}."""
    routes = Router()
    stores = deps.storage

    @routes.post("/v1/files/purge")
    def purge() -> Response:
        return ok(routes, {"requestId": stores.purges.purge([purged_path(text_field(json_object(routes), "url"))])},
                  status=201)

    @routes.get("/v1/files/purge/<requestId>")
    def purge_status(requestId: str) -> Response:  # noqa: N803 - the contract's parameter name
        if len(requestId) > MAX_REQUEST_ID_CHARACTERS or not requestId.isascii():
            raise BadParameter("Parameter `requestId` must be the requestId a purge answered.")
        return ok(routes, {"status": stores.purges.status(requestId)})

    return routes


def purged_path(url: str) -> str:
    """The distribution path an http(s) URL names (its path, a wildcard allowed only at its end)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or not parts.path.startswith("/"):
        raise BadParameter(f"Parameter `url` must be an http(s) URL, such as https://cdn/a.jpg; got {echo(url)}.")
    if "*" in parts.path[:-1] or len(parts.path) > MAX_PATH_CHARACTERS:
        raise BadParameter(f"Parameter `url`: a wildcard `*` may only end the path, of {MAX_PATH_CHARACTERS} "
                           "characters at most.")
    return parts.path
