"""The similar-image index: one global secondary index per pHash band on the records table.

The record item carries its pHash and its band values, so DynamoDB writes and removes the index entries
with the record, in the same conditional put: the S3-sequencer order that guards the record guards the
index too, and a tombstone or an error record (no pHash) leaves every band index. Index reads are
eventually consistent, so each match is checked against the record before it is returned.
The indexes themselves are declared once, on FilesTable in template.yaml: one per band attribute (its
hash key), with pHash as range key and KEYS_ONLY entries.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from imagemeta.similar import BAND_COUNT, Match, bands, matches, probes
from library.errors import SearchTooBroad

from .batch import BATCH_GET_KEYS, batch_get

PHASH_ATTRIBUTE = "pHash"
BAND_ATTRIBUTES = tuple(f"pHashBand{band}" for band in range(BAND_COUNT))
# Bucket reads in flight at once; the DynamoDB client's connection pool must be at least this large.
PROBE_CONCURRENCY = 32
# Uniform hashes put ~150 entries in a bucket at 10 M files; thousands of identical images (blank
# frames, one logo) pile into one. Past this a search answers 413 instead of exhausting memory and time.
MAX_BUCKET_ENTRIES = 100_000


def index_attributes(phash: str) -> dict[str, Any]:
    """The attributes a record item needs to appear in every band index."""
    return {
        PHASH_ATTRIBUTE: {"S": phash},
        **{name: {"S": value} for name, value in zip(BAND_ATTRIBUTES, bands(phash), strict=True)},
    }


@dataclass(frozen=True)
class SearchStats:
    """The DynamoDB reads of one search."""

    queries: int
    entries_read: int
    batch_gets: int
    records_read: int


@dataclass(frozen=True)
class SimilarPage:
    """One page of verified matches, and whether more follow it."""

    items: list[dict[str, Any]]
    more: bool
    stats: SearchStats


class SimilarIndex:
    """Searches the band indexes of the records table; the DynamoDB client is passed in."""

    def __init__(self, dynamodb: Any, table: str, concurrency: int = PROBE_CONCURRENCY):
        self._dynamodb = dynamodb
        self._table = table
        self._concurrency = concurrency

    def search(
        self,
        phash: str,
        max_distance: int,
        limit: int,
        after: tuple[int, str] | None = None,
        exclude: str | None = None,
    ) -> SimilarPage:
        """Files within max_distance of phash, nearest first (ties by fileId), starting after a (distance, fileId)."""
        with ThreadPoolExecutor(self._concurrency) as pool:
            buckets = list(pool.map(lambda probe: self._bucket(*probe), probes(phash, max_distance)))
        candidates = [entry for entries, _ in buckets for entry in entries]
        ranked = [match for match in matches(phash, candidates, max_distance, exclude)
                  if after is None or (match.distance, match.key) > after]
        items, more, batch_gets, records_read = self._verified(ranked, limit)
        stats = SearchStats(
            queries=sum(calls for _, calls in buckets),
            entries_read=len(candidates),
            batch_gets=batch_gets,
            records_read=records_read,
        )
        return SimilarPage(items, more, stats)

    def _bucket(self, band: int, value: str) -> tuple[list[tuple[str, str]], int]:
        """(fileId, pHash) of every entry of one band bucket, and the Query calls it took."""
        name = BAND_ATTRIBUTES[band]
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": name,
            "KeyConditionExpression": "#band = :value",
            "ExpressionAttributeNames": {"#band": name},
            "ExpressionAttributeValues": {":value": {"S": value}},
            "ProjectionExpression": f"fileId, {PHASH_ATTRIBUTE}",
        }
        entries: list[tuple[str, str]] = []
        calls = 0
        while True:
            response = self._dynamodb.query(**request)
            calls += 1
            entries.extend((item["fileId"]["S"], item[PHASH_ATTRIBUTE]["S"]) for item in response["Items"])
            if len(entries) > MAX_BUCKET_ENTRIES:
                raise SearchTooBroad(
                    f"The search would read more than {MAX_BUCKET_ENTRIES} files sharing one part of the hash."
                )
            if "LastEvaluatedKey" not in response:
                return entries, calls
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def _verified(self, ranked: list[Match], limit: int) -> tuple[list[dict[str, Any]], bool, int, int]:
        """The first `limit` matches whose record still holds the indexed pHash, whether another follows,
        and the BatchGetItem calls and keys it took."""
        items: list[dict[str, Any]] = []
        batch_gets = records_read = 0
        for start in range(0, len(ranked), BATCH_GET_KEYS):
            chunk = ranked[start : start + BATCH_GET_KEYS]
            # The current pHash and path of each record, strongly consistent.
            records, calls = batch_get(
                self._dynamodb,
                self._table,
                (m.key for m in chunk),
                projection=f"fileId, #path, {PHASH_ATTRIBUTE}",
                names={"#path": "path"},
                consistent=True,
            )
            batch_gets += calls
            records_read += len(chunk)
            for match in chunk:
                record = records.get(match.key)
                # An index entry left from an overwritten or deleted record (index reads lag the table).
                if record is None or record.get(PHASH_ATTRIBUTE, {}).get("S") != match.phash:
                    continue
                if len(items) == limit:
                    return items, True, batch_gets, records_read
                items.append(
                    {"fileId": match.key, "path": record["path"]["S"], "pHash": match.phash, "distance": match.distance}
                )
        return items, False, batch_gets, records_read
