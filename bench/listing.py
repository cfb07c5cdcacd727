"""Benchmark of GET /v1/files on a folder of 100,000 files: what each listing and search reads, and how long.

Run: .venv/bin/python -m bench.listing [--files N]   (moto in-process; prints a Markdown section)
The records are the ingest's own items (service.storage.records.record_keys + file_items.file_attributes, with
a camera JPEG's metadata and embeddedMetadata inline), put straight into moto's table. Each request goes through
FilesFunction's handler with a counting DynamoDB client: the reads (index rows, records, calls, bytes, read
units) are what DynamoDB would serve. moto sorts and scans its whole table for every Query; while nothing is
written, the bench hands moto's own query code the queried partition already sorted (folder_lookup_for_moto).
Its clock still says little about DynamoDB's: the projection adds an assumed DynamoDB round trip per call to
the handler's own time (measured with the client's time taken out) and botocore's decoding of what was read.
"""
from __future__ import annotations

import argparse
import inspect
import json
import math
import os
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any
from unittest.mock import patch

import boto3
from botocore.config import Config
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.dynamodb.models import dynamodb_backends
from moto.dynamodb.models.table import Table
from service.storage.bodies import encode
from service.storage.file_items import Times, file_attributes

from bench.inputs import ROOT
from bench.lambdas import local_template
from handlers import files
from handlers.clients import AwsClients
from handlers.settings import DEFAULT_SEARCH_MAX_RECORDS, FilesSettings
from imagemeta import embedded_metadata, extract
from infra.resources import table_parameters
from service.storage.folder_index import FOLDER_ATTRIBUTE, SORT_INDEXES
from service.storage.folders import SUBFOLDERS_INDEX, ensure_folder, folder_id
from service.storage.records import ObjectEvent, record_keys
from service.storage.similar_index import index_attributes

BUCKET = "imagemeta-bench"
TABLE = "imagemeta-bench"
FOLDER = "bench/"
CAMERA = ROOT / "tests" / "data" / "images" / "exif-samples" / "jpg" / "Canon_40D.jpg"
READ_UNIT_BYTES = 4096
# Assumed DynamoDB round trips inside the region (single-digit milliseconds is AWS's published range).
QUERY_MS = 6.0
BATCH_GET_MS = 8.0


@dataclass
class Counted:
    """DynamoDB calls of one request: count, seconds inside the client (moto), bytes and read units returned."""

    calls: dict[str, int] = field(default_factory=dict)
    index_rows: int = 0
    records: int = 0
    seconds: float = 0.0
    bytes: int = 0
    read_units: float = 0.0


class CountingDynamoDB:
    """A DynamoDB client that counts what each call reads and how long it takes."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.exceptions = client.exceptions
        self.counted = Counted()

    def __getattr__(self, name: str) -> Any:
        call = getattr(self._client, name)

        def counted(**request: Any) -> Any:
            started = time.perf_counter()
            response = call(**request)
            self.counted.seconds += time.perf_counter() - started
            self.counted.calls[name] = self.counted.calls.get(name, 0) + 1
            if name == "query":
                self.counted.index_rows += response["ScannedCount"]
                size = sum(item_bytes(item) for item in response["Items"])
                self.counted.bytes += size
                self.counted.read_units += math.ceil(max(size, 1) / READ_UNIT_BYTES) * 0.5
            elif name == "batch_get_item":
                for items in response["Responses"].values():
                    self.counted.records += len(items)
                    sizes = [item_bytes(item) for item in items]
                    self.counted.bytes += sum(sizes)
                    self.counted.read_units += sum(math.ceil(size / READ_UNIT_BYTES) * 0.5 for size in sizes)
            return response

        return counted


@contextmanager
def folder_lookup_for_moto(table_name: str) -> Iterator[None]:
    """While no record changes: moto's index Query sees only the queried partition, sorted in the index's order.

    The partition holds the index's projection of each item, as DynamoDB's index does: moto would otherwise
    cut its 1 MB pages by the whole items' size, a few hundred rows where DynamoDB returns thousands.
    """
    table = dynamodb_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].tables[table_name]
    keys = {index: (FOLDER_ATTRIBUTE, range_key) for index, range_key in SORT_INDEXES.values()}
    keys[SUBFOLDERS_INDEX] = ("parentFolder", "prefix")
    partitions: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for item in table.all_items():
        for index, (hash_key, range_key) in keys.items():
            if hash_key in item.attrs and range_key in item.attrs:
                partitions[index, item.attrs[hash_key].value].append(table.get_index(index).project(item))
    for (index, _), items in partitions.items():
        items.sort(key=lambda item: (item.attrs[keys[index][1]].value, item.attrs["fileId"].value))
    current = threading.local()
    original_query, original_all_items, original_sorted = Table.query, Table.all_items, Table.sorted_items

    signature = inspect.signature(original_query)

    def query(self: Table, *args: Any, **kwargs: Any) -> Any:
        called = signature.bind(self, *args, **kwargs).arguments
        index_name = called.get("index_name")
        ((_, value),) = called["hash_key_conditions"]
        current.partition = partitions.get((index_name, value.value), []) if index_name in keys else None
        try:
            return original_query(self, *args, **kwargs)
        finally:
            current.partition = None

    def all_items(self: Table) -> list[Any]:
        partition = getattr(current, "partition", None)
        return list(partition) if partition is not None else original_all_items(self)

    def sorted_items(self: Table, hash_attrs: Any, range_attrs: Any, items: list[Any]) -> list[Any]:
        return items if getattr(current, "partition", None) is not None else original_sorted(self, hash_attrs, range_attrs, items)

    with (patch.object(Table, "query", query), patch.object(Table, "all_items", all_items),
          patch.object(Table, "sorted_items", sorted_items)):
        yield


def item_bytes(item: dict[str, Any]) -> int:
    """DynamoDB's size of an item: attribute names and values (numbers about as long as their digits)."""
    total = 0
    for name, value in item.items():
        (kind, content), = value.items()
        total += len(name.encode()) + (len(content) if kind == "B" else len(str(content).encode()))
    return total


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=100_000, help="files in the folder (default 100,000)")
    return parser.parse_args()


def seed(files: int) -> float:
    """The folder's records, as the ingest writes them, straight into moto's table; seconds taken."""
    body = CAMERA.read_bytes()
    metadata, embedded = extract(body), embedded_metadata(body)
    bodies, _ = encode({"metadata": metadata, "embeddedMetadata": embedded})
    table = dynamodb_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].tables[TABLE]
    started = time.perf_counter()
    for n in range(files):
        # Sizes, dimensions and times vary so every sort has work to do.
        when = f"2026-{1 + n % 12:02d}-{1 + n % 28:02d}T{n % 24:02d}:{n % 60:02d}:{(n * 7) % 60:02d}.000Z"
        event = ObjectEvent(bucket=BUCKET, key=f"{FOLDER}photo-{n:06d}.jpg", sequencer=f"{n + 1:016X}",
                            size=5000 + (n * 7919) % 4_000_000, etag="e", content_type="image/jpeg", last_modified=when)
        facts = {**metadata, "width": 100 + (n * 31) % 6000, "height": 100 + (n * 17) % 4000}
        item = {**record_keys(event, event.sequencer.ljust(32, "0"), when),
                **file_attributes(event, Times(when, when), facts, {**bodies, **index_attributes(metadata["pHash"])})}
        table.put_item(item)
    return time.perf_counter() - started


@dataclass(frozen=True)
class Row:
    label: str
    query: dict[str, str]
    signed_urls: bool = True


ROWS = [
    Row("first page, default sort (ASC_CREATED), limit 1000", {"path": "/" + FOLDER}),
    Row("the same, FileUrlSeconds=0 (url null)", {"path": "/" + FOLDER}, signed_urls=False),
    Row("first page, DESC_SIZE", {"path": "/" + FOLDER, "sort": "DESC_SIZE"}),
    Row("first page, ASC_NAME, limit 100", {"path": "/" + FOLDER, "sort": "ASC_NAME", "limit": "100"}),
    Row("first page, DESC_WIDTH, type=all", {"path": "/" + FOLDER, "sort": "DESC_WIDTH", "type": "all"}),
    Row("a deep page (skip 20,000)", {"path": "/" + FOLDER, "skip": "20000"}),
    Row("search bounded by its sort's key: size < 50000, ASC_SIZE", {"path": "/" + FOLDER, "searchQuery": "size < 50000",
                                                                    "sort": "ASC_SIZE"}),
    Row("search on another index: width > 5990, ASC_NAME", {"path": "/" + FOLDER, "searchQuery": "width > 5990",
                                                           "sort": "ASC_NAME"}),
    Row("search no index bounds: format = \"png\" (refused)", {"path": "/" + FOLDER, "searchQuery": 'format = "png"'}),
]


def measure(handler: Any, counting: CountingDynamoDB, row: Row) -> tuple[int, int, Counted, float, dict]:
    """One request through the handler: status, results, what it read, wall seconds, the logged read stats."""
    counting.counted = Counted()
    event = json.loads((ROOT / "events" / "files_list.json").read_text())
    event["queryStringParameters"] = row.query
    event["multiValueQueryStringParameters"] = {name: [value] for name, value in row.query.items()}
    started = time.perf_counter()
    response = handler(event, LambdaContext())
    wall = time.perf_counter() - started
    body = json.loads(response["body"])
    return response["statusCode"], len(body) if isinstance(body, list) else 0, counting.counted, wall, body


class LambdaContext:
    function_name = "bench-files"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:bench-files"
    aws_request_id = "bench"


def main() -> int:
    args = parse_args()
    os.environ.update(AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", AWS_DEFAULT_REGION="us-east-1",
                      POWERTOOLS_SERVICE_NAME="bench", POWERTOOLS_LOG_LEVEL="WARNING")
    with mock_aws():
        dynamodb = boto3.client("dynamodb")
        dynamodb.create_table(TableName=TABLE, **table_parameters(local_template(), "FilesTable"))
        s3 = boto3.client("s3", config=Config(signature_version="s3v4"))
        s3.create_bucket(Bucket=BUCKET)
        ensure_folder(dynamodb, TABLE, BUCKET, FOLDER, folder_id(BUCKET, FOLDER), "2026-01-01T00:00:00.000Z")
        seconds = seed(args.files)
        counting = CountingDynamoDB(dynamodb)
        settings = FilesSettings(BUCKET, TABLE, DEFAULT_SEARCH_MAX_RECORDS, 3600)
        clients = AwsClients(s3=s3, dynamodb=counting)
        handlers = {True: files.build(settings, clients), False: files.build(replace(settings, file_url_seconds=0), clients)}
        with folder_lookup_for_moto(TABLE):
            results = [(row, *measure(handlers[row.signed_urls], counting, row)) for row in ROWS]
    report(args.files, seconds, results)
    return 0


def report(files_count: int, seed_seconds: float, results: list[Any]) -> None:
    print(f"""## Listing a folder of {files_count:,} files

One folder of {files_count:,} JPEG records (each with a camera JPEG's metadata and embeddedMetadata inline, as the
ingest writes them; put into moto in {seed_seconds:.0f} s), listed through FilesFunction's handler on moto in-process.
Reads are counted on the DynamoDB client: index rows and records as DynamoDB would serve them, read units
eventually consistent (4 KB per Query page, per record in BatchGetItem). **handler ms** is the handler's own time
(moto's taken out: parameters, the search, File objects with their presigned url, JSON); **projected ms** adds
{QUERY_MS:.0f} ms per Query and {BATCH_GET_MS:.0f} ms per BatchGetItem (assumed, sequential); **moto ms** is the wall
clock here, mostly moto's own Query code walking and copying the {files_count:,}-item partition. This section alone:
`.venv/bin/python -m bench.listing` (about 10 minutes on 2 cores, nearly all of it moto).

| request | status | results | index rows | records | Query / BatchGetItem | KB read | read units | handler ms | projected ms | moto ms |
|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|""")
    for row, status, count, counted, wall, _ in results:
        queries = counted.calls.get("query", 0)
        batches = counted.calls.get("batch_get_item", 0)
        own = (wall - counted.seconds) * 1000
        projected = own + queries * QUERY_MS + batches * BATCH_GET_MS
        print(f"| {row.label} | {status} | {count} | {counted.index_rows:,} | {counted.records:,} | {queries} / {batches} "
              f"| {counted.bytes / 1024:,.0f} | {counted.read_units:,.1f} | {own:,.0f} | {projected:,.0f} | {wall * 1000:,.0f} |")
    print("""
The folder indexes (docs/files-api.md) serve each sort in order: a page reads skip + limit index rows (the
Query's Limit) and the page's records, whatever the folder's size, so a deep page reads the rows it skips; a
search the sort's index bounds reads only that range, a Query page (1 MB) at a time; a search bounded on
another index reads that range and sorts it; a search no index bounds reads the folder up to SearchMaxRecords
and then answers 400.
""")


if __name__ == "__main__":
    sys.exit(main())
