"""The template's Lambda functions as the benchmarks need them: handler module, memory, environment."""
from __future__ import annotations

from dataclasses import dataclass

from infra.functions import template_environment
from infra.template import REGION, LocalTemplate

from .inputs import ROOT

TEMPLATE = ROOT / "template.yaml"


@dataclass(frozen=True)
class LambdaFunction:
    logical_id: str
    module: str  # handlers.ingest
    memory_mb: int
    environment: dict[str, str]  # the template's variables (local names) plus the region Lambda sets


# Queue URLs as a deployed stack's functions get them (IngestFunction's LARGER_INGEST_QUEUE_URL must be one).
DEPLOYED_SQS_ENDPOINT = f"https://sqs.{REGION}.amazonaws.com"


def local_template(aws_endpoint: str = "") -> LocalTemplate:
    """template.yaml with the local stack's resource names (the same names moto gets)."""
    return LocalTemplate(TEMPLATE, aws_endpoint)


def template_functions() -> list[LambdaFunction]:
    """Every function of template.yaml, in template order, with what it runs with when deployed."""
    return [
        LambdaFunction(
            logical_id=function.name,
            module=(function.handler or "").rsplit(".", 1)[0],
            memory_mb=function.memory or 128,
            environment={**template_environment(function), "AWS_REGION": REGION, "AWS_DEFAULT_REGION": REGION},
        )
        for function in local_template(DEPLOYED_SQS_ENDPOINT).functions
    ]


def function_for(module: str) -> LambdaFunction:
    return next(f for f in template_functions() if f.module == module)
