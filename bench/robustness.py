"""Every corpus file and a set of hostile ones through extract(): the slowest answer, and nothing but
a metadata object or an error of the contract (the issue's "within 2 seconds, never a crash")."""
from __future__ import annotations

import io
import struct
import time
import warnings
import zlib
from collections.abc import Iterator
from pathlib import Path

from PIL import Image

from imagemeta import ImageMetaError, extract
from tests.hostile import CLASSES

from .inputs import CORPUS, TEST_IMAGES
from .report import table

BUDGET_S = 2.0


def png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header claims a size its few bytes of data cannot hold (a decompression bomb's header)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


def jpeg_with_looping_exif() -> bytes:
    """A JPEG whose EXIF IFD0 points at itself as its next IFD and as its Exif IFD."""
    tiff = b"II*\0" + struct.pack("<I", 8) + struct.pack("<H", 1) + struct.pack("<HHII", 0x8769, 4, 1, 8) + struct.pack("<I", 8)
    app1 = b"Exif\0\0" + tiff
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (90, 120, 200)).save(buffer, "JPEG")
    data = buffer.getvalue()
    return data[:2] + b"\xff\xe1" + struct.pack(">H", len(app1) + 2) + app1 + data[2:]


def progressive_scan_bomb() -> bytes:
    """A flat 8000x8000 progressive JPEG with its last scan repeated 2,000 times (72 s to decode unguarded)."""
    buffer = io.BytesIO()
    Image.new("RGB", (8000, 8000), (120, 130, 140)).save(buffer, "JPEG", quality=90, progressive=True)
    data = buffer.getvalue()
    return data[:-2] + data[data.rindex(b"\xff\xda") : -2] * 2000 + b"\xff\xd9"


def hostile_inputs(corpus_files: list[Path]) -> Iterator[tuple[str, bytes]]:
    yield "zero bytes", b""
    yield "text", b"these bytes are not an image\n" * 40
    yield "HTML", b"<!doctype html><html><body><img src=x></body></html>"
    yield "PNG header claiming 50000x50000", png_claiming(50_000, 50_000)
    yield "EXIF IFD looping to itself", jpeg_with_looping_exif()
    yield "progressive JPEG, 2,000 scans", progressive_scan_bomb()
    for label, make in CLASSES:  # issue 23's hostile classes
        yield label, make()
    for path in corpus_files:
        data = path.read_bytes()
        for fraction in (0.1, 0.5, 0.9):
            yield f"{path.name} cut at {fraction:.0%}", data[: int(len(data) * fraction)]


def timed(source: Path | bytes) -> tuple[float, str]:
    """Seconds and outcome of one extract(): `ok`, the error class, or `CRASH: ...` for anything else."""
    started = time.perf_counter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # Pillow's notes on the damage it reads past
            extract(source)
        outcome = "ok"
    except ImageMetaError as error:
        outcome = type(error).__name__
    except Exception as error:  # noqa: BLE001 - exactly what this benchmark looks for
        outcome = f"CRASH: {type(error).__name__}: {error}"
    return time.perf_counter() - started, outcome


def robustness_section() -> str:
    folders = [folder for folder in (TEST_IMAGES, CORPUS) if folder.is_dir()]
    corpus_files = sorted(
        {p.resolve() for folder in folders for p in folder.rglob("*") if p.is_file() and p.suffix.lower() not in {".md", ".rst", ""}}
    )
    runs = [(p.name, *timed(p)) for p in corpus_files]
    runs += [(label, *timed(data)) for label, data in hostile_inputs(corpus_files)]
    slowest = sorted(runs, key=lambda run: run[1], reverse=True)[:5]
    crashes = [run for run in runs if run[2].startswith("CRASH")]
    over = [run for run in runs if run[1] > BUDGET_S]
    verdict = "met" if not crashes and not over else f"**missed**: {len(crashes)} crashes, {len(over)} over {BUDGET_S} s"
    rows = [[label, f"{seconds * 1000:.0f} ms", outcome] for label, seconds, outcome in slowest]
    return f"""## Robustness: every corpus file and hostile input

{len(corpus_files)} corpus files and {len(runs) - len(corpus_files)} hostile inputs (truncations of every corpus
file at 10/50/90%, empty, text, HTML, a bomb header, looping EXIF, a progressive scan bomb, issue 23's hostile
classes) through
`extract()`, each answered with a metadata object or an error of the contract within {BUDGET_S:.0f} s: {verdict}.
The slowest five:

{table(["input", "time", "outcome"], rows)}"""


if __name__ == "__main__":
    print(robustness_section())
