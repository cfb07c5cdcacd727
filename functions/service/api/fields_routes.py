"""The custom metadata fields (custom_metadata_fields.*): GET and POST /v1/customMetadataFields, PATCH and
DELETE /v1/customMetadataFields/{id}.

The fields are one item (storage/fields.py); every change reads it strongly consistent and writes it back on
the version it read, so two changes racing cannot both take one name. A delete is soft, as the hosted API's:
the field stops taking values and stops being listed (but with `includeDeleted`), and its name stays taken.
"""
from __future__ import annotations

import secrets
from dataclasses import replace

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from library.errors import FieldNotFound
from library.fields import CustomField, Fields, new_field, updated_field

from .deps import ApiDeps
from .params import bool_query, json_object
from .resolver import ok, respond


def router(deps: ApiDeps) -> Router:
    """GET, POST /v1/customMetadataFields; PATCH, DELETE /v1/customMetadataFields/{id}."""
    routes = Router()
    stores = deps.storage

    @routes.get("/v1/customMetadataFields")
    def list_fields() -> Response:
        include_deleted = bool_query(routes, "includeDeleted", False)
        # `folderPath` names a path policy's fields; this service has none, so every field applies everywhere.
        fields = stores.fields.read(consistent=True)
        return ok(routes, [listed(each) for each in (fields.fields if include_deleted else fields.live())])

    @routes.post("/v1/customMetadataFields")
    def create_field() -> Response:
        body = json_object(routes)

        def creating(fields: Fields) -> tuple[Fields, CustomField]:
            created = new_field(body, fields, secrets.token_hex(12))
            return fields.with_field(created), created

        return ok(routes, stores.fields.change(creating).as_json(), status=201)

    @routes.patch("/v1/customMetadataFields/<fieldId>")
    def update_field(fieldId: str) -> Response:  # noqa: N803 - the route's parameter name
        body = json_object(routes)

        def updating(fields: Fields) -> tuple[Fields, CustomField]:
            changed = updated_field(existing(fields, fieldId), body, fields)
            return fields.with_field(changed), changed

        return ok(routes, stores.fields.change(updating).as_json())

    @routes.delete("/v1/customMetadataFields/<fieldId>")
    def delete_field(fieldId: str) -> Response:  # noqa: N803 - the route's parameter name
        def deleting(fields: Fields) -> tuple[Fields, CustomField]:
            gone = replace(existing(fields, fieldId, deleted_too=False), deleted=True)
            return fields.with_field(gone), gone

        stores.fields.change(deleting)
        return respond(routes, 204, "")

    return routes


def existing(fields: Fields, field_id: str, deleted_too: bool = True) -> CustomField:
    """The field of this id (a deleted one only if `deleted_too`); FieldNotFound (404) otherwise."""
    found = fields.by_id(field_id)
    if found is None or (found.deleted and not deleted_too):
        raise FieldNotFound()
    return found


def listed(field: CustomField) -> dict[str, object]:
    """A field as the list answers it; a deleted one (includeDeleted) says so."""
    return {**field.as_json(), "isDeleted": True} if field.deleted else field.as_json()
