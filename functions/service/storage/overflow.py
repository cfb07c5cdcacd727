"""Record bodies too large for a DynamoDB item, kept in the upload bucket under the reserved prefix.

The bucket is one that others write, so a body read back is trusted only if it is the one written: the
record keeps its SHA-256, the read is capped at the largest body a record can have, and a mismatch is a
fault of the service (500, logged), never metadata served as read. The bucket policy also refuses writes
under the prefix to every principal but the ingest's role (template.yaml, UploadBucketPolicy).
"""
from __future__ import annotations

import hashlib
import hmac
import uuid
from typing import Any

# The ingest skips this prefix, so the service's own objects are never indexed as uploads.
RESERVED_PREFIX = "_imagemeta/"
# No record body is larger (a metadata object must fit Lambda's 6 MB response); compressed it is smaller still.
MAX_BODY_BYTES = 6 * 1024 * 1024


class CorruptRecordBody(Exception):
    """A stored body is not the one its record names: changed, replaced or oversized in the bucket (a 500)."""


def digest(body: bytes) -> str:
    """What a record keeps to recognise its body: SHA-256, hex."""
    return hashlib.sha256(body).hexdigest()


class OverflowStore:
    """Puts, gets and deletes compressed record bodies; the S3 client is passed in."""

    def __init__(self, s3: Any, bucket: str):
        self._s3 = s3
        self._bucket = bucket

    def put(self, file_id: str, sequencer: str, body: bytes) -> str:
        """Store a body for one write of a record, under a key of its own.

        The key names the event and is unique per write: a duplicate or concurrent delivery of the same
        event, whose conditional put fails, deletes only its own body, never the one the record points at.
        """
        key = f"{RESERVED_PREFIX}records/{file_id}/{sequencer}-{uuid.uuid4().hex}.json.z"
        self._s3.put_object(Bucket=self._bucket, Key=key, Body=body, ContentType="application/octet-stream")
        return key

    def get(self, key: str, expected_digest: str | None) -> bytes | None:
        """The body stored under key, checked against its digest (when the record has one); None when it is gone.

        Reads at most MAX_BODY_BYTES + 1 bytes: a larger object is not a body this service wrote.
        """
        try:
            response = self._s3.get_object(Bucket=self._bucket, Key=key)
        except self._s3.exceptions.NoSuchKey:
            return None
        with response["Body"] as stream:
            body = stream.read(MAX_BODY_BYTES + 1)
        forged = expected_digest is not None and not hmac.compare_digest(digest(body), expected_digest)
        if len(body) > MAX_BODY_BYTES or forged:
            raise CorruptRecordBody(f"the record body {key} is not the one its record names ({len(body)} bytes read)")
        return body

    def delete(self, key: str) -> None:
        self._s3.delete_object(Bucket=self._bucket, Key=key)
