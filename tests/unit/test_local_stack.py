"""infra/ without servers: the template as SAM CLI reads it with local names, routing, the pump's Lambda semantics."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from infra.api import (
    LocalApi,
    Route,
    path_pattern,
    policy_allows,
    refuse_iam_authorization,
    required_parameters,
    specificity,
)
from infra.functions import template_environment
from infra.pump import SEQUENCER_DIGITS, Sequencer, failed_message_ids, with_sequencer
from infra.template import LocalTemplate

from ..local_template import AWS_ENDPOINT, local_template


def test_references_resolve_to_the_names_the_resources_get_on_moto() -> None:
    template = local_template()
    bucket = template.resource("UploadBucket")
    queue_arn = bucket.properties["NotificationConfiguration"]["QueueConfigurations"][0]["Queue"]
    queue_id = template.logical_id_of_arn(queue_arn)
    redrive = template.resource(queue_id).properties["RedrivePolicy"]

    assert template.physical_name(bucket.logical_id) == "imagemeta-local-uploads-123456789012-us-east-1"
    assert queue_arn == f"arn:aws:sqs:us-east-1:123456789012:imagemeta-local-{queue_id}"
    assert template.resource(template.logical_id_of_arn(redrive["deadLetterTargetArn"])).type == "AWS::SQS::Queue"
    backfill = template_environment(template.function("BackfillFunction"))
    assert backfill["INGEST_QUEUE_URL"] == f"{AWS_ENDPOINT}/123456789012/imagemeta-local-{queue_id}"
    assert backfill["TABLE_NAME"] == template.physical_name("FilesTable") == "imagemeta-local-FilesTable"
    assert backfill["BUCKET_NAME"] == template.physical_name(bucket.logical_id)
    # ${Bucket.Arn} inside !Sub, the form IAM policies use.
    statements = template.resource("UploadBucketPolicy").properties["PolicyDocument"]["Statement"]
    assert f"{template.arn(bucket.logical_id)}/_imagemeta/*" in [s["Resource"] for s in statements]


def test_globals_reach_every_function() -> None:
    for function in local_template().functions:
        assert (function.runtime, function.architectures) == ("python3.12", ["arm64"])
        assert Path(function.codeuri or "").name == "functions"
        assert template_environment(function)["POWERTOOLS_LOG_LEVEL"] == "INFO"


def test_parameters_take_their_defaults_unless_overridden() -> None:
    def url_variables(template: LocalTemplate) -> dict[str, str]:
        return template_environment(template.function("MetadataUrlFunction"))

    assert url_variables(local_template())["FETCH_ALLOWED_PORTS"] == "80,443"
    assert url_variables(local_template(FetchAllowedPorts="80,443,8080"))["FETCH_ALLOWED_PORTS"] == "80,443,8080"
    with pytest.raises(ValueError, match="NoSuchParameter"):
        local_template(NoSuchParameter="1")


def test_conditions_decide_which_resources_exist() -> None:
    def api_keys(auth_mode: str) -> list[str]:
        return [r.logical_id for r in local_template(AuthMode=auth_mode).resources("AWS::ApiGateway::ApiKey")]

    assert api_keys("BasicAuthorizer") == ["ClientUploadsApiKey"]
    assert api_keys("AWS_IAM") == ["MetadataApiKey"]


def test_iam_authorization_is_refused_at_start() -> None:
    refuse_iam_authorization(local_template().only("AWS::Serverless::Api").properties, [])
    with pytest.raises(ValueError, match="SigV4"):
        refuse_iam_authorization(local_template(AuthMode="AWS_IAM").only("AWS::Serverless::Api").properties, [])


def test_path_templates_match_as_api_gateway_routes() -> None:
    assert path_pattern("/v1/files/{fileId}/metadata").fullmatch("/v1/files/abc/metadata").groupdict() == {
        "fileId": "abc"
    }
    assert path_pattern("/v1/files/{fileId}/metadata").fullmatch("/v1/files/a/b/metadata") is None
    assert path_pattern("/static/{proxy+}").fullmatch("/static/a/b.png").groupdict() == {"proxy": "a/b.png"}


def test_literal_segments_win_over_parameters_as_in_api_gateway() -> None:
    resources = ["/v1/files/{fileId}", "/{proxy+}", "/v1/files/batch", "/v1/files/{fileId}/metadata", "/v1/files"]

    ordered = sorted(resources, key=specificity)

    assert ordered.index("/v1/files/batch") < ordered.index("/v1/files/{fileId}") < ordered.index("/{proxy+}")


def test_a_request_takes_the_most_specific_path_then_its_declared_method_then_its_any() -> None:
    def route(resource: str, method: str, function: str, any_method: bool = False) -> Route:
        return Route(method, resource, path_pattern(resource), function, None, False, (), (),  # type: ignore[arg-type]
                     any_method=any_method)

    api = LocalApi.__new__(LocalApi)
    api.routes = sorted([route("/v1/files/{fileId}/details", "GET", "files"),
                         *(route("/v1/files/{fileId}/details", m, "not-supported", True) for m in ("GET", "PATCH")),
                         route("/v1/files/byPath", "GET", "files"),
                         *(route("/{proxy+}", m, "not-supported", True) for m in ("GET", "PUT"))],
                        key=lambda found: specificity(found.resource))

    def function(method: str, path: str) -> str | None:
        found = api.route(method, path)
        return found[0].function if found else None  # type: ignore[return-value]

    assert function("GET", "/v1/files/abc/details") == "files"
    assert function("PATCH", "/v1/files/abc/details") == "not-supported"  # the path's ANY
    assert function("PUT", "/v1/accounts/usage") == "not-supported"  # the catch-all
    # A method the path neither declares nor takes through an ANY: API Gateway's own answer, not the catch-all.
    assert function("PUT", "/v1/files/byPath") is None


def test_required_request_parameters_are_read_from_the_event() -> None:
    event = {"RequestParameters": [{"method.request.querystring.url": {"Required": True}}, "method.request.header.x"]}

    assert required_parameters(event, "querystring") == ("url",)
    assert required_parameters(event, "header") == ()


METHOD_ARN = "arn:aws:execute-api:us-east-1:123456789012:api1/api/GET/v1/files/abc/metadata"


def _statement(effect: str, resource: str, action: str = "execute-api:Invoke") -> dict:
    return {"Effect": effect, "Action": action, "Resource": [resource]}


@pytest.mark.parametrize(
    ("statements", "allowed"),
    [
        ([_statement("Allow", "arn:aws:execute-api:us-east-1:123456789012:api1/api/*/*")], True),
        ([_statement("Allow", "arn:aws:execute-api:us-east-1:123456789012:api1/api/GET/v1/files/*")], True),
        ([_statement("Allow", "arn:aws:execute-api:us-east-1:123456789012:api1/api/POST/*")], False),
        ([_statement("Allow", "arn:aws:execute-api:us-east-1:123456789012:other/api/*/*")], False),
        ([_statement("Allow", "arn:aws:execute-api:*", action="execute-api:ManageConnections")], False),
        ([_statement("Allow", "*"), _statement("Deny", "arn:aws:execute-api:*:*:api1/api/GET/*")], False),
        ([], False),
    ],
)
def test_authorizer_policies_are_evaluated_as_iam_does(statements: list[dict], allowed: bool) -> None:
    assert policy_allows({"Version": "2012-10-17", "Statement": statements}, METHOD_ARN) is allowed


def test_sequencers_are_fixed_width_hex_increasing_and_stable_for_a_redelivered_message() -> None:
    sequencer = Sequencer()

    first, second = sequencer.for_message("m1"), sequencer.for_message("m2")

    assert len(first) == len(second) == SEQUENCER_DIGITS
    assert first == first.upper() and int(first, 16)
    assert first < second
    assert sequencer.for_message("m1") == first
    sequencer.forget("m1")
    assert sequencer.for_message("m1") > second


def test_with_sequencer_fills_only_missing_sequencers() -> None:
    body = json.dumps({"Records": [{"s3": {"object": {"key": "a"}}}, {"s3": {"object": {"key": "b", "sequencer": "0A"}}}]})
    test_event = json.dumps({"Event": "s3:TestEvent"})

    records = json.loads(with_sequencer(body, "00FF"))["Records"]

    assert [r["s3"]["object"]["sequencer"] for r in records] == ["00FF", "0A"]
    assert with_sequencer(test_event, "00FF") == test_event


@pytest.mark.parametrize(
    ("result", "reports_failures", "failed"),
    [
        ({"batchItemFailures": []}, True, set()),
        ({"batchItemFailures": [{"itemIdentifier": "b"}]}, True, {"b"}),
        ({"batchItemFailures": [{"itemIdentifier": "unknown"}]}, True, {"a", "b"}),
        ({"batchItemFailures": [{"itemIdentifier": None}]}, True, {"a", "b"}),
        ({"batchItemFailures": [{"itemIdentifier": "b"}]}, False, set()),
        (None, True, set()),
    ],
)
def test_batch_item_failures_follow_lambda(result: object, reports_failures: bool, failed: set[str]) -> None:
    assert failed_message_ids(result, ["a", "b"], reports_failures) == failed


def test_moto_sqs_patched_hands_out_what_is_within_retention_only(monkeypatch: pytest.MonkeyPatch) -> None:
    # sqs_as_aws() replaces moto's retention check (a pass over the whole queue per message) by one attribute read.
    import boto3
    from moto import mock_aws
    from moto.sqs.models import sqs_backends

    from infra.moto_sqs import sqs_as_aws

    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with mock_aws():
        sqs_as_aws()
        sqs = boto3.client("sqs")
        url = sqs.create_queue(QueueName="retained", Attributes={"MessageRetentionPeriod": "60"})["QueueUrl"]
        for body in ("kept", "expired", "kept too"):
            sqs.send_message(QueueUrl=url, MessageBody=body)
        for message in sqs_backends["123456789012"]["us-east-1"].get_queue("retained")._messages:
            if message.body == "expired":
                message.sent_timestamp -= 61_000  # sent 61 s before the others, past the 60 s retention
        received = [m["Body"] for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]]
    assert received == ["kept"]  # moto stops at the first message past retention, as before the patch


def test_moto_sqs_patched_keeps_visibility_and_delays(monkeypatch: pytest.MonkeyPatch) -> None:
    import boto3
    from moto import mock_aws

    from infra.moto_sqs import sqs_as_aws

    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with mock_aws():
        sqs_as_aws()
        sqs = boto3.client("sqs")
        url = sqs.create_queue(QueueName="timed")["QueueUrl"]
        sqs.send_message(QueueUrl=url, MessageBody="now")
        sqs.send_message(QueueUrl=url, MessageBody="later", DelaySeconds=60)
        counts = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesDelayed",
                  "ApproximateNumberOfMessagesNotVisible"]

        def counted() -> list[str]:
            found = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=counts)["Attributes"]
            return [found[name] for name in counts]

        assert counted() == ["1", "1", "0"]
        first = sqs.receive_message(QueueUrl=url, VisibilityTimeout=60)["Messages"]
        assert [m["Body"] for m in first] == ["now"] and counted() == ["0", "1", "1"]
        assert "Messages" not in sqs.receive_message(QueueUrl=url)  # in flight, and delayed
        sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=first[0]["ReceiptHandle"], VisibilityTimeout=0)
        assert [m["Body"] for m in sqs.receive_message(QueueUrl=url)["Messages"]] == ["now"]


def test_moto_routing_lists_its_services_once(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from moto import backends

    from infra.moto_server import routing_listed_once

    routing_listed_once()
    listed = list(backends.list_of_moto_modules())
    assert {"s3", "sqs", "dynamodb", "cloudfront"} <= set(listed)

    def no_listing(path: str) -> list[str]:
        raise AssertionError(f"listed {path} again")

    monkeypatch.setattr(os, "listdir", no_listing)
    assert list(backends.list_of_moto_modules()) == listed and "s3" in backends.list_of_moto_modules()
