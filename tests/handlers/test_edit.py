"""The edit function on moto: custom metadata fields (/v1/customMetadataFields), PATCH /v1/files/{fileId}/details
and the bulk tag routes, with the files in events/; then what the files function answers and finds afterwards.

Records are written by the ingest's own store (tests/records.py); expectations follow the hosted API's rules
(sdk-calls.md, sections 2.4, 2.10 and 4) and docs/files-api.md.
"""
from __future__ import annotations

import base64
import json
from types import SimpleNamespace
from typing import Any

import pytest

from library.errors import RecordNotFound
from service.storage.library_pages import Pages
from service.storage.records import RecordStore, file_id

from ..records import image_metadata, record_store, write_record
from .conftest import BUCKET, TABLE, for_file, lambda_context, load_event

KEYS = ("shop/a.jpg", "shop/b.jpg", "shop/c.jpg")


def call(aws: SimpleNamespace, event_name: str, body: Any = None, *, function: str = "edit",
         path_parameters: dict[str, str] | None = None, query: dict[str, str] | None = None) -> tuple[int, Any, dict]:
    """An event from events/ with another JSON body, path parameters or query: (status, body, headers)."""
    event = load_event(event_name)
    if body is not None:
        event["body"] = base64.b64encode(json.dumps(body).encode()).decode()
        event["isBase64Encoded"] = True
    if path_parameters is not None:
        for name, value in path_parameters.items():
            event["path"] = event["path"].replace(event["pathParameters"][name], value)
        event["pathParameters"] = path_parameters
    if query is not None:
        event["queryStringParameters"] = query
        event["multiValueQueryStringParameters"] = {name: [value] for name, value in query.items()}
    response = getattr(aws, function)(event, lambda_context())
    headers = {name.lower(): values[-1] for name, values in (response.get("multiValueHeaders") or {}).items()}
    return response["statusCode"], json.loads(response["body"]) if response["body"] else None, headers


def create_field(aws: SimpleNamespace, name: str, schema: dict[str, Any], **more: Any) -> dict[str, Any]:
    status, body, _ = call(aws, "custom_metadata_field_create.json",
                           {"name": name, "label": more.pop("label", name.title()), "schema": schema, **more})
    assert status == 201, body
    return body


def update(aws: SimpleNamespace, fid: str, body: dict[str, Any]) -> tuple[int, Any, dict]:
    return call(aws, "file_update.json", body, path_parameters={"fileId": fid})


def details(aws: SimpleNamespace, fid: str) -> dict[str, Any]:
    response = aws.files(for_file("file_details.json", fid), lambda_context())
    assert response["statusCode"] == 200, response["body"]
    return json.loads(response["body"])


def search(aws: SimpleNamespace, query_text: str) -> list[str]:
    event = load_event("files_search.json")
    event["queryStringParameters"] = {"searchQuery": query_text}
    event["multiValueQueryStringParameters"] = {"searchQuery": [query_text]}
    response = aws.files(event, lambda_context())
    assert response["statusCode"] == 200, response["body"]
    return [item["name"] for item in json.loads(response["body"])]


@pytest.fixture()
def shop(aws: SimpleNamespace) -> SimpleNamespace:
    """Three images and a field of each type."""
    store = record_store(aws.dynamodb, aws.s3, TABLE, BUCKET)
    for n, key in enumerate(KEYS):
        write_record(store, Pages(aws.dynamodb, TABLE), key, n + 1,
                     metadata=image_metadata(10, 10, 100, f"{n:016x}", "jpg"), embedded={}, size=100,
                     when=f"2026-01-0{n + 1}T00:00:00.000Z")
    create_field(aws, "brand", {"type": "Text", "minLength": 2, "maxLength": 20})
    create_field(aws, "notes", {"type": "Textarea"})
    create_field(aws, "price", {"type": "Number", "minValue": 0, "maxValue": 1000})
    create_field(aws, "launch", {"type": "Date", "minValue": "2020-01-01"})
    create_field(aws, "sale", {"type": "Boolean"})
    create_field(aws, "fit", {"type": "SingleSelect", "selectOptions": ["S", "M", 40, True]})
    create_field(aws, "colours", {"type": "MultiSelect", "selectOptions": ["red", "blue", 5]})
    aws.ids = [file_id(BUCKET, key) for key in KEYS]
    return aws


# ------------------------------------------------------------------ custom metadata fields


def test_fields_are_created_listed_updated_and_deleted_as_the_hosted_api_does(aws: SimpleNamespace) -> None:
    price = create_field(aws, "price", {"type": "Number", "minValue": 0, "maxValue": 100, "defaultValue": 5,
                                        "isValueRequired": True}, description="What it costs")
    colours = create_field(aws, "colours", {"type": "MultiSelect", "selectOptions": ["a", 1, True],
                                            "defaultValue": ["a"]})
    assert price == {"id": price["id"], "name": "price", "label": "Price", "description": "What it costs",
                     "schema": {"type": "Number", "minValue": 0, "maxValue": 100, "defaultValue": 5,
                                "isValueRequired": True}}
    assert len(price["id"]) == 24 and price["id"] != colours["id"]

    status, listed, _ = call(aws, "custom_metadata_fields_list.json", query={})
    assert (status, [field["name"] for field in listed]) == (200, ["price", "colours"])

    # The type cannot change (ignored if sent); the rest of the schema is checked against it.
    status, changed, _ = call(aws, "custom_metadata_field_update.json",
                              {"label": "Cost", "schema": {"type": "Text", "maxValue": 50}},
                              path_parameters={"fieldId": price["id"]})
    assert status == 200, changed
    assert (changed["label"], changed["schema"]) == ("Cost", {"type": "Number", "minValue": 0, "maxValue": 50,
                                                              "defaultValue": 5, "isValueRequired": True})

    status, body, _ = call(aws, "custom_metadata_field_delete.json", path_parameters={"fieldId": colours["id"]})
    assert (status, body) == (204, None)
    status, listed, _ = call(aws, "custom_metadata_fields_list.json", query={})
    assert [field["name"] for field in listed] == ["price"]
    status, listed, _ = call(aws, "custom_metadata_fields_list.json", query={"includeDeleted": "true"})
    assert [(field["name"], field.get("isDeleted", False)) for field in listed] == [("price", False),
                                                                                   ("colours", True)]
    # A deleted field's name stays taken; it cannot be changed; a second delete finds nothing.
    status, body, _ = call(aws, "custom_metadata_field_create.json",
                           {"name": "colours", "label": "Colours", "schema": {"type": "Text"}})
    assert status == 400 and "already exists" in body["message"]
    status, body, _ = call(aws, "custom_metadata_field_update.json", {"label": "x"},
                           path_parameters={"fieldId": colours["id"]})
    assert status == 400 and "deleted" in body["message"]
    assert call(aws, "custom_metadata_field_delete.json", path_parameters={"fieldId": colours["id"]})[0] == 404
    assert call(aws, "custom_metadata_field_delete.json", path_parameters={"fieldId": "f" * 24})[0] == 404


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"name": "x", "label": "X", "schema": {"type": "Text", "minValue": 1}}, "`schema.minValue`"),
        ({"name": "x", "label": "X", "schema": {"type": "Number", "maxLength": 1}}, "`schema.maxLength`"),
        ({"name": "x", "label": "X", "schema": {"type": "Colour"}}, "`schema.type`"),
        ({"name": "x", "label": "X", "schema": {"type": "SingleSelect"}}, "`schema.selectOptions`"),
        ({"name": "x", "label": "X", "schema": {"type": "Text", "selectOptions": ["a"]}}, "`schema.selectOptions`"),
        ({"name": "x", "label": "X", "schema": {"type": "Text", "isValueRequired": True}}, "`schema.defaultValue`"),
        ({"name": "x", "label": "X", "schema": {"type": "Number", "maxValue": 5, "defaultValue": 6}},
         "`schema.defaultValue`"),
        ({"name": "x", "label": "X", "schema": {"type": "SingleSelect", "selectOptions": ["a"], "defaultValue": "b"}},
         "`schema.defaultValue`"),
        ({"name": "x", "label": "X", "schema": {"type": "Date", "minValue": "yesterday"}}, "`schema.minValue`"),
        ({"name": "x", "label": "X", "schema": {"type": "Number", "minValue": 5, "maxValue": 1}}, "`schema.minValue`"),
        ({"name": "x", "label": "X", "schema": {"type": "Text", "colour": 1}}, "`schema.colour`"),
        ({"name": "two words", "label": "X", "schema": {"type": "Text"}}, "`name`"),
        ({"name": "_internal_original_created_datetime", "label": "X", "schema": {"type": "Date"}}, "`name`"),
        ({"name": "x", "schema": {"type": "Text"}}, "`label`"),
        ({"name": "x", "label": "Brand", "schema": {"type": "Text"}}, "`label`"),  # taken by a live field
        ({"name": "x", "label": "X"}, "`schema`"),
        ([1], "JSON object"),
    ],
)
def test_a_field_that_breaks_the_rules_is_400_naming_the_key(aws: SimpleNamespace, body: Any, named: str) -> None:
    create_field(aws, "brand", {"type": "Text"})
    status, answer, headers = call(aws, "custom_metadata_field_create.json", body)
    assert status == 400 and named in answer["message"], answer
    assert headers["x-should-retry"] == "false"  # the SDKs would otherwise send it twice more


# ------------------------------------------------------------------ files.update


def test_an_update_sets_tags_typed_custom_metadata_coordinates_description_and_publication(shop: SimpleNamespace) -> None:
    fid = shop.ids[0]
    status, answer, _ = update(shop, fid, {"tags": ["summer", "sale"], "customMetadata": {
        "brand": "Nike", "price": 99.5, "launch": "2026-02-01", "sale": True, "fit": 40, "colours": ["red", 5]},
        "customCoordinates": "10,20,30,40", "description": "A red shoe", "removeAITags": "all"})
    assert status == 200, answer
    assert answer["tags"] == ["summer", "sale"]
    assert answer["customMetadata"] == {"brand": "Nike", "price": 99.5, "launch": "2026-02-01", "sale": True,
                                        "fit": 40, "colours": ["red", 5]}
    assert (answer["customCoordinates"], answer["description"]) == ("10,20,30,40", "A red shoe")
    assert (answer["isPrivateFile"], answer["isPublished"], answer["AITags"]) == (False, True, None)
    # The other hosted shape: publication.
    status, answer, _ = update(shop, fid, {"publish": {"isPublished": False, "includeFileVersions": True}})
    assert (status, answer["isPublished"], answer["tags"]) == (200, False, ["summer", "sale"])
    # What the files function answers is the edit.
    assert {key: value for key, value in details(shop, fid).items() if key != "url"} == \
        {key: value for key, value in answer.items() if key != "url"}

    # null unsets: all tags, one custom metadata key, the coordinates; other keys stay.
    status, answer, _ = update(shop, fid, {"tags": None, "customMetadata": {"price": None, "brand": "Puma"},
                                           "customCoordinates": None})
    assert status == 200, answer
    assert answer["tags"] is None and answer["customCoordinates"] is None
    assert answer["customMetadata"] == {"brand": "Puma", "launch": "2026-02-01", "sale": True, "fit": 40,
                                        "colours": ["red", 5]}
    assert answer["description"] == "A red shoe"
    # An empty body changes nothing.
    assert update(shop, fid, {})[1]["customMetadata"] == answer["customMetadata"]


def test_searches_see_an_edit_at_once(shop: SimpleNamespace) -> None:
    a, b, _ = shop.ids
    update(shop, a, {"tags": ["sale"], "customMetadata": {"price": 10, "colours": ["blue"]}})
    update(shop, b, {"tags": ["new"], "customMetadata": {"price": 500, "sale": True},
                     "publish": {"isPublished": False}})
    assert search(shop, 'tags IN ["sale"]') == ["a.jpg"]
    assert search(shop, '"customMetadata.price" >= 100') == ["b.jpg"]
    assert search(shop, '"customMetadata.colours" IN ["blue", 5]') == ["a.jpg"]
    assert search(shop, "published = false") == ["b.jpg"]
    assert search(shop, '"customMetadata.sale" NOT EXISTS') == ["a.jpg", "c.jpg"]


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"customMetadata": {"colour": "red"}}, "`customMetadata.colour`"),  # no such field
        ({"customMetadata": {"price": "10"}}, "`customMetadata.price`"),  # a Number is a number
        ({"customMetadata": {"price": 1001}}, "`customMetadata.price`"),  # over maxValue
        ({"customMetadata": {"price": -1}}, "`customMetadata.price`"),
        ({"customMetadata": {"price": True}}, "`customMetadata.price`"),
        ({"customMetadata": {"brand": "x"}}, "`customMetadata.brand`"),  # under minLength
        ({"customMetadata": {"brand": 5}}, "`customMetadata.brand`"),
        ({"customMetadata": {"launch": "2019-12-31"}}, "`customMetadata.launch`"),  # before minValue
        ({"customMetadata": {"launch": "soon"}}, "`customMetadata.launch`"),
        ({"customMetadata": {"sale": "true"}}, "`customMetadata.sale`"),
        ({"customMetadata": {"fit": "XL"}}, "`customMetadata.fit`"),  # not an option
        ({"customMetadata": {"fit": "40"}}, "`customMetadata.fit`"),  # the option is the number 40
        ({"customMetadata": {"colours": "red"}}, "`customMetadata.colours`"),  # a MultiSelect is a list
        ({"customMetadata": {"colours": ["green"]}}, "`customMetadata.colours`"),
        ({"customMetadata": ["brand"]}, "`customMetadata`"),
        ({"tags": "sale"}, "`tags`"),
        ({"tags": ["a%b"]}, "`tags`"),
        ({"tags": ["x" * 501]}, "`tags`"),
        ({"customCoordinates": "1,2,3"}, "`customCoordinates`"),
        ({"description": 5}, "`description`"),
        ({"publish": {"isPublished": "yes"}}, "`publish`"),
        ({"publish": {"includeFileVersions": True}}, "`publish`"),
        ({"removeAITags": 5}, "`removeAITags`"),
        ({"extensions": [{"name": "google-auto-tagging", "maxTags": 5, "minConfidence": 95}]}, "does not run extensions"),
        ({"webhookUrl": "https://example.com/hook"}, "does not run extensions"),
        ({"colour": "red"}, "`colour`"),
    ],
)
def test_bad_updates_are_400_naming_the_field_and_change_nothing(shop: SimpleNamespace, body: Any, named: str) -> None:
    before = details(shop, shop.ids[0])
    status, answer, headers = update(shop, shop.ids[0], body)
    assert status == 400 and named in answer["message"], answer
    assert headers["x-should-retry"] == "false"
    assert details(shop, shop.ids[0])["customMetadata"] == before["customMetadata"]


def test_a_required_field_cannot_be_unset_and_an_unknown_file_is_404(shop: SimpleNamespace) -> None:
    create_field(shop, "sku", {"type": "Text", "isValueRequired": True, "defaultValue": "none"})
    status, answer, _ = update(shop, shop.ids[0], {"customMetadata": {"sku": None}})
    assert status == 400 and "`customMetadata.sku`" in answer["message"]
    status, answer, _ = update(shop, "f" * 24, {"tags": ["x"]})
    assert status == 404
    assert update(shop, "not-an-id", {"tags": ["x"]})[0] == 400


def test_a_body_that_is_no_json_object_is_400(shop: SimpleNamespace) -> None:
    assert update(shop, shop.ids[0], [1, 2])[0] == 400


# ------------------------------------------------------------------ files.bulk


def test_add_and_remove_tags_in_bulk(shop: SimpleNamespace) -> None:
    a, b, c = shop.ids
    update(shop, a, {"tags": ["old"]})
    status, answer, _ = call(shop, "files_add_tags.json", {"fileIds": [a, b], "tags": ["new", "sale"]})
    assert (status, answer) == (200, {"successfullyUpdatedFileIds": [a, b]})
    assert details(shop, a)["tags"] == ["old", "new", "sale"] and details(shop, b)["tags"] == ["new", "sale"]
    status, answer, _ = call(shop, "files_remove_tags.json", {"fileIds": [a, b, c], "tags": ["sale", "old"]})
    assert (status, answer) == (200, {"successfullyUpdatedFileIds": [a, b, c]})
    assert [details(shop, fid)["tags"] for fid in (a, b, c)] == [["new"], ["new"], None]
    status, answer, _ = call(shop, "files_remove_ai_tags.json", {"fileIds": [a], "AITags": ["car"]})
    assert (status, answer) == (200, {"successfullyUpdatedFileIds": [a]})


def test_a_bulk_request_naming_a_missing_file_changes_nothing(shop: SimpleNamespace) -> None:
    missing = "0" * 24
    status, answer, _ = call(shop, "files_add_tags.json", {"fileIds": [shop.ids[0], missing], "tags": ["x"]})
    assert status == 404 and answer["missingFileIds"] == [missing]
    assert details(shop, shop.ids[0])["tags"] is None
    status, answer, _ = call(shop, "files_remove_ai_tags.json", {"fileIds": [missing], "AITags": ["x"]})
    assert status == 404 and answer["missingFileIds"] == [missing]


def test_a_file_that_goes_during_a_bulk_request_is_reported_in_a_207(shop: SimpleNamespace,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    a, b, _ = shop.ids
    original = RecordStore.update_annotations

    def deleted_meanwhile(store: RecordStore, fid: str, change: Any) -> Any:
        if fid == b:
            raise RecordNotFound()
        return original(store, fid, change)

    monkeypatch.setattr(RecordStore, "update_annotations", deleted_meanwhile)
    status, answer, _ = call(shop, "files_add_tags.json", {"fileIds": [a, b], "tags": ["x"]})
    assert status == 207
    assert answer == {"successfullyUpdatedFileIds": [a], "errors": [
        {"fileId": b, "error": "The requested file does not exist or is inaccessible at this time."}]}


@pytest.mark.parametrize(
    ("route", "body", "named"),
    [
        ("files_add_tags.json", {"fileIds": [f"{n:024x}" for n in range(51)], "tags": ["x"]}, "`fileIds`"),
        ("files_add_tags.json", {"fileIds": [], "tags": ["x"]}, "`fileIds`"),
        ("files_add_tags.json", {"fileIds": ["x"], "tags": ["x"]}, "`fileIds`"),
        ("files_add_tags.json", {"fileIds": ["0" * 24], "tags": []}, "`tags`"),
        ("files_add_tags.json", {"fileIds": ["0" * 24]}, "`tags`"),
        ("files_remove_tags.json", {"fileIds": ["0" * 24], "tags": "x"}, "`tags`"),
        ("files_remove_ai_tags.json", {"fileIds": ["0" * 24], "tags": ["x"]}, "`tags`"),
        ("files_remove_ai_tags.json", {"fileIds": ["0" * 24]}, "`AITags`"),
    ],
)
def test_bad_bulk_requests_are_400_naming_the_field(shop: SimpleNamespace, route: str, body: Any, named: str) -> None:
    status, answer, _ = call(shop, route, body)
    assert status == 400 and named in answer["message"], answer
