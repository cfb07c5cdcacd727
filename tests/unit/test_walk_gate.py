"""The container walk in front of the decoders: hostile structures are refused before any decoder walks them,
and a JPEG's tables, EXIF and pixels come from one walk.

Inputs are built here (Pillow for the images, struct and zlib for the added structure), small: the
default WalkLimits (16,384 units, 1,024 metadata units; 262,144 units for a GIF, whose frames are image
data) are passed with 20,000 of a unit (150,000 GIF frames). Expectations: a 413 (TooLarge) naming the
bound from both `extract` and the ingest's `extract_with_embedded`; for legal files,
Pillow's own reading of the same tables and libvips' own hash of the file without the extra segments.
The time these inputs cost at full size is in `make bench` (Robustness).
"""
from __future__ import annotations

import io
import struct
from collections.abc import Callable

import pytest
from PIL import Image

from imagemeta import TooLarge, extract, extract_with_embedded
from imagemeta.containers import walk
from imagemeta.formats.jpeg import decoder_input, quantization_tables

from ..hostile import encoded, jpeg_segment, png_chunk, riff_chunk
from ..paths import IMAGES

MANY = 20_000
MANY_FRAMES = 150_000  # two units each (image descriptor, one short sub-block): past the GIF bound


def jpeg_with_comments() -> bytes:
    jpeg = encoded("JPEG")
    return jpeg[:2] + b"\xff\xfe\x00\x02" * MANY + jpeg[2:]


def png_with_text_chunks() -> bytes:
    png = encoded("PNG")
    return png[:33] + png_chunk(b"tEXt", b"k\0v") * MANY + png[33:]


def gif_with_frames(frames: int = MANY_FRAMES) -> bytes:
    gif = encoded("GIF", (1, 1))
    image = gif.index(b"\x2c")
    return gif[:image] + gif[image:-1] * frames + b"\x3b"


def webp_with_chunks() -> bytes:
    webp = encoded("WEBP")
    body = webp[12:] + riff_chunk(b"JUNK", b"") * MANY
    return b"RIFF" + struct.pack("<I", len(body) + 4) + b"WEBP" + body


def tiff_with_entries() -> bytes:
    tiff = encoded("TIFF")
    ifd = struct.pack("<I", len(tiff)) if tiff[:2] == b"II" else None
    assert ifd is not None
    entries = struct.pack("<H", MANY) + struct.pack("<HHII", 0xC000, 1, 1, 0) * MANY + struct.pack("<I", 0)
    return tiff[:4] + ifd + tiff[8:] + entries


def heif_with_boxes() -> bytes:
    heic = (IMAGES / "formats" / "avif.avif").read_bytes()
    ftyp = int.from_bytes(heic[:4], "big")
    return heic[:ftyp] + struct.pack(">I4s", 8, b"free") * MANY + heic[ftyp:]


HOSTILE: dict[str, Callable[[], bytes]] = {
    "JPEG, 20,000 COM markers": jpeg_with_comments,
    "PNG, 20,000 text chunks": png_with_text_chunks,
    "GIF, 150,000 frames": gif_with_frames,
    "WebP, 20,000 chunks": webp_with_chunks,
    "TIFF, IFD0 of 20,000 entries": tiff_with_entries,
    "AVIF, 20,000 boxes": heif_with_boxes,
}


@pytest.mark.parametrize("name", HOSTILE)
def test_a_structure_past_the_walk_limits_is_refused_before_decoding(name: str) -> None:
    data = HOSTILE[name]()
    assert walk(data).over_limit
    with pytest.raises(TooLarge) as refused:
        extract(data)
    assert refused.value.message.startswith("The file's structure is larger than the service reads: ")
    assert "container walk stopped" in refused.value.detail
    with pytest.raises(TooLarge):
        extract_with_embedded(data)


def test_the_refused_shapes_are_read_within_the_limits() -> None:
    # The same constructions with a few units are ordinary files: the refusals above are the counts'.
    jpeg = encoded("JPEG")
    png = encoded("PNG")
    assert extract(jpeg[:2] + b"\xff\xfe\x00\x02" * 50 + jpeg[2:])["format"] == "jpg"
    assert extract(png[:33] + png_chunk(b"tEXt", b"k\0v") * 50 + png[33:])["format"] == "png"
    # A long animation is image data, not a hostile structure: 20,000 frames are read.
    assert extract(gif_with_frames(MANY))["format"] == "gif"


def test_many_exif_segments_keep_the_first_and_the_pixels() -> None:
    plain = encoded("JPEG", (640, 480), quality=80)
    exif = Image.Exif()
    exif[0x010F] = "First camera"
    first = jpeg_segment(0xE1, b"Exif\0\0" + exif.tobytes())
    exif[0x010F] = "Second camera"
    other = jpeg_segment(0xE1, b"Exif\0\0" + exif.tobytes())
    data = plain[:2] + first + other * 300 + plain[2:]
    ours, alone = extract(data), extract(plain[:2] + first + plain[2:])
    assert ours["exif"]["image"]["Make"] == "First camera"
    assert ours == {**alone, "size": len(data)}


def test_the_decoder_gets_the_jpeg_without_its_metadata_segments() -> None:
    plain = encoded("JPEG", (640, 480))
    data = plain[:2] + jpeg_segment(0xE1, b"Exif\0\0" + b"\0" * 100) + jpeg_segment(0xFE, b"note") + plain[2:]
    assert b"".join(decoder_input(data, walk(data).segments)) == plain
    assert decoder_input(plain, walk(plain).segments) == (plain,)  # nothing to leave out: the file itself


@pytest.mark.parametrize("path", sorted((IMAGES / "exif-samples" / "jpg").rglob("*.jpg"))[:40], ids=lambda p: p.name)
def test_quantization_tables_are_pillows(path) -> None:
    data = path.read_bytes()
    with Image.open(io.BytesIO(data)) as image:
        expected = {table: list(values) for table, values in image.quantization.items()}
    assert quantization_tables(data, walk(data).segments) == expected
