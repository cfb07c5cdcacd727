"""The similar-image routes invoked in-process against moto: exact answers, paging, the index kept by ingest.

Each search is checked in both of the deployment's modes (SimilarIndex): `scan`, the default, compares the
library pages' hashes; `bands` reads the band indexes the records enter.
"""
from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from moto import mock_aws
from moto.dynamodb.models.table import Table

from handlers import files
from handlers.settings import FilesSettings
from imagemeta import extract
from imagemeta.similar import MAX_DISTANCE, bands
from service.storage.library_pages import Pages
from service.storage.records import RecordStore, file_id
from service.storage.similar_index import BAND_ATTRIBUTES, SimilarIndex

from ..moto_band_lookup import band_lookup_for_moto, moto_table, replace_moto_table
from ..paths import IMAGES
from ..records import image_metadata, record_store, write_record
from ..synthetic_hashes import HashSet, planted_hashes
from .conftest import (
    BUCKET,
    SEARCH_MAX_RECORDS,
    TABLE,
    create_table_from_template,
    lambda_context,
    load_event,
    upload_event,
)

pytestmark = pytest.mark.scenarios  # 600 records, every search checked by brute force: make test

CANON = IMAGES / "exif-samples" / "jpg" / "Canon_40D.jpg"
KEY = "photos/Canon 40D.jpg"  # the key of the ingest events in events/


@pytest.fixture(scope="module", params=["scan", "bands"])
def similar_bands(request: pytest.FixtureRequest) -> bool:
    """One of the deployment's SimilarIndex modes: `bands` reads the band indexes, `scan` the library pages."""
    return request.param == "bands"


@pytest.fixture()
def searching(aws: SimpleNamespace, similar_bands: bool) -> SimpleNamespace:
    """The deployment in one SimilarIndex mode: its files function, and records written as its ingest writes."""
    settings = FilesSettings(BUCKET, TABLE, SEARCH_MAX_RECORDS, 3600, similar_bands=similar_bands)
    aws.files = files.build(settings, aws.clients)
    aws.store = records(aws, similar_bands)
    return aws


@pytest.fixture(scope="module")
def stored_hash_set(moto_clients: SimpleNamespace, similar_bands: bool) -> tuple[HashSet, Table]:
    """600 records written as the mode's ingest writes them: 8 queries with near-duplicates planted at every
    distance, the rest uniform. Written once per mode (600 record and page writes on moto take seconds), and
    moto's table kept for each test."""
    hashes = planted_hashes(total=600, queries=8, seed=3, bucket=BUCKET)
    with mock_aws():
        create_table_from_template(moto_clients.dynamodb)
        store = record_store(moto_clients.dynamodb, moto_clients.s3, TABLE, BUCKET, similar_bands)
        writer = SimpleNamespace(dynamodb=moto_clients.dynamodb, store=store)
        for n, (fid, phash) in enumerate(hashes.files):
            assert synthetic(writer, hashes.paths[fid], n + 1, phash)
        return hashes, moto_table(TABLE)


@pytest.fixture()
def hash_set(searching: SimpleNamespace, stored_hash_set: tuple[HashSet, Table]) -> Iterator[HashSet]:
    """The 600 records as this test's table; the tests only read them, so moto's band lookup may answer."""
    hashes, table = stored_hash_set
    replace_moto_table(TABLE, table)
    with band_lookup_for_moto(TABLE):
        yield hashes


def records(aws: SimpleNamespace, bands: bool = False) -> RecordStore:
    return record_store(aws.dynamodb, aws.s3, TABLE, BUCKET, bands)


def synthetic(aws: SimpleNamespace, key: str, sequence: int, phash: str) -> bool:
    """A record of an image with this hash, as the ingest writes it."""
    metadata = image_metadata(1, 1, 1, phash)
    return write_record(aws.store, Pages(aws.dynamodb, TABLE), key, sequence, metadata=metadata) is not None


def api_event(path: str, query: dict[str, str] | None = None, file_id_: str | None = None) -> dict[str, Any]:
    """An API Gateway proxy event for a similar route, shaped as the files in events/."""
    event = copy.deepcopy(load_event("file_metadata.json"))
    resource = "/v1/files/{fileId}/similar" if file_id_ else "/v1/similar"
    event.update(
        resource=resource,
        path=path,
        pathParameters={"fileId": file_id_} if file_id_ else None,
        queryStringParameters=query,
        multiValueQueryStringParameters={k: [v] for k, v in query.items()} if query else None,
    )
    event["requestContext"].update(resourcePath=resource, path=f"/api{path}")
    return event


def get(aws: SimpleNamespace, event: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    response = aws.files(event, lambda_context())
    return response["statusCode"], json.loads(response["body"])


def by_hash(aws: SimpleNamespace, phash: str, **query: str) -> tuple[int, dict[str, Any]]:
    return get(aws, api_event("/v1/similar", {"pHash": phash, **query}))


def by_file(aws: SimpleNamespace, fid: str, **query: str) -> tuple[int, dict[str, Any]]:
    return get(aws, api_event(f"/v1/files/{fid}/similar", query or None, fid))


def all_pages(aws: SimpleNamespace, phash: str, **query: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        status, body = by_hash(aws, phash, **query, **({"cursor": cursor} if cursor else {}))
        assert status == 200, body
        items.extend(body["items"])
        cursor = body["next"]
        if cursor is None:
            return items


def test_search_by_hash_is_the_brute_force_answer(searching: SimpleNamespace, hash_set: HashSet) -> None:
    # Every planted distance 0..12 is inside the maximum radius; each radius's probes are checked against
    # brute force in tests/unit/test_similar.py (a search at 12 bits is 1,108 Queries, slow on moto).
    for query, max_distance in [(hash_set.queries[0], MAX_DISTANCE), (hash_set.queries[1], 4), (hash_set.queries[1], 0)]:
        status, body = by_hash(searching, query.upper(), maxDistance=str(max_distance), limit="100")
        assert status == 200
        assert body["next"] is None
        assert [(i["distance"], i["fileId"]) for i in body["items"]] == hash_set.brute_force(query, max_distance)
        assert all(hash_set.paths[i["fileId"]] == i["path"] for i in body["items"])
        assert all(dict(hash_set.files)[i["fileId"]] == i["pHash"] for i in body["items"])


def test_pages_joined_are_the_whole_answer_in_order(searching: SimpleNamespace, hash_set: HashSet) -> None:
    query = hash_set.queries[4]
    expected = hash_set.brute_force(query, 7)
    assert len(expected) > 20
    items = all_pages(searching, query, maxDistance="7", limit="5")
    assert [(i["distance"], i["fileId"]) for i in items] == expected


def test_search_by_file_leaves_out_the_file_itself_and_defaults_to_8_bits(searching: SimpleNamespace,
                                                                         hash_set: HashSet) -> None:
    query = hash_set.queries[5]
    own = next(fid for fid, phash in hash_set.files if phash == query)
    status, body = by_file(searching, own)
    assert status == 200
    assert [(i["distance"], i["fileId"]) for i in body["items"]] == hash_set.brute_force(query, 8, exclude=own)
    assert own not in {i["fileId"] for i in body["items"]}


def test_an_upload_enters_the_index_and_its_deletion_removes_it(aws: SimpleNamespace) -> None:
    aws.s3.put_object(Bucket=BUCKET, Key=KEY, Body=CANON.read_bytes())
    aws.ingest(load_event("ingest_put.json"), lambda_context())
    phash = extract(CANON)["pHash"]
    fid = file_id(BUCKET, KEY)
    status, body = by_hash(aws, phash, maxDistance="0")
    assert (status, body) == (200, {"items": [{"fileId": fid, "path": KEY, "pHash": phash, "distance": 0}], "next": None})
    assert by_file(aws, fid) == (200, {"items": [], "next": None})

    aws.s3.delete_object(Bucket=BUCKET, Key=KEY)
    aws.ingest(load_event("ingest_delete.json"), lambda_context())
    assert by_hash(aws, phash, maxDistance="0") == (200, {"items": [], "next": None})
    # The put, redelivered after the delete, is older: it neither restores the record nor its index entries.
    aws.ingest(load_event("ingest_put.json"), lambda_context())
    assert by_hash(aws, phash, maxDistance="0") == (200, {"items": [], "next": None})
    assert by_file(aws, fid)[0] == 404


def test_the_sample_events_find_a_copy_of_the_uploaded_file(aws: SimpleNamespace) -> None:
    copy_key = "photos/copy of Canon 40D.jpg"
    body = CANON.read_bytes()
    for key, sequencer in ((KEY, "0062B4F0A1C2D3E4F5"), (copy_key, "0062B4F0A1C2D3E4F7")):
        aws.s3.put_object(Bucket=BUCKET, Key=key, Body=body)
        assert aws.ingest(upload_event(key, body, sequencer), lambda_context()) == {"batchItemFailures": []}
    phash = extract(CANON)["pHash"]
    assert load_event("similar_to_hash.json")["queryStringParameters"]["pHash"] == phash
    copy_item = {"fileId": file_id(BUCKET, copy_key), "path": copy_key, "pHash": phash, "distance": 0}

    by_file_event = aws.files(load_event("similar_to_file.json"), lambda_context())
    assert json.loads(by_file_event["body"]) == {"items": [copy_item], "next": None}
    by_hash_event = json.loads(aws.files(load_event("similar_to_hash.json"), lambda_context())["body"])
    assert sorted(i["path"] for i in by_hash_event["items"]) == sorted([KEY, copy_key])


def test_an_overwrite_moves_the_file_to_its_new_hash_and_a_stale_event_does_not_move_it_back(
    searching: SimpleNamespace,
) -> None:
    old, new = "00000000ffffffff", "ffffffff00000000"
    assert synthetic(searching, "a.jpg", 1, old)
    assert synthetic(searching, "a.jpg", 3, new)
    assert not synthetic(searching, "a.jpg", 2, old)
    assert by_hash(searching, old, maxDistance="12")[1]["items"] == []
    assert [i["pHash"] for i in by_hash(searching, new, maxDistance="0")[1]["items"]] == [new]
    # The page entry of the old hash went with the overwrite: one entry is left for the file.
    assert [entry.phash for entry in Pages(searching.dynamodb, TABLE).all()] == [new]


class LaggingIndex:
    """A DynamoDB client whose band indexes still hold an entry of a record since deleted or rehashed."""

    def __init__(self, dynamodb: Any, stale: dict[str, str]):
        self._dynamodb = dynamodb
        self._stale = stale

    def query(self, **request: Any) -> dict[str, Any]:
        response = self._dynamodb.query(**request)
        value = request["ExpressionAttributeValues"][":value"]["S"]
        band = BAND_ATTRIBUTES.index(request["IndexName"])
        extra = [
            {"pk": {"S": fid}, "pHash": {"S": phash}} for fid, phash in self._stale.items() if bands(phash)[band] == value
        ]
        return {**response, "Items": response["Items"] + extra}

    def batch_get_item(self, **request: Any) -> dict[str, Any]:
        return self._dynamodb.batch_get_item(**request)


def test_index_entries_the_record_no_longer_holds_are_never_returned(aws: SimpleNamespace) -> None:
    aws.store = records(aws, bands=True)
    live, rehashed, deleted = "0123456789abcdef", "0123456789abcdee", "0123456789abcdec"
    synthetic(aws, "live.jpg", 1, live)
    synthetic(aws, "rehashed.jpg", 1, "fedcba9876543210")
    stale = {file_id(BUCKET, "rehashed.jpg"): rehashed, file_id(BUCKET, "deleted.jpg"): deleted}
    index = SimilarIndex(LaggingIndex(aws.dynamodb, stale), TABLE, bands=True)

    page = index.search(live, max_distance=4, limit=1)

    assert [i["fileId"] for i in page.items] == [file_id(BUCKET, "live.jpg")]
    assert page.more is False
    assert page.stats.records_read == 3


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ({"pHash": "0123456789abcdef", "maxDistance": "13"}, "maxDistance"),
        ({"pHash": "0123456789abcdef", "maxDistance": "-1"}, "maxDistance"),
        ({"pHash": "0123456789abcdef", "maxDistance": "eight"}, "maxDistance"),
        ({"pHash": "0123456789abcdef", "limit": "0"}, "limit"),
        ({"pHash": "0123456789abcdef", "limit": "101"}, "limit"),
        ({"pHash": "0123456789abcdef", "cursor": "not-a-cursor"}, "cursor"),
        ({"pHash": "0123456789abcdef", "cursor": "13-" + "0" * 24}, "cursor"),
        ({"pHash": "0123456789abcdef", "cursor": "3-" + "0" * 23}, "cursor"),
        ({"pHash": "0123456789abcdef", "cursor": "\u0663-" + "0" * 24}, "cursor"),  # an Arabic-Indic 3
        ({"pHash": "\u0660123456789abcdef"[:16]}, "pHash"),
        ({"pHash": "0123456789abcdeg"}, "pHash"),
        ({"pHash": "0123456789abcde"}, "pHash"),
        ({"maxDistance": "3"}, "pHash"),
    ],
)
def test_malformed_parameters_are_400_naming_the_parameter(aws: SimpleNamespace, query: dict[str, str], named: str) -> None:
    status, body = get(aws, api_event("/v1/similar", query))
    assert status == 400
    assert f"`{named}`" in body["message"]


def test_a_long_malformed_hash_is_not_echoed_whole(aws: SimpleNamespace) -> None:
    status, body = get(aws, api_event("/v1/similar", {"pHash": "z" * 10_000}))
    assert status == 400
    assert len(json.dumps(body)) < 500


def test_unknown_file_is_404_and_a_malformed_file_id_is_400(aws: SimpleNamespace) -> None:
    status, body = by_file(aws, "0" * 24)
    assert status == 404
    assert body["message"] == "The requested file does not exist or is inaccessible at this time."
    assert by_file(aws, "XYZ")[0] == 400


def test_a_flood_of_near_identical_images_is_413_not_an_unbounded_read(
    searching: SimpleNamespace, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Bands: one bucket past its bound; scan: a library past the scan's bound.
    monkeypatch.setattr("service.storage.similar_index.MAX_BUCKET_ENTRIES", 5)
    monkeypatch.setattr("service.storage.similar_index.MAX_SCANNED_ENTRIES", 5)
    for n in range(6):  # six blank frames: one hash, one bucket per band
        assert synthetic(searching, f"blank-{n}.png", n + 1, "8000000000000000")
    status, body = by_hash(searching, "8000000000000000", maxDistance="0")
    assert status == 413
    assert "5" in body["message"]


def test_a_refresh_after_turning_bands_on_puts_existing_images_in_the_band_indexes(aws: SimpleNamespace) -> None:
    phash = "0123456789abcdef"
    pages = Pages(aws.dynamodb, TABLE)
    metadata = image_metadata(1, 1, 1, phash)
    assert write_record(records(aws, bands=False), pages, "old.jpg", 1, metadata=metadata)
    # The same object seen again (the backfill's refresh) by a deployment with SimilarIndex=bands.
    assert write_record(records(aws, bands=True), pages, "old.jpg", 2, metadata=metadata)
    assert write_record(records(aws, bands=True), pages, "old.jpg", 3, metadata=metadata) is None  # nothing left
    index = SimilarIndex(aws.dynamodb, TABLE, bands=True)
    assert [item["fileId"] for item in index.search(phash, 0, 10).items] == [file_id(BUCKET, "old.jpg")]
