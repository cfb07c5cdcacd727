"""`make invoke` (python -m infra.invoke) with every file in events/ against the running local stack.

After the README's upload step (the test image at the key the events name), each event names the stack's
own bucket, queue, API and keys table, so each does what its name says; the expectations are the
contract's answers for that stored image (imagemeta's own extraction of the same bytes).
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from imagemeta import extract

from ..paths import EVENTS, IMAGES
from .local_stack import LocalStack, wait_until

pytestmark = pytest.mark.integration

CANON = IMAGES / "exif-samples" / "jpg" / "Canon_40D.jpg"
KEY = "photos/Canon 40D.jpg"  # where the README's upload puts it, and the key events/ name
UPLOADED = "photos/Canon_40D.jpg"  # where events/file_upload.json uploads, and what the delete events delete


def invoke(stack: LocalStack, function: str, event_file: str) -> tuple[Any, str]:
    """The response JSON and the logs, as `make invoke FUNCTION=... EVENT=events/...` prints them."""
    done = stack.command("infra.invoke", function, str(EVENTS / event_file))
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout), done.stderr


def body(response: dict[str, Any]) -> Any:
    return json.loads(response["body"])


def by_path(stack: LocalStack, key: str) -> Any:
    return stack.get("/v1/files/byPath", params={"path": "/" + key})


@pytest.fixture(scope="module")
def uploaded(local_stack: LocalStack) -> Iterator[dict[str, Any]]:
    """The README's upload step; the record it makes (removed again at the end, as other tests share the stack)."""
    local_stack.s3().put_object(Bucket=local_stack.bucket, Key=KEY, Body=CANON.read_bytes())
    found, _ = wait_until(lambda: by_path(local_stack, KEY), lambda r: r.status_code == 200)
    assert found.status_code == 200, found.text
    yield found.json()
    local_stack.s3().delete_object(Bucket=local_stack.bucket, Key=KEY)
    gone, _ = wait_until(lambda: by_path(local_stack, KEY), lambda r: r.status_code == 404)
    assert gone.status_code == 404


Check = Callable[[Any, dict[str, Any], LocalStack], None]


def answered(status: int) -> Check:
    def check(response: Any, record: dict[str, Any], stack: LocalStack) -> None:
        assert response["statusCode"] == status, response

    return check


def the_stored_metadata(response: Any, record: dict[str, Any], stack: LocalStack) -> None:
    assert (response["statusCode"], body(response)) == (200, extract(CANON))


def the_stored_record(response: Any, record: dict[str, Any], stack: LocalStack) -> None:
    assert (response["statusCode"], body(response)) == (200, record)


def matches(response: dict[str, Any]) -> list[str]:
    assert response["statusCode"] == 200, response
    return [item["fileId"] for item in body(response)["items"]]


def not_itself(response: Any, record: dict[str, Any], stack: LocalStack) -> None:
    assert record["fileId"] not in matches(response)  # the queried file is never among its own matches


def the_upload_among_matches(response: Any, record: dict[str, Any], stack: LocalStack) -> None:
    assert record["fileId"] in matches(response)  # the event's pHash is the image's


def the_stored_file(response: Any, record: dict[str, Any], stack: LocalStack) -> None:
    assert response["statusCode"] == 200, response
    assert (body(response)["fileId"], body(response)["filePath"]) == (record["fileId"], "/" + KEY)


def the_upload_listed(response: Any, record: dict[str, Any], stack: LocalStack) -> None:
    assert response["statusCode"] == 200, response
    assert record["fileId"] in [item.get("fileId") for item in body(response)]


def uploaded_with_its_metadata(response: Any, record: dict[str, Any], stack: LocalStack) -> None:
    assert response["statusCode"] == 200, response
    assert (body(response)["filePath"], body(response)["metadata"]) == ("/" + UPLOADED, extract(CANON))
    stack.s3().delete_object(Bucket=stack.bucket, Key=UPLOADED)


def a_put_url(response: Any, record: dict[str, Any], stack: LocalStack) -> None:
    assert response["statusCode"] == 200, response
    assert (body(response)["method"], body(response)["filePath"]) == ("PUT", "/scans/large-scan.tiff")


def deleted_the_upload(status: int) -> Check:
    def check(response: Any, record: dict[str, Any], stack: LocalStack) -> None:
        assert response["statusCode"] == status, response
        assert "Contents" not in stack.s3().list_objects_v2(Bucket=stack.bucket, Prefix=UPLOADED)

    return check


def the_upload_edited(response: Any, record: dict[str, Any], stack: LocalStack) -> None:
    assert response["statusCode"] == 200, response
    edited = body(response)
    assert (edited["tags"], edited["customMetadata"], edited["description"]) == (
        ["canon", "edited"], {"camera": "EOS 40D"}, "The test image")


def the_upload_updated(response: Any, record: dict[str, Any], stack: LocalStack) -> None:
    assert response["statusCode"] == 200, response
    assert len(body(response)["successfullyUpdatedFileIds"]) == 1


def the_camera_field(response: Any, record: dict[str, Any], stack: LocalStack) -> None:
    # Made here, or already by the set-up of an event that gives it a value (the name stays taken).
    assert response["statusCode"] in (201, 400), response
    assert response["statusCode"] == 201 or "already exists" in body(response)["message"]


def the_fields_listed(response: Any, record: dict[str, Any], stack: LocalStack) -> None:
    assert response["statusCode"] == 200, response
    assert "camera" in [field["name"] for field in body(response)]


def the_page(response: Any, record: dict[str, Any], stack: LocalStack) -> None:
    assert response["statusCode"] == 200, response
    assert response["body"].startswith("<!doctype html>")


def unauthorized(response: Any, record: dict[str, Any], stack: LocalStack) -> None:
    assert response["errorMessage"] == "Unauthorized"  # the event's example key is none of the stack's


def skipped_as_older(response: Any, record: dict[str, Any], stack: LocalStack) -> None:
    """Older than the stack's own event for the upload: the ingest skips it and the record stays as it was."""
    assert response == {"batchItemFailures": []}
    assert by_path(stack, KEY).json() == record


def the_batch_left_alone(response: Any, record: dict[str, Any], stack: LocalStack) -> None:
    """An inventory batch naming the README's upload (its record already says what S3 holds: nothing to write)
    and a key the bucket does not hold: both ingested here, none left to the queue, the record unchanged."""
    assert response == {"ingested": 2, "queued": 0}, response
    assert by_path(stack, KEY).json() == record


def no_failures(response: Any, record: dict[str, Any], stack: LocalStack) -> None:
    assert response == {"batchItemFailures": []}


def a_job(response: Any, record: dict[str, Any], stack: LocalStack) -> None:
    assert response["statusCode"] == 200, response
    assert len(body(response)["jobId"]) == 24


def the_upload_and_its_versions(response: Any, record: dict[str, Any], stack: LocalStack) -> None:
    assert response["statusCode"] == 200, response
    assert body(response)[0]["fileId"] == record["fileId"] and body(response)[0]["type"] == "file"


def purged_at_once(response: Any, record: dict[str, Any], stack: LocalStack) -> None:
    assert (response["statusCode"], body(response)) == (200, {"status": "Completed"})  # moto completes invalidations at once


def renamed_with_a_purge(response: Any, record: dict[str, Any], stack: LocalStack) -> None:
    assert response["statusCode"] == 200, response
    assert body(response)["purgeRequestId"]


def not_supported(response: Any, record: dict[str, Any], stack: LocalStack) -> None:
    assert response["statusCode"] == 501
    assert body(response)["message"] == "GET /v1/accounts/usage is not supported by this service."


def recorded(*keys: str) -> Callable[[LocalStack], None]:
    """What an organizing event needs to find: these files, put and recorded (the README's upload copied)."""

    def prepare(stack: LocalStack) -> None:
        for key in keys:
            stack.s3().put_object(Bucket=stack.bucket, Key=key, Body=CANON.read_bytes())
            found, _ = wait_until(lambda key=key: by_path(stack, key), lambda r: r.status_code == 200)
            assert found.status_code == 200, found.text

    return prepare


# The organizing events name folders made from the README's upload in the order the README invokes them; here
# each runs on its own, its source put first.
PREPARED: dict[str, Callable[[LocalStack], None]] = {
    "file_rename.json": recorded("photos/albums/Canon 40D.jpg"),
    "file_move.json": recorded("photos/albums/Canon_40D_renamed.jpg"),
    "folder_copy.json": recorded("photos/archive/Canon 40D.jpg"),
    "folder_move.json": recorded("backup/archive/Canon 40D.jpg"),
    "folder_rename.json": recorded("photos/albums/archive/Canon 40D.jpg"),
    "folder_delete.json": recorded("photos/albums/gone.jpg"),
}


EXPECTED: dict[str, tuple[str, Check]] = {
    "file_metadata.json": ("FilesFunction", the_stored_metadata),
    "file_by_path.json": ("FilesFunction", the_stored_record),
    "file_details.json": ("FilesFunction", the_stored_file),
    "files_list.json": ("FilesFunction", the_upload_listed),
    "files_search.json": ("FilesFunction", the_upload_listed),
    "file_upload.json": ("UploadFunction", uploaded_with_its_metadata),
    "upload_url.json": ("UploadFunction", a_put_url),
    "file_update.json": ("EditFunction", the_upload_edited),
    "files_add_tags.json": ("EditFunction", the_upload_updated),
    "files_remove_tags.json": ("EditFunction", the_upload_updated),
    "files_remove_ai_tags.json": ("EditFunction", the_upload_updated),
    "custom_metadata_field_create.json": ("EditFunction", the_camera_field),
    "custom_metadata_fields_list.json": ("EditFunction", the_fields_listed),
    # Their field id is a placeholder for one GET /v1/customMetadataFields lists.
    "custom_metadata_field_update.json": ("EditFunction", answered(404)),
    "custom_metadata_field_delete.json": ("EditFunction", answered(404)),
    "file_delete.json": ("FileDeleteFunction", deleted_the_upload(204)),
    "files_bulk_delete.json": ("FileDeleteFunction", deleted_the_upload(200)),
    "similar_to_file.json": ("FilesFunction", not_itself),
    "similar_to_hash.json": ("FilesFunction", the_upload_among_matches),
    # This stack may fetch from the tests' own servers only (make run's default: 502, the name never resolves).
    "metadata_url.json": ("MetadataUrlFunction", answered(403)),
    "metadata_url_refused.json": ("MetadataUrlFunction", answered(403)),  # the metadata service, loopback or not
    "metadata_url_missing_url.json": ("MetadataUrlFunction", answered(400)),
    "page.json": ("PageFunction", the_page),
    "authorizer_request.json": ("AuthorizerFunction", unauthorized),
    "ingest_put.json": ("IngestFunction", skipped_as_older),
    "ingest_large_put.json": ("IngestLargeFunction", skipped_as_older),
    "ingest_delete.json": ("IngestFunction", skipped_as_older),
    "ingest_test_event.json": ("IngestFunction", no_failures),
    "backfill_batch.json": ("BackfillBatchFunction", the_batch_left_alone),
    "folder_create.json": ("OrganizeFunction", answered(201)),
    "file_copy.json": ("OrganizeFunction", answered(204)),
    "file_rename.json": ("OrganizeFunction", renamed_with_a_purge),
    "file_move.json": ("OrganizeFunction", answered(204)),
    "folder_copy.json": ("OrganizeFunction", a_job),
    "folder_move.json": ("OrganizeFunction", a_job),
    "folder_rename.json": ("OrganizeFunction", a_job),
    "folder_delete.json": ("OrganizeFunction", answered(204)),
    "folder_job.json": ("FilesFunction", answered(404)),  # an example id: no job of the stack's
    "folder_job_step.json": ("FolderJobsFunction", no_failures),  # the same job's step: skipped
    "file_versions.json": ("FilesFunction", the_upload_and_its_versions),
    "file_version.json": ("FilesFunction", the_stored_file),  # the fileId names the current version
    "version_delete.json": ("FileDeleteFunction", answered(400)),  # the current version is not deleted
    "version_restore.json": ("OrganizeFunction", the_stored_file),  # restoring the current one changes nothing
    "purge.json": ("OrganizeFunction", answered(201)),
    "purge_status.json": ("OrganizeFunction", purged_at_once),
    "not_supported.json": ("NotSupportedFunction", not_supported),
}


def test_every_event_file_is_invoked_here() -> None:
    assert {path.name for path in EVENTS.glob("*.json")} == set(EXPECTED)


@pytest.mark.parametrize("event_file", sorted(EXPECTED))
def test_each_event_does_what_its_name_says_on_the_running_stack(
    local_stack: LocalStack, uploaded: dict[str, Any], event_file: str
) -> None:
    function, check = EXPECTED[event_file]
    if event_file in ("file_upload.json", "file_update.json"):
        # The field they give a value of, as custom_metadata_field_create.json makes it.
        fields = local_stack.get("/v1/customMetadataFields").json()
        if "camera" not in [field["name"] for field in fields]:
            made = local_stack.post("/v1/customMetadataFields", json={"name": "camera", "label": "Camera",
                                                                     "schema": {"type": "Text"}})
            assert made.status_code == 201, made.text
    if event_file in PREPARED:
        PREPARED[event_file](local_stack)
    if function in ("EditFunction", "FileDeleteFunction") and event_file.startswith("file"):
        # What they edit or delete: the upload event's file, put and recorded.
        local_stack.s3().put_object(Bucket=local_stack.bucket, Key=UPLOADED, Body=CANON.read_bytes())
        recorded, _ = wait_until(lambda: by_path(local_stack, UPLOADED), lambda r: r.status_code == 200)
        assert recorded.status_code == 200, recorded.text

    response, logs = invoke(local_stack, function, event_file)

    check(response, uploaded, local_stack)
    # sam local invoke's frame around the function's own log lines
    lines = logs.splitlines()
    assert lines[0].startswith("START RequestId: ") and lines[-2].startswith("END RequestId: "), logs
    assert lines[-1].startswith("REPORT RequestId: ") and "Memory Size: " in lines[-1]


def test_an_unknown_function_is_refused_with_the_template_s_functions(local_stack: LocalStack) -> None:
    done = local_stack.command("infra.invoke", "NoSuchFunction", str(EVENTS / "file_metadata.json"))

    assert done.returncode != 0
    assert "FilesFunction" in done.stderr  # the message lists the template's functions
