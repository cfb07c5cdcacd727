"""Folder jobs at size on the local stack: a folder of thousands of files moved through the SDK (timed, printed
for docs/benchmarks.md), and a job whose worker process is killed with SIGKILL in the middle of a step, then
resumed by another process from the message SQS delivers again.

FOLDER_JOB_FILES sets the large folder's size: 1,000 by default (ten pages of a job's steps, within the suite's
minutes; 2,000 passed in 532 s on this machine, docs/files-api.md "Folder jobs"); the test prints its times (ingest, job, records after the job) as one JSON line, shown with `-s`:
`FOLDER_JOB_FILES=2000 .venv/bin/python -m pytest -s tests/integration/test_folder_jobs_scale.py -k thousands`.
"""
from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from PIL import Image

from library.jobs import MOVE_FOLDER, FolderJob
from ops.queues import wait_until_drained
from service.storage.jobs import JobQueue, JobStore, new_job_id

from ..paths import ROOT
from .local_stack import LocalStack
from .test_sdk_organize import sdk

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def local_stack(own_local_stack: LocalStack) -> LocalStack:
    """This module's own stack: its thousands of files would slow every later index search on the shared one."""
    return own_local_stack

FILES = int(os.environ.get("FOLDER_JOB_FILES", "1000"))
KILLED_JOB_FILES = 300
# A folder of thousands of files: its records, the move, and the records of the moved files, on moto.
SCALE_SECONDS = 1800
WORKER = """
import sys, boto3
from handlers import folder_jobs
from handlers.clients import AwsClients
from handlers.settings import FolderJobsSettings
from infra.functions import LambdaContext
from infra.pump import lambda_record

bucket, table, queue_url, queue_arn = sys.argv[1:5]
handler = folder_jobs.build(FolderJobsSettings(bucket, table, queue_url, ()), AwsClients())
sqs = boto3.client("sqs")
while True:
    for message in sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=1, WaitTimeSeconds=1,
                                       AttributeNames=["All"]).get("Messages", []):
        context = LambdaContext("folder-jobs", queue_arn, 512, 300)
        result = handler({"Records": [lambda_record(message, message["Body"], queue_arn)]}, context)
        if not result["batchItemFailures"]:
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
"""


def jpeg(n: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (n % 256, n // 256 % 256, 7)).save(buffer, "JPEG")
    return buffer.getvalue()


def put_folder(stack: LocalStack, folder: str, count: int) -> list[str]:
    """`count` small JPEGs put straight into the bucket (eight at a time); their keys."""
    s3 = stack.s3()
    keys = [f"{folder}/{n:05d}.jpg" for n in range(count)]
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda n: s3.put_object(Bucket=stack.bucket, Key=keys[n], Body=jpeg(n)), range(count)))
    return keys


def files_in(stack: LocalStack, folder: str, count: int) -> int:
    """How many of the folder's first `count` files the listing has (the last one asked for, by skip)."""
    answer = stack.get("/v1/files", params={"path": folder, "skip": str(count - 1), "limit": "1"})
    assert answer.status_code == 200, answer.text
    return count - 1 + len(answer.json())


def wait(probe: Any, done: Any, seconds: float, interval: float = 0.5) -> float:
    started = time.monotonic()
    while not done(probe()):
        assert time.monotonic() - started < seconds, "timed out"
        time.sleep(interval)
    return time.monotonic() - started


def listed(stack: LocalStack, folder: str, count: int) -> float:
    """Seconds until the folder lists `count` files. The ingest queue is watched until it drains first: a listing
    of hundreds of files reads as many index rows (on moto, each Query of an index reads the whole table), and
    asking for one twice a second took more of the stack's one core than the ingest it waited for."""
    started = time.monotonic()
    wait_until_drained(stack.client("sqs"), stack.output("ingestQueueUrl"), SCALE_SECONDS)
    wait(lambda: files_in(stack, folder, count), lambda n: n == count, SCALE_SECONDS, interval=2)
    return time.monotonic() - started


def objects(stack: LocalStack, prefix: str) -> tuple[list[str], int, int]:
    """The keys with a current object under a prefix, and how many versions and delete markers it holds."""
    s3 = stack.s3()
    keys = [entry["Key"] for page in s3.get_paginator("list_objects_v2").paginate(Bucket=stack.bucket, Prefix=prefix)
            for entry in page.get("Contents", [])]
    pages = list(s3.get_paginator("list_object_versions").paginate(Bucket=stack.bucket, Prefix=prefix))
    return keys, sum(len(p.get("Versions", [])) for p in pages), sum(len(p.get("DeleteMarkers", [])) for p in pages)


@pytest.mark.timeout(SCALE_SECONDS)
def test_a_folder_of_thousands_of_files_moves_whole(local_stack: LocalStack) -> None:
    folder = f"scale-{uuid.uuid4().hex[:8]}"
    keys = put_folder(local_stack, folder, FILES)
    ingested = listed(local_stack, f"/{folder}/", FILES)

    client = sdk(local_stack)
    started = time.monotonic()
    job = client.folders.move(source_folder_path=f"/{folder}", destination_path="/scaled")
    moved = wait(lambda: client.folders.job.get(job.job_id).status, lambda status: status == "Completed", SCALE_SECONDS)
    recorded = listed(local_stack, f"/scaled/{folder}/", FILES)
    print(json.dumps({"files": FILES, "ingestSeconds": round(ingested, 1), "jobSeconds": round(moved, 1),
                      "recordsSeconds": round(time.monotonic() - started, 1), "afterJobSeconds": round(recorded, 1)}))

    assert objects(local_stack, f"{folder}/") == ([], 0, 0)
    destination, versions, markers = objects(local_stack, f"scaled/{folder}/")
    assert destination == [f"scaled/{key}" for key in keys] and (versions, markers) == (FILES, 0)
    assert folder not in [f.name for f in client.assets.list(path="/", type="folder")]


@pytest.mark.timeout(SCALE_SECONDS)
def test_a_job_whose_worker_is_killed_mid_step_is_resumed_and_places_each_file_once(local_stack: LocalStack) -> None:
    folder = f"killed-{uuid.uuid4().hex[:8]}"
    keys = put_folder(local_stack, folder, KILLED_JOB_FILES)
    listed(local_stack, f"/{folder}/", KILLED_JOB_FILES)
    # A jobs queue of this test's own, so that the stack's worker leaves the job to the processes started here.
    sqs = local_stack.client("sqs")
    queue_url = sqs.create_queue(QueueName=f"{folder}.fifo", Attributes={"FifoQueue": "true",
                                                                         "VisibilityTimeout": "3"})["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    jobs = JobStore(local_stack.client("dynamodb"), local_stack.table)
    job = FolderJob(new_job_id(), MOVE_FOLDER, f"{folder}/", f"safe/{folder}/", versions=True)
    jobs.create(job, "2026-01-01T00:00:00.000Z")
    JobQueue(sqs, queue_url).send(job.job_id, 0)

    def worker() -> subprocess.Popen[bytes]:
        environment = {**os.environ, "AWS_ENDPOINT_URL": local_stack.aws_endpoint, "AWS_DEFAULT_REGION": "us-east-1",
                       "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
                       "POWERTOOLS_SERVICE_NAME": "imagemeta-folder-jobs"}
        return subprocess.Popen([sys.executable, "-c", WORKER, local_stack.bucket, local_stack.table, queue_url,
                                 queue_arn], cwd=ROOT, env=environment, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)

    first = worker()
    wait(lambda: len(objects(local_stack, f"safe/{folder}/")[0]), lambda n: n >= KILLED_JOB_FILES // 2, SCALE_SECONDS)
    first.send_signal(signal.SIGKILL)  # in the middle of its second page of 100: no handler, no cleanup
    first.wait()
    killed_at = jobs.job(job.job_id)
    assert killed_at is not None and killed_at[2] == "Pending"

    second = worker()
    try:
        wait(lambda: jobs.job(job.job_id), lambda found: found is not None and found[2] == "Completed", SCALE_SECONDS)
    finally:
        second.send_signal(signal.SIGKILL)
        second.wait()

    assert objects(local_stack, f"{folder}/") == ([], 0, 0)
    destination, versions, markers = objects(local_stack, f"safe/{folder}/")
    # Every file in one place, copied once (a redone copy would be a second version), none deleted unmoved.
    assert destination == [f"safe/{key}" for key in keys] and (versions, markers) == (KILLED_JOB_FILES, 0)
    listed(local_stack, f"/safe/{folder}/", KILLED_JOB_FILES)
