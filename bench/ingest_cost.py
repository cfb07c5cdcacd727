"""What ingesting one million 12 MP camera JPEGs costs on arm64: every charge, from one measured run.

`measure_ingest_cost()` starts the local stack (`python -m infra`) with the bucket's notifications off (so the
bench's handler is the only ingest), uploads the 12 MP camera JPEG under RUNS + 1 batches of BATCH new keys,
then runs IngestFunction's handler (PROCESSES times, each on new keys) in its own process (`bench.lambda_process`, with the function's environment
from template.yaml) on one SQS event per batch, each a first upload of its keys, and on the last batch's event
once more (the records then say what S3 holds: a repeated delivery, or a backfill run again). The child reports
each invocation's CPU and wall time, peak RSS, log bytes and every AWS call it made, with the items it wrote and
the bytes it read. The charges come from those counts (requests, items and their sizes, bytes) and the CPU time;
the time spent waiting on S3 and DynamoDB is modelled from the calls (moto's round trips on a shared machine say
nothing about AWS's), so only the CPU time moves with the machine's load.
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

from .cost import FULL_VCPU_MB, PRICE_PER_GB_SECOND, PRICE_PER_MILLION_REQUESTS
from .ingest import dummy_credentials, local_stack, sqs_event, upload
from .inputs import CAMERA_12MP, ROOT
from .lambdas import local_template, template_functions

FUNCTION = "IngestFunction"
BATCH = 10  # the event source's BatchSize in template.yaml
RUNS = 5
# The function's process, started this many times on batches of their own: this machine's speed drifts between
# processes minutes apart (the median batch's CPU moved from 58 to 69 ms over six runs of one process each), so
# the figures are the median process's, and the section shows the spread.
PROCESSES = 3
MEMORY_CHOICES_MB = (512, 1024, FULL_VCPU_MB, 2048)
MILLION = 1_000_000
# us-east-1, the published prices as of 2026-11 (check each service's pricing page).
S3_GET_PER_1000 = 0.0004  # GET, HEAD and the other GET-class requests
DYNAMODB_PER_MILLION_WRITE_UNITS = 0.625  # on demand: a unit writes 1 KB of an item or of an index entry
DYNAMODB_PER_MILLION_READ_UNITS = 0.125  # on demand: a unit reads 4 KB strongly consistent, twice that eventually
SQS_PER_MILLION_REQUESTS = 0.40  # standard queue; each 64 KB of a message is a request
LOGS_PER_GB = 0.50  # CloudWatch Logs ingestion, standard class
# DynamoDB sizes an index entry as its keys, the table's keys and the projected attributes, plus 100 bytes.
INDEX_ENTRY_OVERHEAD_BYTES = 100
WRITE_UNIT_BYTES = 1024
READ_UNIT_BYTES = 4096
# CloudWatch Logs bills each event's message plus 26 bytes; each invocation also logs Lambda's START, END and
# REPORT lines (text format: about 60, 50 and 150 bytes).
LOG_EVENT_OVERHEAD_BYTES = 26
PLATFORM_LOG_BYTES = 260
PLATFORM_LOG_EVENTS = 3
# In-region latencies assumed for the wait (AWS publishes ranges, not figures): DynamoDB answers a key
# lookup in single-digit milliseconds; S3's median for small objects is in the tens of milliseconds (its
# performance guidelines), and a function reads the rest of a larger body at an assumed 100 MB/s.
DYNAMODB_CALL_MS = 6.0
S3_FIRST_BYTE_MS = 30.0
S3_MB_PER_SECOND = 100.0
# The ingest's item kinds by key (service/storage): a file's record, a folder item, a library page, a seed.
RECORD_SK, FOLDER_SK, PAGE_PREFIX, SEED_PREFIX = "F", "D", "_lib#", "_seed#"


@dataclass(frozen=True)
class Destination:
    """Where write units go, per image: the items of one kind (or an index's entries) and their size."""

    name: str
    units: float
    item_bytes: float  # the mean item or entry written there
    items: float  # written per image


@dataclass(frozen=True)
class Invocation:
    """One invocation's figures, per message."""

    messages: int
    cpu_s: float
    wall_s: float
    log_bytes: float
    log_events: float
    calls: dict[str, float]  # service.Operation per message
    destinations: list[Destination]
    read_units: float  # every item read: the record before a write, a batch's folder items
    object_bytes: float  # S3 body bytes read

    @property
    def write_units(self) -> float:
        return sum(destination.units for destination in self.destinations)

    def dynamodb_wait_s(self) -> float:
        """The DynamoDB round trips, modelled from the calls made (not from moto's clock)."""
        return sum(count for name, count in self.calls.items() if name.startswith("dynamodb.")) * DYNAMODB_CALL_MS / 1000

    def s3_wait_s(self, memory_mb: int) -> float:
        """The S3 GETs waited for: the ingest reads each object while the one before it is extracted (ReadAhead),
        so only the batch's first GET, and whatever a GET takes beyond the previous image's work, are waited."""
        gets = self.calls.get("s3.GetObject", 0.0)
        if not gets:
            return 0.0
        get_s = (S3_FIRST_BYTE_MS + self.object_bytes / gets / (S3_MB_PER_SECOND * 1e3)) / 1000
        busy = self.cpu_s * max(1.0, FULL_VCPU_MB / memory_mb) + self.dynamodb_wait_s()
        return gets * (get_s + (self.messages - 1) * max(0.0, get_s - busy)) / self.messages

    def wait_s(self, memory_mb: int) -> float:
        return self.dynamodb_wait_s() + self.s3_wait_s(memory_mb)

    def duration_s(self, memory_mb: int) -> float:
        """Modelled Lambda duration per message: the CPU work at the memory's share of a vCPU, plus the wait."""
        return self.cpu_s * max(1.0, FULL_VCPU_MB / memory_mb) + self.wait_s(memory_mb)


@dataclass(frozen=True)
class IngestRun:
    """The median of RUNS first-upload batches (the first, which pays one-time set-up, left out), and the
    repeated delivery of one batch."""

    upload: Invocation
    repeat: Invocation
    peak_rss_mb: float
    memory_mb: int
    first_wall_s: float
    moto_wait_s: float  # wall minus CPU against the local stack: this machine's moto and load, for reference
    process_cpu_ms: list[float]  # each process's median batch, CPU per image (the figures are the median one's)


def index_definitions() -> list[tuple[str, list[str], str, list[str]]]:
    """(name, key attributes, projection type, projected attributes) of each global index of the files table."""
    table = local_template().resource("FilesTable").properties
    return [(index["IndexName"], [key["AttributeName"] for key in index["KeySchema"]],
             index["Projection"]["ProjectionType"], list(index["Projection"].get("NonKeyAttributes", [])))
            for index in table.get("GlobalSecondaryIndexes", [])]


def item_kind(put: dict[str, Any]) -> str:
    pk, sk = (put["key"] + ["", ""])[:2]
    if pk.startswith(PAGE_PREFIX):
        return "library page"
    if pk.startswith(SEED_PREFIX):
        return "seed"
    return {RECORD_SK: "record item", FOLDER_SK: "folder item"}.get(sk, "other item")


def written_units(puts: list[dict[str, Any]], messages: int) -> list[Destination]:
    """Write units per message by destination: each item's KB, each index entry's KB (a new entry: one write);
    a write whose condition failed still costs its unit."""
    found: dict[str, list[float]] = {}
    units: Counter[str] = Counter()
    table_keys = ("pk", "sk")
    for put in puts:
        kind = item_kind(put)
        if put.get("status", 200) >= 300:  # a conditional write that lost: one unit, no index entry
            units[f"{kind}, condition failed"] += 1
            found.setdefault(f"{kind}, condition failed", []).append(put["item_bytes"])
            continue
        units[kind] += math.ceil(put["item_bytes"] / WRITE_UNIT_BYTES)
        found.setdefault(kind, []).append(put["item_bytes"])
        sizes = put["attribute_bytes"]
        for name, keys, projection, projected in index_definitions():
            if not all(key in sizes for key in keys):
                continue
            carried = sizes if projection == "ALL" else {a: sizes[a] for a in (*keys, *table_keys, *projected) if a in sizes}
            entry = sum(carried.values()) + INDEX_ENTRY_OVERHEAD_BYTES
            units[f"{name} index entry"] += math.ceil(entry / WRITE_UNIT_BYTES)
            found.setdefault(f"{name} index entry", []).append(entry)
    return [Destination(name, units[name] / messages, statistics.mean(sizes), len(sizes) / messages)
            for name, sizes in found.items()]


def invocation(phase: dict[str, Any], messages: int) -> Invocation:
    calls = phase["aws_calls"]
    # Every item read, GetItem's and each key of a BatchGetItem: (bytes, strongly consistent).
    reads = [(c.get("read_bytes", 0), c["consistent"]) for c in calls if c["call"] == "dynamodb.GetItem"] + [
        (size, c["consistent"]) for c in calls if c["call"] == "dynamodb.BatchGetItem"
        for size in c.get("read_items_bytes", [])]
    return Invocation(
        messages=messages, cpu_s=phase["cpu_s"] / messages, wall_s=phase["wall_s"] / messages,
        log_bytes=phase["log_bytes"] / messages, log_events=phase["log_lines"] / messages,
        calls={name: count / messages for name, count in Counter(c["call"] for c in calls).items()},
        destinations=written_units([c for c in calls if c["call"] == "dynamodb.PutItem"], messages),
        read_units=sum(max(1, math.ceil(size / READ_UNIT_BYTES)) * (1 if consistent else 0.5)
                       for size, consistent in reads) / messages,
        object_bytes=sum(c.get("object_bytes", 0) for c in calls if c["call"] == "s3.GetObject") / messages,
    )


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
        # The bench's handler is the only ingest: the stack's own would take the uploads first.
        s3.put_bucket_notification_configuration(Bucket=outputs["bucket"], NotificationConfiguration={})
        # The metadata ingest alone: what a thumbnail adds is priced in its own section ("Thumbnails"), and a
        # deployment with Thumbnails=Off pays this figure.
        environment = {**os.environ, **function.environment, "THUMBNAILS": "Off", "BUCKET_NAME": outputs["bucket"],
                       "TABLE_NAME": outputs["table"], "LARGER_INGEST_QUEUE_URL": outputs["ingestLargeQueueUrl"],
                       "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory_mb)}
        results = []
        for process in range(PROCESSES):
            batches = []
            with tempfile.TemporaryDirectory() as directory:
                for run in range(RUNS + 1):
                    copies = []
                    for n in range(BATCH):
                        copy = Path(directory) / f"camera-{process}-{run}-{n}.jpg"
                        copy.write_bytes(CAMERA_12MP.read_bytes())
                        copies.append(copy)
                    batches.append(upload(s3, outputs["bucket"], copies))
            events = [sqs_event(outputs["bucket"], objects, run) for run, objects in enumerate(batches)]
            events.append(sqs_event(outputs["bucket"], batches[-1], len(batches)))  # the last batch delivered again
            results.append(run_child(function.module, events, environment))
    for result in results:
        assert all(not phase["response"]["batchItemFailures"] for phase in result["invocations"]), result["invocations"]

    def median_batch(result: dict[str, Any]) -> dict[str, Any]:
        _, *timed, _ = result["invocations"]
        return sorted(timed, key=lambda phase: phase["cpu_s"])[len(timed) // 2]

    result = sorted(results, key=lambda found: median_batch(found)["cpu_s"])[len(results) // 2]
    first, *_, repeated = result["invocations"]
    upload_run = invocation(median_batch(result), BATCH)
    return IngestRun(
        upload=upload_run, repeat=invocation(repeated, BATCH),
        peak_rss_mb=max(phase["peak_rss_mb"] for phase in result["invocations"]),
        memory_mb=function.memory_mb, first_wall_s=first["wall_s"],
        moto_wait_s=max(0.0, upload_run.wall_s - upload_run.cpu_s),
        process_cpu_ms=sorted(median_batch(found)["cpu_s"] / BATCH * 1000 for found in results),
    )


def charges(run: Invocation, memory_mb: int) -> list[tuple[str, str, float]]:
    """(charge, arithmetic, dollars per million images) at memory_mb."""
    duration = run.duration_s(memory_mb)
    gb_seconds = memory_mb / 1024 * duration
    cpu_share_ms = run.cpu_s * max(1.0, FULL_VCPU_MB / memory_mb) * 1000
    # GET-class requests, all priced alike: the object, its head (prepared uploads), its tags when it has some.
    s3_gets = sum(run.calls.get(f"s3.{name}", 0.0) for name in ("GetObject", "HeadObject", "GetObjectTagging"))
    # S3 sends each notification (one SendMessage); Lambda's poller receives and deletes a batch at a time.
    sqs_requests = 1 + 2 / run.messages
    log_bytes = (run.log_bytes + run.log_events * LOG_EVENT_OVERHEAD_BYTES
                 + (PLATFORM_LOG_BYTES + PLATFORM_LOG_EVENTS * LOG_EVENT_OVERHEAD_BYTES) / run.messages)
    writes = " + ".join(f"{d.units:g} {d.name}" + (f" ({d.item_bytes:.0f} B)" if d.items else "")
                        for d in run.destinations)
    return [
        ("Lambda compute", f"{memory_mb / 1024:g} GB x ({run.cpu_s * 1000:.0f} ms CPU x {FULL_VCPU_MB}/{memory_mb} = "
                           f"{cpu_share_ms:.0f} ms, + {run.wait_s(memory_mb) * 1000:.0f} ms waiting) = {gb_seconds:.4f} GB-s "
                           f"x ${PRICE_PER_GB_SECOND}", MILLION * gb_seconds * PRICE_PER_GB_SECOND),
        ("Lambda requests", f"1 per {run.messages} images x ${PRICE_PER_MILLION_REQUESTS:.2f}/M",
         PRICE_PER_MILLION_REQUESTS / run.messages),
        ("S3 requests", f"{s3_gets:g} GET-class x ${S3_GET_PER_1000}/1000", MILLION * s3_gets * S3_GET_PER_1000 / 1000),
        ("DynamoDB writes", f"{writes} = {run.write_units:g} write units x ${DYNAMODB_PER_MILLION_WRITE_UNITS}/M",
         run.write_units * DYNAMODB_PER_MILLION_WRITE_UNITS),
        ("DynamoDB reads", f"{run.read_units:g} read units (strongly consistent reads of the record and, once a "
                           f"batch, its folder's item, each under 4 KB) "
                           f"x ${DYNAMODB_PER_MILLION_READ_UNITS}/M", run.read_units * DYNAMODB_PER_MILLION_READ_UNITS),
        ("SQS", f"1 S3 notification + a receive and a delete per {run.messages} = {sqs_requests:g} requests "
                f"x ${SQS_PER_MILLION_REQUESTS:.2f}/M", sqs_requests * SQS_PER_MILLION_REQUESTS),
        ("CloudWatch Logs", f"{run.log_bytes:.0f} B of the function's lines + Lambda's 3 lines a batch "
                            f"({PLATFORM_LOG_BYTES / run.messages:.0f} B), {LOG_EVENT_OVERHEAD_BYTES} B an event = "
                            f"{log_bytes:.0f} B x ${LOGS_PER_GB:.2f}/GB", MILLION * log_bytes / 1e9 * LOGS_PER_GB),
    ]


def total_usd(run: Invocation, memory_mb: int) -> float:
    return sum(usd for _, _, usd in charges(run, memory_mb))


def lambda_usd(run: Invocation, memory_mb: int) -> float:
    return sum(usd for name, _, usd in charges(run, memory_mb) if name.startswith("Lambda"))


# The backfill of a large bucket (template.yaml, BackfillStateMachine): AWS's published prices and quotas.
BACKFILL_OBJECTS = 100_000_000
BACKFILL_BATCH = 100  # the distributed map's MaxItemsPerBatch
EXPRESS_PER_MILLION_REQUESTS = 1.00  # Step Functions Express: each child workflow
EXPRESS_PER_GB_SECOND = 0.00001667  # ... for as long as it runs (its Lambda task), billed in 64 MB
EXPRESS_GB = 64 / 1024
INVENTORY_PER_MILLION_OBJECTS = 0.0025  # S3 Inventory, per report
# A new on-demand table serves up to 4,000 writes a second at once and scales from there; 40,000 is the
# default per-table quota; Lambda's default concurrency per region is 1,000.
NEW_TABLE_WRITE_UNITS = 4_000
TABLE_WRITE_UNITS_QUOTA = 40_000
LAMBDA_CONCURRENCY_QUOTA = 1_000
BACKFILL_CONCURRENCIES = (100, 1_000, 3_000)


def backfill_charges(run: Invocation, memory_mb: int) -> list[tuple[str, str, float]]:
    """(charge, arithmetic, dollars) of backfilling BACKFILL_OBJECTS objects like the measured ones: the
    ingest's per-image work without S3's notification and the queue, in batches of BACKFILL_BATCH, each
    object's library page entry on a page of its own (old objects rarely share a minute of creation)."""
    millions = BACKFILL_OBJECTS / MILLION
    duration = run.duration_s(memory_mb)
    compute = memory_mb / 1024 * duration * PRICE_PER_GB_SECOND * BACKFILL_OBJECTS
    pages = next((d.units for d in run.destinations if d.name == "library page"), 0.0)
    units = run.write_units - pages + 1
    children = BACKFILL_OBJECTS / BACKFILL_BATCH
    express = EXPRESS_GB * duration * BACKFILL_BATCH * EXPRESS_PER_GB_SECOND
    s3_gets = run.calls.get("s3.GetObject", 0.0)
    return [
        ("Lambda compute", f"{millions:g} M x {duration * 1000:.0f} ms x {memory_mb / 1024:g} GB x ${PRICE_PER_GB_SECOND}", compute),
        ("Lambda requests", f"{children:,.0f} batches x ${PRICE_PER_MILLION_REQUESTS:.2f}/M",
         children * PRICE_PER_MILLION_REQUESTS / MILLION),
        ("S3 GET", f"{millions:g} M x {s3_gets:g} x ${S3_GET_PER_1000}/1000", BACKFILL_OBJECTS * s3_gets * S3_GET_PER_1000 / 1000),
        ("DynamoDB writes", f"{millions:g} M x {units:g} units (a page write each) x ${DYNAMODB_PER_MILLION_WRITE_UNITS}/M",
         millions * units * DYNAMODB_PER_MILLION_WRITE_UNITS),
        ("DynamoDB reads", f"{millions:g} M x {run.read_units:g} x ${DYNAMODB_PER_MILLION_READ_UNITS}/M",
         millions * run.read_units * DYNAMODB_PER_MILLION_READ_UNITS),
        ("Step Functions", f"{children:,.0f} Express children x (${EXPRESS_PER_MILLION_REQUESTS:.2f}/M + "
                           f"{EXPRESS_GB:g} GB x {duration * BACKFILL_BATCH:.0f} s x ${EXPRESS_PER_GB_SECOND})",
         children * (EXPRESS_PER_MILLION_REQUESTS / MILLION + express)),
        ("S3 Inventory", f"{millions:g} M objects listed x ${INVENTORY_PER_MILLION_OBJECTS}/M",
         millions * INVENTORY_PER_MILLION_OBJECTS),
        ("CloudWatch Logs", f"{children:,.0f} batches x ({run.log_bytes:.0f} B an object x {BACKFILL_BATCH} + Lambda's "
                            f"{PLATFORM_LOG_BYTES} B) x ${LOGS_PER_GB:.2f}/GB",
         children * (run.log_bytes * BACKFILL_BATCH + PLATFORM_LOG_BYTES) / 1e9 * LOGS_PER_GB),
    ]


def backfill_times(run: Invocation, memory_mb: int) -> list[list[str]]:
    """Hours to backfill BACKFILL_OBJECTS at each concurrency: Lambda's rate, then the table's write rate."""
    duration = run.duration_s(memory_mb)
    pages = next((d.units for d in run.destinations if d.name == "library page"), 0.0)
    units = run.write_units - pages + 1
    rows = []
    for concurrency in BACKFILL_CONCURRENCIES:
        rate = concurrency / duration
        new_table = min(rate, NEW_TABLE_WRITE_UNITS / units)
        quota = min(rate, TABLE_WRITE_UNITS_QUOTA / units)
        rows.append([f"{concurrency:,}", f"{rate:,.0f}", f"{rate * units:,.0f}",
                     f"{BACKFILL_OBJECTS / new_table / 3600:,.1f}", f"{BACKFILL_OBJECTS / quota / 3600:,.1f}"])
    return rows


def calls_text(run: Invocation) -> str:
    return ", ".join(f"{name} {count:g}" for name, count in sorted(run.calls.items()))


def ingest_cost_section(run: IngestRun | str) -> str:
    from .report import table

    heading = "## Ingest cost per million 12 MP camera JPEGs on arm64\n\n"
    if isinstance(run, str):
        return heading + f"Not measured: {run}\n"
    upload_run, memory = run.upload, run.memory_mb
    rows = [[name, arithmetic, f"${usd:.2f}"] for name, arithmetic, usd in charges(upload_run, memory)]
    rows.append(["**all charges**", "target: under $4", f"**${total_usd(upload_run, memory):.2f}**"])
    destinations = [[d.name, f"{d.items:g}", f"{d.item_bytes:.0f}", f"{d.units:g}"] for d in upload_run.destinations]
    destinations.append(["**per image**", "", "", f"**{upload_run.write_units:g}**"])
    choices = [[f"{size} MB", f"{upload_run.duration_s(size) * 1000:.0f}", f"${lambda_usd(upload_run, size):.2f}",
                f"${total_usd(upload_run, size):.2f}"] for size in MEMORY_CHOICES_MB]
    repeat = run.repeat
    return heading + f"""{FUNCTION} (`MemorySize` {memory} in template.yaml) run by `python -m bench.lambda_process`:
its own process with the function's environment (Thumbnails=Off: a thumbnail's cost is in "Thumbnails" below),
against the local stack with the bucket's notifications off, on {RUNS} SQS events of {upload_run.messages} messages
(after a first one, {run.first_wall_s * 1000:.0f} ms, which pays one-time set-up), each message a first upload of the
12 MP camera JPEG (`{CAMERA_12MP.name}`, {upload_run.object_bytes / 1e6:.1f} MB) to a new key of one folder; {PROCESSES} such
processes one after another, each on keys of its own, since this machine's speed drifts between them (their
median batches: {", ".join(f"{ms:.0f}" for ms in run.process_cpu_ms)} ms CPU an image). The figures are the median process's. Per image,
its median batch: **{upload_run.cpu_s * 1000:.0f} ms CPU** in the function's process, peak RSS {run.peak_rss_mb:.0f} MB, {upload_run.log_bytes:.0f} bytes of log; AWS calls: {calls_text(upload_run)}.
This section alone: `python -m bench ingest-cost`.

Every figure but the CPU time is a count: requests, the items written and their sizes in DynamoDB's sizing (each
index entry: its keys, the table's keys, the projected attributes and 100 bytes), bytes read and logged. Lambda's
duration at a memory size is the CPU time at Lambda's share of a vCPU (one vCPU at {FULL_VCPU_MB} MB, in
proportion below) plus the time waiting on AWS, modelled from the calls: {DYNAMODB_CALL_MS:g} ms a DynamoDB call,
{S3_FIRST_BYTE_MS:g} ms to an S3 GET's first byte and the body at {S3_MB_PER_SECOND:g} MB/s (AWS publishes
ranges: single-digit milliseconds, and tens of milliseconds for small S3 objects; check `Duration` in the
REPORT lines once deployed), of which only the batch's first GET is waited for: the ingest reads each next object
while it extracts the one before (ReadAhead), {run.upload.s3_wait_s(memory) * 1000:.0f} ms an image of S3 waiting at
{memory} MB instead of {(S3_FIRST_BYTE_MS + upload_run.object_bytes / (S3_MB_PER_SECOND * 1e3)):.0f}. Against moto on this machine the wait was {run.moto_wait_s * 1000:.0f} ms an image, which
says more about this machine's load than about AWS. The CPU was measured on this machine's x86 cores, not
Graviton. Prices: us-east-1, on demand, as of 2026-11.

{table(["charge", "arithmetic, per image", "per million images"], rows)}
Write units per image and where each goes (on demand, a unit writes up to 1 KB of one item or index entry; a
library page holds a batch's entries of one minute of creation times):

{table(["destination", "items per image", "bytes each", "write units per image"], destinations)}
With `SimilarIndex=bands` each image also enters the four band indexes: 4 more write units ($2.50 per million,
docs/similar.md). Not per image: a new folder's item and its `subfolders` entry (2 units, once per folder); a
batch reads the items of the folders above its keys once (the 0.1 BatchGetItem above), not once an upload.
Storage is billed monthly, not per upload: about {sum(d.item_bytes + 100 for d in upload_run.destinations if d.items >= 1) / 1e3:.1f} KB an image with DynamoDB's
100 bytes of item overhead, $0.25 per GB-month.

An event for a record that already says what S3 holds (a repeated delivery, a backfill run again) asks S3 for
the object (its body left unread), reads the record, and writes nothing: **{repeat.cpu_s * 1000:.0f} ms CPU**, AWS calls:
{calls_text(repeat)}; ${total_usd(repeat, memory):.2f} per million such events.

### Backfilling {BACKFILL_OBJECTS / MILLION:.0f} million objects

BackfillStateMachine (docs/deploy.md, "Large buckets") over an S3 Inventory: each object costs the measured
ingest above without S3's notification and the queue; batches of {BACKFILL_BATCH} run as Express child workflows
that wait for BackfillBatchFunction ({memory} MB, the same work). Each object's library page entry is counted as a
page write of its own (old objects rarely share a minute of creation time within a batch); 0.01 a page when they do.

{table(["charge", "arithmetic", "for 100 million objects"], [[n, a, f"${usd:,.0f}"] for n, a, usd in backfill_charges(upload_run, memory)] + [["**all charges**", "", f"**${sum(usd for _, _, usd in backfill_charges(upload_run, memory)):,.0f}**"]])}
Time: each concurrent batch ingests an image every {upload_run.duration_s(memory) * 1000:.0f} ms (the model above). The rate is
the map's MaxConcurrency (BackfillMaxConcurrency; the distributed map runs up to 10,000 children) over that,
within Lambda's concurrency (1,000 per region by default, raised on request) and the table's write rate: a new
on-demand table serves up to {NEW_TABLE_WRITE_UNITS:,} write units a second at once and doubles its previous peak
within 30 minutes (or set its warm throughput before), up to the default per-table quota of
{TABLE_WRITE_UNITS_QUOTA:,}; the folder index's partition of one folder takes at most 1,000 a second (one folder of
millions: about 1,000 images a second unless DynamoDB splits it by its sort key).

{table(["MaxConcurrency", "images / s (Lambda)", "write units / s needed", "hours at 4,000 units/s", "hours at 40,000 units/s"], backfill_times(upload_run, memory))}
The same measured work at other memory sizes: below {FULL_VCPU_MB} MB the CPU work costs the same GB-seconds at any
size and the wait costs in proportion to memory, so the smallest size that holds the decoding budget is the
cheapest.

{table(["MemorySize", "modelled ms / image", "Lambda per million", "all charges per million"], choices)}"""
