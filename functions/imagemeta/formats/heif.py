"""HEIC, HEIF and AVIF (ISO-BMFF): what the core knows about them, from their brands to their decoders' cost.

An ISO-BMFF file opens with its ftyp box, whose brands name the format. Its walk visits the meta box's items:
the Exif item and application/rdf+xml mime items. libvips (libheif) reads every header; neither wheel decodes
HEVC, so pillow-heif decodes a HEIC's pixels (hevc.py); AV1 comes from dav1d where libheif's conversion is
reproduced (avif.py), else from libvips.
"""
from __future__ import annotations

import struct
from collections.abc import Callable, Iterator
from dataclasses import replace

from .image_format import Decoder, DecoderCost, HeaderFacts, ImageFormat
from .walking import Block, Budget, LimitReached, Malformed, Walk, span

# Brands that name one format, and those any HEIF file may carry.
_SPECIFIC = {
    b"heic": "heic", b"heix": "heic", b"heim": "heic", b"heis": "heic", b"hevc": "heic",
    b"hevx": "heic", b"avif": "avif", b"avis": "avif",
}
_GENERIC = {b"mif1", b"msf1", b"mif2"}
LOADER = "VipsForeignLoadHeifBuffer"
# libheif (libvips' and pillow-heif's) refuses an iinf of more items than this (its default security limits):
# refused here first, as a limit (413) rather than a corrupt file.
MAX_ITEMS = 256


def bmff_boxes(view: memoryview, start: int, end: int, budget: Budget) -> Iterator[tuple[bytes, int, int]]:
    """(type, offset of its payload, end) of each box between start and end."""
    position = start
    while position + 8 <= end:
        budget.visit()
        size, kind = struct.unpack_from(">I4s", view, position)
        header = 8
        if size == 1:
            size, header = struct.unpack_from(">Q", span(view, position + 8, 8, "box size"), 0)[0], 16
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
    """item ID -> (item type, content type) from an iinf box's infe entries; LimitReached past MAX_ITEMS."""
    version, position = _full_box(view, start)
    count = int.from_bytes(span(view, position, 2 if version == 0 else 4, "iinf"), "big")
    position += 2 if version == 0 else 4
    if count > MAX_ITEMS:
        raise LimitReached(f"more than {MAX_ITEMS} items (libheif's own bound)")
    items: dict[int, tuple[bytes, bytes]] = {}
    for kind, payload, box_end in bmff_boxes(view, position, end, budget):
        if kind != b"infe":
            continue
        budget.visit(metadata=True)
        if len(items) == MAX_ITEMS:
            raise LimitReached(f"more than {MAX_ITEMS} items (libheif's own bound)")
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


def primary_item_type(view: memoryview, budget: Budget) -> bytes | None:
    """The meta box's primary item's type (b"av01", b"hvc1", b"grid", ...); None when the file names none."""
    meta = next(((payload, end) for kind, payload, end in bmff_boxes(view, 0, len(view), budget) if kind == b"meta"),
                None)
    if meta is None:
        return None
    primary, infos = None, {}
    for kind, payload, end in bmff_boxes(view, _full_box(view, meta[0])[1], meta[1], budget):
        if kind == b"pitm":
            version, body = _full_box(view, payload)
            size = 4 if version else 2
            primary = int.from_bytes(span(view, body, size, "pitm"), "big")
        elif kind == b"iinf":
            infos = _item_infos(view, payload, end, budget)
    return infos[primary][0] if primary in infos else None


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
    return int.from_bytes(span(view, position, size, "iloc field"), "big") if size else 0


def blocks(view: memoryview, budget: Budget, found: Walk) -> Iterator[Block]:
    """The Exif and XMP items, in item-ID order (as ExifTool reads them)."""
    meta = next(((payload, end) for kind, payload, end in bmff_boxes(view, 0, len(view), budget) if kind == b"meta"),
                None)
    if meta is None:
        return
    _, start = _full_box(view, meta[0])
    infos: dict[int, tuple[bytes, bytes]] = {}
    locations: dict[int, tuple[int, list[tuple[int, int]]]] = {}
    idat: tuple[int, int] | None = None
    for kind, payload, end in bmff_boxes(view, start, meta[1], budget):
        if kind == b"iinf":
            infos = _item_infos(view, payload, end, budget)
        elif kind == b"iloc":
            locations = _item_locations(view, payload, budget)
        elif kind == b"idat":
            idat = (payload, end)
    for item_id in sorted(infos):
        item_type, content_type = infos[item_id]
        block_kind = "exif" if item_type == b"Exif" else "xmp" if content_type == b"application/rdf+xml" else None
        if block_kind is None or item_id not in locations:
            continue
        data = _item_data(view, locations[item_id], idat, budget, f"item {item_id}")
        if data is None:
            found.skipped.append(f"{block_kind} item {item_id}: larger than the block limit")
            continue
        method, extents = locations[item_id]
        offset = (extents[0][0] if extents else 0) + (idat[0] if idat is not None and method == 1 else 0)
        if block_kind == "exif":  # the payload starts with the offset of the TIFF header after it
            skip = 4 + (int.from_bytes(data[:4], "big") if len(data) >= 4 else 0)
            data, offset = data[skip:], offset + skip
        yield Block(block_kind, data, offset, f"item {item_id}")


def _item_data(view: memoryview, location: tuple[int, list[tuple[int, int]]], idat: tuple[int, int] | None,
               budget: Budget, what: str) -> bytes | memoryview | None:
    """An item's bytes: its extents, in the file or in the idat box; None when over the byte bounds."""
    method, extents = location
    if method == 0:
        base, end = 0, len(view)
    elif method == 1 and idat is not None:
        base, end = idat
    else:
        raise Malformed(f"{what}: construction method {method} is not supported")
    total = sum(length for _, length in extents)
    if not budget.keep(total):
        return None
    parts = []
    for offset, length in extents:
        if base + offset + length > end:
            raise Malformed(f"{what} extent runs past its data")
        parts.append(view[base + offset : base + offset + length])
    return parts[0] if len(parts) == 1 else b"".join(parts)


def brand_name(head: bytes) -> str | None:
    """`heic`, `heif` or `avif` from the first bytes of an ISO-BMFF file; None for anything else."""
    if len(head) < 16 or head[4:8] != b"ftyp":
        return None
    box_end = min(int.from_bytes(head[:4], "big"), len(head))
    brands = [head[8:12]] + [head[i : i + 4] for i in range(16, box_end - 3, 4)]
    for brand in brands:
        if brand in _SPECIFIC:
            return _SPECIFIC[brand]
    return "heif" if any(brand in _GENERIC for brand in brands) else None


def _accepts(name: str) -> Callable[[bytes], bool | str]:
    """The signature of one of the family: its ftyp box, naming it. An ISO-BMFF file whose brands name none of the
    three is claimed all the same, and so read as no image (as Pillow's plugins answer a string)."""
    def accepts(head: bytes) -> bool | str:
        if head[4:8] != b"ftyp":
            return False
        named = brand_name(head)
        return named == name if named is not None else "an ISO-BMFF file whose brands name no image format read here"
    return accepts


def decoding_cost(facts: HeaderFacts, data: bytes) -> DecoderCost:
    """libheif holds the decoded picture and its YCbCr planes."""
    return DecoderCost(frame_bytes=facts.width * facts.height * 4 * 2, pixel_seconds=2e-8)


def avif_decoding_cost(facts: HeaderFacts, data: bytes) -> DecoderCost:
    """libheif's, and what dav1d's path adds to a process beside its pixels: numpy and a grey table (avif.py)."""
    from ..avif import FIXED_BYTES  # pyvips is loaded wherever a header is costed

    cost = decoding_cost(facts, data)
    return DecoderCost(frame_bytes=cost.frame_bytes + FIXED_BYTES, pixel_seconds=cost.pixel_seconds)


HEIF = ImageFormat(
    name="heif",
    title="HEIF",
    mime="image/heif",
    accepts=_accepts("heif"),
    loader=LOADER,
    paged=True,
    blocks=blocks,
    decoding_cost=decoding_cost,
    decoders=(Decoder.PILLOW_HEIF, Decoder.DAV1D),  # any of the three may hold HEVC or AV1: the codec decides
)
HEIC = replace(HEIF, name="heic", title="HEIC", mime="image/heic", accepts=_accepts("heic"))
AVIF = replace(HEIF, name="avif", title="AVIF", mime="image/avif", accepts=_accepts("avif"),
               decoding_cost=avif_decoding_cost)
# HEIF first: the name of a file libvips' loader reads whose brands name none of the three.
ISO_BMFF = (HEIF, HEIC, AVIF)
