"""A stack's outputs for the operator's tools: the running local stack's stack.json, or a deployed stack's
CloudFormation outputs, under one set of names.

The local stack is reached through a file, not code: while `python -m infra` runs it keeps its outputs in
$LOCAL_STATE_DIR/stack.json (default .local/stack.json in the repository), and this module reads it.
"""
from __future__ import annotations

import argparse
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3

REPO_ROOT = Path(__file__).resolve().parent.parent
# template.yaml's Outputs, by the names the local stack's stack.json gives the same values.
DEPLOYED_OUTPUTS = {
    "ApiUrl": "apiUrl",
    "ApiKeysTableName": "keysTable",
    "UsagePlanId": "usagePlanId",
    "UploadBucketName": "bucket",
    "FilesTableName": "table",
    "IngestQueueUrl": "ingestQueueUrl",
    "IngestDeadLetterQueueUrl": "deadLetterQueueUrl",
    "DeliveryUrl": "deliveryUrl",
    "SignedDeliveryUrl": "signedDeliveryUrl",
}


@dataclass(frozen=True)
class Stack:
    """A stack's name and outputs, and the session (and, locally, the endpoint) that reaches its resources."""

    name: str
    outputs: Mapping[str, str]
    session: boto3.Session
    endpoint: str | None = None

    def output(self, name: str) -> str:
        """One output by its stack.json name (bucket, table, keysTable, usagePlanId, ingestQueueUrl, ...)."""
        if name not in self.outputs:
            raise SystemExit(f"stack {self.name} has no output {name}; it has {', '.join(sorted(self.outputs))}")
        return self.outputs[name]

    def client(self, service: str) -> Any:
        return self.session.client(service, endpoint_url=self.endpoint)


def local_state_path() -> Path:
    """Where the running local stack keeps its outputs."""
    return Path(os.environ.get("LOCAL_STATE_DIR", REPO_ROOT / ".local")) / "stack.json"


def local_stack(state_path: Path) -> Stack:
    """The running local stack, from its stack.json; its moto server takes any credentials."""
    if not state_path.is_file():
        raise SystemExit(f"{state_path} not found: start the local stack (make run)")
    outputs = json.loads(state_path.read_text(encoding="utf-8"))
    # Dummy credentials keep a developer's real ones (and any profile) away from moto.
    session = boto3.Session(aws_access_key_id="local", aws_secret_access_key="local", region_name=outputs["region"])
    return Stack(name=outputs["stackName"], outputs=outputs, session=session, endpoint=outputs["awsEndpoint"])


def deployed_stack(name: str) -> Stack:
    """A deployed stack, through its CloudFormation outputs, with the usual AWS credentials and region."""
    session = boto3.Session()
    described = session.client("cloudformation").describe_stacks(StackName=name)["Stacks"][0]
    outputs = {
        DEPLOYED_OUTPUTS[output["OutputKey"]]: output["OutputValue"]
        for output in described.get("Outputs", [])
        if output["OutputKey"] in DEPLOYED_OUTPUTS
    }
    return Stack(name=name, outputs=outputs, session=session)



def add_stack_arguments(parser: argparse.ArgumentParser) -> None:
    """--stack NAME (a deployed stack) or --local STACK_JSON (the running local stack, the default)."""
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--stack", help="a deployed stack's name (uses the usual AWS credentials and region)")
    where.add_argument("--local", type=Path, default=local_state_path(), help="the local stack's stack.json")


def chosen_stack(args: argparse.Namespace) -> Stack:
    """The stack add_stack_arguments' arguments name."""
    return deployed_stack(args.stack) if args.stack else local_stack(args.local)
