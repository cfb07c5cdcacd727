"""Private keys: stored only as SHA-256 hashes, each paired with an API Gateway key of the usage plan and a
public key for client-side uploads.

A private key is the caller's credential; the table keeps its hash, its last four characters (so an
operator can tell keys apart) and the value of the API Gateway key that meters it. That API Gateway key
is not a credential: with ApiKeySourceType AUTHORIZER, API Gateway takes it only from the authorizer,
never from a request. Its public key names it in a browser's upload, whose signature the upload function
checks with the key's precomputed HMAC states (`signing`, signing.py), found through the `byPublicKey` index.
Several keys can be active at once, so a rotation is create, switch, revoke.
The operator's side (new keys with their API Gateway keys, revocation) is ops/keys.py; this module owns the
table's items, for the authorizer's reads, the upload function's and the operator's writes alike.
"""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from .signing import signing_state, verify

PUBLIC_KEY_INDEX = "byPublicKey"
# Reserved words of DynamoDB's expressions (`name`) go through placeholders.
ATTRIBUTE_NAMES = {"#name": "name"}


def hash_key(key: str) -> str:
    """The stored form of a key: SHA-256 of its UTF-8 bytes, hex."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def utc_now() -> str:
    """The time stamps of the key items: ISO 8601 UTC to the second."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class ActiveKey:
    """What the authorizer learns about an accepted key: who it is and what meters it."""

    key_id: str
    name: str
    usage_key: str


@dataclass(frozen=True)
class SigningKey:
    """What checks a client-side upload's signature: the key it names (by its public key) and its HMAC states."""

    key_id: str
    name: str
    public_key: str
    state: bytes

    def verifies(self, message: str, claimed: str) -> bool:
        return verify(self.state, message, claimed)


@dataclass(frozen=True)
class StoredKey:
    """A key as an operator sees it: never the key itself (its public key is no secret)."""

    key_id: str
    name: str
    created_at: str
    last4: str
    revoked_at: str | None
    public_key: str | None = None  # keys made before client-side uploads have none

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> StoredKey:
        return cls(
            key_id=item["keyId"]["S"],
            name=item["name"]["S"],
            created_at=item["createdAt"]["S"],
            last4=item["last4"]["S"],
            revoked_at=item["revokedAt"]["S"] if "revokedAt" in item else None,
            public_key=item["publicKey"]["S"] if "publicKey" in item else None,
        )


class KeyStore:
    """The keys table: one item per key, keyed by `keyHash`."""

    def __init__(self, dynamodb: Any, table: str) -> None:
        self.dynamodb = dynamodb
        self.table = table

    def active_key(self, presented: str) -> ActiveKey | None:
        """The key a caller presented, if it is stored and not revoked; reads that one item only."""
        digest = hash_key(presented)
        item = self.dynamodb.get_item(
            TableName=self.table,
            Key={"keyHash": {"S": digest}},
            # A revocation must hold from the next request on: no eventually consistent reads.
            ConsistentRead=True,
            ProjectionExpression="keyHash, keyId, #name, usageKey, revokedAt",
            ExpressionAttributeNames=ATTRIBUTE_NAMES,
        ).get("Item")
        if item is None or not hmac.compare_digest(item["keyHash"]["S"], digest) or "revokedAt" in item:
            return None
        return ActiveKey(key_id=item["keyId"]["S"], name=item["name"]["S"], usage_key=item["usageKey"]["S"])

    def signing_key(self, public_key: str) -> SigningKey | None:
        """The active key a public key names, with its signing states; None when none (or it is revoked).

        The index finds the key's hash; the item itself is then read strongly consistent, so a revocation holds
        from the next upload on, as for the authorizer."""
        found = self.dynamodb.query(
            TableName=self.table,
            IndexName=PUBLIC_KEY_INDEX,
            KeyConditionExpression="publicKey = :public",
            ExpressionAttributeValues={":public": {"S": public_key}},
            Limit=1,
        )["Items"]
        if not found:
            return None
        item = self.dynamodb.get_item(
            TableName=self.table,
            Key={"keyHash": found[0]["keyHash"]},
            ConsistentRead=True,
            ProjectionExpression="keyId, #name, publicKey, signing, revokedAt",
            ExpressionAttributeNames=ATTRIBUTE_NAMES,
        ).get("Item")
        if item is None or "revokedAt" in item or "signing" not in item or item["publicKey"]["S"] != public_key:
            return None
        return SigningKey(key_id=item["keyId"]["S"], name=item["name"]["S"], public_key=public_key,
                          state=bytes(item["signing"]["B"]))

    def add(self, key: str, key_id: str, name: str, usage_key: str, public_key: str) -> StoredKey:
        """Store a new key's hash under the id of its API Gateway key, whose value meters it, with its public key
        and the signing states that check its client-side upload signatures."""
        item = {
            "keyHash": {"S": hash_key(key)},
            "keyId": {"S": key_id},
            "name": {"S": name},
            "createdAt": {"S": utc_now()},
            "last4": {"S": key[-4:]},
            "usageKey": {"S": usage_key},
            "publicKey": {"S": public_key},
            "signing": {"B": signing_state(key)},
        }
        self.dynamodb.put_item(
            TableName=self.table, Item=item, ConditionExpression="attribute_not_exists(keyHash)"
        )
        return StoredKey.from_item(item)

    def all(self) -> list[StoredKey]:
        """Every key, revoked ones included, oldest first."""
        keys = []
        for page in self.dynamodb.get_paginator("scan").paginate(
            TableName=self.table,
            ProjectionExpression="keyId, #name, createdAt, last4, revokedAt, publicKey",
            ExpressionAttributeNames=ATTRIBUTE_NAMES,
        ):
            keys += [StoredKey.from_item(item) for item in page["Items"]]
        return sorted(keys, key=lambda k: (k.created_at, k.key_id))

    def revoke(self, key_id: str) -> StoredKey:
        """Mark a key revoked (the item stays, for the listing); revoking twice keeps the first time."""
        pages = self.dynamodb.get_paginator("scan").paginate(
            TableName=self.table,
            FilterExpression="keyId = :id",
            ExpressionAttributeValues={":id": {"S": key_id}},
            ProjectionExpression="keyHash",
        )
        # A filtered scan reads the table a page (1 MB) at a time: the key may be on any page.
        found = [item for page in pages for item in page["Items"]]
        if not found:
            raise KeyError(key_id)
        updated = self.dynamodb.update_item(
            TableName=self.table,
            Key={"keyHash": found[0]["keyHash"]},
            UpdateExpression="SET revokedAt = if_not_exists(revokedAt, :now)",
            ExpressionAttributeValues={":now": {"S": utc_now()}},
            ReturnValues="ALL_NEW",
        )["Attributes"]
        return StoredKey.from_item(updated)
