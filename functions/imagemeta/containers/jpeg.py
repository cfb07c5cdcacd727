"""JPEG: marker segments up to the first scan; EXIF and XMP in APP1, Photoshop resources in APP13."""
from __future__ import annotations

from collections.abc import Iterator

from .base import (
    EXIF_PREFIX,
    PHOTOSHOP_APP13,
    XMP_APP1,
    XMP_EXTENSION_APP1,
    Block,
    Budget,
    Malformed,
    keep_block,
    span,
)


def jpeg_segments(view: memoryview, budget: Budget) -> Iterator[tuple[int, int, memoryview]]:
    """(marker, offset of its payload, payload) of each marker segment before the first scan."""
    position = 2
    while True:
        if position + 2 > len(view):
            raise Malformed("JPEG ends before its first scan")
        if view[position] != 0xFF:
            raise Malformed(f"no JPEG marker at {position}")
        marker = view[position + 1]
        if marker == 0xFF:  # fill byte (each counts: a run of millions must not be free)
            budget.visit()
            position += 1
            continue
        if marker in (0xD9, 0xDA) or marker == 0x01 or 0xD0 <= marker <= 0xD8:
            budget.visit()
            if marker in (0xD9, 0xDA):  # EOI, SOS: metadata comes before the image data
                return
            position += 2  # TEM, RSTn, SOI carry no length
            continue
        length = int.from_bytes(span(view, position + 2, 2, "JPEG segment length"), "big")
        budget.visit(metadata=0xE0 <= marker <= 0xEF or marker == 0xFE, size=length)
        if length < 2:
            raise Malformed(f"JPEG segment length {length} at {position}")
        payload = span(view, position + 4, length - 2, "JPEG segment")
        yield marker, position + 4, payload
        position += 2 + length


def blocks(view: memoryview, budget: Budget, skipped: list[str],
           segments: list[tuple[int, int, int]] | None = None) -> Iterator[Block]:
    """The EXIF, XMP, Photoshop and Extended XMP blocks, Extended XMP last (ExifTool reads it after the others).

    `segments`, when given, receives (marker, payload offset, payload length) of every segment walked.
    """
    extensions = []
    for marker, offset, payload in jpeg_segments(view, budget):
        if segments is not None:
            segments.append((marker, offset, len(payload)))
        head = bytes(payload[:35])
        if marker == 0xE1 and head.startswith(EXIF_PREFIX):
            block = Block("exif", payload[6:], offset + 6, "APP1")
        elif marker == 0xE1 and head.startswith(XMP_APP1):
            block = Block("xmp", payload[len(XMP_APP1):], offset + len(XMP_APP1), "APP1")
        elif marker == 0xE1 and head.startswith(XMP_EXTENSION_APP1):
            # ExifTool reads Extended XMP after every other segment: kept back until the walk's end.
            extensions.append(Block("xmp-extension", payload[len(XMP_EXTENSION_APP1):],
                                    offset + len(XMP_EXTENSION_APP1), "APP1"))
            continue
        elif marker == 0xED and head.startswith(PHOTOSHOP_APP13):
            block = Block("photoshop", payload[len(PHOTOSHOP_APP13):], offset + len(PHOTOSHOP_APP13), "APP13")
        else:
            continue
        if kept := keep_block(budget, skipped, block):
            yield kept
    for block in extensions:
        if kept := keep_block(budget, skipped, block):
            yield kept
