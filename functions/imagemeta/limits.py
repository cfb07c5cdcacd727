"""The byte and pixel limits, checked before any pixel is decoded."""
from __future__ import annotations

from dataclasses import dataclass

from typing import TYPE_CHECKING

from .errors import TooLarge

if TYPE_CHECKING:
    from .budget import Layout

DEFAULT_MAX_BYTES = 40 * 1024 * 1024
DEFAULT_MAX_PIXELS = 100_000_000
# Memory decoding and hashing may take above the process's baseline, as budget.py predicts it from the
# header: with the interpreter, the imports and a 40 MB input the process stays under 1 GB.
DEFAULT_MAX_DECODE_BYTES = 768 * 1024 * 1024
# libvips' Lanczos reduce refuses a larger shrink of one axis to 32 pixels (sharp fails such images too).
MAX_SHRINK = 1_000_000
# Predicted seconds of decoding on the reference machine (budget.py): shapes libvips walks row by row
# (a one-pixel-wide image of 30 million rows) or resizes with huge kernels would take minutes. The model
# over-predicts every measured shape (docs/benchmarks.md, "Memory bound"); the limit leaves a third of the
# 3 s target besides, for the interpreter's start and a busy machine.
MAX_DECODE_SECONDS = 2.0
# Each progressive JPEG scan is a pass over every block, even at a scaled decode: a file of thousands
# of near-empty scans is a CPU bomb (2,000 scans of 64 MP took 72 s here). Scans x pixels is bounded
# so a decode stays near 2 s; encoders write about 10 scans, and any image may have 32.
PROGRESSIVE_SCAN_PIXELS = 2_000_000_000
MIN_PROGRESSIVE_SCANS = 32


@dataclass(frozen=True)
class Limits:
    """How large an image may be: bytes of file, pixels of one frame, memory its decoding may take."""

    max_bytes: int = DEFAULT_MAX_BYTES
    max_pixels: int = DEFAULT_MAX_PIXELS
    max_decode_bytes: int = DEFAULT_MAX_DECODE_BYTES

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

    def check_decoding(self, layout: Layout) -> None:
        """Refuse, before decoding, an image whose decoding would exceed the memory or time budget."""
        if (memory := layout.memory_bytes()) > self.max_decode_bytes:
            raise TooLarge(
                f"Decoding this image would take more than the limit of {self.max_decode_bytes // 2**20} MB.",
                detail=f"{layout.width}x{layout.height}: about {memory // 2**20} MB",
            )
        if (seconds := layout.seconds()) > MAX_DECODE_SECONDS or layout.max_shrink() > MAX_SHRINK:
            raise TooLarge(
                "The image's shape is too extreme to decode within the time limit.",
                detail=f"{layout.width}x{layout.height}: about {seconds:.1f} s",
            )


def max_progressive_scans(width: int, height: int) -> int:
    """How many scans a progressive JPEG of this size may have."""
    return max(MIN_PROGRESSIVE_SCANS, PROGRESSIVE_SCAN_PIXELS // max(1, width * height))


DEFAULT_LIMITS = Limits()
