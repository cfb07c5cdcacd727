"""One-time tokens of client-side uploads: each `token` a signature covers is taken once, by a conditional put.

An item per token (`pk` "_token#<SHA-256 of public key and token>", `sk` "T") that expires with the signature
(DynamoDB's TTL on `expiresAt`, a day after `expire`, deletes it after the token could be used anyway). A retry
of an upload that failed before anything was stored gets its token back (`release`), so the SDKs' retries of a
5xx do not answer "token used".
"""
from __future__ import annotations

import hashlib
from typing import Any

TOKEN_PREFIX = "_token#"  # noqa: S105 - a key prefix, not a secret
# Kept past its expiry, so a token is refused as used (not as expired) while a clock skew could still admit it.
KEEP_SECONDS = 24 * 3600


def token_key(public_key: str, token: str) -> dict[str, Any]:
    digest = hashlib.sha256(f"{public_key}\n{token}".encode()).hexdigest()
    return {"pk": {"S": f"{TOKEN_PREFIX}{digest}"}, "sk": {"S": "T"}}


class UsedTokens:
    """Takes and releases one-time tokens; the DynamoDB client is passed in."""

    def __init__(self, dynamodb: Any, table: str):
        self._dynamodb = dynamodb
        self._table = table

    def take(self, public_key: str, token: str, expire: int) -> bool:
        """Mark the token used; False when it was used before."""
        try:
            self._dynamodb.put_item(
                TableName=self._table,
                Item={**token_key(public_key, token), "expiresAt": {"N": str(expire + KEEP_SECONDS)}},
                ConditionExpression="attribute_not_exists(pk)",
            )
        except self._dynamodb.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def release(self, public_key: str, token: str) -> None:
        """Make a taken token usable again (its upload stored nothing)."""
        self._dynamodb.delete_item(TableName=self._table, Key=token_key(public_key, token))
