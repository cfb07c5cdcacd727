"""An EXIF block (a TIFF structure) -> facts named and printed as ExifTool does, in its reading order.

IFD0's entries are read in stored order, and each pointer (ExifIFD, GPS, and InteropIFD inside ExifIFD)
is followed where it stands, as ExifTool does; IFD1 comes last. Maker notes are not read (ExifTool files
them in a group of their own). IPTC, XMP and Photoshop blocks in IFD0 (TIFF files) come out as `Nested`.
Bounds are those of the core's EXIF reader (imagemeta.node_exif): entries per IFD, values per tag and block; the
entries and values of all of a file's blocks together count against its ReadBudget.
"""
from __future__ import annotations

import struct
from collections.abc import Iterator

from ..formats.tiff import TIFF_NESTED
from ..node_exif import (
    EXIF_POINTER,
    GPS_POINTER,
    INTEROP_POINTER,
    MAKER_NOTE,
    MAX_TAG_VALUES,
    IfdReader,
    tiff_structure,
)
from .conversions import BINARY, Context, perl_number, printed, round_rational, run
from .facts import Fact, Nested
from .read_budget import ReadBudget
from .tables import exif_tables
from .values import perl_num, perl_str, utf8_text

# ExifTool's format names -> (struct code, bytes per value).
_FORMATS = {
    "int8u": ("B", 1), "string": ("s", 1), "int16u": ("H", 2), "int32u": ("I", 4), "rational64u": ("I", 8),
    "int8s": ("b", 1), "undef": ("s", 1), "binary": ("s", 1), "int16s": ("h", 2), "int32s": ("i", 4),
    "rational64s": ("i", 8), "float": ("f", 4), "double": ("d", 8), "ifd": ("I", 4),
}
_TYPE_NAMES = {1: "int8u", 2: "string", 3: "int16u", 4: "int32u", 5: "rational64u", 6: "int8s", 7: "undef",
               8: "int16s", 9: "int32s", 10: "rational64s", 11: "float", 12: "double", 13: "ifd"}
# GPS values reported as numbers (ExifTool's Composite tags, `exiftool -n`) -> the Ref tag that signs them.
SIGNED_GPS_REFS = {"GPSLatitude": 0x0001, "GPSLongitude": 0x0003, "GPSAltitude": 0x0005}
_SOUTH_WEST = ("S", "W")


def exif_facts(data: bytes | memoryview, base: int, ifd1_low_priority: bool,
               budget: ReadBudget) -> Iterator[Fact | Nested]:
    """The facts of an EXIF block in ExifTool's order; a fault ends the block with what it gave.

    `base` is where the TIFF header lies in the file: offsets (ThumbnailOffset...) are reported from the
    file's start, as ExifTool reports them. Entries and values count against the file's `budget`.
    """
    buf = tiff_structure(data)
    if buf is None:
        return
    order = "<" if buf[0] == 0x49 else ">"
    reader = _BudgetedReader(buf, order, budget)
    ctx = Context(order, base)
    try:
        ifd0, ifd1 = reader.ifd(reader.u32(4))
        yield from _ifd_facts(reader, ctx, ifd0, "exif", ifd0=True)
        entries, _ = reader.ifd(ifd1)
        yield from _ifd_facts(reader, ctx, entries, "exif", low_priority=ifd1_low_priority)
    except (struct.error, ValueError, TypeError, IndexError):
        return
    finally:
        budget.spend("max_exif_values", reader.values_read())


class _BudgetedReader(IfdReader):
    """The core's IFD reader, its entries counted against the file's budget and its values limited to what is left."""

    def __init__(self, buf: memoryview, order: str, budget: ReadBudget) -> None:
        super().__init__(buf, order)
        self.file_budget = budget
        self.budget = self.granted = min(self.budget, budget.left("max_exif_values"))

    def ifd(self, offset: int | None, order: str | None = None, base: int = 0) -> tuple[dict[int, tuple], int | None]:
        entries, following = super().ifd(offset, order, base)
        self.file_budget.spend("max_exif_entries", len(entries))
        return entries, following

    def values_read(self) -> int:
        return self.granted - self.budget


def _ifd_facts(reader: IfdReader, ctx: Context, entries: dict[int, tuple], table: str, ifd0: bool = False,
               low_priority: bool = False) -> Iterator[Fact | Nested]:
    """One IFD's facts, descending into the IFDs its pointers name at their place."""
    tags = exif_tables()[table]
    for tag, (kind, count, offset) in entries.items():
        if table == "exif" and tag in (EXIF_POINTER, GPS_POINTER, INTEROP_POINTER):
            pointer = _read(reader, kind, count, offset, None)
            sub, _ = reader.ifd(int(pointer)) if isinstance(pointer, str) and pointer.isdigit() else ({}, None)
            yield from _ifd_facts(reader, ctx, sub, "gps" if tag == GPS_POINTER else "exif")
            continue
        if ifd0 and tag in TIFF_NESTED:
            size = count * _FORMATS[_TYPE_NAMES[kind]][1]
            if offset + size <= len(reader.buf):
                yield Nested(TIFF_NESTED[tag], reader.buf[offset : offset + size])
            continue
        entry = tags.get(tag)
        if entry is None or tag == MAKER_NOTE or entry.get("subdirectory") or entry.get("binary"):
            continue
        fact = _fact(reader, ctx, entry, kind, count, offset, table, entries, low_priority)
        if fact is not None:
            yield fact


def _fact(reader: IfdReader, ctx: Context, entry: dict, kind: int, count: int, offset: int, table: str,
          entries: dict[int, tuple], low_priority: bool) -> Fact | None:
    """One entry read, converted and printed; None when ExifTool would not report it."""
    raw = _read(reader, kind, count, offset, entry.get("format"))
    if raw is None:
        return None
    if entry.get("offset") and isinstance(raw, str):
        raw = " ".join(str(int(n) + ctx.base) for n in raw.split())
    value = run(entry.get("raw"), raw, ctx)
    if value is None or value is BINARY:
        return None
    if table == "gps" and entry["name"] in SIGNED_GPS_REFS:
        value = _signed_gps(reader, ctx, entry, value, entries)
    else:
        value = printed(entry, value, ctx)
    if value is None or value is BINARY:
        return None
    if isinstance(value, (bytes, bytearray, memoryview)):
        value = utf8_text(value)
    priority = entry.get("priority", 0 if low_priority or entry.get("avoid") else 1)
    return Fact(entry["name"], "EXIF", value, priority)


def _signed_gps(reader: IfdReader, ctx: Context, entry: dict, value: object, entries: dict[int, tuple]) -> object:
    """GPSLatitude/GPSLongitude in decimal degrees and GPSAltitude in metres, negative south, west and below
    sea level: ExifTool's Composite values (GPS.pm), as `exiftool -n` prints them."""
    number = run(entry.get("value"), value, ctx)
    if number in ("", None):
        return number
    number = perl_number(number)
    ref_tag = SIGNED_GPS_REFS[entry["name"]]
    if ref_tag in entries:
        kind, count, offset = entries[ref_tag]
        ref = _read(reader, kind, count, offset, None)
        if entry["name"] == "GPSAltitude":
            number = -abs(number) if ref and perl_num(ref) else number
        elif isinstance(ref, str) and ref.upper().startswith(_SOUTH_WEST):
            number = -number
    return number


def _read(reader: IfdReader, kind: int, count: int, offset: int, format_name: str | None) -> str | bytes | None:
    """One entry's value as ExifTool's ReadValue gives it: numbers space-separated, strings cut at NUL."""
    name = _TYPE_NAMES[kind]
    size = count * _FORMATS[name][1]
    if format_name in _FORMATS:
        name = format_name
        count = size // _FORMATS[name][1]
    elif kind == 7 and count == 1:
        name = "int8u"
    code, width = _FORMATS[name]
    if count > MAX_TAG_VALUES or count > reader.budget or offset + count * width > len(reader.buf) or count < 1:
        return None if count != 0 else ""
    reader.budget -= count
    if code == "s":
        raw = bytes(reader.buf[offset : offset + count])
        return utf8_text(raw.split(b"\x00", 1)[0]) if name == "string" else raw
    if name.startswith("rational"):
        pairs = struct.unpack_from(f"{reader.order}{2 * count}{code}", reader.buf, offset)
        return " ".join(round_rational(n, d) for n, d in zip(pairs[::2], pairs[1::2], strict=True))
    numbers = struct.unpack_from(f"{reader.order}{count}{code}", reader.buf, offset)
    return " ".join(perl_str(n) if isinstance(n, float) else str(n) for n in numbers)
