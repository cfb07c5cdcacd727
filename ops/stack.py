"""A stack's outputs for the operator's tools: the running local stack's outputs file, or a deployed stack's
CloudFormation outputs, under one set of names.

The local stack is reached through a file, not code: while `python -m infra` runs it keeps its outputs in
$LOCAL_STATE_DIR/stack-<API port>-<AWS port>.json (default .local/stack-3000-4566.json in the repository), and
this module reads it.
"""
from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3

if TYPE_CHECKING:
    from types_boto3_apigateway import APIGatewayClient
    from types_boto3_cloudformation import CloudFormationClient
    from types_boto3_dynamodb import DynamoDBClient
    from types_boto3_s3 import S3Client
    from types_boto3_sqs import SQSClient

REPO_ROOT = Path(__file__).resolve().parent.parent
# template.yaml's Outputs, by the names the local stack's outputs file gives the same values.
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
        """One output by its local name (bucket, table, keysTable, usagePlanId, ingestQueueUrl, ...)."""
        if name not in self.outputs:
            raise SystemExit(f"stack {self.name} has no output {name}; it has {', '.join(sorted(self.outputs))}")
        return self.outputs[name]

    @property
    def s3(self) -> S3Client:
        return self._client("s3")

    @property
    def dynamodb(self) -> DynamoDBClient:
        return self._client("dynamodb")

    @property
    def sqs(self) -> SQSClient:
        return self._client("sqs")

    @property
    def apigateway(self) -> APIGatewayClient:
        return self._client("apigateway")

    @property
    def cloudformation(self) -> CloudFormationClient:
        return self._client("cloudformation")

    @property
    def ssm(self) -> Any:  # Parameter Store: the signing keys (ops/signing_keys.py)
        return self._client("ssm")

    def _client(self, service: str) -> Any:
        return self.session.client(service, endpoint_url=self.endpoint)


def local_state_dir() -> Path:
    """Where running local stacks keep their outputs: $LOCAL_STATE_DIR, by default .local in the repository."""
    return Path(os.environ.get("LOCAL_STATE_DIR", REPO_ROOT / ".local"))


# One outputs file per pair of ports, so stacks running side by side never overwrite each other's.
STATE_FILE = "stack-{api_port}-{aws_port}.json"


def local_state_path(api_port: int, aws_port: int) -> Path:
    """Where the local stack on these ports keeps its outputs while it runs."""
    return local_state_dir() / STATE_FILE.format(api_port=api_port, aws_port=aws_port)


def running_local_state() -> Path:
    """The outputs file of the running local stack: the only one, or with several, the one $LOCAL_API_PORT names."""
    directory = local_state_dir()
    chosen = os.environ.get("LOCAL_API_PORT")
    pattern = STATE_FILE.format(api_port=chosen or "*", aws_port="*")
    running = sorted(path for path in directory.glob(pattern) if is_running(path))
    if not running:
        where, start = (f" with API port {chosen}", f"LOCAL_API_PORT={chosen} make run") if chosen else ("", "make run")
        raise SystemExit(f"no local stack{where} is running (no outputs in {directory}): start one with {start}")
    if len(running) > 1:
        raise SystemExit(f"{len(running)} local stacks are running ({', '.join(path.name for path in running)}): "
                         "choose one with LOCAL_API_PORT=<its API port>, as in LOCAL_API_PORT=3001 make env")
    return running[0]


def is_running(state_path: Path) -> bool:
    """Whether the stack that wrote this outputs file still runs (one that was killed could not remove it)."""
    try:
        os.kill(int(json.loads(state_path.read_text(encoding="utf-8"))["pid"]), 0)
    except PermissionError:  # another user's process: running
        return True
    except (OSError, ValueError, KeyError):  # no such process, or a file that is no stack's outputs
        return False
    return True


def local_stack(state_path: Path | None = None) -> Stack:
    """A running local stack, from its outputs file (by default the running one's); its moto server takes any
    credentials."""
    state_path = state_path or running_local_state()
    if not state_path.is_file():
        raise SystemExit(f"{state_path} not found: start the local stack (make run)")
    outputs = json.loads(state_path.read_text(encoding="utf-8"))
    # Dummy credentials keep a developer's real ones (and any profile) away from moto.
    session = boto3.Session(aws_access_key_id="local", aws_secret_access_key="local", region_name=outputs["region"])
    return Stack(name=outputs["stackName"], outputs=outputs, session=session, endpoint=outputs["awsEndpoint"])


def deployed_stack(name: str) -> Stack:
    """A deployed stack, through its CloudFormation outputs, with the usual AWS credentials and region."""
    session = boto3.Session()
    cloudformation: CloudFormationClient = session.client("cloudformation")
    described = cloudformation.describe_stacks(StackName=name)["Stacks"][0]
    outputs = {
        DEPLOYED_OUTPUTS[output["OutputKey"]]: output["OutputValue"]
        for output in described.get("Outputs", [])
        if output["OutputKey"] in DEPLOYED_OUTPUTS
    }
    return Stack(name=name, outputs=outputs, session=session)
