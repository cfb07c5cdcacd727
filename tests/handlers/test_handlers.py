"""Every handler invoked with every file in events/ (as `sam local invoke` would), AWS on moto."""
from __future__ import annotations

import hashlib
import json
from types import SimpleNamespace

import pytest

from handlers import LambdaHandler
from imagemeta import extract

from ..paths import IMAGES
from .conftest import BUCKET, TABLE, lambda_context, load_event, upload_event

OK = {"batchItemFailures": []}

CANON = IMAGES / "exif-samples" / "jpg" / "Canon_40D.jpg"
KEY = "photos/Canon 40D.jpg"  # the key of the files in events/, URL-encoded there as photos/Canon+40D.jpg


def invoke(handler: LambdaHandler, event_name: str, event: dict | None = None) -> dict:
    return handler(event if event is not None else load_event(event_name), lambda_context())


def ingest(aws: SimpleNamespace, event_name: str) -> dict:
    return invoke(aws.ingest, event_name)


def header(response: dict, name: str) -> str:
    """A response header; the REST (v1) resolver answers with multiValueHeaders."""
    (value,) = response["multiValueHeaders"][name]
    return value


def body_of(response: dict) -> dict:
    assert header(response, "Content-Type") == "application/json"
    return json.loads(response["body"])


def test_put_event_stores_the_record_and_both_lookups_answer_it(aws: SimpleNamespace) -> None:
    aws.s3.put_object(Bucket=BUCKET, Key=KEY, Body=CANON.read_bytes())
    assert ingest(aws, "ingest_put.json") == {"batchItemFailures": []}

    by_path = invoke(aws.files, "file_by_path.json")
    assert by_path["statusCode"] == 200
    assert header(by_path, "x-request-id") == "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"
    record = body_of(by_path)
    assert record["path"] == KEY
    assert record["size"] == 7958
    assert record["etag"] == "406958840ad1665ffcd1be9c29d515b9"
    assert record["metadata"] == extract(CANON)
    # The stored object comes back byte for byte, key order included.
    assert json.dumps(record["metadata"]) == json.dumps(extract(CANON))

    by_id = invoke(aws.files, "file_metadata.json")
    assert by_id["statusCode"] == 200
    assert by_id["body"] == json.dumps(extract(CANON), ensure_ascii=False)
    assert record["fileId"] == load_event("file_metadata.json")["pathParameters"]["fileId"]


def test_the_larger_ingest_stores_the_upload_its_sample_event_names(aws: SimpleNamespace) -> None:
    # aws.ingest is built as IngestLargeFunction is: the service's budget, nothing to hand over to.
    aws.s3.put_object(Bucket=BUCKET, Key=KEY, Body=CANON.read_bytes())
    assert ingest(aws, "ingest_large_put.json") == {"batchItemFailures": []}

    record = body_of(invoke(aws.files, "file_by_path.json"))
    assert record["path"] == KEY and record["metadata"] == extract(CANON)


def forged(event: dict, **fields: object) -> dict:
    """The SQS event with fields of its S3 object entry replaced, as a forged message would carry them."""
    message = json.loads(event["Records"][0]["body"])
    message["Records"][0]["s3"]["object"].update(fields)
    event["Records"][0]["body"] = json.dumps(message)
    return event


def test_the_record_takes_size_etag_and_version_from_s3_not_the_message(aws: SimpleNamespace) -> None:
    body = CANON.read_bytes()
    aws.s3.put_object(Bucket=BUCKET, Key=KEY, Body=body)
    event = forged(upload_event(KEY, body, "0062B4F0A1C2D3E4F5"), size=10**12)  # a terabyte, says the message
    assert aws.ingest(event, lambda_context()) == {"batchItemFailures": []}
    record = body_of(invoke(aws.files, "file_by_path.json"))
    assert (record["size"], record["metadata"]) == (len(body), extract(CANON))


def test_a_message_naming_another_etag_records_what_s3_holds(aws: SimpleNamespace) -> None:
    body = CANON.read_bytes()
    aws.s3.put_object(Bucket=BUCKET, Key=KEY, Body=body)
    event = forged(upload_event(KEY, body, "0062B4F0A1C2D3E4F5"), eTag="0" * 32)
    assert aws.ingest(event, lambda_context()) == {"batchItemFailures": []}
    record = body_of(invoke(aws.files, "file_by_path.json"))
    assert (record["etag"], record["metadata"]) == (hashlib.md5(body).hexdigest(), extract(CANON))


def test_a_forged_removal_does_not_hide_a_live_object(aws: SimpleNamespace) -> None:
    aws.s3.put_object(Bucket=BUCKET, Key=KEY, Body=CANON.read_bytes())
    ingest(aws, "ingest_put.json")
    # An ObjectRemoved for a key S3 still holds, with the highest sequencer there is.
    assert aws.ingest(forged(load_event("ingest_delete.json"), sequencer="F" * 32), lambda_context()) == OK
    assert invoke(aws.files, "file_by_path.json")["statusCode"] == 200


def test_a_forged_sequencer_does_not_freeze_the_record_against_later_uploads(aws: SimpleNamespace) -> None:
    body = CANON.read_bytes()
    aws.s3.put_object(Bucket=BUCKET, Key=KEY, Body=body)
    assert aws.ingest(forged(upload_event(KEY, body, "0062B4F0A1C2D3E4F5"), sequencer="F" * 32),
                      lambda_context()) == OK
    newer = (IMAGES / "exif-samples" / "jpg" / "Kodak_CX7530.jpg").read_bytes()
    aws.s3.put_object(Bucket=BUCKET, Key=KEY, Body=newer)
    assert aws.ingest(upload_event(KEY, newer, "0062B4F0A1C2D3E4F6"), lambda_context()) == OK
    assert body_of(invoke(aws.files, "file_by_path.json"))["metadata"] == extract(newer)


def test_a_message_for_another_bucket_changes_nothing(aws: SimpleNamespace) -> None:
    body = CANON.read_bytes()
    aws.s3.put_object(Bucket=BUCKET, Key=KEY, Body=body)
    event = upload_event(KEY, body, "0062B4F0A1C2D3E4F5")
    message = json.loads(event["Records"][0]["body"])
    message["Records"][0]["s3"]["bucket"] = {"name": "someone-elses", "arn": "arn:aws:s3:::someone-elses"}
    event["Records"][0]["body"] = json.dumps(message)
    assert aws.ingest(event, lambda_context()) == OK
    assert invoke(aws.files, "file_by_path.json")["statusCode"] == 404
    assert aws.dynamodb.scan(TableName=TABLE)["Items"] == []


def test_delete_event_removes_the_record_and_a_stale_put_cannot_bring_it_back(aws: SimpleNamespace) -> None:
    aws.s3.put_object(Bucket=BUCKET, Key=KEY, Body=CANON.read_bytes())
    ingest(aws, "ingest_put.json")
    aws.s3.delete_object(Bucket=BUCKET, Key=KEY)
    assert ingest(aws, "ingest_delete.json") == {"batchItemFailures": []}
    assert invoke(aws.files, "file_by_path.json")["statusCode"] == 404

    # The put's sequencer is older than the delete's: redelivered late, it changes nothing.
    assert ingest(aws, "ingest_put.json") == {"batchItemFailures": []}
    missing = invoke(aws.files, "file_metadata.json")
    assert missing["statusCode"] == 404
    assert body_of(missing)["message"] == "The requested file does not exist or is inaccessible at this time."


def test_lookup_of_a_file_never_uploaded_is_404(aws: SimpleNamespace) -> None:
    response = invoke(aws.files, "file_by_path.json")
    assert response["statusCode"] == 404
    assert set(body_of(response)) == {"message", "help"}


def test_non_image_upload_keeps_a_record_whose_lookup_is_400(aws: SimpleNamespace) -> None:
    text = b"these bytes are not an image"
    aws.s3.put_object(Bucket=BUCKET, Key=KEY, Body=text)
    event = upload_event(KEY, text, "0062B4F0A1C2D3E4F5")
    assert invoke(aws.ingest, "", event) == {"batchItemFailures": []}

    response = invoke(aws.files, "file_by_path.json")
    assert response["statusCode"] == 400
    assert body_of(response)["message"] == "The requested file is corrupt or invalid."


def test_s3_test_event_is_skipped(aws: SimpleNamespace) -> None:
    assert ingest(aws, "ingest_test_event.json") == {"batchItemFailures": []}
    assert aws.dynamodb.scan(TableName=TABLE)["Count"] == 0


def test_a_put_for_an_object_that_is_not_there_is_a_no_op(aws: SimpleNamespace) -> None:
    # The object was deleted before its event was processed: nothing to read, nothing stored.
    assert ingest(aws, "ingest_put.json") == {"batchItemFailures": []}
    assert aws.dynamodb.scan(TableName=TABLE)["Count"] == 0


def test_a_poison_message_fails_alone(aws: SimpleNamespace) -> None:
    aws.s3.put_object(Bucket=BUCKET, Key=KEY, Body=CANON.read_bytes())
    event = load_event("ingest_put.json")
    poison = dict(event["Records"][0], messageId="poison", body="not json")
    event["Records"].append(poison)
    assert invoke(aws.ingest, "", event) == {"batchItemFailures": [{"itemIdentifier": "poison"}]}
    assert invoke(aws.files, "file_by_path.json")["statusCode"] == 200


def test_bad_file_id_is_400_naming_the_parameter(aws: SimpleNamespace) -> None:
    event = load_event("file_metadata.json")
    event["path"] = "/v1/files/not-an-id/metadata"
    event["pathParameters"] = {"fileId": "not-an-id"}
    response = invoke(aws.files, "", event)
    assert response["statusCode"] == 400
    assert "fileId" in body_of(response)["message"]


def test_metadata_url_refuses_the_metadata_service(aws: SimpleNamespace) -> None:
    response = invoke(aws.metadata_url, "metadata_url_refused.json")
    assert response["statusCode"] == 403
    assert header(response, "x-request-id") == "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"
    assert set(body_of(response)) == {"message", "help"}


def test_metadata_url_without_url_is_400_naming_it(aws: SimpleNamespace) -> None:
    response = invoke(aws.metadata_url, "metadata_url_missing_url.json")
    assert response["statusCode"] == 400
    assert "url" in body_of(response)["message"]


def test_metadata_url_answers_the_metadata_object(aws: SimpleNamespace, monkeypatch: pytest.MonkeyPatch) -> None:
    # The fetcher has its own tests against loopback servers; here it hands over the bytes it would fetch.
    requested: list[str] = []

    def fetch(url: str, settings: object) -> bytearray:
        requested.append(url)
        return bytearray(CANON.read_bytes())

    monkeypatch.setattr("service.api.metadata_routes.fetch", fetch)
    response = invoke(aws.metadata_url, "metadata_url.json")
    assert response["statusCode"] == 200
    assert requested == ["https://images.example.com/photos/Canon_40D.jpg"]
    assert body_of(response) == extract(CANON)


def test_an_event_without_a_request_context_still_gets_the_contract_body(aws: SimpleNamespace) -> None:
    event = load_event("metadata_url_missing_url.json")
    del event["requestContext"]
    response = invoke(aws.metadata_url, "", event)
    assert response["statusCode"] == 400
    assert header(response, "x-request-id") == ""
    assert "url" in body_of(response)["message"]


def test_a_lifecycle_expiration_removes_the_record(aws: SimpleNamespace) -> None:
    aws.s3.put_object(Bucket=BUCKET, Key=KEY, Body=CANON.read_bytes())
    ingest(aws, "ingest_put.json")
    aws.s3.delete_object(Bucket=BUCKET, Key=KEY)  # what the lifecycle rule did
    event = load_event("ingest_delete.json")
    message = json.loads(event["Records"][0]["body"])
    message["Records"][0].update(eventName="LifecycleExpiration:Delete", eventVersion="2.3")
    event["Records"][0]["body"] = json.dumps(message)
    assert invoke(aws.ingest, "", event) == {"batchItemFailures": []}
    assert invoke(aws.files, "file_by_path.json")["statusCode"] == 404
