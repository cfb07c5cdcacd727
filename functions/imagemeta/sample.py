"""sharp-phash's 32x32 grey sample, made by sharp 0.35's own pipeline steps on the same libvips 8.18.

sharp-phash runs `sharp(input).greyscale().resize(32, 32, {fit: 'fill'}).rotate().raw()`; pipeline.cc
does, in this order: shrink-on-load (a JPEG's DCT scale, WebP's decoder scale), the embedded profile
to sRGB (perceptual), B_W, premultiply when there is alpha, a Lanczos3 resize of each axis to 32, the
EXIF orientation, unpremultiply, 8-bit, the first band. The same operations on the same libvips give
the same bytes; every step streams, so no full-size image is ever held.
"""
from __future__ import annotations

import pyvips

SAMPLE_SIZE = 32
# EXIF orientation -> (rotation, mirror left-right), pipeline.cc CalculateExifRotationAndFlop.
_ORIENT = {2: (None, True), 3: ("d180", False), 4: ("d180", True), 5: ("d90", True), 6: ("d90", False),
           7: ("d270", True), 8: ("d270", False)}
_SIXTEEN_BIT = {"rgb16", "grey16"}


def shrinks(width: int, height: int) -> tuple[float, float]:
    """sharp's ResolveShrink for a 32x32 `fill`: each axis on its own, never below one pixel."""
    return min(width / SAMPLE_SIZE, width), min(height / SAMPLE_SIZE, height)


def sample_shrink(width: int, height: int) -> float:
    """The shrink a format's shrink-on-load starts from: the smaller axis' (pipeline.cc; formats/ say how)."""
    return min(shrinks(width, height))


def grey_sample(image: pyvips.Image, orientation: int) -> bytes:
    """The 32x32 grey bytes sharp-phash reads, row by row, from an image as loaded."""
    hshrink, vshrink = shrinks(image.width, image.height)
    image = to_grey(_to_srgb(image))
    resize = hshrink != 1.0 or vshrink != 1.0
    band_format = image.format
    premultiply = image.hasalpha() and resize
    if premultiply:
        image = image.premultiply().cast(band_format)
    if resize:
        image = image.resize(1.0 / hshrink, vscale=1.0 / vshrink, kernel="lanczos3")
    rotation, mirror = _ORIENT.get(orientation, (None, False))
    if rotation:
        image = image.rot(rotation)
    if mirror:
        image = image.flip("horizontal")
    if premultiply:
        image = image.unpremultiply().cast(band_format)
    if image.interpretation in _SIXTEEN_BIT:
        image = image.cast("ushort")
    if image.interpretation != "srgb":
        image = image.colourspace("srgb", source_space=image.interpretation)
    return bytes(image[0].cast("uchar").write_to_memory())


def to_grey(image: pyvips.Image) -> pyvips.Image:
    """sharp's `colourspace(B_W)`, with an 8-bit sRGB image's alpha set aside.

    libvips converts RGBA pixel by pixel through a general path, about four times the cost of its RGB
    path; the grey band depends on R, G and B only and the alpha passes through unchanged, so converting
    the RGB bands and joining the alpha back gives the same bytes (checked on every 8-bit colour with
    every alpha value, tests/unit/test_sample.py).
    """
    if image.bands == 4 and image.format == "uchar" and image.interpretation == "srgb":
        return image.extract_band(0, n=3).colourspace("b-w").bandjoin(image.extract_band(3))
    return image.colourspace("b-w")


def _to_srgb(image: pyvips.Image) -> pyvips.Image:
    """The embedded profile to sRGB, perceptual; CMYK without one through libvips' CMYK profile."""
    if image.get_typeof("icc-profile-data") and image.interpretation not in {"labs", "grey16"}:
        try:
            return image.icc_transform("srgb", embedded=True, intent="perceptual",
                                       depth=16 if image.interpretation in _SIXTEEN_BIT else 8)
        except pyvips.Error:
            return image  # sharp warns "Invalid embedded profile" and goes on with the pixels as they are
    if image.interpretation == "cmyk":
        return image.icc_transform("srgb", input_profile="cmyk", intent="perceptual")
    return image
