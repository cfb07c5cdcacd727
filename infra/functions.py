"""The template's SAM functions loaded in this process: environment set, handler imported, context built."""
from __future__ import annotations

import importlib
import os
import sys
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .template import LocalTemplate

Handler = Callable[[dict[str, Any], Any], Any]

FUNCTION_TYPE = "AWS::Serverless::Function"


@dataclass
class LambdaContext:
    """The attributes of Lambda's context object that handlers and Powertools read."""

    function_name: str
    invoked_function_arn: str
    memory_limit_in_mb: int
    timeout_seconds: int
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    function_version: str = "$LATEST"
    started: float = field(default_factory=time.monotonic)

    @property
    def log_group_name(self) -> str:
        return f"/aws/lambda/{self.function_name}"

    @property
    def log_stream_name(self) -> str:
        return f"local/{self.aws_request_id}"

    def get_remaining_time_in_millis(self) -> int:
        elapsed = time.monotonic() - self.started
        return max(0, int((self.timeout_seconds - elapsed) * 1000))


@dataclass(frozen=True)
class LocalFunction:
    """One function of the template, its handler imported."""

    logical_id: str
    name: str
    arn: str
    memory_mb: int
    timeout_seconds: int
    handler: Handler
    events: dict[str, dict[str, Any]]

    def invoke(self, event: dict[str, Any]) -> Any:
        """Call the handler as Lambda would: a fresh context per invocation."""
        context = LambdaContext(
            function_name=self.name,
            invoked_function_arn=self.arn,
            memory_limit_in_mb=self.memory_mb,
            timeout_seconds=self.timeout_seconds,
        )
        return self.handler(event, context)


def load_functions(template: LocalTemplate, extra_environment: Mapping[str, str]) -> dict[str, LocalFunction]:
    """Every SAM function of the template, by logical ID.

    All handlers share this process and its os.environ, so each function's variables are set just
    before its handler is looked up: that lookup builds the handler from them, as Lambda's init does.
    """
    functions = {}
    defaults = template.globals_for("Function")
    for resource in template.resources(FUNCTION_TYPE):
        properties = {**defaults, **resource.properties}
        environment = {
            **(template.resolve(defaults.get("Environment", {})).get("Variables") or {}),
            **(template.resolve(resource.properties.get("Environment", {})).get("Variables") or {}),
        }
        os.environ.update({name: str(value) for name, value in environment.items()})
        os.environ.update(extra_environment)  # the local stack's endpoint and credentials win over the template's
        code_directory = str((template.directory / properties.get("CodeUri", ".")).resolve())
        if code_directory not in sys.path:
            sys.path.insert(0, code_directory)
        module_name, attribute = properties["Handler"].rsplit(".", 1)
        functions[resource.logical_id] = LocalFunction(
            logical_id=resource.logical_id,
            name=template.physical_name(resource.logical_id),
            arn=template.arn(resource.logical_id),
            memory_mb=int(properties.get("MemorySize", 128)),
            timeout_seconds=int(properties.get("Timeout", 3)),
            handler=getattr(importlib.import_module(module_name), attribute),
            events=properties.get("Events") or {},
        )
    return functions
