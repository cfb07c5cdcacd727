"""Metadata and embeddedMetadata larger than a DynamoDB item (400 KB) are stored whole, come back unchanged,
and only as written."""
from __future__ import annotations

import io
import json
import random
import string
import struct
import time
import zlib
from collections.abc import Callable
from functools import cache
from types import SimpleNamespace
from typing import Any

import pytest
from PIL import Image

from imagemeta import embedded_metadata, extract
from library.annotations import FromBucket
from library.records import Extraction
from service.storage.docs import DICTIONARY, dictionary, inflate
from service.storage.items import thumbnail_of
from service.storage.library_pages import Batch
from service.storage.objects import ObjectState
from service.storage.overflow import MAX_BODY_BYTES, CorruptRecordBody
from service.storage.records import file_id

from ..records import record_store
from .conftest import BUCKET, TABLE, lambda_context, load_event, upload_event

KEY = "photos/Canon 40D.jpg"  # the key events/file_by_path.json looks up
# Eight IFD0 ASCII tags (ImageDescription, Make, Model, Software, Artist, HostComputer, Copyright, DocumentName).
ASCII_TAGS = (0x010E, 0x010F, 0x0110, 0x0131, 0x013B, 0x013C, 0x8298, 0x010D)


def exif_with_text(chars_per_tag: int, seed: int) -> bytes:
    """A little-endian TIFF block whose IFD0 holds long random printable strings (hard to compress)."""
    rng = random.Random(seed)
    values = [("".join(rng.choices(string.ascii_letters + string.digits + string.punctuation, k=chars_per_tag)) + "\0").encode() for _ in ASCII_TAGS]
    entries_at = 8
    data_at = entries_at + 2 + 12 * len(ASCII_TAGS) + 4
    entries, data = b"", b""
    for tag, value in zip(ASCII_TAGS, values, strict=True):
        entries += struct.pack("<HHLL", tag, 2, len(value), data_at + len(data))
        data += value
    return b"II*\0" + struct.pack("<L", entries_at) + struct.pack("<H", len(ASCII_TAGS)) + entries + b"\0\0\0\0" + data


@cache  # the parametrized tests share a seed
def exif_with_numbers(seed: int) -> bytes:
    """A little-endian TIFF block whose IFD0 holds as many random SRATIONALs as the parser decodes (hard to compress)."""
    rng = random.Random(seed)
    tags, per_tag = ASCII_TAGS[:2], 0xFFFF  # 2 x 65535 values: just inside the parser's budget for one block
    entries_at = 8
    data_at = entries_at + 2 + 12 * len(tags) + 4
    entries, data = b"", b""
    for tag in tags:
        entries += struct.pack("<HHLL", tag, 10, per_tag, data_at + len(data))
        # Numerators and denominators from 1 to 2**30, drawn as one block of bytes (randint per number: 1.5 s).
        drawn = struct.unpack(f"<{2 * per_tag}I", rng.randbytes(8 * per_tag))
        data += struct.pack(f"<{2 * per_tag}i", *((number & 0x3FFFFFFF) + 1 for number in drawn))
    return b"II*\0" + struct.pack("<L", entries_at) + struct.pack("<H", len(tags)) + entries + b"\0\0\0\0" + data


@cache
def zlib_bomb(mebibytes: int) -> bytes:
    """A zlib stream of that many MiB of zero bytes, about 1,000 times smaller.

    Built from one compressed MiB repeated (a full flush leaves each MiB's blocks independent of the ones before,
    so every copy is alike) instead of compressing the whole: zlib.compress of 1 GiB takes 9 s here, this 0.5 s.
    """
    mib = b"\0" * (1 << 20)
    compressor = zlib.compressobj(9)
    first = compressor.compress(mib) + compressor.flush(zlib.Z_FULL_FLUSH)  # the stream's header and the first MiB
    each_next = compressor.compress(mib) + compressor.flush(zlib.Z_FULL_FLUSH)
    checksum = 1
    for _ in range(mebibytes):
        checksum = zlib.adler32(mib, checksum)
    final_empty_block = b"\x03\x00"
    return first + each_next * (mebibytes - 1) + final_empty_block + checksum.to_bytes(4, "big")


def png_with_exif(exif: bytes) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 12), (10, 200, 30)).save(buffer, "PNG", exif=exif)
    return buffer.getvalue()


def ingest(aws: SimpleNamespace, body: bytes, sequencer: str) -> None:
    aws.s3.put_object(Bucket=BUCKET, Key=KEY, Body=body)
    assert aws.ingest(upload_event(KEY, body, sequencer), lambda_context()) == {"batchItemFailures": []}


def stored_record(aws: SimpleNamespace) -> dict:
    """The one file record of the table (its folder's item and library page aside)."""
    (record,) = [item for item in aws.dynamodb.scan(TableName=TABLE)["Items"] if "ckey" in item]
    return record


def spilled(record: dict) -> list[str]:
    """The bucket key of the document a record keeps in the bucket, if it spilled it."""
    return [record["docRef"]["S"]] if "docRef" in record else []


# The routes that read a record's document: by path (its metadata), details (its embeddedMetadata).
READERS = ("file_by_path.json", "file_details.json")


def overflow_objects(aws: SimpleNamespace, prefix: str = "_imagemeta/records/") -> list[str]:
    listed = aws.s3.list_objects_v2(Bucket=BUCKET, Prefix=prefix).get("Contents", [])
    return [item["Key"] for item in listed]


def test_metadata_over_400_kb_is_stored_whole_and_released_when_replaced(aws: SimpleNamespace) -> None:
    image = png_with_exif(exif_with_numbers(seed=1))
    expected = extract(image)
    assert len(json.dumps(expected)) > 400 * 1024
    ingest(aws, image, "0062B4F0A1C2D3E4F5")

    stored = stored_record(aws)
    assert spilled(stored) and overflow_objects(aws) == spilled(stored)
    response = aws.files(load_event("file_by_path.json"), lambda_context())
    assert response["statusCode"] == 200
    assert json.dumps(json.loads(response["body"])["metadata"]) == json.dumps(expected)
    details = aws.files(load_event("file_details.json"), lambda_context())
    assert json.loads(details["body"])["embeddedMetadata"] == embedded_metadata(image)

    # A newer, small version of the object replaces the record, and its spilled body is deleted.
    small = png_with_exif(exif_with_text(10, seed=2))
    ingest(aws, small, "0062B4F0A1C2D3E4F6")
    assert overflow_objects(aws) == []
    response = aws.files(load_event("file_by_path.json"), lambda_context())
    assert json.loads(response["body"])["metadata"] == extract(small)


def test_a_stale_large_event_leaves_nothing_behind(aws: SimpleNamespace) -> None:
    large = png_with_exif(exif_with_numbers(seed=4))
    aws.s3.put_object(Bucket=BUCKET, Key=KEY, Body=large)
    small = png_with_exif(exif_with_text(10, seed=3))
    ingest(aws, small, "0062B4F0A1C2D3E4F9")
    # The large version's event comes late: S3 holds the small one now, which is what the record keeps.
    assert aws.ingest(upload_event(KEY, large, "0062B4F0A1C2D3E4F5"), lambda_context()) == {"batchItemFailures": []}
    assert overflow_objects(aws) == []
    # Nor a thumbnail: the one there is the record's.
    assert overflow_objects(aws, "_imagemeta/thumbnails/") == [thumbnail_of(stored_record(aws))]
    response = aws.files(load_event("file_by_path.json"), lambda_context())
    assert json.loads(response["body"])["metadata"] == extract(small)


def large_write(aws: SimpleNamespace, dynamodb: object, image: bytes) -> bool:
    """The record store's write of this image's extraction, as the ingest makes it."""
    state = ObjectState(key=KEY, size=len(image), etag="e", version_id=None, last_modified="2026-01-01T00:00:00.000Z")
    extraction = Extraction(extract(image), embedded_metadata(image))
    store = record_store(dynamodb, aws.s3, TABLE, BUCKET)
    return store.write_file(state, extraction, FromBucket(), "0062B4F0A1C2D3E4F5", Batch()).written


def test_a_second_delivery_of_a_large_record_keeps_the_stored_body(aws: SimpleNamespace) -> None:
    """Two deliveries of one event that both pass the freshness check (concurrent invocations) both spill."""
    image = png_with_exif(exif_with_numbers(seed=5))
    assert large_write(aws, aws.dynamodb, image) is True
    assert large_write(aws, aws.dynamodb, image) is False

    stored = stored_record(aws)
    assert spilled(stored) and overflow_objects(aws) == spilled(stored)
    record = record_store(aws.dynamodb, aws.s3, TABLE, BUCKET).file(file_id(BUCKET, KEY))
    assert json.dumps(record.metadata()) == json.dumps(extract(image))


class FailingWrites:
    """A DynamoDB client whose writes fail as throttling does; everything else passes through."""

    def __init__(self, dynamodb: Any) -> None:
        self._dynamodb = dynamodb
        self.exceptions = dynamodb.exceptions

    def put_item(self, **_: object) -> None:
        raise RuntimeError("ProvisionedThroughputExceededException")

    transact_write_items = put_item

    def __getattr__(self, name: str) -> object:
        return getattr(self._dynamodb, name)


def test_a_failed_write_leaves_no_spilled_body(aws: SimpleNamespace) -> None:
    with pytest.raises(RuntimeError):
        large_write(aws, FailingWrites(aws.dynamodb), png_with_exif(exif_with_numbers(seed=6)))
    assert overflow_objects(aws) == []


def test_a_record_whose_spilled_body_was_removed_answers_404_not_500(aws: SimpleNamespace) -> None:
    ingest(aws, png_with_exif(exif_with_numbers(seed=7)), "0062B4F0A1C2D3E4F5")
    (key,) = spilled(stored_record(aws))
    aws.s3.delete_object(Bucket=BUCKET, Key=key)  # the bucket is writable by others
    for reader in READERS:
        response = aws.files(load_event(reader), lambda_context())
        assert response["statusCode"] == 404
        assert json.loads(response["body"])["message"] == "The requested file does not exist or is inaccessible at this time."


@pytest.mark.parametrize(
    "forged",
    [
        # Other metadata, as an attacker who can write the bucket would put there.
        pytest.param(lambda body: zlib.compress(b'{"pHash": "0000000000000000", "forged": true}'), id="other-metadata"),
        # A zlib bomb: 1 MB that inflates to 1 GB.
        pytest.param(lambda body: zlib_bomb(1024), id="zlib-bomb"),
        # Larger than any body the service writes.
        pytest.param(lambda body: body + b"\0" * (7 << 20), id="oversized"),
    ],
)
def test_a_replaced_spilled_body_is_a_logged_500_never_served(
    aws: SimpleNamespace, forged: Callable[[bytes], bytes], caplog: pytest.LogCaptureFixture
) -> None:
    ingest(aws, png_with_exif(exif_with_numbers(seed=8)), "0062B4F0A1C2D3E4F5")
    (key,) = spilled(stored_record(aws))
    original = aws.s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()
    aws.s3.put_object(Bucket=BUCKET, Key=key, Body=forged(original))
    for reader in READERS:
        caplog.clear()
        started = time.monotonic()
        response = aws.files(load_event(reader), lambda_context())
        assert response["statusCode"] == 500
        assert "forged" not in response["body"] and set(json.loads(response["body"])) == {"message", "help"}
        assert time.monotonic() - started < 5  # no inflation of the bomb
        # The function's log names the fault, with its traceback.
        assert [r.exc_info[0] for r in caplog.records if r.exc_info] == [CorruptRecordBody]


def deflated(text: bytes) -> bytes:
    """Text deflated with the documents' dictionary, as docs.encode does."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 15, 9, zlib.Z_DEFAULT_STRATEGY, dictionary(DICTIONARY))
    return compressor.compress(text) + compressor.flush()


def test_inline_compressed_documents_inflate_within_the_bound() -> None:
    assert inflate(deflated(b'{"a": 1}'), DICTIONARY) == b'{"a": 1}'
    with pytest.raises(CorruptRecordBody):
        inflate(deflated(b"\0" * (MAX_BODY_BYTES + 1)), DICTIONARY)
    with pytest.raises(CorruptRecordBody):
        inflate(deflated(b'{"a": 1}')[:-3], DICTIONARY)


def test_the_zlib_bomb_inflates_to_what_it_says() -> None:
    assert zlib.decompress(zlib_bomb(4)) == b"\0" * (4 << 20)
    assert len(zlib_bomb(1024)) < (1 << 30) // 1000
