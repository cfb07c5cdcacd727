"""Palette images through their indices give libvips' own grey image, byte for byte.

Expectations come from libvips itself: the image decoded by its own loader (sharp's options) and
converted by `colourspace(B_W)`, as sharp's pipeline does. Inputs are generated here with Pillow
(and libvips for interlaced palette PNG).
"""
from __future__ import annotations

import io
import random
import zlib

import pytest
import pyvips
from PIL import Image

from imagemeta import libvips
from imagemeta.formats import ImageFormat
from imagemeta.formats.gif import GIF
from imagemeta.formats.png import PNG
from imagemeta.palette import palette_grey
from imagemeta.sample import to_grey

WIDTH, HEIGHT = 301, 203


def picture(colours: int, seed: int = 7) -> Image.Image:
    """A noisy picture of at most `colours` palette entries."""
    rng = random.Random(seed)
    rgb = Image.new("RGB", (WIDTH, HEIGHT))
    rgb.putdata([(x * 255 // WIDTH, rng.randrange(256), y * 255 // HEIGHT) for y in range(HEIGHT) for x in range(WIDTH)])
    return rgb.quantize(colours)


def encoded(image: Image.Image, fmt: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def libvips_grey(data: bytes) -> tuple[pyvips.Image, pyvips.Image]:
    """(header, libvips' own B_W image) for these bytes, opened as sharp opens them."""
    image_format = libvips.find_format(data)
    header = libvips.load(data, image_format)
    return header, to_grey(libvips.load(data, image_format)).copy_memory()


def premultiplied(image: pyvips.Image) -> bytes:
    """What the pipeline goes on with: grey premultiplied by alpha (the grey of a transparent pixel never counts)."""
    return bytes(image.premultiply().cast("uchar").write_to_memory()) if image.hasalpha() else bytes(image.write_to_memory())


def assert_same_as_libvips(data: bytes, image_format: ImageFormat) -> None:
    header, theirs = libvips_grey(data)
    ours = palette_grey(data, image_format, header)
    assert ours is not None
    assert (ours.width, ours.height, ours.bands, ours.format, ours.interpretation) == (
        theirs.width, theirs.height, theirs.bands, theirs.format, theirs.interpretation)
    assert premultiplied(ours) == premultiplied(theirs)
    if theirs.hasalpha():
        assert bytes(ours[1].write_to_memory()) == bytes(theirs[1].write_to_memory())


@pytest.mark.parametrize("colours", [2, 4, 16, 200, 256])
@pytest.mark.parametrize("interlace", [False, True])
def test_gif(colours: int, interlace: bool) -> None:
    assert_same_as_libvips(encoded(picture(colours), "GIF", interlace=interlace), GIF)


def test_gif_with_a_transparent_index() -> None:
    assert_same_as_libvips(encoded(picture(64), "GIF", transparency=3), GIF)


def test_grey_gif_that_pillow_reads_as_l() -> None:
    grey = picture(256).convert("L")
    data = encoded(grey, "GIF", optimize=False)  # the whole grey ramp as the palette: Pillow reads it as L
    with Image.open(io.BytesIO(data)) as image:
        assert image.mode == "L"
    assert_same_as_libvips(data, GIF)


@pytest.mark.parametrize("bits", [1, 2, 4, 8])
def test_palette_png(bits: int) -> None:
    assert_same_as_libvips(encoded(picture(2**bits), "PNG", bits=bits), PNG)


@pytest.mark.parametrize("transparency", [5, bytes(range(0, 256, 3))])
def test_palette_png_with_trns(transparency: int | bytes) -> None:
    assert_same_as_libvips(encoded(picture(256), "PNG", transparency=transparency), PNG)


def test_interlaced_palette_png() -> None:
    rgb = pyvips.Image.new_from_memory(picture(256).convert("RGB").tobytes(), WIDTH, HEIGHT, 3, "uchar")
    data = rgb.pngsave_buffer(palette=True, interlace=True)
    assert libvips.field(libvips_grey(data)[0], "interlaced", 0)
    assert_same_as_libvips(data, PNG)


def test_first_frame_smaller_than_the_canvas_goes_to_libvips() -> None:
    data = bytearray(encoded(picture(16), "GIF"))
    data[6:8] = (WIDTH + 10).to_bytes(2, "little")  # a wider logical screen than the frame
    header, _ = libvips_grey(bytes(data))
    assert palette_grey(bytes(data), GIF, header) is None


def test_palette_with_a_profile_goes_to_libvips() -> None:
    with Image.open(io.BytesIO(encoded(Image.new("RGB", (8, 8)), "PNG"))) as probe:
        profile = probe.info.get("icc_profile")
    from PIL import ImageCms

    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = encoded(picture(16), "PNG", icc_profile=profile or srgb)
    header, _ = libvips_grey(data)
    assert palette_grey(data, PNG, header) is None


def with_short_palette(png: bytes, entries: int) -> bytes:
    """The PNG with its PLTE chunk cut to `entries` colours (its CRC recomputed): later indices point past it."""
    start = png.index(b"PLTE") - 4
    length = int.from_bytes(png[start : start + 4], "big")
    body = b"PLTE" + png[start + 8 : start + 8 + 3 * entries]
    chunk = (3 * entries).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")
    return png[:start] + chunk + png[start + 12 + length :]


def test_index_past_a_short_palette_goes_to_libvips() -> None:
    data = with_short_palette(encoded(picture(4), "PNG", bits=2), 2)
    with Image.open(io.BytesIO(data)) as image:
        assert len(image.getpalette()) == 6 and image.getextrema()[1] == 3
    try:
        header, _ = libvips_grey(data)
    except pyvips.Error:
        return  # libvips refuses such a file outright: nothing to compare
    assert palette_grey(data, PNG, header) is None
