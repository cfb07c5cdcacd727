"""Image bytes or a file in, the contract's metadata object out, decoding no more than needed.

libvips (pyvips) reads the header and computes the pHash sample exactly as sharp does (probe.py,
sample.py); Pillow reads what libvips does not expose: a JPEG's quantization tables and EXIF block,
and the BMP and ICO formats.
"""
from __future__ import annotations

import io
import os
from typing import BinaryIO

from PIL import Image

from .errors import ImageMetaError, NotAnImage
from .exif import parse_exif
from .limits import DEFAULT_LIMITS, Limits, max_progressive_scans
from .phash import dct_hash
from .probe import Probe, probe
from .quality import jpeg_quality
from .sample import grey_sample

Source = bytes | bytearray | memoryview | str | os.PathLike
_EXIF_PREFIX = b"Exif\x00\x00"
_EXIF_BLOB = "exif-data"


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


def _read_source(source: Source, limits: Limits) -> bytes | bytearray | memoryview:
    """The image's bytes (a buffer as given, a file read whole), refused over the byte limit first."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        limits.check_bytes(memoryview(source).nbytes)
        return source
    with open(source, "rb") as file:
        limits.check_bytes(os.fstat(file.fileno()).st_size)
        return file.read()


def extract(source: Source, limits: Limits = DEFAULT_LIMITS) -> dict:
    """The contract's metadata object for an image given as bytes or as a file path."""
    data = _read_source(source, limits)
    try:
        return _extract(data, limits)
    except ImageMetaError:
        raise
    except Exception as error:  # noqa: BLE001 - decoders raise anything on hostile bytes; bad input is a 400
        raise NotAnImage(detail=f"{type(error).__name__}: {error}") from None


def _extract(data: bytes | bytearray | memoryview, limits: Limits) -> dict:
    found = probe(data)
    limits.check_pixels(found.width, found.height)
    limits.check_decoding(found.layout)
    quality, exif = 0, b""
    if found.format == "jpg":
        quality, exif = _jpeg_tables_and_exif(data, found)
    elif found.format == "tiff":
        exif = bytes(data)
    elif found.vips is not None and found.vips.get_typeof(_EXIF_BLOB):
        exif = found.vips.get(_EXIF_BLOB)
    return {
        "height": found.height,
        "width": found.width,
        "size": memoryview(data).nbytes,
        "format": found.format,
        "hasColorProfile": found.has_profile,
        "quality": quality,
        "density": found.density,
        "hasTransparency": found.has_alpha,
        "pHash": dct_hash(grey_sample(found.pixels(), found.orientation)),
        "exif": parse_exif(exif[len(_EXIF_PREFIX):] if exif.startswith(_EXIF_PREFIX) else exif),
    }


def _jpeg_tables_and_exif(data: bytes | bytearray | memoryview, found: Probe) -> tuple[int, bytes]:
    """Pillow's header parse of a JPEG: the quality its tables imply and its EXIF block.

    A progressive JPEG of more scans than its size allows is refused first: each scan is a pass over
    every block (2,000 scans of 64 MP took 72 s).
    """
    with MemoryReader(data) as reader:
        if found.vips is not None and found.vips.get_typeof("jpeg-multiscan") and found.vips.get("jpeg-multiscan"):
            allowed = max_progressive_scans(found.width, found.height)
            if (scans := jpeg_scan_count(reader)) > allowed:
                raise NotAnImage(detail=f"progressive JPEG with {scans} scans (at most {allowed} at this size)")
        with Image.open(reader, formats=["JPEG"]) as image:
            return jpeg_quality(image.quantization), image.info.get("exif") or b""


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
