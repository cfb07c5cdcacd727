"""The safe remote fetcher: `policy` decides what may be reached, `http` fetches it."""
from .http import fetch, resolve_host
from .policy import FetchSettings, Resolver

__all__ = ["fetch", "resolve_host", "FetchSettings", "Resolver"]
