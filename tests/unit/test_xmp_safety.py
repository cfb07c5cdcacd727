"""XMP is XML from strangers: no DTD, no entity expansion, no external entities, bounded size, count and depth.

Each hostile packet is put in a JPEG beside an EXIF block (built here), so the tests also show that the
rest of the metadata survives. Bounds are lowered with monkeypatch rather than shipping huge files.
"""
from __future__ import annotations

import io
import struct

import pytest
from PIL import Image

from imagemeta import embedded_metadata
from imagemeta.embedded import xmp
from imagemeta.embedded.xmp import XmpRefused, parse_packet, xmp_facts

XMP_HEADER = b"http://ns.adobe.com/xap/1.0/\x00"
RDF = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
       b'<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/">')
END = b"</rdf:Description></rdf:RDF></x:xmpmeta>"
BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10) for i in range(1, 10))
    + b"]>" + RDF + b"<dc:format>&lol9;</dc:format>" + END
)
QUADRATIC_BLOWUP = (b'<!DOCTYPE x [<!ENTITY a "' + b"A" * 20_000 + b'">]>' + RDF
                    + b"<dc:format>" + b"&a;" * 10_000 + b"</dc:format>" + END)
EXTERNAL_ENTITY = b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>' + RDF + b"<dc:format>&e;</dc:format>" + END
PARAMETER_ENTITY = b'<!DOCTYPE x [<!ENTITY % p SYSTEM "http://127.0.0.1:1/dtd"> %p;]>' + RDF + b"<dc:format>x</dc:format>" + END


def jpeg_with(packet: bytes) -> bytes:
    """A small JPEG with an EXIF block (Artist) and the given XMP packet."""
    exif = Image.Exif()
    exif[0x013B] = "Still here"
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, "JPEG", exif=exif.tobytes())
    data = out.getvalue()
    payload = XMP_HEADER + packet
    return data[:2] + b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload + data[2:]


@pytest.mark.parametrize("packet", [BILLION_LAUGHS, QUADRATIC_BLOWUP, EXTERNAL_ENTITY, PARAMETER_ENTITY],
                         ids=["billion-laughs", "quadratic-blowup", "external-entity", "parameter-entity"])
def test_a_packet_declaring_a_dtd_is_refused_and_the_rest_of_the_metadata_stays(packet: bytes) -> None:
    with pytest.raises(XmpRefused, match="DTD"):
        parse_packet(packet)
    assert embedded_metadata(jpeg_with(packet)) == {"Artist": "Still here"}


def test_an_undeclared_entity_is_an_error_not_an_expansion() -> None:
    with pytest.raises(XmpRefused, match="well-formed"):
        parse_packet(RDF + b"<dc:format>&undeclared;</dc:format>" + END)


def test_an_oversized_packet_is_refused_before_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xmp, "MAX_XMP_BYTES", 4096)
    packet = RDF + b"<dc:format>" + b"x" * 5000 + b"</dc:format>" + END
    with pytest.raises(XmpRefused, match="bytes"):
        parse_packet(packet)
    assert embedded_metadata(jpeg_with(packet)) == {"Artist": "Still here"}


def test_past_the_element_bound_the_rest_of_the_packet_is_not_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xmp, "MAX_ELEMENTS", 10)
    packet = RDF + b"<dc:format>first</dc:format>" + b"<xmp:Label>x</xmp:Label>" * 20 + b"<dc:source>late</dc:source>" + END
    names = {fact.name for fact in xmp_facts(packet)}
    assert "Format" in names and "Source" not in names


def test_past_the_depth_bound_the_rest_of_the_packet_is_not_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xmp, "MAX_DEPTH", 8)
    packet = RDF + b"<dc:format>first</dc:format><dc:a>" + b"<dc:b>" * 50 + b"</dc:b>" * 50 + b"</dc:a>" + END
    assert [fact.value for fact in xmp_facts(packet) if fact.name == "Format"] == ["first"]


def test_lists_keep_exiftools_first_1000_items() -> None:
    packet = RDF + b"<dc:subject><rdf:Bag>" + b"".join(b"<rdf:li>k%d</rdf:li>" % i for i in range(1500)) + \
        b"</rdf:Bag></dc:subject>" + END
    (subject,) = [fact.value for fact in xmp_facts(packet) if fact.name == "Subject"]
    assert len(subject) == 1000 and subject[-1] == "k999"


def test_junk_after_the_packet_is_ignored_but_a_broken_packet_is_refused() -> None:
    packet = RDF + b"<dc:format>image/jpeg</dc:format>" + END
    assert [fact.value for fact in xmp_facts(packet + b"\x00\x00 trailing junk")] == ["image/jpeg"]
    with pytest.raises(XmpRefused):
        parse_packet(packet[:-20])
