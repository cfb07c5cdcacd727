"""The service's own errors, beside the core's family; `service.api.error_map` gives each its status."""
from __future__ import annotations

from imagemeta.errors import ImageMetaError


class RecordNotFound(ImageMetaError):
    """No record for that fileId or path, or its stored body is gone (404)."""

    message = "The requested file does not exist or is inaccessible at this time."
    help = "Check the fileId or path; uploads are processed within seconds."


class SearchTooBroad(ImageMetaError):
    """A similar search would read more index entries than it may (413)."""

    help = "Too many stored images are near-identical to this hash; look up one of them by path."


class SearchNeedsPath(ImageMetaError):
    """A files search would read more records than the deployment allows (400): it must name a folder."""

    help = (
        "Narrow the search to a folder: the `path` parameter, or a `path = \"/folder/\"` or `path : \"/folder/\"` "
        "condition in `searchQuery` (the limit is the SearchMaxRecords parameter of the deployment)."
    )


class SignatureRefused(ImageMetaError):
    """A client-side upload's credentials are missing, name no active key, or are not that key's signature (401)."""

    help = ("Sign `token + expire` with the private key on your server (HMAC-SHA1, hex: the SDKs' "
            "getAuthenticationParameters) and send publicKey, signature, expire and a new token with the upload.")


class FieldNotFound(ImageMetaError):
    """No custom metadata field has that id (404)."""

    message = "No such custom metadata field exists."
    help = "GET /v1/customMetadataFields?includeDeleted=true lists every field and its id."


class FileExists(ImageMetaError):
    """An upload with overwriteFile=false and useUniqueFileName=false names a file that exists (409)."""

    message = "A file already exists at this path."
    help = "Upload with useUniqueFileName=true or overwriteFile=true, or choose another fileName or folder."


class MissingFiles(ImageMetaError):
    """A bulk request named fileIds that have no file (404); nothing was changed."""

    message = "The requested file(s) does not exist."
    help = "Remove the missing fileIds from the request (missingFileIds); nothing was changed."

    def __init__(self, missing: list[str], help: str | None = None):  # noqa: A002 - the contract's field
        super().__init__(help=help, detail=f"{len(missing)} missing")
        self.missing = missing

    def body(self) -> dict[str, object]:
        return {**super().body(), "missingFileIds": self.missing}
