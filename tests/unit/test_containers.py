"""containers.walk: the metadata blocks of every format, in order, and its bounds on hostile structures.

Inputs: the metadata fixtures (tests/data/images/metadata, scripts/make_metadata_fixtures.py) and files built
here with struct and zlib; the bounds are lowered with WalkLimits rather than building huge files.
"""
from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image

from imagemeta.containers import walk
from imagemeta.formats import sniff
from imagemeta.formats.jpeg import jpeg_segments
from imagemeta.formats.png import png_chunks
from imagemeta.formats.walking import Budget, LimitReached, Malformed, WalkLimits
from imagemeta.formats.webp import WEBP

from ..paths import IMAGES

METADATA = IMAGES / "metadata"
SMALL = WalkLimits(max_units=200, max_gif_units=200, max_metadata_units=20, max_block_bytes=4096, max_total_bytes=8192,
                   max_inflated_bytes=8192)


def kinds(name: str) -> list[tuple[str, str]]:
    return [(block.kind, block.source) for block in walk((METADATA / name).read_bytes()).blocks]


def test_each_format_yields_its_blocks_in_exiftools_order() -> None:
    assert kinds("conflicts.jpg") == [("exif", "APP1"), ("photoshop", "APP13"), ("xmp", "APP1")]
    assert kinds("xmp-extended.jpg") == [("exif", "APP1"), ("xmp", "APP1"), ("xmp-extension", "APP1"),
                                         ("xmp-extension", "APP1")]
    assert kinds("metadata.png") == [("photoshop", "zTXt Raw profile type iptc"), ("xmp", "iTXt XML:com.adobe.xmp"),
                                     ("exif", "eXIf")]
    assert kinds("metadata-compressed.png") == [("xmp", "iTXt XML:com.adobe.xmp"), ("exif", "eXIf")]
    assert kinds("metadata.webp") == [("exif", "EXIF chunk"), ("xmp", "XMP chunk")]
    assert kinds("metadata.gif") == [("xmp", "XMP application extension")]
    assert kinds("metadata.tif") == [("exif", "TIFF"), ("xmp", "IFD0 tag 700"), ("iptc", "IFD0 tag 33723")]
    for name in ("metadata.heic", "metadata.avif"):
        assert [kind for kind, _ in kinds(name)] == ["exif", "xmp"]


@pytest.mark.parametrize("name", ["iptc-reference.jpg", "metadata.png", "metadata.webp", "metadata.tif",
                                  "metadata.heic", "metadata.avif"])
def test_an_exif_blocks_offset_is_where_its_tiff_header_lies_in_the_file(name: str) -> None:
    data = (METADATA / name).read_bytes()
    (exif,) = [block for block in walk(data).blocks if block.kind == "exif"]
    assert data[exif.offset : exif.offset + 4] == bytes(exif.data[:4])
    assert bytes(exif.data[:4]) in (b"MM\x00*", b"II*\x00")


def test_tiff_blocks_inside_ifd0_are_marked_nested_and_xmp_ends_at_its_gif_trailer() -> None:
    assert [block.nested for block in walk((METADATA / "metadata.tif").read_bytes()).blocks] == [False, True, True]
    (gif_xmp,) = walk((METADATA / "metadata.gif").read_bytes()).blocks
    assert bytes(gif_xmp.data).rstrip().endswith(b"<?xpacket end='w'?>")


def test_unknown_bytes_have_no_format() -> None:
    assert sniff(b"<html>" + bytes(64)) is None
    assert walk(b"not an image at all").format is None


def jpeg(*segments: bytes) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, "JPEG")
    data = out.getvalue()
    return data[:2] + b"".join(segments) + data[2:]


def segment(marker: int, payload: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload


def test_a_flood_of_com_markers_is_cut_at_the_metadata_bound_keeping_what_came_first() -> None:
    data = jpeg(segment(0xE1, b"Exif\x00\x00MM\x00*\x00\x00\x00\x08\x00\x00"), b"\xff\xfe\x00\x02" * 1000)
    walked = walk(data, SMALL)
    assert walked.over_limit and "metadata" in walked.stopped
    assert [block.kind for block in walked.blocks] == ["exif"]
    assert walked.units == SMALL.max_metadata_units + 1


def test_a_truncated_segment_is_a_fault_not_a_limit() -> None:
    data = jpeg(segment(0xE1, b"Exif\x00\x00MM\x00*\x00\x00\x00\x08\x00\x00"))
    cut = data[: data.index(b"\xff\xdb") + 3]
    walked = walk(cut)
    assert walked.stopped and not walked.over_limit and [block.kind for block in walked.blocks] == ["exif"]


def test_the_segment_iterator_can_be_used_alone_with_its_budget() -> None:
    data = memoryview(jpeg(b"\xff\xfe\x00\x02" * 100))
    with pytest.raises(LimitReached):
        list(jpeg_segments(data, Budget(SMALL)))
    with pytest.raises(Malformed):
        list(jpeg_segments(memoryview(b"\xff\xd8\x00\x00"), Budget()))


def png(*chunks: bytes) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, "PNG")
    data = out.getvalue()
    return data[:33] + b"".join(chunks) + data[33:]


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def test_floods_of_text_or_image_chunks_stop_at_their_bounds() -> None:
    texts = walk(png(*[chunk(b"tEXt", b"k\x00v")] * 500), SMALL)
    assert texts.over_limit and "metadata" in texts.stopped
    images = walk(png(*[chunk(b"IDAT", b"")] * 500), SMALL)
    assert images.over_limit and "structural units" in images.stopped
    with pytest.raises(LimitReached):
        list(png_chunks(memoryview(png(*[chunk(b"IDAT", b"")] * 500)), Budget(SMALL)))


def test_a_deflate_bomb_ends_the_walk_over_its_bound_after_bounded_inflation() -> None:
    # Every compressed chunk counts, kept or not: libspng inflates them all on a header read.
    bomb = chunk(b"zTXt", b"Comment\x00\x00" + zlib.compress(bytes(10 << 20), 9))
    walked = walk(png(bomb, bomb, bomb), SMALL)
    assert walked.over_limit
    assert walked.stopped == "its PNG text and ICC chunks would inflate to more than 8192 bytes"
    budget = Budget(SMALL)
    with pytest.raises(LimitReached):
        budget.inflate(zlib.compress(bytes(10 << 20), 9), "test chunks")
    # All the inflation of a file is bounded: its bytes, and one more that tells it is too much.
    assert budget.inflated == SMALL.max_inflated_bytes + 1


def test_compressed_chunks_within_the_bound_are_inflated_and_kept() -> None:
    small = chunk(b"zTXt", b"Comment\x00\x00" + zlib.compress(bytes(2000), 9))
    xmp = chunk(b"iTXt", b"XML:com.adobe.xmp\x00\x01\x00\x00\x00"
                + zlib.compress(b"<x:xmpmeta xmlns:x='adobe:ns:meta/'/>"))
    walked = walk(png(small, small, xmp), SMALL)
    assert not walked.stopped and [block.kind for block in walked.blocks] == ["xmp"]
    assert bytes(walked.blocks[0].data) == b"<x:xmpmeta xmlns:x='adobe:ns:meta/'/>"


def test_oversized_blocks_are_skipped_and_named() -> None:
    walked = walk(jpeg(segment(0xE1, b"http://ns.adobe.com/xap/1.0/\x00" + b" " * 5000)), SMALL)
    assert walked.blocks == [] and walked.skipped and "xmp block of 5000 bytes" in walked.skipped[0]


def test_a_gif_of_tiny_sub_blocks_stops_at_the_unit_bound() -> None:
    out = io.BytesIO()
    Image.new("P", (8, 8)).save(out, "GIF")
    data = out.getvalue()
    comment = b"\x21\xfe" + b"\x01x" * 1000 + b"\x00"
    walked = walk(data[:-1] + comment + data[-1:], SMALL)
    assert walked.over_limit


def test_a_tiff_with_a_huge_ifd0_is_refused_after_its_exif_block() -> None:
    header = b"II*\x00" + struct.pack("<I", 8) + struct.pack("<H", 5000)
    walked = walk(header + bytes(12 * 5000 + 4))
    assert walked.over_limit and [block.kind for block in walked.blocks] == ["exif"]


def test_a_riff_chunk_past_the_end_is_a_fault() -> None:
    data = b"RIFF" + struct.pack("<I", 100) + b"WEBP" + b"EXIF" + struct.pack("<I", 1000) + b"MM\x00*"
    walked = walk(data)
    assert walked.format is WEBP and walked.stopped and not walked.over_limit and walked.blocks == []


def test_a_run_of_fill_bytes_counts_against_the_unit_bound() -> None:
    walked = walk(jpeg(b"\xff" * 10_000), SMALL)
    assert walked.over_limit and "structural units" in walked.stopped
