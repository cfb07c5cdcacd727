"""The DynamoDB file record: one item per object key, written in S3-event order, read by the API."""
from __future__ import annotations

import hashlib
import json
import time
import zlib
from dataclasses import dataclass
from typing import Any

from imagemeta.errors import ImageMetaError, NotAnImage, TooLarge

from ..errors import RecordNotFound
from .overflow import MAX_BODY_BYTES, CorruptRecordBody, OverflowStore, digest
from .similar_index import index_attributes

# S3 sequencers are hex strings of varying length; right-padded to one width they compare as S3 documents.
SEQUENCER_WIDTH = 32
# A deleted key keeps a tombstone so that a late, stale create cannot bring it back; SQS keeps a message
# at most 14 days, so no event can arrive after 15.
TOMBSTONE_TTL_SECONDS = 15 * 24 * 3600
# JSON metadata above this size is stored zlib-compressed (DynamoDB items are capped at 400 KB) ...
COMPRESS_ABOVE_BYTES = 32 * 1024
# ... and compressed metadata above this goes to the bucket, leaving room for the item's other attributes.
INLINE_LIMIT_BYTES = 350 * 1024
STORED_ERRORS: dict[str, type[ImageMetaError]] = {"NotAnImage": NotAnImage, "TooLarge": TooLarge}


def file_id(bucket: str, key: str) -> str:
    """The contract's stable id: the first 24 hex digits of SHA-256 over "<bucket>/<key>"."""
    return hashlib.sha256(f"{bucket}/{key}".encode()).hexdigest()[:24]


def normalize_sequencer(sequencer: str) -> str:
    """Upper-case, right-padded with zeros to a fixed width, so string order is event order."""
    value = sequencer.strip().upper()
    if not value or len(value) > SEQUENCER_WIDTH or any(c not in "0123456789ABCDEF" for c in value):
        raise ValueError(f"not an S3 sequencer: {sequencer!r}")
    return value.ljust(SEQUENCER_WIDTH, "0")


@dataclass(frozen=True)
class ObjectEvent:
    """What one S3 notification says about one object.

    Only the bucket, key, sequencer and kind are taken from the message; before an object's record is
    written, its size, ETag and version are replaced by S3's own answer (storage.objects), so a forged
    message cannot make a record claim a size or version the object does not have.
    """

    bucket: str
    key: str
    sequencer: str
    removed: bool = False
    size: int = 0
    etag: str = ""
    version_id: str | None = None
    event_time: str = ""
    # One version was deleted for good (versioned bucket): the key's record follows whatever is current now.
    version_deleted: bool = False

    @property
    def file_id(self) -> str:
        return file_id(self.bucket, self.key)


def encode_metadata(metadata: dict[str, Any]) -> dict[str, Any]:
    """The attribute holding the metadata: JSON text, compressed when large (floats survive exactly)."""
    text = json.dumps(metadata, ensure_ascii=False, separators=(",", ":"))
    if len(text) <= COMPRESS_ABOVE_BYTES:
        return {"metadata": {"S": text}}
    return {"metadataZ": {"B": zlib.compress(text.encode(), 6)}}


class RecordStore:
    """Reads and conditionally writes file records; the DynamoDB client and the overflow store are passed in."""

    def __init__(self, dynamodb: Any, table: str, overflow: OverflowStore):
        self._dynamodb = dynamodb
        self._table = table
        self._overflow = overflow

    def put_metadata(self, event: ObjectEvent, metadata: dict[str, Any]) -> bool:
        """Store an object's metadata; False when a newer (or the same) event is already stored."""
        attributes = encode_metadata(metadata)
        spilled = None
        if len(attributes.get("metadataZ", {}).get("B", b"")) > INLINE_LIMIT_BYTES:
            body = attributes.pop("metadataZ")["B"]
            spilled = self._overflow.put(event.file_id, normalize_sequencer(event.sequencer), body)
            attributes["metadataRef"] = {"S": spilled}
            attributes["metadataDigest"] = {"S": digest(body)}
        # The pHash attributes put the record in the similar-image indexes, in the same conditional write.
        written = False
        try:
            written = self._put(event, {**attributes, **index_attributes(metadata["pHash"])})
        finally:
            if not written and spilled:
                self._overflow.delete(spilled)  # stale, or the write failed: no record points at this body
        return written

    def covers(self, event: ObjectEvent) -> bool:
        """True when the stored record is from this event or a newer one, so the event can change nothing.

        Sequencers only grow, so even an eventually consistent read never claims a newer record than exists;
        the conditional write stays the guarantee, this spares the object read of duplicates and stale events.
        """
        item = self._dynamodb.get_item(
            TableName=self._table, Key={"fileId": {"S": event.file_id}}, ProjectionExpression="sequencer"
        ).get("Item")
        return item is not None and item["sequencer"]["S"] >= normalize_sequencer(event.sequencer)

    def put_error(self, event: ObjectEvent, error: ImageMetaError) -> bool:
        """Store why an object has no metadata, so lookups answer the contract's error, not 404."""
        kind = next(name for name, cls in STORED_ERRORS.items() if isinstance(error, cls))
        stored = {"kind": {"S": kind}, "message": {"S": error.message}, "help": {"S": error.help}}
        return self._put(event, {"error": {"M": stored}})

    def put_tombstone(self, event: ObjectEvent) -> bool:
        """Mark a key deleted (kept until its TTL so a stale create cannot resurrect it)."""
        expires = int(time.time()) + TOMBSTONE_TTL_SECONDS
        return self._put(event, {"deleted": {"BOOL": True}, "expiresAt": {"N": str(expires)}})

    def _put(self, event: ObjectEvent, attributes: dict[str, Any]) -> bool:
        item = {
            "fileId": {"S": event.file_id},
            "bucket": {"S": event.bucket},
            "path": {"S": event.key},
            "sequencer": {"S": normalize_sequencer(event.sequencer)},
            "updatedAt": {"S": event.event_time or _now_iso()},
            **attributes,
        }
        if not event.removed:
            item["size"] = {"N": str(event.size)}
            item["etag"] = {"S": event.etag}
            if event.version_id:
                item["versionId"] = {"S": event.version_id}
        try:
            replaced = self._dynamodb.put_item(
                TableName=self._table,
                Item=item,
                ConditionExpression="attribute_not_exists(fileId) OR sequencer < :seq",
                ExpressionAttributeValues={":seq": item["sequencer"]},
                ReturnValues="ALL_OLD",
            ).get("Attributes", {})
        except self._dynamodb.exceptions.ConditionalCheckFailedException:
            return False
        if "metadataRef" in replaced:
            self._overflow.delete(replaced["metadataRef"]["S"])
        return True

    def get(self, fid: str) -> dict[str, Any]:
        """The API view of a record; RecordNotFound when absent or deleted, the stored error when unreadable."""
        item = self._dynamodb.get_item(TableName=self._table, Key={"fileId": {"S": fid}}).get("Item")
        if item is None or "deleted" in item:
            raise RecordNotFound()
        if "error" in item:
            stored = item["error"]["M"]
            raise STORED_ERRORS[stored["kind"]["S"]](stored["message"]["S"], help=stored["help"]["S"])
        return {
            "fileId": item["fileId"]["S"],
            "path": item["path"]["S"],
            "size": int(item["size"]["N"]),
            "etag": item["etag"]["S"],
            "updatedAt": item["updatedAt"]["S"],
            "metadata": self._metadata(item),
        }

    def _metadata(self, item: dict[str, Any]) -> dict[str, Any]:
        """The metadata object back from an item, wherever put_metadata stored it."""
        if "metadata" in item:
            return json.loads(item["metadata"]["S"])
        if "metadataZ" in item:
            return json.loads(inflate(item["metadataZ"]["B"]))
        key = item["metadataRef"]["S"]
        # Records spilled before digests were kept have none: their read is still bounded.
        expected = item["metadataDigest"]["S"] if "metadataDigest" in item else None
        compressed = self._overflow.get(key, expected)
        if compressed is None:
            raise RecordNotFound(detail=f"the record's body {key} is missing from the bucket")
        return json.loads(inflate(compressed))


def inflate(compressed: bytes) -> bytes:
    """A zlib-compressed record body, refused (CorruptRecordBody) past MAX_BODY_BYTES: no zlib bomb inflates."""
    inflater = zlib.decompressobj()
    try:
        text = inflater.decompress(compressed, MAX_BODY_BYTES)
    except zlib.error as error:
        raise CorruptRecordBody(f"a record body does not inflate: {error}") from None
    if inflater.unconsumed_tail or not inflater.eof:
        raise CorruptRecordBody(f"a record body inflates past {MAX_BODY_BYTES} bytes, or is cut short")
    return text


def _now_iso() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
