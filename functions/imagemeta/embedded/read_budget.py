"""What reading one file's EXIF, IPTC and XMP blocks may visit in all, counted before each piece of work.

The block readers are bounded per block (entries per IFD, datasets per IPTC block, elements per XMP packet),
but a file may hold a thousand blocks: 500 XMP packets took 81 s, 500 IPTC blocks 20.7 s. So one budget
per file is shared by every block, and a file past it is refused (413, naming the bound) rather than read
in part: the ingest reads embeddedMetadata before the decoders are handed the file, so nothing else is
spent on it either. Each bound is sized from the reader's measured cost per unit on the reference machine
(docs/limits.md): a file's whole reading stays near half a second and a few tens of MB.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..errors import TooLarge


@dataclass(frozen=True)
class ReadLimits:
    """Units the readers may visit in one file, all its blocks together."""

    # XMP elements and attributes (about 25 us each to parse, name and convert). A packet's elements past 10,000
    # are not read (xmp.MAX_ELEMENTS), so two such packets fit.
    max_xmp_nodes: int = 20_000
    max_iptc_datasets: int = 65_536  # about 3 us each; a full 64 KB APP13 holds about 13,000
    max_photoshop_resources: int = 4_096  # Photoshop writes a few dozen per block
    max_exif_entries: int = 16_384  # IFD entries read (about 10 us each); a camera's block has a few hundred
    # EXIF values (numbers, or bytes of a string) read, as one block may (imagemeta.exif.MAX_BLOCK_VALUES): past
    # them a tag's value is left out, as within a block, rather than the file refused.
    max_exif_values: int = 1 << 17


DEFAULT_READ_LIMITS = ReadLimits()

# What each bound counts, as a 413's message names it.
_UNITS = {
    "max_xmp_nodes": "XMP elements and attributes",
    "max_iptc_datasets": "IPTC datasets",
    "max_photoshop_resources": "Photoshop image resources",
    "max_exif_entries": "EXIF IFD entries",
    "max_exif_values": "EXIF values",
}


class ReadBudget:
    """The units one file's reading has spent, against one ReadLimits."""

    def __init__(self, limits: ReadLimits = DEFAULT_READ_LIMITS) -> None:
        self.limits = limits
        self.spent = dict.fromkeys(_UNITS, 0)

    def spend(self, bound: str, units: int = 1) -> None:
        """Count `units` against `bound` (a ReadLimits field) before reading them; TooLarge past it."""
        self.spent[bound] += units
        limit = getattr(self.limits, bound)
        if self.spent[bound] > limit:
            raise TooLarge(
                f"The image's metadata holds more than {limit:,} {_UNITS[bound]}, more than the service reads.",
                help="Re-save the image without the repeated or oversized metadata blocks.",
                detail=f"{bound}: at least {self.spent[bound]}",
            )

    def left(self, bound: str) -> int:
        """How many units of `bound` are still to spend."""
        return int(getattr(self.limits, bound)) - self.spent[bound]
