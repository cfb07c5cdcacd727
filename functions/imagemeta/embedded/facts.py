"""What the block readers produce: named values in ExifTool's processing order, merged as ExifTool merges them."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Fact:
    """One tag's value from one block: printed text, a list of texts, or a number (signed GPS)."""

    name: str
    group: str  # "EXIF", "IPTC" or "XMP"
    value: object
    priority: int = 1


@dataclass(frozen=True)
class Nested:
    """A block found inside another (XMP or IPTC in a TIFF IFD0), to be read where it stands."""

    kind: str  # "xmp", "iptc" or "photoshop"
    data: bytes | memoryview


def merge(facts: list[Fact]) -> dict[str, Fact]:
    """ExifTool's rule for one name seen twice (ExifTool.pm FoundTag): a later value replaces an earlier one
    unless its priority is lower; an earlier priority-0 value counts as 1, so of priority-0 values the first stays.
    """
    merged: dict[str, Fact] = {}
    for fact in facts:
        old = merged.get(fact.name)
        if old is None or fact.priority >= max(old.priority, 1):
            merged[fact.name] = fact
    return merged
