"""Header-only open: format, size, density, ICC profile, alpha and orientation, as sharp reports them.

libvips reads every format sharp reads, with sharp's options, so these fields are sharp's by
construction. BMP and ICO, which sharp's libvips cannot read, are opened with Pillow.
"""
from __future__ import annotations

import io
import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import pyvips
from PIL import Image

from . import jpeg, libvips
from .budget import Layout, pillow_layout
from .containers import Walk
from .containers.tiff import tiff_strip_rows
from .heif import HEAD_SIZE, decode_heif, heif_format
from .palette import palette_grey
from .sample import jpeg_shrink, shrink_on_load

# Pillow's names of the formats only Pillow reads here -> the contract's names.
PILLOW_FORMATS = {"BMP": "bmp", "ICO": "ico"}
# Pillow modes with an alpha band, premultiplied (a) or not (A); "transparency" in info is the other way.
ALPHA_MODES = {"RGBA", "RGBa", "LA", "La", "PA"}
_MM_PER_INCH = 25.4


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
    """Open without decoding pixels (`structure`: the container walk); raises libvips' or Pillow's errors."""
    loader = libvips.find_loader(data)
    if loader is None:
        return _probe_pillow(data)
    image = libvips.load(data, loader)
    fmt = libvips.LOADER_FORMATS[loader]
    if fmt == "heif":
        fmt = heif_format(bytes(memoryview(data)[:HEAD_SIZE])) or "heif"
    profile = libvips.profile(image)
    pixels: Callable[[], pyvips.Image]
    if loader == libvips.HEIF_LOADER and libvips.field(image, "heif-compression") != "av1":
        pixels = partial(decode_heif, data, profile)  # HEVC: libvips has no decoder
    elif loader == libvips.HEIF_LOADER:
        pixels = partial(_avif_pixels, data, image, loader)
    elif fmt == "jpg" and image.interpretation in {"srgb", "b-w"}:  # CMYK stays with libvips
        pixels = partial(_jpeg_pixels, data, structure, image, profile)
    elif libvips.field(image, "palette", 0):
        pixels = partial(_palette_pixels, data, fmt, image, loader)
    else:
        pixels = partial(_libvips_pixels, data, fmt, image, loader)
    return Probe(
        format=fmt,
        width=image.width,
        height=image.height,
        density=libvips.density(image),
        has_profile=libvips.has_profile(image),
        has_alpha=bool(image.hasalpha()),
        orientation=libvips.orientation(image),
        layout=Layout.of_vips(fmt, image, tiff_strip_rows(data) if fmt == "tiff" else 0),
        pixels=pixels,
        vips=image,
    )


def _jpeg_pixels(data: bytes, structure: Walk, header: pyvips.Image, profile: bytes | None) -> pyvips.Image:
    """A JPEG's pixels at the DCT scale sharp's shrink-on-load picks, decoded by Pillow's libjpeg."""
    factor = jpeg_shrink(header.width, header.height)
    scaled = jpeg.scaled_pixels(jpeg.decoder_input(data, structure.segments), factor, header.bands == 1)
    return libvips.with_profile(scaled, profile)


def _libvips_pixels(data: bytes, fmt: str, header: pyvips.Image, loader: str) -> pyvips.Image:
    """The pixels libvips decodes, shrunk on load as sharp asks."""
    return shrink_on_load(header, fmt, lambda **options: libvips.load(data, loader, **options))


def _avif_pixels(data: bytes, header: pyvips.Image, loader: str) -> pyvips.Image:
    """AVIF's pixels from dav1d where libheif's conversion is reproduced exactly (avif.py), else libvips' decode."""
    from . import avif  # numpy and cffi's libavif: only when an AVIF arrives

    return avif.pixels(data, header) or _libvips_pixels(data, "avif", header, loader)


def _palette_pixels(data: bytes, fmt: str, header: pyvips.Image, loader: str) -> pyvips.Image:
    """A palette image's grey pixels straight from its indices where that is exact, else libvips' decode."""
    return palette_grey(data, fmt, header) or _libvips_pixels(data, fmt, header, loader)


def _probe_pillow(data: bytes | bytearray | memoryview) -> Probe:
    image = Image.open(io.BytesIO(data), formats=list(PILLOW_FORMATS))
    fmt = PILLOW_FORMATS[str(image.format)]  # one of the formats asked for
    width, height = image.size
    dpi = image.info.get("dpi")
    return Probe(
        format=fmt,
        width=width,
        height=height,
        density=_round_dpi(float(dpi[0])) if dpi else None,
        has_profile=bool(image.info.get("icc_profile")),
        has_alpha=has_alpha(image),
        orientation=0,
        layout=pillow_layout(fmt, width, height, len(image.getbands())),
        pixels=lambda: pillow_pixels(image),
    )


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
