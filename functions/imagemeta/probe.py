"""Header-only open: format, size, density, ICC profile, alpha and orientation, as sharp reports them; and the
decode path that gives the pixels sharp's pipeline starts from.

libvips reads every format sharp reads, with sharp's options, so these fields are sharp's by
construction. BMP and ICO, which sharp's libvips cannot read, are opened with Pillow. Each format names the
decode paths tried before libvips' own (`ImageFormat.decoders`): here they are run.
"""
from __future__ import annotations

import io
import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import assert_never

import pyvips
from PIL import Image

from . import hevc, libvips, pillow_jpeg
from .budget import Layout, pillow_layout
from .formats import FORMATS, ImageFormat
from .formats.image_format import Decoder, HeaderFacts
from .formats.walking import Walk
from .palette import palette_grey
from .sample import sample_shrink

# The formats only Pillow reads here, by Pillow's name for each.
PILLOW_FORMATS = {image_format.pillow_name: image_format for image_format in FORMATS if image_format.loader is None}
# Pillow modes with an alpha band, premultiplied (a) or not (A); "transparency" in info is the other way.
ALPHA_MODES = {"RGBA", "RGBa", "LA", "La", "PA"}
_MM_PER_INCH = 25.4


@dataclass(frozen=True)
class Probe:
    """What the header says, and how to get the pixels sharp's pipeline starts from."""

    format: ImageFormat
    width: int
    height: int
    density: int | None
    has_profile: bool
    has_alpha: bool
    orientation: int
    layout: Layout
    pixels: Callable[[], pyvips.Image]
    facts: HeaderFacts | None = None  # what libvips' header says (None for Pillow's formats)


def probe(data: bytes, structure: Walk) -> Probe:
    """Open without decoding pixels (`structure`: the container walk); raises libvips' or Pillow's errors."""
    image_format = libvips.find_format(data)
    if image_format is None:
        return _probe_pillow(data)
    image = libvips.load(data, image_format)
    facts = libvips.header_facts(image)
    return Probe(
        format=image_format,
        width=image.width,
        height=image.height,
        density=libvips.density(image),
        has_profile=libvips.has_profile(image),
        has_alpha=facts.has_alpha,
        orientation=libvips.orientation(image),
        layout=Layout.of_facts(image_format, facts, data),
        pixels=partial(_pixels, data, structure, image_format, image),
        facts=facts,
    )


def _pixels(data: bytes, structure: Walk, image_format: ImageFormat, image: pyvips.Image) -> pyvips.Image:
    """The first of the format's decode paths that gives the pixels, else libvips' decode, shrunk on load as
    sharp asks."""
    for decoder in image_format.decoders:
        if (pixels := _decoded(decoder, data, structure, image_format, image)) is not None:
            return pixels
    options = image_format.shrink_on_load(sample_shrink(image.width, image.height)).options
    return libvips.load(data, image_format, **options) if options else image


def _decoded(decoder: Decoder, data: bytes, structure: Walk, image_format: ImageFormat,
             header: pyvips.Image) -> pyvips.Image | None:
    """One decode path's pixels, as libvips would give them; None where it hands the image back."""
    match decoder:
        case Decoder.PILLOW_JPEG:
            return pillow_jpeg.pixels(data, structure, header)
        case Decoder.PALETTE:
            return palette_grey(data, image_format, header)
        case Decoder.PILLOW_HEIF:
            return hevc.pixels(data, header)
        case Decoder.DAV1D:
            from . import avif  # numpy and cffi's libavif: only when an AVIF arrives

            return avif.pixels(data, header)
        case _:
            assert_never(decoder)


def _probe_pillow(data: bytes | bytearray | memoryview) -> Probe:
    image = Image.open(io.BytesIO(data), formats=list(PILLOW_FORMATS))
    image_format = PILLOW_FORMATS[str(image.format)]  # one of the formats asked for
    width, height = image.size
    dpi = image.info.get("dpi")
    return Probe(
        format=image_format,
        width=width,
        height=height,
        density=_round_dpi(float(dpi[0])) if dpi else None,
        has_profile=bool(image.info.get("icc_profile")),
        has_alpha=has_alpha(image),
        orientation=0,
        layout=pillow_layout(image_format.name, width, height, len(image.getbands())),
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
