"""S3 notification records to ObjectEvents: keys decoded exactly, event kinds told apart, sequencers ordered
as S3 documents (right-pad the shorter with zeros, then compare as strings). Nothing else of a message is
taken: the ingest asks S3 about the key (tests/handlers)."""
from __future__ import annotations

from typing import Any
from urllib.parse import quote_plus

import pytest
from aws_lambda_powertools.utilities.data_classes.s3_event import S3EventRecord

from service.ingest.backfill import BACKFILL_SEQUENCER
from service.ingest.events import ObjectEvent, object_event
from service.storage.records import normalize_sequencer

from ..replay import replay_keys


def s3_record(event_name: str, key: str, **s3_object: Any) -> S3EventRecord:
    return S3EventRecord(
        {
            "eventName": event_name,
            "eventTime": "2025-01-01T00:00:00.000Z",
            "s3": {
                "bucket": {"name": "uploads"},
                "object": {"key": key, "sequencer": "0062B4F0A1C2D3E4F5", **s3_object},
            },
        }
    )


def created(encoded_key: str) -> ObjectEvent:
    return object_event(s3_record("ObjectCreated:Put", encoded_key, size=3, eTag="abc"))


@pytest.mark.parametrize(
    ("encoded", "key"),
    [
        ("photos/Canon+40D.jpg", "photos/Canon 40D.jpg"),
        ("a%2Bb.png", "a+b.png"),
        ("a%20b.png", "a b.png"),
        ("100%25+done.png", "100% done.png"),
        ("caf%C3%A9/%E5%86%99%E7%9C%9F+1.gif", "café/写真 1.gif"),
        ("literal%252B.png", "literal%2B.png"),
    ],
)
def test_keys_are_decoded_as_s3_encodes_them(encoded: str, key: str) -> None:
    assert created(encoded).key == key


@pytest.mark.parametrize("key", replay_keys("dir with space/", 6))
def test_any_key_survives_s3s_encoding(key: str) -> None:
    assert created(quote_plus(key, safe="/")).key == key


def test_an_event_names_its_bucket_key_sequencer_kind_and_version_and_nothing_else() -> None:
    event = object_event(s3_record("ObjectCreated:Put", "k", size=7, eTag="e1", versionId="v1"))

    assert event == ObjectEvent(bucket="uploads", key="k", sequencer="0062B4F0A1C2D3E4F5", name="ObjectCreated:Put",
                                version_id="v1")
    assert not event.removed
    # An unversioned bucket's events name no version (or the literal "null").
    assert object_event(s3_record("ObjectCreated:Put", "k", versionId="null")).version_id is None


@pytest.mark.parametrize("event_name", ["ObjectRemoved:Delete", "ObjectRemoved:DeleteMarkerCreated",
                                        "LifecycleExpiration:Delete", "LifecycleExpiration:DeleteMarkerCreated"])
def test_removals_are_told_apart_from_creations(event_name: str) -> None:
    assert object_event(s3_record(event_name, "expired/photo.jpg", versionId="v1")).removed


@pytest.mark.parametrize(
    ("older", "newer"),
    [
        ("0062B4F0A1C2D3E4F5", "0062B4F0A1C2D3E4F6"),
        ("0062B4F0A1C2D3E4F5", "0062B4F0A1C2D3E4F501"),  # longer, same start: later
        ("0F", "1"),  # right-padded, "1" is "10": later, though 1 < 15 as numbers
        ("00FFFFFFFFFFFFFFFFFF", "0100"),
        (BACKFILL_SEQUENCER, "0000000000000001"),  # the backfill's is below any S3 issues
    ],
)
def test_sequencers_of_different_lengths_order_as_s3_documents(older: str, newer: str) -> None:
    assert normalize_sequencer(older) < normalize_sequencer(newer)


@pytest.mark.parametrize(("one", "same"), [("00abc", "00ABC"), ("A", "A0"), ("5E", "5E000000")])
def test_sequencers_equal_after_padding_are_the_same_event(one: str, same: str) -> None:
    assert normalize_sequencer(one) == normalize_sequencer(same)


@pytest.mark.parametrize("malformed", ["", "  ", "not-hex", "0x12", "1" * 33])
def test_malformed_sequencers_are_refused(malformed: str) -> None:
    with pytest.raises(ValueError, match="not an S3 sequencer"):
        normalize_sequencer(malformed)
