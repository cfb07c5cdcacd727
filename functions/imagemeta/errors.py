"""The one error family of the core; `service.api.error_map` gives each class the API raises its HTTP status."""
from __future__ import annotations

# Error bodies quote a caller's value at most this long, so a hostile parameter cannot inflate the answer or logs.
MAX_ECHO_CHARACTERS = 40


def echo(value: object) -> str:
    """A caller's value for an error message: repr'd, cut to MAX_ECHO_CHARACTERS with an ellipsis."""
    text = repr(value)
    return text if len(text) <= MAX_ECHO_CHARACTERS else text[: MAX_ECHO_CHARACTERS - 1] + "…"


class ImageMetaError(Exception):
    """Base: a public `message` and `help` (the contract's body); details go to `detail` for logs."""

    message = "The request could not be processed."
    help = ""

    def __init__(self, message: str | None = None, *, help: str | None = None,  # noqa: A002 - the contract's field
                 detail: str = ""):
        if message is not None:
            self.message = message
        if help is not None:
            self.help = help
        self.detail = detail
        super().__init__(self.message if not detail else f"{self.message} ({detail})")

    def body(self) -> dict[str, object]:
        """The contract's error body."""
        return {"message": self.message, "help": self.help}


class BadParameter(ImageMetaError):
    """A request parameter is missing or malformed (400)."""

    help = "Check the request parameters against the API documentation."


class NotAnImage(ImageMetaError):
    """The bytes are not a readable image of a supported format (400)."""

    message = "The requested file is corrupt or invalid."
    help = "Supported formats: JPEG, PNG, GIF, WebP, TIFF, BMP, ICO, HEIC/HEIF, AVIF."


class TooLarge(ImageMetaError):
    """Over the byte or pixel limit (413)."""

    help = "Reduce the image's size or raise the limit in the service configuration."


class OverMemoryBudget(TooLarge):
    """Decoding would take more memory than this process may use (413): one allowed more may decode it."""


class FetchRefused(ImageMetaError):
    """The URL names an address or prefix the service must not reach (403)."""

    message = "The URL is not allowed."
    help = "Only public http(s) URLs (and the configured allowed prefixes) can be fetched."


class UpstreamError(ImageMetaError):
    """The remote server answered with an error status or broke off (502)."""

    help = "Check that the URL serves the image publicly."


class UpstreamTimeout(ImageMetaError):
    """The remote server did not answer in time (504)."""

    message = "The remote server did not answer in time."
    help = "Try again later or serve the image from a faster host."


class NotFound(ImageMetaError):
    """A path that does not exist or cannot be read (the command's and the library's; the service has its own)."""

    message = "The requested file does not exist or is inaccessible at this time."
    help = "Check that the path names a readable file (with --similar-to, an image and existing folders)."
