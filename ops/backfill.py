"""`python -m ops.backfill` (`make backfill`): records for the objects already in the running local stack's bucket.

Runs the deployed backfill code (service.ingest.backfill.Backfill, what BackfillFunction runs) against the
stack its outputs file names (the running one): it enqueues an event per object, resuming from its checkpoint, until the
listing is done; then waits until the stack's pump has ingested them all. Safe to run again: it changes
nothing. A deployed stack runs the same code as BackfillFunction (docs/deploy.md).
"""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

from service.ingest.backfill import Backfill

from .queues import wait_until_drained
from .stack import local_stack


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m ops.backfill", description=__doc__)
    parser.add_argument("--local", type=Path, help="the local stack's outputs file (default: the running one)")
    parser.add_argument("--restart", action="store_true", help="list the bucket from the start, not the checkpoint")
    parser.add_argument(
        "--wait-seconds", type=float, default=300, help="how long to wait for the ingest to drain the queue"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    stack = local_stack(args.local)
    sqs = stack.sqs
    queue_url = stack.output("ingestQueueUrl")
    backfill = Backfill(
        s3=stack.s3,
        sqs=sqs,
        dynamodb=stack.dynamodb,
        bucket=stack.output("bucket"),
        queue_url=queue_url,
        table=stack.output("table"),
    )
    progress = backfill.run(restart=args.restart)
    left = wait_until_drained(sqs, queue_url, args.wait_seconds)
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
