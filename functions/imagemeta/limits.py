"""The byte and pixel limits, checked before any pixel is decoded."""
from __future__ import annotations

from dataclasses import dataclass

from .errors import TooLarge

DEFAULT_MAX_BYTES = 40 * 1024 * 1024
DEFAULT_MAX_PIXELS = 100_000_000
# Each progressive JPEG scan is a pass over every block, even at a scaled decode: a file of thousands
# of near-empty scans is a CPU bomb (2,000 scans of 64 MP took 72 s here). Scans x pixels is bounded
# so a decode stays near 2 s; encoders write about 10 scans, and any image may have 32.
PROGRESSIVE_SCAN_PIXELS = 2_000_000_000
MIN_PROGRESSIVE_SCANS = 32


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


def max_progressive_scans(width: int, height: int) -> int:
    """How many scans a progressive JPEG of this size may have."""
    return max(MIN_PROGRESSIVE_SCANS, PROGRESSIVE_SCAN_PIXELS // max(1, width * height))


DEFAULT_LIMITS = Limits()
