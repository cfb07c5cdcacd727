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

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from library.query import Bounds

from .items import untyped

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


def file_entry(item: dict[str, Any]) -> FileEntry:
    return FileEntry(
        file_id=item["pk"]["S"],
        name=item["name"]["S"],
        folder=item["folder"]["S"],
        created_at=item["ckey"]["S"].split("/", 1)[0],
        updated_at=item["updatedAt"]["S"],
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
        embedded={name: untyped(value) for name, value in item["em"]["M"].items()} if "em" in item else {},
        sort_key=item["sk"]["S"],
    )


def key_condition(found: Bounds | None, instant: Any) -> tuple[str, dict[str, Any]]:
    """The range part of a Query's key condition for bounds on creation time ("" when unbounded).

    `instant` turns epoch milliseconds into the stored ISO form.
    """
    if found is None or (found.low is None and found.high is None):
        return "", {}
    # Keys are "<instant>/<name>": "/" sorts below every digit, so "<instant>/" starts an instant's keys and
    # "<instant>0" lies past all of them.
    low = {"S": f"{instant(found.low)}/"} if found.low is not None else None
    high = {"S": f"{instant(found.high)}0"} if found.high is not None else None
    if low and high:
        return " AND ckey BETWEEN :low AND :high", {":low": low, ":high": high}
    if low:
        return " AND ckey >= :low", {":low": low}
    return " AND ckey < :high", {":high": high}


def entries(dynamodb: Any, table: str, folder: str, descending: bool, found: Bounds | None, file_type: str | None,
            instant: Any, counter: Any, wanted: int | None = None) -> Iterator[FileEntry]:
    """The files of one folder in creation order, within bounds, lazily, page by page (each row counted).

    `wanted`: the rows the caller will take when none is filtered out, so a Query reads no more than those.
    """
    condition, values = key_condition(found, instant)
    request: dict[str, Any] = {
        "TableName": table,
        "IndexName": FOLDER_INDEX,
        "KeyConditionExpression": f"#folder = :folder{condition}",
        "ExpressionAttributeNames": {"#folder": "folder"},
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
