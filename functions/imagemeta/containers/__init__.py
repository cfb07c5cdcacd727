"""Bounded walks of image containers: which metadata blocks a file holds, found without decoding a pixel.

`walk(data)` sniffs the format and visits its structural units (JPEG marker segments, PNG chunks, RIFF
chunks, GIF blocks, TIFF IFD0 entries, ISO-BMFF boxes and items), returning the EXIF, XMP and IPTC blocks in
the order ExifTool processes them. Every walk is bounded (`WalkLimits`): units visited, metadata units,
bytes kept per block and per file, bytes inflated from compressed chunks. Reaching a limit ends the walk
early with what was found and `Walk.over_limit` set, so a caller that must refuse hostile files (the
decoder's pre-checks) can answer 400, and one that reads metadata (embeddedMetadata) keeps what it has.
A structural fault (truncation, a length past the end) ends the walk the same way without `over_limit`.

The per-format iterators (`jpeg_segments`, `png_chunks`, `riff_chunks`, `gif_blocks`, `bmff_boxes`) share a
`Budget` and raise `LimitReached` or `Malformed`; they can be used alone. Design: docs/embedded-metadata.md.
"""
from __future__ import annotations

import struct
from dataclasses import replace
from functools import partial

from . import bmff, gif, jpeg, png, tiff, webp
from .base import (
    DEFAULT_WALK_LIMITS,
    Block,
    Budget,
    LimitReached,
    Malformed,
    Walk,
    WalkLimits,
    WalkStopped,
    as_bytes,
)
from .bmff import bmff_boxes
from .gif import gif_blocks
from .jpeg import jpeg_segments
from .png import PNG_SIGNATURE, png_chunks
from .tiff import TIFF_NESTED, tiff_ifd0_entries
from .webp import riff_chunks

__all__ = [
    "walk", "sniff", "WalkLimits", "DEFAULT_WALK_LIMITS", "Walk", "Block", "Budget", "WalkStopped", "LimitReached",
    "Malformed", "jpeg_segments", "png_chunks", "riff_chunks", "gif_blocks", "tiff_ifd0_entries", "bmff_boxes",
    "TIFF_NESTED",
]

def sniff(head: bytes | memoryview) -> str | None:
    """The contract's format name from a file's first bytes (at least 32); None for anything else."""
    head = bytes(head[:64])
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(PNG_SIGNATURE):
        return "png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    if head[4:8] == b"ftyp":
        from ..heif import heif_format  # Pillow comes with it; only ISO-BMFF files need the brand table

        return heif_format(head)
    if head[:2] == b"BM":
        return "bmp"
    if head[:4] == b"\x00\x00\x01\x00":
        return "ico"
    return None


def walk(data: bytes | bytearray | memoryview, limits: WalkLimits = DEFAULT_WALK_LIMITS) -> Walk:
    """The format and metadata blocks of an image file's bytes, within the limits; never raises."""
    view = memoryview(as_bytes(data))
    result = Walk(format=sniff(view))
    finder = _FINDERS.get(result.format) if result.format else None
    if finder is None:
        return result
    if result.format == "jpg":
        finder = partial(jpeg.blocks, segments=result.segments)
    budget = Budget(replace(limits, max_units=limits.max_gif_units) if result.format == "gif" else limits)
    try:
        for block in finder(view, budget, result.skipped):
            result.blocks.append(block)
    except WalkStopped as stop:
        result.stopped, result.over_limit = str(stop), stop.over_limit
    except (struct.error, IndexError, ValueError) as error:
        result.stopped = f"malformed: {error}"
    result.units, result.metadata_bytes, result.inflated = budget.units, budget.metadata_bytes, budget.inflated
    return result


_FINDERS = {
    "jpg": jpeg.blocks,
    "png": png.blocks,
    "webp": webp.blocks,
    "gif": gif.blocks,
    "tiff": tiff.blocks,
    "heic": bmff.blocks,
    "heif": bmff.blocks,
    "avif": bmff.blocks,
    "bmp": lambda view, budget, skipped: iter(()),
    "ico": lambda view, budget, skipped: iter(()),
}
