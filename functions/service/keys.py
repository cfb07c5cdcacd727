"""Private keys: stored only as SHA-256 hashes, each paired with an API Gateway key of the usage plan.

A private key is the caller's credential; the table keeps its hash, its last four characters (so an
operator can tell keys apart) and the value of the API Gateway key that meters it. That API Gateway key
is not a credential: with ApiKeySourceType AUTHORIZER, API Gateway takes it only from the authorizer,
never from a request. Several keys can be active at once, so a rotation is create, switch, revoke.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

KEY_PREFIX = "private_"
# 32 random bytes: the same strength as the hash that stores them.
KEY_RANDOM_BYTES = 32
# Reserved words of DynamoDB's expressions (`name`) go through placeholders.
ATTRIBUTE_NAMES = {"#name": "name"}


def new_private_key() -> str:
    """A fresh key: the prefix and 32 url-safe random bytes (ASCII, as HTTP Basic needs)."""
    return KEY_PREFIX + secrets.token_urlsafe(KEY_RANDOM_BYTES)


def hash_key(key: str) -> str:
    """The stored form of a key: SHA-256 of its UTF-8 bytes, hex."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def utc_now() -> str:
    """The time stamps of the key items: ISO 8601 UTC to the second."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class ActiveKey:
    """What the authorizer learns about an accepted key: who it is and what meters it."""

    key_id: str
    name: str
    usage_key: str


@dataclass(frozen=True)
class StoredKey:
    """A key as an operator sees it: never the key itself."""

    key_id: str
    name: str
    created_at: str
    last4: str
    revoked_at: str | None

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> StoredKey:
        return cls(
            key_id=item["keyId"]["S"],
            name=item["name"]["S"],
            created_at=item["createdAt"]["S"],
            last4=item["last4"]["S"],
            revoked_at=item["revokedAt"]["S"] if "revokedAt" in item else None,
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

    def add(self, key: str, key_id: str, name: str, usage_key: str) -> StoredKey:
        """Store a new key's hash under the id of its API Gateway key, whose value meters it."""
        item = {
            "keyHash": {"S": hash_key(key)},
            "keyId": {"S": key_id},
            "name": {"S": name},
            "createdAt": {"S": utc_now()},
            "last4": {"S": key[-4:]},
            "usageKey": {"S": usage_key},
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
            ProjectionExpression="keyId, #name, createdAt, last4, revokedAt",
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


class KeyManager:
    """The operator's actions: each key is an item here and an API Gateway key in the usage plan."""

    def __init__(self, store: KeyStore, apigateway: Any, usage_plan_id: str, name_prefix: str) -> None:
        self.store = store
        self.apigateway = apigateway
        self.usage_plan_id = usage_plan_id
        self.name_prefix = name_prefix

    def create(self, name: str) -> tuple[str, StoredKey]:
        """A new key and its record; the key is returned here once and never stored."""
        key = new_private_key()
        usage = self.apigateway.create_api_key(
            name=f"{self.name_prefix}-{name}",
            description="Meters one imagemeta private key (usage plan); not a credential.",
            enabled=True,
        )
        try:
            self.apigateway.create_usage_plan_key(usagePlanId=self.usage_plan_id, keyId=usage["id"], keyType="API_KEY")
            stored = self.store.add(key, key_id=usage["id"], name=name, usage_key=usage["value"])
        except Exception:
            # Leave nothing half made: an API Gateway key without an item is unreachable.
            self.apigateway.delete_api_key(apiKey=usage["id"])
            raise
        return key, stored

    def list(self) -> list[StoredKey]:
        return self.store.all()

    def revoke(self, key_id: str) -> StoredKey:
        """Refuse the key from the next request on, then drop its API Gateway key from the usage plan."""
        revoked = self.store.revoke(key_id)
        try:
            self.apigateway.delete_api_key(apiKey=key_id)
        except self.apigateway.exceptions.NotFoundException:
            pass  # revoked before, or removed by hand: nothing left to meter
        return revoked
