"""Benchmark of the similar-image search: exactness against brute force, DynamoDB reads and latency per
search, and their projection to 10 million files.

Run: .venv/bin/python bench/similar.py                      (moto in-process)
     .venv/bin/python bench/similar.py --endpoint http://127.0.0.1:4566 --table NAME --bucket NAME
                                                            (the local stack: `make run`, names in .local/stack.json)
Records are written with the ingest's own RecordStore.put_metadata, so the band indexes are filled by the
same conditional write as in production. moto answers an index Query by scanning the whole table, so its
latency grows with the table: the projection models DynamoDB from the counted reads, not moto's clock.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "functions")]

import boto3  # noqa: E402
from botocore.config import Config  # noqa: E402
from botocore.parsers import create_parser  # noqa: E402
from botocore.session import get_session  # noqa: E402
from moto import mock_aws  # noqa: E402

from imagemeta.similar import BAND_BITS, BAND_COUNT, HASH_BITS, MAX_DISTANCE, probe_cost  # noqa: E402
from service.overflow import OverflowStore  # noqa: E402
from service.records import ObjectEvent, RecordStore  # noqa: E402
from service.similar_index import PROBE_CONCURRENCY, SimilarIndex, index_definitions  # noqa: E402
from tests.synthetic_hashes import planted_hashes  # noqa: E402

PROJECTED_FILES = 10_000_000
# A band index entry: fileId (6 + 24 bytes), pHash (5 + 16), pHashBandN (10 + 4): DynamoDB sizes reads by
# attribute names and values, and rounds each Query's total up to 4 KB; eventually consistent reads cost half.
ENTRY_BYTES = 65
READ_UNIT_BYTES = 4096
# Assumed DynamoDB Query round trip inside the region (single-digit milliseconds is AWS's published range).
QUERY_MS = 6.0
# On-demand price per million read request units (us-east-1, since November 2024).
USD_PER_MILLION_READS = 0.125


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=20_000, help="records in the table (default 20,000)")
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
        yield boto3.client("dynamodb", endpoint_url=args.endpoint, region_name="us-east-1", config=config)
        return
    os.environ.update(AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", AWS_DEFAULT_REGION="us-east-1")
    with mock_aws():
        client = boto3.client("dynamodb", config=config)
        attributes, indexes = index_definitions()
        client.create_table(
            TableName=args.table,
            KeySchema=[{"AttributeName": "fileId", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "fileId", "AttributeType": "S"}, *attributes],
            GlobalSecondaryIndexes=indexes,
            BillingMode="PAY_PER_REQUEST",
        )
        yield client


def entry_parse_seconds(entries: int = 20_000) -> float:
    """Seconds botocore takes to decode one index entry of a Query response (the client's CPU per entry read)."""
    operation = get_session().get_service_model("dynamodb").operation_model("Query")
    item = {"fileId": {"S": "0" * 24}, "pHash": {"S": "0" * 16}}
    body = json.dumps({"Items": [item] * entries, "Count": entries, "ScannedCount": entries}).encode()
    parser = create_parser("json")
    started = time.perf_counter()
    parser.parse({"status_code": 200, "headers": {}, "body": body}, operation.output_shape)
    return (time.perf_counter() - started) / entries


def read_units(queries: int, entries: float) -> float:
    """Eventually consistent read units of one search: each Query's bytes rounded up to 4 KB, halved."""
    per_query_bytes = entries / queries * ENTRY_BYTES
    return queries * math.ceil(max(per_query_bytes, 1) / READ_UNIT_BYTES) * 0.5


def projected_ms(queries: int, entries: float, parse_seconds: float) -> float:
    """Latency model: Queries in waves of PROBE_CONCURRENCY, then decoding every entry read."""
    return math.ceil(queries / PROBE_CONCURRENCY) * QUERY_MS + entries * parse_seconds * 1000


def main() -> int:
    args = parse_args()
    hash_set = planted_hashes(total=args.files, queries=args.queries, seed=args.seed, bucket=args.bucket)
    print(f"{args.files:,} records, {args.queries} queries with near-duplicates at every distance 0..{MAX_DISTANCE}, "
          f"searched within {args.max_distance} bits on {args.endpoint or 'moto in-process'}")
    with dynamodb_client(args) as client:
        store = RecordStore(client, args.table, OverflowStore(None, args.bucket))
        started = time.perf_counter()
        for n, (fid, phash) in enumerate(hash_set.files):
            event = ObjectEvent(bucket=args.bucket, key=hash_set.paths[fid], sequencer=f"{n + 1:016X}", size=1, etag="e")
            store.put_metadata(event, {"pHash": phash})
        print(f"seeded in {time.perf_counter() - started:.1f} s")

        index = SimilarIndex(client, args.table)
        rows = []
        for query in hash_set.queries:
            started = time.perf_counter()
            page = index.search(query, args.max_distance, limit=100)
            seconds = time.perf_counter() - started
            found = [(item["distance"], item["fileId"]) for item in page.items]
            expected = hash_set.brute_force(query, args.max_distance)
            if page.more or found != expected:
                print(f"MISMATCH for {query}: {len(found)} found, {len(expected)} expected", file=sys.stderr)
                return 1
            rows.append((seconds, page.stats, len(found)))
    report(args, rows)
    return 0


def report(args: argparse.Namespace, rows: list) -> None:
    """Measured numbers per search, then the model at this size and at 10 million files."""
    latencies = sorted(seconds * 1000 for seconds, _, _ in rows)
    queries = statistics.mean(stats.queries for _, stats, _ in rows)
    entries = statistics.mean(stats.entries_read for _, stats, _ in rows)
    batch_gets = statistics.mean(stats.batch_gets for _, stats, _ in rows)
    matches = statistics.mean(found for _, _, found in rows)
    modelled = probe_cost([BAND_BITS] * BAND_COUNT, args.max_distance, args.files)
    print(f"exact: all {len(rows)} searches equal brute force ({matches:.1f} matches each on average)")
    print(f"reads per search: {queries:.0f} Query calls, {entries:.0f} index entries read "
          f"(model: {modelled.queries} and {modelled.expected_entries:.0f}), {batch_gets:.1f} BatchGetItem calls")
    print(f"latency here: p50 {statistics.median(latencies):.0f} ms, max {latencies[-1]:.0f} ms")

    parse_seconds = entry_parse_seconds()
    print(f"\nprojection to {PROJECTED_FILES:,} uniformly distributed hashes ({BAND_COUNT} bands of {BAND_BITS} bits; "
          f"{QUERY_MS:.0f} ms per Query, {PROBE_CONCURRENCY} in flight, {parse_seconds * 1e6:.1f} us to decode an entry here):")
    print(f"{'maxDistance':>11} {'Queries':>8} {'entries':>9} {'read units':>10} {'USD/1000':>9} {'latency ms':>10}")
    for max_distance in range(MAX_DISTANCE + 1):
        cost = probe_cost([BAND_BITS] * BAND_COUNT, max_distance, PROJECTED_FILES)
        units = read_units(cost.queries, cost.expected_entries)
        print(f"{max_distance:>11} {cost.queries:>8} {cost.expected_entries:>9.0f} {units:>10.0f} "
              f"{units * 1000 * USD_PER_MILLION_READS / 1e6:>9.3f} {projected_ms(cost.queries, cost.expected_entries, parse_seconds):>10.0f}")

    print(f"\nother splits of the {HASH_BITS} bits at {PROJECTED_FILES:,} files, maxDistance 8 and {MAX_DISTANCE} "
          "(Queries / entries read / read units):")
    for bands in range(2, 14):
        widths = [HASH_BITS // bands + (1 if k < HASH_BITS % bands else 0) for k in range(bands)]
        cells = []
        for max_distance in (8, MAX_DISTANCE):
            cost = probe_cost(widths, max_distance, PROJECTED_FILES)
            cells.append(f"{cost.queries:>8} {cost.expected_entries:>10.0f} {read_units(cost.queries, cost.expected_entries):>8.0f}")
        marker = "  <- chosen" if widths == [BAND_BITS] * BAND_COUNT else ""
        print(f"{bands:>3} bands of {widths[-1]}-{widths[0]} bits: " + "   |".join(cells) + marker)


if __name__ == "__main__":
    sys.exit(main())
