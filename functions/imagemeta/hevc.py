"""HEVC pixels (a HEIC's, or any HEIF file's) from pillow-heif, imported only when one arrives.

libvips reads every HEIF header (formats/heif.py); the libvips wheel, like sharp's libvips, has no HEVC decoder,
so such pictures come from pillow-heif's libheif. AV1 is avif.py's (dav1d) or libvips' own.
"""
from __future__ import annotations

import pyvips

from . import libvips
from .sample import shrinks


def pixels(data: bytes | bytearray | memoryview, header: pyvips.Image) -> pyvips.Image | None:
    """A HEIF file's HEVC picture, decoded by pillow-heif; None for AV1, which libheif in libvips can decode."""
    if libvips.field(header, "heif-compression") == "av1":
        return None
    return decode_heif(data, libvips.profile(header))


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
