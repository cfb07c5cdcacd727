"""The embeddedMetadata object: every EXIF, IPTC and XMP block of a file, read in ExifTool's order and merged."""
from __future__ import annotations

import json
import os
from collections.abc import Iterable
from typing import TYPE_CHECKING

from ..containers import walk
from ..errors import NotAnImage, TooLarge
from ..formats import ImageFormat
from ..formats.walking import Walk, as_bytes
from ..limits import DEFAULT_LIMITS, Limits
from .exif_facts import exif_facts
from .facts import Fact, Nested, merge
from .iptc import iptc_facts, photoshop_blocks
from .read_budget import ReadBudget
from .values import json_value
from .xmp import extended_packet, gps_altitude_sign, xmp_facts

if TYPE_CHECKING:
    from ..extraction import Decoded

Source = bytes | bytearray | memoryview | str | os.PathLike
# The object's bound (Lambda answers at most 6 MB, a record item 400 KB before it spills): past it, the
# longest values are left out first.
MAX_OBJECT_BYTES = 1 << 20
# Blocks inside blocks (TIFF IFD0 -> Photoshop resources -> EXIF -> ...): real files go two deep.
MAX_NESTING = 3


def read_bytes(source: Source, limits: Limits = DEFAULT_LIMITS) -> bytes | bytearray | memoryview:
    """The file's bytes (a buffer as it is), refused over the byte limit before reading."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        limits.check_bytes(memoryview(source).nbytes)
        return source
    with open(source, "rb") as file:
        limits.check_bytes(os.fstat(file.fileno()).st_size)
        data = file.read(limits.max_bytes + 1)
    limits.check_bytes(len(data))  # a file that grew while being read
    return data


def embedded_metadata(source: Source, limits: Limits = DEFAULT_LIMITS) -> dict:
    """The embeddedMetadata object of an image given as bytes or a path (docs/embedded-metadata.md).

    Raises TooLarge over the byte limit and NotAnImage for bytes of no supported format; a broken or
    hostile EXIF, IPTC or XMP block only loses that block.
    """
    found = walk(read_bytes(source, limits))
    if found.format is None:
        raise NotAnImage(detail="no supported image signature")
    return from_walk(found)


def extract_with_embedded(source: Source, limits: Limits = DEFAULT_LIMITS,
                          decoded: Decoded | None = None) -> tuple[dict, dict]:
    """The metadata object and the embeddedMetadata object from one read of the file (what the ingest stores).

    The bytes are read once and the container is walked once (`containers.walk`), for both objects;
    `extract_walked` decides whether the file is readable at all, with its errors. The metadata blocks are
    read first, within the file's ReadBudget, so a file past a bound (TooLarge) never reaches a decoder.
    `decoded` is shown the pixels the pHash is computed from (the thumbnail's hook, thumbnail.py).
    """
    from ..extraction import extract_walked, refuse_over_limit  # the image stack loads only when asked for

    data = as_bytes(read_bytes(source, limits))
    found = walk(data)
    refuse_over_limit(found)
    embedded = from_walk(found)
    return extract_walked(data, found, limits, decoded), embedded


def from_walk(found: Walk, budget: ReadBudget | None = None) -> dict:
    """The embeddedMetadata object from a container walk already made (the ingest's single pass); TooLarge when
    its blocks hold more than the file's ReadBudget (`budget`: what was spent is left there to see)."""
    merged = merge(list(collect(found, budget or ReadBudget())))
    return _bounded({name.replace("-", ""): json_value(fact.value) for name, fact in merged.items()})


def collect(found: Walk, budget: ReadBudget) -> Iterable[Fact]:
    """Every block's facts in ExifTool's order; Extended XMP (JPEG) last, as ExifTool reads it."""
    state = _State(found.format, budget)
    extension_chunks = []
    for block in found.blocks:
        if block.nested:
            continue  # reached from the EXIF block's IFD0, in its place
        if block.kind == "xmp-extension":
            extension_chunks.append(block.data)
            continue
        yield from state.read(block.kind, block.data, block.source, block.offset)
    if extension_chunks:
        packet = extended_packet(state.xmp, extension_chunks)
        if packet is not None:
            yield from state.read("xmp", packet, "Extended XMP")


class _State:
    """What reading one file's blocks needs to remember: the format, whether standard IPTC was seen."""

    def __init__(self, image_format: ImageFormat | None, budget: ReadBudget) -> None:
        self.format = image_format
        self.budget = budget
        self.standard_iptc_seen = False
        self.xmp: list[Fact] = []

    def read(self, kind: str, data: bytes | memoryview, source: str, offset: int = 0, depth: int = 0) -> list[Fact]:
        """One block's facts; a block its reader cannot read is left out, the others stay."""
        if depth > MAX_NESTING:
            return []
        try:
            return list(self._facts(kind, data, source, offset, depth))
        except TooLarge:
            raise  # the file's budget is spent: the whole file is refused, not this block
        except Exception:  # noqa: BLE001 - a refused XMP packet, or hostile bytes breaking a reader in a way no test foresaw
            return []

    def _facts(self, kind: str, data: bytes | memoryview, source: str, offset: int, depth: int) -> Iterable[Fact]:
        if kind == "exif":
            low_priority = self.format is not None and self.format.ifd1_low_priority
            for item in exif_facts(data, offset, ifd1_low_priority=low_priority, budget=self.budget):
                if isinstance(item, Nested):
                    yield from self.read(item.kind, item.data, "IFD0", depth=depth + 1)
                else:
                    yield item
        elif kind == "xmp":
            facts = list(gps_altitude_sign(xmp_facts(data, self.budget)))
            self.xmp += facts
            yield from facts
        elif kind == "iptc":
            yield from iptc_facts(data, standard=self._standard_iptc(source), budget=self.budget)
        elif kind == "photoshop":
            for nested in photoshop_blocks(data, self.budget):
                yield from self.read(nested.kind, nested.data, f"{source} resource", depth=depth + 1)

    def _standard_iptc(self, source: str) -> bool:
        """ExifTool ranks IPTC outside the format's standard place (JPEG APP13, TIFF IFD0), or a second
        block, below the others (IPTC.pm IsStandardIPTC)."""
        place = self.format.standard_iptc_place if self.format is not None else None
        standard = not self.standard_iptc_seen and (place is None or source == place)
        self.standard_iptc_seen = self.standard_iptc_seen or standard
        return standard


def _bounded(obj: dict) -> dict:
    """The object within MAX_OBJECT_BYTES of JSON, leaving out its longest values first."""
    sizes = {name: len(json.dumps(value, ensure_ascii=False)) + len(name) + 4 for name, value in obj.items()}
    total = sum(sizes.values())
    for name in sorted(sizes, key=lambda name: sizes[name], reverse=True):
        if total <= MAX_OBJECT_BYTES:
            break
        total -= sizes[name]
        del obj[name]
    return obj
