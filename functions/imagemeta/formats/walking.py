"""What every format's container walk shares: its limits, the blocks it yields, its budget and its faults.

The format modules walk their own structures with these (`jpeg_segments`, `png_chunks`, ...); `containers.walk`
picks the format and runs its walk within one Budget.
"""
from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from .image_format import ImageFormat

EXIF_PREFIX = b"Exif\x00\x00"
XMP_APP1 = b"http://ns.adobe.com/xap/1.0/\x00"
XMP_EXTENSION_APP1 = b"http://ns.adobe.com/xmp/extension/\x00"
PHOTOSHOP_APP13 = b"Photoshop 3.0\x00"


@dataclass(frozen=True)
class WalkLimits:
    """How much of a container a walk may visit and keep."""

    max_units: int = 16_384  # segments, chunks, boxes, items or short GIF sub-blocks visited
    # A GIF's frames are image data, not metadata: an animation of thousands is legitimate. About five units
    # a frame, so some 50,000 frames; walking them all costs about 0.7 s at most.
    max_gif_units: int = 1 << 18
    max_metadata_units: int = 1_024  # of those, APPn/COM segments, text and ICC chunks, extensions, metadata items
    # The bytes of those units: libjpeg keeps every APPn segment, libspng every text chunk, and Pillow reads a GIF's
    # extensions a sub-block at a time in Python (39 MB of comment: 1.1 s, 200 MB), all on a header read.
    max_metadata_bytes: int = 16 << 20
    max_block_bytes: int = 16 << 20  # one block, after inflation
    max_total_bytes: int = 32 << 20  # every block of a file together, after inflation
    # All inflation in a file: every compressed PNG text and ICC chunk, whether the walk keeps it or not, since
    # libspng inflates them all on a header read (100 zTXt chunks of 7 MB each took it 1 GB). Over it, the file
    # is refused: past this many bytes nothing more is inflated.
    max_inflated_bytes: int = 8 << 20


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

    format: ImageFormat | None  # None when the bytes are no supported image
    blocks: list[Block] = field(default_factory=list)
    units: int = 0
    metadata_bytes: int = 0  # of the metadata units visited
    inflated: int = 0  # bytes inflated (PNG's compressed text and ICC chunks)
    stopped: str | None = None  # why the walk ended early (a limit or a fault); None when complete
    over_limit: bool = False  # ended by a WalkLimits bound (a hostile file), not by corruption
    skipped: list[str] = field(default_factory=list)  # blocks left out (too large, bad compression)
    # JPEG: (marker, payload offset, payload length) of each segment before the first scan, for the decoder.
    segments: list[tuple[int, int, int]] = field(default_factory=list)


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
        self.units = self.metadata_units = self.metadata_bytes = self.kept = self.inflated = 0

    def visit(self, metadata: bool = False, size: int = 0) -> None:
        """Count one unit (and one metadata unit of `size` bytes); raise LimitReached past a bound."""
        self.units += 1
        if self.units > self.limits.max_units:
            raise LimitReached(f"more than {self.limits.max_units} structural units")
        if metadata:
            self.metadata_units += 1
            if self.metadata_units > self.limits.max_metadata_units:
                raise LimitReached(f"more than {self.limits.max_metadata_units} metadata segments or chunks")
            self.add_metadata_bytes(size)

    def add_metadata_bytes(self, size: int) -> None:
        """Count `size` bytes of metadata (of a unit whose length is known once walked); LimitReached past the bound."""
        self.metadata_bytes += size
        if self.metadata_bytes > self.limits.max_metadata_bytes:
            raise LimitReached(f"its metadata segments, chunks and extensions hold more than "
                               f"{_mib(self.limits.max_metadata_bytes)}")

    def keep(self, size: int) -> bool:
        """Whether a block of `size` bytes fits the per-block and per-file bounds (and count it if so)."""
        if size > self.limits.max_block_bytes or self.kept + size > self.limits.max_total_bytes:
            return False
        self.kept += size
        return True

    def inflate(self, compressed: bytes | memoryview, what: str) -> bytes | None:
        """zlib data inflated; None when corrupt; LimitReached (naming `what`) when the file's inflation would pass
        its bound.

        Output is capped while inflating, at one byte past what the file may still inflate, so deflate bombs
        cost at most that many bytes of work in all, kept or not.
        """
        room = self.limits.max_inflated_bytes - self.inflated
        try:
            out = zlib.decompressobj().decompress(compressed, room + 1)
        except zlib.error:
            return None
        self.inflated += len(out)
        if len(out) > room:
            raise LimitReached(f"its {what} would inflate to more than {_mib(self.limits.max_inflated_bytes)}")
        return out


def _mib(size: int) -> str:
    """A bound in MiB when it is whole MiB (as they all are by default), else in bytes."""
    return f"{size >> 20} MiB" if size and size % (1 << 20) == 0 else f"{size} bytes"


def as_bytes(data: bytes | bytearray | memoryview) -> bytes:
    """The file as bytes (a view over a whole bytes object is not copied), so searches run in C."""
    if isinstance(data, memoryview) and isinstance(data.obj, bytes) and data.nbytes == len(data.obj):
        return data.obj
    return data if isinstance(data, bytes) else bytes(data)


def find(view: memoryview, needle: bytes, start: int, end: int | None = None) -> int:
    """bytes.find on the walked file (whose view is always over a whole bytes object)."""
    whole = cast(bytes, view.obj)  # walks run over views of whole bytes objects (as_bytes)
    return whole.find(needle, start, len(view) if end is None else end)


def span(view: memoryview, start: int, length: int, what: str) -> memoryview:
    """view[start:start+length], or Malformed when it runs past the end."""
    if length < 0 or start + length > len(view):
        raise Malformed(f"{what} runs past the end of the file")
    return view[start : start + length]


def keep_block(budget: Budget, skipped: list[str], block: Block) -> Block | None:
    """The block when it fits the byte bounds; otherwise noted as skipped."""
    if budget.keep(len(block.data)):
        return block
    skipped.append(f"{block.kind} block of {len(block.data)} bytes at {block.offset} ({block.source})")
    return None
