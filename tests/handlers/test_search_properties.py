"""GET /v1/files over the whole searchQuery language, on moto: every query answers 200 or a 400 naming
`searchQuery`, never a 500; and what DynamoDB's filter (the query compiled, service/storage/query_filter.py)
returns, evaluated by the query, is exactly what the query alone finds among every row (the reference)."""
from __future__ import annotations

import json
from dataclasses import replace
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from library.fields import CustomField, Fields
from service.storage import listings
from service.storage.fields import FieldStore
from service.storage.library_pages import Pages
from service.storage.records import file_id

from ..records import image_metadata, record_store, write_record
from ..search_queries import CUSTOM, query
from .conftest import BUCKET, TABLE, lambda_context, load_event

# name, tags, custom metadata, embedded, private, published, when
FILES = [
    ("a/one.jpg", ("red", "sale"), {"brand": "Nike", "price": 10, "fit": 40, "colours": ["red"]},
     {"Keywords": ["Paris", "Tower"], "ISO": 100, "DateTimeOriginal": "2020-01-01T10:00:00.000Z",
      "GPSLatitude": 48.85837, "GPSLongitude": 2.294481}, False, True, "2026-01-01T00:00:00.000Z"),
    ("a/two.png", ("blue",), {"brand": "Adidas", "price": 99.5, "sale": True, "launch": "2026-02-01",
                              "colours": ["blue", 5, False]},
     {"Keywords": "Paris", "Make": "Canon"}, True, True, "2026-01-02T00:00:00.000Z"),
    ("a/b/three.jpg", (), {"notes": "a long text", "fit": "M"}, {"ISO": 3200}, False, False,
     "2026-01-03T00:00:00.000Z"),
    ("a/b/four.gif", ("red",), {"price": "cheap", "sale": "yes"}, {}, True, False, "2026-01-01T00:00:00.000Z"),
    ("c/five.jpg", ("sale", "new"), {"brand": "", "price": -1, "launch": "2024-05-01T12:00:00Z", "fit": True},
     {"DateTimeOriginal": "2024-01-16T19:01:03.000Z", "Make": "NIKON", "GPSLatitude": -0.37,
      "GPSLongitude": 36.05}, False, True, "2026-01-05T00:00:00.000Z"),
    ("six.webp", ("blue", "new"), {"colours": []}, {"Keywords": ["x"]}, False, True, "2026-01-06T00:00:00.000Z"),
]


@pytest.fixture()
def library(aws: SimpleNamespace) -> SimpleNamespace:
    store = record_store(aws.dynamodb, aws.s3, TABLE, BUCKET)
    pages = Pages(aws.dynamodb, TABLE)
    for n, (key, tags, custom, embedded, private, published, when) in enumerate(FILES):
        write_record(store, pages, key, n + 1, metadata=image_metadata(10 * (n + 1), 5 + n, 100 * n, f"{n:016x}",
                                                                        key.rsplit(".", 1)[1]),
                     embedded=embedded, size=100 * n, when=when, tags=tags, custom=custom)
        store.update_annotations(file_id(BUCKET, key),
                                 lambda notes, p=private, q=published: replace(notes, is_private=p, is_published=q))
    fields = Fields(tuple(CustomField(f"{n:024x}", name, name.title(), schema) for n, (name, schema)
                          in enumerate(CUSTOM.items())))
    FieldStore(aws.dynamodb, TABLE).change(lambda _: (fields, fields.fields[0]))
    return aws


def listed(aws: SimpleNamespace, query_text: str, sort: str) -> tuple[int, Any]:
    event = load_event("files_list.json")
    parameters = {"searchQuery": query_text, "sort": sort}
    event["queryStringParameters"] = parameters
    event["multiValueQueryStringParameters"] = {name: [value] for name, value in parameters.items()}
    response = aws.files(event, lambda_context())
    return response["statusCode"], json.loads(response["body"])


@given(text=query(leaves=5), sort=st.sampled_from(["ASC_CREATED", "DESC_CREATED", "ASC_SIZE", "DESC_NAME"]))
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_every_query_answers_200_or_400_and_the_filter_never_changes_what_is_found(
        library: SimpleNamespace, monkeypatch: pytest.MonkeyPatch, text: str, sort: str) -> None:
    status, body = listed(library, text, sort)
    assert status in (200, 400), body
    if status == 400:
        assert body["message"].startswith(("searchQuery", "Parameter `searchQuery`")), body
        return
    with monkeypatch.context() as reference:
        reference.setattr(listings, "compiled", lambda query: None)  # every row read comes back: the query decides
        expected_status, expected = listed(library, text, sort)
    assert expected_status == 200
    found = [item.get("fileId") or item.get("folderId") for item in body]
    assert found == [item.get("fileId") or item.get("folderId") for item in expected], text


@pytest.mark.parametrize(
    ("query_text", "names"),
    [
        ('tags IN ["sale"]', ["one.jpg", "five.jpg"]),
        ('"customMetadata.price" >= 10 AND "customMetadata.price" < 100', ["one.jpg", "two.png"]),
        ('"embeddedMetadata.DateTimeOriginal" > "2021-01-01"', ["five.jpg"]),
        # Records keep updatedAt only when it is not their creation instant (storage/items.py): both are found.
        ('updatedAt < "9999-12-31T23:59:59.999Z" AND name = "one.jpg"', ["one.jpg"]),
        ('"embeddedMetadata.Keywords" IN ["Paris"]', ["one.jpg", "two.png"]),
        ('"embeddedMetadata.LocationTaken" = "48.8584,2.2945 1km"', ["one.jpg"]),
        ('"customMetadata.colours" IN [5]', ["two.png"]),
        ("private = true AND published = false", ["four.gif"]),
        ('"customMetadata.sale" NOT EXISTS', ["one.jpg", "three.jpg", "five.jpg", "six.webp"]),
        ('name : "t" OR "customMetadata.fit" = 40', ["one.jpg", "two.png", "three.jpg"]),
    ],
)
def test_searches_of_each_kind_find_their_files(library: SimpleNamespace, query_text: str, names: list[str]) -> None:
    status, body = listed(library, query_text, "ASC_CREATED")
    assert status == 200, body
    assert [item["name"] for item in body] == names
