"""The embeddedMetadata benchmark's section: its cost per image beside extract's, and hostile containers.

`python -m bench.embedded` prints the Markdown section; `make bench` appends it to docs/benchmarks.md.
Costs are process-time medians (bench/timing.py), each image's extract and embeddedMetadata runs
interleaved, so both see the same machine load. The target: embeddedMetadata adds at most 10% to the
12 MP camera JPEG's extract time.
"""
from __future__ import annotations

import io
import logging
import struct
import zlib
from collections.abc import Callable
from functools import partial
from pathlib import Path

import exifread
from PIL import Image

from imagemeta import embedded_metadata, extract
from imagemeta.containers import walk

from .inputs import TEST_IMAGES, BenchImage, extraction_images
from .timing import time_call

TARGET_SHARE = 0.10
METADATA_FIXTURES = [
    BenchImage("iptc-reference", "IPTC reference-like JPEG: EXIF, IPTC, 10 KB of XMP", TEST_IMAGES / "metadata" / "iptc-reference.jpg"),
    BenchImage("xmp-extended", "JPEG with 70 KB of Extended XMP", TEST_IMAGES / "metadata" / "xmp-extended.jpg"),
]


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def _cost_rows() -> tuple[list[str], bool]:
    rows, met = [], False
    for image in extraction_images() + METADATA_FIXTURES:
        data = image.path.read_bytes()
        ours = time_call(partial(extract, data)).cpu
        embedded = time_call(partial(embedded_metadata, data))
        keys = len(embedded_metadata(data))
        share = embedded.cpu / ours
        if image.key == "jpeg-12mp":
            met = share <= TARGET_SHARE
        rows.append(f"| {image.label} | {_ms(ours)} | {_ms(embedded.cpu)} | {share:.1%} | {keys} |")
    return rows, met


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, "JPEG")
    return out.getvalue()


def _png(chunks: list[bytes]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, "PNG")
    data = out.getvalue()
    return data[:33] + b"".join(chunks) + data[33:]


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _app1(payload: bytes) -> bytes:
    return b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload


_XMP = b"http://ns.adobe.com/xap/1.0/\x00"
_LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">' + b"".join(
    b'<!ENTITY %c "%s">' % (98 + i, b"&%c;" % (97 + i) * 10) for i in range(8)) + b']><x:xmpmeta xmlns:x="adobe:ns:meta/">&i;</x:xmpmeta>')


_MANY_PROPERTIES = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
                    b'<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/">' + b"<dc:a>k</dc:a>" * 500_000
                    + b"</rdf:Description></rdf:RDF></x:xmpmeta>")


def hostile_inputs() -> list[tuple[str, Callable[[], bytes]]]:
    """Containers built to cost: each must be walked or refused, and read, in milliseconds."""
    jpeg = _jpeg()
    return [
        ("JPEG with 1,000,000 COM markers (4 MB)", lambda: jpeg[:2] + b"\xff\xfe\x00\x02" * 1_000_000 + jpeg[2:]),
        ("JPEG with 500 XMP APP1 segments", lambda: jpeg[:2] + _app1(_XMP + b"<x/>") * 500 + jpeg[2:]),
        ("PNG with 2,000,000 tEXt chunks (30 MB)", lambda: _png([_chunk(b"tEXt", b"a\x00b")] * 2_000_000)),
        ("PNG with 300 zTXt profiles inflating to 64 MB each", lambda: _png(
            [_chunk(b"zTXt", b"Raw profile type exif\x00\x00" + zlib.compress(bytes(64 << 20), 9))] * 300)),
        ("XMP billion laughs (DTD entities)", lambda: jpeg[:2] + _app1(_XMP + _LAUGHS) + jpeg[2:]),
        ("XMP nested 7,000 elements deep", lambda: jpeg[:2] + _app1(_XMP + b"<a>" * 7000 + b"</a>" * 7000) + jpeg[2:]),
        ("PNG iTXt XMP of 500,000 properties (7 MB)", lambda: _png([_chunk(b"iTXt", b"XML:com.adobe.xmp\x00\x00\x00\x00\x00"
                                                                    + _MANY_PROPERTIES)])),
        ("JPEG with 10,000,000 fill bytes", lambda: jpeg[:2] + b"\xff" * 10_000_000 + jpeg[2:]),
    ]


def _hostile_rows() -> list[str]:
    rows = []
    for label, make in hostile_inputs():
        data = make()
        walked = walk(data)
        walking = time_call(partial(walk, data))
        reading = time_call(partial(embedded_metadata, data))
        outcome = walked.stopped or (f"{len(walked.skipped)} blocks skipped" if walked.skipped else "complete")
        rows.append(f"| {label} | {_ms(walking.cpu)} | {_ms(reading.cpu)} | {walked.units} | {outcome} |")
    return rows


def _maker_note_jpegs() -> list[Path]:
    """The test JPEGs that carry a maker note (exifread names its tags "MakerNote ...")."""
    found = []
    for path in sorted(TEST_IMAGES.rglob("*.jpg")):
        with path.open("rb") as file:
            if any(name.startswith("MakerNote ") for name in exifread.process_file(file, details=True)):
                found.append(path)
    return found


def _exifread(data: bytes) -> dict:
    logging.getLogger("exifread").setLevel(logging.ERROR)  # a warning per file without EXIF; the table says enough
    return exifread.process_file(io.BytesIO(data), details=True)


def _exifread_rows() -> list[str]:
    """exifread's maker-note reading beside embeddedMetadata: what a runtime use of it would cost and give."""
    paths = _maker_note_jpegs()
    datas = [path.read_bytes() for path in paths]
    exifread_cpu = sum(time_call(partial(_exifread, data)).cpu for data in datas)
    ours_cpu = sum(time_call(partial(embedded_metadata, data)).cpu for data in datas)
    maker_tags = sum(sum(name.startswith("MakerNote ") for name in _exifread(data)) for data in datas)
    return [f"| {len(paths)} test JPEGs with a maker note | {_ms(exifread_cpu)} | {_ms(ours_cpu)} | {maker_tags} |"]


def embedded_section() -> str:
    """The Markdown section: cost per image, the 10% target, and the hostile containers."""
    cost_rows, met = _cost_rows()
    verdict = "met" if met else "NOT met"
    return "\n".join([
        "## embeddedMetadata (EXIF, IPTC, XMP)",
        "",
        "Process-time medians per image (`python -m bench.embedded`): `extract` and `embedded_metadata` on the",
        "same bytes. `extract_with_embedded` (what the ingest calls) costs their sum: one read, one walk.",
        f"Target: at most {TARGET_SHARE:.0%} on top of the 12 MP camera JPEG's extract time: **{verdict}**.",
        "",
        "| image | extract | embeddedMetadata | share | keys |",
        "|---|---|---|---|---|",
        *cost_rows,
        "",
        "Hostile containers (docs/embedded-metadata.md, limits): the walk alone (`containers.walk`, what the",
        "decoder's pre-checks can use) and the whole embeddedMetadata read.",
        "",
        "| input | walk | embeddedMetadata | units visited | walk outcome |",
        "|---|---|---|---|---|",
        *_hostile_rows(),
        "",
        "exifread as a maker-note reader (README, Dependencies): `exifread.process_file(details=True)` over the",
        "test JPEGs that carry a maker note, beside embeddedMetadata on the same files (sums of process-time",
        "medians), and how many maker-note tags exifread names. Its names are its own (Nikon `ISOSetting` where",
        "ExifTool says `ISO`), the hosted API leaves `makernote` empty, so it is not used at runtime.",
        "",
        "| files | exifread (details) | embeddedMetadata | maker-note tags from exifread |",
        "|---|---|---|---|",
        *_exifread_rows(),
        "",
    ])


if __name__ == "__main__":
    print(embedded_section())
