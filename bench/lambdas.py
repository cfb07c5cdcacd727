"""The template's Lambda functions as the benchmarks need them: handler module, memory, environment."""
from __future__ import annotations

from dataclasses import dataclass

from infra.template import REGION, LocalTemplate, load_template

from .inputs import ROOT

TEMPLATE = ROOT / "template.yaml"
FUNCTION_TYPE = "AWS::Serverless::Function"


@dataclass(frozen=True)
class LambdaFunction:
    logical_id: str
    module: str  # handlers.ingest
    memory_mb: int
    environment: dict[str, str]  # the template's variables (local names) plus the region Lambda sets


def local_template(aws_endpoint: str = "") -> LocalTemplate:
    """template.yaml with the local stack's resource names (the same names moto gets)."""
    return LocalTemplate(load_template(TEMPLATE), TEMPLATE, aws_endpoint=aws_endpoint)


def template_functions() -> list[LambdaFunction]:
    """Every function of template.yaml, in template order, with what it runs with when deployed."""
    template = local_template()
    defaults = template.globals_for("Function")
    functions = []
    for resource in template.resources(FUNCTION_TYPE):
        properties = {**defaults, **resource.properties}
        variables = template.resolve(properties.get("Environment", {})).get("Variables") or {}
        functions.append(LambdaFunction(
            logical_id=resource.logical_id,
            module=properties["Handler"].rsplit(".", 1)[0],
            memory_mb=int(properties.get("MemorySize", 128)),
            environment={**{k: str(v) for k, v in variables.items()}, "AWS_REGION": REGION,
                         "AWS_DEFAULT_REGION": REGION},
        ))
    return functions


def function_for(module: str) -> LambdaFunction:
    return next(f for f in template_functions() if f.module == module)
