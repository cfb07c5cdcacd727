"""HEIC/HEIF/AVIF: recognised by the ftyp brands; pillow-heif is imported only when one arrives."""
from __future__ import annotations

from typing import BinaryIO

from PIL import Image, features

_SPECIFIC = {
    b"heic": "heic", b"heix": "heic", b"heim": "heic", b"heis": "heic", b"hevc": "heic",
    b"hevx": "heic", b"avif": "avif", b"avis": "avif",
}
_GENERIC = {b"mif1", b"msf1", b"mif2"}
HEAD_SIZE = 64


def heif_format(head: bytes) -> str | None:
    """`heic`, `heif` or `avif` from the first bytes of an ISO-BMFF file; None for anything else."""
    if len(head) < 16 or head[4:8] != b"ftyp":
        return None
    box_end = min(int.from_bytes(head[:4], "big"), len(head))
    brands = [head[8:12]] + [head[i : i + 4] for i in range(16, box_end - 3, 4)]
    for brand in brands:
        if brand in _SPECIFIC:
            return _SPECIFIC[brand]
    return "heif" if any(brand in _GENERIC for brand in brands) else None


def open_heif(fp: BinaryIO, fmt: str) -> Image.Image:
    """Open a HEIF-family file header-only: Pillow's own AVIF plugin when built in, else pillow-heif."""
    if fmt == "avif" and features.check("avif"):
        return Image.open(fp, formats=["AVIF"])
    import pillow_heif  # heavy: only when such a file arrives

    pillow_heif.register_heif_opener()
    return Image.open(fp, formats=["HEIF"])
