"""Near-duplicate search over the records: by the band indexes, or by a scan of the library pages.

With the band indexes (the SimilarIndex setting `bands`), a record item carries its pHash and its band values,
so DynamoDB writes and removes the index entries with the record, in the same conditional put, and a search
reads only the buckets the band scheme names (imagemeta/similar.py, docs/similar.md): its reads grow slower
than the library, for four more write units an upload. Without them (`scan`, the default), a search reads the
library pages (library_pages.py), which every file's pHash is in anyway, and compares every hash: no write of
its own, a read of about 70 bytes a file. Either way the candidates are checked against their records before
they are returned (index reads are eventually consistent; a page may list a file's older hash).
The band indexes are declared once, on FilesTable in template.yaml: one per band attribute (its hash key),
with pHash as range key and KEYS_ONLY entries.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from imagemeta.similar import BAND_COUNT, Match, bands, distance, matches, probes
from library.errors import SearchTooBroad

from .batch import BATCH_GET_KEYS, batch_get
from .items import FILE_SK, object_key
from .library_pages import Pages

PHASH_ATTRIBUTE = "pHash"
BAND_ATTRIBUTES = tuple(f"pHashBand{band}" for band in range(BAND_COUNT))
# Bucket reads in flight at once; the DynamoDB client's connection pool must be at least this large.
PROBE_CONCURRENCY = 32
# Uniform hashes put ~150 entries in a bucket at 10 M files; thousands of identical images (blank
# frames, one logo) pile into one. Past this a search answers 413 instead of exhausting memory and time.
MAX_BUCKET_ENTRIES = 100_000
# A scan compares every file's hash; past this many files the band indexes are the way (docs/similar.md).
MAX_SCANNED_ENTRIES = 2_000_000


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

    def __init__(self, dynamodb: Any, table: str, bands: bool = False, concurrency: int = PROBE_CONCURRENCY):
        self._dynamodb = dynamodb
        self._table = table
        self._bands = bands
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
        if self._bands:
            with ThreadPoolExecutor(self._concurrency) as pool:
                buckets = list(pool.map(lambda probe: self._bucket(*probe), probes(phash, max_distance)))
            candidates = [entry for entries, _ in buckets for entry in entries]
            found = matches(phash, candidates, max_distance, exclude)
            queries = sum(calls for _, calls in buckets)
        else:
            scanned = ScanCount()
            candidates = []
            for entry in Pages(self._dynamodb, self._table).all(scanned):
                if entry.phash:
                    candidates.append((entry.file_id, entry.phash))
                if len(candidates) > MAX_SCANNED_ENTRIES:
                    raise SearchTooBroad(f"The library holds more than {MAX_SCANNED_ENTRIES} images to compare: "
                                         "deploy with SimilarIndex=bands for near-duplicate search at this size.")
            # No dedupe by fileId here: a page may still list an overwritten file's older hash beside its
            # new one; the record check keeps the one the record holds.
            found = sorted(Match(d, fid, hash_) for fid, hash_ in candidates
                           if fid != exclude and (d := distance(phash, hash_)) <= max_distance)
            queries = scanned.queries
        ranked = [match for match in found if after is None or (match.distance, match.key) > after]
        items, more, batch_gets, records_read = self._verified(ranked, limit)
        stats = SearchStats(queries=queries, entries_read=len(candidates), batch_gets=batch_gets,
                            records_read=records_read)
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
            "ProjectionExpression": f"pk, {PHASH_ATTRIBUTE}",
        }
        entries: list[tuple[str, str]] = []
        calls = 0
        while True:
            response = self._dynamodb.query(**request)
            calls += 1
            entries.extend((item["pk"]["S"], item[PHASH_ATTRIBUTE]["S"]) for item in response["Items"])
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
            # The current pHash and key (folder and name) of each record, strongly consistent.
            found, calls = batch_get(
                self._dynamodb,
                self._table,
                [{"pk": {"S": m.key}, "sk": {"S": FILE_SK}} for m in chunk],
                projection=f"pk, #folder, #name, {PHASH_ATTRIBUTE}, deleted",
                names={"#folder": "folder", "#name": "name"},
                consistent=True,
            )
            records = {item["pk"]["S"]: item for item in found if "deleted" not in item}
            batch_gets += calls
            records_read += len(chunk)
            for match in chunk:
                record = records.get(match.key)
                # An entry left from an overwritten or deleted record (index reads lag the table).
                if record is None or record.get(PHASH_ATTRIBUTE, {}).get("S") != match.phash:
                    continue
                if len(items) == limit:
                    return items, True, batch_gets, records_read
                items.append(
                    {"fileId": match.key, "path": object_key(record), "pHash": match.phash, "distance": match.distance}
                )
        return items, False, batch_gets, records_read


class ScanCount:
    """The Query calls and page items a scan of the library pages read, and its bound on files compared."""

    def __init__(self) -> None:
        self.queries = 0
        self.items = 0

    def read(self, items: int) -> None:
        self.queries += 1
        self.items += items
