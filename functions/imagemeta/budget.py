"""What decoding an image will cost, predicted from its header before any pixel is decoded.

The pipeline streams (libvips' sequential access), so most of its memory is a few lines of each
intermediate: it grows with the width as loaded, the bands and the bit depth, not the height. Some
decoders hold more: a progressive JPEG keeps every DCT coefficient, an interlaced PNG, a GIF or
WebP canvas, a HEVC picture and Pillow's formats keep a whole frame. The resize's Lanczos kernels
grow with the shrink of each axis, and the time with the rows, the pixels and the frames. The
coefficients are measured (`make bench`, section "Memory bound"); docs/architecture.md explains them.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import pyvips
from PIL import Image

# Bytes of pipeline buffers per column of the loaded width, per band and byte of sample depth.
LINE_BYTES = 240
# Bytes of Lanczos kernel tables per unit of shrink (reduceh/reducev: 256 phases x 6 taps x 8 bytes).
KERNEL_BYTES = 2 * 256 * 6 * 8
# Seconds of work on this project's reference machine: per row, per pixel-band-byte, per frame scanned.
ROW_SECONDS = 0.25e-6
SAMPLE_SECONDS = 4e-9
FRAME_SECONDS = 20e-6
_SAMPLE_BYTES = {"uchar": 1, "char": 1, "ushort": 2, "short": 2, "uint": 4, "int": 4, "float": 4, "double": 8,
                 "complex": 8, "dpcomplex": 16}
_PILLOW_BANDS = {"1": 1, "L": 1, "P": 1, "LA": 2, "PA": 2, "La": 2, "RGB": 3, "RGBA": 4, "RGBa": 4, "CMYK": 4,
                 "I;16": 2, "I": 4, "F": 4}


@dataclass(frozen=True)
class Layout:
    """The header facts decoding costs depend on."""

    width: int
    height: int
    bands: int
    sample_bytes: int
    frames: int = 1
    loaded_width: int = 0  # after shrink-on-load; 0: the width
    frame_bytes: int = 0  # what the decoder holds beside the streamed lines

    @classmethod
    def of_vips(cls, fmt: str, image: pyvips.Image) -> Layout:
        """From libvips' header of an image opened with sharp's options."""
        width, height, bands = image.width, image.height, image.bands
        sample = _SAMPLE_BYTES.get(image.format, 8)
        frames = _int_field(image, "n-pages", 1)
        frame_bytes, loaded_width = 0, width
        if fmt == "jpg":
            from .sample import jpeg_shrink  # the shrink decides the decoded width

            loaded_width = -(-width // jpeg_shrink(width, height))
            if _int_field(image, "jpeg-multiscan", 0):
                frame_bytes = width * height * bands * 2  # every component's coefficients, int16
        elif fmt == "png" and _int_field(image, "interlaced", 0):
            frame_bytes = width * height * bands * sample
        elif fmt == "gif":
            frame_bytes = width * height * 4 * 2  # the RGBA canvas and the previous frame
        elif fmt == "webp":
            scaled = max(1.0, min(width, height) / 32)
            loaded_width = math.ceil(width / scaled)
            frame_bytes = loaded_width * math.ceil(height / scaled) * 4
        elif fmt in {"heic", "heif", "avif"}:
            frame_bytes = width * height * 4 * 2  # the decoded picture and its YCbCr planes
        return cls(width, height, bands, sample, frames, loaded_width, frame_bytes)

    @classmethod
    def of_pillow(cls, image: Image.Image) -> Layout:
        """From Pillow's header: Pillow decodes a whole frame, then a converted copy goes to libvips."""
        bands = _PILLOW_BANDS.get(image.mode, 4)
        frame = image.width * image.height
        return cls(image.width, image.height, bands, 1, 1, image.width, frame * (bands + 4))

    def memory_bytes(self) -> int:
        """Predicted peak memory of decoding and hashing, above the process's baseline."""
        width = self.loaded_width or self.width
        lines = width * self.bands * self.sample_bytes * LINE_BYTES
        kernels = (self.width + self.height) / 32 * KERNEL_BYTES
        return int(self.frame_bytes + lines + kernels)

    def seconds(self) -> float:
        """Predicted time of decoding and hashing on the reference machine."""
        samples = self.width * self.height * self.bands * self.sample_bytes
        return self.height * ROW_SECONDS + samples * SAMPLE_SECONDS + self.frames * FRAME_SECONDS

    def max_shrink(self) -> float:
        return max(self.width, self.height) / 32


def _int_field(image: pyvips.Image, name: str, default: int) -> int:
    return int(image.get(name)) if image.get_typeof(name) else default
