"""HEIC/HEIF/AVIF: recognised by the ftyp brands; HEVC pixels from pillow-heif, imported only when one arrives.

libvips reads every HEIF header; AVIF's pixels come from avif.py (dav1d) or libvips' own AV1 decoder. The
libvips wheel, like sharp's libvips, has no HEVC decoder, so a HEIC's pixels come from pillow-heif's libheif.
"""
from __future__ import annotations

import pyvips

from . import libvips
from .sample import shrinks

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


def decode_heif(data: bytes | bytearray | memoryview, profile: bytes | None) -> pyvips.Image:
    """The primary image (container rotation applied, as libvips does) already at 32x32, tagged with `profile`.

    sharp cannot read HEVC, so there is no hash to equal: the Lanczos resize runs first, on the decoded
    RGB, and the profile and grey conversion then cost 1,024 pixels instead of millions.
    """
    image = heif_pixels(data)
    width, height = image.width, image.height
    hshrink, vshrink = shrinks(width, height)
    if hshrink != 1.0 or vshrink != 1.0:
        image = image.resize(1.0 / hshrink, vscale=1.0 / vshrink, kernel="lanczos3").copy_memory()
    return libvips.with_profile(image, profile)


def heif_pixels(data: bytes | bytearray | memoryview) -> pyvips.Image:
    """The primary image decoded whole by pillow-heif (container rotation applied), 8-bit, in memory."""
    import pillow_heif  # heavy: only when such a file arrives

    heif = pillow_heif.open_heif(data, convert_hdr_to_8bit=True)
    bands = len(heif.mode)
    width, height = heif.size
    row_bytes, stride, decoded = width * bands, heif.stride, memoryview(heif.data)
    pixels: bytes | memoryview = decoded
    if stride != row_bytes:  # libheif pads rows; libvips wants them packed
        pixels = b"".join(decoded[row * stride : row * stride + row_bytes] for row in range(height))
    return pyvips.Image.new_from_memory(pixels, width, height, bands, "uchar").copy(interpretation="srgb")
