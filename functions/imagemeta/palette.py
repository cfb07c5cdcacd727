"""Palette images (GIF, palette PNG) to grey through their indices: 256 colour conversions instead of millions.

libvips decodes a palette image to RGB (RGBA with transparency) and converts every pixel to grey, at
about 60 ns a pixel. A pixel's grey depends on its palette entry only, so libvips converts the palette
itself (the same operation on each entry's colour) and a lookup table maps the indices to it. The indices
come from Pillow: LZW and deflate are lossless, so every correct decoder gives the same ones, and Pillow
decodes GIF about twice as fast as libnsgif renders RGB. The result is the image sharp's pipeline holds
after its `colourspace(B_W)`, byte for byte (tests/unit/test_palette.py compares the two on generated
GIFs and PNGs of every palette depth, interlaced, with and without transparency).

The lookup is skipped, and libvips decodes as before, whenever it could differ: an ICC profile, a first
GIF frame smaller than the canvas, an index past the palette's end, a file Pillow cannot read, and an
image with alpha that is not resized (there only, the colour of a fully transparent pixel would count).
"""
from __future__ import annotations

from typing import cast

import pyvips
from PIL import Image, ImageFile

from . import libvips
from .formats import ImageFormat
from .memory_reader import MemoryReader
from .sample import SAMPLE_SIZE, to_grey

_OPAQUE, _TRANSPARENT = 255, 0
_ENTRIES = 256


def palette_grey(data: bytes | bytearray | memoryview, image_format: ImageFormat,
                 header: pyvips.Image) -> pyvips.Image | None:
    """The grey image (and alpha when libvips gives one) sharp's B_W step makes, or None where libvips must decode."""
    if (not image_format.pillow_name or not libvips.field(header, "palette", 0) or libvips.has_profile(header)
            or header.bands not in (3, 4) or header.format != "uchar"):
        return None
    with_alpha = header.bands == 4
    if with_alpha and (header.width, header.height) == (SAMPLE_SIZE, SAMPLE_SIZE):
        return None
    try:
        with MemoryReader(data) as reader, Image.open(reader.as_file(), formats=[image_format.pillow_name]) as image:
            return _from_indices(image, header, with_alpha)
    except (OSError, SyntaxError, ValueError, EOFError):
        return None  # what Pillow cannot read, libvips decodes (and answers sharp's error)


def _from_indices(image: ImageFile.ImageFile, header: pyvips.Image, with_alpha: bool) -> pyvips.Image | None:
    if (image.mode not in ("P", "L") or image.size != (header.width, header.height)
            or image.tile[0].extents != (0, 0, header.width, header.height)):
        return None
    colours = image.getpalette("RGB") if image.mode == "P" else [v for grey in range(_ENTRIES) for v in (grey,) * 3]
    if colours is None:
        return None
    alphas = _alphas(image.info.get("transparency"))
    if alphas is not None and not with_alpha:
        return None  # libvips saw no transparency where Pillow does: let libvips decide
    entries = len(colours) // 3
    image.load()
    _, highest = cast(tuple[int, int], image.getextrema())  # one band of indices
    if entries < _ENTRIES and highest >= entries:
        return None  # an index past the palette: decoders differ there
    indices = image.tobytes()
    table = pyvips.Image.new_from_memory(bytes(colours) + bytes(3 * (_ENTRIES - entries)), _ENTRIES, 1, 3, "uchar")
    table = to_grey(table.copy(interpretation="srgb"))
    if with_alpha:
        opacity = alphas or bytes([_OPAQUE]) * _ENTRIES
        table = table.bandjoin(pyvips.Image.new_from_memory(opacity, _ENTRIES, 1, 1, "uchar"))
    pixels = pyvips.Image.new_from_memory(indices, header.width, header.height, 1, "uchar")
    return pixels.maplut(table).copy(interpretation="b-w")


def _alphas(transparency: int | bytes | None) -> bytes | None:
    """Each index's alpha from Pillow's `transparency`: one transparent index, or a PNG tRNS table; None: opaque."""
    if transparency is None:
        return None
    if isinstance(transparency, int):
        return bytes(_TRANSPARENT if index == transparency else _OPAQUE for index in range(_ENTRIES))
    return bytes(transparency[:_ENTRIES]) + bytes([_OPAQUE]) * (_ENTRIES - len(transparency))
