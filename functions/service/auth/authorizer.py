"""The API's REQUEST authorizer: HTTP Basic (private key as user name) or x-api-key -> an Allow policy, or 401.

API Gateway answers 401 (gateway response UNAUTHORIZED) only when the authorizer fails with the exact
message "Unauthorized"; an explicit Deny policy would give 403. Every refusal is therefore raised.

Client-side uploads (a browser's, signed by the caller's server: docs/files-api.md, "Uploads from browsers")
carry their credentials in the multipart body, which an authorizer never sees. So a request with no
credentials at all to the upload route, and to it alone, is allowed on, metered under the usage plan's
client-uploads key, with the context `clientUpload`: the upload function then requires and checks its
signature. Any request that carries credentials is checked here as on every route.
"""
from __future__ import annotations

import base64
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.data_classes.api_gateway_authorizer_event import (
    APIGatewayAuthorizerRequestEvent,
    APIGatewayAuthorizerResponse,
)

from .keys import KeyStore

UNAUTHORIZED = "Unauthorized"
# The route whose requests may carry their credentials in the body: the hosted upload API.
UPLOAD_METHOD, UPLOAD_RESOURCE = "POST", "/api/v1/files/upload"
CLIENT_UPLOAD_PRINCIPAL = "client-upload"


class Unauthorized(Exception):
    """The credentials are missing, malformed, unknown or revoked; `reason` is for the log only."""

    def __init__(self, reason: str) -> None:
        super().__init__(UNAUTHORIZED)
        self.reason = reason


def presented_key(event: APIGatewayAuthorizerRequestEvent) -> str:
    """The key the request carries: the user name of `Authorization: Basic`, or the x-api-key header.

    An Authorization header that is present counts even if malformed: a caller who sent one meant it.
    Both headers naming different keys is refused: which one the caller meant cannot be told.
    """
    headers = event.headers
    authorization = headers.get("authorization")
    api_key = headers.get("x-api-key")
    key = basic_user_name(authorization) if authorization is not None else api_key
    if not key:
        raise Unauthorized("no credentials")
    if not key.isascii():  # every key issued is ASCII; others may not even encode (lone surrogates)
        raise Unauthorized("key is not ASCII")
    if api_key and api_key != key:
        raise Unauthorized("Authorization and x-api-key name different keys")
    return key


def basic_user_name(authorization: str) -> str:
    """The user name of an RFC 7617 Basic credential; the password is ignored (the SDKs send `do_not_set`)."""
    scheme, _, encoded = authorization.strip().partition(" ")
    if scheme.lower() != "basic":
        raise Unauthorized("Authorization is not Basic")
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except ValueError:  # binascii.Error, UnicodeDecodeError, and non-ASCII text given to b64decode
        raise Unauthorized("Basic credentials are not base64 of UTF-8") from None
    user_name, separator, _password = decoded.partition(":")
    if not separator or not user_name:
        raise Unauthorized("Basic credentials without a user name")
    return user_name


def authorize(event: APIGatewayAuthorizerRequestEvent, store: KeyStore, logger: Logger,
              client_upload_usage_key: str | None = None) -> dict[str, Any]:
    """The policy for a request with a valid key: every route of this stage, metered by the key's usage key.

    With `client_upload_usage_key`, a request to the upload route that carries no credentials is allowed to
    that route alone, metered by that key, for the upload function to check its signature."""
    headers = event.headers
    if (client_upload_usage_key and "authorization" not in headers and "x-api-key" not in headers
            and (event.http_method, event.resource) == (UPLOAD_METHOD, UPLOAD_RESOURCE)):
        upload = APIGatewayAuthorizerResponse.from_route_arn(
            event.method_arn,
            principal_id=CLIENT_UPLOAD_PRINCIPAL,
            context={"clientUpload": "true"},
            usage_identifier_key=client_upload_usage_key,
        )
        upload.allow_route(UPLOAD_METHOD, UPLOAD_RESOURCE)
        return upload.asdict()
    try:
        key = store.active_key(presented_key(event))
        if key is None:
            raise Unauthorized("unknown or revoked key")
    except Unauthorized as refusal:
        logger.info("credentials refused", extra={"reason": refusal.reason, "path": event.path})
        raise
    response = APIGatewayAuthorizerResponse.from_route_arn(
        event.method_arn,
        principal_id=key.key_id,
        context={"keyId": key.key_id, "keyName": key.name},
        usage_identifier_key=key.usage_key,
    )
    # All routes, not only this one: the policy is the same for every route a key may call.
    response.allow_all_routes()
    return response.asdict()
