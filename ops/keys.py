"""`python -m ops.keys` (`make keys`): create, list and revoke the API's private keys.

Against the running local stack (its outputs file, the default) or a deployed stack (`--stack NAME`, found through
its CloudFormation outputs with the usual AWS credentials). The keys table's items are service.auth.keys,
the same code the authorizer reads them with; making a key and its API Gateway key is the operator's, here.
"""
from __future__ import annotations

import argparse
import contextlib
import secrets
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from service.auth.keys import KeyStore, StoredKey

from .stack import Stack, deployed_stack, local_stack

if TYPE_CHECKING:
    from types_boto3_apigateway import APIGatewayClient

KEY_PREFIX = "private_"
# 32 random bytes: the same strength as the hash that stores them.
KEY_RANDOM_BYTES = 32


def new_private_key() -> str:
    """A fresh key: the prefix and 32 url-safe random bytes (ASCII, as HTTP Basic needs)."""
    return KEY_PREFIX + secrets.token_urlsafe(KEY_RANDOM_BYTES)


class KeyManager:
    """The operator's actions: each key is an item of the keys table and an API Gateway key in the usage plan."""

    def __init__(self, store: KeyStore, apigateway: APIGatewayClient, usage_plan_id: str, name_prefix: str) -> None:
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
        with contextlib.suppress(self.apigateway.exceptions.NotFoundException):  # revoked before, or removed by hand
            self.apigateway.delete_api_key(apiKey=key_id)
        return revoked


def key_manager(stack: Stack) -> KeyManager:
    """The keys of a stack: its keys table and its usage plan; API Gateway keys are named after the stack."""
    store = KeyStore(stack.dynamodb, stack.output("keysTable"))
    return KeyManager(store, stack.apigateway, stack.output("usagePlanId"), stack.name)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m ops.keys", description=__doc__)
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--stack", help="a deployed stack's name (uses the usual AWS credentials and region)")
    where.add_argument("--local", type=Path, help="the local stack's outputs file (default: the running one)")
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create", help="create a key and print it (only this once)")
    create.add_argument("--name", required=True, help="who or what the key is for")
    commands.add_parser("list", help="ids, names, creation times and last four characters of the keys")
    revoke = commands.add_parser("revoke", help="refuse a key from now on")
    revoke.add_argument("key_id")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    manager = key_manager(deployed_stack(args.stack) if args.stack else local_stack(args.local))
    if args.command == "create":
        key, stored = manager.create(args.name)
        print(f"created key {stored.key_id} ({stored.name}); it is shown only now:", file=sys.stderr)
        print(key)
    elif args.command == "list":
        print(f"{'id':<12} {'name':<24} {'created':<20} {'last4':<5} revoked")
        for stored in manager.list():
            revoked_at = stored.revoked_at or "-"
            print(f"{stored.key_id:<12} {stored.name:<24} {stored.created_at:<20} {stored.last4:<5} {revoked_at}")
    else:
        try:
            revoked = manager.revoke(args.key_id)
        except KeyError:
            raise SystemExit(f"no key with id {args.key_id}") from None
        print(f"revoked key {revoked.key_id} ({revoked.name}) at {revoked.revoked_at}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
