"""PNG: what the core knows about it, from its signature to its decoder's cost.

Its walk visits the chunks up to IEND: eXIf, XMP in text chunks, and "Raw profile type" text chunks (inflated
within bounds). Every compressed chunk (zTXt, compressed iTXt, iCCP) is inflated and counted, kept or not:
libspng inflates them all while libvips reads only the header, so the file's total must be known before libvips
sees it. libvips (libspng) decodes it, except a palette PNG's indices, which Pillow decodes (palette.py).
"""
from __future__ import annotations

import struct
from collections.abc import Iterator

from .image_format import Decoder, DecoderCost, HeaderFacts, ImageFormat
from .walking import EXIF_PREFIX, XMP_APP1, Block, Budget, Malformed, Walk, find, keep_block, span

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# An interlaced PNG is decoded whole before its first line streams; its seven passes cost time besides.
INTERLACED_PIXEL_SECONDS = 2.5e-8
# A palette PNG decoded to indices by Pillow: its frame, the pieces of its copy and the joined copy (palette.py).
PALETTE_INDEX_BYTES = 3
XMP_KEYWORD = b"XML:com.adobe.xmp"

_PNG_TEXT = {b"tEXt", b"zTXt", b"iTXt"}
_PNG_METADATA = _PNG_TEXT | {b"eXIf", b"iCCP"}
INFLATED = "PNG text and ICC chunks"


def png_chunks(view: memoryview, budget: Budget) -> Iterator[tuple[bytes, int, memoryview]]:
    """(type, offset of its data, data) of each chunk up to IEND."""
    position = len(PNG_SIGNATURE)
    while position + 8 <= len(view):
        length, kind = struct.unpack_from(">I4s", view, position)
        budget.visit(metadata=kind in _PNG_METADATA, size=length)
        data = span(view, position + 8, length, f"PNG {kind!r} chunk")
        if kind == b"IEND":
            return
        yield kind, position + 8, data
        position += 12 + length
    raise Malformed("PNG ends without IEND")


def blocks(view: memoryview, budget: Budget, found: Walk) -> Iterator[Block]:
    """The eXIf, XMP and raw-profile blocks, in chunk order."""
    skipped = found.skipped
    for kind, offset, data in png_chunks(view, budget):
        block: Block | None
        if kind == b"eXIf":
            skip = 6 if bytes(data[:6]) == EXIF_PREFIX else 0
            block = Block("exif", data[skip:], offset + skip, "eXIf")
        elif kind in _PNG_TEXT:
            block = _png_text_block(kind, view, offset, data, budget, skipped)
        elif kind == b"iCCP":  # counted only: the profile is libvips' to read
            name_end = bytes(data[:80]).find(b"\x00")
            budget.inflate(data[name_end + 2 :], INFLATED)
            continue
        else:
            continue
        if block is not None and (kept := keep_block(budget, skipped, block)):
            yield kept


def _png_text_block(kind: bytes, view: memoryview, offset: int, data: memoryview, budget: Budget,
                    skipped: list[str]) -> Block | None:
    """XMP (keyword XML:com.adobe.xmp) or a "Raw profile type" block from a text chunk."""
    keyword_end = bytes(data[:80]).find(b"\x00")
    if keyword_end < 0:
        return None
    keyword = bytes(data[:keyword_end])
    text = _png_text(kind, view, offset, data, keyword_end, budget)  # inflated first: every one counts
    is_raw_profile = keyword.startswith(b"Raw profile type ")
    if keyword != XMP_KEYWORD and not is_raw_profile:
        return None
    source = f"{kind.decode()} {keyword.decode('latin-1')}"
    if text is None:
        skipped.append(f"{source} chunk at {offset}: not inflatable")
        return None
    if not is_raw_profile:
        return Block("xmp", text, offset, source)
    return _raw_profile(keyword[len(b"Raw profile type "):].decode("latin-1").lower(), text, offset, source)


def _png_text(kind: bytes, view: memoryview, offset: int, data: memoryview, keyword_end: int,
              budget: Budget) -> bytes | memoryview | None:
    """The text of a tEXt, zTXt or iTXt chunk at `offset` (inflated when compressed); None when it cannot be kept."""
    if kind == b"tEXt":
        return data[keyword_end + 1 :]
    if kind == b"zTXt":
        return budget.inflate(data[keyword_end + 2 :], INFLATED)
    compressed = data[keyword_end + 1] == 1
    end = offset + len(data)
    language_end = find(view, b"\x00", offset + keyword_end + 3, end)
    translated_end = find(view, b"\x00", language_end + 1, end) if language_end >= 0 else -1
    if translated_end < 0:
        return None
    text = data[translated_end + 1 - offset :]
    return budget.inflate(text, INFLATED) if compressed else text


# "Raw profile type X" (ImageMagick's and ExifTool's PNG text): "\nX\n<length>\n<hex digits, lines>".
_RAW_PROFILES = {"exif": "exif", "app1": "exif", "xmp": "xmp", "iptc": "iptc", "8bim": "photoshop"}


def _raw_profile(profile: str, text: bytes | memoryview, offset: int, source: str) -> Block | None:
    kind = _RAW_PROFILES.get(profile)
    parts = bytes(text).split(b"\n", 3)
    if kind is None or len(parts) < 4 or not parts[2].strip().isdigit():
        return None
    length = int(parts[2])
    digits = b"".join(parts[3].split())[: 2 * length]
    try:
        payload = bytes.fromhex(digits.decode("ascii"))
    except ValueError:
        return None
    if kind == "exif" and payload.startswith(EXIF_PREFIX):
        payload = payload[6:]
    elif kind == "exif" and payload.startswith(XMP_APP1):  # an APP1 profile may hold XMP
        kind, payload = "xmp", payload[len(XMP_APP1):]
    if kind == "iptc" and payload.startswith(b"8BIM"):  # often a Photoshop resource block, not bare IPTC
        kind = "photoshop"
    return Block(kind, payload, offset, source)


def decoding_cost(facts: HeaderFacts, data: bytes) -> DecoderCost:
    """An interlaced PNG's whole frame; a palette PNG's indices decoded by Pillow."""
    frame, seconds = 0, 0.0
    if facts.field("interlaced", 0):
        frame, seconds = facts.width * facts.height * facts.bands * facts.sample_bytes, INTERLACED_PIXEL_SECONDS
    if facts.field("palette", 0):
        frame = max(frame, facts.width * facts.height * PALETTE_INDEX_BYTES)
    return DecoderCost(frame_bytes=frame, pixel_seconds=seconds)


PNG = ImageFormat(
    name="png",
    title="PNG",
    mime="image/png",
    accepts=lambda head: head.startswith(PNG_SIGNATURE),
    loader="VipsForeignLoadPngBuffer",
    pillow_name="PNG",
    blocks=blocks,
    decoding_cost=decoding_cost,
    decoders=(Decoder.PALETTE,),
)
