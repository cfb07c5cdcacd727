"""Image bytes or a file in, the contract's metadata object out, decoding no more than needed."""
from __future__ import annotations

import io
import os
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO

import numpy as np
from PIL import Image

from .errors import ImageMetaError, NotAnImage, TooLarge
from .exif import parse_exif
from .limits import DEFAULT_LIMITS, Limits
from .phash import SAMPLE_SIZE, image_hash
from .probe import Probe, exif_bytes, open_image
from .quality import jpeg_quality

Source = bytes | bytearray | memoryview | str | os.PathLike
_EXIF_ORIENTATION = 0x0112
_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


class MemoryReader(io.RawIOBase):
    """A seekable read-only file over a buffer, without copying it."""

    def __init__(self, data: bytes | bytearray | memoryview):
        self._view = memoryview(data).cast("B")
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: len(self._view)}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def read(self, size: int = -1) -> bytes:
        end = len(self._view) if size is None or size < 0 else min(self._pos + size, len(self._view))
        chunk = bytes(self._view[self._pos : end])
        self._pos = max(self._pos, end)
        return chunk

    def close(self) -> None:
        """Release the buffer so a bytearray can be resized again."""
        self._view.release()
        super().close()

    def readinto(self, buffer: bytearray | memoryview) -> int:
        chunk = self.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


@contextmanager
def _open_source(source: Source, limits: Limits) -> Iterator[tuple[BinaryIO, int]]:
    """A file object over `source` and its size in bytes, refused over the byte limit first."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        size = memoryview(source).nbytes
        limits.check_bytes(size)
        with MemoryReader(source) as reader:
            yield reader, size  # type: ignore[misc]
        return
    with open(source, "rb") as file:
        size = os.fstat(file.fileno()).st_size
        limits.check_bytes(size)
        yield file, size


@contextmanager
def _pillow_guard(limits: Limits) -> Iterator[None]:
    """Pillow's decompression-bomb check at our pixel limit, its warning raised as an error."""
    previous = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = limits.max_pixels
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            yield
    finally:
        Image.MAX_IMAGE_PIXELS = previous


def extract(source: Source, limits: Limits = DEFAULT_LIMITS) -> dict:
    """The contract's metadata object for an image given as bytes or as a file path."""
    with _open_source(source, limits) as (fp, size), _pillow_guard(limits):
        try:
            return _extract(fp, size, limits)
        except ImageMetaError:
            raise
        except (Image.DecompressionBombWarning, Image.DecompressionBombError) as error:
            raise TooLarge(f"The image is larger than the limit of {limits.max_pixels} pixels.",
                           detail=str(error)) from None
        except Exception as error:  # noqa: BLE001 - decoders raise anything on hostile bytes; bad input is a 400
            raise NotAnImage(detail=f"{type(error).__name__}: {error}") from None


def _extract(fp: BinaryIO, size: int, limits: Limits) -> dict:
    probe = open_image(fp)
    limits.check_pixels(probe.width, probe.height)
    grey, orientation = _decode_grey(probe)
    exif = exif_bytes(probe.image, probe.format, fp)
    return {
        "height": probe.height,
        "width": probe.width,
        "size": size,
        "format": probe.format,
        "hasColorProfile": probe.has_profile,
        "quality": jpeg_quality(probe.image.quantization) if probe.format == "jpg" else 0,
        "density": probe.density,
        "hasTransparency": probe.has_alpha,
        "pHash": image_hash(grey.transpose(_TRANSPOSE[orientation]) if orientation in _TRANSPOSE else grey),
        "exif": parse_exif(exif),
    }


def _decode_grey(probe: Probe) -> tuple[Image.Image, int]:
    """The first frame as 8-bit grey (JPEG at the DCT scale sharp would use) and its EXIF orientation."""
    image = probe.image
    if probe.format == "jpg" and (factor := jpeg_shrink(probe.width, probe.height)) > 1:
        # Pillow's draft picks the largest DCT scale that keeps at least this size: exactly `factor`.
        image.draft("RGB", (probe.width // factor, probe.height // factor))
    image.load()
    # HEIF decoders apply the container's rotation already; the EXIF orientation is then stale.
    orientation = 1 if probe.format in {"heic", "heif", "avif"} else image.getexif().get(_EXIF_ORIENTATION, 1)
    return _to_grey(image), orientation


def jpeg_shrink(width: int, height: int) -> int:
    """The DCT scale-down for a 32x32 target: one step less than sharp's shrink-on-load.

    sharp 0.35 (pipeline.cc) takes the largest of 8/4/2 <= min(w, h)/32, halved when the shrink is
    exactly that integer. Its mozjpeg's scaled IDCT differs from Pillow's libjpeg-turbo, so one step
    larger lands nearer sharp-phash on the corpus (fewer hashes more than 2 bits off).
    """
    shrink = min(width, height) / SAMPLE_SIZE
    factor = next((f for f in (8, 4, 2) if shrink >= f), 1)
    if factor > 1 and int(shrink) == factor:
        factor //= 2
    return max(1, factor // 2)


def _to_grey(image: Image.Image) -> Image.Image:
    """libvips' sRGB -> B_W: luminance in linear light, encoded back with the sRGB curve."""
    rgb = np.asarray(image.convert("RGB"))
    luminance = _SRGB_TO_LINEAR[rgb[..., 0]] + _SRGB_TO_LINEAR_G[rgb[..., 1]] + _SRGB_TO_LINEAR_B[rgb[..., 2]]
    return Image.fromarray(_LINEAR_TO_SRGB[np.rint(luminance).astype(np.int32)])


# Lookup tables instead of float powers per pixel: weighted linear light in 1/65535 steps, and back.
_LEVELS = np.arange(256) / 255
_LINEAR = np.where(_LEVELS <= 0.04045, _LEVELS / 12.92, ((_LEVELS + 0.055) / 1.055) ** 2.4) * 65535
_SRGB_TO_LINEAR, _SRGB_TO_LINEAR_G, _SRGB_TO_LINEAR_B = (_LINEAR * w for w in (0.2126, 0.7152, 0.0722))
_STEPS = np.arange(65536) / 65535
_LINEAR_TO_SRGB = np.rint(
    255 * np.where(_STEPS <= 0.0031308, _STEPS * 12.92, 1.055 * _STEPS ** (1 / 2.4) - 0.055)
).astype(np.uint8)
