"""Image bytes or a file in, the contract's metadata object out, decoding no more than needed.

First one bounded walk of the container (`containers.walk`): a file of more segments, chunks or boxes
than its limits allow is refused (413) before any decoder walks it, and the walk's blocks serve both
this object (a JPEG's quantization tables and EXIF block) and embeddedMetadata. Then libvips (pyvips)
reads the header and computes the pHash sample exactly as sharp does (probe.py, sample.py); Pillow
decodes where it is faster with the same pixels (JPEG, palette images) and the BMP and ICO formats.
What differs by format (where the quality and EXIF come from, which decoder) is each format's (formats/).
"""
from __future__ import annotations

import os
from collections.abc import Callable

import pyvips

from .containers import walk
from .errors import ImageMetaError, NotAnImage, TooLarge
from .formats.walking import EXIF_PREFIX, Walk, as_bytes
from .limits import DEFAULT_LIMITS, Limits
from .node_exif import parse_exif
from .phash import dct_hash
from .probe import Probe, probe
from .sample import grey_sample

Source = bytes | bytearray | memoryview | str | os.PathLike
# Shown what was decoded for the pHash (the header's facts and the pixels as loaded): the thumbnail reuses
# a JPEG's scaled decode (thumbnail.py) instead of decoding the file again.
Decoded = Callable[[Probe, pyvips.Image], None]


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
    data = as_bytes(_read_source(source, limits))
    return extract_walked(data, walk(data), limits)


def refuse_over_limit(structure: Walk) -> None:
    """TooLarge (the contract's 413, naming the bound) when the walk ended at a bound: a limit of the service,
    not a fault of the file."""
    if structure.over_limit:
        raise TooLarge(
            f"The file's structure is larger than the service reads: {structure.stopped}.",
            help="Re-encode the image without the extra segments, chunks or frames.",
            detail=f"container walk stopped: {structure.stopped}",
        )


def extract_walked(data: bytes, structure: Walk, limits: Limits = DEFAULT_LIMITS,
                   decoded: Decoded | None = None) -> dict:
    """The metadata object of a file already walked (`containers.walk(data)`): the ingest's single pass."""
    refuse_over_limit(structure)
    try:
        return _extract(data, structure, limits, decoded)
    except ImageMetaError:
        raise
    except Exception as error:  # noqa: BLE001 - decoders raise anything on hostile bytes; bad input is a 400
        raise NotAnImage(detail=f"{type(error).__name__}: {error}") from None


def _extract(data: bytes, structure: Walk, limits: Limits, decoded: Decoded | None) -> dict:
    found = probe(data, structure)
    limits.check_pixels(found.width, found.height)
    limits.check_decoding(found.layout)
    quality, exif = (0, b"") if found.facts is None else found.format.quality_and_exif(data, structure, found.facts)
    pixels = found.pixels()
    if decoded is not None:
        decoded(found, pixels)
    return {
        "height": found.height,
        "width": found.width,
        "size": len(data),
        "format": found.format.name,
        "hasColorProfile": found.has_profile,
        "quality": quality,
        "density": found.density,
        "hasTransparency": found.has_alpha,
        "pHash": dct_hash(grey_sample(pixels, found.orientation)),
        "exif": parse_exif(exif[len(EXIF_PREFIX):] if exif.startswith(EXIF_PREFIX) else exif),
    }
