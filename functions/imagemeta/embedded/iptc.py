"""IPTC-IIM datasets (and the Photoshop image resources that carry them) -> facts, as ExifTool reads them.

Character sets (IPTC.pm ProcessIPTC): text is read as ExifTool's "Latin" (Windows cp1252) until a
CodedCharacterSet dataset (1:90) says UTF-8 (`ESC % G`); another ISO 2022 designation leaves the bytes as
they are. A malformed dataset ends the block (ExifTool stops there too); what came before it stays.
"""
from __future__ import annotations

import re
from collections.abc import Iterator

from .conversions import BINARY, Context, printed, run
from .facts import Fact, Nested
from .read_budget import ReadBudget
from .tables import iptc_table
from .values import as_bytes, latin_text, utf8_text

UTF8_DESIGNATION = b"\x1b%G"
CODED_CHARACTER_SET = (1, 90)
_RECORDS = {1, 2, 3, 7, 8, 9}
MAX_DATASETS = 65_536  # a 64 KB block holds at most ~13,000 (5 bytes of header each); beyond is hostile
# Photoshop image resources that hold other blocks (Photoshop.pm): IPTC, EXIF, XMP.
PHOTOSHOP_NESTED = {0x0404: "iptc", 0x0422: "exif", 0x0424: "xmp"}
_IRB_SIGNATURES = (b"8BIM", b"PHUT", b"DCSR", b"AgHg", b"MeSa")
MAX_RESOURCES = 4_096  # Photoshop writes a few dozen


def photoshop_blocks(data: bytes | memoryview, budget: ReadBudget) -> Iterator[Nested]:
    """The IPTC, EXIF and XMP resources of a Photoshop image-resource block, in order; each counts against
    `budget`."""
    view = memoryview(data).cast("B")
    position = 0
    for _ in range(MAX_RESOURCES):
        if position + 12 > len(view) or bytes(view[position : position + 4]) not in _IRB_SIGNATURES:
            return
        budget.spend("max_photoshop_resources")
        resource = int.from_bytes(view[position + 4 : position + 6], "big")
        name_length = view[position + 6]
        position += 6 + ((name_length + 2) & ~1)  # Pascal name, padded to an even length
        if position + 4 > len(view):
            return
        size = int.from_bytes(view[position : position + 4], "big")
        start = position + 4
        if start + size > len(view):
            return
        if resource in PHOTOSHOP_NESTED:
            yield Nested(PHOTOSHOP_NESTED[resource], view[start : start + size])
        position = start + size + (size & 1)


def iptc_facts(data: bytes | memoryview, standard: bool, budget: ReadBudget) -> list[Fact]:
    """One IPTC block's facts; list tags (Keywords...) gather their datasets. `standard` is False for a
    block ExifTool finds outside the format's standard place, whose tags it ranks below the others. Each
    dataset counts against the file's `budget`."""
    table = iptc_table()
    values: dict[tuple[int, int], list[object]] = {}
    latin = True
    for record, dataset, raw in _datasets(memoryview(data).cast("B")):
        budget.spend("max_iptc_datasets")
        entry = table.get((record, dataset))
        if record not in _RECORDS or entry is None or entry.get("binary"):
            continue  # ExifTool reports unknown datasets only with -u, binary ones as "(Binary data ...)"
        values.setdefault((record, dataset), []).append(_decode(entry, raw, record, latin))
        if (record, dataset) == CODED_CHARACTER_SET:
            latin = raw.rstrip(b"\x00") != UTF8_DESIGNATION and not raw.startswith(b"\x1b%")
    ctx = Context()
    return [fact for key, items in values.items() if (fact := _fact(table[key], items, ctx, standard))]


def _datasets(view: memoryview) -> Iterator[tuple[int, int, bytes]]:
    """(record, dataset, value bytes) of each dataset, up to the first malformed one (as ExifTool stops)."""
    position = 0
    for _ in range(MAX_DATASETS):
        if position + 5 > len(view) or view[position] != 0x1C:
            return
        record, dataset = view[position + 1], view[position + 2]
        length = int.from_bytes(view[position + 3 : position + 5], "big")
        position += 5
        if length & 0x8000:  # extended dataset: the length of the length
            size = length & 0x7FFF
            if size > 8 or position + size > len(view):
                return
            length = int.from_bytes(view[position : position + size], "big")
            position += size
        if position + length > len(view):
            return
        yield record, dataset, bytes(view[position : position + length])
        position += length


def _decode(entry: dict, raw: bytes, record: int, latin: bool) -> object:
    """A dataset's value by its format: integers, digits or text in the block's character set."""
    form = entry.get("format", "")
    if not form and len(raw) <= 4 and len(raw) != 3 and re.search(rb"[\x00-\x08]", raw):
        form = "int"
    if form.startswith("int"):
        return str(int.from_bytes(raw, "big")) if len(raw) <= 8 else raw
    if form.startswith(("string", "digits")):
        raw = raw.rstrip(b"\x00")
        if form.startswith("string") and latin and record < 7 and any(b > 0x7F for b in raw):
            return latin_text(raw)
        return utf8_text(raw)
    return raw


def _fact(entry: dict, items: list[object], ctx: Context, standard: bool) -> Fact | None:
    """The dataset's printed value (a list for list tags; for others ExifTool keeps the last)."""
    converted = []
    for item in items if entry.get("list") else items[-1:]:
        value = run(entry.get("raw"), item, ctx)
        if value is None or value is BINARY:
            continue
        value = _coded_character_set(value) if entry["name"] == "CodedCharacterSet" else printed(entry, value, ctx)
        if value is None or value is BINARY:
            continue
        converted.append(utf8_text(value) if isinstance(value, (bytes, bytearray)) else value)
    if not converted:
        return None
    priority = entry.get("priority", 1 if standard else 0)
    return Fact(entry["name"], "IPTC", converted if entry.get("list") else converted[0], priority)


def _coded_character_set(value: object) -> str:
    # IPTC.pm PrintCodedCharset: "UTF8" for ESC % G, else the bytes spelled out ("ESC % 5"...)
    text = value if isinstance(value, str) else utf8_text(as_bytes(value))
    if text == UTF8_DESIGNATION.decode():
        return "UTF8"
    spaced = re.sub(r"(.)", r" \1", text, flags=re.S).replace(" \x1b", ", ESC")
    return re.sub(r"^,? ", "", spaced)

