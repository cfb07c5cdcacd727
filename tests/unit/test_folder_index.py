"""The folder index: the template declares what the code queries, and its keys order and bound as documented."""
from __future__ import annotations

from typing import Any

from infra.resources import table_parameters
from library.instants import instant_from_ms, ms_of
from library.query import Bounds
from service.storage.folder_index import FOLDER_INDEX, entries, key_condition
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
    condition, values = key_condition(Bounds(low=moment), instant_from_ms)
    assert condition == " AND ckey >= :low"
    assert values == {":low": {"S": "2026-03-31T12:00:00.250Z/"}}
    condition, values = key_condition(Bounds(low=moment, high=moment), instant_from_ms)
    inside = created_key("2026-03-31T12:00:00.250Z", "a/zz.png")
    assert values[":low"]["S"] <= inside <= values[":high"]["S"]
    assert not values[":low"]["S"] <= created_key("2026-03-31T12:00:00.251Z", "a/a.png") <= values[":high"]["S"]
    assert key_condition(None, instant_from_ms) == ("", {})


def index_row(n: int) -> dict:
    return {"pk": {"S": f"id{n}"}, "name": {"S": f"f{n}.jpg"}, "folder": {"S": "/a/"},
            "ckey": {"S": f"2026-01-01T00:00:00.000Z/f{n}.jpg"}, "updatedAt": {"S": "2026-01-01T00:00:00.000Z"},
            "size": {"N": "1"}, "fileType": {"S": "non-image"}}


class PagedIndex:
    """A folder index that cuts its Query pages at `page` rows (DynamoDB's 1 MB) and records each request."""

    def __init__(self, rows: int, page: int) -> None:
        self.rows, self.page, self.requests = rows, page, []

    def query(self, **request: Any) -> dict:
        self.requests.append(dict(request))
        start = int(request.get("ExclusiveStartKey", {}).get("n", 0))
        end = min(self.rows, start + min(self.page, int(request.get("Limit", self.rows))))
        response: dict = {"Items": [index_row(n) for n in range(start, end)], "ScannedCount": end - start}
        if end < self.rows:
            response["LastEvaluatedKey"] = {"n": end}
        return response


def test_a_listing_queries_no_more_rows_than_it_takes_across_cut_pages() -> None:
    index = PagedIndex(rows=5000, page=300)
    budget = ReadBudget(ReadStats(), None)
    rows = list(entries(index, "t", "/a/", False, None, None, instant_from_ms, budget, wanted=1000))
    assert [row.file_id for row in rows] == [f"id{n}" for n in range(1000)]
    assert [request["Limit"] for request in index.requests] == [1000, 700, 400, 100]
    assert budget.stats.index_rows == 1000


def test_a_filtered_listing_sets_no_limit() -> None:
    # DynamoDB's Limit counts rows before the filter: with one, a page could hold fewer matches than wanted.
    index = PagedIndex(rows=500, page=300)
    rows = list(entries(index, "t", "/a/", False, None, "image", instant_from_ms, ReadBudget(ReadStats(), None), wanted=10))
    assert len(rows) == 500 and all("Limit" not in request for request in index.requests)
