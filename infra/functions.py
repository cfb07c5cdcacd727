"""The template's functions (as SAM CLI's provider reads them) loaded in this process: environment, handler, context."""
from __future__ import annotations

import importlib
import importlib.util
import os
import sys
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from samcli.lib.providers.provider import Function

from .template import ACCOUNT_ID, REGION, LocalTemplate

Handler = Callable[[dict[str, Any], Any], Any]

# Lambda's defaults for a function that sets neither.
DEFAULT_MEMORY_MB = 128
DEFAULT_TIMEOUT_SECONDS = 3


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
    """One function of the template, its handler imported: one execution environment, one invocation at a time.

    Lambda never hands an environment a second request before the first is answered, and handlers rely on it
    (Powertools' resolver keeps the current event on the app). The API server's threads would, when a browser
    asks for several things at once, so invocations of a function wait for each other here.
    """

    logical_id: str
    name: str
    arn: str
    memory_mb: int
    timeout_seconds: int
    handler: Handler
    events: dict[str, dict[str, Any]]
    invoking: threading.Lock = field(default_factory=threading.Lock, compare=False, repr=False)

    def new_context(self) -> LambdaContext:
        """The context of one invocation, as Lambda makes a fresh one for each."""
        return LambdaContext(
            function_name=self.name,
            invoked_function_arn=self.arn,
            memory_limit_in_mb=self.memory_mb,
            timeout_seconds=self.timeout_seconds,
        )

    def invoke(self, event: dict[str, Any]) -> Any:
        """Call the handler as Lambda would, after any invocation already running."""
        with self.invoking:
            return self.handler(event, self.new_context())


def local_environment(aws_endpoint: str) -> dict[str, str]:
    """What every handler runs with here over its template variables, set in os.environ and returned.

    moto's endpoint, a region and dummy credentials; and two settings of the local stack's own, which the
    template never sets: ALLOW_LOOPBACK_URLS (the URL route may fetch from 127.0.0.1, where the tests serve
    their images and moto serves the uploads) and DELIVERY_SCHEME (its distributions answer plain http on
    loopback, infra/delivery.py).
    """
    leading_away = [name for name in os.environ
                    if name.startswith("AWS_ENDPOINT_URL_") or name in ("AWS_PROFILE", "AWS_SESSION_TOKEN")]
    for name in leading_away:
        del os.environ[name]  # a service-specific endpoint or a profile would lead boto3 away from moto
    environment = {
        "AWS_ENDPOINT_URL": aws_endpoint,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "ALLOW_LOOPBACK_URLS": "true",
        "DELIVERY_SCHEME": "http",
    }
    os.environ.update(environment)
    return environment


def template_environment(function: Function) -> dict[str, str]:
    """The function's variables as the template sets them (Globals merged), as strings as Lambda gives them."""
    variables = (function.environment or {}).get("Variables") or {}
    return {name: str(value) for name, value in variables.items()}


def import_handler(function: Function) -> Handler:
    """The function's handler, imported from its code directory; looking it up builds it from os.environ.

    Each function gets its own instance of its handler module, as its own Lambda process would: two
    functions with one handler module (IngestFunction and IngestLargeFunction) must not share the handler
    the first of them built from its variables.
    """
    code_directory = str(Path(function.codeuri or ".").resolve())
    if code_directory not in sys.path:
        sys.path.insert(0, code_directory)
    module_name, attribute = (function.handler or "").rsplit(".", 1)
    spec = importlib.util.find_spec(module_name)
    if spec is None or spec.loader is None:
        raise ModuleNotFoundError(f"no handler module {module_name} in {code_directory}", name=module_name)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    handler: Handler = getattr(module, attribute)
    return handler


def local_function(function: Function) -> LocalFunction:
    """A function of the template with its handler, built from the current os.environ."""
    return LocalFunction(
        logical_id=function.name,
        name=function.functionname,
        arn=f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{function.functionname}",
        memory_mb=function.memory or DEFAULT_MEMORY_MB,
        timeout_seconds=function.timeout or DEFAULT_TIMEOUT_SECONDS,
        handler=import_handler(function),
        events=function.events or {},
    )


def load_functions(template: LocalTemplate, extra_environment: Mapping[str, str]) -> dict[str, LocalFunction]:
    """Every function of the template, by logical ID.

    All handlers share this process and its os.environ, so each function's variables are set just
    before its handler is looked up (that lookup builds the handler from them, as Lambda's init does),
    then taken away again: one function's variables never reach the next (IngestLargeFunction must not
    see IngestFunction's LARGER_INGEST_QUEUE_URL). The local stack's endpoint and credentials stay.
    """
    os.environ.update(extra_environment)
    base = dict(os.environ)
    functions = {}
    for function in template.functions:
        os.environ.update(template_environment(function))
        os.environ.update(extra_environment)  # the local stack's endpoint and credentials win over the template's
        try:
            functions[function.name] = local_function(function)
        finally:
            os.environ.clear()
            os.environ.update(base)
    return functions
