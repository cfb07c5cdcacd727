"""What kind of file an object is, as the hosted API's File object says it: fileType, mime and format."""
from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from functools import cache

IMAGE = "image"
NON_IMAGE = "non-image"
# Content types that say nothing (what SDKs send when the uploader gave none): the extension says more.
GENERIC_TYPES = {"", "binary/octet-stream", "application/octet-stream"}
DEFAULT_MIME = "application/octet-stream"


@dataclass(frozen=True)
class FileKind:
    file_type: str
    mime: str
    # The metadata object's format for images; a non-image's lower-case extension ("" without one).
    format: str


def file_kind(key: str, content_type: str, image_format: str | None, too_large: bool = False) -> FileKind:
    """The kind of an object from what was read of it.

    An image is what the extraction read (its format gives the mime, whatever the upload claimed); an
    object over the size limit was never read, so its declared or guessed type decides.
    """
    if image_format:
        return FileKind(IMAGE, mime_by_format()[image_format], image_format)
    declared = content_type.split(";", 1)[0].strip().lower()
    mime = declared if declared not in GENERIC_TYPES else (mimetypes.guess_type(key, strict=False)[0] or DEFAULT_MIME)
    extension = key.rsplit("/", 1)[-1].rpartition(".")[2].lower() if "." in key.rsplit("/", 1)[-1] else ""
    return FileKind(IMAGE if too_large and mime.startswith("image/") else NON_IMAGE, mime, extension)


@cache
def mime_by_format() -> dict[str, str]:
    """Each format's own mime (imagemeta/formats/), by the metadata object's name for it. Loaded on first use:
    the functions that only read records (File objects need IMAGE alone) do not import the format registry."""
    from imagemeta.formats import FORMATS  # deferred: 12-26 ms of a cold start otherwise

    return {image_format.name: image_format.mime for image_format in FORMATS}
