"""Replays of uploads: random puts, overwrites and deletes on awkward keys, and the check that the records
then equal the bucket, key for key. Used against the local stack and against the handlers on moto."""
from __future__ import annotations

import io
import json
import random
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import quote_plus, unquote_plus

from PIL import Image

from imagemeta import NotAnImage, extract
from service.storage.items import object_key
from service.storage.records import file_id

from .records import record_store

# Spaces (`+` in notifications), a literal `+`, percent signs and escapes, and non-ASCII, in every key.
AWKWARD_NAMES = ("photo {n}.jpg", "a+b {n}.png", "100% {n}", "%2B and %20 {n}", "café {n}.webp", "写真 {n}.gif")
IMAGE_FORMATS = ("PNG", "JPEG", "GIF", "WEBP", "BMP")
# Of the puts, this share writes bytes that are not an image.
NON_IMAGE_SHARE = 0.1
DELETE_SHARE = 0.25
# Of the operations on a versioned key, this share deletes one version (or delete marker) for good.
VERSION_DELETE_SHARE = 0.15

T = TypeVar("T")


def replay_keys(prefix: str, count: int) -> list[str]:
    return [prefix + AWKWARD_NAMES[n % len(AWKWARD_NAMES)].format(n=n) for n in range(count)]


def random_body(rng: random.Random) -> bytes:
    """A small image of a random format, size and colour, or now and then bytes that are no image."""
    if rng.random() < NON_IMAGE_SHARE:
        return f"not an image {rng.random()}\n".encode()
    buffer = io.BytesIO()
    colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
    Image.new("RGB", (rng.randint(4, 40), rng.randint(4, 40)), colour).save(buffer, rng.choice(IMAGE_FORMATS))
    return buffer.getvalue()


@dataclass(frozen=True)
class Operation:
    """One S3 request of a replay and S3's answer to it."""

    event_name: str
    key: str
    response: dict[str, Any]
    size: int = 0


@dataclass
class Uploader:
    """Runs random operations on a bucket, keeping track of which keys exist and which have versions."""

    s3: Any
    bucket: str
    rng: random.Random
    versioned: bool = False
    live: set[str] = field(default_factory=set)
    with_versions: set[str] = field(default_factory=set)

    def run(self, keys: list[str], count: int) -> list[Operation]:
        return [self.step(self.rng.choice(keys)) for _ in range(count)]

    def step(self, key: str) -> Operation:
        """A put, or sometimes a delete of an existing key or (versioned) of one of its versions or markers."""
        if key in self.with_versions and self.rng.random() < VERSION_DELETE_SHARE:
            return self._delete_one_version(key)
        if key in self.live and self.rng.random() < DELETE_SHARE:
            response = self.s3.delete_object(Bucket=self.bucket, Key=key)
            self.live.discard(key)
            name = "ObjectRemoved:DeleteMarkerCreated" if self.versioned else "ObjectRemoved:Delete"
            return Operation(name, key, response)
        body = random_body(self.rng)
        response = self.s3.put_object(Bucket=self.bucket, Key=key, Body=body)
        self.live.add(key)
        if self.versioned:
            self.with_versions.add(key)
        return Operation("ObjectCreated:Put", key, response, len(body))

    def _delete_one_version(self, key: str) -> Operation:
        listed = self.s3.list_object_versions(Bucket=self.bucket, Prefix=key)
        versions = [v for v in listed.get("Versions", []) + listed.get("DeleteMarkers", []) if v["Key"] == key]
        chosen = self.rng.choice(versions)["VersionId"]
        response = self.s3.delete_object(Bucket=self.bucket, Key=key, VersionId=chosen)
        if len(versions) == 1:
            self.with_versions.discard(key)
        # Whichever went, an older version may be current now, or a delete marker, or nothing.
        if exists(self.s3, self.bucket, key):
            self.live.add(key)
        else:
            self.live.discard(key)
        return Operation("ObjectRemoved:Delete", key, response)


def s3_notification(bucket: str, operation: Operation, sequencer: str) -> dict[str, Any]:
    """The notification S3 sends for an operation on a versioned bucket (moto sends none of these)."""
    s3_object: dict[str, Any] = {
        "key": quote_plus(operation.key, safe="/"),
        "versionId": operation.response["VersionId"],
        "sequencer": sequencer,
    }
    if operation.event_name.startswith("ObjectCreated"):
        s3_object.update(size=operation.size, eTag=operation.response["ETag"].strip('"'))
    return {
        "Records": [
            {
                "eventVersion": "2.1",
                "eventSource": "aws:s3",
                "eventTime": "2025-01-01T00:00:00.000Z",
                "eventName": operation.event_name,
                "s3": {"s3SchemaVersion": "1.0", "bucket": {"name": bucket}, "object": s3_object},
            }
        ]
    }


def deliveries(messages: list[T], rng: random.Random) -> list[T]:
    """At-least-once, unordered delivery: each message 1-3 times, all shuffled."""
    copies = [message for message in messages for _ in range(rng.randint(1, 3))]
    rng.shuffle(copies)
    return copies


def newest_sequencers(bodies: list[str]) -> dict[str, str]:
    """Each key's sequencer in its last notification (bodies in the order S3 sent them), S3's test event aside."""
    newest = {}
    for body in bodies:
        for record in json.loads(body).get("Records", []):
            s3_object = record["s3"]["object"]
            newest[unquote_plus(s3_object["key"])] = s3_object["sequencer"]
    return newest


def scan_items(dynamodb: Any, table: str) -> list[dict[str, Any]]:
    return [item for page in dynamodb.get_paginator("scan").paginate(TableName=table) for item in page["Items"]]


def assert_records_match_bucket(
    s3: Any, dynamodb: Any, bucket: str, table: str, newest: dict[str, str], versioned: bool = False
) -> None:
    """The keys `newest` names: a record for each key in the bucket and for no other (tombstones aside), with
    the object's ETag, size (and version) and the metadata extracted from its bytes now, or the stored
    error for a non-image. (Which event wrote a record does not matter: every write is S3's state.)"""
    items = {object_key(item): item for item in scan_items(dynamodb, table)
             if item["sk"]["S"] == "F" and "kind" not in item and object_key(item) in newest}
    in_bucket = {key for key in newest if exists(s3, bucket, key)}
    assert {key for key, item in items.items() if "deleted" not in item} == in_bucket
    store = record_store(dynamodb, s3, table, bucket)
    for key in in_bucket:
        current = s3.get_object(Bucket=bucket, Key=key)
        data = current["Body"].read()
        item = items[key]
        assert (item["etag"]["S"], int(item["size"]["N"])) == (current["ETag"].strip('"'), len(data)), key
        if versioned:
            assert item["vid"]["S"] == current["VersionId"], key
        try:
            expected = json.loads(json.dumps(extract(data)))
        except NotAnImage:
            stored = store.file(file_id(bucket, key)).error
            assert stored is not None and isinstance(stored.error(), NotAnImage), key
        else:
            assert store.file(file_id(bucket, key)).metadata() == expected, key


def assert_kept_versions_match_bucket(s3: Any, dynamodb: Any, bucket: str, table: str, keys: list[str]) -> None:
    """For each live key, a kept-version item for exactly each version S3 holds besides the current one, with that
    version's ETag and size, numbered below the current record in S3's order of versions."""
    items = scan_items(dynamodb, table)
    for key in keys:
        if not exists(s3, bucket, key):
            continue
        fid = file_id(bucket, key)
        listed = s3.list_object_versions(Bucket=bucket, Prefix=key)
        versions = [v for v in listed.get("Versions", []) if v["Key"] == key]  # newest first
        kept = {item["sk"]["S"][2:]: item for item in items if item["pk"]["S"] == fid and item["sk"]["S"].startswith("V#")}
        current = next(v for v in versions if v["IsLatest"])
        noncurrent = [v for v in versions if not v["IsLatest"]]
        assert set(kept) == {v["VersionId"] for v in noncurrent}, key
        for version in noncurrent:
            item = kept[version["VersionId"]]
            assert (item["etag"]["S"], int(item["size"]["N"])) == (version["ETag"].strip('"'), version["Size"]), key
        record = next(item for item in items if item["pk"]["S"] == fid and item["sk"]["S"] == "F")
        assert record["vid"]["S"] == current["VersionId"], key
        numbers = [int(kept[v["VersionId"]].get("vnum", {"N": "1"})["N"]) for v in reversed(noncurrent)]
        assert numbers == sorted(set(numbers)) and all(n < int(record.get("vnum", {"N": "1"})["N"]) for n in numbers), key


def exists(s3: Any, bucket: str, key: str) -> bool:
    """Whether the key has a current object (HeadObject)."""
    try:
        s3.head_object(Bucket=bucket, Key=key)
    except s3.exceptions.ClientError as error:
        if error.response["Error"]["Code"] in ("404", "NoSuchKey"):
            return False
        raise
    return True
