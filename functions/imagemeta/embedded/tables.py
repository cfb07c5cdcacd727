"""ExifTool's tag tables (scripts/gen_embedded_tags.py), each read once, when a block of its kind arrives."""
from __future__ import annotations

import json
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data"


def _load(family: str) -> dict:
    return json.loads((DATA / f"embedded_{family}.json").read_text(encoding="utf-8"))


@cache
def exif_tables() -> dict[str, dict[int, dict]]:
    """{"exif": Exif::Main, "gps": GPS::Main}, by numeric tag ID."""
    raw = _load("exif")
    return {table: {int(tag, 16): entry for tag, entry in raw[table].items()} for table in ("exif", "gps")}


@cache
def iptc_table() -> dict[tuple[int, int], dict]:
    """(record, dataset) -> tag."""
    raw = _load("iptc")
    return {_record_dataset(key): entry for key, entry in raw.items() if key != "_source"}


def _record_dataset(key: str) -> tuple[int, int]:
    """"2:25" -> (2, 25)."""
    record, dataset = key.split(":")
    return int(record), int(dataset)


@cache
def xmp_tables() -> dict:
    """{"uris": URI -> standard prefix, "namespaces": prefix -> {priority, tags by flattened ID}}."""
    return _load("xmp")
