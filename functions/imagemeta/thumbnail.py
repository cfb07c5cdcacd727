"""Thumbnails: each image as a small WebP (the longest side 200 pixels), as it is displayed.

The extraction decodes a JPEG at a DCT scale for its pHash (a 12 MP photo at 1/8: 504 x 378, in colour, in
memory); the thumbnail is made from those pixels when they are large enough, for the cost of a resize and an
encode (about 7 ms against 48 ms for a decode of its own). Other formats are decoded again, at the scale the
thumbnail needs (WebP's decoder scale, a JPEG's DCT scale) or whole: libvips streams the pHash's decode, so it
cannot be read twice. A thumbnail comes after the extraction and never fails it: an image the extraction
refused gets none, and so does one whose second decode would take the extraction past the decoding budget's
time limit (MAX_DECODE_SECONDS for both together), or that fails to decode again; the reason is reported.

The picture: the embedded profile (or CMYK) converted to sRGB, 8 bits, the alpha kept (resized premultiplied),
Lanczos3, the EXIF orientation applied; no metadata in the file.
"""
from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass, replace

import pyvips
from PIL import Image

from . import libvips
from .budget import Layout
from .embedded import extract_with_embedded
from .errors import ImageMetaError
from .heif import heif_pixels
from .limits import DEFAULT_LIMITS, MAX_DECODE_SECONDS, Limits
from .probe import PILLOW_FORMATS, Probe, pillow_pixels

THUMBNAIL_SIDE = 200
MEDIA_TYPE = "image/webp"
# libwebp's quality; sharp's default is 80. 75 keeps a 200 x 150 photo near 6 KB.
WEBP_QUALITY = 75
# The formats whose pHash pixels are the picture, in colour and in memory (Pillow's decodes), at any scale.
_DECODED_IN_MEMORY = {"jpg", "bmp", "ico"}
_COLOUR = {"srgb", "b-w"}
_SIXTEEN_BIT = {"rgb16": "srgb", "grey16": "b-w"}
# A JPEG's DCT scales, largest first: the decoder's own shrink-on-load.
_JPEG_SCALES = (8, 4, 2)


@dataclass(frozen=True)
class Thumbnail:
    """A WebP of the picture: width and height as displayed (after the EXIF orientation)."""

    webp: bytes
    width: int
    height: int


@dataclass(frozen=True)
class NoThumbnail:
    """Why an image got no thumbnail (the extraction's metadata stands)."""

    reason: str


def extract_with_thumbnail(data: bytes, limits: Limits = DEFAULT_LIMITS) -> tuple[dict, dict, Thumbnail | NoThumbnail]:
    """The metadata object, embeddedMetadata and the thumbnail from one extraction (its errors are the extraction's)."""
    seen: list[tuple[Probe, pyvips.Image]] = []
    metadata, embedded = extract_with_embedded(data, limits, decoded=lambda found, pixels: seen.append((found, pixels)))
    if not seen:
        return metadata, embedded, NoThumbnail("the extraction decoded no pixels")
    found, pixels = seen[0]
    return metadata, embedded, thumbnail(data, found, pixels, limits)


def thumbnail(data: bytes, found: Probe, pixels: pyvips.Image,
              limits: Limits = DEFAULT_LIMITS) -> Thumbnail | NoThumbnail:
    """The thumbnail of an image the extraction read (`found`, and the `pixels` its pHash was computed from)."""
    width, height = thumbnail_size(found.width, found.height)
    try:
        if not _reusable(found, pixels, max(width, height)):
            layout = _decode_layout(found.layout, width, height)
            if (seconds := found.layout.seconds() + layout.seconds()) > MAX_DECODE_SECONDS:
                return NoThumbnail(f"a second decode would take the extraction to about {seconds:.1f} s")
            limits.check_decoding(layout)
            pixels = _decode(data, found, width, height)
        return _encode(pixels, found, width, height)
    except ImageMetaError as error:
        return NoThumbnail(error.message)
    except Exception as error:  # noqa: BLE001 - a decoder failing on bytes it read once is no reason to fail the file
        return NoThumbnail(f"{type(error).__name__}: {error}")


def thumbnail_size(width: int, height: int) -> tuple[int, int]:
    """The thumbnail's size as stored (before the orientation): the longest side THUMBNAIL_SIDE, never enlarged."""
    longest = max(width, height)
    side = min(THUMBNAIL_SIDE, longest)
    return max(1, round(width * side / longest)), max(1, round(height * side / longest))


def _reusable(found: Probe, pixels: pyvips.Image, side: int) -> bool:
    """Whether the pHash's pixels are the whole picture in colour, in memory, with at least `side` pixels."""
    return (found.format in _DECODED_IN_MEMORY and pixels.interpretation in _COLOUR
            and not pixels.get_typeof("vips-sequential") and max(pixels.width, pixels.height) >= side)


def _jpeg_scale(width: int, height: int, side: int) -> int:
    """The largest DCT scale whose decode keeps at least `side` pixels on the longest side."""
    return next((scale for scale in _JPEG_SCALES if max(width, height) // scale >= side), 1)


def _decode_layout(layout: Layout, width: int, height: int) -> Layout:
    """What decoding again costs: the pHash's decode, at the thumbnail's scale where the format shrinks on load."""
    if layout.format == "jpg":
        scale = _jpeg_scale(layout.width, layout.height, max(width, height))
        return replace(layout, loaded_width=-(-layout.width // scale), loaded_height=-(-layout.height // scale))
    if layout.format == "webp":
        return replace(layout, loaded_width=width, loaded_height=height)
    return layout


def _decode(data: bytes, found: Probe, width: int, height: int) -> pyvips.Image:
    """The picture decoded again, in colour, at least the thumbnail's size where the format can shrink on load."""
    if found.vips is None:  # BMP or ICO: Pillow's formats
        return pillow_pixels(Image.open(io.BytesIO(data), formats=list(PILLOW_FORMATS)))
    loader = libvips.find_loader(data)
    if loader is None:
        raise ValueError("libvips no longer recognises the file")
    if loader == libvips.HEIF_LOADER and libvips.field(found.vips, "heif-compression") != "av1":
        return libvips.with_profile(heif_pixels(data), libvips.profile(found.vips))  # HEVC: pillow-heif
    if found.format == "jpg":
        scale = _jpeg_scale(found.width, found.height, max(width, height))
        return libvips.load(data, loader, shrink=scale) if scale > 1 else libvips.load(data, loader)
    if found.format == "webp" and width < found.width:
        return libvips.load(data, loader, scale=width / found.width)
    return libvips.load(data, loader)


def _encode(image: pyvips.Image, found: Probe, width: int, height: int) -> Thumbnail:
    """`image` (any scale of the picture as stored) resized to width x height, to sRGB, oriented, as WebP.

    The resize comes first, premultiplied in the sample format as sharp does it: the profile's transform and the
    alpha's arithmetic then cost the thumbnail's pixels, not the picture's (an 8.5 MP HEIC: 406 -> 233 ms added).
    """
    if image.hasalpha() and not found.has_alpha:  # libvips gives every GIF an alpha band; an opaque one is none
        image = image.extract_band(0, n=image.bands - 1)
    if (image.width, image.height) != (width, height):
        band_format, premultiplied = image.format, image.hasalpha()
        if premultiplied:
            image = image.premultiply().cast(band_format)
        image = image.resize(width / image.width, vscale=height / image.height, kernel="lanczos3")
        if premultiplied:
            image = image.unpremultiply().cast(band_format)
    image = _srgb(image).cast("uchar")
    if found.orientation > 1:
        image = image.copy()
        image.set_type(pyvips.GValue.gint_type, "orientation", found.orientation)
        image = image.autorot()
    webp = image.webpsave_buffer(Q=WEBP_QUALITY, keep="none")  # no metadata: it is in the record
    return Thumbnail(webp, image.width, image.height)


def _srgb(image: pyvips.Image) -> pyvips.Image:
    """8-bit sRGB (or grey): the embedded profile applied (perceptual; an unusable one ignored), CMYK through
    libvips' CMYK profile, 16-bit samples reduced."""
    if libvips.has_profile(image) and image.interpretation != "labs":
        with contextlib.suppress(pyvips.Error):  # an invalid profile: the pixels as they are, as sharp goes on
            image = image.icc_transform("srgb", embedded=True, intent="perceptual", depth=8)
    elif image.interpretation == "cmyk":
        image = image.icc_transform("srgb", input_profile="cmyk", intent="perceptual", depth=8)
    if image.interpretation in _SIXTEEN_BIT:
        image = image.colourspace(_SIXTEEN_BIT[image.interpretation])
    return image
