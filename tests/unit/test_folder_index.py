"""The folder index: the template declares what the code queries, and its keys order and bound as documented."""
from __future__ import annotations

from typing import Any

from infra.resources import table_parameters
from library.instants import instant_from_ms, ms_of
from library.query import Bounds
from service.storage.folder_index import FOLDER_INDEX, FolderStream, IndexRead, key_condition, merged
from service.storage.folders import SUBFOLDERS_INDEX
from service.storage.items import INDEXED_ATTRIBUTES, created_key
from service.storage.listings import ReadBudget, ReadStats

from ..local_template import local_template


def indexes() -> dict[str, dict]:
    table = table_parameters(local_template(), "FilesTable")
    return {index["IndexName"]: index for index in table["GlobalSecondaryIndexes"]}


def test_the_template_declares_the_folder_index_the_code_reads() -> None:
    declared = indexes()
    assert declared[FOLDER_INDEX]["KeySchema"] == [
        {"AttributeName": "folder", "KeyType": "HASH"},
        {"AttributeName": "ckey", "KeyType": "RANGE"},
    ]
    # Every field a listing sorts on or a search filters on comes with the index row: no record is read to filter.
    projection = declared[FOLDER_INDEX]["Projection"]
    assert projection["ProjectionType"] == "INCLUDE"
    assert set(projection["NonKeyAttributes"]) == set(INDEXED_ATTRIBUTES)
    subfolders = declared[SUBFOLDERS_INDEX]
    assert subfolders["KeySchema"] == [
        {"AttributeName": "parentFolder", "KeyType": "HASH"},
        {"AttributeName": "prefix", "KeyType": "RANGE"},
    ]
    assert set(subfolders["Projection"]["NonKeyAttributes"]) == {"folderName", "createdAt", "updatedAt"}


def test_created_keys_order_by_instant_then_name() -> None:
    early, late = "2026-01-01T00:00:00.000Z", "2026-01-01T00:00:00.001Z"
    assert created_key(early, "album/b.jpg") < created_key(late, "album/a.jpg")
    assert created_key(early, "album/a.jpg") < created_key(early, "album/b.jpg")  # equal instants: by name


def test_creation_bounds_are_key_ranges_in_the_stored_instant_form() -> None:
    moment = ms_of("2026-03-31T12:00:00.250Z")
    assert instant_from_ms(moment) == "2026-03-31T12:00:00.250Z"
    condition, values = key_condition(Bounds(low=moment))
    assert condition == " AND ckey >= :low"
    assert values == {":low": {"S": "2026-03-31T12:00:00.250Z/"}}
    condition, values = key_condition(Bounds(low=moment, high=moment))
    inside = created_key("2026-03-31T12:00:00.250Z", "a/zz.png")
    assert values[":low"]["S"] <= inside <= values[":high"]["S"]
    assert not values[":low"]["S"] <= created_key("2026-03-31T12:00:00.251Z", "a/a.png") <= values[":high"]["S"]
    assert key_condition(None) == ("", {})
    # Bounds past the calendar's ends are the first and last instants (a caller's far dates are no 500).
    assert key_condition(Bounds(low=10**16))[1][":low"]["S"] == "9999-12-31T23:59:59.999Z/"
    assert key_condition(Bounds(high=-(10**16)))[1][":high"]["S"] == "0001-01-01T00:00:00.000Z0"


def index_row(folder: str, n: int, minute: int) -> dict:
    name = f"f{n:04d}.jpg"
    ckey = f"2026-01-01T00:{minute:02d}:00.000Z/{name}"
    return {"pk": {"S": f"{folder}{n}"}, "name": {"S": name}, "sk": {"S": "F"}, "folder": {"S": folder}, "ckey": {"S": ckey},
            "updatedAt": {"S": "2026-01-01T00:00:00.000Z"}, "size": {"N": str(n)}, "fileType": {"S": "non-image"}}


class PagedIndex:
    """A folder index of folders of rows, in ckey order, that cuts Query pages at `page` rows (DynamoDB's 1 MB)
    and records each request."""

    def __init__(self, folders: dict[str, list[dict]], page: int) -> None:
        self.folders, self.page, self.requests = folders, page, []

    def query(self, **request: Any) -> dict:
        self.requests.append(dict(request))
        rows = self.folders[request["ExpressionAttributeValues"][":folder"]["S"]]  # type: ignore[index]  # a dict
        after = request.get("ExclusiveStartKey")
        start = 0 if after is None else [row["ckey"] for row in rows].index(after["ckey"]) + 1  # type: ignore[index]
        end = min(len(rows), start + min(self.page, int(request.get("Limit", len(rows)))))  # type: ignore[arg-type]
        response: dict = {"Items": rows[start:end], "ScannedCount": end - start}
        if end < len(rows):
            response["LastEvaluatedKey"] = {"ckey": rows[end - 1]["ckey"]}
        return response

    def limits(self, folder: str) -> list[object]:
        return [r.get("Limit") for r in self.requests if r["ExpressionAttributeValues"][":folder"]["S"] == folder]  # type: ignore[index]


def streams(index: PagedIndex, read: IndexRead, budget: ReadBudget, first_rows: int | None) -> list[FolderStream]:
    return [FolderStream(index, "t", folder, read, budget, first_rows) for folder in index.folders]


def test_a_listing_queries_no_more_rows_than_it_takes_across_cut_pages() -> None:
    index = PagedIndex({"/a/": [index_row("/a/", n, 0) for n in range(5000)]}, page=300)
    budget = ReadBudget(ReadStats(), None)
    rows = merged(streams(index, IndexRead(), budget, 1000), 1000, descending=False)
    assert [row.file_id for row in rows] == [f"/a/{n}" for n in range(1000)]
    assert index.limits("/a/") == [1000, 700, 400, 100]
    assert budget.stats.index_rows == 1000


def test_a_filtered_listing_reads_ever_larger_pages_until_it_has_its_rows() -> None:
    # DynamoDB's Limit counts rows before the filter: a page may hold fewer taken rows than wanted.
    index = PagedIndex({"/a/": [index_row("/a/", n, 0) for n in range(500)]}, page=300)
    even = IndexRead(accept=lambda row: int(row.file_id[3:]) % 10 == 0)
    rows = merged(streams(index, even, ReadBudget(ReadStats(), None), 25), 20, descending=False)
    assert [row.file_id for row in rows] == [f"/a/{n}" for n in range(0, 200, 10)]
    assert index.limits("/a/") == [25, 50, 100, 200]


def test_folders_merge_in_creation_order_each_read_only_as_far_as_the_page_needs() -> None:
    # /early/ holds minutes 0-9, /late/ minutes 50-59, /mixed/ every fifth minute: the first 15 rows are early's
    # ten and mixed's first five; /late/ is read one Query's worth, its first row past them.
    folders = {"/early/": [index_row("/early/", n, n) for n in range(10)],
               "/late/": [index_row("/late/", n, 50 + n) for n in range(10)],
               "/mixed/": [index_row("/mixed/", n, 5 * n) for n in range(12)]}
    index = PagedIndex(folders, page=1000)
    everything = sorted((row for rows in folders.values() for row in rows), key=lambda row: (row["ckey"]["S"],
                                                                                              row["folder"]["S"]))
    budget = ReadBudget(ReadStats(), None)
    rows = merged(streams(index, IndexRead(), budget, 3), 15, descending=False)
    assert [row.file_id for row in rows] == [row["pk"]["S"] for row in everything[:15]]
    assert index.limits("/late/") == [3]
    assert budget.stats.index_rows < sum(len(rows) for rows in folders.values())
    # Descending: the latest first, the same rule.
    latest = merged(streams(PagedIndex({name: rows[::-1] for name, rows in folders.items()}, 1000),
                            IndexRead(descending=True), ReadBudget(ReadStats(), None), 3), 12, descending=True)
    assert [row.file_id for row in latest] == [row["pk"]["S"] for row in everything[::-1][:12]]
