"""The Lambda functions' entry points: one module per function, named by template.yaml's Handler.

Each module has `build(settings, clients)`, which returns the function's handler and is what tests call,
with settings and moto's clients of their own. Its `handler` attribute is built by the module's
`__getattr__` when first looked up: Lambda's runtime looks it up right after importing the module, in the
function's init phase, so the settings are read from the environment and the clients made once per
process, at cold start, and a bad setting fails the cold start (ConfigError) instead of a request.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

LambdaHandler = Callable[[Any, Any], Any]


def built_on_lookup(build: Callable[[], LambdaHandler]) -> Callable[[str], LambdaHandler]:
    """A handler module's `__getattr__`: `handler` is build()'s result, made on the first lookup and kept."""
    built = cache(build)

    def module_attribute(name: str) -> LambdaHandler:
        if name != "handler":
            raise AttributeError(f"handler module has no attribute {name!r}")
        return built()

    return module_attribute
