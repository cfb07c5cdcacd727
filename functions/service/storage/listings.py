"""Listing and searching the library: the files and folders of a folder, or of a whole subtree, sorted and paged.

What is read (docs/files-api.md has the table): a folder listing reads its folder index in the asked sort's
order and stops after skip + limit files; a searchQuery reads the index of its sort when the query bounds
that field, else the index of a field it bounds (then sorts what it found), else the sort's index whole.
A search of a subtree (`path :` in the query, or no path at all: the whole library) walks its folders level
by level, in parallel, and reads at most `max_records` index rows and folder items, else it answers
SearchNeedsPath. Folders come first, then files; a page's full records are read by fileId at the end.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from typing import Any

from library import query as search_query
from library.errors import SearchNeedsPath
from library.paths import folder_path
from library.query import Bounds, Node, Scope
from library.records import FileRecord, Folder

from .batch import batch_get
from .file_items import MARKER_KIND
from .folder_index import SORT_FIELDS, SORT_INDEXES, FileEntry, entries
from .folders import subfolders
from .records import RecordStore, file_id

# Folders read at once while walking a subtree; the DynamoDB client's pool must be at least this large.
WALK_CONCURRENCY = 16
# What the File object needs of a record (its metadata body is not read for a listing).
FILE_ATTRIBUTES = (
    "fileId", "path", "name", "createdAt", "updatedAt", "size", "etag", "versionId", "mime", "fileType", "height",
    "width", "hasAlpha", "tags", "customMetadata", "embeddedMetadata", "embeddedMetadataZ", "embeddedMetadataRef",
    "embeddedMetadataDigest", "recordVersion", "deleted", "kind", "error",
)

Result = Folder | FileRecord


@dataclass(frozen=True)
class ListRequest:
    """One call of GET /v1/files, its parameters checked."""

    folder: str | None  # the `path` parameter as a prefix ("" is the root), None when absent
    sort: str  # a key of SORT_INDEXES
    descending: bool
    skip: int
    limit: int
    files: bool
    folders: bool
    file_type: str | None  # "image", "non-image", or None for all
    query: Node | None


@dataclass
class ReadStats:
    """What one listing read: index rows and folder items, full records, and whether the folder index order
    served the page (so the listing stopped early)."""

    index_rows: int = 0
    records: int = 0
    in_index_order: bool = True


@dataclass(frozen=True)
class ListPage:
    results: list[Result]
    stats: ReadStats


@dataclass
class ReadBudget:
    """Counts rows read (thread-safe); past `limit` the search stops with SearchNeedsPath."""

    stats: ReadStats
    limit: int | None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def read(self, rows: int) -> None:
        with self.lock:
            self.stats.index_rows += rows
            if self.limit is not None and self.stats.index_rows > self.limit:
                raise SearchNeedsPath(f"The search would read more than {self.limit} records.")


class Listings:
    """The files and folders of the records table; the DynamoDB client is passed in."""

    def __init__(self, dynamodb: Any, table: str, bucket: str, max_records: int, records: RecordStore):
        self._dynamodb = dynamodb
        self._table = table
        self._bucket = bucket
        self._max_records = max_records
        self._records = records

    def page(self, request: ListRequest) -> ListPage:
        """One page of folders, then files, as the request asks."""
        stats = ReadStats()
        scope = self._scope(request)
        searching = request.query is not None or scope.recursive
        budget = ReadBudget(stats, self._max_records if searching else None)
        # A subtree's folders, walked once for its files and its folders alike.
        below = self._subtree(scope.prefix, budget) if scope.recursive else None
        folders = self._folders(request, scope, below, budget) if request.folders else []
        wanted = request.skip + request.limit - len(folders)
        files: list[FileEntry] = []
        if request.files and wanted > 0:
            files = self._files(request, scope, below, budget, wanted)
        page = [*folders, *files][request.skip : request.skip + request.limit]
        return ListPage(self._resolved(page, stats), stats)

    def _scope(self, request: ListRequest) -> Scope:
        if request.folder is not None:
            return Scope(request.folder, recursive=False)
        found = search_query.scope(request.query) if request.query is not None else None
        return found or Scope("", recursive=True)  # no folder named: the whole library

    # ---------------------------------------------------------------- files

    def _files(self, request: ListRequest, scope: Scope, below: list[Folder] | None, budget: ReadBudget,
               wanted: int) -> list[FileEntry]:
        sort, found = plan(request.query, request.sort)
        in_order = sort == request.sort and not scope.recursive
        budget.stats.in_index_order = in_order

        def read(prefix: str, taking: int | None = None) -> Iterator[FileEntry]:
            rows = entries(self._dynamodb, self._table, folder_path(prefix), sort, request.descending and in_order,
                           found, request.file_type, iso_instant, budget, taking)
            return (row for row in rows
                    if request.query is None or search_query.matches(request.query, file_fields(row)))

        if in_order:
            # Without a query every row read is taken: the Query reads exactly those.
            return list(islice(read(scope.prefix, wanted if request.query is None else None), wanted))
        prefixes = [scope.prefix, *(entry.prefix for entry in below or [])]
        with ThreadPoolExecutor(WALK_CONCURRENCY) as pool:
            found_rows = [row for rows in pool.map(lambda prefix: list(read(prefix)), prefixes) for row in rows]
        return sorted(found_rows, key=file_order(request.sort), reverse=request.descending)

    def _subtree(self, prefix: str, budget: ReadBudget) -> list[Folder]:
        """Every folder below a prefix, read level by level, the folders of a level in parallel."""
        found: list[Folder] = []
        level = [prefix]
        with ThreadPoolExecutor(WALK_CONCURRENCY) as pool:
            while level:
                below = pool.map(lambda prefix: list(self._subfolders(prefix, budget)), level)
                entries_below = [entry for entries in below for entry in entries]
                found.extend(entries_below)
                level = [entry.prefix for entry in entries_below]
        return found

    # ---------------------------------------------------------------- folders

    def _folders(self, request: ListRequest, scope: Scope, below: list[Folder] | None,
                 budget: ReadBudget) -> list[Folder]:
        """The folders that match and hold something, sorted (by name unless the sort is by a date)."""
        candidates = below if below is not None else list(self._subfolders(scope.prefix, budget))
        if request.query is not None:
            candidates = [c for c in candidates if search_query.matches(request.query, folder_fields(c))]
        with ThreadPoolExecutor(WALK_CONCURRENCY) as pool:
            holding = pool.map(lambda candidate: self._holds_files(candidate.prefix, budget), candidates)
            shown = [candidate for candidate, live in zip(candidates, holding, strict=True) if live]
        return sorted(shown, key=folder_order(request.sort), reverse=request.descending)

    def _subfolders(self, prefix: str, budget: ReadBudget) -> Iterator[Folder]:
        return subfolders(self._dynamodb, self._table, prefix, budget)

    def _holds_files(self, prefix: str, budget: ReadBudget) -> bool:
        """Whether a folder holds a live file or a folder marker, directly or deeper."""
        first = self._dynamodb.query(
            TableName=self._table,
            IndexName=SORT_INDEXES["NAME"][0],
            KeyConditionExpression="#folder = :folder",
            ExpressionAttributeNames={"#folder": "folder"},
            ExpressionAttributeValues={":folder": {"S": folder_path(prefix)}},
            Limit=1,
        )
        budget.read(first["ScannedCount"])
        if first["Items"]:
            return True
        marker_key = {"fileId": {"S": file_id(self._bucket, prefix)}}
        marker = self._dynamodb.get_item(TableName=self._table, Key=marker_key).get("Item")
        if marker is not None and marker.get("kind", {}).get("S") == MARKER_KIND and "deleted" not in marker:
            return True
        return any(self._holds_files(sub.prefix, budget) for sub in self._subfolders(prefix, budget))

    # ---------------------------------------------------------------- records

    def _resolved(self, page: list[Any], stats: ReadStats) -> list[Result]:
        """The page with each file's full record (files deleted since the index was read are left out)."""
        wanted = [row.file_id for row in page if isinstance(row, FileEntry)]
        names = {f"#{name}": name for name in FILE_ATTRIBUTES}
        items, _ = batch_get(self._dynamodb, self._table, wanted, ", ".join(names), names)
        stats.records += len(wanted)
        files = self._records.records(items)
        return [row if isinstance(row, Folder) else files[row.file_id] for row in page
                if isinstance(row, Folder) or row.file_id in files]


def plan(query: Node | None, sort: str) -> tuple[str, Bounds | None]:
    """Which index to read, and its key bounds: the sort's own when the query bounds its field, else the first
    index whose field the query bounds, else the sort's own whole."""
    if query is None:
        return sort, None
    for candidate in (sort, *SORT_FIELDS):
        found = search_query.bounds(query, SORT_FIELDS[candidate])
        if found is not None:
            return candidate, found
    return sort, None


def file_fields(row: FileEntry) -> dict[str, Any]:
    """A file as the searchQuery sees it."""
    return {
        "name": row.name,
        "path": row.folder[1:],
        "format": row.format,
        "type": "file",
        "size": row.size,
        "height": row.height,
        "width": row.width,
        "createdAt": epoch_ms(row.created_at),
        "updatedAt": epoch_ms(row.updated_at),
    }


def folder_fields(entry: Folder) -> dict[str, Any]:
    """A folder as the searchQuery sees it: no size, dimensions or format."""
    return {
        "name": entry.name,
        "path": entry.prefix[: entry.prefix[:-1].rfind("/") + 1],
        "type": "folder",
        "createdAt": epoch_ms(entry.created_at),
        "updatedAt": epoch_ms(entry.updated_at),
    }


def file_order(sort: str) -> Callable[[FileEntry], Any]:
    """The folder indexes' order, across folders: the sort's value, then the name, then the folder."""
    value: dict[str, Callable[[FileEntry], Any]] = {
        "NAME": lambda row: "",
        "CREATED": lambda row: row.created_at,
        "UPDATED": lambda row: row.updated_at,
        "SIZE": lambda row: row.size,
        "HEIGHT": lambda row: row.height or 0,
        "WIDTH": lambda row: row.width or 0,
    }
    return lambda row: (value[sort](row), row.name, row.folder)


def folder_order(sort: str) -> Callable[[Folder], Any]:
    """Folders by date for the date sorts, else by name (they have no size or dimensions)."""
    if sort == "CREATED":
        return lambda entry: (entry.created_at, entry.name, entry.prefix)
    if sort == "UPDATED":
        return lambda entry: (entry.updated_at, entry.name, entry.prefix)
    return lambda entry: (entry.name, entry.prefix)


def iso_instant(ms: int) -> str:
    """Epoch milliseconds as records keep instants (UTC, milliseconds, "Z"), for key conditions."""
    moment = datetime.fromtimestamp(ms / 1000, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def epoch_ms(iso: str) -> int:
    """A stored instant ("2026-03-31T12:00:00.000Z") as epoch milliseconds."""
    moment = datetime(int(iso[0:4]), int(iso[5:7]), int(iso[8:10]), int(iso[11:13]), int(iso[14:16]), int(iso[17:19]),
                      tzinfo=UTC)
    return int(moment.timestamp()) * 1000 + int(iso[20:23])
