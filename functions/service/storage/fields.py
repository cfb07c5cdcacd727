"""The custom metadata fields of the deployment: one item of the records table, and a per-process cache of it.

All fields, deleted ones included, are one JSON document in one item (`pk` "_fields", `sk` "all", at most
library.fields.MAX_FIELDS of them), so a change is one conditional put on the item's version: names stay
unique without a transaction, and every reader gets all of them with one GetItem. The edit function reads it
strongly consistent and writes it; the upload, ingest and files functions read it through FieldCache, which
keeps it a short while (FIELDS_TTL_SECONDS) and reads it again at once when a name it does not know is asked
for, so a field created a moment ago is usable at once and a deleted one stops being accepted within the TTL.
"""
from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any

from imagemeta.errors import BadParameter
from library.fields import CustomField, Fields, Schema

FIELDS_KEY = {"pk": {"S": "_fields"}, "sk": {"S": "all"}}
FIELDS_TTL_SECONDS = 30.0
# The fields' JSON in the item (an item holds 400 KB).
MAX_DOCUMENT_BYTES = 350 * 1024
# Changes racing on the item retry this many times.
WRITE_ATTEMPTS = 5


class FieldsChanged(Exception):
    """The fields item kept changing under every attempt to change it (a 500: retried by the SDKs)."""


class FieldStore:
    """Reads and conditionally writes the fields item; the DynamoDB client is passed in."""

    def __init__(self, dynamodb: Any, table: str):
        self._dynamodb = dynamodb
        self._table = table

    def read(self, consistent: bool = False) -> Fields:
        item = self._dynamodb.get_item(TableName=self._table, Key=FIELDS_KEY, ConsistentRead=consistent).get("Item")
        if item is None:
            return Fields()
        return Fields(tuple(decode(each) for each in json.loads(item["fields"]["S"])), int(item["v"]["N"]))

    def change(self, changing: Callable[[Fields], tuple[Fields, CustomField]]) -> CustomField:
        """Apply `changing(fields) -> (fields, the field changed)` to the stored fields, on the version read."""
        for _ in range(WRITE_ATTEMPTS):
            current = self.read(consistent=True)
            changed, result = changing(current)
            condition: dict[str, Any] = (
                {"ConditionExpression": "attribute_not_exists(pk)"} if current.version == 0 else
                {"ConditionExpression": "v = :v", "ExpressionAttributeValues": {":v": {"N": str(current.version)}}})
            document = json.dumps([encode(each) for each in changed.fields], ensure_ascii=False)
            if len(document.encode()) > MAX_DOCUMENT_BYTES:
                raise BadParameter(f"The custom metadata fields would take more than {MAX_DOCUMENT_BYTES // 1024} KB "
                                   "in all: shorten their options, default values or descriptions.")
            item = {**FIELDS_KEY, "v": {"N": str(current.version + 1)}, "fields": {"S": document}}
            try:
                self._dynamodb.put_item(TableName=self._table, Item=item, **condition)
            except self._dynamodb.exceptions.ConditionalCheckFailedException:
                continue
            return result
        raise FieldsChanged(f"the custom metadata fields changed under {WRITE_ATTEMPTS} attempts")


class FieldCache:
    """The fields as one process reads them: kept FIELDS_TTL_SECONDS, read again when asked for a name it lacks
    (a request naming an unknown field costs one GetItem more, as it would anyway to be refused)."""

    def __init__(self, store: FieldStore, ttl: float = FIELDS_TTL_SECONDS, clock: Callable[[], float] = time.monotonic):
        self._store = store
        self._ttl = ttl
        self._clock = clock
        self._lock = threading.Lock()
        self._fields: Fields | None = None
        self._read_at = 0.0

    def fields(self, needed: tuple[str, ...] = ()) -> Fields:
        """The fields, read again when they are older than the TTL or lack a live field named in `needed`."""
        with self._lock:
            fields = self._fields
            if (fields is None or self._clock() - self._read_at > self._ttl
                    or any(fields.named(name) is None for name in needed)):
                fields = self._fields = self._store.read(consistent=True)
                self._read_at = self._clock()
            return fields


def encode(field: CustomField) -> dict[str, Any]:
    return {"id": field.id, "name": field.name, "label": field.label, "schema": field.schema.as_json(),
            "description": field.description, "deleted": field.deleted}


def decode(stored: dict[str, Any]) -> CustomField:
    schema = stored["schema"]
    options = schema.get("selectOptions")
    return CustomField(
        id=stored["id"],
        name=stored["name"],
        label=stored["label"],
        schema=Schema(
            type=schema["type"],
            default_value=schema.get("defaultValue"),
            is_value_required=schema.get("isValueRequired", False),
            min_length=schema.get("minLength"),
            max_length=schema.get("maxLength"),
            min_value=schema.get("minValue"),
            max_value=schema.get("maxValue"),
            select_options=tuple(options) if options is not None else None,
        ),
        description=stored.get("description"),
        deleted=stored.get("deleted", False),
    )
