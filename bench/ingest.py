"""Throughput of the ingest handler: one SQS event of 10 S3 records, handled in this process.

`measure_ingest()` runs `python -m bench.ingest RESULT.json` so that the handler's environment,
boto3 and the stack stay out of the benchmark's own process. The child starts the local stack
(`python -m infra`) on free ports, uploads the batch, waits until the stack's own queue pump has
ingested it (so nothing else competes for the CPU), then times the handler on an event it builds,
with sequencers above the pump's so every run writes its records as a first delivery would. When
the stack cannot be used it measures against moto in-process instead, and says so.
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

from infra.ports import free_port, free_port_run
from ops.stack import STATE_FILE

from .inputs import ROOT, ingest_batch
from .lambdas import REGION, function_for, local_template

RUNS = 5
STACK_START_SECONDS = 90
PUMP_WAIT_SECONDS = 60
INGEST_MODULE = "handlers.ingest"


class StackUnavailable(Exception):
    """The local stack did not come up or did not work; the reason is the message."""


@dataclass(frozen=True)
class IngestResult:
    backend: str  # what the handler ran against
    messages: int
    total_mb: float
    first_batch_s: float  # the first invocation after import (its one-time set-up included)
    batch_s: float  # median of RUNS later invocations
    runs: int
    failures: int  # batchItemFailures over all timed runs
    extract_s: float  # extract() alone on the same bytes, one warm pass: the rest is S3, DynamoDB, logging

    @property
    def per_message_s(self) -> float:
        return self.batch_s / self.messages

    @property
    def images_per_second(self) -> float:
        return self.messages / self.batch_s


def measure_ingest() -> IngestResult:
    with tempfile.TemporaryDirectory() as directory:
        result_path = Path(directory) / "ingest.json"
        # The handler logs a JSON line per object to stdout, as on Lambda; only the result matters here.
        subprocess.run([sys.executable, "-m", "bench.ingest", str(result_path)], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
        return IngestResult(**json.loads(result_path.read_text()))


# The child ------------------------------------------------------------------------------


@contextmanager
def local_stack() -> Iterator[dict[str, str]]:
    """`python -m infra` on free ports; its outputs while it runs."""
    with tempfile.TemporaryDirectory() as state_dir:
        api_port, aws_port = free_port(), free_port()
        # Its distributions (two) on ports of their own too, so a `make run` beside it keeps the default ones.
        env = {**os.environ, "LOCAL_API_PORT": str(api_port), "LOCAL_AWS_PORT": str(aws_port),
               "LOCAL_DELIVERY_PORT": str(free_port_run(2)), "LOCAL_STATE_DIR": state_dir}
        log_path = Path(state_dir) / "stack.log"
        with log_path.open("w") as log:
            stack = subprocess.Popen([sys.executable, "-m", "infra"], cwd=ROOT, env=env,
                                     stdout=subprocess.DEVNULL, stderr=log)
        try:
            outputs = Path(state_dir) / STATE_FILE.format(api_port=api_port, aws_port=aws_port)
            yield wait_for_outputs(stack, outputs, log_path)
        finally:
            stack.terminate()
            try:
                stack.wait(timeout=15)
            except subprocess.TimeoutExpired:
                stack.kill()
                stack.wait()


def wait_for_outputs(stack: subprocess.Popen, state_path: Path, log_path: Path) -> dict[str, str]:
    deadline = time.monotonic() + STACK_START_SECONDS
    while time.monotonic() < deadline:
        if state_path.exists():
            return json.loads(state_path.read_text())
        if stack.poll() is not None:
            tail = log_path.read_text().strip().splitlines()[-1:] or ["no output"]
            raise StackUnavailable(f"python -m infra exited with {stack.returncode}: {tail[0]}")
        time.sleep(0.2)
    raise StackUnavailable(f"python -m infra wrote no outputs within {STACK_START_SECONDS} s")


def upload(s3: Any, bucket: str, paths: list[Path]) -> list[dict[str, Any]]:
    """Put each file under bench/ and return the S3 `object` entries a notification would carry (key unencoded)."""
    objects = []
    for path in paths:
        key = f"bench/{path.name}"
        s3.put_object(Bucket=bucket, Key=key, Body=path.read_bytes())
        head = s3.head_object(Bucket=bucket, Key=key)
        entry = {"key": key, "size": head["ContentLength"], "eTag": head["ETag"].strip('"')}
        if head.get("VersionId"):
            entry["versionId"] = head["VersionId"]
        objects.append(entry)
    return objects


def wait_until_stored(dynamodb: Any, table: str, bucket: str, objects: list[dict[str, Any]]) -> None:
    """Until the stack's pump has written a record for every upload: then it is idle again."""
    from service.storage.records import file_id, record_key

    pending = {file_id(bucket, o["key"]) for o in objects}
    deadline = time.monotonic() + PUMP_WAIT_SECONDS
    while pending and time.monotonic() < deadline:
        pending = {fid for fid in pending if "Item" not in dynamodb.get_item(TableName=table, Key=record_key(fid))}
        time.sleep(0.2)
    if pending:
        raise StackUnavailable(f"the stack's queue pump stored {len(objects) - len(pending)} of {len(objects)} uploads")


def sqs_event(bucket: str, objects: list[dict[str, Any]], run: int) -> dict[str, Any]:
    """One SQS event, one S3 notification per message as S3 sends them; sequencers grow with `run`."""
    records = []
    for index, obj in enumerate(objects):
        # "F" sorts above the stack's time-based sequencers; the run and index keep S3's per-key order.
        notification = {"Records": [{
            "eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": REGION,
            "eventTime": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
            "eventName": "ObjectCreated:Put",
            "s3": {"s3SchemaVersion": "1.0", "configurationId": "bench",
                   "bucket": {"name": bucket, "arn": f"arn:aws:s3:::{bucket}"},
                   "object": {**obj, "key": quote_plus(obj["key"], safe="/"),
                              "sequencer": f"F{run:08X}{index:08X}"}},
        }]}
        records.append({
            "messageId": str(uuid.uuid4()), "receiptHandle": f"bench-{run}-{index}", "body": json.dumps(notification),
            "attributes": {"ApproximateReceiveCount": "1"}, "messageAttributes": {}, "md5OfBody": "",
            "eventSource": "aws:sqs", "eventSourceARN": f"arn:aws:sqs:{REGION}:123456789012:bench", "awsRegion": REGION,
        })
    return {"Records": records}


def time_handler(backend: str, bucket: str, table: str, pump_running: bool) -> IngestResult:
    """Upload the batch, import the handler with the function's environment, time its invocations."""
    import importlib

    import boto3

    from infra.functions import LambdaContext

    function = function_for(INGEST_MODULE)
    os.environ.update({**function.environment, "BUCKET_NAME": bucket, "TABLE_NAME": table})
    paths = ingest_batch()
    objects = upload(boto3.client("s3"), bucket, paths)
    if pump_running:
        wait_until_stored(boto3.client("dynamodb"), table, bucket, objects)
    handler = importlib.import_module(INGEST_MODULE).handler

    def invoke(run: int) -> tuple[float, int]:
        context = LambdaContext(function_name=function.logical_id, memory_limit_in_mb=function.memory_mb,
                                invoked_function_arn=f"arn:aws:lambda:{REGION}:123456789012:function:bench",
                                timeout_seconds=120)
        event = sqs_event(bucket, objects, run)
        started = time.perf_counter()
        response = handler(event, context)
        return time.perf_counter() - started, len(response.get("batchItemFailures", []))

    first_batch_s, first_failures = invoke(0)
    timed = [invoke(run) for run in range(1, RUNS + 1)]
    from imagemeta import extract

    contents = [path.read_bytes() for path in paths]
    started = time.perf_counter()
    for data in contents:
        extract(data)
    extract_s = time.perf_counter() - started
    return IngestResult(
        backend=backend, messages=len(objects), total_mb=sum(o["size"] for o in objects) / 1e6,
        first_batch_s=first_batch_s, batch_s=statistics.median(t for t, _ in timed), runs=RUNS,
        failures=first_failures + sum(f for _, f in timed), extract_s=extract_s,
    )


def dummy_credentials(endpoint: str | None) -> None:
    os.environ.update({"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
                       "AWS_REGION": REGION, "AWS_DEFAULT_REGION": REGION})
    if endpoint:
        os.environ["AWS_ENDPOINT_URL"] = endpoint


def run_child(result_path: Path) -> None:
    try:
        with local_stack() as outputs:
            dummy_credentials(outputs["awsEndpoint"])
            result = time_handler("local stack (moto server over HTTP, `python -m infra`)",
                                  outputs["bucket"], outputs["table"], pump_running=True)
    except StackUnavailable as error:
        import boto3
        from moto import mock_aws

        from infra.resources import create_resources

        os.environ.pop("AWS_ENDPOINT_URL", None)
        dummy_credentials(None)
        with mock_aws():
            # Queue URLs as moto's in-process SQS hands them out.
            template = local_template(aws_endpoint=f"https://sqs.{REGION}.amazonaws.com")
            create_resources(template, boto3.Session())
            result = time_handler(f"moto in-process (local stack not usable: {error})",
                                  template.physical_name("UploadBucket"),
                                  template.physical_name("FilesTable"),
                                  pump_running=False)
    result_path.write_text(json.dumps(asdict(result)))


if __name__ == "__main__":
    run_child(Path(sys.argv[1]))
