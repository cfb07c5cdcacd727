"""Benchmark of the similar-image search: exactness against brute force, DynamoDB reads and latency per
search, and their projection to 10 million files.

Run from the repository's root: .venv/bin/python -m bench.similar  (moto in-process)
     .venv/bin/python -m bench.similar --endpoint http://127.0.0.1:4566 --table NAME --bucket NAME
                                                            (the local stack: `make run`, names in its .local/stack-*.json)
Records are written with the ingest's own RecordStore.write_file (records version 3, SimilarIndex=bands, a
library page a batch of 10), so the band indexes and the library pages are filled by the same writes as in
production; each query is then searched in both modes: `bands` (the band indexes) and `scan` (the library
pages). moto answers an index Query by sorting and scanning the whole table (about 0.2 s per Query at 20,000
records, 4 minutes per 12-bit search); in-process, once the records are written, the bench hands moto's own query code the one bucket instead (tests/moto_band_lookup.py). moto's
clock says nothing about DynamoDB's: the projection models DynamoDB from the counted reads.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import statistics
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config
from botocore.parsers import create_parser
from botocore.session import get_session
from moto import mock_aws

from bench.lambdas import local_template
from bench.listing import CountingDynamoDB, SeedingDynamoDB
from imagemeta.similar import BAND_BITS, BAND_COUNT, HASH_BITS, MAX_DISTANCE, band_radii
from infra.resources import table_parameters
from library.annotations import FromBucket
from library.records import Extraction
from service.api.similar_routes import MAX_LIMIT
from service.storage.library_pages import Batch, Pages
from service.storage.objects import ObjectState
from service.storage.overflow import OverflowStore
from service.storage.records import RecordStore
from service.storage.similar_index import PROBE_CONCURRENCY, SearchStats, SimilarIndex
from service.storage.thumbnails import ThumbnailStore
from tests.moto_band_lookup import band_lookup_for_moto
from tests.synthetic_hashes import HashSet, planted_hashes

PROJECTED_FILES = 10_000_000
# A band index entry: fileId (6 + 24 bytes), pHash (5 + 16), pHashBandN (10 + 4): DynamoDB sizes reads by
# attribute names and values, and rounds each Query's total up to 4 KB; eventually consistent reads cost half.
ENTRY_BYTES = 65
READ_UNIT_BYTES = 4096
# Assumed DynamoDB Query round trip inside the region (single-digit milliseconds is AWS's published range).
QUERY_MS = 6.0
# On-demand price per million read request units (us-east-1, since November 2024).
USD_PER_MILLION_READS = 0.125


@dataclass(frozen=True)
class ProbeCost:
    """What one search costs a banded index: bucket reads (DynamoDB Query calls) and entries read."""

    queries: int
    expected_entries: float


def probe_cost(band_bits: Sequence[int], max_distance: int, files: int) -> ProbeCost:
    """The cost of a search over `files` uniformly distributed hashes, for any split of the 64 bits."""
    queries = 0
    entries = 0.0
    for width, radius in zip(band_bits, band_radii(max_distance, len(band_bits)), strict=True):
        buckets = sum(math.comb(width, flips) for flips in range(radius + 1))
        queries += buckets
        entries += buckets * files / 2**width
    return ProbeCost(queries, entries)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=100_000, help="records in the table (default 100,000)")
    parser.add_argument("--queries", type=int, default=10, help="query hashes, each with near-duplicates planted at 0..12 bits")
    parser.add_argument("--max-distance", type=int, default=MAX_DISTANCE, help="search radius (default 12)")
    parser.add_argument("--endpoint", help="a DynamoDB endpoint (the local stack's awsEndpoint); default: moto in-process")
    parser.add_argument("--table", default="imagemeta-bench", help="the records table (with the band indexes) at --endpoint")
    parser.add_argument("--bucket", default="imagemeta-bench", help="the upload bucket the records name")
    parser.add_argument("--seed", type=int, default=1)
    return parser.parse_args()


@contextmanager
def dynamodb_client(args: argparse.Namespace) -> Iterator[Any]:
    """A client of the stack at --endpoint, or of moto in-process with the table created as the template declares."""
    config = Config(max_pool_connections=PROBE_CONCURRENCY)
    if args.endpoint:
        yield boto3.client(
            "dynamodb",
            endpoint_url=args.endpoint,
            region_name="us-east-1",
            aws_access_key_id="local",
            aws_secret_access_key="local",
            config=config,
        )
        return
    os.environ.update(AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", AWS_DEFAULT_REGION="us-east-1")
    with mock_aws():
        client = boto3.client("dynamodb", config=config)
        client.create_table(TableName=args.table, **table_parameters(local_template(), "FilesTable"))
        yield client


def entry_parse_seconds(entries: int = 20_000) -> float:
    """Seconds botocore takes to decode one index entry of a Query response (the client's CPU per entry read)."""
    operation = get_session().get_service_model("dynamodb").operation_model("Query")
    item = {"fileId": {"S": "0" * 24}, "pHash": {"S": "0" * 16}}
    body = json.dumps({"Items": [item] * entries, "Count": entries, "ScannedCount": entries}).encode()
    parser = create_parser("json")
    started = time.perf_counter()
    shape = operation.output_shape
    assert shape is not None, "Query has an output"
    parser.parse({"status_code": 200, "headers": {}, "body": body}, shape)
    return (time.perf_counter() - started) / entries


def read_units(queries: int, entries: float) -> float:
    """Eventually consistent read units of one search: each Query's bytes rounded up to 4 KB, halved."""
    per_query_bytes = entries / queries * ENTRY_BYTES
    return queries * math.ceil(max(per_query_bytes, 1) / READ_UNIT_BYTES) * 0.5


def projected_ms(queries: int, entries: float, parse_seconds: float) -> float:
    """Latency model: Queries in waves of PROBE_CONCURRENCY, then decoding every entry read."""
    return math.ceil(queries / PROBE_CONCURRENCY) * QUERY_MS + entries * parse_seconds * 1000


# A record of the search's own: its pHash and the facts a record needs, nothing else of an image.
SYNTHETIC_METADATA = {"format": "jpg", "width": 1, "height": 1, "hasTransparency": False}
INGEST_BATCH = 10


@dataclass(frozen=True)
class Searched:
    """One search: handler-side seconds (the client's time taken out), its stats, its matches, the reads counted."""

    own_seconds: float
    stats: SearchStats
    matches: int
    read_units: float


def seed(client: Any, args: argparse.Namespace, hash_set: HashSet) -> float:
    """Every file written by the ingest's own write with the band attributes, its library page a batch at a time
    (built by SeedingDynamoDB and put straight into moto; through the local stack's endpoint, written there)."""
    writer = client if args.endpoint else SeedingDynamoDB()
    store = RecordStore(writer, args.table, args.bucket, OverflowStore(None, args.bucket),
                        thumbnails=ThumbnailStore(None, args.bucket), bands=True)
    pages = Pages(writer, args.table)
    started = time.perf_counter()
    batch = Batch()
    for n, (fid, phash) in enumerate(hash_set.files):
        when = f"2025-01-{1 + n // 86_400 % 28:02d}T{n // 3600 % 24:02d}:{n // 60 % 60:02d}:{n % 60:02d}.000Z"
        state = ObjectState(key=hash_set.paths[fid], size=1, etag="e", version_id=None, last_modified=when,
                            observed_at=when)
        store.write_file(state, Extraction({**SYNTHETIC_METADATA, "pHash": phash}), FromBucket(), f"{n + 1:016X}", batch)
        if (n + 1) % INGEST_BATCH == 0:
            pages.write(batch)
            batch = Batch()
    pages.write(batch)
    if isinstance(writer, SeedingDynamoDB):
        writer.into_moto(args.table)
    return time.perf_counter() - started


def main() -> int:
    args = parse_args()
    hash_set = planted_hashes(total=args.files, queries=args.queries, seed=args.seed, bucket=args.bucket)
    with dynamodb_client(args) as client:
        seed_seconds = seed(client, args, hash_set)
        counting = CountingDynamoDB(client)
        modes = {}
        for mode in ("bands", "scan"):
            index = SimilarIndex(counting, args.table, bands=mode == "bands")
            with contextlib.nullcontext() if args.endpoint or mode == "scan" else band_lookup_for_moto(args.table):
                rows = [timed_search(index, counting, hash_set, query, args.max_distance) for query in hash_set.queries]
            if any(row is None for row in rows):
                return 1
            modes[mode] = [row for row in rows if row is not None]
    report(args, modes, seed_seconds)
    return 0


def timed_search(index: SimilarIndex, counting: CountingDynamoDB, hash_set: HashSet, query: str,
                 max_distance: int) -> Searched | None:
    """One search measured, or None (reported) when it differs from brute force."""
    counting.counted = type(counting.counted)()
    started = time.perf_counter()
    page = index.search(query, max_distance, limit=MAX_LIMIT)
    seconds = time.perf_counter() - started - counting.counted.seconds
    found = [(item["distance"], item["fileId"]) for item in page.items]
    expected = hash_set.brute_force(query, max_distance)
    if page.more or found != expected:
        print(f"MISMATCH for {query}: {len(found)} found, {len(expected)} expected", file=sys.stderr)
        return None
    return Searched(seconds, page.stats, len(found), counting.counted.read_units)


def report(args: argparse.Namespace, modes: dict[str, list[Searched]], seed_seconds: float) -> None:
    """A Markdown section (make bench adds it to docs/benchmarks.md): measured, then modelled at 10 M files."""
    modelled = probe_cost([BAND_BITS] * BAND_COUNT, args.max_distance, args.files)
    backend = f"the local stack at {args.endpoint}" if args.endpoint else "moto in-process"
    rows = []
    parse_seconds = entry_parse_seconds()
    for mode, searched in modes.items():
        queries = statistics.mean(s.stats.queries for s in searched)
        entries = statistics.mean(s.stats.entries_read for s in searched)
        if mode == "bands":  # its Queries overlap, so the client's time cannot be taken out of the wall clock
            own, projected = "—", f"{projected_ms(round(queries), entries, parse_seconds):,.0f}"
        else:
            median = statistics.median(s.own_seconds * 1000 for s in searched)
            own, projected = f"{median:,.0f}", f"{median + queries * QUERY_MS:,.0f}"
        rows.append(f"| `{mode}` | {queries:,.0f} | {entries:,.0f} | {statistics.mean(s.stats.batch_gets for s in searched):.1f} "
                    f"| {statistics.mean(s.read_units for s in searched):,.1f} | {own} | {projected} |")
    matches = statistics.mean(s.matches for searched in modes.values() for s in searched)
    table_rows = "\n".join(rows)
    print(f"""## Near-duplicate search

{args.files:,} records (built in {seed_seconds:.0f} s by the ingest's own write) hold {args.queries} query hashes, each
with near-duplicates planted at every distance 0..{MAX_DISTANCE}, and uniform random hashes. Each query searched within
{args.max_distance} bits on {backend}, in both SimilarIndex modes: **all {sum(len(s) for s in modes.values())} answers equal
brute force** ({matches:.0f} matches each). Per search (means; **handler ms** is the median of the scan's own time,
moto's taken out; **projected ms** adds {QUERY_MS:.0f} ms a Query one after another for the library pages, and for
the band indexes is the model below: Queries in waves of {PROBE_CONCURRENCY}, then decoding each entry); read units as DynamoDB counts them (a Query's items rounded
up to 4 KB, eventually consistent). The model for uniform hashes with bands: {modelled.queries:,} Queries,
{modelled.expected_entries:,.0f} entries. This section alone: `python -m bench.similar`.

| mode | Queries | entries read | BatchGetItem (verifying) | read units | handler ms | projected ms |
|---|---:|---:|---:|---:|---:|---:|
{table_rows}

The planted near-duplicates sit in the query's own buckets, so `bands` reads more entries than uniform hashes
would; `scan` reads every library page whatever the query.
""")
    print(f"""### Projected to {PROJECTED_FILES:,} files

Uniformly distributed hashes, {BAND_COUNT} bands of {BAND_BITS} bits; read units are eventually consistent, {ENTRY_BYTES}-byte entries,
each Query rounded up to 4 KB; latency is Queries in waves of {PROBE_CONCURRENCY} at an assumed {QUERY_MS:.0f} ms each, plus
{parse_seconds * 1e6:.1f} us to decode each entry (measured here); on-demand at ${USD_PER_MILLION_READS} per million read units.

| maxDistance | Queries | entries read | read units | USD per 1,000 searches | latency ms |
|---:|---:|---:|---:|---:|---:|""")
    for max_distance in range(MAX_DISTANCE + 1):
        cost = probe_cost([BAND_BITS] * BAND_COUNT, max_distance, PROJECTED_FILES)
        units = read_units(cost.queries, cost.expected_entries)
        latency = projected_ms(cost.queries, cost.expected_entries, parse_seconds)
        print(f"| {max_distance} | {cost.queries:,} | {cost.expected_entries:,.0f} | {units:,.0f} "
              f"| {units * 1000 * USD_PER_MILLION_READS / 1e6:.3f} | {latency:,.0f} |")

    print(f"""
### Other splits of the {HASH_BITS} bits at {PROJECTED_FILES:,} files

| bands | bits | Queries at 8 | entries at 8 | read units at 8 | Queries at {MAX_DISTANCE} | entries at {MAX_DISTANCE} | read units at {MAX_DISTANCE} |
|---:|---|---:|---:|---:|---:|---:|---:|""")
    for bands in range(2, 14):
        widths = [HASH_BITS // bands + (1 if k < HASH_BITS % bands else 0) for k in range(bands)]
        cells = []
        for max_distance in (8, MAX_DISTANCE):
            cost = probe_cost(widths, max_distance, PROJECTED_FILES)
            units = read_units(cost.queries, cost.expected_entries)
            cells += [f"{cost.queries:,}", f"{cost.expected_entries:,.0f}", f"{units:,.0f}"]
        chosen = " (chosen)" if widths == [BAND_BITS] * BAND_COUNT else ""
        print(f"| {bands}{chosen} | {min(widths)}-{max(widths)} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    sys.exit(main())
