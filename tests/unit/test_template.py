"""template.yaml: lint-clean, the names other parts rely on, least-privilege roles (the artifacts: test_artifacts.py)."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from openapi_spec_validator import validate
from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse

from handlers.settings import IngestSettings
from imagemeta.limits import DEFAULT_MAX_BYTES, DEFAULT_MAX_DECODE_BYTES, DEFAULT_MAX_PIXELS
from imagemeta.settings import ConfigError
from infra.functions import template_environment
from ops.signing_keys import key_prefix
from service.ingest.processor import READ_AHEAD_BYTES
from service.storage.delivery import DEFAULT_INLINE_TYPES, parse_inline_types
from service.storage.fields import FIELDS_KEY
from service.storage.jobs import JOB_PREFIX
from service.storage.overflow import RESERVED_PREFIX
from service.storage.records import file_id
from service.storage.seeds import SEED_PREFIX
from service.storage.thumbnails import THUMBNAIL_PREFIX
from service.storage.tokens import TOKEN_PREFIX
from tests.local_template import local_template
from tests.paths import ROOT

TEMPLATE = ROOT / "template.yaml"
RECORDS_PREFIX = f"{RESERVED_PREFIX}records/"
# What a function process holds besides the image: the interpreter and the ingest handler's imports (109 MB
# measured, docs/benchmarks.md), Lambda's runtime (about 30 MB more) and a margin (docs/deploy.md).
RUNTIME_BYTES = 160 * 2**20
INGEST_ROLES = ("IngestFunctionRole", "IngestLargeFunctionRole", "BackfillBatchFunctionRole")
BIN = Path(sys.executable).parent
TOOL_ENV = {**os.environ, "SAM_CLI_TELEMETRY": "0", "AWS_DEFAULT_REGION": "us-east-1", "PYTHON": sys.executable}

FUNCTIONS = {
    "AuthorizerFunction": "handlers.authorizer.handler",
    "MetadataUrlFunction": "handlers.metadata_url.handler",
    "FilesFunction": "handlers.files.handler",
    "IngestFunction": "handlers.ingest.handler",
    "IngestLargeFunction": "handlers.ingest.handler",
    "BackfillFunction": "handlers.backfill.handler",
    "BackfillBatchFunction": "handlers.backfill_batch.handler",
    "UploadFunction": "handlers.upload.handler",
    "FileDeleteFunction": "handlers.file_delete.handler",
    "EditFunction": "handlers.edit.handler",
    "PageFunction": "handlers.page.handler",
    "OrganizeFunction": "handlers.organize.handler",
    "FolderJobsFunction": "handlers.folder_jobs.handler",
    "NotSupportedFunction": "handlers.not_supported.handler",
}
ROUTES = {
    ("/v1/metadata", "get"): ("MetadataUrlFunction", {("query", "url")}),
    ("/v1/files/{fileId}/metadata", "get"): ("FilesFunction", {("path", "fileId")}),
    ("/v1/files", "get"): ("FilesFunction", set()),
    ("/v1/files/{fileId}/details", "get"): ("FilesFunction", {("path", "fileId")}),
    ("/v1/files/byPath", "get"): ("FilesFunction", {("query", "path")}),
    ("/api/v1/files/upload", "post"): ("UploadFunction", set()),
    ("/v1/files/upload-url", "post"): ("UploadFunction", set()),
    ("/v1/files/{fileId}", "delete"): ("FileDeleteFunction", {("path", "fileId")}),
    ("/v1/files/batch/deleteByFileIds", "post"): ("FileDeleteFunction", set()),
    ("/v1/files/{fileId}/similar", "get"): ("FilesFunction", {("path", "fileId")}),
    ("/v1/similar", "get"): ("FilesFunction", {("query", "pHash")}),
    ("/v1/files/{fileId}/details", "patch"): ("EditFunction", {("path", "fileId")}),
    ("/v1/files/addTags", "post"): ("EditFunction", set()),
    ("/v1/files/removeTags", "post"): ("EditFunction", set()),
    ("/v1/files/removeAITags", "post"): ("EditFunction", set()),
    ("/v1/customMetadataFields", "get"): ("EditFunction", set()),
    ("/v1/customMetadataFields", "post"): ("EditFunction", set()),
    ("/v1/customMetadataFields/{fieldId}", "patch"): ("EditFunction", {("path", "fieldId")}),
    ("/v1/customMetadataFields/{fieldId}", "delete"): ("EditFunction", {("path", "fieldId")}),
    ("/v1/files/{fileId}/versions", "get"): ("FilesFunction", {("path", "fileId")}),
    ("/v1/files/{fileId}/versions/{versionId}", "get"): ("FilesFunction", {("path", "fileId"), ("path", "versionId")}),
    ("/v1/bulkJobs/{jobId}", "get"): ("FilesFunction", {("path", "jobId")}),
    ("/v1/files/{fileId}/versions/{versionId}", "delete"): ("FileDeleteFunction",
                                                             {("path", "fileId"), ("path", "versionId")}),
    ("/v1/files/copy", "post"): ("OrganizeFunction", set()),
    ("/v1/files/move", "post"): ("OrganizeFunction", set()),
    ("/v1/files/rename", "put"): ("OrganizeFunction", set()),
    ("/v1/files/{fileId}/versions/{versionId}/restore", "put"): ("OrganizeFunction",
                                                                  {("path", "fileId"), ("path", "versionId")}),
    ("/v1/folder", "post"): ("OrganizeFunction", set()),
    ("/v1/folder", "delete"): ("OrganizeFunction", set()),
    ("/v1/bulkJobs/copyFolder", "post"): ("OrganizeFunction", set()),
    ("/v1/bulkJobs/moveFolder", "post"): ("OrganizeFunction", set()),
    ("/v1/bulkJobs/renameFolder", "post"): ("OrganizeFunction", set()),
    ("/v1/files/purge", "post"): ("OrganizeFunction", set()),
    ("/v1/files/purge/{requestId}", "get"): ("OrganizeFunction", {("path", "requestId")}),
}
# The media-library page: no authorizer and no usage plan key, since a browser asks for it before it has a key.
PAGE_ROUTES = {
    ("/", "get"): ("PageFunction", set()),
    ("/web/{name}", "get"): ("PageFunction", {("path", "name")}),
}
ANY_METHOD = "x-amazon-apigateway-any-method"
# Every other path, and every method a served path does not take: 501 behind the authorizer, so a caller without
# a key learns nothing of which routes exist.
NOT_SUPPORTED_ROUTES = {
    ("/{proxy+}", ANY_METHOD): ("NotSupportedFunction", {("path", "proxy")}),
    **{(path, ANY_METHOD): ("NotSupportedFunction", set()) for path, _ in ROUTES | PAGE_ROUTES},
}


@pytest.fixture(scope="module")
def template() -> dict:
    return yaml_parse(TEMPLATE.read_text())


@pytest.fixture(scope="module")
def resources(template: dict) -> dict:
    return template["Resources"]


def _transform(parameter_values: dict[str, str]) -> dict:
    """The template after the SAM transform with these parameters: what CloudFormation would receive."""
    copy = yaml_parse(TEMPLATE.read_text())
    for resource in copy["Resources"].values():
        if resource["Type"] == "AWS::Serverless::Function":
            resource["Properties"]["CodeUri"] = "s3://bucket/code.zip"  # the transform wants a packaged URI

    class NoManagedPolicies:
        def load(self) -> dict:
            return {}

    return transform(copy, parameter_values, NoManagedPolicies())


@pytest.fixture(scope="module")
def translated(monkeypatch_module) -> dict:
    monkeypatch_module.setenv("AWS_DEFAULT_REGION", "us-east-1")
    return _transform({})


@pytest.fixture(scope="module")
def translated_iam(monkeypatch_module) -> dict:
    monkeypatch_module.setenv("AWS_DEFAULT_REGION", "us-east-1")
    return _transform({"AuthMode": "AWS_IAM"})


def _local_api(auth_mode: str) -> dict:
    """The API's properties as the local stack reads them, conditions evaluated for one AuthMode."""
    return local_template(AuthMode=auth_mode).only("AWS::Serverless::Api").properties


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=ROOT, env=TOOL_ENV, capture_output=True, text=True, timeout=300)


def _references(node: object) -> set[str]:
    """Logical ids a node points at through Ref, GetAtt or a ${...} in Sub."""
    if isinstance(node, dict):
        found = set()
        for key, value in node.items():
            if key == "Ref":
                found.add(value)
            elif key == "Fn::GetAtt":
                found.add(value[0])
            elif key == "Fn::Sub":
                found |= {ref.split(".")[0] for ref in re.findall(r"\$\{([^}]+)\}", value)}
            else:
                found |= _references(value)
        return found
    if isinstance(node, list):
        return set().union(*map(_references, node)) if node else set()
    return set()


# ------------------------------------------------------------------ linters


@pytest.mark.tools
def test_cfn_lint_reports_nothing():
    result = _run(str(BIN / "cfn-lint"), str(TEMPLATE))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == ""


@pytest.mark.tools
def test_sam_validate_lint_passes():
    result = _run(str(BIN / "sam"), "validate", "--lint", "--template", str(TEMPLATE))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "is a valid SAM Template" in result.stdout + result.stderr


# ------------------------------------------------------------------ shape other parts rely on


def test_functions_share_code_runtime_and_architecture_through_globals(template: dict, resources: dict):
    shared = template["Globals"]["Function"]
    assert (shared["CodeUri"], shared["Runtime"], shared["Architectures"]) == ("functions/", "python3.12", ["arm64"])
    assert shared["Environment"]["Variables"] == {"POWERTOOLS_LOG_LEVEL": {"Ref": "LogLevel"}}
    for name, handler in FUNCTIONS.items():
        props = resources[name]["Properties"]
        assert resources[name]["Metadata"] == {"BuildMethod": "makefile"}
        assert props["Handler"] == handler
        assert not {"CodeUri", "Runtime", "Architectures"} & set(props), f"{name} overrides Globals"
        # Handlers exist where the artifact will look for them.
        module = handler.rsplit(".", 1)[0].replace(".", "/")
        assert (ROOT / "functions" / f"{module}.py").is_file()


def _expected_local_value(value: object, parameters: dict) -> object:
    """A deployed variable's value as the local stack must see it (literals, parameters); None for a resource's,
    CONDITIONAL for one a condition chooses (a resource's, or empty)."""
    if isinstance(value, dict):
        (function, argument), = value.items()
        if function == "Fn::If":
            return CONDITIONAL
        return str(parameters[argument]) if function == "Ref" and argument in parameters else None
    return str(value)


CONDITIONAL = object()


def test_the_local_stack_reads_each_function_as_the_transform_deploys_it(translated: dict, template: dict):
    """Globals merged, sizing, handler and every variable: what `make run` runs is what CloudFormation creates."""
    parameters = {name: spec["Default"] for name, spec in template["Parameters"].items()}
    functions = translated["Resources"].items()
    deployed = {name: r["Properties"] for name, r in functions if r["Type"] == "AWS::Lambda::Function"}
    local = {function.name: function for function in local_template().functions}
    assert set(local) == set(deployed) == set(FUNCTIONS)
    for name, properties in deployed.items():
        function = local[name]
        assert (function.handler, function.runtime, function.architectures) == (
            properties["Handler"],
            properties["Runtime"],
            properties["Architectures"],
        )
        assert (function.memory, function.timeout) == (properties["MemorySize"], properties["Timeout"])
        deployed_variables = properties["Environment"]["Variables"]
        local_variables = template_environment(function)
        assert set(local_variables) == set(deployed_variables), name
        for variable, value in deployed_variables.items():
            expected = _expected_local_value(value, parameters)
            if expected is CONDITIONAL:
                assert "{" not in local_variables[variable], (name, variable)
            elif expected is None:  # a resource's name or URL: the local stack's, never an unresolved intrinsic
                assert "{" not in local_variables[variable] and local_variables[variable], (name, variable)
            else:
                assert local_variables[variable] == expected, (name, variable)


def test_the_local_stack_serves_the_routes_the_transform_deploys(translated: dict):
    deployed = translated["Resources"]["MetadataApi"]["Properties"]["Body"]["paths"]
    local = local_template().api
    assert {(r.path, method) for r in local.routes for method in _methods(r.methods)} == {
        (path, method) for path, methods in deployed.items() for method in methods
    }
    assert {r.function_name for r in local.routes} == {"MetadataUrlFunction", "FilesFunction", "UploadFunction",
                                                      "FileDeleteFunction", "EditFunction", "PageFunction", "OrganizeFunction",
                                                      "NotSupportedFunction"}
    authorized = {(r.path, frozenset(r.methods)): r.authorizer_object and r.authorizer_object.lambda_name
                  for r in local.routes}
    assert authorized == {(path, methods): None if (path, "get") in PAGE_ROUTES and methods == {"GET"}
                          else "AuthorizerFunction" for path, methods in authorized}
    assert local.stage_name == translated["Resources"]["MetadataApiapiStage"]["Properties"]["StageName"]


# What SAM's provider lists for a route of Method ANY (API Gateway's own name for it is below).
EVERY_METHOD = {"DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"}


def _methods(methods: list[str]) -> set[str]:
    """A local route's methods as the deployed API names them."""
    return {"x-amazon-apigateway-any-method"} if set(methods) == EVERY_METHOD else {m.lower() for m in methods}


def test_routes_reach_their_functions_with_required_parameters_validated(translated: dict):
    api = translated["Resources"]["MetadataApi"]["Properties"]["Body"]
    found = {
        (path, method): op
        for path, methods in api["paths"].items()
        for method, op in methods.items()
    }
    assert set(found) == set(ROUTES) | set(PAGE_ROUTES) | set(NOT_SUPPORTED_ROUTES)
    validators = api["x-amazon-apigateway-request-validators"]
    for key, (function, params) in (ROUTES | PAGE_ROUTES | NOT_SUPPORTED_ROUTES).items():
        op = found[key]
        assert function in str(op["x-amazon-apigateway-integration"]["uri"])
        assert {(p["in"], p["name"]) for p in op.get("parameters", []) if p["required"]} == params
        if params:
            assert validators[op["x-amazon-apigateway-request-validator"]]["validateRequestParameters"] is True
        # The Lambda authorizer, then the usage plan's key (which the authorizer supplies); none for the page.
        assert op.get("security", []) == ([] if key in PAGE_ROUTES else [{"BasicAuthorizer": []}, {"api_key": []}])


def test_the_authorizer_runs_the_authorizer_function_uncached_and_hands_the_usage_key_over(translated: dict):
    api = translated["Resources"]["MetadataApi"]["Properties"]
    scheme = api["Body"]["components"]["securitySchemes"]["BasicAuthorizer"]["x-amazon-apigateway-authorizer"]
    assert scheme["type"] == "request"
    assert "AuthorizerFunction" in str(scheme["authorizerUri"])
    # Two alternative headers: no identity source may be required, so API Gateway cannot cache (TTL 0).
    assert scheme["authorizerResultTtlInSeconds"] == 0 and "identitySource" not in scheme
    assert api["ApiKeySourceType"] == {"Fn::If": ["UseIamAuth", "HEADER", "AUTHORIZER"]}
    assert _local_api("BasicAuthorizer")["ApiKeySourceType"] == "AUTHORIZER"
    permission = translated["Resources"]["MetadataApiBasicAuthorizerAuthorizerPermission"]["Properties"]
    assert permission["FunctionName"] == {"Fn::GetAtt": ["AuthorizerFunction", "Arn"]}
    assert permission["Principal"] == "apigateway.amazonaws.com"


def test_auth_mode_aws_iam_signs_every_route_with_sigv4_instead(translated_iam: dict):
    api = translated_iam["Resources"]["MetadataApi"]["Properties"]
    for path, methods in api["Body"]["paths"].items():
        for method, op in methods.items():
            assert op.get("security", []) == ([] if (path, method) in PAGE_ROUTES else [{"AWS_IAM": []}, {"api_key": []}])
    assert api["Body"]["components"]["securitySchemes"]["AWS_IAM"]["x-amazon-apigateway-authtype"] == "awsSigv4"
    # The usage plan then meters by the x-api-key header, starting with the one key the template declares.
    assert _local_api("AWS_IAM")["ApiKeySourceType"] == "HEADER"
    iam_only = {name for name, r in translated_iam["Resources"].items() if r.get("Condition") == "UseIamAuth"}
    assert iam_only == {"MetadataApiKey", "MetadataUsagePlanKey"}
    # Client-side uploads need the Lambda authorizer (it lets them through to the upload function): not under IAM.
    basic_only = {name for name, r in translated_iam["Resources"].items() if r.get("Condition") == "UseBasicAuthorizer"}
    assert basic_only == {"ClientUploadsApiKey", "ClientUploadsUsagePlanKey"}


def test_client_side_uploads_are_metered_under_a_key_the_authorizer_names(resources: dict):
    key = resources["ClientUploadsApiKey"]["Properties"]
    variables = resources["AuthorizerFunction"]["Properties"]["Environment"]["Variables"]
    assert variables["CLIENT_UPLOAD_USAGE_KEY"] == key["Value"]
    assert key["Enabled"] is True
    assert resources["ClientUploadsUsagePlanKey"]["Properties"] == {
        "KeyId": {"Ref": "ClientUploadsApiKey"}, "KeyType": "API_KEY", "UsagePlanId": {"Ref": "MetadataUsagePlan"}}
    # The upload function checks their signatures with the keys table.
    upload = resources["UploadFunction"]["Properties"]["Environment"]["Variables"]
    assert upload["KEYS_TABLE_NAME"] == {"Ref": "ApiKeysTable"}


def test_api_stage_usage_plan_and_access_log(resources: dict, translated: dict):
    api = resources["MetadataApi"]["Properties"]
    assert api["StageName"] == "api"
    assert api["Auth"]["ApiKeyRequired"] is True
    assert api["AccessLogSetting"]["DestinationArn"] == {"Fn::GetAtt": ["ApiAccessLogGroup", "Arn"]}
    plan = resources["MetadataUsagePlan"]["Properties"]
    assert plan["Throttle"] == {"RateLimit": {"Ref": "ThrottleRateLimit"}, "BurstLimit": {"Ref": "ThrottleBurstLimit"}}
    assert resources["MetadataUsagePlanKey"]["Properties"]["UsagePlanId"] == {"Ref": "MetadataUsagePlan"}
    # SAM's own "Stage" stage must not appear beside ours.
    stages = [r for r in translated["Resources"].values() if r["Type"] == "AWS::ApiGateway::Stage"]
    assert [s["Properties"]["StageName"] for s in stages] == ["api"]


@pytest.mark.parametrize("auth_mode", ["BasicAuthorizer", "AWS_IAM"])
def test_gateway_errors_use_the_contract_body(auth_mode: str):
    responses = _local_api(auth_mode)["GatewayResponses"]
    # Refused credentials: the authorizer's failure, and a key the usage plan does not hold.
    for refusal in ("UNAUTHORIZED", "INVALID_API_KEY"):
        assert responses[refusal]["StatusCode"] == 401
        assert responses[refusal]["ResponseParameters"]["Headers"]["WWW-Authenticate"].startswith("'Basic")
    for response in responses.values():
        body = response["ResponseTemplates"]["application/json"]
        assert body.startswith('{"message":') and '"help":"' in body


def test_environment_is_the_only_configuration(resources: dict, template: dict):
    env = {name: resources[name]["Properties"]["Environment"]["Variables"] for name in FUNCTIONS}
    assert "TABLE_NAME" not in env["MetadataUrlFunction"] and "BUCKET_NAME" not in env["MetadataUrlFunction"]
    for name in ("FilesFunction", "IngestFunction"):
        assert env[name]["TABLE_NAME"] == {"Ref": "FilesTable"}
        assert env[name]["BUCKET_NAME"] == {"Ref": "UploadBucket"}
    url_env = env["MetadataUrlFunction"]
    for variable, parameter in {
        "MAX_IMAGE_BYTES": "MaxImageBytes",
        "MAX_IMAGE_PIXELS": "MaxImagePixels",
        "FETCH_HEADER_TIMEOUT_S": "FetchHeaderTimeoutSeconds",
        "FETCH_BODY_TIMEOUT_S": "FetchBodyTimeoutSeconds",
        "FETCH_MAX_REDIRECTS": "FetchMaxRedirects",
        "FETCH_ALLOWED_PORTS": "FetchAllowedPorts",
        "ALLOWED_URL_PREFIXES": "AllowedUrlPrefixes",
    }.items():
        assert url_env[variable] == {"Ref": parameter}
    defaults = {name: p.get("Default") for name, p in template["Parameters"].items()}
    assert (defaults["MaxImageBytes"], defaults["MaxImagePixels"]) == (DEFAULT_MAX_BYTES, DEFAULT_MAX_PIXELS)
    assert (defaults["FetchHeaderTimeoutSeconds"], defaults["FetchBodyTimeoutSeconds"]) == (8, 18)
    assert (defaults["FetchMaxRedirects"], defaults["FetchAllowedPorts"], defaults["AllowedUrlPrefixes"]) == (
        5,
        "80,443",
        "",
    )
    for function in local_template().functions:
        assert {"POWERTOOLS_SERVICE_NAME", "POWERTOOLS_LOG_LEVEL"} <= set(template_environment(function))
    # Loopback fetching is for the local stack only.
    assert "ALLOW_LOOPBACK_URLS" not in TEMPLATE.read_text()


def test_the_functions_that_read_images_make_thumbnails_as_the_stack_says(resources: dict, template: dict):
    makers = {"UploadFunction", "IngestFunction", "IngestLargeFunction", "BackfillBatchFunction"}
    variables = {name: resources[name]["Properties"]["Environment"]["Variables"] for name in FUNCTIONS}
    assert {name for name in FUNCTIONS if "THUMBNAILS" in variables[name]} == makers
    assert all(variables[name]["THUMBNAILS"] == {"Ref": "Thumbnails"} for name in makers)
    assert template["Parameters"]["Thumbnails"]["Default"] == "Stored"
    for value, made in (("Stored", True), ("Off", False)):
        environment = template_environment(local_template(Thumbnails=value).function("IngestFunction"))
        assert IngestSettings.from_env(environment).thumbnails is made
    with pytest.raises(ConfigError, match="THUMBNAILS"):
        IngestSettings.from_env({**environment, "THUMBNAILS": "sometimes"})


def test_fetch_budget_fits_the_url_function_timeout(resources: dict, template: dict):
    defaults = {name: p.get("Default") for name, p in template["Parameters"].items()}
    timeout = resources["MetadataUrlFunction"]["Properties"]["Timeout"]
    assert timeout <= 29  # API Gateway's integration limit: a longer function would answer nobody
    # The fetch deadlines are totals (redirects included); what is left is the extraction's, bounded at 3 s.
    assert defaults["FetchHeaderTimeoutSeconds"] + defaults["FetchBodyTimeoutSeconds"] + 3 <= timeout


def test_uploads_flow_through_the_queue_with_a_dead_letter_queue(resources: dict):
    bucket = resources["UploadBucket"]["Properties"]
    events = {c["Event"]: c["Queue"] for c in bucket["NotificationConfiguration"]["QueueConfigurations"]}
    queue_arn = {"Fn::GetAtt": ["IngestQueue", "Arn"]}
    assert events == {"s3:ObjectCreated:*": queue_arn, "s3:ObjectRemoved:*": queue_arn, "s3:LifecycleExpiration:*": queue_arn}
    assert bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    blocks = bucket["PublicAccessBlockConfiguration"]
    assert all(blocks.values()) and len(blocks) == 4

    redrive = resources["IngestQueue"]["Properties"]["RedrivePolicy"]
    dlq_arn = {"Fn::GetAtt": ["IngestDeadLetterQueue", "Arn"]}
    assert redrive == {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 3}
    alarm = resources["IngestDeadLetterAlarm"]["Properties"]
    dlq_name = {"Fn::GetAtt": ["IngestDeadLetterQueue", "QueueName"]}
    assert alarm["Dimensions"] == [{"Name": "QueueName", "Value": dlq_name}]

    # The larger ingest function's queue dead-letters into the same queue, under the same alarm.
    assert resources["IngestLargeQueue"]["Properties"]["RedrivePolicy"] == redrive
    large_arn = {"Fn::GetAtt": ["IngestLargeQueue", "Arn"]}
    for function, queue, arn, batch in (("IngestFunction", "IngestQueue", queue_arn, 10),
                                        ("IngestLargeFunction", "IngestLargeQueue", large_arn, 1)):
        (event,) = resources[function]["Properties"]["Events"].values()
        assert event["Type"] == "SQS"
        assert event["Properties"]["Queue"] == arn
        assert event["Properties"]["BatchSize"] == batch
        assert event["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
        # Lambda's advice for SQS sources: visibility timeout at least six times the function timeout.
        visibility = resources[queue]["Properties"]["VisibilityTimeout"]
        assert visibility >= 6 * resources[function]["Properties"]["Timeout"]


def test_the_decoding_budget_follows_each_functions_memory(resources: dict):
    """MAX_DECODE_BYTES beside the runtime, the largest upload and a margin within MemorySize; the functions
    with the last word (the URL route, the larger ingest) and the upload route decode what the service's default
    budget allows."""
    variables = {name: resources[name]["Properties"]["Environment"]["Variables"] for name in FUNCTIONS}
    for name in ("MetadataUrlFunction", "UploadFunction", "IngestFunction", "IngestLargeFunction", "BackfillBatchFunction"):
        memory_bytes = resources[name]["Properties"]["MemorySize"] * 2**20
        # The ingest functions also hold the next object's body, read ahead.
        read_ahead = READ_AHEAD_BYTES if "Ingest" in name or "Backfill" in name else 0
        assert variables[name]["MAX_DECODE_BYTES"] + RUNTIME_BYTES + 2 * DEFAULT_MAX_BYTES + read_ahead <= memory_bytes, name
    assert variables["MetadataUrlFunction"]["MAX_DECODE_BYTES"] == DEFAULT_MAX_DECODE_BYTES
    assert variables["UploadFunction"]["MAX_DECODE_BYTES"] == DEFAULT_MAX_DECODE_BYTES
    assert variables["IngestLargeFunction"]["MAX_DECODE_BYTES"] == DEFAULT_MAX_DECODE_BYTES
    assert variables["IngestFunction"]["MAX_DECODE_BYTES"] < DEFAULT_MAX_DECODE_BYTES
    # The default-sized ingest hands larger images over; the larger one has the last word.
    assert variables["IngestFunction"]["LARGER_INGEST_QUEUE_URL"] == {"Ref": "IngestLargeQueue"}
    assert "LARGER_INGEST_QUEUE_URL" not in variables["IngestLargeFunction"]
    # The backfill's batches take the default-sized ingest's path.
    assert variables["BackfillBatchFunction"]["MAX_DECODE_BYTES"] == variables["IngestFunction"]["MAX_DECODE_BYTES"]
    assert variables["BackfillBatchFunction"]["LARGER_INGEST_QUEUE_URL"] == {"Ref": "IngestLargeQueue"}
    assert {name for name, v in variables.items() if "MAX_DECODE_BYTES" in v} == {
        "MetadataUrlFunction", "UploadFunction", "IngestFunction", "IngestLargeFunction", "BackfillBatchFunction"}


def test_only_the_ingest_writes_record_bodies_and_the_upload_function_thumbnails_beside_it(resources: dict):
    statements = resources["UploadBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    writes = [s for s in statements if s.get("Principal") == "*" and "_imagemeta/" in str(s["Resource"])]
    spared = {"ReservedPrefixIsTheServices": (RESERVED_PREFIX, (*INGEST_ROLES, "UploadFunctionRole")),
              "RecordBodiesAreTheIngests": (RECORDS_PREFIX, INGEST_ROLES)}
    assert writes == [
        {
            "Sid": sid,
            "Effect": "Deny",
            "Principal": "*",
            "Action": ["s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion"],
            "Resource": {"Fn::Sub": "${UploadBucket.Arn}/" + prefix + "*"},
            "Condition": {"ArnNotEquals": {"aws:PrincipalArn": [{"Fn::GetAtt": [role, "Arn"]} for role in roles]}},
        }
        for sid, (prefix, roles) in spared.items()
    ]
    # The roles the denies spare are the ones that write there, and no other role does.
    for name, resource in resources.items():
        if resource["Type"] == "AWS::IAM::Role":
            grants = _grants(resource)
            assert (("s3:PutObject", RECORDS) in grants) == (name in INGEST_ROLES), name
            assert (("s3:PutObject", THUMBNAILS) in grants) == (name in INGEST_ROLES), name
            deletes_thumbnails = ("s3:DeleteObject", THUMBNAILS) in grants
            assert deletes_thumbnails == (name in (*INGEST_ROLES, "UploadFunctionRole")), name


def test_queue_policy_names_the_bucket_without_a_dependency_cycle(resources: dict):
    bucket_name = resources["UploadBucket"]["Properties"]["BucketName"]["Fn::Sub"]
    statement = resources["IngestQueuePolicy"]["Properties"]["PolicyDocument"]["Statement"][0]
    bucket_arn = {"Fn::Sub": f"arn:${{AWS::Partition}}:s3:::{bucket_name}"}
    assert statement["Condition"]["ArnEquals"]["aws:SourceArn"] == bucket_arn
    assert statement["Condition"]["StringEquals"]["aws:SourceAccount"] == {"Ref": "AWS::AccountId"}
    assert "UploadBucket" not in _references(resources["IngestQueuePolicy"])
    assert resources["UploadBucket"]["DependsOn"] == "IngestQueuePolicy"


def test_table_is_on_demand_with_recovery_keyed_by_partition_and_sort_key(resources: dict):
    table = resources["FilesTable"]["Properties"]
    assert table["BillingMode"] == "PAY_PER_REQUEST"
    assert table["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert table["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}]
    bands = [f"pHashBand{n}" for n in range(4)]
    assert table["AttributeDefinitions"] == [
        {"AttributeName": name, "AttributeType": "S"}
        for name in ["pk", "sk", "folder", "ckey", "parentFolder", "prefix", "pHash", *bands]
    ]
    # The similar-image search with SimilarIndex=bands (docs/similar.md): one keys-only index per band, sorted by
    # pHash. (The folder index: tests/unit/test_folder_index.py.)
    assert [(i["IndexName"], i["KeySchema"], i["Projection"]) for i in table["GlobalSecondaryIndexes"][2:]] == [
        (band, [{"AttributeName": band, "KeyType": "HASH"}, {"AttributeName": "pHash", "KeyType": "RANGE"}],
         {"ProjectionType": "KEYS_ONLY"})
        for band in bands
    ]
    # service.storage.records writes tombstones with this expiry attribute.
    assert table["TimeToLiveSpecification"] == {"AttributeName": "expiresAt", "Enabled": True}


def test_outputs_name_the_api_bucket_and_table(template: dict):
    outputs = {name: o["Value"] for name, o in template["Outputs"].items()}
    api_url = outputs["ApiUrl"]["Fn::Sub"]
    assert "${MetadataApi}.execute-api" in api_url and api_url.endswith("/api")
    assert outputs["UploadBucketName"] == {"Ref": "UploadBucket"}
    assert outputs["FilesTableName"] == {"Ref": "FilesTable"}
    # What `make keys STACK=...` (ops.keys) reads.
    assert outputs["ApiKeysTableName"] == {"Ref": "ApiKeysTable"}
    assert outputs["UsagePlanId"] == {"Ref": "MetadataUsagePlan"}


def test_keys_table_is_keyed_by_the_hash_of_the_key(resources: dict):
    table = resources["ApiKeysTable"]["Properties"]
    assert table["KeySchema"] == [{"AttributeName": "keyHash", "KeyType": "HASH"}]
    # Public keys find their key's hash (keys only: the item itself is read strongly consistent).
    assert table["GlobalSecondaryIndexes"] == [{"IndexName": "byPublicKey",
                                                "KeySchema": [{"AttributeName": "publicKey", "KeyType": "HASH"}],
                                                "Projection": {"ProjectionType": "KEYS_ONLY"}}]
    assert table["BillingMode"] == "PAY_PER_REQUEST"
    assert resources["AuthorizerFunction"]["Properties"]["Environment"]["Variables"]["KEYS_TABLE_NAME"] == {
        "Ref": "ApiKeysTable"
    }


# ------------------------------------------------------------------ docs/openapi.yaml


@pytest.fixture(scope="module")
def openapi() -> dict:
    return yaml.safe_load((ROOT / "docs" / "openapi.yaml").read_text())


def test_openapi_is_valid_and_describes_the_deployed_routes(openapi: dict, translated: dict):
    validate(openapi)
    deployed = translated["Resources"]["MetadataApi"]["Properties"]["Body"]["paths"]
    documented = {(path, method): op for path, methods in openapi["paths"].items() for method, op in methods.items()}
    # A path's other methods are NotSupportedFunction's 501, which the description states once.
    assert set(documented) == {(path, method) for path, methods in deployed.items() for method in methods
                               if method != ANY_METHOD}
    for key, (_, params) in ROUTES.items():
        shared = openapi["components"]["parameters"]
        parameters = [shared[p["$ref"].rsplit("/", 1)[1]] if "$ref" in p else p for p in documented[key].get("parameters", [])]
        assert {(p["in"], p["name"]) for p in parameters if p["required"]} == params


def test_openapi_documents_every_status_each_route_can_answer(openapi: dict):
    common = {"200", "400", "401", "413", "429", "500"}
    expected = {
        "/v1/metadata": common | {"403", "502", "504"},
        "/v1/files/{fileId}/metadata": common | {"404"},
        "/v1/files": common - {"413"},
        "/v1/files/{fileId}/details": common - {"413"} | {"404"},
        "/v1/files/byPath": common | {"404"},
    }
    writes = {
        ("/api/v1/files/upload", "post"): common | {"403", "409", "502", "504"},
        ("/v1/files/upload-url", "post"): common - {"413"},
        ("/v1/files/{fileId}", "delete"): {"204", "400", "401", "404", "429", "500"},
        ("/v1/files/batch/deleteByFileIds", "post"): common - {"413"} | {"404"},
        ("/v1/files/{fileId}/details", "patch"): common - {"413"} | {"404"},
        ("/v1/files/addTags", "post"): common - {"413"} | {"207", "404"},
        ("/v1/files/removeTags", "post"): common - {"413"} | {"207", "404"},
        ("/v1/files/removeAITags", "post"): common - {"413"} | {"404"},
        ("/v1/customMetadataFields", "get"): common - {"413"},
        ("/v1/customMetadataFields", "post"): common - {"413", "200"} | {"201"},
        ("/v1/customMetadataFields/{fieldId}", "patch"): common - {"413"} | {"404"},
        ("/v1/customMetadataFields/{fieldId}", "delete"): {"204", "401", "404", "429", "500"},
    }
    for (path, method), statuses in writes.items():
        assert set(openapi["paths"][path][method]["responses"]) == statuses, path
    for path, statuses in expected.items():
        assert set(openapi["paths"][path]["get"]["responses"]) == statuses, path


def test_openapi_metadata_keys_follow_the_contract_order(openapi: dict):
    schema = openapi["components"]["schemas"]["Metadata"]
    order = ["height", "width", "size", "format", "hasColorProfile", "quality", "density", "hasTransparency", "pHash",
             "exif"]
    assert schema["required"] == list(schema["properties"]) == order == list(schema["example"])


# ------------------------------------------------------------------ least privilege


def _grants(role: dict, distribution: bool = False) -> set[tuple[str, str]]:
    """(action, resource) pairs of a role's inline policies, resources rendered as text; the statements the
    distributions grant (an Fn::If on HasDistribution) only with `distribution`."""
    pairs = set()
    for policy in role["Properties"]["Policies"]:
        for statement in policy["PolicyDocument"]["Statement"]:
            if "Fn::If" in statement:
                condition, granted, otherwise = statement["Fn::If"]
                assert (condition, otherwise) == ("HasDistribution", {"Ref": "AWS::NoValue"})
                if not distribution:
                    continue
                statement = granted
            assert statement["Effect"] == "Allow"
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
            pairs |= {(action, str(resource)) for action in actions for resource in resources}
    return pairs


def _logs(group: str) -> set[tuple[str, str]]:
    arn = str({"Fn::GetAtt": [group, "Arn"]})
    return {("logs:CreateLogStream", arn), ("logs:PutLogEvents", arn)}


def _ingest(log_group: str, queue: str) -> set[tuple[str, str]]:
    """An ingest function's grants: its queue, and what records are made of."""
    return _records_from_uploads(log_group) | {(f"sqs:{a}", queue) for a in ("ReceiveMessage", "DeleteMessage", "GetQueueAttributes")}


def _records_from_uploads(log_group: str) -> set[tuple[str, str]]:
    """What the ingest path needs: the uploads, the overflow records and the table."""
    return (_logs(log_group)
            | {(f"s3:{a}", OBJECTS) for a in ("GetObject", "GetObjectVersion", "GetObjectTagging", "GetObjectVersionTagging")}
            | {("s3:ListBucket", BUCKET)}
            | {(f"s3:{a}", RECORDS) for a in ("PutObject", "DeleteObject")}
            | {(f"s3:{a}", THUMBNAILS) for a in ("PutObject", "PutObjectTagging", "DeleteObject")}
            | {(f"dynamodb:{a}", TABLE) for a in ("GetItem", "BatchGetItem", "PutItem", "UpdateItem", "DeleteItem",
                                                 "Query")})


def _copies() -> set[tuple[str, str]]:
    """What copying, moving and deleting files and their versions takes: CopyObject reads the source version
    and its tags and writes both; listings of keys and versions."""
    return ({(f"s3:{a}", OBJECTS) for a in ("GetObject", "GetObjectVersion", "GetObjectTagging",
                                             "GetObjectVersionTagging", "PutObject", "PutObjectTagging",
                                             "DeleteObject", "DeleteObjectVersion")}
            | {(f"s3:{a}", BUCKET) for a in ("ListBucket", "ListBucketVersions")})


TABLE = str({"Fn::GetAtt": ["FilesTable", "Arn"]})
JOBS_QUEUE = str({"Fn::GetAtt": ["JobsQueue", "Arn"]})
KEYS_TABLE = str({"Fn::GetAtt": ["ApiKeysTable", "Arn"]})
QUEUE = str({"Fn::GetAtt": ["IngestQueue", "Arn"]})
LARGE_QUEUE = str({"Fn::GetAtt": ["IngestLargeQueue", "Arn"]})
OBJECTS = str({"Fn::Sub": "arn:${AWS::Partition}:s3:::${UploadBucket}/*"})
BUCKET = str({"Fn::Sub": "arn:${AWS::Partition}:s3:::${UploadBucket}"})
RECORDS = str({"Fn::Sub": "arn:${AWS::Partition}:s3:::${UploadBucket}/" + RECORDS_PREFIX + "*"})
THUMBNAILS = str({"Fn::Sub": "arn:${AWS::Partition}:s3:::${UploadBucket}/" + THUMBNAIL_PREFIX + "*"})
# The private halves of the stack's signing keys (ops/signing_keys.py keeps them there).
SIGNING_KEYS = str({"Fn::Sub": "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter"
                                + key_prefix("${AWS::StackName}") + "*/private"})
EXPECTED_GRANTS = {
    # GetItem only: the one item keyed by the presented key's hash; no Scan, no Query, no writes.
    "AuthorizerFunction": _logs("AuthorizerLogGroup") | {("dynamodb:GetItem", KEYS_TABLE)},
    "MetadataUrlFunction": _logs("MetadataUrlLogGroup"),
    "FilesFunction": _logs("FilesLogGroup")
    | {("dynamodb:GetItem", TABLE), ("dynamodb:Query", TABLE), ("dynamodb:BatchGetItem", TABLE)}
    | {("dynamodb:Query", str({"Fn::Sub": f"${{FilesTable.Arn}}/index/{index}"})) for index in ("pHashBand*", "byFolder", "subfolders")}
    # Spilled record bodies, and the uploads a File object's presigned url reads.
    | {(f"s3:{a}", OBJECTS) for a in ("GetObject", "GetObjectVersion")}
    | {("ssm:GetParameter", SIGNING_KEYS)},
    "IngestFunction": _ingest("IngestLogGroup", QUEUE) | {("sqs:SendMessage", LARGE_QUEUE)},
    "IngestLargeFunction": _ingest("IngestLargeLogGroup", LARGE_QUEUE),
    "BackfillFunction": _logs("BackfillLogGroup")
    | {("s3:ListBucket", BUCKET), ("sqs:SendMessage", QUEUE)}
    | {(f"dynamodb:{a}", TABLE) for a in ("GetItem", "PutItem")},
    # The ingest path without a queue of its own: what it leaves over goes to the ingest's, large images to the larger's.
    "BackfillBatchFunction": _records_from_uploads("BackfillBatchLogGroup")
    | {("sqs:SendMessage", QUEUE), ("sqs:SendMessage", LARGE_QUEUE)},
    # Its table grants hold only for the items of extractions and tokens, and reads of records and fields (below).
    "UploadFunction": _logs("UploadLogGroup")
    | {(f"s3:{a}", OBJECTS) for a in ("PutObject", "PutObjectTagging", "GetObject", "GetObjectVersion")}
    | {("s3:DeleteObject", THUMBNAILS), ("ssm:GetParameter", SIGNING_KEYS)}
    | {(f"dynamodb:{a}", TABLE) for a in ("PutItem", "DeleteItem", "GetItem")}
    | {("dynamodb:GetItem", KEYS_TABLE), ("dynamodb:Query", str({"Fn::Sub": "${ApiKeysTable.Arn}/index/byPublicKey"}))},
    # Records and the fields item only (below); the File objects it answers sign urls and read spilled bodies.
    "EditFunction": _logs("EditLogGroup")
    | {(f"dynamodb:{a}", TABLE) for a in ("GetItem", "BatchGetItem", "PutItem")}
    | {(f"s3:{a}", OBJECTS) for a in ("GetObject", "GetObjectVersion")} | {("ssm:GetParameter", SIGNING_KEYS)},
    "FileDeleteFunction": _logs("FileDeleteLogGroup")
    | {(f"dynamodb:{a}", TABLE) for a in ("GetItem", "BatchGetItem")}
    | {(f"s3:{a}", OBJECTS) for a in ("DeleteObject", "DeleteObjectVersion")}
    | {("s3:ListBucketVersions", BUCKET)},
    # Its PutItem holds only for seeds and jobs (test below).
    "OrganizeFunction": _logs("OrganizeLogGroup") | _copies()
    | {("dynamodb:GetItem", TABLE), ("dynamodb:PutItem", TABLE), ("sqs:SendMessage", JOBS_QUEUE)}
    | {("ssm:GetParameter", SIGNING_KEYS)},
    "FolderJobsFunction": _logs("FolderJobsLogGroup") | _copies()
    | {(f"sqs:{a}", JOBS_QUEUE) for a in ("ReceiveMessage", "DeleteMessage", "GetQueueAttributes", "SendMessage")}
    | {(f"dynamodb:{a}", TABLE) for a in ("GetItem", "BatchGetItem", "PutItem", "UpdateItem", "BatchWriteItem")}
    | {("dynamodb:Query", str({"Fn::Sub": "${FilesTable.Arn}/index/subfolders"}))},
    "NotSupportedFunction": _logs("NotSupportedLogGroup"),
    "PageFunction": _logs("PageLogGroup"),
}
DISTRIBUTION_ARN = "arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/"
# The stack's distributions: the public one, and the signed one when there is a signing key.
DISTRIBUTIONS = (str({"Fn::Sub": DISTRIBUTION_ARN + "${PublicDelivery}"}),
                 str({"Fn::If": ["HasSignedDistribution", {"Fn::Sub": DISTRIBUTION_ARN + "${SignedDelivery}"},
                                 {"Ref": "AWS::NoValue"}]}))
# What the distributions add (FileDelivery=CloudFront): the purges of both.
DISTRIBUTION_GRANTS = {
    "OrganizeFunction": {(f"cloudfront:{a}", d) for a in ("CreateInvalidation", "GetInvalidation") for d in DISTRIBUTIONS},
    "FolderJobsFunction": {("cloudfront:CreateInvalidation", d) for d in DISTRIBUTIONS},
}


RECORDS_AND_FIELDS = {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["?" * 24, FIELDS_KEY["pk"]["S"]]}}


def test_the_upload_function_writes_only_seeds_and_tokens_and_reads_only_records_and_fields(resources: dict):
    statements = resources["UploadFunctionRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    writes, reads = [s for s in statements if str(s["Resource"]) == TABLE]
    assert writes["Action"] == ["dynamodb:PutItem", "dynamodb:DeleteItem"]
    assert writes["Condition"] == {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": [SEED_PREFIX + "*",
                                                                                        TOKEN_PREFIX + "*"]}}
    assert (reads["Action"], reads["Condition"]) == ("dynamodb:GetItem", RECORDS_AND_FIELDS)
    assert len(file_id("bucket", "key")) == 24  # what "?" * 24 admits


def test_the_edit_function_reaches_only_records_and_fields(resources: dict):
    statements = resources["EditFunctionRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    (table_grant,) = [s for s in statements if str(s["Resource"]) == TABLE]
    assert table_grant["Condition"] == RECORDS_AND_FIELDS


def test_the_api_takes_bodies_as_bytes_and_answers_oversized_ones_413(resources: dict):
    api = resources["MetadataApi"]["Properties"]
    assert api["BinaryMediaTypes"] == ["*~1*"]
    too_large = api["GatewayResponses"]["REQUEST_TOO_LARGE"]
    assert too_large["StatusCode"] == 413
    assert "POST /v1/files/upload-url" in too_large["ResponseTemplates"]["application/json"]


@pytest.mark.parametrize("function", FUNCTIONS)
def test_each_role_grants_exactly_what_its_function_uses(resources: dict, function: str):
    role_name = f"{function}Role"
    assert resources[function]["Properties"]["Role"] == {"Fn::GetAtt": [role_name, "Arn"]}
    assert "Policies" not in resources[function]["Properties"]
    role = resources[role_name]
    assert "ManagedPolicyArns" not in role["Properties"]
    assert _grants(role) == EXPECTED_GRANTS[function]
    # With the distributions, the functions that purge may invalidate their caches, and nothing else changes.
    assert _grants(role, distribution=True) == EXPECTED_GRANTS[function] | DISTRIBUTION_GRANTS.get(function, set())


def test_the_organize_function_writes_only_seeds_and_jobs_to_the_table(resources: dict):
    statements = resources["OrganizeFunctionRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    (writes,) = [s for s in statements if "Fn::If" not in s and s["Action"] == "dynamodb:PutItem"]
    assert writes["Condition"] == {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": [SEED_PREFIX + "*",
                                                                                         JOB_PREFIX + "*"]}}


def test_the_bucket_keeps_versions_unless_the_stack_says_otherwise(template: dict, resources: dict):
    assert template["Parameters"]["BucketVersioning"]["Default"] == "Enabled"
    assert resources["UploadBucket"]["Properties"]["VersioningConfiguration"] == {
        "Fn::If": ["KeepVersions", {"Status": "Enabled"}, {"Ref": "AWS::NoValue"}]}
    assert local_template().resource("UploadBucket").properties["VersioningConfiguration"] == {"Status": "Enabled"}
    assert "VersioningConfiguration" not in local_template(BucketVersioning="Disabled").resource("UploadBucket").properties


def test_folder_jobs_run_from_a_fifo_queue_one_step_at_a_time(resources: dict):
    queue = resources["JobsQueue"]["Properties"]
    assert queue["FifoQueue"] is True
    assert queue["RedrivePolicy"] == {"deadLetterTargetArn": {"Fn::GetAtt": ["JobsDeadLetterQueue", "Arn"]},
                                      "maxReceiveCount": 3}
    assert resources["JobsDeadLetterQueue"]["Properties"]["FifoQueue"] is True
    (event,) = resources["FolderJobsFunction"]["Properties"]["Events"].values()
    assert event["Properties"]["Queue"] == {"Fn::GetAtt": ["JobsQueue", "Arn"]} and event["Properties"]["BatchSize"] == 1
    # A step is never delivered again while a worker may still run it.
    assert queue["VisibilityTimeout"] >= 6 * resources["FolderJobsFunction"]["Properties"]["Timeout"]
    assert local_template().physical_name("JobsQueue").endswith(".fifo")
    alarm = resources["JobsDeadLetterAlarm"]["Properties"]
    assert alarm["Dimensions"] == [{"Name": "QueueName", "Value": {"Fn::GetAtt": ["JobsDeadLetterQueue", "QueueName"]}}]


def test_sam_generates_no_other_roles(translated: dict):
    roles = {name for name, r in translated["Resources"].items() if r["Type"] == "AWS::IAM::Role"}
    assert roles == {f"{function}Role" for function in FUNCTIONS} | {"BackfillStateMachineRole"}


INVENTORY = str({"Fn::Sub": "${InventoryBucket.Arn}/*"})
RESULTS = str({"Fn::Sub": "${InventoryBucket.Arn}/backfill-results/*"})
BACKFILL_MACHINE = "arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:stateMachine:${AWS::StackName}-backfill"
BACKFILL_EXECUTIONS = "arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:execution:${AWS::StackName}-backfill/*"


def test_the_backfill_state_machine_maps_the_inventory_onto_the_batch_function(resources: dict):
    machine = resources["BackfillStateMachine"]["Properties"]
    assert machine["Name"] == {"Fn::Sub": "${AWS::StackName}-backfill"}
    assert machine["DefinitionSubstitutions"] == {"BatchFunctionArn": {"Fn::GetAtt": ["BackfillBatchFunction", "Arn"]},
                                                  "InventoryBucket": {"Ref": "InventoryBucket"},
                                                  "MaxConcurrency": {"Ref": "BackfillMaxConcurrency"}}
    mapped = machine["Definition"]["States"][machine["Definition"]["StartAt"]]
    assert mapped["ItemReader"]["ReaderConfig"] == {"InputType": "MANIFEST"}
    assert mapped["ItemReader"]["Parameters"] == {"Bucket": "${InventoryBucket}", "Key.$": "$.manifestKey"}
    assert mapped["ItemProcessor"]["ProcessorConfig"] == {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"}
    assert mapped["MaxConcurrency"] == "${MaxConcurrency}"
    batch = mapped["ItemProcessor"]["States"][mapped["ItemProcessor"]["StartAt"]]
    assert batch["Parameters"]["FunctionName"] == "${BatchFunctionArn}"
    # The handler learns that a batch comes again (its pages may be missing), and the Lambda task's 5 minutes of an
    # Express child hold the function's timeout.
    assert batch["Parameters"]["Payload"] == {"Items.$": "$.Items", "BatchInput": {"retry.$": "$$.State.RetryCount"}}
    assert resources["BackfillBatchFunction"]["Properties"]["Timeout"] < 300
    # The inventory lists the current objects of the upload bucket into the inventory bucket, which S3 alone writes.
    (inventory,) = resources["UploadBucket"]["Properties"]["InventoryConfigurations"]
    assert inventory["Destination"]["BucketArn"] == {"Fn::GetAtt": ["InventoryBucket", "Arn"]}
    assert inventory["IncludedObjectVersions"] == "Current" and inventory["Destination"]["Format"] == "CSV"
    assert _grants(resources["BackfillStateMachineRole"]) == (
        {("s3:GetObject", INVENTORY)}
        | {(f"s3:{a}", RESULTS) for a in ("PutObject", "ListMultipartUploadParts", "AbortMultipartUpload")}
        | {("states:StartExecution", str({"Fn::Sub": BACKFILL_MACHINE}))}
        | {(f"states:{a}", str({"Fn::Sub": BACKFILL_EXECUTIONS})) for a in ("DescribeExecution", "StopExecution")}
        | {("lambda:InvokeFunction", str({"Fn::GetAtt": ["BackfillBatchFunction", "Arn"]}))})


# ------------------------------------------------------------------ delivery (docs/deploy.md, "Delivery")

CLOUDFRONT_TYPES = ("AWS::CloudFront::Distribution", "AWS::CloudFront::OriginAccessControl",
                    "AWS::CloudFront::Function", "AWS::CloudFront::ResponseHeadersPolicy", "AWS::CloudFront::PublicKey",
                    "AWS::CloudFront::KeyGroup")
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"  # CloudFront's managed cache policy


def _cloudfront(**parameters: str) -> list[str]:
    found = local_template(**parameters)
    return sorted(r.logical_id for kind in CLOUDFRONT_TYPES for r in found.resources(kind))


def test_a_distribution_by_default_a_signed_one_with_a_signing_key_none_when_presigned():
    public = ["DeliveryEdgeFunction", "DeliveryOriginAccess", "DeliveryResponseHeaders", "PublicDelivery"]
    assert _cloudfront() == public
    assert _cloudfront(SigningKeyName="k1") == sorted(public + ["SignedDelivery", "SigningKeyGroup", "SigningPublicKey"])
    assert _cloudfront(FileDelivery="PresignedS3", SigningKeyName="k1") == []
    # During a rotation the key group trusts the previous key beside the new one.
    rotating = local_template(SigningKeyName="k2", PreviousSigningKeyName="k1")
    assert rotating.resource("SigningKeyGroup").properties["KeyGroupConfig"]["Items"] == [
        "LSIGNINGPUBLICKEY", "LPREVIOUSSIGNINGPUBLICKEY"]
    assert local_template(SigningKeyName="k1").resource("SigningKeyGroup").properties["KeyGroupConfig"]["Items"] == [
        "LSIGNINGPUBLICKEY"]


def test_both_distributions_read_the_bucket_through_origin_access_and_run_the_edge_function_both_ways():
    found = local_template(SigningKeyName="k1")
    bucket_domain = f"{found.physical_name('UploadBucket')}.s3.us-east-1.amazonaws.com"
    for name in ("PublicDelivery", "SignedDelivery"):
        config = found.resource(name).properties["DistributionConfig"]
        (origin,) = config["Origins"]
        assert (origin["DomainName"], origin["OriginAccessControlId"], origin["S3OriginConfig"]) == (
            bucket_domain, "LDELIVERYORIGINACCESS", {"OriginAccessIdentity": ""})
        behaviour = config["DefaultCacheBehavior"]
        assert (behaviour["ViewerProtocolPolicy"], behaviour["AllowedMethods"], behaviour["CachePolicyId"]) == (
            "redirect-to-https", ["GET", "HEAD"], CACHING_OPTIMIZED)
        assert behaviour["ResponseHeadersPolicyId"] == "LDELIVERYRESPONSEHEADERS"
        assert [(a["EventType"], a["FunctionARN"].rsplit("/", 1)[1]) for a in behaviour["FunctionAssociations"]] == [
            ("viewer-request", "DeliveryEdgeFunction"), ("viewer-response", "DeliveryEdgeFunction")]
        # Only the signed distribution asks for signatures: a key group is trusted per behaviour, never per object.
        assert behaviour.get("TrustedKeyGroups") == (["LSIGNINGKEYGROUP"] if name == "SignedDelivery" else None)
    access = found.resource("DeliveryOriginAccess").properties["OriginAccessControlConfig"]
    assert (access["OriginAccessControlOriginType"], access["SigningBehavior"], access["SigningProtocol"]) == (
        "s3", "always", "sigv4")
    headers = found.resource("DeliveryResponseHeaders").properties["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    assert headers["ContentTypeOptions"] == {"Override": True}
    assert headers["ContentSecurityPolicy"] == {"ContentSecurityPolicy": "sandbox", "Override": True}
    assert found.resource("DeliveryEdgeFunction").properties["FunctionConfig"]["Runtime"] == "cloudfront-js-2.0"


def test_the_bucket_policy_lets_the_distributions_read_but_never_a_record_body_nor_a_private_file_unsigned():
    found = local_template(SigningKeyName="k1")
    arn = "arn:aws:cloudfront::123456789012:distribution/{}".format
    objects = f"arn:aws:s3:::{found.physical_name('UploadBucket')}/"
    statements = {s["Sid"]: s for s in found.resource("UploadBucketPolicy").properties["PolicyDocument"]["Statement"]}
    cloudfront = {"Service": "cloudfront.amazonaws.com"}
    assert statements["DistributionsReadUploads"] == {
        "Sid": "DistributionsReadUploads", "Effect": "Allow", "Principal": cloudfront, "Action": "s3:GetObject",
        "Resource": objects + "*",
        "Condition": {"StringEquals": {"AWS:SourceArn": [arn("LPUBLICDELIVERY"), arn("LSIGNEDDELIVERY")]}}}
    assert statements["PrivateFilesOnlySigned"]["Condition"] == {"StringEquals": {
        "AWS:SourceArn": arn("LPUBLICDELIVERY"), "s3:ExistingObjectTag/imagemeta-private": "true"}}
    assert (statements["PrivateFilesOnlySigned"]["Effect"], statements["PrivateFilesOnlySigned"]["Resource"]) == (
        "Deny", objects + "*")
    assert statements["RecordBodiesAreNeverServed"] == {
        "Sid": "RecordBodiesAreNeverServed", "Effect": "Deny", "Principal": cloudfront, "Action": "s3:GetObject",
        "Resource": objects + RECORDS_PREFIX + "*"}
    unsigned = local_template().resource("UploadBucketPolicy").properties["PolicyDocument"]["Statement"]
    assert next(s for s in unsigned if s["Sid"] == "DistributionsReadUploads")["Condition"] == {
        "StringEquals": {"AWS:SourceArn": [arn("LPUBLICDELIVERY")]}}
    presigned = local_template(FileDelivery="PresignedS3").resource("UploadBucketPolicy").properties
    assert "cloudfront" not in str(presigned)


def test_the_functions_that_hand_out_urls_know_the_delivery_and_the_page_its_origins():
    found = local_template(SigningKeyName="k1")
    public, signed = found.distribution_domain("PublicDelivery"), found.distribution_domain("SignedDelivery")
    for name in ("FilesFunction", "UploadFunction", "EditFunction", "OrganizeFunction"):
        variables = template_environment(found.function(name))
        assert {v: variables[v] for v in ("DELIVERY_DOMAIN", "SIGNED_DELIVERY_DOMAIN", "SIGNING_KEY_ID",
                                          "SIGNING_KEY_PARAMETER")} == {
            "DELIVERY_DOMAIN": public, "SIGNED_DELIVERY_DOMAIN": signed, "SIGNING_KEY_ID": "LSIGNINGPUBLICKEY",
            "SIGNING_KEY_PARAMETER": key_prefix("imagemeta-local") + "k1/private"}
        assert parse_inline_types(variables["INLINE_CONTENT_TYPES"]) == DEFAULT_INLINE_TYPES
        unsigned = template_environment(local_template().function(name))
        assert (unsigned["DELIVERY_DOMAIN"], unsigned["SIGNED_DELIVERY_DOMAIN"], unsigned["SIGNING_KEY_ID"]) == (
            public, "", "")
    page = template_environment(found.function("PageFunction"))
    assert (page["DELIVERY_DOMAIN"], page["SIGNED_DELIVERY_DOMAIN"]) == (public, signed)
    # The functions read and sign with the key make signing-key stored, and only the private halves there.
    assert SIGNING_KEYS.endswith("/*/private'}")


def test_the_public_keys_are_read_where_make_signing_key_puts_them(resources: dict):
    for name, parameter in (("SigningPublicKey", "SigningKeyName"), ("PreviousSigningPublicKey", "PreviousSigningKeyName")):
        config = resources[name]["Properties"]["PublicKeyConfig"]
        assert config["EncodedKey"] == {
            "Fn::Sub": "{{resolve:ssm:" + key_prefix("${AWS::StackName}") + "${" + parameter + "}/public}}"}
        # A key's name changes with its key: CloudFormation replaces a public key by creating the new one first.
        assert config["Name"] == {"Fn::Sub": "${AWS::StackName}-${" + parameter + "}"}


def test_outputs_name_the_delivery_and_the_distributions_a_purge_invalidates(template: dict):
    outputs = template["Outputs"]
    assert (outputs["DeliveryUrl"]["Condition"], outputs["DeliveryUrl"]["Value"]) == (
        "HasDistribution", {"Fn::Sub": "https://${PublicDelivery.DomainName}"})
    assert outputs["SignedDeliveryUrl"]["Condition"] == "HasSignedDistribution"
    assert outputs["DistributionIds"]["Value"] == {"Fn::If": [
        "HasSignedDistribution", {"Fn::Sub": "${PublicDelivery},${SignedDelivery}"}, {"Ref": "PublicDelivery"}]}
