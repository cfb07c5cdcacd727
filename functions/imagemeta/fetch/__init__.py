"""The safe remote fetcher: `policy` decides what may be reached, `http` fetches it.

`fetch` and `resolve_host` load with `http` on first use: every function reads FetchSettings through
imagemeta.settings, and the authorizer and the backfill must not import urllib3 for it.
"""
from typing import Any

from .policy import FetchSettings, Resolver

__all__ = ["fetch", "resolve_host", "FetchSettings", "Resolver"]


def __getattr__(name: str) -> Any:
    if name not in ("fetch", "resolve_host"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from . import http

    return getattr(http, name)
