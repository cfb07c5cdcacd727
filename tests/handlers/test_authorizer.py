"""The authorizer handler with events/authorizer_request.json, keys made by KeyManager, AWS on moto."""
from __future__ import annotations

import base64
import hashlib
import logging
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from moto import mock_aws

from handlers import authorizer
from handlers.clients import AwsClients
from handlers.settings import AuthorizerSettings
from ops.keys import KeyManager
from service.auth.keys import KeyStore

from .conftest import create_table_from_template, lambda_context, load_event, set_aws_environment

KEYS_TABLE = "imagemeta-keys"
EVENT = load_event("authorizer_request.json")


def basic(user_name: str, password: str = "do_not_set") -> str:
    return "Basic " + base64.b64encode(f"{user_name}:{password}".encode()).decode()


def request_with(headers: dict[str, str]) -> dict[str, Any]:
    """events/authorizer_request.json with other credentials (and the Host header API Gateway always sends)."""
    all_headers = {"Host": EVENT["headers"]["Host"], **headers}
    return {**EVENT, "headers": all_headers, "multiValueHeaders": {k: [v] for k, v in all_headers.items()}}


@pytest.fixture()
def keys(monkeypatch: pytest.MonkeyPatch, moto_clients: SimpleNamespace) -> Iterator[SimpleNamespace]:
    """The keys table (as the template declares it), a usage plan, two keys, and the handler built over them."""
    # An operator debugging other functions may turn this on: the authorizer must still not log its event.
    set_aws_environment(monkeypatch, POWERTOOLS_LOGGER_LOG_EVENT="true")
    with mock_aws():
        dynamodb, apigateway = moto_clients.dynamodb, moto_clients.apigateway
        create_table_from_template(dynamodb, "ApiKeysTable", KEYS_TABLE)
        plan_id = apigateway.create_usage_plan(name="plan")["id"]
        manager = KeyManager(KeyStore(dynamodb, KEYS_TABLE), apigateway, plan_id, "imagemeta-test")
        first_key, first = manager.create("first")
        second_key, second = manager.create("second")
        yield SimpleNamespace(
            dynamodb=dynamodb,
            apigateway=apigateway,
            plan_id=plan_id,
            manager=manager,
            first_key=first_key,
            first=first,
            second_key=second_key,
            second=second,
            handler=authorizer.build(AuthorizerSettings(keys_table=KEYS_TABLE), AwsClients(dynamodb=dynamodb)),
        )


def authorize(keys: SimpleNamespace, headers: dict[str, str]) -> dict[str, Any]:
    return keys.handler(request_with(headers), lambda_context("authorizer"))


def assert_refused(keys: SimpleNamespace, headers: dict[str, str]) -> None:
    # Exactly this message: API Gateway answers 401 for it, and for nothing else.
    with pytest.raises(Exception, match=r"^Unauthorized$"):
        authorize(keys, headers)


def test_basic_credentials_allow_every_route_of_the_stage_metered_by_the_keys_usage_key(keys: SimpleNamespace) -> None:
    result = authorize(keys, {"Authorization": basic(keys.first_key)})

    usage_key = keys.apigateway.get_api_key(apiKey=keys.first.key_id, includeValue=True)["value"]
    assert result["principalId"] == keys.first.key_id
    assert result["usageIdentifierKey"] == usage_key
    assert result["context"] == {"keyId": keys.first.key_id, "keyName": "first"}
    assert result["policyDocument"]["Statement"] == [
        {
            "Action": "execute-api:Invoke",
            "Effect": "Allow",
            "Resource": ["arn:aws:execute-api:us-east-1:123456789012:MetadataApi/api/*/*"],
        }
    ]
    plan_keys = keys.apigateway.get_usage_plan_keys(usagePlanId=keys.plan_id)["items"]
    assert {k["id"] for k in plan_keys} == {keys.first.key_id, keys.second.key_id}


@pytest.mark.parametrize(
    "headers_for",
    [
        pytest.param(lambda key: {"x-api-key": key}, id="x-api-key"),
        pytest.param(lambda key: {"authorization": basic(key, "")}, id="lower-case header, empty password"),
        pytest.param(lambda key: {"Authorization": basic(key), "x-api-key": key}, id="both headers, the same key"),
        pytest.param(lambda key: {"Authorization": "basic " + basic(key, "any:thing")[6:]}, id="lower-case scheme"),
    ],
)
def test_the_key_is_accepted_in_every_form_callers_send(keys: SimpleNamespace, headers_for: Any) -> None:
    assert authorize(keys, headers_for(keys.second_key))["principalId"] == keys.second.key_id


@pytest.mark.parametrize(
    "headers_for",
    [
        pytest.param(lambda key: {}, id="no credentials"),
        pytest.param(lambda key: {"Authorization": "Basic %%not-base64%%"}, id="Basic with bad base64"),
        pytest.param(lambda key: {"Authorization": "Basic " + base64.b64encode(b"\xff\xfe:").decode()}, id="not UTF-8"),
        pytest.param(lambda key: {"Authorization": basic("")}, id="empty user name"),
        pytest.param(lambda key: {"Authorization": "Basic " + base64.b64encode(key.encode()).decode()}, id="no colon"),
        pytest.param(lambda key: {"Authorization": f"Bearer {key}"}, id="not Basic"),
        pytest.param(lambda key: {"Authorization": basic("private_unknown")}, id="unknown key"),
        pytest.param(lambda key: {"Authorization": basic(key[:-1] + ("A" if key[-1] != "A" else "B"))}, id="last char"),
        pytest.param(lambda key: {"Authorization": basic(key[:-1])}, id="truncated key"),
        pytest.param(lambda key: {"x-api-key": key + "x"}, id="x-api-key with a wrong key"),
        # A present Authorization header is what the caller meant: a valid x-api-key beside it does not rescue it.
        pytest.param(lambda key: {"Authorization": "Basic %%", "x-api-key": key}, id="bad Basic beside x-api-key"),
        pytest.param(lambda key: {"Authorization": basic(key), "x-api-key": "private_other"}, id="two different keys"),
        pytest.param(lambda key: {"Authorization": "", "x-api-key": key}, id="empty Authorization beside x-api-key"),
        # Header text API Gateway may hand over: malformed credentials, so 401, never an authorizer crash (500).
        pytest.param(lambda key: {"Authorization": "Basic \u00e9t\u00e9"}, id="Basic with non-ASCII"),
        pytest.param(lambda key: {"x-api-key": key + "\ud800"}, id="x-api-key not encodable"),
    ],
)
def test_missing_malformed_and_unknown_credentials_are_unauthorized(keys: SimpleNamespace, headers_for: Any) -> None:
    assert_refused(keys, headers_for(keys.first_key))


def test_a_revoked_key_is_refused_while_the_other_key_stays_valid(keys: SimpleNamespace) -> None:
    revoked = keys.manager.revoke(keys.first.key_id)

    assert revoked.revoked_at
    assert_refused(keys, {"Authorization": basic(keys.first_key)})
    assert_refused(keys, {"x-api-key": keys.first_key})
    assert authorize(keys, {"Authorization": basic(keys.second_key)})["principalId"] == keys.second.key_id
    # Its API Gateway key is gone from the usage plan's reach; revoking again changes nothing.
    with pytest.raises(keys.apigateway.exceptions.NotFoundException):
        keys.apigateway.get_api_key(apiKey=keys.first.key_id)
    assert keys.manager.revoke(keys.first.key_id).revoked_at == revoked.revoked_at
    with pytest.raises(KeyError):
        keys.manager.revoke("no-such-id")


def test_the_listing_and_the_table_hold_no_key_in_clear(keys: SimpleNamespace) -> None:
    listed = keys.manager.list()
    items = keys.dynamodb.scan(TableName=KEYS_TABLE)["Items"]

    assert {(k.key_id, k.name, k.last4, k.revoked_at) for k in listed} == {
        (keys.first.key_id, "first", keys.first_key[-4:], None),
        (keys.second.key_id, "second", keys.second_key[-4:], None),
    }
    assert {item["keyHash"]["S"] for item in items} == {
        hashlib.sha256(key.encode()).hexdigest() for key in (keys.first_key, keys.second_key)
    }
    stored_text = str(items) + str(listed)
    for key in (keys.first_key, keys.second_key):
        assert key.startswith("private_") and len(key) > 40
        assert key not in stored_text and key[:-4] not in stored_text


def test_neither_acceptance_nor_refusal_logs_the_key(keys: SimpleNamespace, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO):
        authorize(keys, {"Authorization": basic(keys.first_key)})
        assert_refused(keys, {"Authorization": basic(keys.first_key + "x")})
        assert_refused(keys, {"x-api-key": keys.second_key[:-1]})

    # Every attribute of every record, extras included: what the JSON formatter could write.
    logged = [vars(record) for record in caplog.records]
    assert [r["reason"] for r in logged if r["msg"] == "credentials refused"] == ["unknown or revoked key"] * 2
    for secret in (keys.first_key, keys.second_key[:-1], basic(keys.first_key)[6:]):
        assert secret not in repr(logged)
