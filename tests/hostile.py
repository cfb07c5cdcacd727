"""Hostile shapes, one builder per class, each at a size parameter: the files issue 23's red team measured.

Each builder takes the count or size that makes its class costly and returns a complete file: small images
(Pillow) with the hostile structure added (struct and zlib). `CLASSES` names each class with its full-size
builder (the red team's sizes, or the largest a 40 MiB file holds) for `make bench`; the tests build them at the
sizes just past and just under each bound (tests/unit/test_hostile.py).
"""
from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Callable

from PIL import Image

from .paths import IMAGES

XMP_APP1 = b"http://ns.adobe.com/xap/1.0/\x00"
XMP_EXTENSION_APP1 = b"http://ns.adobe.com/xmp/extension/\x00"
XMP_OPEN = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
            b'<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/"'
            b' xmlns:p="http://ns.adobe.com/xap/1.0/"')
XMP_CLOSE = b"</rdf:Description></rdf:RDF></x:xmpmeta>"
JPEG_SEGMENT_PAYLOAD = 0xFFFF - 2


def encoded(fmt: str, size: tuple[int, int] = (64, 48), **options: object) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (90, 120, 200)).save(out, fmt, **options)
    return out.getvalue()


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def riff_chunk(kind: bytes, data: bytes) -> bytes:
    return kind + struct.pack("<I", len(data)) + data + b"\0" * (len(data) & 1)


def jpeg_segment(marker: int, payload: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload


def png_with(*chunks: bytes) -> bytes:
    """A 64x48 PNG with these chunks after its IHDR."""
    png = encoded("PNG")
    return png[:33] + b"".join(chunks) + png[33:]


def jpeg_with(*segments: bytes) -> bytes:
    """A 64x48 JPEG with these segments after its SOI."""
    jpeg = encoded("JPEG")
    return jpeg[:2] + b"".join(segments) + jpeg[2:]


def xmp_packet(attributes: int = 0, elements: int = 0) -> bytes:
    """An XMP packet of one Description with this many attributes, and this many elements in it."""
    names = b" ".join(b'p:a%x="v"' % i for i in range(attributes))  # XMP properties: each is named and kept
    children = b"".join(b"<xmp:e%x>v</xmp:e%x>" % (i, i) for i in range(elements))
    return XMP_OPEN + b" " + names + b">" + children + XMP_CLOSE


def png_compressed_text(chunks: int, inflated: int, kind: bytes = b"zTXt") -> bytes:
    """A PNG with `chunks` compressed text chunks (zTXt, or compressed iTXt), each inflating to `inflated` bytes."""
    text = zlib.compress(b"A" * inflated, 9)
    body = b"Comment\0\0" + text if kind == b"zTXt" else b"Comment\0\1\0\0\0" + text
    return png_with(*[png_chunk(kind, body)] * chunks)


def png_icc_profile(inflated: int) -> bytes:
    """A PNG whose iCCP chunk inflates to `inflated` bytes."""
    return png_with(png_chunk(b"iCCP", b"icc\0\0" + zlib.compress(b"\0" * inflated, 9)))


def png_exif_chunks(chunks: int, size: int = 30_000) -> bytes:
    """A PNG with `chunks` eXIf chunks of `size` bytes each (an empty IFD0, then padding)."""
    exif = b"II*\0\x08\0\0\0\0\0\0\0" + b"\0" * size
    return png_with(*[png_chunk(b"eXIf", exif)] * chunks)


def png_xmp_attributes(attributes: int) -> bytes:
    """A PNG whose XMP (a compressed iTXt) is one element of `attributes` attributes."""
    packet = zlib.compress(xmp_packet(attributes=attributes), 9)
    return png_with(png_chunk(b"iTXt", b"XML:com.adobe.xmp\0\1\0\0\0" + packet))


def jpeg_xmp_packets(packets: int, elements: int = 2_500) -> bytes:
    """A JPEG with `packets` XMP APP1 segments of `elements` elements each (about 60 KB at 2,500)."""
    return jpeg_with(*[jpeg_segment(0xE1, XMP_APP1 + xmp_packet(elements=elements))] * packets)


def iptc_block(datasets: int) -> bytes:
    """A Photoshop image-resource block holding one IPTC resource of `datasets` Keywords (2:25) datasets."""
    iptc = b"".join(b"\x1c\x02\x19" + struct.pack(">H", 0) for _ in range(datasets))
    return b"Photoshop 3.0\0" + b"8BIM" + struct.pack(">HHI", 0x0404, 0, len(iptc)) + iptc + b"\0" * (len(iptc) & 1)


def jpeg_photoshop_resources(blocks: int, resources: int = 1_000) -> bytes:
    """A JPEG with `blocks` APP13 segments, each of `resources` empty Photoshop image resources."""
    resource = b"8BIM" + struct.pack(">HHI", 0x03ED, 0, 0)
    return jpeg_with(*[jpeg_segment(0xED, b"Photoshop 3.0\0" + resource * resources)] * blocks)


def jpeg_iptc_blocks(blocks: int, datasets: int = 12_990) -> bytes:
    """A JPEG with `blocks` APP13 segments, each of `datasets` IPTC datasets (12,990 fill a segment)."""
    return jpeg_with(*[jpeg_segment(0xED, iptc_block(datasets))] * blocks)


def exif_block(entries: int) -> bytes:
    """A little-endian EXIF block whose IFD0 has `entries` entries of distinct tags (ASCII "a", inline)."""
    ifd = (struct.pack("<H", entries) + b"".join(struct.pack("<HHI4s", 1 + tag, 2, 2, b"a\0\0\0") for tag in range(entries))
           + b"\0" * 4)
    return b"Exif\0\0II*\0" + struct.pack("<I", 8) + ifd


def jpeg_exif_blocks(blocks: int, entries: int = 1_024) -> bytes:
    """A JPEG with `blocks` EXIF APP1 segments of `entries` IFD0 entries each."""
    return jpeg_with(*[jpeg_segment(0xE1, exif_block(entries))] * blocks)


def jpeg_icc_segments(segments: int) -> bytes:
    """A JPEG with `segments` full APP2 ICC_PROFILE segments (chunk i of `segments`, at most 255)."""
    body = b"\0" * (JPEG_SEGMENT_PAYLOAD - 14)
    return jpeg_with(*[jpeg_segment(0xE2, b"ICC_PROFILE\0" + bytes([i % 255 + 1, min(segments, 255)]) + body)
                       for i in range(segments)])


def jpeg_extended_xmp(chunks: int) -> bytes:
    """A JPEG whose main XMP names an Extended XMP of `chunks` full APP1 chunks, all present."""
    guid = b"0123456789ABCDEF0123456789ABCDEF"
    main = (XMP_OPEN + b' xmlns:xmpNote="http://ns.adobe.com/xmp/note/" xmpNote:HasExtendedXMP="' + guid + b'">'
            + XMP_CLOSE)
    piece = JPEG_SEGMENT_PAYLOAD - len(XMP_EXTENSION_APP1) - 40
    total = piece * chunks
    extension = [jpeg_segment(0xE1, XMP_EXTENSION_APP1 + guid + struct.pack(">II", total, i * piece) + b" " * piece)
                 for i in range(chunks)]
    return jpeg_with(jpeg_segment(0xE1, XMP_APP1 + main), *extension)


def gif_comment(size: int) -> bytes:
    """A GIF with one comment extension of `size` bytes (in full 255-byte sub-blocks)."""
    gif = encoded("GIF")
    image = gif.index(b"\x2c")
    body = (b"\xff" + b"c" * 255) * (size // 255) + b"\0"
    return gif[:image] + b"\x21\xfe" + body + gif[image:]


def tiff_shared_values(tags: int, size: int) -> bytes:
    """A TIFF whose IFD0 has `tags` more (private) entries, each an UNDEFINED value of `size` bytes: the same bytes."""
    tiff = bytearray(encoded("TIFF"))
    ifd = struct.unpack_from("<I", tiff, 4)[0]
    count = struct.unpack_from("<H", tiff, ifd)[0]
    entries = [bytes(tiff[ifd + 2 + 12 * i : ifd + 14 + 12 * i]) for i in range(count)]
    value = len(tiff) + 2 + 12 * (count + tags) + 4
    entries += [struct.pack("<HHII", 0xC000 + i, 7, size, value) for i in range(tags)]
    struct.pack_into("<I", tiff, 4, len(tiff))
    return bytes(tiff) + struct.pack("<H", count + tags) + b"".join(entries) + b"\0" * 4 + b"x" * size


def webp_chunks(chunks: int, size: int) -> bytes:
    """A WebP with `chunks` more EXIF chunks of `size` bytes."""
    webp = encoded("WEBP")
    body = webp[12:] + riff_chunk(b"EXIF", b"II*\0\x08\0\0\0\0\0\0\0" + b"\0" * size) * chunks
    return b"RIFF" + struct.pack("<I", len(body) + 4) + b"WEBP" + body


def heif_items(items: int) -> bytes:
    """The test AVIF with `items` more `mime` items declared in its iinf box (no data: the declarations cost)."""
    data = (IMAGES / "formats" / "avif.avif").read_bytes()
    ftyp = int.from_bytes(data[:4], "big")
    meta_size = int.from_bytes(data[ftyp : ftyp + 4], "big")
    meta = bytearray(data[ftyp : ftyp + meta_size])
    position = 12
    while meta[position + 4 : position + 8] != b"iinf":
        position += int.from_bytes(meta[position : position + 4], "big")
    iinf_size = int.from_bytes(meta[position : position + 4], "big")
    version = meta[position + 8]
    count_size = 2 if version == 0 else 4
    count = int.from_bytes(meta[position + 12 : position + 12 + count_size], "big")
    infe = b"".join(struct.pack(">I4sBxxxHH4s", 25, b"infe", 2, 1000 + i, 0, b"mime") + b"\0x/y\0"
                    for i in range(items))
    meta[position + 12 : position + 12 + count_size] = (count + items).to_bytes(count_size, "big")
    meta[position : position + 4] = (iinf_size + len(infe)).to_bytes(4, "big")
    meta[position + iinf_size : position + iinf_size] = infe
    meta[0:4] = len(meta).to_bytes(4, "big")
    return data[:ftyp] + bytes(meta) + data[ftyp + meta_size :]


# Each class at full size: (label, builder), for make bench's rows.
CLASSES: list[tuple[str, Callable[[], bytes]]] = [
    ("PNG, 100 zTXt chunks inflating to 7 MB each (684 KB)", lambda: png_compressed_text(100, 7_000_000)),
    ("PNG, 100 compressed iTXt chunks inflating to 7 MB each", lambda: png_compressed_text(100, 7_000_000, b"iTXt")),
    ("PNG, an iCCP chunk inflating to 30 MB", lambda: png_icc_profile(30_000_000)),
    ("PNG, 1,000 eXIf chunks of 30 KB", lambda: png_exif_chunks(1_000)),
    ("PNG, XMP of one element with 600,000 attributes", lambda: png_xmp_attributes(600_000)),
    ("JPEG, 500 XMP packets of 2,500 elements", lambda: jpeg_xmp_packets(500)),
    ("JPEG, 250 XMP packets of 2,500 elements (under the metadata bytes)", lambda: jpeg_xmp_packets(250)),
    ("JPEG, 500 APP13 blocks of 12,990 IPTC datasets", lambda: jpeg_iptc_blocks(500)),
    ("JPEG, 240 APP13 blocks of 12,990 IPTC datasets (under the metadata bytes)", lambda: jpeg_iptc_blocks(240)),
    ("JPEG, 500 APP13 blocks of 5,000 Photoshop resources", lambda: jpeg_photoshop_resources(500, 5_000)),
    ("JPEG, 600 EXIF APP1 blocks of 1,024 entries", lambda: jpeg_exif_blocks(600)),
    ("JPEG, 600 APP2 ICC segments (39 MB)", lambda: jpeg_icc_segments(600)),
    ("JPEG, Extended XMP of 600 chunks", lambda: jpeg_extended_xmp(600)),
    ("GIF, a 39 MB comment extension", lambda: gif_comment(39_000_000)),
    ("TIFF, 500 IFD0 tags sharing one 30 MB value", lambda: tiff_shared_values(500, 30_000_000)),
    ("WebP, 1,000 EXIF chunks of 30 KB", lambda: webp_chunks(1_000, 30_000)),
    ("AVIF, 5,000 items", lambda: heif_items(5_000)),
]
