"""JPEG's pixels through Pillow's libjpeg-turbo, at the DCT scale sharp's shrink-on-load picks (formats/jpeg.py).

Pillow's libjpeg-turbo decodes at a DCT scale faster than the libjpeg in libvips' wheel (12 MP at 1/8: 32 ms
against 42 ms) with the same integer IDCT and upsampling: the same pixels (the tests compare every test JPEG's
hash with sharp-phash's). Pillow opens each JPEG once, for the pixels, without its metadata segments.
"""
from __future__ import annotations

import pyvips
from PIL import Image

from . import libvips
from .formats.jpeg import JPEG, dct_scale, decoder_input
from .formats.walking import Walk
from .memory_reader import MemoryReader
from .sample import sample_shrink

# libjpeg's own colour spaces: CMYK (and YCCK) go to libvips, which converts them through its CMYK profile.
_PILLOW_SPACES = {"srgb", "b-w"}


def pixels(data: bytes, found: Walk, header: pyvips.Image) -> pyvips.Image | None:
    """The picture at the scale libvips' `shrink` would give, tagged with its profile; None for CMYK."""
    if header.interpretation not in _PILLOW_SPACES:
        return None
    factor = dct_scale(sample_shrink(header.width, header.height))
    scaled = scaled_pixels(decoder_input(data, found.segments), factor, header.bands == 1)
    return libvips.with_profile(scaled, libvips.profile(header))


def scaled_pixels(parts: tuple[bytes | memoryview, ...], factor: int, grey: bool) -> pyvips.Image:
    """The picture (the file in `parts`) at 1/`factor` scale as libvips' `shrink` gives it: floor(size / factor) pixels.

    libjpeg keeps the last, partial block's row and column (ceil); libvips crops them, so do we.
    """
    mode = "L" if grey else "RGB"
    with MemoryReader(*parts) as reader, Image.open(reader.as_file(), formats=[JPEG.pillow_name]) as image:
        width, height = image.width // factor, image.height // factor
        image.draft(mode, (width, height))  # the largest DCT scale keeping at least this size: 1/factor
        frame = image.convert(mode) if image.mode != mode else image
        pixels = frame.crop((0, 0, width, height)).tobytes()
    vips = pyvips.Image.new_from_memory(pixels, width, height, 1 if grey else 3, "uchar")
    return vips.copy(interpretation="b-w" if grey else "srgb")
