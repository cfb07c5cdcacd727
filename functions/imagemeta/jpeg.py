"""JPEG: quantization tables and EXIF block from the container walk, the scaled decode through Pillow's libjpeg-turbo.

libvips exposes no quantization tables, so they are read from the DQT segments the walk found (as
Pillow reads them). Pillow's libjpeg-turbo decodes at a DCT scale faster than the libjpeg in libvips'
wheel with the same integer IDCT and upsampling: the same pixels (the tests compare every test JPEG's
hash with sharp-phash's). Pillow opens each JPEG once, for the pixels, without its metadata segments.
"""
from __future__ import annotations

import io
from bisect import bisect_right
from itertools import accumulate
import pyvips
from PIL import Image
from PIL.JpegImagePlugin import zigzag_index

from .containers import Walk
from .errors import NotAnImage
from .limits import max_progressive_scans
from .quality import jpeg_quality


SOI, SOS = b"\xff\xd8", b"\xff\xda"
DQT, COM, APP0, APP14, APP15 = 0xDB, 0xFE, 0xE0, 0xEE, 0xEF


class MemoryReader(io.RawIOBase):
    """A seekable read-only file over buffers laid end to end, without copying them."""

    def __init__(self, *parts: bytes | bytearray | memoryview):
        self._parts = [memoryview(part).cast("B") for part in parts]
        self._starts = list(accumulate((len(part) for part in self._parts), initial=0))  # the last: the size
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._starts[-1]}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def read(self, size: int = -1) -> bytes:
        size_end = self._starts[-1]
        end = size_end if size is None or size < 0 else min(self._pos + size, size_end)
        chunks, position = [], self._pos
        while position < end:
            index = bisect_right(self._starts, position) - 1  # empty parts share the next one's start
            offset = position - self._starts[index]
            take = min(end - position, len(self._parts[index]) - offset)
            chunks.append(self._parts[index][offset : offset + take])
            position += take
        self._pos = max(self._pos, end)
        return b"".join(chunks)

    def close(self) -> None:
        """Release the buffers so a bytearray can be resized again."""
        for part in self._parts:
            part.release()
        super().close()

    def readinto(self, buffer: bytearray | memoryview) -> int:
        chunk = self.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def quality_and_exif(data: bytes, found: Walk, width: int, height: int, progressive: bool) -> tuple[int, bytes]:
    """The quality the quantization tables imply and the first EXIF block (TIFF header first), from the container walk.

    A progressive JPEG of more scans than its size allows is refused first: each scan is a pass over
    every block (2,000 scans of 64 MP took 72 s).
    """
    if progressive:
        allowed = max_progressive_scans(width, height)
        if (scans := data.count(SOS)) > allowed:
            raise NotAnImage(detail=f"progressive JPEG with {scans} scans (at most {allowed} at this size)")
    exif = next((block.data for block in found.blocks if block.kind == "exif" and block.source == "APP1"), b"")
    return jpeg_quality(quantization_tables(data, found.segments)), bytes(exif)


def quantization_tables(data: bytes, segments: list[tuple[int, int, int]]) -> dict[int, list[int]]:
    """Each table id's 64 entries in natural order, from the DQT segments as Pillow reads them (a later table replaces an earlier one)."""
    tables = {}
    for marker, offset, length in segments:
        if marker != DQT:
            continue
        position, end = offset, offset + length
        while position < end:
            spec = data[position]
            entry_bytes = 1 if spec >> 4 == 0 else 2
            if end - position < 1 + 64 * entry_bytes:
                raise NotAnImage(detail="bad quantization table marker")
            entries = data[position + 1 : position + 1 + 64 * entry_bytes]
            values = entries if entry_bytes == 1 else [int.from_bytes(entries[i : i + 2], "big") for i in range(0, 128, 2)]
            tables[spec & 15] = [values[i] for i in zigzag_index]
            position += 1 + 64 * entry_bytes
    return tables


def decoder_input(data: bytes, segments: list[tuple[int, int, int]]) -> tuple[bytes | memoryview, ...]:
    """The JPEG as libjpeg needs it for pixels, in pieces of the file: its metadata segments (APP1-APP13,
    APP15, COM) left out.

    Pillow's header parse walks every segment in Python and joins every EXIF APP1 into one string
    (600 of them took 12 s); the pixels depend on none of them. JFIF (APP0) and Adobe (APP14) stay:
    libjpeg reads the colour transform from them.
    """
    if not any(_is_metadata(marker) for marker, _, _ in segments):
        return (data,)
    view = memoryview(data)
    kept = [view[offset - 4 : offset + length] for marker, offset, length in segments if not _is_metadata(marker)]
    last = segments[-1]
    scan = data.find(SOS, last[1] + last[2])
    return (SOI, *kept, view[scan:] if scan >= 0 else b"")


def _is_metadata(marker: int) -> bool:
    return (APP0 <= marker <= APP15 and marker not in (APP0, APP14)) or marker == COM


def scaled_pixels(parts: tuple[bytes | memoryview, ...], factor: int, grey: bool) -> pyvips.Image:
    """The picture (the file in `parts`) decoded at 1/`factor` scale, as libvips' `shrink` gives it: floor(size / factor) pixels.

    libjpeg keeps the last, partial block's row and column (ceil); libvips crops them, so do we.
    """
    mode = "L" if grey else "RGB"
    with MemoryReader(*parts) as reader, Image.open(reader, formats=["JPEG"]) as image:
        width, height = image.width // factor, image.height // factor
        image.draft(mode, (width, height))  # the largest DCT scale keeping at least this size: 1/factor
        frame = image.convert(mode) if image.mode != mode else image
        pixels = frame.crop((0, 0, width, height)).tobytes()
    vips = pyvips.Image.new_from_memory(pixels, width, height, 1 if grey else 3, "uchar")
    return vips.copy(interpretation="b-w" if grey else "srgb")
