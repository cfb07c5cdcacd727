"""Folder items: one per folder, so folders are listed beside files and stay listed while empty.

S3 has no folders, only keys with "/" in them. The hosted library keeps folders as things of their own: made by
an upload beneath them or by POST /v1/folder, listed while empty, gone only when deleted (DELETE /v1/folder, or
a move or rename of the folder). So each folder gets an item in the records table (kind "folder", keyed by
folder_id), written before the first record beneath it and for every folder marker (a key ending in "/", what
POST /v1/folder and S3 consoles write): an idempotent conditional put, so creating it twice changes nothing. A
listing shows every folder item: it checks nothing, so folders emptied by deletes cost a listing one index row
each, like any folder. Folder jobs delete the items of the folders they delete or move (delete_subtree).

The ingest makes sure of the items above each new key with one consistent BatchGetItem and puts only the
missing ones; it remembers none between keys, since a folder job may have deleted an item a moment ago, and a
file must never sit in a folder its parent does not list. The `subfolders` index (template.yaml: hash
`parentFolder`, range `prefix`, which orders siblings by name) gives a folder's sub-folders. A folder item's
`pk` is its folderId and its `sk` FOLDER_SK; createdAt and updatedAt are when it was made.
"""
from __future__ import annotations

import contextlib
import hashlib
import time
from collections.abc import Iterator
from typing import Any

from library.paths import ancestor_prefixes, folder_name, folder_path, parent_prefix
from library.records import Folder

from .batch import batch_get

FOLDER_SK = "D"
SUBFOLDERS_INDEX = "subfolders"
# Folders deeper than this are not listed as folders (their files still are, in their folder's listing).
MAX_FOLDER_DEPTH = 100
# BatchWriteItem takes 25 requests.
BATCH_WRITE_ITEMS = 25
UNPROCESSED_RETRIES = 5


def folder_id(bucket: str, prefix: str) -> str:
    """A folder's id: 24 hex digits, from a hash that no file's id (SHA-256 of "<bucket>/<key>") can share."""
    return hashlib.sha256(f"folder:{bucket}/{prefix}".encode()).hexdigest()[:24]


def folder_key(fid: str) -> dict[str, Any]:
    return {"pk": {"S": fid}, "sk": {"S": FOLDER_SK}}


class FolderItems:
    """Creates, reads and deletes folder items; the DynamoDB client is passed in."""

    def __init__(self, dynamodb: Any, table: str, bucket: str):
        self._dynamodb = dynamodb
        self._table = table
        self._bucket = bucket

    def ensure(self, key: str, now: str, known: set[str] | None = None) -> None:
        """The folder items above a key (and of a folder marker's own folder), created where missing.

        `known`: ids of folders found or made moments ago (an ingest batch's), not read again, and added to. A
        folder emptied and deleted within that moment could be left without its item, as it could between
        the read and this write: the window is one batch, a few seconds."""
        known = set() if known is None else known
        above = {folder_id(self._bucket, prefix): prefix for prefix in ancestor_prefixes(key)[:MAX_FOLDER_DEPTH]}
        prefixes = {fid: prefix for fid, prefix in above.items() if fid not in known}
        if not prefixes:
            return
        found, _ = batch_get(self._dynamodb, self._table, [folder_key(fid) for fid in prefixes], consistent=True)
        present = {item["pk"]["S"] for item in found}
        for fid, prefix in prefixes.items():
            if fid not in present:
                ensure_folder(self._dynamodb, self._table, prefix, fid, now)
        known.update(prefixes)

    def exists(self, prefix: str) -> bool:
        """Whether the folder of this prefix has its item (strongly consistent)."""
        key = folder_key(folder_id(self._bucket, prefix))
        return "Item" in self._dynamodb.get_item(TableName=self._table, Key=key, ConsistentRead=True)

    def subtree(self, prefix: str) -> list[Folder]:
        """The folder items of a folder and of every folder below it, level by level (the index is eventually
        consistent: a folder made a moment ago may be missing)."""
        found: list[Folder] = []
        own = self._dynamodb.get_item(TableName=self._table, Key=folder_key(folder_id(self._bucket, prefix)),
                                      ConsistentRead=True).get("Item")
        if own is not None:
            found.append(folder_record(own))
        level = [prefix]
        while level:
            below = [entry for parent in level for entry in subfolders(self._dynamodb, self._table, parent, None)]
            found.extend(below)
            level = [entry.prefix for entry in below]
        return found

    def delete(self, prefixes: list[str]) -> None:
        """Delete the items of these folders (BatchWriteItem, unprocessed requests retried)."""
        requests = [{"DeleteRequest": {"Key": folder_key(folder_id(self._bucket, prefix))}} for prefix in prefixes]
        for start in range(0, len(requests), BATCH_WRITE_ITEMS):
            batch_write(self._dynamodb, self._table, requests[start : start + BATCH_WRITE_ITEMS])


def batch_write(dynamodb: Any, table: str, requests: list[dict[str, Any]]) -> None:
    """One BatchWriteItem of at most 25 requests, retrying what DynamoDB leaves unprocessed."""
    pending = requests
    for attempt in range(UNPROCESSED_RETRIES + 1):
        response = dynamodb.batch_write_item(RequestItems={table: pending})
        pending = response.get("UnprocessedItems", {}).get(table, [])
        if not pending:
            return
        time.sleep(0.05 * 2**attempt)  # throttled: back off before writing the rest
    raise RuntimeError(f"BatchWriteItem left requests unprocessed after {UNPROCESSED_RETRIES} retries")


def ensure_folder(dynamodb: Any, table: str, prefix: str, fid: str, now: str) -> None:
    """One folder item, unless it exists (an existing one is left exactly as it is)."""
    item = {
        **folder_key(fid),
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
    """Every folder item directly under `prefix`, by name, lazily; each item read is counted (when counted)."""
    request: dict[str, Any] = {
        "TableName": table,
        "IndexName": SUBFOLDERS_INDEX,
        "KeyConditionExpression": "#parent = :parent",
        "ExpressionAttributeNames": {"#parent": "parentFolder"},
        "ExpressionAttributeValues": {":parent": {"S": folder_path(prefix)}},
    }
    while True:
        response = dynamodb.query(**request)
        if counter is not None:
            counter.read(response["ScannedCount"])
        yield from (folder_record(item) for item in response["Items"])
        if "LastEvaluatedKey" not in response:
            return
        request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
