"""GIF: what the core knows about it, from its signature to its decoder's cost.

Its walk visits its blocks up to the trailer, frames included (they are image data: WalkLimits.max_gif_units);
XMP stands in the "XMP DataXMP" application extension. libvips (libnsgif) reads the header; the first frame's
indices are decoded by Pillow and turned grey through the palette (palette.py), else libnsgif renders it.
"""
from __future__ import annotations

from collections.abc import Iterator

from .image_format import Decoder, DecoderCost, HeaderFacts, ImageFormat
from .walking import Block, Budget, Malformed, Walk, find, keep_block, span

GIF_XMP_APPLICATION = b"XMP DataXMP"
# The XMP-in-GIF "magic trailer": 0x01, then 0xFF down to 0x00, then the sub-block terminator.
GIF_XMP_TRAILER = b"\x01" + bytes(range(255, -1, -1)) + b"\x00"
# Full sub-blocks stepped over per search: 4,096 of them (1 MB).
_FULL_RUN_WINDOW = 256 * 4096

def gif_blocks(view: memoryview, budget: Budget) -> Iterator[tuple[int, int, int]]:
    """(kind, start, end) of each block up to the trailer: 0x2C for an image, 0x21LL for extension label LL.

    Sub-blocks are hopped over; a full (255-byte) one is free, shorter ones count as units. An XMP
    extension's sub-blocks are its own bytes (the "magic trailer" trick), so it is stepped over by its trailer.
    """
    if len(view) < 13:
        raise Malformed("GIF header is truncated")
    position = 13 + (3 << ((view[10] & 7) + 1) if view[10] & 0x80 else 0)
    while position < len(view):
        budget.visit()
        introducer, start = view[position], position
        if introducer == 0x3B:
            return
        if introducer == 0x21:
            label = span(view, position + 1, 1, "GIF extension")[0]
            budget.visit(metadata=label in (0xFE, 0xFF))
            if bytes(view[position + 1 : position + 14]) == b"\xff\x0b" + GIF_XMP_APPLICATION:
                trailer = find(view, GIF_XMP_TRAILER, position + 14)
                if trailer < 0:
                    raise Malformed("GIF XMP extension without its trailer")
                position = trailer + len(GIF_XMP_TRAILER)
                budget.add_metadata_bytes(position - start)
            else:
                # Every extension's bytes count: Pillow reads each one a sub-block at a time, in Python.
                position = _skip_sub_blocks(view, position + 2, budget, metadata=True)
            yield 0x2100 | label, start, position
        elif introducer == 0x2C:
            descriptor = span(view, position + 1, 9, "GIF image descriptor")
            position += 10 + (3 << ((descriptor[8] & 7) + 1) if descriptor[8] & 0x80 else 0) + 1
            position = _skip_sub_blocks(view, position, budget)
            yield 0x2C, start, position
        else:
            raise Malformed(f"unknown GIF block 0x{introducer:02x} at {position}")
    raise Malformed("GIF ends without its trailer")


def _skip_sub_blocks(view: memoryview, position: int, budget: Budget, metadata: bool = False) -> int:
    """The position after a chain of data sub-blocks and its terminator; `metadata`: their bytes count as such."""
    while True:
        if position >= len(view):
            raise Malformed("GIF sub-blocks run past the end")
        size = view[position]
        if size == 0:
            return position + 1
        if size == 255:
            # A run of full sub-blocks has 0xFF every 256 bytes: measured in C, a window at a time.
            lengths = bytes(view[position : position + _FULL_RUN_WINDOW : 256])
            run = 256 * (len(lengths) - len(lengths.lstrip(b"\xff")))
            if metadata:
                budget.add_metadata_bytes(run)
            position += run
            continue
        budget.visit()
        if metadata:
            budget.add_metadata_bytes(1 + size)
        position += 1 + size


def blocks(view: memoryview, budget: Budget, found: Walk) -> Iterator[Block]:
    """The XMP application extensions, in order."""
    header = b"\x21\xff\x0b" + GIF_XMP_APPLICATION
    for kind, start, end in gif_blocks(view, budget):
        if kind == 0x21FF and bytes(view[start : start + 14]) == header:
            block = Block("xmp", view[start + 14 : end - len(GIF_XMP_TRAILER)], start + 14, "XMP application extension")
            if kept := keep_block(budget, found.skipped, block):
                yield kept


def decoding_cost(facts: HeaderFacts, data: bytes) -> DecoderCost:
    """libnsgif holds the RGBA canvas and the previous one."""
    return DecoderCost(frame_bytes=facts.width * facts.height * 4 * 2, pixel_seconds=1.5e-8)


GIF = ImageFormat(
    name="gif",
    title="GIF",
    mime="image/gif",
    accepts=lambda head: head[:6] in (b"GIF87a", b"GIF89a"),
    loader="VipsForeignLoadNsgifBuffer",
    paged=True,
    pillow_name="GIF",
    blocks=blocks,
    frames_are_units=True,
    decoding_cost=decoding_cost,
    decoders=(Decoder.PALETTE,),
)
