"""Issue 23: every hostile class (tests/hostile.py) is refused with a 413 naming its bound, before libvips or
Pillow is handed the file, having done no more than the bound's work; the same shape just under the bound is
read as before.

Work is asserted on what the code reports: the walk's units, metadata bytes and inflated bytes (`Walk`), the
readers' spent units (`ReadBudget.spent`); "before the decoders" by making libvips' loader fail the test if
called. Sizes are the defaults' (docs/limits.md), just past and just under. Time and memory at full size are
`make bench`'s (Robustness, Memory bound).
"""
from __future__ import annotations

from collections.abc import Callable

import pytest

from imagemeta import TooLarge, embedded_metadata, extract, extract_with_embedded
from imagemeta import libvips as libvips_module
from imagemeta.containers import DEFAULT_WALK_LIMITS, walk
from imagemeta.embedded import from_walk
from imagemeta.embedded import xmp as xmp_module
from imagemeta.embedded.read_budget import DEFAULT_READ_LIMITS, ReadBudget

from .. import hostile

INFLATED_BOUND = DEFAULT_WALK_LIMITS.max_inflated_bytes
METADATA_BOUND = DEFAULT_WALK_LIMITS.max_metadata_bytes
WALK_REFUSED = "The file's structure is larger than the service reads: "


@pytest.fixture
def no_decoder(monkeypatch: pytest.MonkeyPatch) -> None:
    """libvips' loader and Pillow's open fail the test: a refusal must come before either is handed the file."""
    def handed(*_: object, **__: object) -> None:
        raise AssertionError("a decoder was handed the file")

    monkeypatch.setattr(libvips_module, "load", handed)
    monkeypatch.setattr("PIL.Image.open", handed)


# (class, builder just past its walk bound, the bound's words in the 413)
WALK_CLASSES: dict[str, tuple[Callable[[], bytes], str]] = {
    "PNG zTXt": (lambda: hostile.png_compressed_text(2, 4_200_000),
                 "its PNG text and ICC chunks would inflate to more than 8 MiB"),
    "PNG compressed iTXt": (lambda: hostile.png_compressed_text(2, 4_200_000, b"iTXt"),
                            "its PNG text and ICC chunks would inflate to more than 8 MiB"),
    "PNG iCCP": (lambda: hostile.png_icc_profile(9_000_000),
                 "its PNG text and ICC chunks would inflate to more than 8 MiB"),
    "PNG eXIf chunks": (lambda: hostile.png_exif_chunks(600),
                        "its metadata segments, chunks and extensions hold more than 16 MiB"),
    "JPEG APP2 ICC segments": (lambda: hostile.jpeg_icc_segments(300),
                               "its metadata segments, chunks and extensions hold more than 16 MiB"),
    "JPEG Extended XMP chunks": (lambda: hostile.jpeg_extended_xmp(300),
                                 "its metadata segments, chunks and extensions hold more than 16 MiB"),
    "GIF comment": (lambda: hostile.gif_comment(17_000_000),
                    "its metadata segments, chunks and extensions hold more than 16 MiB"),
    "WebP EXIF chunks": (lambda: hostile.webp_chunks(600, 30_000),
                         "its metadata segments, chunks and extensions hold more than 16 MiB"),
    "TIFF shared values": (lambda: hostile.tiff_shared_values(3, 1_000_000), "its IFD0 values add up to more than"),
    "AVIF items": (lambda: hostile.heif_items(300), "more than 256 items"),
}


@pytest.mark.parametrize("name", WALK_CLASSES)
def test_a_structure_past_a_walk_bound_is_413_naming_it_before_any_decoder(name: str, no_decoder: None) -> None:
    build, bound = WALK_CLASSES[name]
    data = build()
    found = walk(data)
    assert found.over_limit and bound in str(found.stopped)
    # The work done: inflation stops one byte past its bound, metadata bytes at the unit that passed theirs (a
    # segment, a chunk, or the 1 MB of full GIF sub-blocks the walk steps over at once).
    assert found.inflated <= INFLATED_BOUND + 1
    assert found.metadata_bytes <= METADATA_BOUND + (1 << 20)
    for read in (extract, extract_with_embedded):
        with pytest.raises(TooLarge) as refused:
            read(data)
        assert refused.value.message.startswith(WALK_REFUSED) and bound in refused.value.message


def test_every_compressed_png_chunk_counts_kept_or_not() -> None:
    # Plain comments are no metadata block of ours, but libspng inflates them all: they count.
    found = walk(hostile.png_compressed_text(100, 7_000_000))
    assert found.over_limit and found.blocks == []
    assert found.inflated == INFLATED_BOUND + 1  # 8 MiB and the byte that passed it, of the 700 MB


# (class, builder just past its reader bound, the ReadLimits field, the bound's words in the 413)
READER_CLASSES: dict[str, tuple[Callable[[], bytes], str, str]] = {
    "XMP attributes": (lambda: hostile.png_xmp_attributes(20_001), "max_xmp_nodes", "20,000 XMP elements and attributes"),
    "XMP packets": (lambda: hostile.jpeg_xmp_packets(9), "max_xmp_nodes", "20,000 XMP elements and attributes"),
    "IPTC blocks": (lambda: hostile.jpeg_iptc_blocks(6), "max_iptc_datasets", "65,536 IPTC datasets"),
    "Photoshop resources": (lambda: hostile.jpeg_photoshop_resources(5), "max_photoshop_resources",
                            "4,096 Photoshop image resources"),
    "EXIF blocks": (lambda: hostile.jpeg_exif_blocks(17), "max_exif_entries", "16,384 EXIF IFD entries"),
}


@pytest.mark.parametrize("name", READER_CLASSES)
def test_metadata_past_a_reader_bound_is_413_naming_it_before_any_decoder(name: str, no_decoder: None) -> None:
    build, bound, words = READER_CLASSES[name]
    data = build()
    budget = ReadBudget()
    with pytest.raises(TooLarge) as refused:
        from_walk(walk(data), budget)
    assert words in refused.value.message
    # The readers stopped at the unit (or the block's pre-count) that passed the bound.
    limit = getattr(DEFAULT_READ_LIMITS, bound)
    assert limit < budget.spent[bound] <= limit + 13_000
    with pytest.raises(TooLarge, match=words):
        extract_with_embedded(data)
    with pytest.raises(TooLarge, match=words):
        embedded_metadata(data)


def test_xmp_attributes_are_counted_before_expat_builds_them(monkeypatch: pytest.MonkeyPatch) -> None:
    def parser(*_: object, **__: object) -> None:
        raise AssertionError("expat was handed the packet")

    monkeypatch.setattr(xmp_module.expat, "ParserCreate", parser)
    budget = ReadBudget()
    with pytest.raises(TooLarge):
        from_walk(walk(hostile.png_xmp_attributes(600_000)), budget)
    assert budget.spent["max_xmp_nodes"] > 600_000  # every "=", counted at once


def test_exif_values_past_the_files_bound_are_left_out_not_refused() -> None:
    # Values, like a block's, are left out past the file's bound; each block alone is within its own.
    budget = ReadBudget()
    from_walk(walk(hostile.jpeg_exif_blocks(2)), budget)
    assert budget.spent["max_exif_values"] <= DEFAULT_READ_LIMITS.max_exif_values


def plain(fmt: str) -> dict:
    meta = extract(hostile.encoded(fmt))
    return {key: value for key, value in meta.items() if key != "size"}


# Each class's shape just under its bounds: read, with the metadata object the plain image has.
UNDER_BOUNDS: dict[str, tuple[Callable[[], bytes], str]] = {
    "PNG zTXt": (lambda: hostile.png_compressed_text(2, 4_000_000), "PNG"),
    "PNG compressed iTXt": (lambda: hostile.png_compressed_text(2, 4_000_000, b"iTXt"), "PNG"),
    "PNG eXIf chunks": (lambda: hostile.png_exif_chunks(500), "PNG"),
    "JPEG APP2 segments": (lambda: hostile.jpeg_with(*[hostile.jpeg_segment(0xE2, b"X" * 65_000)] * 250), "JPEG"),
    "GIF comment": (lambda: hostile.gif_comment(16_000_000), "GIF"),
    "WebP EXIF chunks": (lambda: hostile.webp_chunks(500, 30_000), "WEBP"),
    "XMP attributes": (lambda: hostile.png_xmp_attributes(19_000), "PNG"),
    "XMP packets": (lambda: hostile.jpeg_xmp_packets(7), "JPEG"),
    "IPTC blocks": (lambda: hostile.jpeg_iptc_blocks(5), "JPEG"),
    "Photoshop resources": (lambda: hostile.jpeg_photoshop_resources(4), "JPEG"),
    "EXIF blocks": (lambda: hostile.jpeg_exif_blocks(15), "JPEG"),
}


@pytest.mark.parametrize("name", UNDER_BOUNDS)
def test_the_same_shape_under_the_bounds_is_read_as_before(name: str) -> None:
    build, fmt = UNDER_BOUNDS[name]
    data = build()
    meta, embedded = extract_with_embedded(data)
    assert {key: value for key, value in meta.items() if key not in ("size", "exif")} == {
        key: value for key, value in plain(fmt).items() if key != "exif"}
    assert meta["size"] == len(data) and isinstance(embedded, dict)


def test_xmp_just_under_the_bound_is_read_whole() -> None:
    embedded = embedded_metadata(hostile.png_xmp_attributes(19_000))
    assert embedded["A0"] == "v" and embedded["A4a37"] == "v"  # the first and the last attribute (0x4a37)
    assert sum(name.startswith("A") for name in embedded) == 19_000


def test_iptc_just_under_the_bound_keeps_every_dataset() -> None:
    # 64,950 datasets in five blocks: all read; the first block's Keywords stay (a second block ranks lower).
    assert embedded_metadata(hostile.jpeg_iptc_blocks(5)) == {"Keywords": [""] * 12_990}
