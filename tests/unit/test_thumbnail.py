"""The thumbnail maker: the picture as displayed, the longest side 200 pixels, alpha kept, as WebP, from every format.

What a thumbnail shows is compared with the picture itself: Pillow's own decode, turned by the EXIF orientation,
averaged over a coarse grid, must match the thumbnail's (a wrong turn, mirror, colour conversion or lost alpha moves
some cell by far more than the tolerance, which a resize and a WebP encode never do).
"""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image, ImageCms, ImageOps

from imagemeta import NotAnImage, TooLarge, thumbnail
from imagemeta.limits import DEFAULT_LIMITS, Limits
from imagemeta.thumbnail import NoThumbnail, Thumbnail, extract_with_thumbnail, thumbnail_size

from ..paths import IMAGES

FORMATS = sorted((IMAGES / "formats").iterdir())
ORIENTED = sorted((IMAGES / "exif-samples" / "jpg" / "orientation").glob("*.jpg"))
HEIC = IMAGES / "exif-samples" / "heic" / "IMG_5195.HEIC"
TIFF = IMAGES / "exif-samples" / "tiff" / "Arbitro.tiff"
PHOTO = IMAGES / "phash-vectors" / "second.jpg"  # 2430 x 3038
# Mean absolute difference of 4 x 4 cell averages (0-255) a resize and a lossy encode stay within.
CELL_TOLERANCE = 12


def made(data: bytes, limits: Limits = DEFAULT_LIMITS) -> Thumbnail:
    _, _, result = extract_with_thumbnail(data, limits)
    assert isinstance(result, Thumbnail), result
    return result


def decoded(result: Thumbnail) -> Image.Image:
    assert result.webp[:4] == b"RIFF" and result.webp[8:12] == b"WEBP"
    image = Image.open(io.BytesIO(result.webp))
    assert image.format == "WEBP" and image.size == (result.width, result.height)
    return image


def cells(image: Image.Image, mode: str = "RGB") -> list[int]:
    """The picture's 4 x 4 cell averages, channel by channel (alpha over black, so a lost alpha shows)."""
    flat = Image.new("RGBA", image.size, (0, 0, 0, 255))
    flat.alpha_composite(image.convert("RGBA"))
    return list(flat.convert(mode).resize((4, 4), Image.Resampling.BOX).tobytes())


def same_picture(thumb: Image.Image, picture: Image.Image) -> bool:
    expected, found = cells(picture), cells(thumb)
    return sum(abs(a - b) for a, b in zip(expected, found, strict=True)) / len(expected) <= CELL_TOLERANCE


@pytest.mark.parametrize(("width", "height", "expected"), [
    (4032, 3024, (200, 150)), (3024, 4032, (150, 200)), (2430, 3038, (160, 200)), (200, 200, (200, 200)),
    (64, 48, (64, 48)), (1, 1, (1, 1)), (10_000, 10, (200, 1)), (3, 30_000, (1, 200)),
])
def test_the_longest_side_is_200_pixels_and_a_small_picture_keeps_its_size(
        width: int, height: int, expected: tuple[int, int]) -> None:
    assert thumbnail_size(width, height) == expected


@pytest.mark.parametrize("path", FORMATS + [HEIC, TIFF, PHOTO], ids=lambda path: path.name)
def test_every_format_gives_a_webp_of_the_same_picture(path: Path) -> None:
    result = made(path.read_bytes())
    image = decoded(result)
    if path.suffix.lower() == ".heic":  # Pillow reads no HEIF here: the size says the turn was applied
        assert (result.width, result.height) == (155, 200)
        return
    picture = upright(path)
    assert (result.width, result.height) == thumbnail_size(*picture.size)
    assert same_picture(image, picture)


def upright(path: Path) -> Image.Image:
    """The picture as Pillow decodes it (an animation's first frame), 8-bit, its embedded profile converted to
    sRGB (littlecms), turned by its EXIF orientation."""
    with Image.open(path) as source:
        source.seek(0)
        frame = source.point(lambda value: value / 257).convert("L") if source.mode == "I;16" else source
        frame = ImageOps.exif_transpose(frame)
        profile = source.info.get("icc_profile")
        if profile and frame.mode == "RGB":
            frame = ImageCms.profileToProfile(frame, ImageCms.ImageCmsProfile(io.BytesIO(profile)),
                                              ImageCms.createProfile("sRGB"))
        return frame.convert("RGBA")


@pytest.mark.parametrize("path", ORIENTED, ids=lambda path: path.name)
def test_the_exif_orientation_is_applied(path: Path) -> None:
    # One scene under the eight orientations, stored 600 x 450: each thumbnail shows it upright.
    result = made(path.read_bytes())
    assert (result.width, result.height) == ((200, 150) if path.name.startswith("landscape") else (150, 200))
    assert same_picture(decoded(result), upright(path))


@pytest.mark.parametrize("name", ["png-rgba.png", "png-rgba-16bit.png", "png-grey-alpha.png", "png-palette-trns.png",
                                  "webp-alpha.webp", "avif-alpha.avif", "gif-transparent.gif"])
def test_alpha_is_kept(name: str) -> None:
    image = decoded(made((IMAGES / "formats" / name).read_bytes()))
    assert image.mode == "RGBA"
    assert min(image.getchannel("A").getdata()) < 255


@pytest.mark.parametrize("name", ["gif.gif", "png-rgb.png", "png-palette.png", "webp-lossy.webp"])
def test_an_opaque_picture_has_no_alpha(name: str) -> None:
    # libvips gives every GIF an alpha band; an opaque picture's thumbnail carries none.
    assert decoded(made((IMAGES / "formats" / name).read_bytes())).mode == "RGB"


def test_a_cmyk_jpeg_is_converted_to_srgb() -> None:
    buffer = io.BytesIO()
    Image.new("CMYK", (400, 300), (0, 255, 255, 0)).save(buffer, "JPEG")  # red ink
    red, green, blue = decoded(made(buffer.getvalue())).convert("RGB").resize((1, 1)).getpixel((0, 0))
    assert red > 180 and green < 80 and blue < 80


def test_a_sixteen_bit_picture_becomes_eight_bit() -> None:
    image = decoded(made((IMAGES / "formats" / "png-rgb-16bit.png").read_bytes()))
    assert image.mode == "RGB"


def test_a_jpeg_is_made_from_the_pixels_its_phash_decoded(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_second_decode(*_: object) -> None:
        raise AssertionError("the JPEG was decoded again")

    monkeypatch.setattr(thumbnail, "_decode", no_second_decode)
    assert (made(PHOTO.read_bytes()).width, made(PHOTO.read_bytes()).height) == (160, 200)
    # Other formats decode again: that decode failing costs the thumbnail, never the metadata.
    metadata, _, result = extract_with_thumbnail((IMAGES / "formats" / "png-rgb.png").read_bytes())
    assert metadata["format"] == "png" and isinstance(result, NoThumbnail)
    assert "AssertionError" in result.reason


def test_a_jpeg_whose_phash_decode_is_too_small_decodes_again_at_a_larger_scale() -> None:
    # 1200 x 900: the pHash decodes at 1/8 (150 x 112), so the thumbnail's decode is at 1/4 (300 x 225).
    buffer = io.BytesIO()
    with Image.open(PHOTO) as source:
        source.convert("RGB").resize((1200, 900)).save(buffer, "JPEG", quality=90)
    picture = Image.open(io.BytesIO(buffer.getvalue()))
    result = made(buffer.getvalue())
    assert (result.width, result.height) == (200, 150) and same_picture(decoded(result), picture)


def test_a_second_decode_past_the_time_limit_gives_no_thumbnail(monkeypatch: pytest.MonkeyPatch) -> None:
    # The extraction and the thumbnail's own decode share the decoding budget's time limit.
    monkeypatch.setattr(thumbnail, "MAX_DECODE_SECONDS", 0.0)
    metadata, _, result = extract_with_thumbnail((IMAGES / "formats" / "png-rgb.png").read_bytes())
    assert metadata["format"] == "png"
    assert isinstance(result, NoThumbnail) and "second decode" in result.reason
    assert isinstance(extract_with_thumbnail(PHOTO.read_bytes())[2], Thumbnail)  # reused: no second decode


def test_an_image_the_extraction_refuses_gets_no_thumbnail() -> None:
    with pytest.raises(TooLarge):
        extract_with_thumbnail(PHOTO.read_bytes(), Limits(max_pixels=1000))
    with pytest.raises(NotAnImage):
        extract_with_thumbnail(b"<html><script>alert(1)</script></html>")
