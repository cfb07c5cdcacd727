"""The folder index: one global secondary index (`byFolder`), partitioned by folder, in creation order.

A live file's item carries `folder` (its folder path, "/album/") and `ckey` (its creation instant, "/", its
name: unique in its folder, so equal instants page in name order); tombstones, folder items and markers carry
neither, so the index holds exactly the listable files. Instants are fixed-width ISO 8601 (UTC, milliseconds),
so string order is time order and a range of creation times is a range of keys. The index projects what a
listing sorts on and a search filters on (items.INDEXED_ATTRIBUTES): a page's full records are read by fileId
afterwards. Other sorts read the folder and sort it (listings.py). The index is declared once, on FilesTable
in template.yaml (docs/files-api.md: what each listing reads).
"""
from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import total_ordering
from typing import Any

from library.instants import instant_from_ms
from library.query import Bounds

from .items import creation_instant, embedded_of, untyped, update_instant
from .query_filter import Filter

FOLDER_INDEX = "byFolder"


@dataclass(frozen=True)
class FileEntry:
    """A file as an index row shows it: enough to filter and sort, and its fileId to read the record."""

    file_id: str
    name: str
    folder: str
    created_at: str
    updated_at: str
    size: int
    height: int | None
    width: int | None
    format: str
    file_type: str
    has_alpha: bool | None = None
    tags: tuple[str, ...] = ()
    custom_metadata: Mapping[str, Any] = field(default_factory=dict)
    is_private: bool = False
    is_published: bool = True
    taken_at: str | None = None
    embedded: Mapping[str, Any] = field(default_factory=dict)
    sort_key: str = "F"  # the record's (a kept version's: "V#<versionId>")

    @property
    def ckey(self) -> str:
        """Its sort key in the folder index: creation instant, "/", name."""
        return f"{self.created_at}/{self.name}"


def file_entry(item: dict[str, Any]) -> FileEntry:
    return FileEntry(
        file_id=item["pk"]["S"],
        name=item["name"]["S"],
        folder=item["folder"]["S"],
        created_at=creation_instant(item),
        updated_at=update_instant(item),
        size=int(item["size"]["N"]),
        height=int(item["height"]["N"]) if "height" in item else None,
        width=int(item["width"]["N"]) if "width" in item else None,
        format=item["format"]["S"] if "format" in item else "",
        file_type=item["fileType"]["S"],
        has_alpha=item["hasAlpha"]["BOOL"] if "hasAlpha" in item else None,
        tags=tuple(tag["S"] for tag in item["tags"]["L"]) if "tags" in item else (),
        custom_metadata={name: untyped(value) for name, value in item["custom"]["M"].items()} if "custom" in item
        else {},
        is_private=item["private"]["BOOL"] if "private" in item else False,
        is_published=item["published"]["BOOL"] if "published" in item else True,
        taken_at=item["taken"]["S"] if "taken" in item else None,
        embedded=embedded_of(item),
        sort_key=item["sk"]["S"],
    )


def key_condition(found: Bounds | None) -> tuple[str, dict[str, Any]]:
    """The range part of a Query's key condition for bounds on creation time ("" when unbounded)."""
    if found is None or (found.low is None and found.high is None):
        return "", {}
    # Keys are "<instant>/<name>": "/" sorts below every digit, so "<instant>/" starts an instant's keys and
    # "<instant>0" lies past all of them.
    low = {"S": f"{instant_from_ms(found.low)}/"} if found.low is not None else None
    high = {"S": f"{instant_from_ms(found.high)}0"} if found.high is not None else None
    if low and high:
        return " AND ckey BETWEEN :low AND :high", {":low": low, ":high": high}
    if low:
        return " AND ckey >= :low", {":low": low}
    return " AND ckey < :high", {":high": high}


@dataclass(frozen=True)
class IndexRead:
    """What every folder's Query of one listing shares: its order, creation-time bounds and filter, and which
    of the rows it returns are taken (the search's own evaluation)."""

    descending: bool = False
    created: Bounds | None = None
    filter: Filter | None = None
    accept: Callable[[FileEntry], bool] = lambda row: True


# A folder's first Query reads this many rows when the caller wants few (more folders share the page); each next
# one twice as many, up to DynamoDB's 1 MB a Query.
FIRST_ROWS = 25
UNLIMITED_AFTER = 4096
# Folders read at once; the DynamoDB client's pool must be at least this large.
READ_CONCURRENCY = 16
_BEFORE_ALL: tuple[Any, ...] = (0,)
_AFTER_ALL: tuple[Any, ...] = (2,)


class FolderStream:
    """One folder's taken rows in creation order, read a Query at a time (each row read counted)."""

    def __init__(self, dynamodb: Any, table: str, folder: str, read: IndexRead, counter: Any, first_rows: int | None):
        condition, values = key_condition(read.created)
        self._request: dict[str, Any] = {
            "TableName": table,
            "IndexName": FOLDER_INDEX,
            "KeyConditionExpression": f"#folder = :folder{condition}",
            "ExpressionAttributeNames": {"#folder": "folder"},
            "ExpressionAttributeValues": {":folder": {"S": folder}, **values},
            "ScanIndexForward": not read.descending,
        }
        if read.filter is not None:
            self._request["FilterExpression"] = read.filter.expression
            self._request["ExpressionAttributeNames"].update(read.filter.names)
            self._request["ExpressionAttributeValues"].update(read.filter.values)
        self._dynamodb = dynamodb
        self._read = read
        self._counter = counter
        self._rows = first_rows
        self.folder = folder
        self.buffer: deque[FileEntry] = deque()
        self.position: tuple[Any, ...] = _BEFORE_ALL  # the order key of the last row read
        self.done = False

    def fill(self) -> None:
        """Read the next Query page; its taken rows join the buffer."""
        request = dict(self._request)
        limit = self._rows
        if limit is not None:
            request["Limit"] = limit
        response = self._dynamodb.query(**request)
        scanned = response["ScannedCount"]
        self._counter.read(scanned)
        if limit is not None:
            # A page DynamoDB cut at 1 MB before its Limit: the next reads the rest of it; else twice as many.
            self._rows = limit - scanned if 0 < scanned < limit else None if limit >= UNLIMITED_AFTER else limit * 2
        self.buffer.extend(row for row in map(file_entry, response["Items"]) if self._read.accept(row))
        last = response.get("LastEvaluatedKey")
        if last is None:
            self.done = True
            self.position = _AFTER_ALL
        else:
            self._request["ExclusiveStartKey"] = last
            self.position = order_key(last["ckey"]["S"], self.folder, self._read.descending)

    def drain(self) -> list[FileEntry]:
        """Every remaining taken row."""
        while not self.done:
            self.fill()
        rows = list(self.buffer)
        self.buffer.clear()
        return rows


def order_key(ckey: str, folder: str, descending: bool) -> tuple[Any, ...]:
    """A row's place among several folders' rows: creation (the folder index's own order), then its folder."""
    return (1, _Descending((ckey, folder)) if descending else (ckey, folder))


@total_ordering
@dataclass(frozen=True)
class _Descending:
    """A key that sorts in reverse."""

    value: tuple[str, str]

    def __lt__(self, other: _Descending) -> bool:
        return self.value > other.value


def merged(streams: Sequence[FolderStream], wanted: int, descending: bool) -> list[FileEntry]:
    """The first `wanted` taken rows of several folders in creation order (then by folder), reading each folder
    only as far as the page needs: a buffered row is taken once no folder can still hold an earlier one (a
    folder read up to a key holds nothing unread before it), and the folders that might are read, in parallel.
    """
    def key(row: FileEntry) -> tuple[Any, ...]:
        return order_key(row.ckey, row.folder, descending)

    found: list[FileEntry] = []
    with ThreadPoolExecutor(READ_CONCURRENCY) as pool:
        while len(found) < wanted:
            # A folder's unread rows lie past its position (the last row it read, taken or not), so a buffered
            # row no later than every unfinished folder's position is final.
            limit = min((stream.position for stream in streams if not stream.done), default=_AFTER_ALL)
            ready = sorted(((key(row), index) for index, stream in enumerate(streams) for row in stream.buffer
                            if key(row) <= limit), key=lambda pair: pair[0])[: wanted - len(found)]
            if ready:
                for _, index in ready:
                    found.append(streams[index].buffer.popleft())
                continue
            lowest = min((key(stream.buffer[0]) for stream in streams if stream.buffer), default=_AFTER_ALL)
            behind = [stream for stream in streams if not stream.done and stream.position < lowest]
            if not behind:
                break
            list(pool.map(FolderStream.fill, behind))
    return found


def drained(streams: Sequence[FolderStream]) -> list[FileEntry]:
    """Every taken row of several folders (read in parallel), in no particular order."""
    with ThreadPoolExecutor(READ_CONCURRENCY) as pool:
        return [row for rows in pool.map(FolderStream.drain, streams) for row in rows]
