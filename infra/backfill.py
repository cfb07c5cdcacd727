"""`make backfill`: records for the objects already in the running local stack's bucket.

Runs the deployed backfill code (service.backfill.Backfill, what BackfillFunction runs) against the stack
named by stack.json: it enqueues an event per object, resuming from its checkpoint, until the listing is
done; then waits until the stack's pump has ingested them all. Safe to run again: it changes nothing.
"""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from typing import Any

import boto3

from service.backfill import Backfill

from .__main__ import stack_json_path
from .pump import wait_until_drained
from .template import REGION


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m infra.backfill", description=__doc__)
    parser.add_argument("--restart", action="store_true", help="list the bucket from the start, not the checkpoint")
    parser.add_argument(
        "--wait-seconds", type=float, default=300, help="how long to wait for the ingest to drain the queue"
    )
    return parser.parse_args(argv)


def stack_client(outputs: dict[str, Any], service: str) -> Any:
    """A client for one service of the local stack's moto server (which takes any credentials)."""
    return boto3.client(
        service,
        endpoint_url=outputs["awsEndpoint"],
        region_name=REGION,
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    path = stack_json_path()
    if not path.exists():
        raise SystemExit(f"no {path}: start the local stack first (make run)")
    outputs = json.loads(path.read_text(encoding="utf-8"))
    sqs = stack_client(outputs, "sqs")
    backfill = Backfill(
        s3=stack_client(outputs, "s3"),
        sqs=sqs,
        dynamodb=stack_client(outputs, "dynamodb"),
        bucket=outputs["bucket"],
        queue_url=outputs["ingestQueueUrl"],
        table=outputs["table"],
    )
    progress = backfill.run(restart=args.restart)
    left = wait_until_drained(sqs, outputs["ingestQueueUrl"], args.wait_seconds)
    print(json.dumps({**asdict(progress), "notIngested": left}), flush=True)
    if left:
        print(
            f"{left} messages still on the ingest queue after {args.wait_seconds:g} s; failed ones come back "
            "after the queue's visibility timeout (the stack's log says why they failed)",
            file=sys.stderr,
        )
    return 1 if left else 0


if __name__ == "__main__":
    sys.exit(main())
