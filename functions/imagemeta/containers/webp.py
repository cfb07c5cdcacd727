"""WebP: the chunks of its RIFF form; the EXIF and XMP chunks."""
from __future__ import annotations

from collections.abc import Iterator

from .base import EXIF_PREFIX, Block, Budget, keep_block, span


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


def blocks(view: memoryview, budget: Budget, skipped: list[str]) -> Iterator[Block]:
    """The EXIF and XMP chunks, in order."""
    for kind, offset, data in riff_chunks(view, budget):
        if kind == b"EXIF":
            skip = 6 if bytes(data[:6]) == EXIF_PREFIX else 0
            block = Block("exif", data[skip:], offset + skip, "EXIF chunk")
        elif kind == b"XMP ":
            block = Block("xmp", data, offset, "XMP chunk")
        else:
            continue
        if kept := keep_block(budget, skipped, block):
            yield kept
