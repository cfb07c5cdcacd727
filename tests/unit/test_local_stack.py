"""infra/ without servers: the template read with its short tags, and the pump's Lambda semantics."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from infra.api import path_pattern, policy_allows, required_parameters, route_authorizer
from infra.pump import SEQUENCER_DIGITS, Sequencer, failed_message_ids, with_sequencer
from infra.template import LocalTemplate, load_template

from ..paths import ROOT

TEMPLATE = ROOT / "template.yaml"
ENDPOINT = "http://127.0.0.1:4566"


@pytest.fixture(scope="module")
def template() -> LocalTemplate:
    return LocalTemplate(load_template(TEMPLATE), TEMPLATE, ENDPOINT)


def test_short_tags_load_in_their_long_form(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text("Resources:\n  A:\n    Type: X\n    Properties:\n      Q: !GetAtt B.Arn\n      S: !Sub '${B}-x'\n")

    properties = load_template(path)["Resources"]["A"]["Properties"]

    assert properties == {"Q": {"Fn::GetAtt": ["B", "Arn"]}, "S": {"Fn::Sub": "${B}-x"}}


def test_refs_resolve_to_the_names_the_resources_get_on_moto(template: LocalTemplate) -> None:
    bucket = template.only("AWS::S3::Bucket")
    queue_arn = template.resolve(bucket.properties["NotificationConfiguration"])["QueueConfigurations"][0]["Queue"]
    queue_id = template.logical_id_of_arn(queue_arn)

    assert template.physical_name(bucket.logical_id) == "imagemeta-local-uploads-123456789012-us-east-1"
    assert template.resource(queue_id).type == "AWS::SQS::Queue"
    assert template.resolve({"Ref": queue_id}) == f"{ENDPOINT}/123456789012/{template.physical_name(queue_id)}"
    redrive = template.resolve(template.resource(queue_id).properties["RedrivePolicy"])
    assert template.resource(template.logical_id_of_arn(redrive["deadLetterTargetArn"])).type == "AWS::SQS::Queue"


def test_parameters_take_their_defaults_unless_overridden() -> None:
    document = load_template(TEMPLATE)
    overridden = LocalTemplate(document, TEMPLATE, ENDPOINT, {"FetchAllowedPorts": "80,443,8080"})

    assert LocalTemplate(document, TEMPLATE, ENDPOINT).resolve({"Ref": "FetchAllowedPorts"}) == "80,443"
    assert overridden.resolve({"Ref": "FetchAllowedPorts"}) == "80,443,8080"
    with pytest.raises(ValueError, match="NoSuchParameter"):
        LocalTemplate(document, TEMPLATE, ENDPOINT, {"NoSuchParameter": "1"})


def test_sub_resolves_pseudo_parameters_attributes_and_literals(template: LocalTemplate) -> None:
    table = "FilesTable"

    resolved = template.resolve({"Fn::Sub": f"${{AWS::Region}}/${{{table}.Arn}}/${{!Literal}}"})

    assert resolved == f"us-east-1/arn:aws:dynamodb:us-east-1:123456789012:table/imagemeta-local-{table}/${{Literal}}"


def test_path_templates_match_as_api_gateway_routes() -> None:
    assert path_pattern("/v1/files/{fileId}/metadata").fullmatch("/v1/files/abc/metadata").groupdict() == {
        "fileId": "abc"
    }
    assert path_pattern("/v1/files/{fileId}/metadata").fullmatch("/v1/files/a/b/metadata") is None
    assert path_pattern("/static/{proxy+}").fullmatch("/static/a/b.png").groupdict() == {"proxy": "a/b.png"}


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


def test_routes_without_an_authorizer_run_none_and_iam_authorization_is_refused_at_start() -> None:
    assert route_authorizer(None, {}) is None
    assert route_authorizer("NONE", {}) is None
    with pytest.raises(ValueError, match="SigV4"):
        route_authorizer("AWS_IAM", {})


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
