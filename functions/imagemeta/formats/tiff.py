"""TIFF: what the core knows about it, from its signature to its decoder's cost.

The file is its EXIF block (node-exif's and ExifTool's); XMP, IPTC and Photoshop resources stand in IFD0
entries, which its walk visits. libvips (libtiff) decodes it a strip or tile at a time.
"""
from __future__ import annotations

import struct
from collections.abc import Iterator

from .image_format import DecoderCost, HeaderFacts, ImageFormat
from .walking import Block, Budget, LimitReached, Walk, WalkStopped, keep_block, span

# IFD0 tags holding other blocks: XMP (ApplicationNotes), IPTC-NAA, Photoshop image resources.
TIFF_NESTED = {700: "xmp", 33723: "iptc", 34377: "photoshop"}
_TIFF_SIZES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4}
MAX_IFD0_ENTRIES = 1024
ROWS_PER_STRIP, TILE_LENGTH = 278, 323


def tiff_ifd0_entries(view: memoryview, budget: Budget) -> Iterator[tuple[int, int, int, int]]:
    """(tag, type, count, offset of the value) of each IFD0 entry of a TIFF structure."""
    order = "<" if view[0] == 0x49 else ">"
    ifd = struct.unpack_from(order + "I", view, 4)[0]
    count = struct.unpack_from(order + "H", span(view, ifd, 2, "TIFF IFD0"), 0)[0]
    if count > MAX_IFD0_ENTRIES:
        raise LimitReached(f"IFD0 of {count} entries (at most {MAX_IFD0_ENTRIES})")
    span(view, ifd + 2, 12 * count, "TIFF IFD0 entries")
    stored = 0
    for position in range(ifd + 2, ifd + 2 + 12 * count, 12):
        budget.visit()
        tag, kind, values = struct.unpack_from(order + "HHI", view, position)
        size = values * _TIFF_SIZES.get(kind, 1)
        offset = position + 8 if size <= 4 else struct.unpack_from(order + "I", view, position + 8)[0]
        # libtiff (and Pillow) read every IFD0 value on a header read: values that overlap add up past the file
        # (500 tags of one 30 MB value took libtiff 12 s). A file's own values fit in it.
        stored += size if size > 4 else 0
        if stored > len(view):
            raise LimitReached(f"its IFD0 values add up to more than the file's {len(view)} bytes")
        yield tag, kind, values, offset


def tiff_strip_rows(data: bytes | memoryview) -> int:
    """The rows libtiff reads at once: a tiled TIFF's TileLength or a stripped one's RowsPerStrip; 0 if unknown."""
    view = memoryview(data).cast("B")
    order = "<" if view[0] == 0x49 else ">"
    rows = {}
    try:
        for tag, kind, count, offset in tiff_ifd0_entries(view, Budget()):
            if tag in (TILE_LENGTH, ROWS_PER_STRIP) and count == 1 and kind in (3, 4):
                rows[tag] = struct.unpack_from(order + ("H" if kind == 3 else "I"), view, offset)[0]
    except (WalkStopped, struct.error):
        return 0  # the walk in front of the decoders refused or will refuse such a file
    return rows.get(TILE_LENGTH) or rows.get(ROWS_PER_STRIP) or 0


def blocks(view: memoryview, budget: Budget, found: Walk) -> Iterator[Block]:
    """The file as its EXIF block, then the blocks its IFD0 holds (nested: the EXIF reader reaches them in place)."""
    yield Block("exif", view, 0, "TIFF")
    for tag, kind, count, offset in tiff_ifd0_entries(view, budget):
        if tag in TIFF_NESTED:
            size = count * _TIFF_SIZES.get(kind, 1)
            budget.visit(metadata=True, size=size)
            block = Block(TIFF_NESTED[tag], span(view, offset, size, f"IFD0 tag {tag}"), offset,
                          f"IFD0 tag {tag}", nested=True)
            if kept := keep_block(budget, found.skipped, block):
                yield kept


def quality_and_exif(data: bytes, found: Walk, facts: HeaderFacts) -> tuple[int, bytes]:
    """No quality; the whole file is the EXIF block, as node-exif reads a TIFF."""
    return 0, bytes(data)


def decoding_cost(facts: HeaderFacts, data: bytes) -> DecoderCost:
    """libtiff holds one strip or tile (its rows from IFD0)."""
    rows = min(facts.height, tiff_strip_rows(data) or facts.height)
    return DecoderCost(frame_bytes=facts.width * rows * facts.bands * facts.sample_bytes)


TIFF = ImageFormat(
    name="tiff",
    title="TIFF",
    mime="image/tiff",
    accepts=lambda head: head[:4] in (b"II*\x00", b"MM\x00*"),
    aliases=("tif",),
    loader="VipsForeignLoadTiffBuffer",
    paged=True,
    blocks=blocks,
    decoding_cost=decoding_cost,
    quality_and_exif=quality_and_exif,
    standard_iptc_place="IFD0",
)
