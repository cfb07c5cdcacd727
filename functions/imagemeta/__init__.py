"""The product's core: image bytes in, the contract's metadata object out. Pure: no AWS.

`extract` loads on first use, so code that needs only the error types, the limits or hash
distances (the file-lookup function) does not pay for numpy and Pillow at cold start; so do
`embedded_metadata` and `extract_with_embedded` (imagemeta.embedded, docs/embedded-metadata.md).
"""
from importlib import import_module
from typing import Any

from .errors import (
    BadParameter,
    FetchRefused,
    ImageMetaError,
    NotAnImage,
    NotFound,
    OverMemoryBudget,
    TooLarge,
    UpstreamError,
    UpstreamTimeout,
)
from .limits import DEFAULT_LIMITS, Limits
from .phash_text import phash_distance

_LAZY = {"extract": ".extraction", "embedded_metadata": ".embedded", "extract_with_embedded": ".embedded"}

__all__ = [
    "extract",
    "embedded_metadata",
    "extract_with_embedded",
    "phash_distance",
    "Limits",
    "DEFAULT_LIMITS",
    "ImageMetaError",
    "BadParameter",
    "NotAnImage",
    "TooLarge",
    "OverMemoryBudget",
    "FetchRefused",
    "UpstreamError",
    "UpstreamTimeout",
    "NotFound",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
