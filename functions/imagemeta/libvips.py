"""libvips through pyvips, opened as sharp 0.35 opens an input (same libvips 8.18): loader, options, header facts.

Which loader reads which format, and which of them read pages, is each format's (formats/).
"""
from __future__ import annotations

import math
from functools import partial

import pyvips

from .formats import HEAD_SIZE, ImageFormat, loaded_by
from .formats.image_format import HeaderFacts

# libvips' operation cache would keep decoded images (and the input buffer) alive between requests.
pyvips.cache_set_max(0)

# sharp's default `failOn: 'warning'`: a decoder warning (a truncated JPEG, a bad PNG CRC) fails the image.
_FAIL_ON = "warning"
_MM_PER_INCH = 25.4
_ICC = "icc-profile-data"
_ORIENTATION = "orientation"
# Bytes of one sample of each band format.
_SAMPLE_BYTES = {"uchar": 1, "char": 1, "ushort": 2, "short": 2, "uint": 4, "int": 4, "float": 4, "double": 8,
                 "complex": 8, "dpcomplex": 16}


def find_format(data: bytes | bytearray | memoryview) -> ImageFormat | None:
    """The format of these bytes by the loader libvips finds for them (sharp's), when it is one of ours; else None."""
    view = memoryview(data).cast("B")
    name = pyvips.vips_lib.vips_foreign_find_load_buffer(pyvips.ffi.from_buffer(view), len(view))
    if name == pyvips.ffi.NULL:
        return None
    return loaded_by(pyvips.ffi.string(name).decode(), bytes(view[:HEAD_SIZE]))


def load(data: bytes | bytearray | memoryview, image_format: ImageFormat, **options: object) -> pyvips.Image:
    """Open (header only until pixels are read) with sharp's options: sequential access, fail on warnings, and the
    first page of a paged format (common.cc, GetOptionsForImageType)."""
    options = {"access": "sequential", "fail_on": _FAIL_ON, **options}
    if image_format.paged:
        options = {"n": 1, "page": 0, **options}
    return pyvips.Operation.call(image_format.loader, memoryview(data).cast("B"), **options)


def header_facts(image: pyvips.Image) -> HeaderFacts:
    """The header's facts the formats' parts read (formats/image_format.py)."""
    return HeaderFacts(image.width, image.height, image.bands, _SAMPLE_BYTES.get(image.format, 8),
                       bool(image.hasalpha()), partial(field, image))


def density(image: pyvips.Image) -> int | None:
    """sharp's `density`: pixels/mm -> DPI rounded, only when above 1 pixel/mm (libvips' unset value)."""
    # C's round(), half away from zero (Python's round() is half to even).
    return math.floor(image.xres * _MM_PER_INCH + 0.5) if image.xres > 1.0 else None


def has_profile(image: pyvips.Image) -> bool:
    return image.get_typeof(_ICC) != 0


def orientation(image: pyvips.Image) -> int:
    """The EXIF orientation libvips read (1-8), 0 when none."""
    return image.get(_ORIENTATION) if image.get_typeof(_ORIENTATION) else 0


def field(image: pyvips.Image, name: str, default: object = None) -> object:
    """A header field, or `default` when libvips did not set it."""
    return image.get(name) if image.get_typeof(name) else default


def profile(image: pyvips.Image) -> bytes | None:
    """The embedded ICC profile's bytes, None when there is none."""
    return image.get(_ICC) if has_profile(image) else None


def with_profile(image: pyvips.Image, profile: bytes | None) -> pyvips.Image:
    """`image` carrying an ICC profile (decoded elsewhere, described by libvips' header), as a loader tags it."""
    if profile:
        image.set_type(pyvips.GValue.blob_type, _ICC, profile)
    return image
