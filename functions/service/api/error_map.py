"""The one place where an error becomes an HTTP status and the contract's body."""
from __future__ import annotations

import json

from imagemeta.errors import (
    BadParameter,
    FetchRefused,
    ImageMetaError,
    NotAnImage,
    TooLarge,
    UpstreamError,
    UpstreamTimeout,
)
from library.errors import (
    FieldNotFound,
    FileExists,
    FolderNotFound,
    JobNotFound,
    MethodNotSupported,
    MissingFiles,
    NotSupported,
    PurgeNotFound,
    RecordNotFound,
    SearchNeedsPath,
    SearchTooBroad,
    SignatureRefused,
    SourceMissing,
    VersionNotFound,
)

STATUS_BY_ERROR: dict[type[ImageMetaError], int] = {
    BadParameter: 400,
    NotAnImage: 400,
    FetchRefused: 403,
    SearchNeedsPath: 400,
    SignatureRefused: 401,
    RecordNotFound: 404,
    FieldNotFound: 404,
    MissingFiles: 404,
    SourceMissing: 404,
    FolderNotFound: 404,
    VersionNotFound: 404,
    JobNotFound: 404,
    PurgeNotFound: 404,
    MethodNotSupported: 405,
    FileExists: 409,
    TooLarge: 413,
    SearchTooBroad: 413,
    NotSupported: 501,
    UpstreamError: 502,
    UpstreamTimeout: 504,
}
# The official SDKs retry 408, 409, 429 and every 5xx twice unless told not to (docs/contract.md, "Errors"): a
# refusal, and a route this service does not serve, are the same however often they are asked.
NOT_RETRIED_FAULTS = {501}

INTERNAL_ERROR_HELP = "This is a fault of the service. Quote the request id {request_id} when reporting it."


def status_of(error: ImageMetaError) -> int:
    """The contract's status for an error of the family (its nearest listed class)."""
    for cls in type(error).__mro__:
        if cls in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[cls]
    return 500


def retry_headers(status: int) -> dict[str, str]:
    """The header that stops the SDKs' retries of an answer a retry cannot change."""
    return {"x-should-retry": "false"} if status < 500 or status in NOT_RETRIED_FAULTS else {}


def error_body(error: ImageMetaError) -> str:
    """The JSON body of an error response."""
    return json.dumps(error.body())


def internal_error_body(request_id: str) -> str:
    """The generic 500 body: no detail, only the request id to quote."""
    return json.dumps(
        {
            "message": "An internal error occurred.",
            "help": INTERNAL_ERROR_HELP.format(request_id=request_id),
        }
    )
