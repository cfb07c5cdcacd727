"""The folder indexes: the template declares what the code queries, and their keys order and bound as documented."""
from __future__ import annotations

import pytest

from imagemeta.search_query import Bounds
from infra.resources import table_parameters
from infra.template import LocalTemplate, load_template
from service.storage.folder_index import (
    FILTER_ATTRIBUTES,
    FOLDER_ATTRIBUTE,
    SORT_INDEXES,
    key_condition,
    number_key,
    sort_keys,
)
from service.storage.folders import SUBFOLDERS_INDEX
from service.storage.library import epoch_ms, iso_instant

from ..paths import ROOT


def indexes() -> dict[str, dict]:
    template = LocalTemplate(load_template(ROOT / "template.yaml"), ROOT / "template.yaml", "http://unused")
    table = table_parameters(template, "FilesTable")
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
