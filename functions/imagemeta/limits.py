"""The byte and pixel limits, checked before any pixel is decoded."""
from __future__ import annotations

from dataclasses import dataclass

from .errors import TooLarge

DEFAULT_MAX_BYTES = 40 * 1024 * 1024
DEFAULT_MAX_PIXELS = 100_000_000


@dataclass(frozen=True)
class Limits:
    """How large an image may be, in bytes of file and in pixels of one frame."""

    max_bytes: int = DEFAULT_MAX_BYTES
    max_pixels: int = DEFAULT_MAX_PIXELS

    def check_bytes(self, size: int) -> None:
        if size > self.max_bytes:
            raise TooLarge(
                f"The file is larger than the limit of {self.max_bytes} bytes.",
                detail=f"size={size}",
            )

    def check_pixels(self, width: int, height: int) -> None:
        if width * height > self.max_pixels:
            raise TooLarge(
                f"The image is larger than the limit of {self.max_pixels} pixels.",
                detail=f"{width}x{height}",
            )


DEFAULT_LIMITS = Limits()
