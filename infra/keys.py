"""`python -m infra.keys` (`make keys`): create, list and revoke the API's private keys.

Against the local stack (its stack.json, the default) or a deployed stack (`--stack NAME`, found through
its CloudFormation outputs with the usual AWS credentials). An operator's command that runs outside
Lambda, so it lives here beside the local stack and builds its own clients; the key logic is
service.keys, the same code the authorizer reads with.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import boto3

from service.keys import KeyManager, KeyStore

from .__main__ import stack_json_path

# The local stack's moto accepts any credentials; these keep a developer's real ones out of its way.
LOCAL_CREDENTIALS = {"aws_access_key_id": "local", "aws_secret_access_key": "local", "region_name": "us-east-1"}


@dataclass(frozen=True)
class Target:
    """Where the keys live: the table, the usage plan, and a session that reaches them."""

    session: boto3.Session
    endpoint: str | None
    keys_table: str
    usage_plan_id: str
    stack_name: str


def local_target(state_path: Path) -> Target:
    """The running local stack, from the stack.json it writes."""
    if not state_path.is_file():
        raise SystemExit(f"{state_path} not found: start the local stack (make run) or name a deployed one with --stack")
    outputs = json.loads(state_path.read_text())
    return Target(
        session=boto3.Session(**LOCAL_CREDENTIALS),
        endpoint=outputs["awsEndpoint"],
        keys_table=outputs["keysTable"],
        usage_plan_id=outputs["usagePlanId"],
        stack_name=outputs["stackName"],
    )


def deployed_target(stack_name: str) -> Target:
    """A deployed stack, from its outputs ApiKeysTableName and UsagePlanId."""
    session = boto3.Session()
    stack = session.client("cloudformation").describe_stacks(StackName=stack_name)["Stacks"][0]
    outputs = {output["OutputKey"]: output["OutputValue"] for output in stack.get("Outputs", [])}
    return Target(
        session=session,
        endpoint=None,
        keys_table=outputs["ApiKeysTableName"],
        usage_plan_id=outputs["UsagePlanId"],
        stack_name=stack_name,
    )


def key_manager(target: Target) -> KeyManager:
    dynamodb = target.session.client("dynamodb", endpoint_url=target.endpoint)
    apigateway = target.session.client("apigateway", endpoint_url=target.endpoint)
    return KeyManager(KeyStore(dynamodb, target.keys_table), apigateway, target.usage_plan_id, target.stack_name)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m infra.keys", description=__doc__)
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--stack", help="a deployed stack's name (uses the usual AWS credentials and region)")
    where.add_argument("--local", type=Path, default=stack_json_path(), help="the local stack's stack.json")
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create", help="create a key and print it (only this once)")
    create.add_argument("--name", required=True, help="who or what the key is for")
    commands.add_parser("list", help="ids, names, creation times and last four characters of the keys")
    revoke = commands.add_parser("revoke", help="refuse a key from now on")
    revoke.add_argument("key_id")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    manager = key_manager(deployed_target(args.stack) if args.stack else local_target(args.local))
    if args.command == "create":
        key, stored = manager.create(args.name)
        print(f"created key {stored.key_id} ({stored.name}); it is shown only now:", file=sys.stderr)
        print(key)
    elif args.command == "list":
        print(f"{'id':<12} {'name':<24} {'created':<20} {'last4':<5} revoked")
        for stored in manager.list():
            print(f"{stored.key_id:<12} {stored.name:<24} {stored.created_at:<20} {stored.last4:<5} {stored.revoked_at or '-'}")
    else:
        try:
            revoked = manager.revoke(args.key_id)
        except KeyError:
            raise SystemExit(f"no key with id {args.key_id}") from None
        print(f"revoked key {revoked.key_id} ({revoked.name}) at {revoked.revoked_at}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
