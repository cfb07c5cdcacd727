"""parse_exif: the seed's golden object, node-exif parity over the test images, value rules, hostile blocks.

Expectations: tests/data/expected/node_exif.json is node-exif 0.6.0's output for every test JPEG, written by
scripts/expect_node_exif.js (`make golden`); the golden values are the seed document's example (tests/data/expected/seed_example.json).
Malformed blocks are built here with struct.
"""
import json
import math
import struct
from pathlib import Path

import pytest
from PIL import Image

from imagemeta.node_exif import GROUPS, MAX_BLOCK_VALUES, MAX_IFD_ENTRIES, TABLES, parse_exif

from ..paths import EXPECTED, IMAGES

# The example object of the hosted API's Metadata API page (the seed document), copied verbatim.
SEED = json.loads((EXPECTED / "seed_example.json").read_text())
NODE_EXIF = json.loads((EXPECTED / "node_exif.json").read_text())
NODE_FILES = {name: entry for name, entry in NODE_EXIF.items() if not name.startswith("_")}
CODES = {1: "B", 2: "s", 3: "H", 4: "L", 5: "L", 6: "b", 7: "s", 8: "h", 9: "l", 10: "l", 11: "f", 12: "d"}


def exif_bytes(path: Path) -> bytes | None:
    """The EXIF block Pillow finds in an image file (what the extractor hands to parse_exif)."""
    with Image.open(path) as image:
        return image.info.get("exif")


def same(ours: object, theirs: object) -> bool:
    """Equal, floats within a tiny relative tolerance, element-wise for lists."""
    if isinstance(ours, list) and isinstance(theirs, list):
        return len(ours) == len(theirs) and all(same(a, b) for a, b in zip(ours, theirs, strict=True))
    if isinstance(ours, float) and isinstance(theirs, (int, float)):
        return math.isclose(ours, theirs, rel_tol=1e-12)
    return type(ours) is type(theirs) and ours == theirs


class Block:
    """A little TIFF writer: IFDs with their out-of-line values appended in order, offsets from the header."""

    def __init__(self, order: str = "<") -> None:
        self.order = order
        self.body = bytearray((b"II*\x00" if order == "<" else b"MM\x00*") + bytes(4))

    def tell(self) -> int:
        """Offset the next IFD will get."""
        return len(self.body)

    def pack(self, kind: int, values: tuple | bytes) -> tuple[int, bytes]:
        """Count and stored bytes of one value."""
        if isinstance(values, bytes):
            return len(values), values
        count = len(values) // 2 if kind in (5, 10) else len(values)
        return count, struct.pack(f"{self.order}{len(values)}{CODES[kind]}", *values)

    def ifd(self, entries: list[tuple], next_offset: int = 0) -> int:
        """Append an IFD of (tag, type, values) or forged (tag, type, count, offset) entries; return its offset."""
        start = self.tell()
        data_at = start + 2 + 12 * len(entries) + 4
        table, data = bytearray(struct.pack(self.order + "H", len(entries))), bytearray()
        for tag, kind, *rest in entries:
            if len(rest) == 2:
                table += struct.pack(self.order + "HHLL", tag, kind, *rest)
                continue
            count, stored = self.pack(kind, rest[0])
            field = stored.ljust(4, b"\x00") if len(stored) <= 4 else struct.pack(self.order + "L", data_at + len(data))
            table += struct.pack(self.order + "HHL", tag, kind, count) + field
            data += stored if len(stored) > 4 else b""
        self.body += table + struct.pack(self.order + "L", next_offset) + data
        return start

    def root(self, offset: int) -> bytes:
        """The finished block with IFD0 at offset."""
        self.body[4:8] = struct.pack(self.order + "L", offset)
        return bytes(self.body)


def camera_block(order: str = "<") -> tuple[bytes, int]:
    """IFD0 with Exif, GPS and interop IFDs and an IFD1, like a camera JPEG's; also the Exif IFD's offset."""
    block = Block(order)
    interop = block.ifd([(0x0001, 2, b"R98\x00"), (0x0002, 7, b"0100")])
    exif = block.ifd([(0x829A, 5, (1, 160)), (0x9000, 7, b"0221"), (0xA005, 4, (interop,))])
    gps = block.ifd([(0x0000, 1, (2, 2, 0, 0)), (0x0002, 5, (43, 1, 28, 1, 2814, 1000))])
    ifd1 = block.ifd([(0x0103, 3, (6,)), (0x0201, 4, (1090,))])
    ifd0 = block.ifd([(0x010F, 2, b"Canon\x00"), (0x8769, 4, (exif,)), (0x8825, 4, (gps,))], ifd1)
    return block.root(ifd0), exif


def test_canon_40d_has_every_tag_of_the_seed() -> None:
    """The golden file: every key and value of the seed document's exif object is present and equal."""
    seed = SEED["exif"]
    ours = parse_exif(exif_bytes(IMAGES / "exif-samples/jpg/Canon_40D.jpg"))
    assert list(ours) == list(seed) == list(GROUPS)
    for group, tags in seed.items():
        for name, value in tags.items():
            assert same(ours[group].get(name), value), (group, name, ours[group].get(name), value)


@pytest.mark.parametrize("name", [name for name, entry in NODE_FILES.items() if "groups" in entry])
def test_every_tag_node_exif_reports_is_ours(name: str) -> None:
    """Each tag node-exif reports, renamed by its ID, is in our object with an equal value."""
    ours = parse_exif(exif_bytes(IMAGES / name))
    for group, tags in NODE_FILES[name]["groups"].items():
        names = TABLES["gps" if group == "gps" else "exif"]
        for tag in tags:
            assert tag["id"] in names, (group, tag)
            assert same(ours[group].get(names[tag["id"]]), tag["value"]), (group, names[tag["id"]], tag)


@pytest.mark.parametrize("name", [name for name, entry in NODE_FILES.items() if "error" in entry])
def test_files_node_exif_rejects_give_empty_groups(name: str) -> None:
    """Where node-exif fails (no EXIF segment, an XMP APP1), Pillow finds no EXIF and the raw file parses empty."""
    path = IMAGES / name
    assert exif_bytes(path) is None
    assert parse_exif(path.read_bytes()) == {group: {} for group in GROUPS}


def test_comparison_covers_the_camera_files() -> None:
    """The expectations hold the test JPEGs, most with EXIF that node-exif reads."""
    assert len([entry for entry in NODE_FILES.values() if "groups" in entry]) >= 25


@pytest.mark.parametrize("order", ["<", ">"])
def test_groups_pointers_and_value_shapes(order: str) -> None:
    """Both byte orders: IFD1 from IFD0's next pointer, the sub-IFDs, offsets as stored, bare vs list values."""
    block, exif_offset = camera_block(order)
    result = parse_exif(block)
    assert list(result) == list(GROUPS)
    assert result["image"]["Make"] == "Canon" and result["image"]["ExifOffset"] == exif_offset
    assert result["thumbnail"] == {"Compression": 6, "ThumbnailOffset": 1090}
    assert result["exif"]["ExposureTime"] == 0.00625 and result["exif"]["ExifVersion"] == "0221"
    assert result["gps"] == {"GPSVersionID": [2, 2, 0, 0], "GPSLatitude": [43, 28, 2.814]}
    assert result["interoperability"] == {"InteropIndex": "R98", "InteropVersion": "0100"}
    assert result["makernote"] == {}


def test_exif_prefix_and_buffer_types_are_accepted() -> None:
    """Pillow's JPEG block starts with Exif\\0\\0; bytearray and memoryview work like bytes."""
    block, _ = camera_block()
    expected = parse_exif(block)
    assert expected["image"]
    for data in (b"Exif\x00\x00" + block, bytearray(block), memoryview(block)):
        assert parse_exif(data) == expected


def test_value_rules() -> None:
    """Rationals integral as int and x/0 as null; floats; Latin-1 ASCII; UNDEFINED only when printable."""
    block = Block(">")
    ifd0 = block.ifd([
        (0x011A, 5, (72, 1)),  # XResolution
        (0x011B, 5, (7, 0)),  # YResolution: x/0
        (0x9204, 10, (-1, 3)),  # ExposureCompensation is an SRATIONAL
        (0x010E, 2, b" caf\xe9  \x00\x00"),  # ImageDescription: one NUL removed, spaces kept
        (0x9286, 7, b"ASCII\x00\x00\x00hi"),  # UserComment: not printable
        (0x9000, 7, b"0230"),  # ExifVersion
        (0x0111, 4, (10, 20, 30)),  # StripOffsets
        (0x0106, 8, (-2,)),  # PhotometricInterpretation as SSHORT
        (0xC61A, 11, (0.5,)),  # BlackLevel as FLOAT
        (0xC62A, 12, (1.25, -3.0)),  # BaselineExposure as DOUBLE
        (0xBEEF, 3, (1,)),  # an ID no table knows
    ])
    image = parse_exif(block.root(ifd0))["image"]
    assert image == {
        "XResolution": 72, "YResolution": None, "ExposureCompensation": -1 / 3, "ImageDescription": " caf\xe9  \x00",
        "ExifVersion": "0230", "StripOffsets": [10, 20, 30], "PhotometricInterpretation": -2, "BlackLevel": 0.5,
        "BaselineExposure": [1.25, -3.0],
    }
    assert type(image["XResolution"]) is int


def test_not_a_tiff_gives_six_empty_groups() -> None:
    """Anything without a TIFF header parses to the six empty groups, in the contract's order."""
    for data in (b"", b"Exif\x00\x00", b"\xff\xd8\xff\xe1", b"II+\x00" + bytes(20)):
        assert list(parse_exif(data).items()) == [(group, {}) for group in GROUPS]


def test_ifd_loops_are_read_once() -> None:
    """IFD0's next pointer at itself, and an Exif pointer back at IFD0, end without reading an IFD twice."""
    block = Block()
    start = block.tell()
    gps = start + 2 + 12 * 3 + 4 + 6
    block.ifd([(0x010F, 2, b"Maker\x00"), (0x8769, 4, (start,)), (0x8825, 4, (gps,))], next_offset=start)
    block.ifd([(0x0000, 1, (2, 3, 0, 0))], next_offset=start)
    result = parse_exif(block.root(start))
    assert result["image"]["Make"] == "Maker"
    assert result["thumbnail"] == {} and result["exif"] == {}
    assert result["gps"] == {"GPSVersionID": [2, 3, 0, 0]}


def test_offsets_and_counts_out_of_range_drop_only_that_tag() -> None:
    """A value past the end or a count that would read gigabytes leaves that tag out and keeps the rest."""
    block = Block()
    exif = block.ifd([(0x829A, 5, 1, 0xFFFFFF00), (0x9286, 7, 0x40000000, 8), (0xA002, 4, (640,))])
    ifd0 = block.ifd([(0x010F, 2, 0xFFFFFFF0, 8), (0x0110, 2, b"Model\x00"), (0x8769, 4, (exif,))])
    result = parse_exif(block.root(ifd0))
    assert result["image"] == {"Model": "Model", "ExifOffset": exif}
    assert result["exif"] == {"ExifImageWidth": 640}


def test_pointers_outside_the_block_leave_their_group_empty() -> None:
    """Exif, GPS, IFD1 and maker-note pointers past the end give empty groups; IFD0 survives."""
    block = Block()
    exif = block.ifd([(0x927C, 7, 64, 0x7FFFFFF0), (0xA005, 4, (0x7FFFFFF0,)), (0xA002, 4, (64,))])
    ifd0 = block.ifd([(0x010F, 2, b"Maker\x00"), (0x8769, 4, (exif,)), (0x8825, 4, (0xFFFFFFFF,))], 0xFFFFFFF0)
    result = parse_exif(block.root(ifd0))
    assert result["image"]["Make"] == "Maker" and result["exif"] == {"ExifImageWidth": 64, "InteropOffset": 0x7FFFFFF0}
    assert result["thumbnail"] == result["gps"] == result["interoperability"] == result["makernote"] == {}


def test_every_truncation_parses_without_raising() -> None:
    """Cut at every length, the block yields six groups, and what it still holds is read right."""
    block, _ = camera_block()
    full = parse_exif(block)
    for length in range(len(block) + 1):
        result = parse_exif(block[:length])
        assert list(result) == list(GROUPS)
        for group, tags in result.items():
            assert all(same(value, full[group][name]) for name, value in tags.items()), (length, group)


def test_truncated_camera_block_keeps_the_groups_before_the_cut() -> None:
    """Canon_40D cut inside its GPS IFD: IFD0, Exif and interop IFDs (stored earlier) are intact."""
    block = exif_bytes(IMAGES / "exif-samples/jpg/Canon_40D.jpg")[6:]
    full = parse_exif(block)
    cut = parse_exif(block[: full["image"]["GPSInfo"] + 6])
    assert cut["gps"] == {} and full["gps"]
    for group in ("image", "exif", "interoperability"):
        assert cut[group] == full[group]


def test_huge_entry_counts_are_bounded() -> None:
    """A claimed 65535 entries reads only what is there; a real IFD over the cap reads the cap."""
    block = Block()
    ifd0 = block.ifd([(0x010F, 2, b"Maker\x00")])
    data = bytearray(block.root(ifd0))
    data[ifd0:ifd0 + 2] = b"\xff\xff"
    assert parse_exif(bytes(data))["image"] == {"Make": "Maker"}
    crowded = Block()
    filler = [(0xFFFF, 3, (1,))] * (MAX_IFD_ENTRIES - 2)  # the cap is reached exactly at ResolutionUnit
    start = crowded.ifd([(0x0112, 3, (1,)), *filler, (0x0128, 3, (2,)), (0x0131, 2, b"late\x00")])
    assert parse_exif(crowded.root(start))["image"] == {"Orientation": 1, "ResolutionUnit": 2}


def test_total_values_are_capped() -> None:
    """Hundreds of tags each claiming the same 64 KiB of bytes decode at most the block budget."""
    block = Block()
    shared = block.tell()
    block.body += bytes(1 << 16)
    tags = [tag for tag in sorted(TABLES["exif"]) if tag not in (0x8769, 0x8825, 0x927C)][:400]
    ifd0 = block.ifd([(tag, 1, 1 << 16, shared) for tag in tags])
    image = parse_exif(block.root(ifd0))["image"]
    assert 0 < sum(len(value) for value in image.values()) <= MAX_BLOCK_VALUES


def test_the_worst_block_stays_well_inside_a_lambda_response() -> None:
    """Tags sharing one run of long-printing SRATIONALs: JSON far larger than the block (Lambda answers 6 MB at most)."""
    block = Block()
    shared = block.tell()
    block.body += struct.pack("<ii", -1, 3) * 0xFFFF  # -0.3333333333333333 each
    tags = [tag for tag in sorted(TABLES["exif"]) if tag not in (0x8769, 0x8825, 0x927C)][:400]
    ifd0 = block.ifd([(tag, 10, 0xFFFF, shared) for tag in tags])
    parsed = parse_exif(block.root(ifd0))
    assert parsed["image"]
    assert len(json.dumps(parsed, ensure_ascii=False)) < 4 * 1024 * 1024


def _maker_block(note: bytes, order: str = "<") -> bytes:
    """A block whose Exif IFD has a MakerNote holding note (stored right after that IFD)."""
    block = Block(order)
    note_at = block.tell() + 2 + 12 * 2 + 4
    exif = block.ifd([(0x927C, 7, len(note), note_at), (0xA002, 4, (99,))])
    assert block.tell() == note_at
    block.body += note
    ifd0 = block.ifd([(0x8769, 4, (exif,))])
    return block.root(ifd0)


def test_olympus_maker_note_is_named_by_exiftools_table() -> None:
    """OLYMP\\0\\x01 notes: IFD after 8 bytes, file byte order, offsets from the TIFF header."""
    header = b"OLYMP\x00\x01\x00"
    ifd = struct.pack(">H", 2) + struct.pack(">HHLHH", 0x0201, 3, 1, 2, 0) + struct.pack(">HHLL", 0x0207, 2, 4, 0)
    ifd = ifd[:-4] + b"SR8\x00" + bytes(4)
    data = _maker_block(header + ifd, ">")
    result = parse_exif(data)
    assert result["makernote"] == {TABLES["olympus"][0x0201]: 2, TABLES["olympus"][0x0207]: "SR8"}
    assert result["exif"] == {"ExifImageWidth": 99}


def test_fujifilm_maker_note_is_little_endian_relative_to_itself() -> None:
    """FUJIFILM notes in a big-endian file: little-endian IFD, value offsets from the note's start."""
    ifd_at = 12
    quality = b"FINE   \x00"
    entries = struct.pack("<H", 2) + struct.pack("<HHL4s", 0x0000, 7, 4, b"0130")
    entries += struct.pack("<HHLL", 0x1000, 2, len(quality), ifd_at + 2 + 24 + 4)
    note = b"FUJIFILM" + struct.pack("<L", ifd_at) + entries + bytes(4) + quality
    data = _maker_block(note, ">")
    assert parse_exif(data)["makernote"] == {TABLES["fujifilm"][0x0000]: "0130", TABLES["fujifilm"][0x1000]: "FINE   "}


def test_unknown_maker_notes_are_left_empty() -> None:
    """Makers node-exif does not parse give an empty makernote group, never an error string."""
    data = _maker_block(b"Nikon\x00\x02\x10\x00\x00" + bytes(40))
    assert parse_exif(data)["makernote"] == {}
