"""The folder indexes: the template declares what the code queries, and their keys order and bound as documented."""
from __future__ import annotations

from typing import Any

import pytest

from infra.resources import table_parameters
from library.query import Bounds
from service.storage.folder_index import (
    FILTER_ATTRIBUTES,
    FOLDER_ATTRIBUTE,
    SORT_INDEXES,
    entries,
    key_condition,
    number_key,
    sort_keys,
)
from service.storage.folders import SUBFOLDERS_INDEX
from service.storage.listings import ReadBudget, ReadStats, epoch_ms, iso_instant

from ..local_template import local_template


def indexes() -> dict[str, dict]:
    table = table_parameters(local_template(), "FilesTable")
    return {index["IndexName"]: index for index in table["GlobalSecondaryIndexes"]}


def test_the_template_declares_one_folder_index_per_sort() -> None:
    declared = indexes()
    for index, range_key in SORT_INDEXES.values():
        assert declared[index]["KeySchema"] == [
            {"AttributeName": FOLDER_ATTRIBUTE, "KeyType": "HASH"},
            {"AttributeName": range_key, "KeyType": "RANGE"},
        ]
        # Every field a search filters on comes with the index row: no record is read to filter.
        projection = declared[index]["Projection"]
        assert projection["ProjectionType"] == "INCLUDE"
        assert set(projection["NonKeyAttributes"]) | {range_key} >= set(FILTER_ATTRIBUTES)
    subfolders = declared[SUBFOLDERS_INDEX]
    assert subfolders["KeySchema"] == [
        {"AttributeName": "parentFolder", "KeyType": "HASH"},
        {"AttributeName": "prefix", "KeyType": "RANGE"},
    ]
    assert set(subfolders["Projection"]["NonKeyAttributes"]) == {"folderName", "createdAt", "updatedAt"}


def test_sort_keys_order_by_value_then_name() -> None:
    small = sort_keys("b.jpg", "2026-01-01T00:00:00.000Z", "2026-01-02T00:00:00.000Z", 9, 10, None)
    large = sort_keys("a.jpg", "2026-01-01T00:00:00.000Z", "2026-01-01T00:00:00.000Z", 10, 2, 3)
    assert small["sizeKey"]["S"] < large["sizeKey"]["S"]  # 9 < 10 although "9" > "1" as text
    assert small["createdKey"]["S"] > large["createdKey"]["S"]  # equal instants: by name
    assert small["updatedKey"]["S"] > large["updatedKey"]["S"]
    assert small["widthKey"]["S"] == number_key(0) + "/b.jpg"  # no width: sorts as 0


@pytest.mark.parametrize(
    ("bounds", "inside", "outside"),
    [
        (Bounds(low=10), [10, 11, 10**12], [9, 0]),
        (Bounds(high=10), [0, 9, 10], [11, 100]),
        (Bounds(low=10, high=10), [10], [9, 11]),
        (Bounds(low=3, high=5), [3, 4, 5], [2, 6]),
    ],
)
def test_number_bounds_are_key_ranges(bounds: Bounds, inside: list[int], outside: list[int]) -> None:
    condition, values = key_condition("sizeKey", bounds, iso_instant)

    def holds(size: int) -> bool:
        key = f"{number_key(size)}/zz.png"
        low = values.get(":low", {}).get("S")
        high = values.get(":high", {}).get("S")
        if "BETWEEN" in condition:
            return low <= key <= high
        return key >= low if low else key < high

    assert all(holds(size) for size in inside)
    assert not any(holds(size) for size in outside)


def test_date_bounds_use_the_stored_instant_form() -> None:
    moment = epoch_ms("2026-03-31T12:00:00.250Z")
    assert iso_instant(moment) == "2026-03-31T12:00:00.250Z"
    condition, values = key_condition("createdKey", Bounds(low=moment), iso_instant)
    assert condition == " AND #range >= :low"
    assert values == {":low": {"S": "2026-03-31T12:00:00.250Z/"}}


def test_name_bounds_are_a_prefix() -> None:
    assert key_condition("name", Bounds(prefix="red-"), iso_instant) == (
        " AND begins_with(#range, :prefix)",
        {":prefix": {"S": "red-"}},
    )
    assert key_condition("name", None, iso_instant) == ("", {})


def index_row(n: int) -> dict:
    return {"fileId": {"S": f"id{n}"}, "name": {"S": f"f{n}.jpg"}, FOLDER_ATTRIBUTE: {"S": "/a/"},
            "createdAt": {"S": "2026-01-01T00:00:00.000Z"}, "updatedAt": {"S": "2026-01-01T00:00:00.000Z"},
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
    rows = list(entries(index, "t", "/a/", "NAME", False, None, None, iso_instant, budget, wanted=1000))
    assert [row.file_id for row in rows] == [f"id{n}" for n in range(1000)]
    assert [request["Limit"] for request in index.requests] == [1000, 700, 400, 100]
    assert budget.stats.index_rows == 1000


def test_a_filtered_listing_sets_no_limit() -> None:
    # DynamoDB's Limit counts rows before the filter: with one, a page could hold fewer matches than wanted.
    index = PagedIndex(rows=500, page=300)
    rows = list(entries(index, "t", "/a/", "NAME", False, None, "image", iso_instant, ReadBudget(ReadStats(), None),
                        wanted=10))
    assert len(rows) == 500 and all("Limit" not in request for request in index.requests)
