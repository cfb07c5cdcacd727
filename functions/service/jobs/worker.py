"""The folder jobs worker: each message of the jobs queue runs one step of one job (storage/jobs.py).

A job's steps, in order:
- `objects`, one step per page of the source folder's keys (PAGE_KEYS, in key order from the cursor): each
  key's file is transferred to its place under the destination (storage/transfers.py), its versions with it
  for a move or a copy with includeVersions; a delete deletes a page of every version and delete marker under
  the folder for good. Uploads that land in the source folder while the job runs are moved when the listing
  reaches them, and otherwise stay where they landed: each object is in exactly one place either way;
- `folders`, one step: the destination gets the folder items of the source's folders (empty ones too), a move
  or delete removes the source's, and the objects still under the source (uploads that came after their page)
  get their folder items back, since a folder holding a file is always listed; a folder rename with purgeCache
  purges the old paths. Then the job is Completed.
A step that is run again (a worker killed, a message delivered twice) finds its own copies by their marks and
does not copy twice; the item's step counter makes a duplicate message a no-op.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from library.instants import instant_of
from library.jobs import DELETE_FOLDER, PENDING, FolderJob
from library.paths import moved_key

from ..storage.cdn import key_paths
from ..storage.jobs import FOLDERS, OBJECTS, Progress, step_message
from ..storage.objects import TRANSFER_CONCURRENCY, delete_versions, list_keys, list_versions
from ..storage.stores import Stores

# Keys a step transfers; with TRANSFER_CONCURRENCY at once, a step takes seconds on AWS.
PAGE_KEYS = 100
# Versions a delete step deletes (one DeleteObjects call).
PAGE_VERSIONS = 1000


class FolderJobs:
    """Runs the steps of folder jobs; the stores (bucket, table, queue, CDN) are passed in."""

    def __init__(self, stores: Stores, logger: Logger):
        self._stores = stores
        self._logger = logger

    def handle_message(self, record: SQSRecord) -> None:
        """One step of one job, unless the job is past it (the message came again: then the next step is sent
        again, in case the worker that ran this one stopped before sending it)."""
        job_id, step = step_message(record.body)
        jobs = self._stores.jobs
        claimed = jobs.begin(job_id, step)
        if claimed is None:
            found = jobs.job(job_id)
            if found is not None and found[2] == PENDING and found[1] == step + 1:
                self._stores.job_queue.send(job_id, step + 1)
            self._logger.info("job step skipped", extra={"jobId": job_id, "step": step})
            return
        job, progress = claimed
        following, purge_request_id = self._run(job, progress)
        if jobs.advance(job_id, progress, following, purge_request_id) and following is not None:
            self._stores.job_queue.send(job_id, step + 1)
        self._logger.info("job step done", extra={"jobId": job_id, "kind": job.kind, "step": step,
                                                   "phase": progress.phase, "redo": progress.redo,
                                                   "objects": (following or progress).objects,
                                                   "completed": following is None})

    def _run(self, job: FolderJob, progress: Progress) -> tuple[Progress | None, str | None]:
        """Do one step; the next step's input (None: the job is done) and a purge's request id."""
        if progress.phase == OBJECTS:
            return (self._delete_page(job, progress) if job.kind == DELETE_FOLDER
                    else self._transfer_page(job, progress)), None
        return None, self._folders(job)

    def _transfer_page(self, job: FolderJob, progress: Progress) -> Progress:
        stores = self._stores
        keys = list_keys(stores.clients.s3, stores.bucket, job.source, progress.cursor, PAGE_KEYS)
        destination = job.destination or ""

        def transfer(key: str) -> bool:
            placed = stores.transfers.transfer(key, moved_key(key, job.source, destination), versions=job.versions,
                                               moves=job.moves, operation=job.job_id, redo=progress.redo)
            return placed is not None

        with ThreadPoolExecutor(TRANSFER_CONCURRENCY) as pool:
            placed = sum(pool.map(transfer, [listed.key for listed in keys]))
        if len(keys) == PAGE_KEYS:
            return Progress(progress.step + 1, OBJECTS, keys[-1].key, objects=progress.objects + placed)
        return Progress(progress.step + 1, FOLDERS, objects=progress.objects + placed)

    def _delete_page(self, job: FolderJob, progress: Progress) -> Progress:
        stores = self._stores
        versions, following = list_versions(stores.clients.s3, stores.bucket, job.source, progress.cursor,
                                            progress.version_marker, PAGE_VERSIONS)
        delete_versions(stores.clients.s3, stores.bucket, [(version.key, version.version_id) for version in versions])
        done = progress.objects + len(versions)
        if following is not None:
            return Progress(progress.step + 1, OBJECTS, following[0], following[1], objects=done)
        return Progress(progress.step + 1, FOLDERS, objects=done)

    def _folders(self, job: FolderJob) -> str | None:
        """The folder items: the destination's made, the source's deleted (a move or a delete), those of objects
        still under the source made again; then the purge a rename asked for (its request id)."""
        stores = self._stores
        now = instant_of(datetime.now(UTC))
        below = stores.folders.subtree(job.source)
        if job.destination is not None:
            stores.folders.ensure(job.destination, now)
            for folder in below:
                stores.folders.ensure(moved_key(folder.prefix, job.source, job.destination), now)
        if job.moves or job.kind == DELETE_FOLDER:
            stores.folders.delete([folder.prefix for folder in below])
            cursor = ""
            while True:
                stragglers = list_keys(stores.clients.s3, stores.bucket, job.source, cursor, PAGE_VERSIONS)
                for straggler in stragglers:
                    stores.folders.ensure(straggler.key, now)
                if len(stragglers) < PAGE_VERSIONS:
                    break
                cursor = stragglers[-1].key
        return stores.purges.purge(key_paths(job.source)) if job.purge else None
