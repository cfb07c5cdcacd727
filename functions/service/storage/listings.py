"""Listing and searching the library: the files and folders of a folder, of a subtree, or of the whole library.

What is read (docs/files-api.md has the table):
- the whole library in creation order with no searchQuery or fileType reads the library pages
  (library_pages.py) in that order and stops after skip + limit: any size of library pages this way;
- otherwise the folder index of the folder, or of every folder of a subtree or of the library (walked level by
  level, in parallel), within the creation-time range a searchQuery gives, its rows filtered by DynamoDB with
  the query compiled (query_filter.py) and by the query itself. In creation order the folders are merged and
  read only as far as skip + limit files need (folder_index.merged); in another order they are read whole
  and sorted;
- kept versions (`type=file-version`) are read as files are, from their folders' version partitions of the
  folder index (versions.py); the library pages hold current files only, so the whole library's versions walk.
Every listing may read at most `max_records` index rows, library page items and folder items beyond the `limit`
it answers (rows it skips or filters out included), else it answers SearchNeedsPath: a listing in creation order
reaches it only past that many rows skipped or filtered out. Every folder item is a folder (folders.py): none is
checked for content. Folders come first, then files; a page's full records are read by fileId at the end.
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
from library.instants import ms_of
from library.paths import folder_path
from library.query import Node, Scope
from library.records import FileRecord, Folder
from library.search_fields import custom_fields, embedded_fields

from .folder_index import (
    FIRST_ROWS,
    READ_CONCURRENCY,
    FileEntry,
    FolderStream,
    IndexRead,
    drained,
    merged,
)
from .folders import subfolders
from .library_pages import Pages
from .query_filter import Filter, compiled
from .records import RecordStore
from .versions import versions_partition

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
    versions: bool = False  # kept versions (type=file-version) instead of files


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
                    and not request.folders and not request.versions and request.sort in IN_CREATION_ORDER)
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
        """The folder's (or subtree's) files the request takes: in creation order, merged across folders and read
        only as far as the page needs; in another order, every taken row, sorted."""
        in_order = request.sort in IN_CREATION_ORDER
        budget.stats.in_index_order = in_order
        query, file_type = request.query, request.file_type

        def accept(row: FileEntry) -> bool:
            return ((file_type is None or row.file_type == file_type)
                    and (query is None or search_query.matches(query, file_fields(row))))

        read = IndexRead(
            descending=request.descending and in_order,
            created=search_query.bounds(query, "createdAt") if query is not None else None,
            filter=with_file_type(compiled(query) if query is not None else None, file_type),
            accept=accept,
        )
        prefixes = [scope.prefix, *(entry.prefix for entry in below or [])]
        share = -(-wanted // len(prefixes))
        # A plain listing takes every row it reads: its first Queries read exactly the page.
        first_rows = share if query is None and file_type is None else max(FIRST_ROWS, share)
        partition = versions_partition if request.versions else (lambda folder: folder)
        streams = [FolderStream(self._dynamodb, self._table, partition(folder_path(prefix)), read, budget,
                                first_rows if in_order else None) for prefix in prefixes]
        if in_order:
            return merged(streams, wanted, read.descending)
        return sorted(drained(streams), key=file_order(request.sort), reverse=request.descending)

    def _subtree(self, prefix: str, budget: ReadBudget) -> list[Folder]:
        """Every folder below a prefix, read level by level, the folders of a level in parallel."""
        found: list[Folder] = []
        level = [prefix]
        with ThreadPoolExecutor(READ_CONCURRENCY) as pool:
            while level:
                below = pool.map(lambda prefix: list(self._subfolders(prefix, budget)), level)
                entries_below = [entry for entries in below for entry in entries]
                found.extend(entries_below)
                level = [entry.prefix for entry in entries_below]
        return found

    # ---------------------------------------------------------------- folders

    def _folders(self, request: ListRequest, scope: Scope, below: list[Folder] | None,
                 budget: ReadBudget) -> list[Folder]:
        """The folders that match, sorted (by name unless the sort is by a date)."""
        candidates = below if below is not None else list(self._subfolders(scope.prefix, budget))
        if request.query is not None:
            candidates = [c for c in candidates if search_query.matches(request.query, folder_fields(c))]
        return sorted(candidates, key=folder_order(request.sort), reverse=request.descending)

    def _subfolders(self, prefix: str, budget: ReadBudget) -> Iterator[Folder]:
        return subfolders(self._dynamodb, self._table, prefix, budget)

    # ---------------------------------------------------------------- records

    def _resolved(self, page: list[Any], stats: ReadStats) -> list[Result]:
        """The page with each file's (or kept version's) full record; those deleted since the index was read are
        left out."""
        wanted = [(row.file_id, row.sort_key) for row in page if not isinstance(row, Folder)]
        stats.records += len(wanted)
        found = self._records.records_at(wanted)
        return [row if isinstance(row, Folder) else found[(row.file_id, row.sort_key)] for row in page
                if isinstance(row, Folder) or (row.file_id, row.sort_key) in found]


def file_fields(row: FileEntry) -> dict[str, Any]:
    """A file as the searchQuery sees it (library.search_fields)."""
    return {
        "name": row.name,
        "path": row.folder[1:],
        "format": row.format,
        "type": "file",
        "id": row.file_id,
        "size": row.size,
        "height": row.height,
        "width": row.width,
        "createdAt": ms_of(row.created_at),
        "updatedAt": ms_of(row.updated_at),
        "tags": row.tags,
        "private": row.is_private,
        "published": row.is_published,
        "transparency": row.has_alpha,
        **custom_fields(row.custom_metadata),
        **embedded_fields(row.embedded),
    }


def folder_fields(entry: Folder) -> dict[str, Any]:
    """A folder as the searchQuery sees it: no size, dimensions or format."""
    return {
        "name": entry.name,
        "path": entry.prefix[: entry.prefix[:-1].rfind("/") + 1],
        "type": "folder",
        "id": entry.folder_id,
        "createdAt": ms_of(entry.created_at),
        "updatedAt": ms_of(entry.updated_at),
    }


def with_file_type(found: Filter | None, file_type: str | None) -> Filter | None:
    """A listing's filter with its fileType condition (image or non-image) beside the query's."""
    if file_type is None:
        return found
    condition = "#fileType = :fileType"
    names, values = {"#fileType": "fileType"}, {":fileType": {"S": file_type}}
    if found is None:
        return Filter(condition, names, values)
    return Filter(f"({found.expression}) AND {condition}", {**found.names, **names}, {**found.values, **values})


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


