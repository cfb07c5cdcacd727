"""Listing and searching the library: the files and folders of a folder, of a subtree, or of the whole library.

What is read (docs/files-api.md has the table):
- one folder in creation order (the default sort) reads its folder index in that order and stops after
  skip + limit files (within the creation-time range a searchQuery gives);
- one folder in another order, or with a searchQuery, reads the folder's index rows (a creation-time range
  only, when the query bounds createdAt), filters and sorts them;
- the whole library in creation order with no searchQuery reads the library pages (library_pages.py) in that
  order and stops after skip + limit: any size of library pages this way;
- a subtree (`path :` in the query), or the whole library with a searchQuery, another sort or a fileType,
  walks its folders level by level, in parallel, then filters and sorts what it read.
Every listing may read at most `max_records` index rows, library page items, folder items and emptiness checks
beyond the `limit` it answers (rows it skips or filters out included), else it answers SearchNeedsPath: a
listing in creation order reaches it only past that many rows skipped. Folders come first, then files; a page's
full records are read by fileId at the end.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from library import query as search_query
from library.errors import SearchNeedsPath
from library.instants import instant_from_ms, ms_of
from library.paths import folder_path
from library.query import Node, Scope
from library.records import FileRecord, Folder

from .folder_index import FOLDER_INDEX, FileEntry, entries
from .folders import subfolders
from .library_pages import Pages
from .records import MARKER_KIND, RecordStore, file_id, record_key

# Folders read at once while walking a subtree; the DynamoDB client's pool must be at least this large.
WALK_CONCURRENCY = 16
CREATED = "CREATED"
# What each sort orders files by, ties by name then folder; RELEVANCE and DURATION mean creation order here
# (no text search, no videos), ORIGINAL_CREATION_DATE the picture's DateTimeOriginal, else its creation.
SORT_VALUES: dict[str, Callable[[FileEntry], Any]] = {
    "NAME": lambda row: "",
    CREATED: lambda row: row.created_at,
    "UPDATED": lambda row: row.updated_at,
    "SIZE": lambda row: row.size,
    "HEIGHT": lambda row: row.height or 0,
    "WIDTH": lambda row: row.width or 0,
    "RELEVANCE": lambda row: row.created_at,
    "DURATION": lambda row: row.created_at,
    "ORIGINAL_CREATION_DATE": lambda row: row.taken_at or row.created_at,
}
IN_CREATION_ORDER = (CREATED, "RELEVANCE", "DURATION")

Result = Folder | FileRecord


@dataclass(frozen=True)
class ListRequest:
    """One call of GET /v1/files, its parameters checked."""

    folder: str | None  # the `path` parameter as a prefix ("" is the root), None when absent
    sort: str  # a key of SORT_VALUES
    descending: bool
    skip: int
    limit: int
    files: bool
    folders: bool
    file_type: str | None  # "image", "non-image", or None for all
    query: Node | None


@dataclass
class ReadStats:
    """What one listing read: index rows, folder items and checks, full records, and whether the index order
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
        self._pages = Pages(dynamodb, table)

    def page(self, request: ListRequest) -> ListPage:
        """One page of folders, then files, as the request asks."""
        stats = ReadStats()
        scope = self._scope(request)
        by_pages = (scope.recursive and scope.prefix == "" and request.query is None and not request.file_type
                    and not request.folders and request.sort in IN_CREATION_ORDER)
        # Every listing counts what it reads beyond its page against the one bound: rows it skips, rows a
        # filter drops, folders it walks.
        budget = ReadBudget(stats, self._max_records + request.limit)
        # A subtree's folders, walked once for its files and its folders alike.
        below = self._subtree(scope.prefix, budget) if scope.recursive and not by_pages else None
        folders = self._folders(request, scope, below, budget) if request.folders else []
        wanted = request.skip + request.limit - len(folders)
        files: list[Any] = []
        if request.files and wanted > 0:
            if by_pages:
                files = list(islice(self._pages.entries(request.descending, budget), wanted))
            else:
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
        in_order = request.sort in IN_CREATION_ORDER and not scope.recursive
        budget.stats.in_index_order = in_order
        created = search_query.bounds(request.query, "createdAt") if request.query is not None else None

        def read(prefix: str, taking: int | None = None) -> Iterator[FileEntry]:
            rows = entries(self._dynamodb, self._table, folder_path(prefix), request.descending and in_order,
                           created, request.file_type, instant_from_ms, budget, taking)
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
        """Whether a folder holds a live file or a folder marker, directly or deeper (each check counted)."""
        first = self._dynamodb.query(
            TableName=self._table,
            IndexName=FOLDER_INDEX,
            KeyConditionExpression="#folder = :folder",
            ExpressionAttributeNames={"#folder": "folder"},
            ExpressionAttributeValues={":folder": {"S": folder_path(prefix)}},
            Limit=1,
        )
        budget.read(max(1, first["ScannedCount"]))
        if first["Items"]:
            return True
        marker_key = record_key(file_id(self._bucket, prefix))
        marker = self._dynamodb.get_item(TableName=self._table, Key=marker_key).get("Item")
        budget.read(1)
        if marker is not None and marker.get("kind", {}).get("S") == MARKER_KIND and "deleted" not in marker:
            return True
        return any(self._holds_files(sub.prefix, budget) for sub in self._subfolders(prefix, budget))

    # ---------------------------------------------------------------- records

    def _resolved(self, page: list[Any], stats: ReadStats) -> list[Result]:
        """The page with each file's full record (files deleted since the index was read are left out)."""
        wanted = [row.file_id for row in page if not isinstance(row, Folder)]
        stats.records += len(wanted)
        files = self._records.files(wanted)
        return [row if isinstance(row, Folder) else files[row.file_id] for row in page
                if isinstance(row, Folder) or row.file_id in files]


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
        "createdAt": ms_of(row.created_at),
        "updatedAt": ms_of(row.updated_at),
        "tags": row.tags,
        "private": row.is_private,
        "published": row.is_published,
        "transparency": row.has_alpha,
        **{f"customMetadata.{name}": value for name, value in row.custom_metadata.items()},
        **{f"embeddedMetadata.{name}": value for name, value in row.embedded.items()},
    }


def folder_fields(entry: Folder) -> dict[str, Any]:
    """A folder as the searchQuery sees it: no size, dimensions or format."""
    return {
        "name": entry.name,
        "path": entry.prefix[: entry.prefix[:-1].rfind("/") + 1],
        "type": "folder",
        "createdAt": ms_of(entry.created_at),
        "updatedAt": ms_of(entry.updated_at),
    }


def file_order(sort: str) -> Callable[[FileEntry], Any]:
    """A sort's order of files, across folders: the sort's value, then the name, then the folder."""
    value = SORT_VALUES[sort]
    return lambda row: (value(row), row.name, row.folder)


def folder_order(sort: str) -> Callable[[Folder], Any]:
    """Folders by date for the date sorts, else by name (they have no size or dimensions)."""
    if sort in ("CREATED", "RELEVANCE", "DURATION", "ORIGINAL_CREATION_DATE"):
        return lambda entry: (entry.created_at, entry.name, entry.prefix)
    if sort == "UPDATED":
        return lambda entry: (entry.updated_at, entry.name, entry.prefix)
    return lambda entry: (entry.name, entry.prefix)


