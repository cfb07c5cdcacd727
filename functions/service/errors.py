"""The service's own errors, beside the core's family; `service.api.error_map` gives each its status."""
from __future__ import annotations

from imagemeta.errors import ImageMetaError


class RecordNotFound(ImageMetaError):
    """No record for that fileId or path, or its stored body is gone (404)."""

    message = "The requested file does not exist or is inaccessible at this time."
    help = "Check the fileId or path; uploads are processed within seconds."


class SearchTooBroad(ImageMetaError):
    """A similar search would read more index entries than it may (413)."""

    help = "Too many stored images are near-identical to this hash; look up one of them by path."
