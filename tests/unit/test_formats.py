"""Every supported format, from images generated here with Pillow/pillow-heif (their truth is known).

sharp's behaviour these follow was observed with sharp 0.35.5 on the same generated files: density
where the file declares one (rounded), else libvips' default 72 for PNG and JPEG and null for the
others, hasAlpha for alpha channels, tRNS and any GIF frame's transparency index, page 0's size for
multi-page files. BMP is not sharp's: its density is Pillow's reading of the header.
"""
import io
from collections.abc import Callable

import numpy as np
import pillow_heif
import pytest
from PIL import Image, ImageCms

from imagemeta import NotAnImage, embedded_metadata, extract, phash_distance
from imagemeta.formats import sniff
from imagemeta.formats.bmp_ico import ICO
from imagemeta.formats.heif import AVIF, HEIC, HEIF, brand_name
from imagemeta.probe import has_alpha

SIZE = (120, 80)


def _picture() -> Image.Image:
    return Image.radial_gradient("L").resize(SIZE).convert("RGB")


def _rgba() -> Image.Image:
    image = _picture().convert("RGBA")
    # Half to fully opaque: sharp resizes premultiplied in 8 bits, so nearly transparent pixels would
    # carry only rounding noise into the hash (sharp-phash's own PNG and WebP of them differ by 7 bits).
    image.putalpha(Image.linear_gradient("L").resize(SIZE).point(lambda level: 128 + level // 2))
    return image


def _save(image: Image.Image, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    if fmt == "HEIF":
        pillow_heif.from_pillow(image).save(buffer, **options)
    else:
        image.save(buffer, fmt, **options)
    return buffer.getvalue()


def _exif_with_orientation(orientation: int) -> Image.Exif:
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "TestMake"
    return exif


# sharp-phash 2.2.0 on the png-trns and gif-trns files (palette index 0 transparent).
TRANSPARENT_KEY_HASH = "ffaeffbbffefffbf"

CASES: list[tuple[str, Callable[[], bytes], str, int | None, bool]] = [
    ("jpeg", lambda: _save(_picture(), "JPEG", dpi=(300, 300)), "jpg", 300, False),
    ("png", lambda: _save(_picture(), "PNG"), "png", 72, False),
    ("png-dpi", lambda: _save(_picture(), "PNG", dpi=(72.5, 72.5)), "png", 72, False),
    ("png-alpha", lambda: _save(_rgba(), "PNG"), "png", 72, True),
    ("png-trns", lambda: _save(_picture().convert("P"), "PNG", transparency=0), "png", 72, True),
    ("gif", lambda: _save(_picture().convert("P"), "GIF"), "gif", None, False),
    ("gif-trns", lambda: _save(_picture().convert("P"), "GIF", transparency=0), "gif", None, True),
    ("webp-lossy", lambda: _save(_picture(), "WEBP", quality=90), "webp", None, False),
    ("webp-lossless", lambda: _save(_rgba(), "WEBP", lossless=True), "webp", None, True),
    ("tiff", lambda: _save(_picture(), "TIFF", dpi=(150, 150)), "tiff", 150, False),
    ("bmp", lambda: _save(_picture(), "BMP"), "bmp", 96, False),
    ("avif", lambda: _save(_rgba(), "AVIF"), "avif", None, True),
    ("heic", lambda: _save(_picture(), "HEIF", quality=90), "heic", None, False),
]


@pytest.mark.parametrize(("name", "make", "fmt", "density", "alpha"), CASES, ids=[case[0] for case in CASES])
def test_format_fields(name: str, make: Callable[[], bytes], fmt: str, density: int | None, alpha: bool) -> None:
    data = make()
    result = extract(data)
    assert (result["width"], result["height"], result["size"]) == (*SIZE, len(data))
    assert (result["format"], result["density"], result["hasTransparency"]) == (fmt, density, alpha)
    assert result["hasColorProfile"] is False
    # Every encoding of the same gradient hashes alike (lossy codecs move a few bits at most), except
    # that pixels a transparency key hides drop out of the resize, as in sharp-phash.
    reference = TRANSPARENT_KEY_HASH if name.endswith("-trns") else extract(_save(_picture(), "PNG"))["pHash"]
    assert phash_distance(result["pHash"], reference) <= 4


def test_animated_gif_reports_later_frames_transparency_and_first_frame_hash() -> None:
    frames = [_picture().rotate(angle).convert("P") for angle in (0, 90, 180)]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], transparency=0, disposal=2)
    single = extract(_save(frames[0], "GIF", transparency=0))
    result = extract(buffer.getvalue())
    assert (result["width"], result["height"], result["hasTransparency"]) == (*SIZE, True)
    assert result["pHash"] == single["pHash"]


def test_animated_webp_and_multipage_tiff_report_the_first_page() -> None:
    # WebP frames share the canvas size; TIFF pages may differ.
    for fmt, name, second in (("WEBP", "webp", SIZE), ("TIFF", "tiff", (40, 30))):
        buffer = io.BytesIO()
        _picture().save(buffer, fmt, save_all=True, append_images=[_picture().rotate(90).resize(second)])
        result = extract(buffer.getvalue())
        assert (result["format"], result["width"], result["height"]) == (name, *SIZE)


def test_ico_reports_its_largest_entry() -> None:
    result = extract(_save(_picture(), "ICO", sizes=[(16, 16), (32, 32), (64, 64)]))
    assert (result["format"], result["width"], result["height"]) == ("ico", 64, 43)


def test_icc_profile_is_reported() -> None:
    # A real profile: libvips (so sharp) drops one it cannot parse, e.g. 128 zero bytes.
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    for fmt in ("JPEG", "PNG", "WEBP", "TIFF"):
        assert extract(_save(_picture(), fmt, icc_profile=profile))["hasColorProfile"] is True, fmt


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "TIFF", "HEIF"])
def test_exif_is_read_from_every_container(fmt: str) -> None:
    result = extract(_save(_picture(), fmt, exif=_exif_with_orientation(1).tobytes()))
    assert result["exif"]["image"]["Make"] == "TestMake"


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_exif_orientation_is_applied_before_hashing(fmt: str) -> None:
    upright = _picture()
    # Stored rotated, orientation 6 says "rotate 90 clockwise to display": it hashes as upright.
    stored = upright.transpose(Image.Transpose.ROTATE_90)
    rotated = extract(_save(stored, fmt, exif=_exif_with_orientation(6).tobytes()))
    assert (rotated["width"], rotated["height"]) == (SIZE[1], SIZE[0])
    assert phash_distance(rotated["pHash"], extract(_save(upright, fmt))["pHash"]) <= 2


def ftyp(major: bytes, *compatible: bytes, size: int = 0) -> bytes:
    body = major + b"\0\0\0\0" + b"".join(compatible)
    return (size or 8 + len(body)).to_bytes(4, "big") + b"ftyp" + body


def test_heif_brand_names_the_format() -> None:
    assert brand_name(ftyp(b"heic", b"mif1")) == "heic"
    assert brand_name(ftyp(b"mif1", b"heic")) == "heic"
    assert brand_name(ftyp(b"mif1", b"avif")) == "avif"
    assert brand_name(ftyp(b"mif1", b"miaf")) == "heif"
    assert brand_name(ftyp(b"isom", b"mp41")) is None
    assert brand_name(b"\xff\xd8\xff\xe0" + b"\0" * 60) is None
    assert [sniff(ftyp(brand, b"mif1")) for brand in (b"heic", b"mif1", b"avif")] == [HEIC, HEIF, AVIF]


def test_an_iso_bmff_file_of_other_brands_is_no_image_whatever_its_box_size_spells() -> None:
    # A 256-byte ftyp box opens with ICO's signature (00 00 01 00): the ftyp box claims the file first.
    mp4 = ftyp(b"isom", b"mp41", size=256)
    assert mp4.startswith(b"\x00\x00\x01\x00") and ICO.accepts(mp4)
    assert sniff(mp4) is None
    with pytest.raises(NotAnImage):
        embedded_metadata(mp4 + bytes(256))


def test_multi_picture_jpeg_is_a_jpeg() -> None:
    # Phones and 3D cameras write MPO (a JPEG with an MPF index of further pictures, e.g. an HDR gain
    # map); Pillow names it "MPO", libvips reads it as the JPEG it is: the first picture, format jpg.
    buffer = io.BytesIO()
    _picture().save(buffer, "MPO", save_all=True, append_images=[_picture().rotate(90)], quality=90)
    result = extract(buffer.getvalue())
    single = extract(_save(_picture(), "JPEG", quality=90))
    assert (result["format"], result["width"], result["height"]) == ("jpg", *SIZE)
    assert (result["quality"], result["pHash"]) == (single["quality"], single["pHash"])


@pytest.mark.parametrize("fmt", ["PNG", "TIFF"])
def test_16_bit_grey_hashes_like_its_8_bit_picture(fmt: str) -> None:
    # Pillow opens these as I;16; its plain conversion to 8 bits clips every level above 255 to white.
    deep = Image.fromarray(np.asarray(_picture().convert("L")).astype(np.uint16) * 257)
    assert deep.mode == "I;16"
    result = extract(_save(deep, fmt))
    assert phash_distance(result["pHash"], extract(_save(_picture().convert("L"), fmt))["pHash"]) <= 2


@pytest.mark.parametrize(
    ("mode", "alpha"),
    [("1", False), ("L", False), ("P", False), ("RGB", False), ("CMYK", False), ("YCbCr", False), ("LAB", False),
     ("HSV", False), ("I", False), ("I;16", False), ("F", False), ("LA", True), ("La", True), ("PA", True),
     ("RGBA", True), ("RGBa", True)],
)
def test_alpha_of_every_pillow_mode(mode: str, alpha: bool) -> None:
    # Pillow decodes BMP and ICO; one table says which of its modes carry alpha (premultiplied or not).
    assert has_alpha(Image.new(mode, (2, 2))) is alpha


def test_a_transparency_key_is_alpha() -> None:
    keyed = Image.new("P", (2, 2))
    keyed.info["transparency"] = 0
    assert has_alpha(keyed) is True
