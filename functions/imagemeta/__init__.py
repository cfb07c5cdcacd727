"""The product's core: image bytes in, the contract's metadata object out. Pure: no AWS."""
from .errors import (
    BadParameter,
    FetchRefused,
    ImageMetaError,
    NotAnImage,
    NotFound,
    TooLarge,
    UpstreamError,
    UpstreamTimeout,
)
from .extract import extract
from .limits import DEFAULT_LIMITS, Limits
from .phash import phash_distance

__all__ = [
    "extract",
    "phash_distance",
    "Limits",
    "DEFAULT_LIMITS",
    "ImageMetaError",
    "BadParameter",
    "NotAnImage",
    "TooLarge",
    "FetchRefused",
    "UpstreamError",
    "UpstreamTimeout",
    "NotFound",
]
