"""Image bytes or a file in, the contract's metadata object out, decoding no more than needed."""
from __future__ import annotations

import io
import os
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO

import numpy as np
from PIL import Image, ImageCms

from .errors import ImageMetaError, NotAnImage, TooLarge
from .exif import parse_exif
from .limits import DEFAULT_LIMITS, Limits, max_progressive_scans
from .phash import SAMPLE_SIZE, image_hash
from .probe import Probe, exif_bytes, jpeg_scan_count, open_image
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
    if probe.format == "jpg" and probe.image.info.get("progressive"):
        allowed = max_progressive_scans(probe.width, probe.height)
        if (scans := jpeg_scan_count(fp)) > allowed:
            raise NotAnImage(detail=f"progressive JPEG with {scans} scans (at most {allowed} at this size)")
    grey, region, orientation = _decode_grey(probe)
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
        "pHash": image_hash(grey, region, _TRANSPOSE.get(orientation)),
        "exif": parse_exif(exif),
    }


def _decode_grey(probe: Probe) -> tuple[Image.Image, tuple[int, int, int, int], int]:
    """The first frame as sRGB grey (with its alpha), the region to hash, and the EXIF orientation.

    A JPEG is decoded at sharp's DCT scale. libvips keeps floor(size / scale) pixels of it, so the
    last, partial block's row and column (mostly encoder padding) are left out of the region.
    """
    image = probe.image
    region = (0, 0, probe.width, probe.height)
    if probe.format == "jpg" and (factor := jpeg_shrink(probe.width, probe.height)) > 1:
        # Pillow's draft picks the largest DCT scale that keeps at least this size: exactly `factor`.
        image.draft("RGB", (probe.width // factor, probe.height // factor))
        region = (0, 0, probe.width // factor, probe.height // factor)
    image.load()
    # HEIF decoders apply the container's rotation already; the EXIF orientation is then stale.
    orientation = 1 if probe.format in {"heic", "heif", "avif"} else image.getexif().get(_EXIF_ORIENTATION, 1)
    return _to_grey(image), region, orientation


def jpeg_shrink(width: int, height: int) -> int:
    """sharp's JPEG shrink-on-load for a 32x32 target (pipeline.cc, fastShrinkOnLoad).

    The largest of 8/4/2 <= min(w, h)/32, halved when the shrink is exactly that integer.
    """
    shrink = min(width, height) / SAMPLE_SIZE
    factor = next((f for f in (8, 4, 2) if shrink >= f), 1)
    if factor > 1 and int(shrink) == factor:
        factor //= 2
    return factor


def _to_grey(image: Image.Image) -> Image.Image:
    """sharp's greyscale: the embedded profile to sRGB (perceptual), then libvips' sRGB -> B_W.

    Returns mode L, or LA when the image has alpha (resized premultiplied, as sharp does). Works in
    strips of rows: every step is per pixel, so the result is the same, and a 100-megapixel image
    needs no full-size float or colour copies beside its decoded pixels.
    """
    has_alpha = image.mode in _ALPHA_MODES or "transparency" in image.info
    to_srgb = _srgb_transform(image)
    grey = Image.new("L", image.size)
    alpha = Image.new("L", image.size) if has_alpha else None
    rows = max(1, STRIP_PIXELS // image.width)
    for top in range(0, image.height, rows):
        strip = image.crop((0, top, image.width, min(top + rows, image.height)))
        if alpha is not None:
            strip = strip.convert("RGBA")  # also applies a palette's or a tRNS key's transparency
            alpha.paste(strip.getchannel("A"), (0, top))
        grey.paste(_strip_grey(strip, to_srgb), (0, top))
    return grey if alpha is None else Image.merge("LA", (grey, alpha))


def _strip_grey(strip: Image.Image, to_srgb: ImageCms.ImageCmsTransform | None) -> Image.Image:
    """One strip of rows as libvips' grey."""
    if strip.mode.startswith("I;16"):
        # 16-bit grey: libvips keeps the high byte (GREY16 -> B_W); Pillow's convert would clip at 255.
        strip = Image.fromarray((np.asarray(strip) >> 8).astype(np.uint8))
    if strip.mode not in _PROFILED_MODES:
        strip = strip.convert("RGB")
    if to_srgb is not None and strip.mode == to_srgb.input_mode:
        strip = ImageCms.applyTransform(strip, to_srgb)
    if strip.mode == "CMYK":
        strip = strip.convert("RGB")  # no usable profile: Pillow's plain CMYK -> RGB
    return strip if strip.mode == "L" else Image.fromarray(_srgb_grey(np.asarray(strip)))


def _srgb_transform(image: Image.Image) -> ImageCms.ImageCmsTransform | None:
    """The embedded ICC profile to sRGB (perceptual), built once per image; None without a usable one."""
    profile = image.info.get("icc_profile")
    if not profile:
        return None
    mode = image.mode if image.mode in _PROFILED_MODES else "RGB"
    try:
        return ImageCms.buildTransform(
            io.BytesIO(profile), _SRGB, mode, "RGB", renderingIntent=ImageCms.Intent.PERCEPTUAL
        )
    except ImageCms.PyCMSError:
        return None  # libvips warns "Invalid embedded profile" and goes on with the pixels as they are


def _srgb_grey(rgb: np.ndarray) -> np.ndarray:
    """libvips' sRGB -> B_W (colour.c): float luminance in linear light, back through an 8-bit table.

    The table lookup interpolates between the rounded 8-bit encodings of neighbouring levels,
    exactly as vips_col_scRGB2BW_8 does; an exact power curve differs by 1 on a sixth of pixels.
    """
    # In place and in float32 throughout (as libvips computes): temporaries and float64 would cost 4x.
    value = _LINEAR_R.take(rgb[..., 0])
    value += _LINEAR_G.take(rgb[..., 1])
    value += _LINEAR_B.take(rgb[..., 2])
    value *= np.float32(255)
    np.clip(value, 0, 255, out=value)
    index = value.astype(np.intp)
    value -= index  # the fraction between table entries
    value *= _ENCODE_STEP.take(index)
    value += _ENCODE.take(index)
    return np.rint(value).astype(np.uint8)


_ALPHA_MODES = {"RGBA", "LA", "PA"}
# Rows per strip of the grey conversion: about a megapixel, a few MB of temporaries.
STRIP_PIXELS = 1 << 20
# Modes whose pixels an embedded profile describes directly; others become RGB first.
_PROFILED_MODES = {"L", "RGB", "CMYK"}
_SRGB = ImageCms.createProfile("sRGB")
# libvips' 8-bit tables (float32, as in colour.c): sRGB level -> linear light, linear level -> sRGB.
_LEVELS = np.arange(256, dtype=np.float32) / np.float32(255)
_LINEAR = np.where(
    _LEVELS <= 0.04045, _LEVELS / np.float32(12.92), ((_LEVELS + 0.055) / 1.055) ** 2.4
).astype(np.float32)
_LINEAR_R, _LINEAR_G, _LINEAR_B = (_LINEAR * np.float32(weight) for weight in (0.2126, 0.7152, 0.0722))
_ENCODE = np.rint(
    255 * np.where(_LEVELS <= 0.0031308, 12.92 * _LEVELS, 1.055 * _LEVELS.astype(np.float64) ** (1 / 2.4) - 0.055)
).astype(np.float32)
_ENCODE_STEP = np.diff(_ENCODE, append=_ENCODE[-1])
