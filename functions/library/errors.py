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


class Refusal(ImageMetaError):
    """An error whose body names the hosted API's `reason` too, so a client can tell the cases apart."""

    reason = ""

    def body(self) -> dict[str, object]:
        return {**super().body(), "reason": self.reason}


class FileMoved(RecordNotFound, Refusal):
    """The fileId named a file that was moved or renamed (404): a fileId is its path's, so it says where to."""

    reason = "FILE_MOVED"
    help = "A fileId names a path; use the fileId of the file's new path (movedTo)."

    def __init__(self, file_id: str, file_path: str):
        super().__init__(f"The file was moved to {file_path}.")
        self.moved_to = {"fileId": file_id, "filePath": file_path}

    def body(self) -> dict[str, object]:
        return {**super().body(), "movedTo": self.moved_to}


class SourceMissing(Refusal):
    """A copy, move or rename names a source path that holds no file (404)."""

    reason = "SOURCE_FILE_MISSING"
    help = "Check sourceFilePath (or filePath): it must name an existing file, such as /folder/photo.jpg."

    def __init__(self, file_path: str, reason: str = "SOURCE_FILE_MISSING"):
        super().__init__(f"No file found with filePath {file_path}.")
        self.reason = reason


class FolderNotFound(Refusal):
    """A folder call names a folder that does not exist (404)."""

    help = "Check the folder path: it must name an existing folder, such as /album/2024."

    def __init__(self, folder_path: str, reason: str = "FOLDER_NOT_FOUND"):
        super().__init__(f"No folder found with folderPath {folder_path}.")
        self.reason = reason


class VersionNotFound(Refusal):
    """No such version of the file (404)."""

    message = "The requested file version does not exist."
    help = "GET /v1/files/{fileId}/versions lists the file's versions."
    reason = "VERSION_NOT_FOUND"


class NameTaken(FileExists, Refusal):
    """A rename names a file that exists (409); retrying cannot change that."""

    message = "A file with the new name already exists in the folder."
    help = "Choose another newFileName, or delete or move the existing file first."
    reason = "FILE_ALREADY_EXISTS"


class JobNotFound(Refusal):
    """No such bulk job (404)."""

    message = "The requested job does not exist."
    help = "Use the jobId a POST /v1/bulkJobs/... call answered."
    reason = "JOB_NOT_FOUND"


class PurgeNotFound(Refusal):
    """No such purge request (404)."""

    message = "The requested purge request does not exist."
    help = "Use the requestId POST /v1/files/purge answered (or a rename's purgeRequestId)."
    reason = "PURGE_REQUEST_NOT_FOUND"


class NotSupported(Refusal):
    """A hosted call this service does not serve (501): no file is missing, and retrying cannot help."""

    reason = "NOT_SUPPORTED"
    help = ("This self-hosted service serves the media library's files, folders, versions, jobs and cache purges; "
            "the routes are in docs/openapi.yaml.")

    def __init__(self, method: str, path: str):
        super().__init__(f"{method} {path} is not supported by this service.")


class MethodNotSupported(NotSupported):
    """A method a served path does not take (405)."""

    help = "The path is served, with other methods; the routes and their methods are in docs/openapi.yaml."
