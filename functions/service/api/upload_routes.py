"""Uploads through the API: POST /api/v1/files/upload (the hosted upload API) and POST /v1/files/upload-url.

The upload checks its credentials when they are in the body (a client-side upload: upload_auth.py), extracts
the file's metadata in the request (so `responseFields` can return it) and puts its thumbnail (so
`thumbnailUrl` works at once), leaves both and the upload's annotations for the ingest in a seed under the
bytes' MD5 (storage/seeds.py), then puts the object; the record is written by the ingest from the object's S3
event, as for any upload, without reading and extracting the file again.
"""
from __future__ import annotations

import base64
import hashlib
import mimetypes
import time
from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from imagemeta import NotAnImage, OverMemoryBudget, TooLarge
from imagemeta.errors import BadParameter, ImageMetaError
from imagemeta.fetch import fetch
from library.annotations import AnnotationUpdate
from library.errors import FileExists, RecordNotFound
from library.kinds import IMAGE, file_kind
from library.paths import file_path, name_of
from library.records import Extraction, FileRecord, StoredError

from ..storage.objects import presigned_put, put_upload
from ..storage.records import file_id
from ..storage.seeds import Seed
from ..storage.stores import Stores
from .deps import ApiDeps
from .file_objects import version_info
from .multipart import Part, parse_form
from .params import json_body
from .resolver import ok
from .upload_auth import signed_upload
from .upload_params import (
    Placement,
    annotation_update,
    custom_metadata,
    form_fields,
    inline_file,
    json_fields,
    metadata_names,
    placement,
    response_fields,
    s3_tags,
    user_metadata,
)

# How long an upload URL works; large uploads start right after asking for one.
UPLOAD_URL_SECONDS = 900


def router(deps: ApiDeps) -> Router:
    """POST /api/v1/files/upload and POST /v1/files/upload-url."""
    routes = Router()
    stores = deps.storage

    @routes.post("/api/v1/files/upload")
    def upload() -> Response:
        event = routes.current_event
        parts = parse_form(body_bytes(event), event.headers.get("content-type") or "")
        fields = form_fields(parts)
        authorizer = event.raw_event.get("requestContext", {}).get("authorizer") or {}
        signed = signed_upload(fields, authorizer, deps.signing_keys, time.time())
        where = placement(fields)
        update = annotation_update(fields, stores.field_cache.fields(metadata_names(fields)))
        wanted = response_fields(fields.get("responseFields"))
        if signed is not None and not stores.tokens.take(signed.public_key, signed.token, signed.expire):
            raise BadParameter("Parameter `token` was used before: every client-side upload needs a new token.")
        stored = False
        try:
            data = file_bytes(parts.get("file"), deps)
            answer = store_upload(deps, where, update, data, parts["file"].content_type, wanted)
            stored = True
        finally:
            if signed is not None and not stored:
                stores.tokens.release(signed.public_key, signed.token)  # nothing was stored: a retry may spend it
        return ok(routes, answer)

    @routes.post("/v1/files/upload-url")
    def upload_url() -> Response:
        fields = json_fields(json_body(routes))
        where = placement(fields)
        tags = s3_tags(fields.get("tags"))
        custom = custom_metadata(fields.get("customMetadata"), stores.field_cache.fields(metadata_names(fields)))
        headers = {"Content-Type": fields.get("contentType") or guessed_type(where.key)}
        if tags:
            headers["x-amz-tagging"] = "&".join(f"{tag}=" for tag in tags)
        headers.update({f"x-amz-meta-{name}": value for name, value in user_metadata(custom).items()})
        if not where.overwrite:
            headers["If-None-Match"] = "*"
        url = presigned_put(stores.clients.s3, stores.bucket, where.key, headers, UPLOAD_URL_SECONDS)
        return ok(routes, {
            "url": url,
            "method": "PUT",
            "headers": headers,
            "fileId": file_id(stores.bucket, where.key),
            "filePath": file_path(where.key),
            "expiresAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + UPLOAD_URL_SECONDS)),
        })

    return routes


def body_bytes(event: Any) -> bytes:
    """The request body's bytes (binary media types reach the function base64-encoded)."""
    body = event.body or ""
    return base64.b64decode(body) if event.is_base64_encoded else body.encode()


def file_bytes(part: Part | None, deps: ApiDeps) -> bytes:
    """The `file` field: a file part's bytes, or text that is an http(s) URL (fetched safely) or base64."""
    if part is None:
        raise BadParameter("Missing required parameter `file`.")
    if part.filename is not None:
        return part.data
    text = part.text("file").strip()
    if text.lower().startswith(("http://", "https://")):
        return bytes(fetch(text, deps.fetch))
    return inline_file(text)


def store_upload(deps: ApiDeps, where: Placement, update: AnnotationUpdate, data: bytes, declared_type: str | None,
                 wanted: frozenset[str]) -> dict[str, Any]:
    """Extract, put the thumbnail, hand both to the ingest, put the object; the hosted upload response."""
    from imagemeta.thumbnail import NoThumbnail, Thumbnail, extract_with_thumbnail  # the image stack: first use

    metadata: dict | None = None
    embedded: dict | None = None
    made: Thumbnail | NoThumbnail = NoThumbnail("not an image")
    error: ImageMetaError | None = None
    try:
        metadata, embedded, made = extract_with_thumbnail(data, deps.limits, deps.make_thumbnails)
    except (NotAnImage, TooLarge) as refused:
        error = refused
    kind = file_kind(where.key, declared_type or "", metadata["format"] if metadata else None,
                     isinstance(error, TooLarge))
    stores = deps.storage
    fid = file_id(stores.bucket, where.key)
    replaced = current_file(deps, fid) if where.overwrite else None
    md5 = hashlib.md5(data).hexdigest()  # noqa: S324 - S3's ETag of a single-part put, not security
    private = update.is_private
    thumbnail: str | None = None
    if isinstance(made, Thumbnail):
        thumbnail, failure = stores.thumbnails.keep(fid, md5, made.webp, private)
        if failure:
            deps.logger.warning("thumbnail not stored", extra={"key": where.key, "reason": failure})
    # Over this function's budget the ingest reads the bytes itself: its larger function may decode them.
    extraction = None if isinstance(error, OverMemoryBudget) else \
        Extraction(metadata, embedded, StoredError.of(error) if error else None, thumbnail)
    if not stores.seeds.put(fid, md5, Seed(extraction, update)):
        stores.seeds.put(fid, md5, Seed(None, update))  # an extraction too large to leave: the ingest reads
        discard_thumbnail(stores, thumbnail)  # and makes its own thumbnail
        thumbnail = None
    put = put_upload(stores.clients.s3, stores.bucket, where.key, data, kind.mime, where.overwrite, private)
    if put is None:
        stores.seeds.discard(fid, md5)
        discard_thumbnail(stores, thumbnail)
        raise FileExists()
    version = put.get("VersionId")
    version = version if version and version != "null" else None
    # What the ingest will keep: the upload's annotations over those of the file it replaces, by the rules.
    notes = update.applied_to(replaced.annotations if replaced is not None else None)
    answer: dict[str, Any] = {
        "fileId": fid,
        "name": name_of(where.key),
        "size": len(data),
        "versionInfo": version_info(fid, version, replaced.version_number + 1 if replaced is not None else 1),
        "filePath": file_path(where.key),
        "url": deps.file_urls.of(where.key, version, kind.mime, private),
        "fileType": kind.file_type,
        "height": metadata["height"] if metadata else None,
        "width": metadata["width"] if metadata else None,
        "thumbnailUrl": deps.file_urls.thumbnail(thumbnail, private),
        "AITags": None,
    }
    if notes.description is not None:
        answer["description"] = notes.description
    optional = {
        "tags": list(notes.tags) or None,
        "customCoordinates": notes.custom_coordinates,
        "isPrivateFile": notes.is_private,
        "isPublished": notes.is_published,
        "customMetadata": dict(notes.custom_metadata),
        "metadata": metadata,
        "embeddedMetadata": embedded if kind.file_type == IMAGE else None,
        "selectedFieldsSchema": {},  # path policies select fields; this service has none
    }
    answer.update({field: value for field, value in optional.items() if field in wanted})
    return answer


def current_file(deps: ApiDeps, fid: str) -> FileRecord | None:
    """The file an upload is about to replace, if there is one."""
    try:
        return deps.storage.records.file(fid)
    except RecordNotFound:
        return None


def discard_thumbnail(stores: Stores, thumbnail: str | None) -> None:
    """Delete a thumbnail no record will hold (the upload failed, or the ingest makes its own)."""
    if thumbnail is not None:
        stores.thumbnails.delete(thumbnail)


def guessed_type(key: str) -> str:
    """The Content-Type an upload URL signs when the caller names none: from the file name's extension."""
    return mimetypes.guess_type(key, strict=False)[0] or "application/octet-stream"
