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
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field

EXIF_PREFIX = b"Exif\x00\x00"
XMP_APP1 = b"http://ns.adobe.com/xap/1.0/\x00"
XMP_EXTENSION_APP1 = b"http://ns.adobe.com/xmp/extension/\x00"
PHOTOSHOP_APP13 = b"Photoshop 3.0\x00"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
XMP_KEYWORD = b"XML:com.adobe.xmp"
GIF_XMP_APPLICATION = b"XMP DataXMP"
# The XMP-in-GIF "magic trailer": 0x01, then 0xFF down to 0x00, then the sub-block terminator.
GIF_XMP_TRAILER = b"\x01" + bytes(range(255, -1, -1)) + b"\x00"


@dataclass(frozen=True)
class WalkLimits:
    """How much of a container a walk may visit and keep."""

    max_units: int = 16_384  # segments, chunks, boxes, items or short GIF sub-blocks visited
    max_metadata_units: int = 1_024  # of those, APPn/COM segments, text chunks and metadata items
    max_block_bytes: int = 16 << 20  # one block, after inflation
    max_total_bytes: int = 32 << 20  # every block of a file together, after inflation
    max_inflated_bytes: int = 8 << 20  # all inflation in a file, refused blocks included (deflate bombs)


DEFAULT_WALK_LIMITS = WalkLimits()


@dataclass(frozen=True)
class Block:
    """One metadata block: kind "exif" (TIFF header first), "xmp", "xmp-extension", "iptc" or "photoshop"."""

    kind: str
    data: bytes | memoryview
    offset: int  # where the block's bytes (for EXIF, its TIFF header) start in the file, or its compressed chunk
    source: str  # where it was found, e.g. "APP1", "iTXt", "EXIF chunk", "IFD0 tag 700", "item 2"
    # For TIFF, blocks inside the IFD0 that the EXIF reader reaches itself, in ExifTool's order.
    nested: bool = False


@dataclass
class Walk:
    """What a walk found: the format, its metadata blocks, and whether it saw the whole structure."""

    format: str | None  # the contract's format name; None when the bytes are no supported image
    blocks: list[Block] = field(default_factory=list)
    units: int = 0
    stopped: str | None = None  # why the walk ended early (a limit or a fault); None when complete
    over_limit: bool = False  # ended by a WalkLimits bound (a hostile file), not by corruption
    skipped: list[str] = field(default_factory=list)  # blocks left out (too large, bad compression)


class WalkStopped(Exception):
    """The walk cannot go on; `over_limit` tells a bound from a structural fault."""

    over_limit = False


class LimitReached(WalkStopped):
    """A WalkLimits bound was reached."""

    over_limit = True


class Malformed(WalkStopped):
    """The structure is broken (a length past the end, a missing signature)."""


class Budget:
    """Counts the units a walk visits and the bytes it keeps, against one WalkLimits."""

    def __init__(self, limits: WalkLimits = DEFAULT_WALK_LIMITS) -> None:
        self.limits = limits
        self.units = self.metadata_units = self.kept = self.inflated = 0

    def visit(self, metadata: bool = False) -> None:
        """Count one unit (and one metadata unit); raise LimitReached past a bound."""
        self.units += 1
        if self.units > self.limits.max_units:
            raise LimitReached(f"more than {self.limits.max_units} structural units")
        if metadata:
            self.metadata_units += 1
            if self.metadata_units > self.limits.max_metadata_units:
                raise LimitReached(f"more than {self.limits.max_metadata_units} metadata segments or chunks")

    def keep(self, size: int) -> bool:
        """Whether a block of `size` bytes fits the per-block and per-file bounds (and count it if so)."""
        if size > self.limits.max_block_bytes or self.kept + size > self.limits.max_total_bytes:
            return False
        self.kept += size
        return True

    def inflate(self, compressed: bytes | memoryview) -> bytes | None:
        """zlib data inflated to at most the bytes a block may keep; None when larger or corrupt.

        Output is capped while inflating, and every byte inflated in a file counts against the per-file
        bound (blocks refused too), so deflate bombs cost at most that many bytes of work in all.
        """
        room = min(self.limits.max_block_bytes, self.limits.max_total_bytes - self.kept,
                   self.limits.max_inflated_bytes - self.inflated)
        if room <= 0:
            return None
        try:
            out = zlib.decompressobj().decompress(compressed, room + 1)
        except zlib.error:
            return None
        self.inflated += len(out)
        return out if len(out) <= room else None


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
        from .heif import heif_format  # Pillow comes with it; only ISO-BMFF files need the brand table

        return heif_format(head)
    if head[:2] == b"BM":
        return "bmp"
    if head[:4] == b"\x00\x00\x01\x00":
        return "ico"
    return None


def walk(data: bytes | bytearray | memoryview, limits: WalkLimits = DEFAULT_WALK_LIMITS) -> Walk:
    """The format and metadata blocks of an image file's bytes, within the limits; never raises."""
    view = memoryview(_as_bytes(data))
    result = Walk(format=sniff(view))
    finder = _FINDERS.get(result.format)
    if finder is None:
        return result
    budget = Budget(limits)
    try:
        for block in finder(view, budget, result.skipped):
            result.blocks.append(block)
    except WalkStopped as stop:
        result.stopped, result.over_limit = str(stop), stop.over_limit
    except (struct.error, IndexError, ValueError) as error:
        result.stopped = f"malformed: {error}"
    result.units = budget.units
    return result


def _as_bytes(data: bytes | bytearray | memoryview) -> bytes:
    """The file as bytes (a view over a whole bytes object is not copied), so searches run in C."""
    if isinstance(data, memoryview) and isinstance(data.obj, bytes) and data.nbytes == len(data.obj):
        return data.obj
    return data if isinstance(data, bytes) else bytes(data)


def _find(view: memoryview, needle: bytes, start: int, end: int | None = None) -> int:
    """bytes.find on the walked file (whose view is always over a whole bytes object)."""
    return view.obj.find(needle, start, len(view) if end is None else end)


def _span(view: memoryview, start: int, length: int, what: str) -> memoryview:
    """view[start:start+length], or Malformed when it runs past the end."""
    if length < 0 or start + length > len(view):
        raise Malformed(f"{what} runs past the end of the file")
    return view[start : start + length]


def _kept(budget: Budget, skipped: list[str], block: Block) -> Block | None:
    """The block when it fits the byte bounds; otherwise noted as skipped."""
    if budget.keep(len(block.data)):
        return block
    skipped.append(f"{block.kind} block of {len(block.data)} bytes at {block.offset} ({block.source})")
    return None


# --- JPEG -------------------------------------------------------------------------------------------

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
        budget.visit(metadata=0xE0 <= marker <= 0xEF or marker == 0xFE)
        if marker in (0xD9, 0xDA):  # EOI, SOS: metadata comes before the image data
            return
        if marker == 0x01 or 0xD0 <= marker <= 0xD8:  # TEM, RSTn, SOI carry no length
            position += 2
            continue
        length = int.from_bytes(_span(view, position + 2, 2, "JPEG segment length"), "big")
        if length < 2:
            raise Malformed(f"JPEG segment length {length} at {position}")
        payload = _span(view, position + 4, length - 2, "JPEG segment")
        yield marker, position + 4, payload
        position += 2 + length


def _jpeg_blocks(view: memoryview, budget: Budget, skipped: list[str]) -> Iterator[Block]:
    extensions = []
    for marker, offset, payload in jpeg_segments(view, budget):
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
        if kept := _kept(budget, skipped, block):
            yield kept
    for block in extensions:
        if kept := _kept(budget, skipped, block):
            yield kept


# --- PNG --------------------------------------------------------------------------------------------

_PNG_TEXT = {b"tEXt", b"zTXt", b"iTXt"}


def png_chunks(view: memoryview, budget: Budget) -> Iterator[tuple[bytes, int, memoryview]]:
    """(type, offset of its data, data) of each chunk up to IEND."""
    position = len(PNG_SIGNATURE)
    while position + 8 <= len(view):
        length, kind = struct.unpack_from(">I4s", view, position)
        budget.visit(metadata=kind in _PNG_TEXT or kind == b"eXIf")
        data = _span(view, position + 8, length, f"PNG {kind!r} chunk")
        if kind == b"IEND":
            return
        yield kind, position + 8, data
        position += 12 + length
    raise Malformed("PNG ends without IEND")


def _png_blocks(view: memoryview, budget: Budget, skipped: list[str]) -> Iterator[Block]:
    for kind, offset, data in png_chunks(view, budget):
        if kind == b"eXIf":
            skip = 6 if bytes(data[:6]) == EXIF_PREFIX else 0
            block = Block("exif", data[skip:], offset + skip, "eXIf")
        elif kind in _PNG_TEXT:
            block = _png_text_block(kind, view, offset, data, budget, skipped)
        else:
            continue
        if block is not None and (kept := _kept(budget, skipped, block)):
            yield kept


def _png_text_block(kind: bytes, view: memoryview, offset: int, data: memoryview, budget: Budget,
                    skipped: list[str]) -> Block | None:
    """XMP (keyword XML:com.adobe.xmp) or a "Raw profile type" block from a text chunk."""
    keyword_end = bytes(data[:80]).find(b"\x00")
    if keyword_end < 0:
        return None
    keyword = bytes(data[:keyword_end])
    is_raw_profile = keyword.startswith(b"Raw profile type ")
    if keyword != XMP_KEYWORD and not is_raw_profile:
        return None
    source = f"{kind.decode()} {keyword.decode('latin-1')}"
    text = _png_text(kind, view, offset, data, keyword_end, budget)
    if text is None:
        skipped.append(f"{source} chunk at {offset}: too large or not inflatable")
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
        return budget.inflate(data[keyword_end + 2 :])
    compressed = data[keyword_end + 1] == 1
    end = offset + len(data)
    language_end = _find(view, b"\x00", offset + keyword_end + 3, end)
    translated_end = _find(view, b"\x00", language_end + 1, end) if language_end >= 0 else -1
    if translated_end < 0:
        return None
    text = data[translated_end + 1 - offset :]
    return budget.inflate(text) if compressed else text


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


# --- RIFF (WebP) ------------------------------------------------------------------------------------

def riff_chunks(view: memoryview, budget: Budget) -> Iterator[tuple[bytes, int, memoryview]]:
    """(fourcc, offset of its data, data) of each chunk inside the RIFF form."""
    end = min(len(view), 8 + int.from_bytes(view[4:8], "little"))
    position = 12
    while position + 8 <= end:
        kind = bytes(view[position : position + 4])
        length = int.from_bytes(view[position + 4 : position + 8], "little")
        budget.visit(metadata=kind in (b"EXIF", b"XMP "))
        yield kind, position + 8, _span(view, position + 8, length, f"RIFF {kind!r} chunk")
        position += 8 + length + (length & 1)


def _webp_blocks(view: memoryview, budget: Budget, skipped: list[str]) -> Iterator[Block]:
    for kind, offset, data in riff_chunks(view, budget):
        if kind == b"EXIF":
            skip = 6 if bytes(data[:6]) == EXIF_PREFIX else 0
            block = Block("exif", data[skip:], offset + skip, "EXIF chunk")
        elif kind == b"XMP ":
            block = Block("xmp", data, offset, "XMP chunk")
        else:
            continue
        if kept := _kept(budget, skipped, block):
            yield kept


# --- GIF --------------------------------------------------------------------------------------------

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
            label = _span(view, position + 1, 1, "GIF extension")[0]
            budget.visit(metadata=label in (0xFE, 0xFF))
            if bytes(view[position + 1 : position + 14]) == b"\xff\x0b" + GIF_XMP_APPLICATION:
                trailer = _find(view, GIF_XMP_TRAILER, position + 14)
                if trailer < 0:
                    raise Malformed("GIF XMP extension without its trailer")
                position = trailer + len(GIF_XMP_TRAILER)
            else:
                position = _skip_sub_blocks(view, position + 2, budget)
            yield 0x2100 | label, start, position
        elif introducer == 0x2C:
            descriptor = _span(view, position + 1, 9, "GIF image descriptor")
            position += 10 + (3 << ((descriptor[8] & 7) + 1) if descriptor[8] & 0x80 else 0) + 1
            position = _skip_sub_blocks(view, position, budget)
            yield 0x2C, start, position
        else:
            raise Malformed(f"unknown GIF block 0x{introducer:02x} at {position}")
    raise Malformed("GIF ends without its trailer")


def _skip_sub_blocks(view: memoryview, position: int, budget: Budget) -> int:
    """The position after a chain of data sub-blocks and its terminator."""
    while True:
        if position >= len(view):
            raise Malformed("GIF sub-blocks run past the end")
        size = view[position]
        if size == 0:
            return position + 1
        if size < 255:
            budget.visit()
        position += 1 + size


def _gif_blocks(view: memoryview, budget: Budget, skipped: list[str]) -> Iterator[Block]:
    header = b"\x21\xff\x0b" + GIF_XMP_APPLICATION
    for kind, start, end in gif_blocks(view, budget):
        if kind == 0x21FF and bytes(view[start : start + 14]) == header:
            block = Block("xmp", view[start + 14 : end - len(GIF_XMP_TRAILER)], start + 14, "XMP application extension")
            if kept := _kept(budget, skipped, block):
                yield kept


# --- TIFF -------------------------------------------------------------------------------------------

# IFD0 tags holding other blocks: XMP (ApplicationNotes), IPTC-NAA, Photoshop image resources.
TIFF_NESTED = {700: "xmp", 33723: "iptc", 34377: "photoshop"}
_TIFF_SIZES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4}
MAX_IFD0_ENTRIES = 1024


def tiff_ifd0_entries(view: memoryview, budget: Budget) -> Iterator[tuple[int, int, int, int]]:
    """(tag, type, count, offset of the value) of each IFD0 entry of a TIFF structure."""
    order = "<" if view[0] == 0x49 else ">"
    ifd = struct.unpack_from(order + "I", view, 4)[0]
    count = struct.unpack_from(order + "H", _span(view, ifd, 2, "TIFF IFD0"), 0)[0]
    if count > MAX_IFD0_ENTRIES:
        raise LimitReached(f"IFD0 of {count} entries (at most {MAX_IFD0_ENTRIES})")
    _span(view, ifd + 2, 12 * count, "TIFF IFD0 entries")
    for position in range(ifd + 2, ifd + 2 + 12 * count, 12):
        budget.visit()
        tag, kind, values = struct.unpack_from(order + "HHI", view, position)
        size = values * _TIFF_SIZES.get(kind, 1)
        offset = position + 8 if size <= 4 else struct.unpack_from(order + "I", view, position + 8)[0]
        yield tag, kind, values, offset


def _tiff_blocks(view: memoryview, budget: Budget, skipped: list[str]) -> Iterator[Block]:
    yield Block("exif", view, 0, "TIFF")
    for tag, kind, count, offset in tiff_ifd0_entries(view, budget):
        if tag in TIFF_NESTED:
            budget.visit(metadata=True)
            size = count * _TIFF_SIZES.get(kind, 1)
            block = Block(TIFF_NESTED[tag], _span(view, offset, size, f"IFD0 tag {tag}"), offset,
                          f"IFD0 tag {tag}", nested=True)
            if kept := _kept(budget, skipped, block):
                yield kept


# --- ISO-BMFF (HEIC, HEIF, AVIF) ----------------------------------------------------------------------

_CONTAINERS = {b"meta": 4, b"iinf": None, b"iprp": 0, b"ipco": 0, b"dinf": 0}


def bmff_boxes(view: memoryview, start: int, end: int, budget: Budget) -> Iterator[tuple[bytes, int, int]]:
    """(type, offset of its payload, end) of each box between start and end."""
    position = start
    while position + 8 <= end:
        budget.visit()
        size, kind = struct.unpack_from(">I4s", view, position)
        header = 8
        if size == 1:
            size, header = struct.unpack_from(">Q", _span(view, position + 8, 8, "box size"), 0)[0], 16
        elif size == 0:
            size = end - position
        if size < header or position + size > end:
            raise Malformed(f"box {kind!r} at {position} runs past its parent")
        yield kind, position + header, position + size
        position += size


def _full_box(view: memoryview, payload: int) -> tuple[int, int]:
    """Version and the payload position after a FullBox's version and flags."""
    return view[payload], payload + 4


def _item_infos(view: memoryview, start: int, end: int, budget: Budget) -> dict[int, tuple[bytes, bytes]]:
    """item ID -> (item type, content type) from an iinf box's infe entries."""
    version, position = _full_box(view, start)
    position += 2 if version == 0 else 4
    items = {}
    for kind, payload, box_end in bmff_boxes(view, position, end, budget):
        if kind != b"infe":
            continue
        budget.visit(metadata=True)
        version, body = _full_box(view, payload)
        if version < 2:
            continue
        item_id = struct.unpack_from(">H" if version == 2 else ">I", view, body)[0]
        body += (2 if version == 2 else 4) + 2  # item ID, protection index
        item_type = bytes(view[body : body + 4])
        content_type = b""
        if item_type == b"mime":
            name_end = bytes(view[body + 4 : box_end]).find(b"\x00")
            rest = bytes(view[body + 5 + name_end : box_end]) if name_end >= 0 else b""
            content_type = rest.split(b"\x00", 1)[0]
        items[item_id] = (item_type, content_type)
    return items


def _item_locations(view: memoryview, start: int, budget: Budget) -> dict[int, tuple[int, list[tuple[int, int]]]]:
    """item ID -> (construction method, [(offset, length)]) from an iloc box."""
    version, position = _full_box(view, start)
    sizes = view[position], view[position + 1]
    offset_size, length_size = sizes[0] >> 4, sizes[0] & 15
    base_size, index_size = sizes[1] >> 4, (sizes[1] & 15 if version in (1, 2) else 0)
    position += 2
    count_format = ">H" if version < 2 else ">I"
    count = struct.unpack_from(count_format, view, position)[0]
    position += struct.calcsize(count_format)
    locations = {}
    for _ in range(count):
        budget.visit()
        item_id = struct.unpack_from(count_format, view, position)[0]
        position += struct.calcsize(count_format)
        method = 0
        if version in (1, 2):
            method = struct.unpack_from(">H", view, position)[0] & 15
            position += 2
        position += 2  # data reference index
        base = _uint(view, position, base_size)
        position += base_size
        extent_count = struct.unpack_from(">H", view, position)[0]
        position += 2
        extents = []
        for _ in range(extent_count):
            budget.visit()
            position += index_size
            offset = _uint(view, position, offset_size)
            length = _uint(view, position + offset_size, length_size)
            position += offset_size + length_size
            extents.append((base + offset, length))
        locations[item_id] = (method, extents)
    return locations


def _uint(view: memoryview, position: int, size: int) -> int:
    """A big-endian unsigned integer of 0, 4 or 8 bytes."""
    return int.from_bytes(_span(view, position, size, "iloc field"), "big") if size else 0


def _heif_blocks(view: memoryview, budget: Budget, skipped: list[str]) -> Iterator[Block]:
    meta = next(((payload, end) for kind, payload, end in bmff_boxes(view, 0, len(view), budget) if kind == b"meta"),
                None)
    if meta is None:
        return
    _, start = _full_box(view, meta[0])
    infos, locations, idat = {}, {}, None
    for kind, payload, end in bmff_boxes(view, start, meta[1], budget):
        if kind == b"iinf":
            infos = _item_infos(view, payload, end, budget)
        elif kind == b"iloc":
            locations = _item_locations(view, payload, budget)
        elif kind == b"idat":
            idat = (payload, end)
    for item_id in sorted(infos):  # ExifTool reads the items in ID order
        item_type, content_type = infos[item_id]
        kind = "exif" if item_type == b"Exif" else "xmp" if content_type == b"application/rdf+xml" else None
        if kind is None or item_id not in locations:
            continue
        data = _item_data(view, locations[item_id], idat, budget, f"item {item_id}")
        if data is None:
            skipped.append(f"{kind} item {item_id}: larger than the block limit")
            continue
        method, extents = locations[item_id]
        offset = (extents[0][0] if extents else 0) + (idat[0] if method == 1 else 0)
        if kind == "exif":  # the payload starts with the offset of the TIFF header after it
            skip = 4 + (int.from_bytes(data[:4], "big") if len(data) >= 4 else 0)
            data, offset = data[skip:], offset + skip
        yield Block(kind, data, offset, f"item {item_id}")


def _item_data(view: memoryview, location: tuple[int, list[tuple[int, int]]], idat: tuple[int, int] | None,
               budget: Budget, what: str) -> bytes | memoryview | None:
    """An item's bytes: its extents, in the file or in the idat box; None when over the byte bounds."""
    method, extents = location
    if method not in (0, 1) or (method == 1 and idat is None):
        raise Malformed(f"{what}: construction method {method} is not supported")
    base, end = (0, len(view)) if method == 0 else idat
    total = sum(length for _, length in extents)
    if not budget.keep(total):
        return None
    parts = []
    for offset, length in extents:
        if base + offset + length > end:
            raise Malformed(f"{what} extent runs past its data")
        parts.append(view[base + offset : base + offset + length])
    return parts[0] if len(parts) == 1 else b"".join(parts)


_FINDERS = {
    "jpg": _jpeg_blocks,
    "png": _png_blocks,
    "webp": _webp_blocks,
    "gif": _gif_blocks,
    "tiff": _tiff_blocks,
    "heic": _heif_blocks,
    "heif": _heif_blocks,
    "avif": _heif_blocks,
    "bmp": lambda view, budget, skipped: iter(()),
    "ico": lambda view, budget, skipped: iter(()),
}
