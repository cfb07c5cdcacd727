"""events/ is what scripts/gen_events.py makes, and names the resources the local stack really has."""
from __future__ import annotations

import base64
import hashlib
import json
from urllib.parse import unquote_plus

from scripts.gen_events import sample_events

from ..local_template import local_template
from ..paths import EVENTS


def load(name: str) -> dict:
    return json.loads((EVENTS / name).read_text())


def s3_records(name: str) -> list[dict]:
    return [record for message in load(name)["Records"] for record in json.loads(message["body"]).get("Records", [])]


def test_the_committed_events_are_the_generator_s() -> None:
    generated = sample_events()

    assert {path.name for path in EVENTS.glob("*.json")} == set(generated)
    for name, event in generated.items():
        assert load(name) == event, f"events/{name} is stale: run .venv/bin/python -m scripts.gen_events"


def test_events_name_the_local_stack_s_bucket_queue_and_api() -> None:
    template = local_template()
    bucket = template.physical_name("UploadBucket")
    api = template.only("AWS::Serverless::Api").logical_id
    records = s3_records("ingest_put.json") + s3_records("ingest_delete.json") + s3_records("ingest_large_put.json")

    assert {record["s3"]["bucket"]["name"] for record in records} == {bucket}
    assert load("ingest_test_event.json")["Records"][0]["eventSourceARN"] == template.arn("IngestQueue")
    assert load("ingest_large_put.json")["Records"][0]["eventSourceARN"] == template.arn("IngestLargeQueue")
    assert json.loads(load("ingest_test_event.json")["Records"][0]["body"])["Bucket"] == bucket
    # The fileId the lookups ask for is the one the upload of the put event's key gets in that bucket.
    key = unquote_plus(records[0]["s3"]["object"]["key"])
    file_id = hashlib.sha256(f"{bucket}/{key}".encode()).hexdigest()[:24]
    for name in ("file_metadata.json", "file_details.json", "similar_to_file.json"):
        assert load(name)["pathParameters"] == {"fileId": file_id}, name
    # The delete events delete what the upload event uploads, not the README's upload.
    uploaded = hashlib.sha256(f"{bucket}/photos/Canon_40D.jpg".encode()).hexdigest()[:24]
    assert b'name="folder"\r\n\r\n/photos/\r\n' in base64.b64decode(load("file_upload.json")["body"])
    assert load("file_delete.json")["pathParameters"] == {"fileId": uploaded}
    assert json.loads(base64.b64decode(load("files_bulk_delete.json")["body"])) == {"fileIds": [uploaded]}
    assert load("file_by_path.json")["queryStringParameters"] == {"path": "/" + key}
    method_arn = load("authorizer_request.json")["methodArn"]
    assert method_arn.startswith(f"arn:aws:execute-api:us-east-1:123456789012:{api}/{template.api.stage_name}/GET/")
