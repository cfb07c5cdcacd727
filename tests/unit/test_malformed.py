"""Hostile and broken input: only the error family comes out, limits hold before any decoding.

Bombs are small files whose header claims a huge size, and the guard is also tested by lowering the
limit (as Pillow's own tests do) rather than by shipping huge files. Decision: a JPEG whose data ends
early but that libjpeg still decodes with a warning (as a truncated camera JPEG does) gives a metadata object;
a file Pillow cannot decode to the end gives NotAnImage (400), as the hosted API's sharp fails it.
"""
import io
import struct
import zlib

import pytest
from PIL import Image

from imagemeta import DEFAULT_LIMITS, Limits, NotAnImage, TooLarge, extract
from imagemeta.limits import max_progressive_scans
from tests.unit.sharp_expected import ALL_FILES, SHARP, image_path


def _image(fmt: str, size: tuple[int, int] = (64, 48)) -> bytes:
    buffer = io.BytesIO()
    Image.radial_gradient("L").resize(size).convert("RGB").save(buffer, fmt)
    return buffer.getvalue()


def _png_claiming(width: int, height: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


def _gif_claiming(width: int, height: int) -> bytes:
    return b"GIF89a" + struct.pack("<HHBBB", width, height, 0, 0, 0) + b",\0\0\0\0" + struct.pack("<HH", width, height) + b"\0\x02\x02\x44\x01\0;"


@pytest.mark.parametrize("key", ALL_FILES)
def test_every_test_image_gives_metadata(key: str) -> None:
    # Every test image is a readable image: sharp reads all of them but the HEVC one and BMP/ICO (its
    # libvips has no decoder for those; its error is recorded), and we read all, at sharp's size.
    result = extract(image_path(key))
    assert list(result) == ["height", "width", "size", "format", "hasColorProfile", "quality", "density", "hasTransparency", "pHash", "exif"]
    expected = SHARP[key]
    if "error" in expected:
        assert result["format"] in {"heic", "bmp", "ico"}
    else:
        assert (result["width"], result["height"]) == (expected["width"], expected["height"])


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"hello, this is text\n" * 10,
        b"<!doctype html><html><body>not found</body></html>",
        b"\xff\xd8\xff" + bytes(range(256)) * 8,
        b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8,
        b"GIF89a" + bytes(range(256)) * 8,
        b"RIFF\0\0\0\0WEBPVP8 " + bytes(range(256)) * 8,
        b"\0\0\0\x18ftypheic\0\0\0\0mif1heic" + bytes(range(256)) * 8,
        b"II*\0" + bytes(range(256)) * 8,
        b"%PDF-1.4\n" + b"0" * 100,
    ],
    ids=["empty", "text", "html", "jpeg-garbage", "png-garbage", "gif-garbage", "webp-garbage", "heic-garbage", "tiff-garbage", "pdf"],
)
def test_non_images_are_not_an_image(data: bytes) -> None:
    with pytest.raises(NotAnImage) as raised:
        extract(data)
    assert raised.value.message == "The requested file is corrupt or invalid."


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "GIF", "WEBP", "TIFF"])
def test_truncated_images_are_not_an_image(fmt: str) -> None:
    data = _image(fmt, (256, 192))
    with pytest.raises(NotAnImage):
        extract(data[: len(data) // 3])


@pytest.mark.parametrize("make", [_png_claiming, _gif_claiming], ids=["png", "gif"])
def test_header_claiming_50000_squared_is_too_large_before_decoding(make) -> None:
    with pytest.raises(TooLarge, match="pixels"):
        extract(make(50_000, 50_000))


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "GIF", "WEBP", "TIFF", "BMP", "ICO"])
def test_pixel_limit_is_checked_from_the_header(fmt: str) -> None:
    data = _image(fmt)
    result = extract(data)
    pixels = result["width"] * result["height"]
    assert extract(data, Limits(max_pixels=pixels)) == result
    with pytest.raises(TooLarge, match="pixels"):
        extract(data, Limits(max_pixels=pixels - 1))


def test_byte_limit_is_checked_before_reading() -> None:
    with pytest.raises(TooLarge, match="bytes"):
        extract(b"not even an image", Limits(max_bytes=4))


def test_limit_applies_to_a_path_too(tmp_path) -> None:
    path = tmp_path / "picture.png"
    path.write_bytes(_image("PNG"))
    with pytest.raises(TooLarge):
        extract(path, Limits(max_bytes=10))
    assert extract(str(path))["size"] == path.stat().st_size


def test_default_limits_are_the_contracts() -> None:
    assert (DEFAULT_LIMITS.max_bytes, DEFAULT_LIMITS.max_pixels) == (40 * 1024 * 1024, 100_000_000)


def test_pillow_global_is_restored() -> None:
    before = Image.MAX_IMAGE_PIXELS
    extract(_image("PNG"), Limits(max_pixels=10_000))
    assert before == Image.MAX_IMAGE_PIXELS


def progressive_jpeg_with_extra_scans(extra: int) -> bytes:
    """A flat progressive JPEG whose last scan is repeated `extra` times: tiny scans, each a full pass."""
    buffer = io.BytesIO()
    Image.new("RGB", (2000, 2000), (120, 130, 140)).save(buffer, "JPEG", quality=90, progressive=True)
    data = buffer.getvalue()
    last_scan = data[data.rindex(b"\xff\xda") : -2]
    return data[:-2] + last_scan * extra + b"\xff\xd9"


def test_a_progressive_scan_bomb_is_refused_before_decoding() -> None:
    allowed = max_progressive_scans(2000, 2000)
    assert extract(progressive_jpeg_with_extra_scans(0))["format"] == "jpg"
    with pytest.raises(NotAnImage) as refused:
        extract(progressive_jpeg_with_extra_scans(allowed))
    assert "scans" in refused.value.detail
