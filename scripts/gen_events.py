"""Write events/*.json: one realistic event per function and route, shaped as `sam local generate-event` does.

Run: .venv/bin/python -m scripts.gen_events   (API events follow `sam local generate-event apigateway
aws-proxy`; SQS events follow `sam local generate-event sqs receive-message` carrying `s3 put`/`s3 delete`.)
They name the local stack's resources (its bucket, queue and API, read from template.yaml as `make run`
reads it), so `make invoke` with each does something real once the README's upload put the test image
tests/data/images/exif-samples/jpg/Canon_40D.jpg at KEY; the delete events delete the upload event's file.
"""
from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

from infra.template import ACCOUNT_ID, REGION, LocalTemplate

ROOT = Path(__file__).resolve().parent.parent
EVENTS = ROOT / "events"
CANON = ROOT / "tests" / "data" / "images" / "exif-samples" / "jpg" / "Canon_40D.jpg"
BOUNDARY = "imagemeta-example-boundary-5f0c"
TEMPLATE = LocalTemplate(ROOT / "template.yaml")
BUCKET = TEMPLATE.physical_name(TEMPLATE.only("AWS::S3::Bucket").logical_id)
QUEUE_ARN = TEMPLATE.arn("IngestQueue")
LARGE_QUEUE_ARN = TEMPLATE.arn("IngestLargeQueue")
API = TEMPLATE.only("AWS::Serverless::Api").logical_id  # the local API's id, as in its method ARNs
STAGE = TEMPLATE.api.stage_name
KEY = "photos/Canon 40D.jpg"
ENCODED_KEY = "photos/Canon+40D.jpg"  # S3 URL-encodes keys in notifications, with + for space
FILE_ID = hashlib.sha256(f"{BUCKET}/{KEY}".encode()).hexdigest()[:24]
# The upload event's file (folder and fileName, no unique suffix), which the delete events delete: invoked in
# that order they upload a file and delete it again, leaving the README's upload at KEY alone.
UPLOAD_FOLDER, UPLOAD_NAME = "photos", "Canon_40D.jpg"
UPLOAD_ID = hashlib.sha256(f"{BUCKET}/{UPLOAD_FOLDER}/{UPLOAD_NAME}".encode()).hexdigest()[:24]
# S3's form (18 upper-case hex digits, the put's before the delete's), and below any sequencer the local
# stack's pump gives (it counts the clock's nanoseconds): invoked on the running stack, these events never
# outrank its real ones, so a key it has ingested stays in step with its bucket.
PUT_SEQUENCER, DELETE_SEQUENCER = "00170F5A1C2D3E4F5A", "00170F5A1C2D3E4F5B"


def api_event(
    resource: str,
    path: str,
    query: dict[str, str] | None,
    path_params: dict[str, str] | None,
    method: str = "GET",
    body: bytes | None = None,
    content_type: str | None = None,
    browser: bool = False,
) -> dict:
    """A REST proxy event; a body arrives base64-encoded, as the API's binary media type (*/*) makes it. A
    browser's asks for HTML and carries no key, as when the page is opened."""
    headers = {
        "Accept": "text/html" if browser else "application/json",
        **({} if browser else {"Authorization": "Basic cHJpdmF0ZV9rZXlfZXhhbXBsZTo="}),
        "Host": f"{API.lower()}.execute-api.{REGION}.amazonaws.com",
        "User-Agent": "Mozilla/5.0 (X11; Linux x86_64)" if browser else "curl/8.5.0",
        "X-Forwarded-For": "203.0.113.7",
        "X-Forwarded-Port": "443",
        "X-Forwarded-Proto": "https",
        **({"Content-Type": content_type, "Content-Length": str(len(body))} if body is not None and content_type else {}),
    }
    return {
        "body": base64.b64encode(body).decode() if body is not None else None,
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "isBase64Encoded": body is not None,
        "queryStringParameters": query,
        "multiValueQueryStringParameters": {k: [v] for k, v in query.items()} if query else None,
        "pathParameters": path_params,
        "stageVariables": None,
        "headers": headers,
        "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "requestContext": {
            "accountId": ACCOUNT_ID,
            "resourceId": "a1b2c3",
            "stage": STAGE,
            "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
            "requestTime": "25/Nov/2026:12:34:56 +0000",
            "requestTimeEpoch": 1795610096000,
            "identity": {"sourceIp": "203.0.113.7", "userAgent": headers["User-Agent"], "apiKey": None},
            "path": f"/{STAGE}{path}",
            "resourcePath": resource,
            "httpMethod": method,
            "apiId": API,
            "protocol": "HTTP/1.1",
        },
    }


def multipart(fields: dict[str, str], file_name: str, file_body: bytes, file_type: str) -> bytes:
    """A multipart/form-data body as the SDKs send an upload: text fields, then the file part."""
    lines = b""
    for name, value in fields.items():
        lines += f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
    lines += (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{file_name}"\r\n'
              f"Content-Type: {file_type}\r\n\r\n").encode() + file_body + b"\r\n"
    return lines + f"--{BOUNDARY}--\r\n".encode()


def authorizer_event(api: dict) -> dict:
    """The REQUEST authorizer's event for an API request: its headers, path and context, and the method ARN."""
    return {
        "type": "REQUEST",
        "methodArn": f"arn:aws:execute-api:{REGION}:{ACCOUNT_ID}:{API}/{STAGE}/GET{api['path']}",
        **{key: api[key] for key in ("resource", "path", "httpMethod", "headers", "multiValueHeaders")},
        "queryStringParameters": {},
        "multiValueQueryStringParameters": {},
        "pathParameters": api["pathParameters"],
        "stageVariables": {},
        "requestContext": api["requestContext"],
    }


def s3_record(event_name: str, sequencer: str, with_object: bool) -> dict:
    obj: dict = {"key": ENCODED_KEY, "sequencer": sequencer}
    if with_object:
        # The corpus file Canon_40D.jpg: its size and its MD5, which is its ETag in S3.
        obj.update({"size": 7958, "eTag": "406958840ad1665ffcd1be9c29d515b9"})
    return {
        "eventVersion": "2.1",
        "eventSource": "aws:s3",
        "awsRegion": REGION,
        "eventTime": "2026-11-25T12:34:56.000Z",
        "eventName": event_name,
        "userIdentity": {"principalId": "AWS:AIDAEXAMPLE"},
        "requestParameters": {"sourceIPAddress": "203.0.113.7"},
        "responseElements": {"x-amz-request-id": "C3D13FE58DE4C810", "x-amz-id-2": "FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD"},
        "s3": {
            "s3SchemaVersion": "1.0",
            "configurationId": "ImageUploads",
            "bucket": {"name": BUCKET, "ownerIdentity": {"principalId": "A3NL1KOZZKExample"}, "arn": f"arn:aws:s3:::{BUCKET}"},
            "object": obj,
        },
    }


def sqs_event(bodies: list[dict], queue_arn: str = QUEUE_ARN) -> dict:
    return {
        "Records": [
            {
                "messageId": f"19dd0b57-b21e-4ac1-bd88-01bbb068cb7{n}",
                "receiptHandle": "MessageReceiptHandle",
                "body": json.dumps(body),
                "attributes": {
                    "ApproximateReceiveCount": "1",
                    "SentTimestamp": "1795610096000",
                    "SenderId": "AIDAEXAMPLE",
                    "ApproximateFirstReceiveTimestamp": "1795610096001",
                },
                "messageAttributes": {},
                "md5OfBody": "7b270e59b47ff90a553787216d55d91d",
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": REGION,
            }
            for n, body in enumerate(bodies)
        ]
    }


def sample_events() -> dict[str, dict]:
    """Every file of events/ by name."""
    return {
        "metadata_url.json": api_event("/v1/metadata", "/v1/metadata", {"url": "https://images.example.com/photos/Canon_40D.jpg"}, None),
        "metadata_url_refused.json": api_event("/v1/metadata", "/v1/metadata", {"url": "http://169.254.169.254/latest/meta-data/"}, None),
        "metadata_url_missing_url.json": api_event("/v1/metadata", "/v1/metadata", None, None),
        "file_metadata.json": api_event("/v1/files/{fileId}/metadata", f"/v1/files/{FILE_ID}/metadata", None, {"fileId": FILE_ID}),
        "file_by_path.json": api_event("/v1/files/byPath", "/v1/files/byPath", {"path": "/" + KEY}, None),
        "file_details.json": api_event("/v1/files/{fileId}/details", f"/v1/files/{FILE_ID}/details", None, {"fileId": FILE_ID}),
        "files_list.json": api_event("/v1/files", "/v1/files", {"path": "/photos/", "type": "all", "sort": "DESC_CREATED", "limit": "10"}, None),
        "files_search.json": api_event("/v1/files", "/v1/files", {"searchQuery": 'path : "/photos/" AND format = "jpg" AND width > 50'}, None),
        "file_upload.json": api_event(
            "/api/v1/files/upload", "/api/v1/files/upload", None, None, method="POST",
            body=multipart({"fileName": UPLOAD_NAME, "folder": f"/{UPLOAD_FOLDER}/", "useUniqueFileName": "false",
                            "tags": "canon,sample", "customMetadata": '{"camera": "40D"}',
                            "responseFields": "tags,customMetadata,metadata,embeddedMetadata"},
                           UPLOAD_NAME, CANON.read_bytes(), "image/jpeg"),
            content_type=f"multipart/form-data; boundary={BOUNDARY}",
        ),
        "upload_url.json": api_event(
            "/v1/files/upload-url", "/v1/files/upload-url", None, None, method="POST",
            body=json.dumps({"fileName": "large-scan.tiff", "folder": "/scans/", "useUniqueFileName": False,
                             "tags": ["archive"]}).encode(),
            content_type="application/json",
        ),
        "file_delete.json": api_event("/v1/files/{fileId}", f"/v1/files/{UPLOAD_ID}", None, {"fileId": UPLOAD_ID}, method="DELETE"),
        "files_bulk_delete.json": api_event(
            "/v1/files/batch/deleteByFileIds", "/v1/files/batch/deleteByFileIds", None, None, method="POST",
            body=json.dumps({"fileIds": [UPLOAD_ID]}).encode(), content_type="application/json",
        ),
        "similar_to_file.json": api_event("/v1/files/{fileId}/similar", f"/v1/files/{FILE_ID}/similar", {"maxDistance": "8"}, {"fileId": FILE_ID}),
        "similar_to_hash.json": api_event("/v1/similar", "/v1/similar", {"pHash": "a56a1332cf90e299", "maxDistance": "10", "limit": "20"}, None),
        "page.json": api_event("/", "/", None, None, browser=True),
        "authorizer_request.json": authorizer_event(api_event("/v1/files/{fileId}/metadata", f"/v1/files/{FILE_ID}/metadata", None, {"fileId": FILE_ID})),
        "ingest_put.json": sqs_event([{"Records": [s3_record("ObjectCreated:Put", PUT_SEQUENCER, True)]}]),
        # What IngestFunction hands IngestLargeFunction: the same S3 notification, from the larger one's queue.
        "ingest_large_put.json": sqs_event([{"Records": [s3_record("ObjectCreated:Put", PUT_SEQUENCER, True)]}], LARGE_QUEUE_ARN),
        "ingest_delete.json": sqs_event([{"Records": [s3_record("ObjectRemoved:Delete", DELETE_SEQUENCER, False)]}]),
        "ingest_test_event.json": sqs_event([{"Service": "Amazon S3", "Event": "s3:TestEvent", "Time": "2026-11-25T12:34:50.000Z", "Bucket": BUCKET, "RequestId": "5582815E1AEA5ADF", "HostId": "8cLeGAmw098X5cv4Zkwcmo8vvZa3eH3eKxsPzbB9wrR+YstdA6Knx4Ip8EXAMPLE"}]),
    }


def main() -> None:
    EVENTS.mkdir(exist_ok=True)
    for name, event in sample_events().items():
        (EVENTS / name).write_text(json.dumps(event, indent=2) + "\n")


if __name__ == "__main__":
    main()
