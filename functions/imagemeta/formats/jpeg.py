"""JPEG: what the core knows about it, from its signature to its decoder's cost.

Its walk visits the marker segments up to the first scan: EXIF and XMP in APP1, Photoshop resources in APP13.
The metadata object's quality comes from the DQT segments the walk found (libvips exposes no quantization
tables), its EXIF block from the first EXIF APP1 (as libvips, node-exif and ExifTool take it). sharp shrinks it
on load at a DCT scale; Pillow's libjpeg-turbo decodes those pixels (pillow_jpeg.py), libvips the CMYK ones.
"""
from __future__ import annotations

from collections.abc import Iterator

from ..errors import NotAnImage
from ..limits import max_progressive_scans
from ..quality import jpeg_quality
from .image_format import Decoder, DecoderCost, HeaderFacts, ImageFormat, LoadShrink
from .walking import (
    EXIF_PREFIX,
    PHOTOSHOP_APP13,
    XMP_APP1,
    XMP_EXTENSION_APP1,
    Block,
    Budget,
    Malformed,
    Walk,
    keep_block,
    span,
)

SOI, SOS = b"\xff\xd8", b"\xff\xda"
DQT, COM, APP0, APP14, APP15 = 0xDB, 0xFE, 0xE0, 0xEE, 0xEF
# Seconds per stored pixel of libjpeg's decode, and a progressive JPEG's passes over its coefficients besides.
PIXEL_SECONDS = 2e-9
PROGRESSIVE_PIXEL_SECONDS = 7e-9
# Coefficients a progressive JPEG keeps per pixel, by chroma subsampling (a grey one: one per pixel).
_CHROMA = {"4:2:0": 1.5, "4:2:2": 2.0, "4:4:4": 3.0}


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


def blocks(view: memoryview, budget: Budget, found: Walk) -> Iterator[Block]:
    """The EXIF, XMP, Photoshop and Extended XMP blocks, Extended XMP last (ExifTool reads it after the others).

    `found.segments` receives (marker, payload offset, payload length) of every segment walked, for the decoder.
    """
    extensions = []
    for marker, offset, payload in jpeg_segments(view, budget):
        found.segments.append((marker, offset, len(payload)))
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
        if kept := keep_block(budget, found.skipped, block):
            yield kept
    for block in extensions:
        if kept := keep_block(budget, found.skipped, block):
            yield kept


def quality_and_exif(data: bytes, found: Walk, facts: HeaderFacts) -> tuple[int, bytes]:
    """The quality the quantization tables imply and the first EXIF block (TIFF header first), from the container walk.

    A progressive JPEG of more scans than its size allows is refused first: each scan is a pass over
    every block (2,000 scans of 64 MP took 72 s).
    """
    if facts.field("jpeg-multiscan", 0):
        allowed = max_progressive_scans(facts.width, facts.height)
        if (scans := data.count(SOS)) > allowed:
            raise NotAnImage(detail=f"progressive JPEG with {scans} scans (at most {allowed} at this size)")
    exif = next((block.data for block in found.blocks if block.kind == "exif" and block.source == "APP1"), b"")
    return jpeg_quality(quantization_tables(data, found.segments)), bytes(exif)


def quantization_tables(data: bytes, segments: list[tuple[int, int, int]]) -> dict[int, list[int]]:
    """Each table id's 64 entries in natural order, from the DQT segments as Pillow reads them (a later one wins)."""
    from PIL.JpegImagePlugin import zigzag_index  # Pillow's own table; the registry must not load Pillow

    tables = {}
    for marker, offset, length in segments:
        if marker != DQT:
            continue
        position, end = offset, offset + length
        while position < end:
            spec = data[position]
            entry_bytes = 1 if spec >> 4 == 0 else 2
            if end - position < 1 + 64 * entry_bytes:
                raise NotAnImage(detail="bad quantization table marker")
            entries = data[position + 1 : position + 1 + 64 * entry_bytes]
            values = entries if entry_bytes == 1 else [
                int.from_bytes(entries[i : i + 2], "big") for i in range(0, 128, 2)]
            tables[spec & 15] = [values[i] for i in zigzag_index]
            position += 1 + 64 * entry_bytes
    return tables


def decoder_input(data: bytes, segments: list[tuple[int, int, int]]) -> tuple[bytes | memoryview, ...]:
    """The JPEG as libjpeg needs it for pixels, in pieces of the file: its metadata segments (APP1-APP13,
    APP15, COM) left out.

    Pillow's header parse walks every segment in Python and joins every EXIF APP1 into one string
    (600 of them took 12 s); the pixels depend on none of them. JFIF (APP0) and Adobe (APP14) stay:
    libjpeg reads the colour transform from them.
    """
    if not any(_is_metadata(marker) for marker, _, _ in segments):
        return (data,)
    view = memoryview(data)
    kept = [view[offset - 4 : offset + length] for marker, offset, length in segments if not _is_metadata(marker)]
    last = segments[-1]
    scan = data.find(SOS, last[1] + last[2])
    return (SOI, *kept, view[scan:] if scan >= 0 else b"")


def _is_metadata(marker: int) -> bool:
    return (APP0 <= marker <= APP15 and marker not in (APP0, APP14)) or marker == COM


def dct_scale(shrink: float) -> int:
    """sharp's JPEG shrink-on-load: the largest of 8/4/2 within the shrink, halved when exactly equal."""
    factor = next((f for f in (8, 4, 2) if shrink >= f), 1)
    return factor // 2 if factor > 1 and int(shrink) == factor else factor


def shrink_on_load(shrink: float) -> LoadShrink:
    """libjpeg decodes at 1/factor: libvips' `shrink` option."""
    factor = dct_scale(shrink)
    return LoadShrink(factor, {"shrink": factor}) if factor > 1 else LoadShrink()


def decoding_cost(facts: HeaderFacts, data: bytes) -> DecoderCost:
    """A progressive JPEG keeps every DCT coefficient, 16 bits each, as many as its chroma subsampling leaves."""
    if not facts.field("jpeg-multiscan", 0):
        return DecoderCost(pixel_seconds=PIXEL_SECONDS)
    chroma = _CHROMA.get(str(facts.field("jpeg-chroma-subsample", "")), 3.0) if facts.bands > 1 else 1.0
    return DecoderCost(frame_bytes=int(facts.width * facts.height * chroma * 2),
                       pixel_seconds=PIXEL_SECONDS + PROGRESSIVE_PIXEL_SECONDS)


JPEG = ImageFormat(
    name="jpg",
    title="JPEG",
    mime="image/jpeg",
    accepts=lambda head: head.startswith(b"\xff\xd8\xff"),
    aliases=("jpeg",),
    loader="VipsForeignLoadJpegBuffer",
    pillow_name="JPEG",
    blocks=blocks,
    shrink_on_load=shrink_on_load,
    decoding_cost=decoding_cost,
    decoders=(Decoder.PILLOW_JPEG,),  # CMYK is handed back: libvips converts it through its CMYK profile
    quality_and_exif=quality_and_exif,
    ifd1_low_priority=True,
    standard_iptc_place="APP13 resource",
)
