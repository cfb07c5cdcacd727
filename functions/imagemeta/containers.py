"""The bounded walk of a file's container: which metadata blocks it holds, found without decoding a pixel.

`walk(data)` takes the format from the file's signature (`formats.sniff`) and runs that format's own walk
(`ImageFormat.blocks`: JPEG marker segments, PNG chunks, RIFF chunks, GIF blocks, TIFF IFD0 entries, ISO-BMFF
boxes and items), returning the EXIF, XMP and IPTC blocks in the order ExifTool processes them. Every walk is
bounded (`WalkLimits`): units visited, metadata units, bytes kept per block and per file, bytes inflated from
compressed chunks. Reaching a limit ends the walk early with what was found and `Walk.over_limit` set, so a
caller that must refuse hostile files (the decoder's pre-checks) can answer 413, and one that reads metadata
(embeddedMetadata) keeps what it has. A structural fault (truncation, a length past the end) ends the walk the
same way without `over_limit`. Design: docs/embedded-metadata.md; the bounds: docs/limits.md.
"""
from __future__ import annotations

import struct
from dataclasses import replace

from .formats import sniff
from .formats.walking import DEFAULT_WALK_LIMITS, Budget, Walk, WalkLimits, WalkStopped, as_bytes


def walk(data: bytes | bytearray | memoryview, limits: WalkLimits = DEFAULT_WALK_LIMITS) -> Walk:
    """The format and metadata blocks of an image file's bytes, within the limits; never raises."""
    view = memoryview(as_bytes(data))
    result = Walk(format=sniff(view))
    if result.format is None:
        return result
    budget = Budget(replace(limits, max_units=limits.max_gif_units) if result.format.frames_are_units else limits)
    try:
        for block in result.format.blocks(view, budget, result):
            result.blocks.append(block)
    except WalkStopped as stop:
        result.stopped, result.over_limit = str(stop), stop.over_limit
    except (struct.error, IndexError, ValueError) as error:
        result.stopped = f"malformed: {error}"
    result.units, result.metadata_bytes, result.inflated = budget.units, budget.metadata_bytes, budget.inflated
    return result
