"""EXIF block -> the contract's six groups: node-exif 0.6.0's shape, ExifTool's names (docs/exif.md)."""
import json
import math
import struct
from collections.abc import Callable
from pathlib import Path

GROUPS = ("image", "thumbnail", "exif", "gps", "interoperability", "makernote")

# Bounds that keep hostile blocks cheap: entries read per IFD, values (or bytes) per tag and per block.
# A value prints as at most ~26 bytes of JSON, so the block's share of the answer stays near 3.5 MB,
# inside Lambda's 6 MB response payload (a JPEG's whole APP1 holds 64 KiB at most).
MAX_IFD_ENTRIES = 1024
MAX_TAG_VALUES = 1 << 16
MAX_BLOCK_VALUES = 1 << 17

EXIF_POINTER, GPS_POINTER, INTEROP_POINTER, MAKER_NOTE, PADDING = 0x8769, 0x8825, 0xA005, 0x927C, 0xEA1C

# TIFF type -> (struct code, bytes per value); ASCII and UNDEFINED are decoded as bytes.
_TYPES = {
    1: ("B", 1), 2: ("s", 1), 3: ("H", 2), 4: ("L", 4), 5: ("L", 8), 6: ("b", 1), 7: ("s", 1),
    8: ("h", 2), 9: ("l", 4), 10: ("l", 8), 11: ("f", 4), 12: ("d", 8), 13: ("L", 4),
}
_RATIONALS = (5, 10)
_PRINTABLE = frozenset(range(0x20, 0x7F))
OMITTED = object()  # a value the contract leaves out (None is a value: JSON null for x/0)


def _load_tables() -> dict[str, dict[int, str]]:
    """Read the generated ExifTool name tables once (scripts/gen_exif_tags.py)."""
    raw = json.loads((Path(__file__).parent / "data" / "exif_tags.json").read_text())
    return {key: {int(tag, 16): name for tag, name in table.items()} for key, table in raw.items() if key != "_source"}


TABLES = _load_tables()

# Maker-note headers node-exif recognises -> (table, IFD start in the note, byte order, offsets relative to the note).
# Olympus, Agfa, Epson and Sanyo follow node-exif; Fujifilm and Panasonic follow ExifTool (docs/exif.md).
_MAKERS = (
    (b"OLYMP\x00\x01", "olympus", 8, None, False),
    (b"OLYMP\x00\x02", "olympus", 8, None, False),
    (b"AGFA \x00\x01", "olympus", 8, None, False),
    (b"EPSON\x00\x01\x00", "olympus", 8, None, False),
    (b"FUJIFILM", "fujifilm", None, "<", True),
    (b"Panasonic", "panasonic", 12, None, False),
    (b"SANYO", "sanyo", 8, None, False),
)


def _rational(numerator: int, denominator: int) -> int | float | None:
    """A rational as a JSON number: integral values as int, x/0 as None."""
    if denominator == 0:
        return None
    return numerator // denominator if numerator % denominator == 0 else numerator / denominator


class IfdReader:
    """Reads IFDs from one TIFF structure with a visited-offsets set and a value budget."""

    def __init__(self, buf: memoryview, order: str) -> None:
        self.buf, self.order = buf, order
        self.visited: set[int] = set()
        self.budget = MAX_BLOCK_VALUES

    def u16(self, offset: int, order: str | None = None) -> int | None:
        """Unsigned short at offset, None past the end."""
        return self._unsigned("H", 2, offset, order)

    def u32(self, offset: int, order: str | None = None) -> int | None:
        """Unsigned long at offset, None past the end."""
        return self._unsigned("L", 4, offset, order)

    def _unsigned(self, code: str, size: int, offset: int, order: str | None) -> int | None:
        """One unsigned integer at offset, None past the end."""
        if offset + size > len(self.buf):
            return None
        return struct.unpack_from((order or self.order) + code, self.buf, offset)[0]

    def ifd(self, offset: int | None, order: str | None = None, base: int = 0) -> tuple[dict[int, tuple], int | None]:
        """Raw entries {tag: (type, count, absolute value offset)} of the IFD at offset, and the next-IFD pointer."""
        order = order or self.order
        count = None if not offset or offset in self.visited else self.u16(offset, order)
        if offset is None or count is None:
            return {}, None
        self.visited.add(offset)
        entries: dict[int, tuple] = {}
        fitting = min(count, MAX_IFD_ENTRIES, (len(self.buf) - offset - 2) // 12)
        for position in range(offset + 2, offset + 2 + 12 * fitting, 12):
            tag, kind, values = struct.unpack_from(order + "HHL", self.buf, position)
            if kind in _TYPES:
                inline = values * _TYPES[kind][1] <= 4
                # fitting keeps every entry, its value field included, inside the buffer
                pointer = position + 8 if inline else base + struct.unpack_from(order + "L", self.buf, position + 8)[0]
                entries[tag] = (kind, values, pointer)
        return entries, self.u32(offset + 2 + 12 * count, order)

    def value(self, kind: int, count: int, offset: int, order: str | None = None) -> object:
        """Decode one entry by the contract's rules; OMITTED when it is left out."""
        code, size = _TYPES[kind]
        if count > MAX_TAG_VALUES or count > self.budget or offset + count * size > len(self.buf):
            return OMITTED
        self.budget -= count
        if code == "s":
            raw = bytes(self.buf[offset:offset + count])
            if kind == 2:
                return raw[:-1].decode("latin-1") if raw.endswith(b"\x00") else raw.decode("latin-1")
            return raw.decode("ascii") if raw and _PRINTABLE.issuperset(raw) else OMITTED
        layout = f"{order or self.order}{count * (2 if kind in _RATIONALS else 1)}{code}"
        numbers = struct.unpack_from(layout, self.buf, offset)
        if kind in _RATIONALS:
            numbers = tuple(_rational(n, d) for n, d in zip(numbers[::2], numbers[1::2], strict=True))
        elif kind in (11, 12):
            numbers = tuple(n if math.isfinite(n) else None for n in numbers)
        return numbers[0] if count == 1 else list(numbers)

    def named(self, entries: dict[int, tuple], table: str, order: str | None = None) -> dict:
        """Entries decoded and named by an ExifTool table; unknown IDs and left-out values are dropped."""
        names, group = TABLES[table], {}
        for tag, (kind, count, offset) in entries.items():
            if tag in names and tag != PADDING:
                value = self.value(kind, count, offset, order)
                if value is not OMITTED:
                    group[names[tag]] = value
        return group


def _pointer(entries: dict[int, tuple], tag: int, reader: IfdReader) -> int | None:
    """The IFD offset a pointer tag holds, when it is a single integer."""
    if tag not in entries or entries[tag][1] != 1 or entries[tag][0] not in (4, 13, 3):
        return None
    offset = reader.value(*entries[tag])
    return offset if isinstance(offset, int) and offset else None


def _makernote(reader: IfdReader, entry: tuple) -> tuple[dict, None]:
    """The maker-note IFD of the makers node-exif recognises, named by ExifTool's maker table."""
    _, length, start = entry
    header = bytes(reader.buf[start:start + min(length, 12)])
    for magic, table, skip, order, relative in _MAKERS:
        if header.startswith(magic):
            ifd_start = start + (skip if skip is not None else reader.u32(start + 8, "<") or 0)
            entries, _ = reader.ifd(ifd_start, order, start if relative else 0)
            return reader.named(entries, table, order), None
    return {}, None


def tiff_structure(data: bytes | bytearray | memoryview) -> memoryview | None:
    """The TIFF structure inside data (an optional Exif\\0\\0 prefix removed), None when there is none."""
    buf = memoryview(data).cast("B")
    if bytes(buf[:6]) == b"Exif\x00\x00":
        buf = buf[6:]
    header = bytes(buf[:4])
    return buf if header in (b"II*\x00", b"MM\x00*") else None


def parse_exif(data: bytes | bytearray | memoryview) -> dict:
    """Parse an EXIF block into the six groups; never raises, a broken group is left empty."""
    result: dict[str, dict] = {group: {} for group in GROUPS}
    buf = tiff_structure(data)
    if buf is None:
        return result
    reader = IfdReader(buf, "<" if buf[0] == 0x49 else ">")
    ifd0, ifd1 = _fill(result, "image", lambda: reader.ifd(reader.u32(4)), reader)
    _fill(result, "thumbnail", lambda: reader.ifd(ifd1), reader)
    exif_ifd, _ = _fill(result, "exif", lambda: _follow(reader, ifd0, EXIF_POINTER), reader)
    _fill(result, "gps", lambda: _follow(reader, ifd0, GPS_POINTER), reader)
    _fill(result, "interoperability", lambda: _follow(reader, exif_ifd, INTEROP_POINTER), reader)
    if MAKER_NOTE in exif_ifd:
        _fill(result, "makernote", lambda: _makernote(reader, exif_ifd[MAKER_NOTE]), reader)
    return result


def _fill(result: dict, group: str, read: Callable[[], tuple[dict, int | None]], reader: IfdReader,
          ) -> tuple[dict, int | None]:
    """Run one group's read and name its entries into result; on a structural fault the group stays empty."""
    try:
        entries, following = read()
        # _makernote names with the maker's own table; the TIFF groups use EXIF's or GPS's.
        table = "gps" if group == "gps" else "exif"
        result[group] = entries if group == "makernote" else reader.named(entries, table)
    except (struct.error, ValueError, TypeError):
        return {}, None
    return entries, following


def _follow(reader: IfdReader, entries: dict[int, tuple], tag: int) -> tuple[dict[int, tuple], int | None]:
    """The raw entries of the IFD a pointer tag points at (none when the pointer is absent)."""
    return reader.ifd(_pointer(entries, tag, reader))
