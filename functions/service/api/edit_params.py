"""The bodies of the edit routes (files.update, files.bulk.add_tags / remove_tags / remove_ai_tags), checked
into library.annotations.Edit values; BadParameter naming the first key that is not acceptable."""
from __future__ import annotations

from typing import Any

from imagemeta.errors import BadParameter
from library.annotations import (
    UNCHANGED,
    Edit,
    checked_coordinates,
    checked_description,
    checked_tags,
)
from library.fields import Fields, checked_values

from .params import FILE_ID

# The hosted API's bound on one bulk tag request.
MAX_BULK_TAG_FILE_IDS = 50
DETAILS_KEYS = ("tags", "customMetadata", "customCoordinates", "description", "removeAITags", "publish",
                "extensions", "webhookUrl")
EXTENSIONS_REFUSED = ("This service does not run extensions (auto-tagging, background removal, AI tasks), so it "
                      "sends no webhooks for them either.")


def details_edit(body: dict[str, Any], fields: Fields) -> Edit:
    """A PATCH /v1/files/{fileId}/details body (either of the hosted shapes, or both) as an Edit."""
    unknown = [key for key in body if key not in DETAILS_KEYS]
    if unknown:
        raise BadParameter(f"Parameter `{unknown[0]}` is not a field of files.update; the fields are "
                           f"{', '.join(DETAILS_KEYS)}.")
    if body.get("extensions"):
        raise BadParameter(f"Parameter `extensions`: {EXTENSIONS_REFUSED}")
    if body.get("webhookUrl"):
        raise BadParameter(f"Parameter `webhookUrl`: {EXTENSIONS_REFUSED}")
    removing = body.get("removeAITags")
    if removing is not None and removing != "all" and not (
            isinstance(removing, list) and all(isinstance(tag, str) for tag in removing)):
        raise BadParameter('Parameter `removeAITags` must be a list of AITags or "all" (files here have none).')
    custom = checked_values(body.get("customMetadata") or {}, fields, allow_null=True)
    for name, value in custom.items():
        field = fields.named(name)
        if value is None and field is not None and field.schema.is_value_required:
            raise BadParameter(f"Parameter `customMetadata.{name}` is required (the field's isValueRequired): it "
                               "cannot be unset.")
    return Edit(
        tags=UNCHANGED if "tags" not in body else () if body["tags"] is None else checked_tags(body["tags"]),
        custom_metadata=custom,
        custom_coordinates=checked_coordinates(body["customCoordinates"]) if "customCoordinates" in body
        else UNCHANGED,
        description=checked_description(body["description"]) if "description" in body else UNCHANGED,
        is_published=publish(body["publish"]) if "publish" in body else None,
    )


def publish(value: Any) -> bool:
    """`publish: {isPublished, includeFileVersions}`: whether the file is published (versions are one here)."""
    if (not isinstance(value, dict) or not isinstance(value.get("isPublished"), bool)
            or any(key not in ("isPublished", "includeFileVersions") for key in value)
            or not isinstance(value.get("includeFileVersions", False), bool)):
        raise BadParameter("Parameter `publish` must be {\"isPublished\": true or false} (and optionally "
                           "\"includeFileVersions\": true or false).")
    return bool(value["isPublished"])


def bulk_tag_request(body: dict[str, Any], tags_key: str) -> tuple[list[str], tuple[str, ...]]:
    """`{fileIds, <tags_key>}` of addTags, removeTags (`tags`) and removeAITags (`AITags`): 1 to 50 distinct
    fileIds and 1 or more tags."""
    unknown = [key for key in body if key not in ("fileIds", tags_key)]
    if unknown:
        raise BadParameter(f"Parameter `{unknown[0]}` is not a field of this request; it takes fileIds and {tags_key}.")
    file_ids = body.get("fileIds")
    if (not isinstance(file_ids, list) or not 1 <= len(file_ids) <= MAX_BULK_TAG_FILE_IDS
            or not all(isinstance(fid, str) and FILE_ID.fullmatch(fid) for fid in file_ids)):
        raise BadParameter(f"Parameter `fileIds` must be a list of 1 to {MAX_BULK_TAG_FILE_IDS} fileIds "
                           "(24 hex digits).")
    tags = checked_tags(body.get(tags_key), tags_key)
    if not tags:
        raise BadParameter(f"Parameter `{tags_key}` must name at least one tag.")
    return list(dict.fromkeys(file_ids)), tags
