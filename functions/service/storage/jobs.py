"""Folder jobs: one item each in the records table, and the FIFO queue that carries their steps.

A job item (`pk` "_job#<jobId>", `sk` JOB_SK) holds what the job does (library.jobs.FolderJob), its status, and
where it stands: `step`, the number of the next step to run, and the step's input (`phase`, the S3 listing
`cursor` and `vmarker`), plus `started`, the last step a worker began. Each step is one message of the jobs
queue (a FIFO queue, one message group per job: a job's steps never run at once), `{"jobId", "step"}`.

A worker runs step n only while the item says `step` n (`begin`), and moves the item to n + 1 with the next
step's input in one conditional write (`advance`) before it sends step n + 1 (deduplicated by SQS on
"<jobId>:<n + 1>"). So a message delivered twice finds the item moved on and is dropped; a worker killed
during a step leaves the item at n, and the message comes back after the visibility timeout and runs the step
again (`redo`: the step was begun before, so its writes check what is done already); killed between the
advance and the send, its message comes back to a step that is done, and sends the next one again.
"""
from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass
from typing import Any

from library.jobs import COMPLETED, PENDING, FolderJob, JobStatus

JOB_PREFIX = "_job#"
JOB_SK = "J"
# Job items stay a month after they are made (GET /v1/bulkJobs/{jobId} answers until then).
JOB_TTL_SECONDS = 30 * 24 * 3600
OBJECTS = "objects"  # the step's phase: transfer (or delete) a page of the source's objects
FOLDERS = "folders"  # then the folder items, the stragglers, and the purge


def new_job_id() -> str:
    """A job's id: 24 hex digits, as the hosted API's."""
    return secrets.token_hex(12)


def job_key(job_id: str) -> dict[str, Any]:
    return {"pk": {"S": JOB_PREFIX + job_id}, "sk": {"S": JOB_SK}}


@dataclass(frozen=True)
class Progress:
    """Where a job stands: the step to run, its phase and listing position, whether it was begun before
    (a redo), and how many objects it has placed."""

    step: int
    phase: str = OBJECTS
    cursor: str = ""
    version_marker: str = ""
    redo: bool = False
    objects: int = 0


class JobStore:
    """Creates, reads and advances job items; the DynamoDB client is passed in."""

    def __init__(self, dynamodb: Any, table: str):
        self._dynamodb = dynamodb
        self._table = table

    def create(self, job: FolderJob, created_at: str) -> None:
        item = {
            **job_key(job.job_id),
            "kind": {"S": job.kind}, "source": {"S": job.source}, "versions": {"BOOL": job.versions},
            "purge": {"BOOL": job.purge}, "status": {"S": PENDING}, "created": {"S": created_at},
            "step": {"N": "0"}, "phase": {"S": OBJECTS}, "cursor": {"S": ""}, "vmarker": {"S": ""},
            "objects": {"N": "0"}, "expiresAt": {"N": str(int(time.time()) + JOB_TTL_SECONDS)},
        }
        if job.destination is not None:
            item["destination"] = {"S": job.destination}
        self._dynamodb.put_item(TableName=self._table, Item=item, ConditionExpression="attribute_not_exists(pk)")

    def status(self, job_id: str) -> JobStatus | None:
        item = self._item(job_id)
        if item is None:
            return None
        return JobStatus(job_id, item["kind"]["S"], item["status"]["S"],
                         item["purgeRequestId"]["S"] if "purgeRequestId" in item else None)

    def job(self, job_id: str) -> tuple[FolderJob, int, str] | None:
        """A job, the step it is at and its status; None when there is no such job."""
        item = self._item(job_id)
        if item is None:
            return None
        return job_of(item), int(item["step"]["N"]), item["status"]["S"]

    def begin(self, job_id: str, step: int) -> tuple[FolderJob, Progress] | None:
        """Claim step `step` of a pending job: its input, and whether a worker began it before (a redo); None
        when the job is not at that step (the message was delivered again, or is stale) or is done."""
        try:
            old = self._dynamodb.update_item(
                TableName=self._table, Key=job_key(job_id), UpdateExpression="SET started = :step",
                ConditionExpression="step = :step AND #status = :pending",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={":step": {"N": str(step)}, ":pending": {"S": PENDING}},
                ReturnValues="ALL_OLD",
            )["Attributes"]
        except self._dynamodb.exceptions.ConditionalCheckFailedException:
            return None
        progress = Progress(step, old["phase"]["S"], old["cursor"]["S"], old["vmarker"]["S"],
                            redo=old.get("started", {}).get("N") == str(step), objects=int(old["objects"]["N"]))
        return job_of(old), progress

    def advance(self, job_id: str, done: Progress, following: Progress | None,
                purge_request_id: str | None = None) -> bool:
        """Move the job from step `done.step` to the next (its input `following`), or complete it (None);
        False when another worker moved it first."""
        values: dict[str, Any] = {":step": {"N": str(done.step)}, ":next": {"N": str(done.step + 1)}}
        if following is None:
            update = "SET step = :next, #status = :completed"
            values[":completed"] = {"S": COMPLETED}
            if purge_request_id is not None:
                update += ", purgeRequestId = :purge"
                values[":purge"] = {"S": purge_request_id}
        else:
            update = "SET step = :next, phase = :phase, #cursor = :cursor, vmarker = :vmarker, objects = :objects"
            values.update({":phase": {"S": following.phase}, ":cursor": {"S": following.cursor},
                           ":vmarker": {"S": following.version_marker}, ":objects": {"N": str(following.objects)}})
        try:
            self._dynamodb.update_item(
                TableName=self._table, Key=job_key(job_id), UpdateExpression=update,
                ConditionExpression="step = :step", ExpressionAttributeValues=values,
                ExpressionAttributeNames={"#cursor": "cursor"} if following else {"#status": "status"},
            )
        except self._dynamodb.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def _item(self, job_id: str) -> dict[str, Any] | None:
        found = self._dynamodb.get_item(TableName=self._table, Key=job_key(job_id), ConsistentRead=True)
        item: dict[str, Any] | None = found.get("Item")
        return item


def job_of(item: dict[str, Any]) -> FolderJob:
    return FolderJob(
        job_id=item["pk"]["S"][len(JOB_PREFIX):],
        kind=item["kind"]["S"],
        source=item["source"]["S"],
        destination=item["destination"]["S"] if "destination" in item else None,
        versions=item["versions"]["BOOL"],
        purge=item["purge"]["BOOL"],
    )


class JobQueue:
    """The jobs' FIFO queue: one message group per job, each step's message deduplicated by its number."""

    def __init__(self, sqs: Any, queue_url: str):
        self._sqs = sqs
        self._queue_url = queue_url

    def send(self, job_id: str, step: int) -> None:
        self._sqs.send_message(QueueUrl=self._queue_url, MessageBody=json.dumps({"jobId": job_id, "step": step}),
                               MessageGroupId=job_id, MessageDeduplicationId=f"{job_id}:{step}")


def step_message(body: str) -> tuple[str, int]:
    """(jobId, step) of a jobs queue message."""
    found = json.loads(body)
    return str(found["jobId"]), int(found["step"])
