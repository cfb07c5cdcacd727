"""docs/openapi.yaml against the running local stack: schemathesis generates requests, every answer must conform."""
from __future__ import annotations

import base64

import pytest
import schemathesis
from hypothesis import settings
from schemathesis.schemas import BaseSchema

from ..paths import ROOT
from .local_stack import LocalStack

pytestmark = pytest.mark.integration

OPENAPI = ROOT / "docs" / "openapi.yaml"


@pytest.fixture(scope="session")
def api_schema(local_stack: LocalStack) -> BaseSchema:
    schema = schemathesis.openapi.from_path(OPENAPI)
    # API Gateway's own limit (29 s), not schemathesis's 10 s: a 12-bit similar search on moto, which scans the
    # table for each of its index queries, can take longer than 10 s on a loaded machine.
    schema.config.update(base_url=local_stack.api_url, request_timeout=29)
    basic = base64.b64encode(f"{local_stack.private_key}:".encode()).decode()

    class PrivateKeyAuth:
        """The stack's key as HTTP Basic; declared as the auth, schemathesis also probes without and with bad keys."""

        def get(self, case: schemathesis.Case, context: object) -> str:
            return basic

        def set(self, case: schemathesis.Case, data: str, context: object) -> None:
            case.headers = {**(case.headers or {}), "Authorization": f"Basic {data}"}

    schema.auth.auth()(PrivateKeyAuth)
    return schema


schema = schemathesis.pytest.from_fixture("api_schema")
# Operations whose input follows rules no schema states - the searchQuery language, S3's limits on tags and
# metadata, file names, custom metadata checked against the deployment's fields, tags' 500 characters in all,
# fields' unique names and labels and their schema rules - so a schema-valid value may be refused 400
# (tests/unit/test_search_query.py and the handler tests check those refusals); every other check applies to
# them as to the rest.
BEYOND_THE_SCHEMA = {"GET /v1/files", "POST /api/v1/files/upload", "POST /v1/files/upload-url",
                     "PATCH /v1/files/{fileId}/details", "POST /v1/files/addTags", "POST /v1/files/removeTags",
                     "POST /v1/customMetadataFields", "PATCH /v1/customMetadataFields/{fieldId}",
                     # Paths S3 keeps or refuses by rules of their own: "." and ".." segments, the reserved prefix,
                     # a folder moved into itself, a name that is the file's own.
                     "POST /v1/files/copy", "POST /v1/files/move", "PUT /v1/files/rename", "POST /v1/folder",
                     "DELETE /v1/folder", "POST /v1/bulkJobs/copyFolder", "POST /v1/bulkJobs/moveFolder",
                     "POST /v1/bulkJobs/renameFolder", "POST /v1/files/purge",
                     # A version id schemathesis makes up may be no S3 version id (400), and the current one is
                     # not deleted (400).
                     "GET /v1/files/{fileId}/versions/{versionId}", "DELETE /v1/files/{fileId}/versions/{versionId}",
                     "PUT /v1/files/{fileId}/versions/{versionId}/restore", "GET /v1/files/purge/{requestId}",
                     "GET /v1/bulkJobs/{jobId}"}
# multipart/form-data carries every field as text: a "number" schemathesis puts in a string field arrives as
# the string it is ("0.0" is a valid fileName), so its type mutations are no schema violation there.
ALL_TEXT_BODIES = {"POST /api/v1/files/upload"}


# The similar searches get fewer examples: on moto every index Query scans the whole table, so a 12-bit search
# (dozens of band Queries) over a table the other tests have grown takes seconds. Their results are checked
# against brute force in tests/integration/test_similar.py; here only their shape is.
SIMILAR = r"/similar"


@pytest.mark.timeout(300)
@schema.exclude(path_regex=SIMILAR).parametrize()
@settings(max_examples=25, deadline=None)
def test_the_local_stack_conforms_to_the_openapi_description(case: schemathesis.Case) -> None:
    check(case)


@pytest.mark.timeout(300)
@schema.include(path_regex=SIMILAR).parametrize()
@settings(max_examples=6, deadline=None)
def test_the_similar_searches_conform_to_the_openapi_description(case: schemathesis.Case) -> None:
    check(case)


def check(case: schemathesis.Case) -> None:
    """Every check but those that do not apply to the operation."""
    # API Gateway answers a method a resource lacks like an unknown route (MISSING_AUTHENTICATION_TOKEN,
    # 404 here), never 405, so schemathesis's expectation of 405 does not apply.
    excluded = [schemathesis.checks.unsupported_method]
    if case.operation.label in BEYOND_THE_SCHEMA:
        excluded.append(schemathesis.checks.positive_data_acceptance)
    if case.operation.label in ALL_TEXT_BODIES:
        excluded.append(schemathesis.checks.negative_data_rejection)
    case.call_and_validate(excluded_checks=excluded)
