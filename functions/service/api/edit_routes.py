"""Editing what callers keep with files: PATCH /v1/files/{fileId}/details (files.update) and POST
/v1/files/addTags, /removeTags, /removeAITags (files.bulk.*).

An edit changes the file's record alone, conditionally on the revision it read (storage/records.py,
update_annotations): the object in S3 is not touched, so no event follows and the ingest is not involved.
"""
from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from imagemeta.errors import ImageMetaError
from library.annotations import Edit
from library.errors import MissingFiles

from ..storage.records import WriteConflict
from .deps import ApiDeps
from .edit_params import bulk_tag_request, details_edit
from .file_objects import file_object
from .params import json_object, parse_file_id
from .resolver import ok

# Files of one bulk request edited at once (each a read and a conditional write).
EDIT_CONCURRENCY = 8


def router(deps: ApiDeps) -> Router:
    """PATCH /v1/files/{fileId}/details, POST /v1/files/addTags, /removeTags and /removeAITags."""
    routes = Router()
    stores = deps.storage

    @routes.patch("/v1/files/<fileId>/details")
    def update_file(fileId: str) -> Response:  # noqa: N803 - the contract's parameter name
        fid = parse_file_id(fileId)
        edit = details_edit(json_object(routes), stores.fields.read(consistent=True))
        return ok(routes, file_object(stores.records.update_annotations(fid, edit.applied_to), deps.file_urls))

    def bulk(tags_key: str, edit_of: Callable[[tuple[str, ...]], Edit] | None) -> Response:
        """Check every fileId (all or nothing: 404 with missingFileIds), then edit each; 207 lists the files an
        edit failed for (gone since, a record that kept changing, tags over what a file keeps)."""
        file_ids, tags = bulk_tag_request(json_object(routes), tags_key)
        found = stores.records.files(file_ids, consistent=True)
        missing = [fid for fid in file_ids if fid not in found]
        if missing:
            raise MissingFiles(missing)
        if edit_of is None:
            return ok(routes, {"successfullyUpdatedFileIds": file_ids})
        change = edit_of(tags).applied_to

        def edit(fid: str) -> str | None:
            try:
                stores.records.update_annotations(fid, change)
            except ImageMetaError as refused:
                return refused.message
            except WriteConflict:
                return "The file's record kept changing under this edit; send it again."
            return None

        with ThreadPoolExecutor(EDIT_CONCURRENCY) as pool:
            errors = dict(zip(file_ids, pool.map(edit, file_ids), strict=True))
        updated = [fid for fid in file_ids if errors[fid] is None]
        failed = [{"fileId": fid, "error": error} for fid, error in errors.items() if error is not None]
        if not failed:
            return ok(routes, {"successfullyUpdatedFileIds": updated})
        return ok(routes, {"successfullyUpdatedFileIds": updated, "errors": failed}, status=207)

    @routes.post("/v1/files/addTags")
    def add_tags() -> Response:
        return bulk("tags", lambda tags: Edit(add_tags=tags))

    @routes.post("/v1/files/removeTags")
    def remove_tags() -> Response:
        return bulk("tags", lambda tags: Edit(remove_tags=tags))

    @routes.post("/v1/files/removeAITags")
    def remove_ai_tags() -> Response:
        # Files here have no AITags (no auto-tagging runs): each named file is checked and left as it is.
        return bulk("AITags", None)

    return routes
