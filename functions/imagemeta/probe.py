"""Header-only open: format, size, density, ICC profile, alpha and EXIF bytes, as sharp reports them."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import BinaryIO

from PIL import Image

from .heif import HEAD_SIZE, heif_format, open_heif

# Pillow format name -> the contract's name; also the allow-list passed to Image.open.
FORMATS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp", "TIFF": "tiff", "BMP": "bmp", "ICO": "ico"}
# Pillow's JPEG opener names a JPEG with a multi-picture index (phones' HDR gain maps, 3D cameras) "MPO";
# libvips reads it as the JPEG it is.
_NAMES = {**FORMATS, "MPO": "jpg"}
_ALPHA_MODES = {"RGBA", "RGBa", "LA", "La", "PA"}
_EXIF_PREFIX = b"Exif\x00\x00"
_MM_PER_INCH = 25.4
_EXIF_X_RESOLUTION = 0x011A
_EXIF_RESOLUTION_UNIT = 0x0128


@dataclass(frozen=True)
class Probe:
    """An opened image and what its header says."""

    image: Image.Image
    format: str
    width: int
    height: int
    density: int | None
    has_profile: bool
    has_alpha: bool


def open_image(fp: BinaryIO) -> Probe:
    """Open `fp` without decoding pixels; raises Pillow's errors for what it cannot read."""
    head = fp.read(HEAD_SIZE)
    fp.seek(0)
    fmt = heif_format(head)
    image = open_heif(fp, fmt) if fmt else Image.open(fp, formats=list(FORMATS))
    fmt = fmt or _NAMES[image.format]
    width, height = image.size
    return Probe(
        image=image,
        format=fmt,
        width=width,
        height=height,
        density=_density(image, fmt),
        has_profile=bool(image.info.get("icc_profile")),
        has_alpha=_has_alpha(image, fmt, fp),
    )


def jpeg_scan_count(fp: BinaryIO) -> int:
    """How many start-of-scan markers the file holds (an embedded thumbnail's count too).

    0xFF 0xDA never occurs inside entropy-coded data (a data 0xFF is stuffed as 0xFF 0x00), so a
    byte search is exact enough for a limit. Reads in chunks; leaves the position where it was.
    """
    start = fp.tell()
    fp.seek(0)
    count, previous = 0, b""
    while chunk := fp.read(1 << 20):
        window = previous + chunk
        count += window.count(b"\xff\xda")
        # A marker split across two chunks is counted in the next window, which starts with its 0xFF.
        previous = b"\xff" if window.endswith(b"\xff") else b""
    fp.seek(start)
    return count


def _round_dpi(dpi: float) -> int | None:
    """libvips' rule: a density of 1 pixel/mm or less is no density; sharp rounds to whole DPI."""
    if not math.isfinite(dpi) or dpi / _MM_PER_INCH <= 1.0:
        return None
    return math.floor(dpi + 0.5)


def _density(image: Image.Image, fmt: str) -> int | None:
    """The declared DPI; for JPEG the EXIF resolution wins over JFIF, as in libvips."""
    if fmt == "jpg":
        return _jpeg_density(image)
    dpi = image.info.get("dpi")
    return _round_dpi(float(dpi[0])) if dpi and fmt in {"png", "tiff", "bmp"} else None


def _jpeg_density(image: Image.Image) -> int | None:
    ifd0 = image.getexif()
    resolution = ifd0.get(_EXIF_X_RESOLUTION)
    if resolution is not None:
        unit = ifd0.get(_EXIF_RESOLUTION_UNIT, 2)
        return _round_dpi(float(resolution) * (2.54 if unit == 3 else 1.0))
    unit = image.info.get("jfif_unit")
    density = image.info.get("jfif_density")
    if unit in (1, 2) and density:
        return _round_dpi(density[0] * (2.54 if unit == 2 else 1.0))
    return None


def _has_alpha(image: Image.Image, fmt: str, fp: BinaryIO) -> bool:
    """An alpha channel or a transparency key; for GIF any frame's, as libvips scans them all."""
    if image.mode in _ALPHA_MODES or "transparency" in image.info:
        return True
    if fmt == "gif":
        fp.seek(0)
        return gif_has_transparency(fp)
    return False


def gif_has_transparency(fp: BinaryIO) -> bool:
    """Whether any Graphic Control Extension of a GIF sets the transparency flag (no decoding)."""
    screen = fp.read(13)
    if len(screen) < 13:
        return False
    if screen[10] & 0x80:
        fp.seek(3 << ((screen[10] & 7) + 1), 1)
    while True:
        introducer = fp.read(1)
        if introducer == b"!":
            label = fp.read(1)
            if label == b"\xf9":
                block = fp.read(5)
                if len(block) == 5 and block[1] & 1:
                    return True
                fp.seek(-5, 1)
        elif introducer == b",":
            descriptor = fp.read(9)
            if len(descriptor) < 9:
                return False
            if descriptor[8] & 0x80:
                fp.seek(3 << ((descriptor[8] & 7) + 1), 1)
            fp.read(1)  # LZW minimum code size
        else:
            return False
        if not _skip_sub_blocks(fp):
            return False


def _skip_sub_blocks(fp: BinaryIO) -> bool:
    """Skip data sub-blocks up to their terminator; False at end of file."""
    while True:
        length = fp.read(1)
        if not length:
            return False
        if length == b"\x00":
            return True
        fp.seek(length[0], 1)


def exif_bytes(image: Image.Image, fmt: str, fp: BinaryIO) -> bytes:
    """The EXIF block (TIFF header first) the container holds; b"" when none. After load for PNG."""
    if fmt == "tiff":
        fp.seek(0)
        return fp.read()
    data = image.info.get("exif") or b""
    return data[len(_EXIF_PREFIX):] if data.startswith(_EXIF_PREFIX) else data
