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
import math
from dataclasses import dataclass, replace

import pyvips
from PIL import Image

from . import hevc, libvips
from .budget import Layout
from .embedded import extract_with_embedded
from .errors import ImageMetaError
from .formats.image_format import Decoder, ImageFormat
from .limits import DEFAULT_LIMITS, MAX_DECODE_SECONDS, Limits
from .probe import Probe, pillow_pixels

THUMBNAIL_SIDE = 200
MEDIA_TYPE = "image/webp"
# libwebp's quality; sharp's default is 80. 75 keeps a 200 x 150 photo near 6 KB.
WEBP_QUALITY = 75
_COLOUR = {"srgb", "b-w"}
_SIXTEEN_BIT = {"rgb16": "srgb", "grey16": "b-w"}


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


def extract_with_thumbnail(data: bytes, limits: Limits = DEFAULT_LIMITS,
                           make: bool = True) -> tuple[dict, dict, Thumbnail | NoThumbnail]:
    """The metadata object, embeddedMetadata and the thumbnail from one extraction (its errors are the extraction's);
    no thumbnail unless `make` (a deployment with Thumbnails=Off)."""
    if not make:
        return *extract_with_embedded(data, limits), NoThumbnail("this deployment makes no thumbnails")
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
            layout = _decode_layout(found, width, height)
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
    """Whether the pHash's pixels are the whole picture in colour, in memory, with at least `side` pixels: a
    JPEG's from Pillow's DCT-scaled decode, or a frame of a format only Pillow reads (a palette's grey, HEVC's
    32 x 32 and AV1's grey table are not the picture; libvips' decode streams, and cannot be read twice)."""
    decoded_whole = Decoder.PILLOW_JPEG in found.format.decoders or found.format.loader is None
    return (decoded_whole and pixels.interpretation in _COLOUR and not pixels.get_typeof("vips-sequential")
            and max(pixels.width, pixels.height) >= side)


def _load_scale(found: Probe, width: int, height: int) -> tuple[float, dict[str, float]]:
    """The format's shrink-on-load for the thumbnail (a JPEG's DCT scale, WebP's decoder scale): its factor
    and the loader's options, never decoding fewer pixels than the thumbnail has."""
    shrink = found.format.shrink_on_load(max(found.width, found.height) / max(width, height))
    return shrink.factor, dict(shrink.options)


def _decode_layout(found: Probe, width: int, height: int) -> Layout:
    """What decoding again costs: the pHash's decode, at the thumbnail's scale where the format shrinks on load."""
    factor, _ = _load_scale(found, width, height)
    layout = found.layout
    return replace(layout, loaded_width=math.ceil(layout.width / factor),
                   loaded_height=math.ceil(layout.height / factor))


def _decode(data: bytes, found: Probe, width: int, height: int) -> pyvips.Image:
    """The picture decoded again, in colour, at least the thumbnail's size where the format can shrink on load."""
    image_format: ImageFormat = found.format
    if image_format.loader is None or found.facts is None:  # BMP or ICO: Pillow's formats
        return pillow_pixels(Image.open(io.BytesIO(data), formats=[image_format.pillow_name]))
    if Decoder.PILLOW_HEIF in image_format.decoders and found.facts.field("heif-compression", None) != "av1":
        profile = found.facts.field("icc-profile-data", None)  # HEVC: libvips' wheel has no decoder for it
        return libvips.with_profile(hevc.heif_pixels(data), profile if isinstance(profile, bytes) else None)
    return libvips.load(data, image_format, **_load_scale(found, width, height)[1])


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
