"""libvips through pyvips, opened as sharp 0.35 opens an input (same libvips 8.18): loader, options, header facts."""
from __future__ import annotations

import math

import pyvips

# libvips' operation cache would keep decoded images (and the input buffer) alive between requests.
pyvips.cache_set_max(0)

# The loader libvips picks from the bytes -> the contract's format (HEIF's name comes from its brand).
LOADER_FORMATS = {
    "VipsForeignLoadJpegBuffer": "jpg",
    "VipsForeignLoadPngBuffer": "png",
    "VipsForeignLoadNsgifBuffer": "gif",
    "VipsForeignLoadWebpBuffer": "webp",
    "VipsForeignLoadTiffBuffer": "tiff",
    "VipsForeignLoadHeifBuffer": "heif",
}
HEIF_LOADER = "VipsForeignLoadHeifBuffer"
# Loaders of several pages: sharp passes n=1, page=0 to them (common.cc, GetOptionsForImageType).
_PAGED = {"gif", "webp", "tiff", "heif"}
# sharp's default `failOn: 'warning'`: a decoder warning (a truncated JPEG, a bad PNG CRC) fails the image.
_FAIL_ON = "warning"
_MM_PER_INCH = 25.4
_ICC = "icc-profile-data"
_ORIENTATION = "orientation"


def find_loader(data: bytes | bytearray | memoryview) -> str | None:
    """The libvips loader class for these bytes, when it is one of ours; None otherwise."""
    view = memoryview(data).cast("B")
    name = pyvips.vips_lib.vips_foreign_find_load_buffer(pyvips.ffi.from_buffer(view), len(view))
    if name == pyvips.ffi.NULL:
        return None
    loader = pyvips.ffi.string(name).decode()
    return loader if loader in LOADER_FORMATS else None


def load(data: bytes | bytearray | memoryview, loader: str, **options: object) -> pyvips.Image:
    """Open (header only until pixels are read) with sharp's options: sequential access, fail on warnings."""
    options = {"access": "sequential", "fail_on": _FAIL_ON, **options}
    if LOADER_FORMATS[loader] in _PAGED:
        options = {"n": 1, "page": 0, **options}
    return pyvips.Operation.call(loader, memoryview(data).cast("B"), **options)


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
