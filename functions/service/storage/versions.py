"""A file's kept versions: one item each beside its record, so versions answer with their own facts and metadata.

In a bucket that keeps versions, each version of a file that stops being current (another replaced it, or a
delete marker hid it) keeps its record as an item of its own: `pk` the fileId, `sk` "V#<versionId>", the
record's attributes as they were (its document, its annotations, `vnum`, the N of "Version N"), minus what
only the current record has (its write order and revision, its library page, the similar-image bands). Its
`folder` is the file's folder path behind VERSIONS_PARTITION ("v:/album/"), so the folder index lists a
folder's kept versions (GET /v1/files?type=file-version) in a partition of their own, never among its files.
The ingest writes and deletes these items as S3's versions come and go (service/storage/records.py).
"""
from __future__ import annotations

from typing import Any

from .items import VERSIONS_PARTITION
from .similar_index import BAND_ATTRIBUTES

VERSION_SK_PREFIX = "V#"
# What only a current record has.
CURRENT_ONLY = ("ord", "rev", "page", "expiresAt", *BAND_ATTRIBUTES)

Item = dict[str, Any]


def version_key(fid: str, version_id: str) -> Item:
    return {"pk": {"S": fid}, "sk": {"S": VERSION_SK_PREFIX + version_id}}


def versions_partition(folder: str) -> str:
    """The folder index partition of a folder's kept versions (a folder path starts with "/": no clash)."""
    return VERSIONS_PARTITION + folder


def version_item(item: Item) -> Item:
    """The kept-version item of a live file's record item (or of one written as a version)."""
    kept = {name: value for name, value in item.items() if name not in CURRENT_ONLY}
    kept.update(version_key(item["pk"]["S"], item["vid"]["S"]))
    kept["folder"] = {"S": versions_partition(item["folder"]["S"])}
    return kept
