"""Folders: POST /v1/folder, DELETE /v1/folder, and the folder jobs POST /v1/bulkJobs/copyFolder, moveFolder and
renameFolder.

A folder is made by its marker, the empty object `<folder>/` an S3 console writes too, so the bucket keeps it
(a table rebuilt by the backfill has it again); the ingest makes its folder items and those of missing
parents. Deleting, copying, moving and renaming a folder run as jobs on the jobs queue, whatever the folder's
size (service/jobs/worker.py): the route checks the request, stores the job and queues its first step.
"""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from imagemeta.errors import BadParameter, echo
from library.errors import FolderNotFound
from library.instants import instant_of
from library.jobs import COPY_FOLDER, DELETE_FOLDER, MOVE_FOLDER, RENAME_FOLDER, FolderJob
from library.paths import (
    FOLDER_NAME_KEEPS,
    RENAMED_FOLDER_KEEPS,
    folder_name,
    folder_path,
    inside,
    parent_prefix,
    sanitized_name,
)

from ..storage.jobs import new_job_id
from ..storage.objects import list_keys, put_folder_marker
from ..storage.stores import Stores
from .deps import ApiDeps
from .params import bool_field, checked_segments, folder_field, json_object, text_field
from .resolver import ok, respond


def router(deps: ApiDeps) -> Router:
    """POST and DELETE /v1/folder, POST /v1/bulkJobs/copyFolder, /moveFolder and /renameFolder."""
    routes = Router()
    stores = deps.storage

    @routes.post("/v1/folder")
    def create_folder() -> Response:
        body = json_object(routes)
        parent = folder_field(body, "parentFolderPath", root=True)
        prefix = parent + new_name(body, "folderName", FOLDER_NAME_KEEPS) + "/"
        checked_segments(prefix, "folderName", prefix)
        put_folder_marker(stores.clients.s3, stores.bucket, prefix)
        return ok(routes, {}, status=201)

    @routes.delete("/v1/folder")
    def delete_folder() -> Response:
        prefix = folder_field(json_object(routes), "folderPath", root=False)
        present(stores, prefix, "FOLDER_NOT_FOUND")
        start(stores, FolderJob(new_job_id(), DELETE_FOLDER, prefix, None, versions=True))
        return respond(routes, 204, "")

    @routes.post("/v1/bulkJobs/copyFolder")
    def copy_folder() -> Response:
        body = json_object(routes)
        source, destination = relocated(stores, body)
        versions = bool_field(body, "includeVersions", bool_field(body, "includeFileVersions", False))
        return ok(routes, {"jobId": start(stores, FolderJob(new_job_id(), COPY_FOLDER, source, destination, versions))})

    @routes.post("/v1/bulkJobs/moveFolder")
    def move_folder() -> Response:
        source, destination = relocated(stores, json_object(routes))
        return ok(routes, {"jobId": start(stores, FolderJob(new_job_id(), MOVE_FOLDER, source, destination, True))})

    @routes.post("/v1/bulkJobs/renameFolder")
    def rename_folder() -> Response:
        body = json_object(routes)
        source = folder_field(body, "folderPath", root=False)
        destination = parent_prefix(source[:-1]) + new_name(body, "newFolderName", RENAMED_FOLDER_KEEPS) + "/"
        if destination == source:
            raise BadParameter("Parameter `newFolderName` is the folder's name already.")
        present(stores, source, "NO_FILES_FOLDER")
        purge = bool_field(body, "purgeCache", False)
        job = FolderJob(new_job_id(), RENAME_FOLDER, source, destination, versions=True, purge=purge)
        return ok(routes, {"jobId": start(stores, job)})

    return routes


def new_name(body: dict[str, Any], name: str, keeps: str) -> str:
    """A new folder's name as the hosted API stores it (letters, marks, digits and `keeps`; the rest "_")."""
    value = text_field(body, name).strip("/")
    if value in ("", ".", ".."):
        raise BadParameter(f"Parameter `{name}`: '.' and '..' cannot be folder names; got {echo(value)}.")
    return sanitized_name(value, keeps)


def relocated(stores: Stores, body: dict[str, Any]) -> tuple[str, str]:
    """A folder copy's or move's source prefix (an existing folder, not the root) and its destination: the
    source's name inside `destinationPath`, which may be neither the source nor inside it."""
    source = folder_field(body, "sourceFolderPath", root=False)
    destination = folder_field(body, "destinationPath", root=True) + folder_name(source) + "/"
    if destination == source:
        raise BadParameter("Parameter `destinationPath` is the folder's own parent: the folder would go onto itself.")
    if inside(destination, source):
        raise BadParameter(f"Parameter `destinationPath` is inside the source folder {folder_path(source)}.")
    present(stores, source, "NO_FILES_FOLDER")
    return source, destination


def present(stores: Stores, prefix: str, reason: str) -> None:
    """FolderNotFound unless the folder has its item or holds an object (a prefix written straight to S3)."""
    if not stores.folders.exists(prefix) and not list_keys(stores.clients.s3, stores.bucket, prefix, "", 1):
        raise FolderNotFound(folder_path(prefix), reason)


def start(stores: Stores, job: FolderJob) -> str:
    """Store a job and queue its first step; its id."""
    stores.jobs.create(job, instant_of(datetime.now(UTC)))
    stores.job_queue.send(job.job_id, 0)
    return job.job_id
