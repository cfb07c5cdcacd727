"""Writes tests/data/images/formats/: one small file per format and pixel layout, from one test photo.

Deterministic: the same Pillow/pillow-heif versions write the same bytes (16-bit PNGs are written
here with zlib, which Pillow cannot). Run from the repository root: `python scripts/make_format_fixtures.py`;
then `make golden-sharp` records what sharp says of them.
"""
from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "tests" / "data" / "images" / "exif-samples" / "jpg" / "gps" / "DSCN0010.jpg"  # 640x480 Nikon photo
OUT = ROOT / "tests" / "data" / "images" / "formats"
SIZE = (64, 48)


def photo() -> Image.Image:
    with Image.open(SOURCE) as source:
        return source.convert("RGB").resize(SIZE, Image.Resampling.LANCZOS)


def with_alpha(image: Image.Image) -> Image.Image:
    """An elliptical cut-out fading to transparent: alpha from 0 to 255 across the picture."""
    y, x = np.ogrid[: image.height, : image.width]
    distance = ((x - image.width / 2) / (image.width / 2)) ** 2 + ((y - image.height / 2) / (image.height / 2)) ** 2
    alpha = np.clip((1.2 - distance) * 255, 0, 255).astype(np.uint8)
    rgba = image.convert("RGBA")
    rgba.putalpha(Image.fromarray(alpha))
    return rgba


def png_16bit(pixels: np.ndarray, colour_type: int) -> bytes:
    """A 16-bit PNG (colour type 0, 2, 4 or 6) of uint16 pixels [row][column][band]."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    height, width = pixels.shape[:2]
    rows = pixels.astype(">u2").reshape(height, -1).tobytes()
    stride = len(rows) // height
    raw = b"".join(b"\0" + rows[i * stride : (i + 1) * stride] for i in range(height))
    header = struct.pack(">IIBBBBB", width, height, 16, colour_type, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9))
            + chunk(b"IEND", b""))


def deep(image: Image.Image) -> np.ndarray:
    """8-bit pixels widened to 16 bits with a ramp in the low byte, so both bytes carry data."""
    pixels = np.asarray(image).astype(np.uint16) * 257
    ramp = (np.arange(image.width, dtype=np.uint16) * 3)[None, :]
    return pixels ^ (ramp if pixels.ndim == 2 else ramp[..., None])


def save(image: Image.Image, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def animated(fmt: str, **options: object) -> bytes:
    frames = [photo().rotate(angle) for angle in (0, 90, 180)]
    if fmt == "GIF":
        frames = [frame.convert("P", palette=Image.Palette.ADAPTIVE) for frame in frames]
    buffer = io.BytesIO()
    frames[0].save(buffer, fmt, save_all=True, append_images=frames[1:], duration=100, loop=0, **options)
    return buffer.getvalue()


FIXTURES: dict[str, Callable[[], bytes]] = {
    "png-grey.png": lambda: save(photo().convert("L"), "PNG"),
    "png-grey-1bit.png": lambda: save(photo().convert("1"), "PNG"),
    "png-rgb.png": lambda: save(photo(), "PNG"),
    "png-rgb-interlaced-300dpi.png": lambda: save(photo(), "PNG", interlace=1, dpi=(300, 300)),
    "png-palette.png": lambda: save(photo().convert("P", palette=Image.Palette.ADAPTIVE), "PNG"),
    "png-palette-trns.png": lambda: save(photo().convert("P", palette=Image.Palette.ADAPTIVE), "PNG", transparency=0),
    "png-grey-alpha.png": lambda: save(with_alpha(photo()).convert("LA"), "PNG"),
    "png-rgba.png": lambda: save(with_alpha(photo()), "PNG"),
    "png-grey-16bit.png": lambda: png_16bit(deep(photo().convert("L")), 0),
    "png-rgb-16bit.png": lambda: png_16bit(deep(photo()), 2),
    "png-rgba-16bit.png": lambda: png_16bit(deep(with_alpha(photo())), 6),
    "webp-lossy.webp": lambda: save(photo(), "WEBP", quality=80),
    "webp-lossless.webp": lambda: save(photo(), "WEBP", lossless=True),
    "webp-alpha.webp": lambda: save(with_alpha(photo()), "WEBP", quality=80),
    "webp-animated.webp": lambda: animated("WEBP", quality=80),
    "gif.gif": lambda: save(photo().convert("P", palette=Image.Palette.ADAPTIVE), "GIF"),
    "gif-transparent.gif": lambda: save(photo().convert("P", palette=Image.Palette.ADAPTIVE), "GIF", transparency=0),
    "gif-animated.gif": lambda: animated("GIF", disposal=2),
    "avif.avif": lambda: save(photo(), "AVIF", quality=70),
    "avif-alpha.avif": lambda: save(with_alpha(photo()), "AVIF", quality=70),
    "bmp.bmp": lambda: save(photo(), "BMP"),
    "ico.ico": lambda: save(photo(), "ICO", sizes=[(16, 16), (32, 32), (48, 48)]),
}


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, make in FIXTURES.items():
        (OUT / name).write_bytes(make())
        print(f"{name}: {(OUT / name).stat().st_size} bytes")


if __name__ == "__main__":
    main()
