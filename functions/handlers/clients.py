"""The AWS clients of one Lambda process, made once, on first use, and passed to each module's build().

Made by botocore, the SDK's core, not through boto3: the functions use clients only (no resources, no managed
transfers), and boto3 would add its session layer and s3transfer to every cold start (docs/benchmarks.md,
"Cold start"). The clients are the same objects boto3.client returns.
"""
from __future__ import annotations

from typing import Any

from botocore.config import Config
from botocore.session import Session, get_session

from service.storage.objects import TRANSFER_CONCURRENCY
from service.storage.similar_index import PROBE_CONCURRENCY


class AwsClients:
    """Clients by service, each made on first use and kept for the process; tests hand in moto's.

    The services here are the ones functions/Makefile keeps the models of (BOTOCORE_SERVICES): a client for
    another service fails in the artifacts' test (tests/artifact_probe.py makes every one)."""

    def __init__(self, *, s3: Any = None, dynamodb: Any = None, sqs: Any = None, cloudfront: Any = None,
                 ssm: Any = None) -> None:
        given = (("s3", s3), ("dynamodb", dynamodb), ("sqs", sqs), ("cloudfront", cloudfront), ("ssm", ssm))
        self._clients = {name: client for name, client in given if client}
        self._session: Session | None = None

    @property
    def s3(self) -> Any:
        # Presigned URLs (File objects' url, upload URLs) signed with SigV4, which every region accepts; a folder
        # job copies a page's objects in parallel, one pooled connection each.
        return self._client("s3", config=Config(signature_version="s3v4", max_pool_connections=TRANSFER_CONCURRENCY))

    @property
    def dynamodb(self) -> Any:
        # A similar search reads many index buckets in parallel: one pooled connection for each.
        return self._client("dynamodb", config=Config(max_pool_connections=PROBE_CONCURRENCY))

    @property
    def sqs(self) -> Any:
        return self._client("sqs")

    @property
    def cloudfront(self) -> Any:
        return self._client("cloudfront")

    @property
    def ssm(self) -> Any:
        return self._client("ssm")

    def _client(self, service: str, config: Config | None = None) -> Any:
        if service not in self._clients:
            # One session for all: each loads the endpoint and partition data once.
            self._session = self._session or get_session()
            self._clients[service] = self._session.create_client(service, config=config)
        return self._clients[service]

