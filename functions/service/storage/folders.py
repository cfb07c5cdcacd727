"""Folder items: one per key prefix that has held a file, so folders can be listed beside files.

S3 has no folders, only keys with "/" in them. The hosted API lists folders, so each prefix gets an item in
the records table (kind "folder", keyed by folder_id), written before the first record beneath it (an
idempotent UpdateItem: creating it twice changes nothing, and an item for a file whose write then lost is
merely an empty folder). Items are never deleted or changed, so a process remembers the ones it made and
writes each once: a folder is listed while it holds a live file or a folder marker, directly or deeper
(library.py checks when it lists); its createdAt and updatedAt are when its first file arrived. The
`subfolders` index (template.yaml: hash `parentFolder`, range `prefix`, which orders siblings by name) gives a
folder's sub-folders. A folder item's `pk` is its folderId and its `sk` FOLDER_SK. Counting files per folder
instead would need a transaction with every record write, and
every upload into one folder would contend for its count.
"""
from __future__ import annotations

import contextlib
import hashlib
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

from library.paths import ancestor_prefixes, folder_name, folder_path, parent_prefix
from library.records import Folder

FOLDER_SK = "D"
SUBFOLDERS_INDEX = "subfolders"
# Folders deeper than this are not listed as folders (their files still are, in their folder's listing).
MAX_FOLDER_DEPTH = 100
# Folder ids a process remembers having made (a warm ingest writing into the same folders skips them).
REMEMBERED_FOLDERS = 10_000


def folder_id(bucket: str, prefix: str) -> str:
    """A folder's id: 24 hex digits, from a hash that no file's id (SHA-256 of "<bucket>/<key>") can share."""
    return hashlib.sha256(f"folder:{bucket}/{prefix}".encode()).hexdigest()[:24]


class FolderItems:
    """Creates the folder items above keys; the DynamoDB client is passed in."""

    def __init__(self, dynamodb: Any, table: str, bucket: str):
        self._dynamodb = dynamodb
        self._table = table
        self._bucket = bucket
        self._made: OrderedDict[str, None] = OrderedDict()

    def ensure(self, key: str, now: str) -> None:
        """The folder items above a key, created where missing (each written once per process)."""
        for prefix in ancestor_prefixes(key)[:MAX_FOLDER_DEPTH]:
            fid = folder_id(self._bucket, prefix)
            if fid in self._made:
                self._made.move_to_end(fid)
                continue
            ensure_folder(self._dynamodb, self._table, prefix, fid, now)
            self._made[fid] = None
            if len(self._made) > REMEMBERED_FOLDERS:
                self._made.popitem(last=False)


def ensure_folder(dynamodb: Any, table: str, prefix: str, fid: str, now: str) -> None:
    """One folder item, unless it exists (an existing one is left exactly as it is)."""
    item = {
        "pk": {"S": fid},
        "sk": {"S": FOLDER_SK},
        "prefix": {"S": prefix},
        "parentFolder": {"S": folder_path(parent_prefix(prefix[:-1]))},
        # Not `name`: an index key may not be empty, and a folder's name can be ("a//" is inside "a/").
        "folderName": {"S": folder_name(prefix)},
        "createdAt": {"S": now},
        "updatedAt": {"S": now},
    }
    # Made before (by an earlier upload beneath it, or another process): nothing to do.
    with contextlib.suppress(dynamodb.exceptions.ConditionalCheckFailedException):
        dynamodb.put_item(TableName=table, Item=item, ConditionExpression="attribute_not_exists(pk)")


def folder_record(item: dict[str, Any]) -> Folder:
    return Folder(
        folder_id=item["pk"]["S"],
        prefix=item["prefix"]["S"],
        name=item["folderName"]["S"],
        created_at=item["createdAt"]["S"],
        updated_at=item["updatedAt"]["S"],
    )


def subfolders(dynamodb: Any, table: str, prefix: str, counter: Any) -> Iterator[Folder]:
    """Every folder item directly under `prefix` (empty ones too), by name, lazily; each item read is counted."""
    request: dict[str, Any] = {
        "TableName": table,
        "IndexName": SUBFOLDERS_INDEX,
        "KeyConditionExpression": "#parent = :parent",
        "ExpressionAttributeNames": {"#parent": "parentFolder"},
        "ExpressionAttributeValues": {":parent": {"S": folder_path(prefix)}},
    }
    while True:
        response = dynamodb.query(**request)
        counter.read(response["ScannedCount"])
        yield from (folder_record(item) for item in response["Items"])
        if "LastEvaluatedKey" not in response:
            return
        request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
