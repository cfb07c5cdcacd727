"""BMP and ICO: sharp's libvips reads neither, so Pillow opens and decodes both (probe.py); their containers hold no
metadata block the core reads."""
from __future__ import annotations

from .image_format import ImageFormat

BMP = ImageFormat(name="bmp", title="BMP", mime="image/bmp", accepts=lambda head: head[:2] == b"BM", pillow_name="BMP")
ICO = ImageFormat(name="ico", title="ICO", mime="image/vnd.microsoft.icon",
                  accepts=lambda head: head[:4] == b"\x00\x00\x01\x00", pillow_name="ICO")
