"""What ingesting one million 12 MP camera JPEGs costs on arm64: every charge, from one measured run.

`measure_ingest_cost()` starts the local stack (`python -m infra`), uploads the 12 MP camera JPEG under
BATCH keys and waits for the stack's pump, then runs IngestFunction's handler in its own process
(`bench.lambda_process`, with the function's environment from template.yaml) on RUNS + 1 SQS events of BATCH
messages. The child reports each invocation's wall and CPU time, peak RSS, log bytes and every AWS call it made.
"""
from __future__ import annotations

import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3

from .cost import FULL_VCPU_MB, PRICE_PER_GB_SECOND, PRICE_PER_MILLION_REQUESTS, lambda_seconds
from .ingest import dummy_credentials, local_stack, sqs_event, upload, wait_until_stored
from .inputs import CAMERA_12MP, ROOT
from .lambdas import local_template, template_functions

FUNCTION = "IngestFunction"
BATCH = 10  # the event source's BatchSize in template.yaml
RUNS = 5
MEMORY_CHOICES_MB = (512, 1024, FULL_VCPU_MB, 2048)
# us-east-1, the published prices as of 2026-11 (check each service's pricing page).
S3_GET_PER_1000 = 0.0004
DYNAMODB_PER_MILLION_WRITE_UNITS = 0.625  # on demand: a unit writes 1 KB of item, once per item per index
DYNAMODB_PER_MILLION_READ_UNITS = 0.125  # on demand: a unit reads 4 KB strongly, or twice that eventually
SQS_PER_MILLION_REQUESTS = 0.40
LOGS_PER_GB = 0.50  # CloudWatch Logs ingestion
MILLION = 1_000_000


@dataclass(frozen=True)
class IngestRun:
    """Per message, the median invocation of RUNS (the first, which pays one-time set-up, left out)."""

    messages: int
    cpu_s: float
    wall_s: float
    peak_rss_mb: float
    log_bytes: float
    calls: dict[str, float]  # service.Operation per message
    write_units: float  # per message: the item's KB rounded up, plus one per index the item appears in
    item_bytes: float
    memory_mb: int
    first_wall_s: float

    @property
    def wait_s(self) -> float:
        """Wall time not spent on this process's CPU: S3 and DynamoDB round trips (and this machine's load)."""
        return max(0.0, self.wall_s - self.cpu_s)

    def duration_s(self, memory_mb: int) -> float:
        """Modelled Lambda duration per message at memory_mb: the CPU work at that share of a vCPU, plus the wait."""
        return lambda_seconds(self.cpu_s, self.wall_s, memory_mb)


def index_keys() -> list[str]:
    """The hash key of each global secondary index of the files table."""
    table = local_template().resource("FilesTable").properties
    return [index["KeySchema"][0]["AttributeName"] for index in table.get("GlobalSecondaryIndexes", [])]


def write_units(put: dict[str, Any], indexes: list[str]) -> int:
    """A PutItem's write units: ceil(KB) for the item, one per index entry it writes (each projects under 1 KB)."""
    return math.ceil(put["item_bytes"] / 1024) + sum(key in put["attributes"] for key in indexes)


def run_child(module: str, events: list[dict[str, Any]], environment: dict[str, str]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as directory:
        events_path, result_path = Path(directory) / "events.json", Path(directory) / "result.json"
        events_path.write_text(json.dumps(events))
        subprocess.run([sys.executable, "-m", "bench.lambda_process", module, str(events_path), str(result_path),
                        "--aws-calls"], cwd=ROOT, env=environment, check=True)
        return json.loads(result_path.read_text())


def measure_ingest_cost() -> IngestRun:
    function = next(f for f in template_functions() if f.logical_id == FUNCTION)
    with local_stack() as outputs:
        dummy_credentials(outputs["awsEndpoint"])
        s3 = boto3.client("s3")
        copies = []
        with tempfile.TemporaryDirectory() as directory:
            for n in range(BATCH):
                copy = Path(directory) / f"camera-{n}.jpg"
                copy.write_bytes(CAMERA_12MP.read_bytes())
                copies.append(copy)
            objects = upload(s3, outputs["bucket"], copies)
        wait_until_stored(boto3.client("dynamodb"), outputs["table"], outputs["bucket"], objects)
        environment = {**os.environ, **function.environment, "BUCKET_NAME": outputs["bucket"],
                       "TABLE_NAME": outputs["table"], "LARGER_INGEST_QUEUE_URL": outputs["ingestLargeQueueUrl"],
                       "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory_mb)}
        events = [sqs_event(outputs["bucket"], objects, run) for run in range(RUNS + 1)]
        result = run_child(function.module, events, environment)
    first, *timed = result["invocations"]
    assert all(not phase["response"]["batchItemFailures"] for phase in result["invocations"]), result["invocations"]
    median = sorted(timed, key=lambda phase: phase["wall_s"])[len(timed) // 2]
    indexes = index_keys()
    puts = [call for call in median["aws_calls"] if call["call"] == "dynamodb.PutItem"]
    return IngestRun(
        messages=BATCH, cpu_s=median["cpu_s"] / BATCH, wall_s=median["wall_s"] / BATCH,
        peak_rss_mb=max(phase["peak_rss_mb"] for phase in result["invocations"]),
        log_bytes=statistics.median(phase["log_bytes"] for phase in timed) / BATCH,
        calls={name: count / BATCH for name, count in Counter(c["call"] for c in median["aws_calls"]).items()},
        write_units=sum(write_units(put, indexes) for put in puts) / BATCH,
        item_bytes=statistics.mean(put["item_bytes"] for put in puts) if puts else 0.0,
        memory_mb=function.memory_mb, first_wall_s=first["wall_s"],
    )


def charges(run: IngestRun, memory_mb: int) -> list[tuple[str, str, float]]:
    """(charge, arithmetic, dollars per million images) at memory_mb."""
    gb_seconds = memory_mb / 1024 * run.duration_s(memory_mb)
    # GET-class requests, all priced alike: the object, its head (prepared uploads), its tags when it has some.
    s3_gets = sum(run.calls.get(f"s3.{name}", 0.0) for name in ("GetObject", "HeadObject", "GetObjectTagging"))
    reads = run.calls.get("dynamodb.GetItem", 0.0)
    # S3 sends each notification (one SendMessage); the Lambda poller receives and deletes a batch at a time.
    sqs_requests = 1 + 2 / run.messages
    return [
        ("Lambda compute", f"{memory_mb / 1024:g} GB x {run.duration_s(memory_mb) * 1000:.0f} ms = "
                           f"{gb_seconds:.4f} GB-s x ${PRICE_PER_GB_SECOND}", MILLION * gb_seconds * PRICE_PER_GB_SECOND),
        ("Lambda requests", f"1 per {run.messages} images x ${PRICE_PER_MILLION_REQUESTS:.2f}/M",
         PRICE_PER_MILLION_REQUESTS / run.messages),
        ("S3 GET", f"{s3_gets:g} GET-class requests x ${S3_GET_PER_1000}/1000", MILLION * s3_gets * S3_GET_PER_1000 / 1000),
        ("DynamoDB writes", f"{run.write_units:g} write units ({run.item_bytes:.0f}-byte item + its index entries)"
                            f" x ${DYNAMODB_PER_MILLION_WRITE_UNITS}/M", run.write_units * DYNAMODB_PER_MILLION_WRITE_UNITS),
        # Counted as strongly consistent reads of items under 4 KB (the record write reads so): 1 unit each.
        ("DynamoDB reads", f"{reads:g} GetItem (1 unit each at most) x ${DYNAMODB_PER_MILLION_READ_UNITS}/M",
         reads * DYNAMODB_PER_MILLION_READ_UNITS),
        ("SQS", f"{sqs_requests:g} requests x ${SQS_PER_MILLION_REQUESTS:.2f}/M", sqs_requests * SQS_PER_MILLION_REQUESTS),
        ("CloudWatch Logs", f"{run.log_bytes:.0f} bytes x ${LOGS_PER_GB:.2f}/GB", MILLION * run.log_bytes / 1e9 * LOGS_PER_GB),
    ]


def lambda_usd(run: IngestRun, memory_mb: int) -> float:
    return sum(usd for name, _, usd in charges(run, memory_mb) if name.startswith("Lambda"))


def ingest_cost_section(run: IngestRun | str) -> str:
    from .report import table

    heading = "## Ingest cost per million 12 MP camera JPEGs on arm64\n\n"
    if isinstance(run, str):
        return heading + f"Not measured: {run}\n"
    rows = [[name, arithmetic, f"${usd:.2f}"] for name, arithmetic, usd in charges(run, run.memory_mb)]
    total = sum(usd for _, _, usd in charges(run, run.memory_mb))
    rows.append(["**Lambda (compute + requests)**", "the issue's goal: under $2", f"**${lambda_usd(run, run.memory_mb):.2f}**"])
    rows.append(["**all charges**", "", f"**${total:.2f}**"])
    choices = [[f"{memory} MB", f"{run.duration_s(memory) * 1000:.0f}", f"${lambda_usd(run, memory):.2f}"]
               for memory in MEMORY_CHOICES_MB]
    calls = ", ".join(f"{name} {count:g}" for name, count in sorted(run.calls.items()))
    return heading + f"""{FUNCTION} (`MemorySize` {run.memory_mb} in template.yaml) run by `python -m bench.lambda_process`:
its own process with the function's environment, against the local stack, on {RUNS} SQS events of
{run.messages} messages (after a first one, {run.first_wall_s * 1000:.0f} ms, which pays one-time set-up), each an
S3 upload of the 12 MP camera JPEG (`{CAMERA_12MP.name}`): the duplicate check (GetItem), the S3 read, the
extraction and the conditional record write. Per image, the median batch: **{run.cpu_s * 1000:.0f} ms CPU** in the
function's process, **{run.wait_s * 1000:.0f} ms waiting** (S3 and DynamoDB round trips to moto on this machine,
and this machine's other load), peak RSS {run.peak_rss_mb:.0f} MB, {run.log_bytes:.0f} log bytes; AWS calls: {calls}.

Lambda's duration at a memory size is modelled as the CPU time scaled by Lambda's CPU share (one vCPU at
{FULL_VCPU_MB} MB, in proportion below) plus the wait. The CPU was measured on this machine's x86 cores, not
Graviton; the wait against moto stands in for in-region S3 and DynamoDB latency. Prices: us-east-1, as of
2026-11. SQS counts S3's SendMessage per image and the poller's receive and delete per batch (not its empty
polls); DynamoDB writes count the item's 1 KB units and one unit for each of the table's
{len(index_keys())} global indexes the record enters (the similar-image bands and the folder listings' sorts,
each projecting well under 1 KB). The index entries are most of the DynamoDB charge: what near-duplicate search
and sorted folder listings cost per upload (docs/files-api.md).

{table(["charge", "arithmetic, per image", "per million images"], rows)}
The same measured work at other memory sizes (Lambda compute + requests): below {FULL_VCPU_MB} MB the CPU work
costs the same GB-seconds at any size, and the wait costs in proportion to memory, so the smallest size that
holds the decoding budget is the cheapest.

{table(["MemorySize", "modelled ms / image", "Lambda per million"], choices)}"""
