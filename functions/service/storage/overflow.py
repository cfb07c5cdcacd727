"""Record bodies too large for a DynamoDB item, kept in the upload bucket under the reserved prefix."""
from __future__ import annotations

import uuid
from typing import Any

# The ingest skips this prefix, so the service's own objects are never indexed as uploads.
RESERVED_PREFIX = "_imagemeta/"


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

    def get(self, key: str) -> bytes | None:
        """A stored body; None when it is gone (the prefix is in a bucket others can write)."""
        try:
            response = self._s3.get_object(Bucket=self._bucket, Key=key)
        except self._s3.exceptions.NoSuchKey:
            return None
        with response["Body"] as body:
            return body.read()

    def delete(self, key: str) -> None:
        self._s3.delete_object(Bucket=self._bucket, Key=key)
