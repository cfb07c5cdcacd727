"""handlers/clients.py: each service a function may use is a client, the one handed in or one made on first use."""
from __future__ import annotations

import pytest

from handlers.clients import AwsClients

SERVICES = ("s3", "dynamodb", "sqs", "cloudfront", "ssm")


@pytest.mark.parametrize("service", SERVICES)
def test_a_client_handed_in_is_the_one_used(service: str) -> None:
    handed_in = object()
    assert getattr(AwsClients(**{service: handed_in}), service) is handed_in


@pytest.mark.parametrize("service", SERVICES)
def test_a_client_made_on_first_use_is_kept_for_the_process(monkeypatch: pytest.MonkeyPatch, service: str) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    clients = AwsClients()
    made = getattr(clients, service)
    assert made.meta.service_model.service_name == service and getattr(clients, service) is made
