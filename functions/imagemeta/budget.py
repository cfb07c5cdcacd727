"""What decoding an image will cost, predicted from its header before any pixel is decoded.

The pipeline streams (libvips' sequential access): each operation holds a few lines of its output,
so most memory grows with the width as loaded (after a format's shrink-on-load), the rows in flight
(up to 64), the bands and the sample depth, never with the height. Time grows with the rows (libvips
walks them one by one) and the pixels, by a cost per pixel that depends on the path: 16-bit samples
and alpha (premultiplied in float) cost most. Each format's decoder adds what it holds and spends
(`ImageFormat.decoding_cost`, in formats/: a progressive JPEG's coefficients, an interlaced PNG's frame,
GIF's canvases, libwebp's columns, libheif's picture, a TIFF's strip); Pillow (BMP, ICO) holds a whole
frame and its converted copy. The coefficients are fitted on generated extreme shapes (`make bench`,
"Memory bound", prints predicted next to measured); docs/architecture.md explains the model.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from .formats import ImageFormat
from .formats.image_format import HeaderFacts
from .sample import sample_shrink

# Whatever the shape: libvips' thread buffers, the 32x32 result, the header's blobs.
BASE_BYTES = 16 * 2**20
# Pipeline buffers: bytes per column of the loaded width, per row in flight, band and byte of sample.
LINE_BYTES = 30
ROWS_IN_FLIGHT = 64
EXTRA_ROWS = 2
# Seconds per row, per band and byte of sample (libvips' per-line overhead).
ROW_SECONDS = 3e-7
# Seconds per pixel of the image, by (has alpha, 16-bit); each format's decoder adds its own.
PIXEL_SECONDS = {(False, False): 1.2e-8, (False, True): 3e-8, (True, False): 3e-8, (True, True): 5.5e-8}
PILLOW_PIXEL_SECONDS = 1.5e-8


@dataclass(frozen=True)
class Layout:
    """The header facts decoding costs depend on."""

    format: str
    width: int
    height: int
    bands: int
    sample_bytes: int = 1
    has_alpha: bool = False
    loaded_width: int = 0  # after shrink-on-load; 0: the width
    loaded_height: int = 0  # after shrink-on-load; 0: the height
    frame_bytes: int = 0  # what the decoder holds beside the streamed lines
    decoder_seconds: float = 0.0  # per pixel, beside the pipeline's

    @classmethod
    def of_facts(cls, image_format: ImageFormat, facts: HeaderFacts, data: bytes) -> Layout:
        """From libvips' header of an image opened with sharp's options, and the format's decoder."""
        width, height = facts.width, facts.height
        shrink = image_format.shrink_on_load(sample_shrink(width, height)).factor
        loaded_width, loaded_height = math.ceil(width / shrink), math.ceil(height / shrink)
        cost = image_format.decoding_cost(facts, data)
        frame = cost.frame_bytes + loaded_width * loaded_height * cost.loaded_pixel_bytes
        return cls(image_format.name, width, height, facts.bands, facts.sample_bytes, facts.has_alpha,
                   loaded_width, loaded_height, frame, cost.pixel_seconds)

    def memory_bytes(self) -> int:
        """Predicted peak memory of decoding and hashing, above the process's baseline."""
        rows = EXTRA_ROWS + min(self.loaded_height or self.height, ROWS_IN_FLIGHT)
        lines = (self.loaded_width or self.width) * rows * self.bands * self.sample_bytes * LINE_BYTES
        return BASE_BYTES + self.frame_bytes + lines

    def seconds(self) -> float:
        """Predicted time of decoding and hashing on the reference machine (docs/benchmarks.md)."""
        width, height = self.loaded_width or self.width, self.loaded_height or self.height
        rows = height * ROW_SECONDS * self.bands * self.sample_bytes
        pipeline = width * height * PIXEL_SECONDS[(self.has_alpha, self.sample_bytes > 1)]
        return rows + pipeline + self.width * self.height * self.decoder_seconds

    def max_shrink(self) -> float:
        """The larger of the two axes' shrink to 32 pixels."""
        return max(self.width, self.height) / 32


def pillow_layout(fmt: str, width: int, height: int, bands: int) -> Layout:
    """Pillow decodes a whole frame (`bands` deep), then a converted 8-bit copy goes to libvips."""
    return Layout(fmt, width, height, min(bands, 4), 1, bands in (2, 4), frame_bytes=width * height * (bands + 4),
                  decoder_seconds=PILLOW_PIXEL_SECONDS)

