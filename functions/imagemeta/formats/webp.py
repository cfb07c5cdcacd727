"""WebP: what the core knows about it, from its signature to its decoder's cost.

Its walk visits the chunks of its RIFF form: the EXIF and XMP chunks. libvips (libwebp) decodes it, at the
scale sharp's shrink-on-load asks for.
"""
from __future__ import annotations

from collections.abc import Iterator

from .image_format import DecoderCost, HeaderFacts, ImageFormat, LoadShrink
from .walking import EXIF_PREFIX, Block, Budget, Walk, keep_block, span

# libwebp's decoder buffers per column of the full width (measured on lossless with alpha).
COLUMN_BYTES = 8192


def riff_chunks(view: memoryview, budget: Budget) -> Iterator[tuple[bytes, int, memoryview]]:
    """(fourcc, offset of its data, data) of each chunk inside the RIFF form."""
    end = min(len(view), 8 + int.from_bytes(view[4:8], "little"))
    position = 12
    while position + 8 <= end:
        kind = bytes(view[position : position + 4])
        length = int.from_bytes(view[position + 4 : position + 8], "little")
        budget.visit(metadata=kind in (b"EXIF", b"XMP ", b"ICCP"), size=length)
        yield kind, position + 8, span(view, position + 8, length, f"RIFF {kind!r} chunk")
        position += 8 + length + (length & 1)


def blocks(view: memoryview, budget: Budget, found: Walk) -> Iterator[Block]:
    """The EXIF and XMP chunks, in order."""
    for kind, offset, data in riff_chunks(view, budget):
        if kind == b"EXIF":
            skip = 6 if bytes(data[:6]) == EXIF_PREFIX else 0
            block = Block("exif", data[skip:], offset + skip, "EXIF chunk")
        elif kind == b"XMP ":
            block = Block("xmp", data, offset, "XMP chunk")
        else:
            continue
        if kept := keep_block(budget, found.skipped, block):
            yield kept


def shrink_on_load(shrink: float) -> LoadShrink:
    """libwebp scales while it decodes: libvips' `scale` option, by the shrink itself."""
    return LoadShrink(shrink, {"scale": 1.0 / shrink}) if shrink > 1.0 else LoadShrink()


def decoding_cost(facts: HeaderFacts, data: bytes) -> DecoderCost:
    """libwebp's buffers of the full width, and the scaled RGBA frame."""
    return DecoderCost(frame_bytes=facts.width * COLUMN_BYTES, loaded_pixel_bytes=4, pixel_seconds=5e-9)


WEBP = ImageFormat(
    name="webp",
    title="WebP",
    mime="image/webp",
    accepts=lambda head: head[:4] == b"RIFF" and head[8:12] == b"WEBP",
    loader="VipsForeignLoadWebpBuffer",
    paged=True,
    blocks=blocks,
    shrink_on_load=shrink_on_load,
    decoding_cost=decoding_cost,
)
