"""Generated extreme shapes for the memory bound: tiny files whose headers declare costly decodes.

Each is a valid file (zlib/LZW/VP8L data that really decodes to that many pixels) unless its name
says it lies: 1xN and Nx1 up to the pixel limit, every PNG colour type and bit depth, WebP and GIF
at their dimension limits, animations of many frames, and the attacks of issue 15.
"""
from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

from PIL import Image

from imagemeta.limits import DEFAULT_MAX_PIXELS
from tests.hostile import CLASSES

PNG_DEPTHS = {0: (1, 2, 4, 8, 16), 2: (8, 16), 3: (1, 2, 4, 8), 4: (8, 16), 6: (8, 16)}
PNG_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png(width: int, height: int, depth: int = 8, colour: int = 0, *, rows: int | None = None,
        interlace: bool = False) -> bytes:
    """A PNG of zero pixels; `rows` < height writes only that many rows of data (a lying header)."""
    row = b"\0" * (1 + (width * PNG_CHANNELS[colour] * depth + 7) // 8)
    compressor = zlib.compressobj(9)
    block = row * max(1, (1 << 22) // len(row))
    per_block, remaining, parts = len(block) // len(row), height if rows is None else rows, []
    if interlace:  # Adam7 passes hold as many bytes as the rows, a little more: zeros decode anyway
        remaining += remaining // 4 + 8
    while remaining > 0:
        count = min(per_block, remaining)
        parts.append(compressor.compress(block if count == per_block else row * count))
        remaining -= count
    data = b"".join(parts) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, int(interlace))
    body = _chunk(b"IHDR", header) + (_chunk(b"PLTE", b"\0\0\0" * 2) if colour == 3 else b"")
    return (b"\x89PNG\r\n\x1a\n" + body + b"".join(_chunk(b"IDAT", data[i : i + (1 << 20)])
            for i in range(0, len(data), 1 << 20)) + _chunk(b"IEND", b""))


def gif(width: int, height: int, frames: int = 1, transparent: bool = False) -> bytes:
    """A GIF of `frames` full-canvas frames of colour 0 (an LZW stream of clear codes and zeros)."""
    first, second = Image.new("P", (width, height)), Image.new("P", (width, height), 1)
    for image in (first, second):
        image.putpalette([0, 0, 0, 255, 255, 255])
    buffer = io.BytesIO()
    options: dict[str, Any] = {"transparency": 0} if transparent else {}
    if frames > 1:  # alternating, so that no encoder merges them
        options.update(save_all=True, append_images=[(first, second)[i % 2] for i in range(1, frames)],
                       duration=10, disposal=1)
    first.save(buffer, "GIF", optimize=False, **options)
    return buffer.getvalue()


def webp(width: int, height: int, frames: int = 1, alpha: bool = False) -> bytes:
    mode = "RGBA" if alpha else "RGB"
    first, second = (Image.new(mode, (width, height), (shade, 20, 30, 128)) for shade in (10, 200))
    buffer = io.BytesIO()
    options: dict = {"lossless": True}
    if frames > 1:  # alternating, so that no encoder merges them
        options.update(save_all=True, append_images=[(first, second)[i % 2] for i in range(1, frames)], duration=10)
    first.save(buffer, "WEBP", **options)
    return buffer.getvalue()


def jpeg(width: int, height: int, progressive: bool = False) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (90, 120, 200)).save(buffer, "JPEG", quality=90, progressive=progressive)
    return buffer.getvalue()


def tiff(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height)).save(buffer, "TIFF", compression="tiff_deflate")
    return buffer.getvalue()


def _segment(marker: int, payload: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload


def jpeg_with(prefix_segments: bytes) -> bytes:
    """A small JPEG with these bytes before its first marker segment (issue 15's segment walks)."""
    data = jpeg(640, 480)
    return data[:2] + prefix_segments + data[2:]


def exif_app1_segments(count: int) -> bytes:
    """`count` full-size (64 KB) APP1 segments, each an empty EXIF block padded out."""
    tiff_header = b"II*\0" + struct.pack("<IHI", 8, 0, 0)
    payload = b"Exif\0\0" + tiff_header
    return _segment(0xE1, payload + b"\0" * (0xFFFF - 2 - len(payload))) * count


def png_with_text_chunks(count: int) -> bytes:
    data = png(64, 48, 8, 2)
    return data[:33] + _chunk(b"tEXt", b"k\0v") * count + data[33:]


def gif_of_tiny_frames(count: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("P", (1, 1)).save(buffer, "GIF")
    data = buffer.getvalue()
    image = data.index(b"\x2c")
    return data[:image] + data[image:-1] * count + b"\x3b"


def extreme_inputs() -> Iterator[tuple[str, Callable[[], bytes]]]:
    """(label, maker) of every generated extreme input, the largest shapes within the pixel limit."""
    limit = DEFAULT_MAX_PIXELS
    yield "PNG 1x100,000,000 grey, 69-byte lying header (issue 15)", lambda: png(1, limit, rows=0)
    for colour, depths in PNG_DEPTHS.items():
        for depth in depths:
            yield f"PNG 1x{limit:,} colour type {colour}, {depth}-bit", partial(png, 1, limit, depth, colour)
            yield f"PNG {limit:,}x1 colour type {colour}, {depth}-bit", partial(png, limit, 1, depth, colour)
            yield f"PNG 10000x10000 colour type {colour}, {depth}-bit", partial(png, 10_000, 10_000, depth, colour)
    yield "PNG 10000x10000 RGBA 16-bit, interlaced", lambda: png(10_000, 10_000, 16, 6, interlace=True)
    yield "PNG 100000x1000 RGBA 8-bit", lambda: png(100_000, 1_000, 8, 6)
    yield "PNG 1000x100000 RGBA 8-bit", lambda: png(1_000, 100_000, 8, 6)
    yield "PNG 3000000x33 RGBA 8-bit", lambda: png(3_000_000, 33, 8, 6)
    yield "WebP 16383x6100 with alpha (issue 15)", lambda: webp(16383, 6100, alpha=True)
    yield "WebP 16383x16383 (over the pixel limit)", lambda: webp(16383, 16383)
    yield "WebP 16383x1", lambda: webp(16383, 1)
    yield "WebP 1x16383", lambda: webp(1, 16383)
    yield "WebP 64x64, 2,000 frames", lambda: webp(64, 64, frames=2000)
    yield "GIF 65535x1525, transparent", lambda: gif(65535, 1525, transparent=True)
    yield "GIF 65535x1", lambda: gif(65535, 1)
    yield "GIF 1x65535", lambda: gif(1, 65535)
    yield "GIF 64x64, 20,000 frames", lambda: gif(64, 64, frames=20_000)
    yield "JPEG 65500x1526, progressive", lambda: jpeg(65500, 1526, progressive=True)
    yield "JPEG 65500x8", lambda: jpeg(65500, 8)
    yield "JPEG 8x65500", lambda: jpeg(8, 65500)
    yield "TIFF 10000x10000 RGB, one deflate strip per row", lambda: tiff(10_000, 10_000)
    yield "TIFF 1000000x1 RGB", lambda: tiff(1_000_000, 1)
    yield "JPEG with 5,000,000 COM markers, 20 MB (issue 15)", lambda: jpeg_with(b"\xff\xfe\x00\x02" * 5_000_000)
    yield "JPEG with 600 EXIF APP1 segments, 39 MB (issue 15)", lambda: jpeg_with(exif_app1_segments(600))
    yield "PNG with 2,000,000 text chunks, 30 MB (issue 15)", lambda: png_with_text_chunks(2_000_000)
    yield "GIF of 2,000,000 1x1 frames, 34 MB", lambda: gif_of_tiny_frames(2_000_000)
    for label, make in CLASSES:  # issue 23's hostile classes (tests/hostile.py)
        yield f"{label} (issue 23)", make
