"""embedded_metadata: agreement with exiftool, the hosted sample's shape, precedence, character sets, broken blocks.

Expectations: tests/data/expected/embedded_exiftool.json, made by scripts/expect_embedded.py from `exiftool -j`
(`make golden`); the metadata fixtures are made by scripts/make_metadata_fixtures.py (tests/data/images/README.md).
Broken and partial files are built here from those fixtures.
"""
from __future__ import annotations

import re
import struct

import pytest

from imagemeta import Limits, NotAnImage, TooLarge, embedded_metadata, extract, extract_with_embedded
from imagemeta.containers import walk
from imagemeta.formats.bmp_ico import BMP, ICO

from ..paths import IMAGES, ROOT
from .embedded_agreement import agreement

METADATA = IMAGES / "metadata"
DOCS = ROOT / "docs" / "embedded-metadata.md"


@pytest.fixture(scope="module")
def agreed():
    return agreement()


@pytest.mark.parametrize("group", ["EXIF", "IPTC", "XMP"])
def test_at_least_98_percent_of_file_tag_pairs_agree_with_exiftool(agreed, group: str) -> None:
    assert agreed.pairs[group] > 50
    assert agreed.share(group) >= 0.98, agreed.disagreements


def test_every_disagreement_is_documented_and_every_documented_one_happens(agreed) -> None:
    section = DOCS.read_text(encoding="utf-8").split("### Disagreements with exiftool", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| `([^`]+)` \| `([^`]+)` \|", section, re.M))
    assert documented == {(name, tag) for name, _, tag, _, _ in agreed.disagreements}


def test_the_hosted_samples_keys_come_out_with_its_types() -> None:
    embedded = embedded_metadata(METADATA / "iptc-reference.jpg")
    assert embedded["ResolutionUnit"] == "inches" and embedded["ColorSpace"] == "Uncalibrated"
    assert embedded["ApplicationRecordVersion"] == 4
    assert embedded["Keywords"] == ["Keyword1ref2024.1", "Keyword2ref2024.1", "Schlüsselwort3 (ref2024.1)"]
    assert embedded["DateTimeOriginal"] == "2024-01-16T19:01:03.000Z"
    assert embedded["TimeCreated"] == "19:01:03+00:00"
    for key in ("Artist", "Copyright", "ObjectName", "Byline", "BylineTitle", "CaptionAbstract",
                "CountryPrimaryLocationName", "ProvinceState", "Sublocation", "WriterEditor", "CreatorCity"):
        assert isinstance(embedded[key], str) and embedded[key], key
    assert not any("-" in key or ":" in key for key in embedded)


def test_xmp_dates_with_a_zone_become_utc_instants() -> None:
    embedded = embedded_metadata(METADATA / "iptc-reference.jpg")
    assert embedded["ModifyDate"] == "2024-01-17T08:30:00.000Z"  # EXIF's (XMP's is priority 0)
    assert embedded["HistoryWhen"] == ["2024-01-16T19:05:00.000Z", "2024-01-17T08:30:00.000Z"]


def test_gps_is_signed_decimal_degrees_and_metres() -> None:
    for name in ("metadata.tif", "metadata.png", "metadata.webp", "metadata.heic", "metadata.avif"):
        embedded = embedded_metadata(METADATA / name)
        assert embedded["GPSLatitude"] == pytest.approx(-33.856784), name
        assert embedded["GPSLongitude"] == pytest.approx(-151.215297), name
        assert embedded["GPSAltitude"] == -12.25, name


def test_precedence_follows_exiftool_the_later_of_iptc_and_xmp_wins_exif_over_its_xmp_copy() -> None:
    xmp_last = embedded_metadata(METADATA / "conflicts.jpg")
    iptc_last = embedded_metadata(METADATA / "conflicts-iptc-last.jpg")
    assert (xmp_last["City"], xmp_last["Headline"]) == ("XMP city", "XMP headline")
    assert (iptc_last["City"], iptc_last["Headline"]) == ("IPTC city", "IPTC headline")
    for embedded in (xmp_last, iptc_last):
        assert embedded["Make"] == "EXIF make"
        assert embedded["DateTimeOriginal"] == "2020-01-01T10:00:00.000Z"
        assert (embedded["Keywords"], embedded["Subject"]) == ("iptc-keyword", "xmp-subject")  # different names


def test_iptc_text_is_utf8_after_coded_character_set_and_cp1252_without() -> None:
    assert embedded_metadata(METADATA / "iptc-reference.jpg")["Sublocation"].startswith("Sublocation (Core) Zürich–")
    latin = embedded_metadata(METADATA / "iptc-latin1.jpg")
    assert latin["ObjectName"] == "Café Münster"
    assert latin["Keywords"] == ["Ärger", "Öl", "5 €uro"]  # € is cp1252's 0x80
    assert latin["CaptionAbstract"] == "Grüße aus Köln – «très» bien"


def test_extended_xmp_is_reassembled_and_lost_alone_when_a_piece_is_missing() -> None:
    data = (METADATA / "xmp-extended.jpg").read_bytes()
    assert embedded_metadata(data)["Description"] == "Extended XMP split across APP1 segments. " * 1750
    start, length = _segment(data, b"http://ns.adobe.com/xmp/extension/\x00")
    partial = embedded_metadata(data[:start] + data[start + 2 + length :])
    assert "Description" not in partial
    assert partial["Title"] == "Extended XMP" and partial["Artist"] == "Extended fixture"


def _segment(data: bytes, prefix: bytes) -> tuple[int, int]:
    """Where the JPEG segment whose payload starts with `prefix` starts (its marker) and its length field."""
    start = data.index(prefix) - 4
    return start, struct.unpack(">H", data[start + 2 : start + 4])[0]


def _replace_segment(data: bytes, prefix: bytes, payload: bytes) -> bytes:
    """The JPEG with that segment given a new payload."""
    start, length = _segment(data, prefix)
    return data[: start + 2] + struct.pack(">H", len(payload) + 2) + payload + data[start + 2 + length :]


def test_a_broken_iptc_block_keeps_the_datasets_before_the_break_and_every_other_block() -> None:
    data = (METADATA / "conflicts-iptc-last.jpg").read_bytes()
    start, length = _segment(data, b"Photoshop 3.0\x00")
    app13 = data[start + 4 : start + 2 + length]
    city = app13.index(b"\x1c\x02\x5a")
    broken = app13[:city] + b"\x1c\x02\x5a\xff\xff" + app13[city + 5 :]  # a dataset claiming 64 KB
    embedded = embedded_metadata(_replace_segment(data, b"Photoshop 3.0\x00", broken))
    assert embedded["Keywords"] == "iptc-keyword"  # before the break
    assert embedded["City"] == "XMP city"  # IPTC's City is gone, XMP's stands
    assert embedded["Make"] == "EXIF make" and embedded["Subject"] == "xmp-subject"


def test_a_malformed_xmp_packet_loses_only_the_xmp() -> None:
    data = (METADATA / "conflicts.jpg").read_bytes()
    header = b"http://ns.adobe.com/xap/1.0/\x00"
    embedded = embedded_metadata(_replace_segment(data, header, header + b"<x:xmpmeta><rdf:RDF>unclosed"))
    assert "Subject" not in embedded and embedded["City"] == "IPTC city"
    assert embedded["Make"] == "EXIF make" and embedded["Keywords"] == "iptc-keyword"


def test_garbage_in_the_exif_block_loses_nothing_else() -> None:
    data = (METADATA / "iptc-reference.jpg").read_bytes()
    embedded = embedded_metadata(_replace_segment(data, b"Exif\x00\x00", b"Exif\x00\x00MM\x00*\x00\x00\xff\xff"))
    assert "Make" not in embedded and embedded["ObjectName"] == "The Title (ref2024.1)"


def test_bytes_and_paths_give_the_same_object_and_extract_with_embedded_gives_both() -> None:
    path = METADATA / "metadata.webp"
    metadata, embedded = extract_with_embedded(path)
    assert embedded == embedded_metadata(path) == embedded_metadata(path.read_bytes())
    assert metadata == extract(path)


def test_the_same_errors_as_extract() -> None:
    with pytest.raises(NotAnImage):
        embedded_metadata(b"<html>not an image</html>")
    with pytest.raises(TooLarge):
        embedded_metadata(METADATA / "iptc-reference.jpg", Limits(max_bytes=1000))
    with pytest.raises(NotAnImage):
        extract_with_embedded(b"\xff\xd8\xff\xe0 truncated")


def test_formats_without_metadata_give_an_empty_object() -> None:
    for image_format, signature in ((BMP, b"BM"), (ICO, b"\x00\x00\x01\x00")):
        assert walk(signature + bytes(64)).format is image_format
        assert embedded_metadata(signature + bytes(64)) == {}
