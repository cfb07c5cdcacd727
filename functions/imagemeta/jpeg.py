"""JPEG through Pillow's libjpeg-turbo: quantization tables, EXIF block, scan count and the scaled decode.

libvips exposes no quantization tables, and Pillow's libjpeg-turbo decodes at a DCT scale faster than
the libjpeg in libvips' wheel with the same integer IDCT and upsampling: the same pixels (the tests
compare every test JPEG's hash with sharp-phash's).
"""
from __future__ import annotations

import io
from typing import BinaryIO

import pyvips
from PIL import Image

from .errors import NotAnImage
from .limits import max_progressive_scans
from .quality import jpeg_quality


class MemoryReader(io.RawIOBase):
    """A seekable read-only file over a buffer, without copying it."""

    def __init__(self, data: bytes | bytearray | memoryview):
        self._view = memoryview(data).cast("B")
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: len(self._view)}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def read(self, size: int = -1) -> bytes:
        end = len(self._view) if size is None or size < 0 else min(self._pos + size, len(self._view))
        chunk = bytes(self._view[self._pos : end])
        self._pos = max(self._pos, end)
        return chunk

    def close(self) -> None:
        """Release the buffer so a bytearray can be resized again."""
        self._view.release()
        super().close()

    def readinto(self, buffer: bytearray | memoryview) -> int:
        chunk = self.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def tables_and_exif(data: bytes | bytearray | memoryview, width: int, height: int, progressive: bool) -> tuple[int, bytes]:
    """The quality the quantization tables imply and the EXIF block, from Pillow's header parse.

    A progressive JPEG of more scans than its size allows is refused first: each scan is a pass over
    every block (2,000 scans of 64 MP took 72 s).
    """
    with MemoryReader(data) as reader:
        if progressive:
            allowed = max_progressive_scans(width, height)
            if (scans := jpeg_scan_count(reader)) > allowed:
                raise NotAnImage(detail=f"progressive JPEG with {scans} scans (at most {allowed} at this size)")
        with Image.open(reader, formats=["JPEG"]) as image:
            return jpeg_quality(image.quantization), image.info.get("exif") or b""


def scaled_pixels(data: bytes | bytearray | memoryview, factor: int, grey: bool) -> pyvips.Image:
    """The picture decoded at 1/`factor` scale, as libvips' `shrink` gives it: floor(size / factor) pixels.

    libjpeg keeps the last, partial block's row and column (ceil); libvips crops them, so do we.
    """
    mode = "L" if grey else "RGB"
    with MemoryReader(data) as reader, Image.open(reader, formats=["JPEG"]) as image:
        width, height = image.width // factor, image.height // factor
        image.draft(mode, (width, height))  # the largest DCT scale keeping at least this size: 1/factor
        frame = image.convert(mode) if image.mode != mode else image
        pixels = frame.crop((0, 0, width, height)).tobytes()
    vips = pyvips.Image.new_from_memory(pixels, width, height, 1 if grey else 3, "uchar")
    return vips.copy(interpretation="b-w" if grey else "srgb")


def jpeg_scan_count(fp: BinaryIO) -> int:
    """How many start-of-scan markers the file holds (an embedded thumbnail's count too).

    0xFF 0xDA never occurs inside entropy-coded data (a data 0xFF is stuffed as 0xFF 0x00), so a
    byte search is exact enough for a limit. Reads in chunks; leaves the position where it was.
    """
    start = fp.tell()
    fp.seek(0)
    count, previous = 0, b""
    while chunk := fp.read(1 << 20):
        window = previous + chunk
        count += window.count(b"\xff\xda")
        # A marker split across two chunks is counted in the next window, which starts with its 0xFF.
        previous = b"\xff" if window.endswith(b"\xff") else b""
    fp.seek(start)
    return count
