"""Folder jobs (copy, move, rename a folder) on moto, run by the jobs worker from the jobs queue: their answers,
where every object ends, the records that follow, and the job's safety - a step's message delivered twice, a
worker killed in the middle of a step, uploads landing in the folder while it moves.

Pages are made small (worker.PAGE_KEYS) so that a few files make a job of several steps.
"""
from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest

from infra.pump import lambda_record
from service.jobs import worker
from service.storage import transfers
from service.storage.records import file_id

from ..paths import IMAGES
from .conftest import BUCKET, for_file, lambda_context
from .library import Library, library
from .test_organize import body_of, details, keys, listed, no_extraction, versions_of

pytestmark = pytest.mark.scenarios  # jobs over whole folders, each step as the worker runs it: make test

FIRST = IMAGES / "phash-vectors" / "first.jpg"
SECOND = IMAGES / "phash-vectors" / "second.jpg"
PAGE = 3


@pytest.fixture(params=["versioned", "unversioned"])
def lib(aws: SimpleNamespace, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Library:
    monkeypatch.setattr(worker, "PAGE_KEYS", PAGE)
    return library(aws, versioned=request.param == "versioned")


def album(lib: Library, folder: str, count: int) -> list[str]:
    """`count` files in a folder (two of them in a sub-folder), an empty sub-folder, all ingested; their keys."""
    made = [f"{folder}/{n:02d}.jpg" for n in range(count - 2)] + [f"{folder}/sub/a.jpg", f"{folder}/sub/b.jpg"]
    for n, key in enumerate(made):
        lib.s3.put_object(Bucket=BUCKET, Key=key, Body=(FIRST if n % 2 else SECOND).read_bytes(), Tagging=f"n{n}=")
    assert lib.call("organize", "folder_create.json", {"folderName": "empty", "parentFolderPath": folder})[
        "statusCode"] == 201
    lib.settle()
    return made


def submit(lib: Library, event: str, body: dict[str, Any]) -> str:
    response = lib.call("organize", event, body)
    assert response["statusCode"] == 200, response["body"]
    return str(body_of(response)["jobId"])


def job(lib: Library, job_id: str) -> dict[str, Any]:
    response = lib.call("files", "folder_job.json", pathParameters={"jobId": job_id})
    return {"status_code": response["statusCode"], **body_of(response)}


def test_a_folder_copy_places_every_file_with_its_record_and_keeps_the_source(lib: Library,
                                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    made = album(lib, "trip", 8)
    created = {key: details(lib, key)["createdAt"] for key in made}
    no_extraction(monkeypatch)

    job_id = submit(lib, "folder_copy.json", {"sourceFolderPath": "/trip", "destinationPath": "/backup"})
    assert job(lib, job_id) == {"status_code": 200, "jobId": job_id, "type": "COPY_FOLDER", "status": "Pending"}
    lib.settle()

    assert job(lib, job_id)["status"] == "Completed"
    assert keys(lib, "backup/") == sorted([f"backup/{key}" for key in made] + ["backup/trip/empty/"])
    assert keys(lib, "trip/") == sorted(made + ["trip/empty/"])
    for n, key in enumerate(made):
        copy = details(lib, f"backup/{key}")
        assert copy["tags"] == [f"n{n}"] and copy["createdAt"] >= created[key]
    assert [o["folderPath"] for o in listed(lib, path="/backup/trip/", type="folder")] == [
        "/backup/trip/empty", "/backup/trip/sub"]


def test_a_folder_move_leaves_nothing_behind_and_the_old_file_ids_say_where(lib: Library,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    made = album(lib, "old", 7)
    before = {key: details(lib, key) for key in made}
    no_extraction(monkeypatch)

    job_id = submit(lib, "folder_move.json", {"sourceFolderPath": "/old/", "destinationPath": "/new"})
    lib.settle()

    assert job(lib, job_id)["status"] == "Completed"
    assert keys(lib, "old/") == []
    assert keys(lib, "new/") == sorted([f"new/{key}" for key in made] + ["new/old/empty/"])
    for key in made:
        moved = details(lib, f"new/{key}")
        assert (moved["createdAt"], moved["tags"]) == (before[key]["createdAt"], before[key]["tags"])
        assert details(lib, key)["movedTo"]["filePath"] == f"/new/{key}"
        assert versions_of(lib, key) == []
    assert [o["folderPath"] for o in listed(lib, path="/", type="folder")] == ["/new"]
    assert [o["folderPath"] for o in listed(lib, path="/new/old/", type="folder")] == ["/new/old/empty",
                                                                                       "/new/old/sub"]


def test_a_folder_rename_asks_for_a_purge_and_names_it_in_the_job(lib: Library) -> None:
    made = album(lib, "draft", 4)
    job_id = submit(lib, "folder_rename.json", {"folderPath": "/draft", "newFolderName": "final cut",
                                                "purgeCache": True})
    lib.settle()
    found = job(lib, job_id)
    assert (found["type"], found["status"]) == ("RENAME_FOLDER", "Completed")
    assert found["purgeRequestId"].startswith("uncached-")  # no distribution: nothing to wait for
    assert keys(lib) == sorted([key.replace("draft/", "final_cut/") for key in made] + ["final_cut/empty/"])


def test_jobs_that_do_not_exist(lib: Library) -> None:
    assert job(lib, "0" * 24)["status_code"] == 404
    assert job(lib, "not-a-job")["status_code"] == 400
    assert lib.call("organize", "folder_move.json", {"sourceFolderPath": "/nothing",
                                                     "destinationPath": "/x"})["statusCode"] == 404


def test_every_message_delivered_twice_places_each_file_once(lib: Library) -> None:
    made = album(lib, "twice", 8)
    lib.deliver = lambda body: [body, body]
    job_id = submit(lib, "folder_move.json", {"sourceFolderPath": "/twice", "destinationPath": "/once"})
    lib.settle()
    assert job(lib, job_id)["status"] == "Completed"
    assert keys(lib, "twice/") == []
    assert keys(lib, "once/") == sorted([f"once/{key}" for key in made] + ["once/twice/empty/"])
    for key in made:
        assert len(versions_of(lib, f"once/{key}")) == 1  # an unversioned bucket lists its one "null" version


class Killed(BaseException):
    """The worker's process dying in the middle of a step (no exception handler of the service catches it)."""


def test_a_worker_killed_in_the_middle_of_a_step_is_resumed_and_copies_nothing_twice(
        lib: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    made = album(lib, "crash", 8)
    job_id = submit(lib, "folder_move.json", {"sourceFolderPath": "/crash", "destinationPath": "/safe"})
    copies = {"left": 4}
    copy = transfers.copy_version

    def dying_copy(*args: Any, **kwargs: Any) -> Any:
        if copies["left"] == 0:
            raise Killed("the worker's process was killed")
        copies["left"] -= 1
        return copy(*args, **kwargs)

    monkeypatch.setattr(worker, "TRANSFER_CONCURRENCY", 1)  # the kill lands after exactly four copies
    monkeypatch.setattr(transfers, "copy_version", dying_copy)
    for _ in range(2):  # the first page, then the second, killed after its first copy
        (message,) = lib.sqs.receive_message(QueueUrl=lib.jobs_queue, AttributeNames=["All"])["Messages"]
        event = {"Records": [worker_record(message)]}
        try:
            lib.handlers["jobs"](event, lambda_context())
        except Killed:
            break
        lib.sqs.delete_message(QueueUrl=lib.jobs_queue, ReceiptHandle=message["ReceiptHandle"])
    monkeypatch.setattr(transfers, "copy_version", copy)
    # The killed step's message was never deleted: it comes back, and the job goes on from where it stopped.
    lib.settle()

    assert job(lib, job_id)["status"] == "Completed"
    assert keys(lib, "crash/") == []
    assert keys(lib, "safe/") == sorted([f"safe/{key}" for key in made] + ["safe/crash/empty/"])
    for key in made:
        assert len(versions_of(lib, f"safe/{key}")) == 1
        assert details(lib, f"safe/{key}")["status"] == 200


def worker_record(message: dict[str, Any]) -> dict[str, Any]:
    return lambda_record(message, message["Body"], "arn:aws:sqs:us-east-1:123456789012:jobs.fifo")


def test_uploads_landing_in_a_moving_folder_end_in_exactly_one_place(lib: Library) -> None:
    made = album(lib, "busy", 8)
    landed: list[str] = []

    def upload_then_deliver(body: str) -> list[str]:
        if json.loads(body)["step"] == 1:  # between the first page and the second
            for key in ("busy/00a-behind.jpg", "busy/zz-ahead.jpg"):
                lib.s3.put_object(Bucket=BUCKET, Key=key, Body=FIRST.read_bytes())
                landed.append(key)
        return [body]

    lib.deliver = upload_then_deliver
    job_id = submit(lib, "folder_move.json", {"sourceFolderPath": "/busy", "destinationPath": "/calm"})
    lib.settle()

    assert job(lib, job_id)["status"] == "Completed"
    # The listing had passed "00a-behind.jpg": it stays where it landed; "zz-ahead.jpg" was moved with the rest.
    assert keys(lib, "busy/") == ["busy/00a-behind.jpg"]
    assert keys(lib, "calm/") == sorted([f"calm/{key}" for key in made] + ["calm/busy/empty/", "calm/busy/zz-ahead.jpg"])
    # The folder that still holds a file is listed, with its file.
    assert [o["folderPath"] for o in listed(lib, path="/", type="folder", sort="ASC_NAME")] == ["/busy", "/calm"]
    assert [o["name"] for o in listed(lib, path="/busy/")] == ["00a-behind.jpg"]
    assert details(lib, "busy/00a-behind.jpg")["status"] == 200
    assert lib.handlers["files"](for_file("file_details.json", file_id(BUCKET, "calm/busy/zz-ahead.jpg")),
                                 lambda_context())["statusCode"] == 200
