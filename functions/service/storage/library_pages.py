"""The library pages: every live file of the library in creation order, packed a batch at a time.

A listing of the whole library (no `path`) and the near-duplicate scan need every file, in creation order for
the first; a global secondary index would cost every upload one more write unit (docs/benchmarks.md, "Ingest
cost"). Instead each ingest batch writes its new entries (creation instant, fileId, pHash) into page items:
one per minute window of creation time it touches, so ten uploads cost one write. A page holds entries of
one window only, and its sort key starts with the window's last millisecond, so reading pages in key order
and holding back entries within a window of the last key read gives the exact order (Pages.entries).

Pages live in SHARDS partitions (`pk` "_lib#<n>", a batch's shard at random), so no partition takes every
write. A record keeps `page` (its page's shard and key); a delete, or an overwrite that changes the entry,
takes the entry out of its old page. Entries whose removal failed (a crash between the record's write and
its page's) are dropped when the listing checks the page's records; duplicates of a fileId are dropped as
they meet in the merge.
"""
from __future__ import annotations

import heapq
import json
import random
import uuid
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from .items import FILE_SK
from .overflow import MAX_BODY_BYTES, CorruptRecordBody

SHARDS = 4
WINDOW_MS = 60_000
PAGE_PREFIX = "_lib#"
# A page's entries, compressed, stay far below an item's 400 KB (a window of one batch holds at most ten).
REMOVE_ATTEMPTS = 8


@dataclass(frozen=True, order=True)
class Entry:
    """A live file in the library's order: created (epoch ms), then fileId; and its pHash ("" for none)."""

    created_ms: int
    file_id: str
    phash: str = ""

    @property
    def sort_key(self) -> str:
        """The sort key of the record an entry lists: pages list current files only."""
        return FILE_SK


class Batch:
    """The pages one ingest batch writes: a page key per window, known before the records are written; and the
    folders whose items it has found or made (a batch's uploads mostly share one: one read for all of them)."""

    def __init__(self) -> None:
        self.shard = random.randrange(SHARDS)  # noqa: S311 - spreads writes, not a secret
        self.token = uuid.uuid4().hex[:12]
        self.entries: dict[str, list[Entry]] = {}
        self.folders: set[str] = set()

    def page_of(self, entry: Entry) -> str:
        """The reference (`<shard>|<sort key>`) of the page this batch puts an entry in."""
        window_end = (entry.created_ms // WINDOW_MS + 1) * WINDOW_MS - 1
        return f"{self.shard}|{window_end:015d}~{self.token}"

    def add(self, entry: Entry) -> str:
        page = self.page_of(entry)
        self.entries.setdefault(page, []).append(entry)
        return page

    def discard(self, entry: Entry) -> None:
        """An entry whose record was not written after all."""
        page = self.page_of(entry)
        if entry in self.entries.get(page, []):
            self.entries[page].remove(entry)


class Pages:
    """Writes, edits and reads the library pages of the records table; the DynamoDB client is passed in."""

    def __init__(self, dynamodb: Any, table: str):
        self._dynamodb = dynamodb
        self._table = table

    def write(self, batch: Batch) -> None:
        """The batch's pages, each put once (a retried batch writes new pages; the merge drops duplicates)."""
        for page, entries in batch.entries.items():
            if entries:
                self._put(page, sorted(entries), version=0, condition="attribute_not_exists(pk)")

    def add(self, page: str, entry: Entry) -> None:
        """One entry into an existing or new page (a redelivered message whose record kept its page)."""
        self._edit(page, lambda entries: sorted({*entries, entry}))

    def remove(self, page: str, file_id: str) -> None:
        """Take a file's entry out of its page (the page goes when empty)."""
        self._edit(page, lambda entries: [entry for entry in entries if entry.file_id != file_id])

    def _edit(self, page: str, change: Any) -> None:
        for _ in range(REMOVE_ATTEMPTS):
            item = self._dynamodb.get_item(TableName=self._table, Key=page_key(page), ConsistentRead=True).get("Item")
            entries = decode(item["e"]["B"]) if item else []
            version = int(item["v"]["N"]) if item else 0
            changed = change(entries)
            condition = "v = :v" if item else "attribute_not_exists(pk)"
            try:
                if changed:
                    self._put(page, changed, version + 1, condition, version if item else None)
                elif item:
                    self._dynamodb.delete_item(TableName=self._table, Key=page_key(page), ConditionExpression=condition,
                                               ExpressionAttributeValues={":v": {"N": str(version)}})
                return
            except self._dynamodb.exceptions.ConditionalCheckFailedException:
                continue  # another edit of the page came first: read it again
        raise RuntimeError(f"the library page {page} kept changing under {REMOVE_ATTEMPTS} edits")

    def _put(self, page: str, entries: list[Entry], version: int, condition: str, expected: int | None = None) -> None:
        request: dict[str, Any] = {
            "TableName": self._table,
            "Item": {**page_key(page), "e": {"B": encode(entries)}, "v": {"N": str(version)}},
            "ConditionExpression": condition,
        }
        if expected is not None:
            request["ExpressionAttributeValues"] = {":v": {"N": str(expected)}}
        self._dynamodb.put_item(**request)

    def entries(self, descending: bool = False, counter: Any = None) -> Iterator[Entry]:
        """Every entry of every page in creation order (then fileId), each fileId once, lazily."""
        streams = [self._pages(shard, descending, counter) for shard in range(SHARDS)]
        held: list[tuple[Any, Entry]] = []
        last: Entry | None = None
        for end, entries in heapq.merge(*streams, key=lambda page: -page[0] if descending else page[0]):
            for entry in entries:
                heapq.heappush(held, (_order_key(entry, descending), entry))
            # Unread pages end past `end` (ascending: their entries start after end - WINDOW_MS) or before it.
            while held and (held[0][1].created_ms >= end if descending else held[0][1].created_ms <= end - WINDOW_MS):
                entry = heapq.heappop(held)[1]
                if last is None or entry.file_id != last.file_id:
                    yield entry
                last = entry
        while held:
            entry = heapq.heappop(held)[1]
            if last is None or entry.file_id != last.file_id:
                yield entry
            last = entry

    def all(self, counter: Any = None) -> Iterator[Entry]:
        """Every entry of every page, in no particular order, duplicates included (the near-duplicate scan)."""
        for shard in range(SHARDS):
            for _, entries in self._pages(shard, False, counter):
                yield from entries

    def _pages(self, shard: int, descending: bool, counter: Any) -> Iterator[tuple[int, list[Entry]]]:
        """(window end, entries) of one shard's pages in key order, lazily, page of results by page."""
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": f"{PAGE_PREFIX}{shard}"}},
            "ScanIndexForward": not descending,
        }
        while True:
            response = self._dynamodb.query(**request)
            if counter is not None:
                counter.read(response["ScannedCount"])
            for item in response["Items"]:
                yield int(item["sk"]["S"].split("~", 1)[0]), decode(item["e"]["B"])
            if "LastEvaluatedKey" not in response:
                return
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def _order_key(entry: Entry, descending: bool) -> tuple[int, str] | tuple[int, _Reversed]:
    return (-entry.created_ms, _Reversed(entry.file_id)) if descending else (entry.created_ms, entry.file_id)


@dataclass(frozen=True)
class _Reversed:
    """A string that sorts in reverse (the descending merge's tie-break on fileId)."""

    value: str

    def __lt__(self, other: _Reversed) -> bool:
        return self.value > other.value


def page_key(page: str) -> dict[str, Any]:
    shard, sort_key = page.split("|", 1)
    return {"pk": {"S": f"{PAGE_PREFIX}{shard}"}, "sk": {"S": sort_key}}


def encode(entries: Iterable[Entry]) -> bytes:
    return zlib.compress(json.dumps([[e.created_ms, e.file_id, e.phash] for e in entries],
                                    separators=(",", ":")).encode(), 6)


def decode(compressed: bytes) -> list[Entry]:
    inflater = zlib.decompressobj()
    text = inflater.decompress(compressed, MAX_BODY_BYTES)
    if inflater.unconsumed_tail or not inflater.eof:
        raise CorruptRecordBody("a library page inflates past its bound, or is cut short")
    return [Entry(created, file_id, phash) for created, file_id, phash in json.loads(text)]
