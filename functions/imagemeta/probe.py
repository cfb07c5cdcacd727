"""Header-only open: format, size, density, ICC profile, alpha and orientation, as sharp reports them.

libvips reads every format sharp reads, with sharp's options, so these fields are sharp's by
construction. BMP and ICO, which sharp's libvips cannot read, are opened with Pillow.
"""
from __future__ import annotations

import io
import math
from collections.abc import Callable
from dataclasses import dataclass

import pyvips
from PIL import Image

from . import jpeg, libvips
from .budget import Layout, pillow_layout
from .containers import Walk
from .heif import HEAD_SIZE, decode_heif, heif_format
from .palette import palette_grey
from .sample import jpeg_shrink, shrink_on_load

# Pillow's names of the formats only Pillow reads here -> the contract's names.
PILLOW_FORMATS = {"BMP": "bmp", "ICO": "ico"}
# Pillow modes with an alpha band, premultiplied (a) or not (A); "transparency" in info is the other way.
ALPHA_MODES = {"RGBA", "RGBa", "LA", "La", "PA"}
_MM_PER_INCH = 25.4
_ROWS_PER_STRIP = 278
_TILE_LENGTH = 323


@dataclass(frozen=True)
class Probe:
    """What the header says, and how to get the pixels sharp's pipeline starts from."""

    format: str
    width: int
    height: int
    density: int | None
    has_profile: bool
    has_alpha: bool
    orientation: int
    layout: Layout
    pixels: Callable[[], pyvips.Image]
    vips: pyvips.Image | None = None  # libvips' header-only image (None for Pillow's formats)


def probe(data: bytes, structure: Walk) -> Probe:
    """Open without decoding pixels (`structure`: the container walk); raises libvips' or Pillow's errors for what they cannot read."""
    loader = libvips.find_loader(data)
    if loader is None:
        return _probe_pillow(data)
    image = libvips.load(data, loader)
    fmt = libvips.LOADER_FORMATS[loader]
    if fmt == "heif":
        fmt = heif_format(bytes(memoryview(data)[:HEAD_SIZE])) or "heif"
    profile = libvips.field(image, "icc-profile-data")
    if loader == libvips.HEIF_LOADER and libvips.field(image, "heif-compression") != "av1":
        pixels = lambda: decode_heif(data, profile)  # noqa: E731 - HEVC: libvips has no decoder
    elif fmt == "jpg" and image.interpretation in {"srgb", "b-w"}:  # CMYK stays with libvips
        factor, grey = jpeg_shrink(image.width, image.height), image.bands == 1
        pixels = lambda: libvips.with_profile(  # noqa: E731
            jpeg.scaled_pixels(jpeg.decoder_input(data, structure.segments), factor, grey), profile)
    else:
        decode = lambda: shrink_on_load(image, fmt, lambda **options: libvips.load(data, loader, **options))  # noqa: E731
        pixels = (lambda: palette_grey(data, fmt, image) or decode()) if libvips.field(image, "palette", 0) else decode
    return Probe(
        format=fmt,
        width=image.width,
        height=image.height,
        density=libvips.density(image),
        has_profile=libvips.has_profile(image),
        has_alpha=bool(image.hasalpha()),
        orientation=libvips.orientation(image),
        layout=Layout.of_vips(fmt, image, _tiff_strip_rows(data) if fmt == "tiff" else 0),
        pixels=pixels,
        vips=image,
    )


def _probe_pillow(data: bytes | bytearray | memoryview) -> Probe:
    image = Image.open(io.BytesIO(data), formats=list(PILLOW_FORMATS))
    width, height = image.size
    dpi = image.info.get("dpi")
    return Probe(
        format=PILLOW_FORMATS[image.format],
        width=width,
        height=height,
        density=_round_dpi(float(dpi[0])) if dpi else None,
        has_profile=bool(image.info.get("icc_profile")),
        has_alpha=has_alpha(image),
        orientation=0,
        layout=pillow_layout(PILLOW_FORMATS[image.format], width, height, len(image.getbands())),
        pixels=lambda: pillow_pixels(image),
    )


def _tiff_strip_rows(data: bytes | bytearray | memoryview) -> int:
    """The rows libtiff reads at once: a tiled TIFF's tile height or a stripped one's RowsPerStrip; 0 if unknown."""
    try:
        with Image.open(io.BytesIO(data), formats=["TIFF"]) as image:
            return int(image.tag_v2.get(_TILE_LENGTH) or image.tag_v2.get(_ROWS_PER_STRIP) or 0)
    except Exception:  # noqa: BLE001 - libvips reads what Pillow cannot; then the whole height is assumed
        return 0


def has_alpha(image: Image.Image) -> bool:
    """An alpha band or a transparency key (a palette's or a single colour's)."""
    return image.mode in ALPHA_MODES or "transparency" in image.info


def pillow_pixels(image: Image.Image) -> pyvips.Image:
    """Pillow's decoded frame as 8-bit sRGB or grey (with alpha when it has one) for libvips."""
    mode = ("RGBA" if has_alpha(image) else "RGB") if image.mode not in {"L", "LA"} else image.mode
    frame = image.convert(mode)
    vips = pyvips.Image.new_from_memory(frame.tobytes(), frame.width, frame.height, len(mode), "uchar")
    return vips.copy(interpretation="b-w" if mode in {"L", "LA"} else "srgb")


def _round_dpi(dpi: float) -> int | None:
    """libvips' rule: a density of 1 pixel/mm or less is no density; sharp rounds to whole DPI."""
    if not math.isfinite(dpi) or dpi / _MM_PER_INCH <= 1.0:
        return None
    return math.floor(dpi + 0.5)
