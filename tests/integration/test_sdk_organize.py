"""Organizing the library on the local stack through the hosted API's official Python SDK, given only base_url and
private_key, its answers checked against the SDK's own models (strict response validation): copy, move, rename,
versions, folders and their jobs, purges, and a call this service does not serve.

(Named to run after test_openapi.py, as test_sdk_files.py is.)
"""
from __future__ import annotations

import io
import uuid
from typing import Any

import pytest
from imagekitio import BadRequestError, ConflictError, ImageKit, InternalServerError, NotFoundError
from imagekitio.types import File, Folder
from PIL import Image

from .local_stack import LocalStack
from .test_sdk_files import eventually

pytestmark = pytest.mark.integration

JOB_SECONDS = 30.0  # a small folder's job on the local stack, with the ingest of what it moved


def sdk(stack: LocalStack) -> ImageKit:
    return ImageKit(base_url=stack.api_url, private_key=stack.private_key, _strict_response_validation=True)


def jpeg(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (width % 256, height % 256, 90)).save(buffer, "JPEG")
    return buffer.getvalue()


def uploaded(client: ImageKit, folder: str, name: str, data: bytes, tags: list[str]) -> Any:
    """An upload through the SDK, once the ingest has its record."""
    answer = client.files.upload(file=data, file_name=name, folder=folder, use_unique_file_name=False, tags=tags)
    found, _ = eventually(lambda: client.files.get(answer.file_id), lambda r: isinstance(r, File) and r.size == len(data))
    assert isinstance(found, File), found
    return found


def refusals(stack: LocalStack, error: str) -> int:
    """How many requests the functions refused with this error, by the stack's log: each retry is one more."""
    return sum(1 for entry in stack.log_entries("request refused") if entry.get("error") == error)


def test_copy_move_and_rename_keep_the_files_record_and_the_old_file_id_says_where(local_stack: LocalStack) -> None:
    client = sdk(local_stack)
    folder = f"/org-{uuid.uuid4().hex[:8]}"
    source = uploaded(client, folder, "a.jpg", jpeg(30, 20), ["sdk", "organize"])

    assert client.files.copy(source_file_path=source.file_path, destination_path=f"{folder}/copies") is None
    copy, _ = eventually(lambda: client.assets.list(path=f"{folder}/copies"), lambda r: isinstance(r, list) and len(r) == 1)
    assert [(f.name, f.tags, f.width) for f in copy] == [("a.jpg", ["sdk", "organize"], 30)]

    before = refusals(local_stack, "NameTaken")
    with pytest.raises(BadRequestError):
        client.files.rename(file_path=copy[0].file_path, new_file_name="a.jpg")  # its own name
    uploaded(client, f"{folder}/copies", "b.jpg", jpeg(5, 5), [])
    with pytest.raises(ConflictError) as conflict:
        client.files.rename(file_path=copy[0].file_path, new_file_name="b.jpg")
    assert conflict.value.body["reason"] == "FILE_ALREADY_EXISTS"
    assert refusals(local_stack, "NameTaken") == before + 1  # x-should-retry: false, so the SDK asked once

    renamed = client.files.rename(file_path=copy[0].file_path, new_file_name="c.jpg", purge_cache=True)
    assert renamed.purge_request_id and client.cache.invalidation.get(renamed.purge_request_id).status == "Completed"

    assert client.files.move(source_file_path=source.file_path, destination_path=f"{folder}/moved") is None
    moved, _ = eventually(lambda: client.assets.list(path=f"{folder}/moved"), lambda r: isinstance(r, list) and len(r) == 1)
    assert (moved[0].created_at, moved[0].tags) == (source.created_at, source.tags)
    gone, _ = eventually(lambda: client.files.get(source.file_id), lambda r: isinstance(r, NotFoundError))
    assert isinstance(gone, NotFoundError), gone
    assert gone.body["movedTo"] == {"fileId": moved[0].file_id, "filePath": f"{folder}/moved/a.jpg"}
    with pytest.raises(NotFoundError) as missing:
        client.files.copy(source_file_path=source.file_path, destination_path=folder)
    assert missing.value.body["reason"] == "SOURCE_FILE_MISSING"


def test_versions_are_listed_fetched_restored_and_deleted(local_stack: LocalStack) -> None:
    client = sdk(local_stack)
    folder = f"/ver-{uuid.uuid4().hex[:8]}"
    first = uploaded(client, folder, "v.jpg", jpeg(11, 11), ["one"])
    second = uploaded(client, folder, "v.jpg", jpeg(22, 22), ["two"])
    assert second.version_info.name == "Version 2"

    versions = client.files.versions.list(second.file_id)
    assert [(v.type, v.version_info.name, v.width, v.tags) for v in versions] == [
        ("file", "Version 2", 22, ["two"]), ("file-version", "Version 1", 11, ["one"])]
    kept = client.files.versions.get(first.version_info.id, file_id=second.file_id)
    assert (kept.type, kept.width) == ("file-version", 11)
    listed = client.assets.list(path=folder, type="file-version")
    assert [(f.type, f.version_info.id) for f in listed] == [("file-version", first.version_info.id)]

    with pytest.raises(BadRequestError):
        client.files.versions.delete(second.version_info.id, file_id=second.file_id)
    restored = client.files.versions.restore(first.version_info.id, file_id=second.file_id)
    assert (restored.type, restored.version_info.name, restored.width, restored.tags) == ("file", "Version 3", 11, ["one"])
    current, _ = eventually(lambda: client.files.get(second.file_id), lambda r: isinstance(r, File) and r.width == 11)
    assert current.version_info.id == restored.version_info.id

    assert client.files.versions.delete(first.version_info.id, file_id=second.file_id) is None
    left, _ = eventually(lambda: client.files.versions.list(second.file_id), lambda r: isinstance(r, list) and len(r) == 2)
    assert [v.version_info.name for v in left] == ["Version 3", "Version 2"]

    assert client.files.delete(second.file_id) is None  # every version goes with the file
    with pytest.raises(NotFoundError):
        client.files.versions.get(first.version_info.id, file_id=second.file_id)


def job_done(client: ImageKit, job_id: str) -> Any:
    done, _ = eventually(lambda: client.folders.job.get(job_id), lambda r: getattr(r, "status", None) == "Completed",
                         seconds=JOB_SECONDS)
    assert done.status == "Completed", done
    return done


def test_folders_are_created_copied_moved_renamed_and_deleted_as_jobs(local_stack: LocalStack) -> None:
    client = sdk(local_stack)
    root = f"/fold-{uuid.uuid4().hex[:8]}"
    for n in range(3):
        uploaded(client, f"{root}/src/sub" if n == 2 else f"{root}/src", f"{n}.jpg", jpeg(n + 1, 4), [f"n{n}"])
    assert client.folders.create(folder_name="empty", parent_folder_path=f"{root}/src").to_dict() == {}

    copy = client.folders.copy(source_folder_path=f"{root}/src", destination_path=f"{root}/backup", include_versions=True)
    assert (job_done(client, copy.job_id).type, job_done(client, copy.job_id).purge_request_id) == ("COPY_FOLDER", None)
    moved = client.folders.move(source_folder_path=f"{root}/backup/src", destination_path=root)
    assert job_done(client, moved.job_id).type == "MOVE_FOLDER"
    renamed = client.folders.rename(folder_path=f"{root}/src", new_folder_name="final", purge_cache=True)
    done = job_done(client, renamed.job_id)
    assert done.type == "RENAME_FOLDER" and client.cache.invalidation.get(done.purge_request_id).status == "Completed"

    settled, _ = eventually(lambda: client.assets.list(path=f"{root}/final", type="all", sort="ASC_NAME"),
                            lambda r: isinstance(r, list) and len(r) == 4, seconds=JOB_SECONDS)
    assert [(type(item), item.name) for item in settled] == [(Folder, "empty"), (Folder, "sub"), (File, "0.jpg"),
                                                             (File, "1.jpg")]
    assert [f.name for f in client.assets.list(path=root, type="folder", sort="ASC_NAME")] == ["backup", "final"]
    with pytest.raises(BadRequestError):
        client.folders.move(source_folder_path=f"{root}/final", destination_path=f"{root}/final/sub")

    assert client.folders.delete(folder_path=root) is None
    emptied, _ = eventually(lambda: client.assets.list(path="/", type="folder"),
                            lambda r: isinstance(r, list) and root[1:] not in [f.name for f in r], seconds=JOB_SECONDS)
    assert root[1:] not in [f.name for f in emptied]
    assert local_stack.s3().list_object_versions(Bucket=local_stack.bucket, Prefix=root[1:] + "/").get("Versions") is None


def test_a_purge_invalidates_the_path_in_each_distribution_and_is_followed(local_stack: LocalStack) -> None:
    client = sdk(local_stack)
    request = client.cache.invalidation.create(url=f"{local_stack.api_url}/photos/a.jpg")
    assert client.cache.invalidation.get(request.request_id).status == "Completed"  # moto completes them at once
    cloudfront = local_stack.client("cloudfront")
    distributions = [d["Id"] for d in cloudfront.list_distributions()["DistributionList"]["Items"]]
    made = [cloudfront.get_invalidation(DistributionId=distribution, Id=invalidation)["Invalidation"]
            for distribution, invalidation in zip(distributions, request.request_id.split("."), strict=True)]
    assert [m["InvalidationBatch"]["Paths"]["Items"] for m in made] == [["/photos/a.jpg"]] * len(distributions)


def test_a_call_this_service_does_not_serve_is_501_and_not_retried(local_stack: LocalStack) -> None:
    before = refusals(local_stack, "NotSupported")
    with pytest.raises(InternalServerError) as refused:
        sdk(local_stack).accounts.usage.get(start_date="2026-01-01", end_date="2026-01-31")
    assert refused.value.status_code == 501
    assert refused.value.body["message"] == "GET /v1/accounts/usage is not supported by this service."
    assert refusals(local_stack, "NotSupported") == before + 1
