"""The folder indexes: one global secondary index per sort the hosted API offers, each partitioned by folder.

A live file's item carries `folder` (its folder path, "/album/") and one sort key per index; tombstones,
folder items and markers carry none, so the indexes hold exactly the listable files. Each sort key ends
with "/" and the file's name, which is unique in its folder: equal sizes or dates come back in name order,
so skip and limit page deterministically. Numbers are zero-padded, instants fixed-width ISO 8601 (UTC,
milliseconds), so string order is value order and a range of values is a range of keys. Each index projects
what searching needs (FILTER_ATTRIBUTES); a page's full records are read by fileId afterwards.
The indexes are declared once, on FilesTable in template.yaml (docs/files-api.md: which index each sort reads).
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from library.query import Bounds

FOLDER_ATTRIBUTE = "folder"
NUMBER_DIGITS = 16
# sort name -> (index, its range key attribute)
SORT_INDEXES = {
    "NAME": ("byName", "name"),
    "CREATED": ("byCreated", "createdKey"),
    "UPDATED": ("byUpdated", "updatedKey"),
    "SIZE": ("bySize", "sizeKey"),
    "HEIGHT": ("byHeight", "heightKey"),
    "WIDTH": ("byWidth", "widthKey"),
}
# The searchQuery field each sort orders by.
SORT_FIELDS = {"NAME": "name", "CREATED": "createdAt", "UPDATED": "updatedAt", "SIZE": "size", "HEIGHT": "height",
               "WIDTH": "width"}
# What the indexes project beside their keys: every field a search filters on.
FILTER_ATTRIBUTES = ("name", "createdAt", "updatedAt", "size", "height", "width", "format", "fileType")


def sort_keys(name: str, created_at: str, updated_at: str, size: int, height: int | None,
                     width: int | None) -> dict[str, Any]:
    """The sort keys of a live file (its `folder` and filter attributes are written with its facts)."""
    return {
        "createdKey": {"S": f"{created_at}/{name}"},
        "updatedKey": {"S": f"{updated_at}/{name}"},
        "sizeKey": {"S": f"{number_key(size)}/{name}"},
        # Non-images have no dimensions: they sort as 0.
        "heightKey": {"S": f"{number_key(height or 0)}/{name}"},
        "widthKey": {"S": f"{number_key(width or 0)}/{name}"},
    }


def number_key(value: int) -> str:
    return f"{value:0{NUMBER_DIGITS}d}"


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


def file_entry(item: dict[str, Any]) -> FileEntry:
    return FileEntry(
        file_id=item["fileId"]["S"],
        name=item["name"]["S"],
        folder=item[FOLDER_ATTRIBUTE]["S"],
        created_at=item["createdAt"]["S"],
        updated_at=item["updatedAt"]["S"],
        size=int(item["size"]["N"]),
        height=int(item["height"]["N"]) if "height" in item else None,
        width=int(item["width"]["N"]) if "width" in item else None,
        format=item.get("format", {}).get("S", ""),
        file_type=item["fileType"]["S"],
    )


def key_condition(range_key: str, found: Bounds | None, instant: Any) -> tuple[str, dict[str, Any]]:
    """The range part of a Query's key condition for bounds on the index's field ("" when unbounded).

    `instant` turns epoch milliseconds into the stored ISO form (date indexes); numbers are padded.
    """
    if found is None:
        return "", {}
    if found.prefix is not None:
        return " AND begins_with(#range, :prefix)", {":prefix": {"S": found.prefix}}
    encode = instant if range_key in ("createdKey", "updatedKey") else number_key
    # Keys are "<value>/<name>": "/" sorts below every digit, so "<value>/" starts a value's keys and
    # "<value>0" lies past all of them.
    low = {"S": f"{encode(found.low)}/"} if found.low is not None else None
    high = {"S": f"{encode(found.high)}0"} if found.high is not None else None
    if low and high:
        return " AND #range BETWEEN :low AND :high", {":low": low, ":high": high}
    if low:
        return " AND #range >= :low", {":low": low}
    return " AND #range < :high", {":high": high}


def entries(dynamodb: Any, table: str, folder: str, sort: str, descending: bool, found: Bounds | None,
            file_type: str | None, instant: Any, counter: Any, wanted: int | None = None) -> Iterator[FileEntry]:
    """The files of one folder in an index's order, within bounds, lazily, page by page (each row counted).

    `wanted`: the rows the caller will take when none is filtered out, so a Query reads no more than those.
    """
    index, range_key = SORT_INDEXES[sort]
    condition, values = key_condition(range_key, found, instant)
    request: dict[str, Any] = {
        "TableName": table,
        "IndexName": index,
        "KeyConditionExpression": f"#folder = :folder{condition}",
        "ExpressionAttributeNames": {"#folder": FOLDER_ATTRIBUTE, **({"#range": range_key} if condition else {})},
        "ExpressionAttributeValues": {":folder": {"S": folder}, **values},
        "ScanIndexForward": not descending,
    }
    if wanted is not None and not file_type:
        request["Limit"] = wanted
    if file_type:
        request["FilterExpression"] = "#fileType = :fileType"
        request["ExpressionAttributeNames"]["#fileType"] = "fileType"
        request["ExpressionAttributeValues"][":fileType"] = {"S": file_type}
    while True:
        response = dynamodb.query(**request)
        counter.read(response["ScannedCount"])
        yield from (file_entry(item) for item in response["Items"])
        if "LastEvaluatedKey" not in response:
            return
        request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
        if "Limit" in request:  # a page cut at 1 MB: the next reads only what is still wanted
            request["Limit"] -= len(response["Items"])
            if request["Limit"] <= 0:
                return
