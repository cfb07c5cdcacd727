"""What decoding an image will cost, predicted from its header before any pixel is decoded.

The pipeline streams (libvips' sequential access): each operation holds a few lines of its output,
so most memory grows with the width as loaded (after a JPEG's or WebP's shrink-on-load), the rows
in flight (up to 64), the bands and the sample depth, never with the height. Some decoders hold more:
a progressive JPEG keeps every DCT coefficient, an interlaced PNG its whole frame, a palette PNG or GIF
decoded to indices by Pillow those indices (three bytes a pixel, with the copy for libvips), GIF its canvas and
the previous one, libwebp buffers of the full width, libheif a whole picture, a TIFF one strip or
tile, Pillow (BMP, ICO) a whole frame and its converted copy. Time grows with the rows (libvips
walks them one by one) and the pixels, by a cost per pixel that depends on the path: 16-bit samples
and alpha (premultiplied in float) cost most. The coefficients are fitted on generated extreme shapes
(`make bench`, "Memory bound", prints predicted next to measured); docs/architecture.md explains the model.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import pyvips

from .libvips import field

# Whatever the shape: libvips' thread buffers, the 32x32 result, the header's blobs.
BASE_BYTES = 16 * 2**20
# Pipeline buffers: bytes per column of the loaded width, per row in flight, band and byte of sample.
LINE_BYTES = 30
ROWS_IN_FLIGHT = 64
EXTRA_ROWS = 2
# libwebp's decoder buffers per column of the full width (measured on lossless with alpha).
WEBP_COLUMN_BYTES = 8192
# Seconds per row, per band and byte of sample (libvips' per-line overhead).
ROW_SECONDS = 3e-7
# Seconds per pixel of the image, by (has alpha, 16-bit); per-format decoders add their own.
PIXEL_SECONDS = {(False, False): 1.2e-8, (False, True): 3e-8, (True, False): 3e-8, (True, True): 5.5e-8}
DECODER_PIXEL_SECONDS = {"jpg": 2e-9, "webp": 5e-9, "gif": 1.5e-8, "heic": 2e-8, "heif": 2e-8, "avif": 2e-8}
INTERLACED_PIXEL_SECONDS = 2.5e-8
PILLOW_PIXEL_SECONDS = 1.5e-8
# A palette image decoded to indices by Pillow: its frame, the pieces of its copy and the joined copy.
PALETTE_INDEX_BYTES = 3
PROGRESSIVE_PIXEL_SECONDS = 7e-9
_CHROMA = {"4:2:0": 1.5, "4:2:2": 2.0, "4:4:4": 3.0}
_SAMPLE_BYTES = {"uchar": 1, "char": 1, "ushort": 2, "short": 2, "uint": 4, "int": 4, "float": 4, "double": 8,
                 "complex": 8, "dpcomplex": 16}


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
    def of_vips(cls, fmt: str, image: pyvips.Image, strip_rows: int = 0) -> Layout:
        """From libvips' header of an image opened with sharp's options (`strip_rows`: a TIFF's strip height)."""
        width, height, bands = image.width, image.height, image.bands
        sample = _SAMPLE_BYTES.get(image.format, 8)
        frame, loaded_width, loaded_height, seconds = 0, width, height, DECODER_PIXEL_SECONDS.get(fmt, 0.0)
        if fmt == "jpg":
            from .sample import jpeg_shrink  # the shrink decides the decoded size

            shrink = jpeg_shrink(width, height)
            loaded_width, loaded_height = -(-width // shrink), -(-height // shrink)
            if field(image, "jpeg-multiscan", 0):
                chroma = _CHROMA.get(str(field(image, "jpeg-chroma-subsample", "")), 3.0) if bands > 1 else 1.0
                frame = int(width * height * chroma * 2)  # every coefficient, 16 bits
                seconds += PROGRESSIVE_PIXEL_SECONDS
        elif fmt == "png":
            if field(image, "interlaced", 0):
                frame = width * height * bands * sample
                seconds += INTERLACED_PIXEL_SECONDS
            if field(image, "palette", 0):  # Pillow's indices, and its copy made in pieces then joined (palette.py)
                frame = max(frame, width * height * PALETTE_INDEX_BYTES)
        elif fmt == "gif":
            frame = width * height * 4 * 2
        elif fmt == "webp":
            scale = max(1.0, min(width, height) / 32)
            loaded_width, loaded_height = math.ceil(width / scale), math.ceil(height / scale)
            frame = width * WEBP_COLUMN_BYTES + loaded_width * loaded_height * 4
        elif fmt in {"heic", "heif", "avif"}:
            frame = width * height * 4 * 2  # the decoded picture and its YCbCr planes
            if fmt == "avif":
                from .avif import FIXED_BYTES  # dav1d's path: numpy and a grey table (avif.py)

                frame += FIXED_BYTES
        elif fmt == "tiff":
            frame = width * min(height, strip_rows or height) * bands * sample
        return cls(fmt, width, height, bands, sample, bool(image.hasalpha()), loaded_width, loaded_height, frame,
                   seconds)

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

