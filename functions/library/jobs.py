"""Bulk folder jobs as the library sees them: copy, move, rename and delete a folder, whatever its size.

A job is submitted by a route, stored (service/storage/jobs.py) and run step by step by the folder jobs
worker (service/jobs/); its status is the hosted API's, Pending until every object has its place.
"""
from __future__ import annotations

from dataclasses import dataclass

COPY_FOLDER = "COPY_FOLDER"
MOVE_FOLDER = "MOVE_FOLDER"
RENAME_FOLDER = "RENAME_FOLDER"
# DELETE /v1/folder runs as a job too (the hosted API answers 204; the job is not exposed).
DELETE_FOLDER = "DELETE_FOLDER"
PENDING = "Pending"
COMPLETED = "Completed"


@dataclass(frozen=True)
class FolderJob:
    """What a job does: its kind, the source folder's key prefix, the destination's (None for a delete), whether
    every version of each file goes (moves always; copies with includeVersions), whether the CDN is purged."""

    job_id: str
    kind: str
    source: str
    destination: str | None
    versions: bool
    purge: bool = False

    @property
    def moves(self) -> bool:
        """Whether the source's objects go once they have their place (a move or a rename)."""
        return self.kind in (MOVE_FOLDER, RENAME_FOLDER)


@dataclass(frozen=True)
class JobStatus:
    """What GET /v1/bulkJobs/{jobId} answers."""

    job_id: str
    kind: str
    status: str
    purge_request_id: str | None = None
