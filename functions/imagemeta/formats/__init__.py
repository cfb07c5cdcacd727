"""The image formats the core reads, one module each (a family, for HEIC, HEIF and AVIF): the registry.

Each module holds what the core knows about its format, as an `ImageFormat` (image_format.py): its names and
mime type, its signature, the libvips loader that reads it as sharp does, its container walk and its bounds,
its shrink-on-load, its decoder's memory and time, which decode paths serve it, and where its quality and EXIF
come from. The code that runs on pixels (libvips.py, pillow_jpeg.py, palette.py, hevc.py, avif.py) is named by
the format and lives apart, so importing the registry loads no imaging library (the media library's domain
reads it in functions that must not: tests/unit/test_purity.py); the two format functions that need one on the
imaging path (Pillow's zigzag order, the AVIF path's fixed cost) import it where they run.
"""
from __future__ import annotations

from .bmp_ico import BMP, ICO
from .gif import GIF
from .heif import ISO_BMFF
from .image_format import ImageFormat
from .jpeg import JPEG
from .png import PNG
from .tiff import TIFF
from .webp import WEBP

# In the order their signatures are tried.
FORMATS: tuple[ImageFormat, ...] = (JPEG, PNG, GIF, WEBP, TIFF, *ISO_BMFF, BMP, ICO)
# The first bytes a signature may need: an ISO-BMFF ftyp box's brands.
HEAD_SIZE = 64

__all__ = ["FORMATS", "HEAD_SIZE", "ImageFormat", "loaded_by", "sniff"]


def sniff(head: bytes | memoryview) -> ImageFormat | None:
    """The format whose signature the file's first bytes (HEAD_SIZE or fewer) bear; None for anything else."""
    head = bytes(head[:HEAD_SIZE])
    for image_format in FORMATS:
        if verdict := image_format.accepts(head):
            return image_format if verdict is True else None
    return None


def loaded_by(loader: str, head: bytes) -> ImageFormat | None:
    """The format of a file libvips' `loader` reads: the one of its formats whose signature the file bears, else the
    first of them (libheif reads ISO-BMFF files that no brand of ours names: HEIF); None for a loader of none."""
    formats = [image_format for image_format in FORMATS if image_format.loader == loader]
    sniffed = sniff(head)
    return sniffed if sniffed in formats else next(iter(formats), None)
