"""AVIF's fast pixels (imagemeta/avif.py: dav1d's planes, libheif's conversion reproduced) against libvips' decode.

libvips decodes with libheif and libaom, exactly as sharp does; the fast path must give the same grey bytes at
full size for every picture it takes (the same RGB bytes and profile for a picture with an ICC profile), and
hand back (None) every picture whose conversion it does not reproduce.
The AVIFs are made here with Pillow (libavif and libaom); the colour description is then rewritten in the
file's `colr` box where a test needs another matrix or range than Pillow writes.
"""
from __future__ import annotations

import io

import numpy as np
import pytest
import pyvips
from PIL import Image

from imagemeta import avif, extract, libvips
from imagemeta.formats.heif import AVIF
from imagemeta.phash import dct_hash
from imagemeta.sample import grey_sample, to_grey

SHAPES = [(1, 1), (2, 3), (17, 33), (64, 96), (65, 97), (130, 258)]
NCLX = b"colrnclx"


def _photo_like(height: int, width: int, seed: int, alpha: bool = False) -> Image.Image:
    """Smooth gradients with noise: chroma that varies within the blocks, values that reach both clips."""
    rng = np.random.default_rng(seed)
    rows, columns = np.mgrid[0:height, 0:width]
    bands = [(columns * 7 + rows * 3) % 256, (rows * 11) % 256, ((columns + rows) * 5) % 256]
    if alpha:
        bands.append((columns * 255 // max(width - 1, 1)) % 256)
    pixels = np.dstack(bands).astype(np.int32) + rng.integers(-40, 40, (height, width, len(bands)))
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def _avif(image: Image.Image, orientation: int = 1, **options: object) -> bytes:
    exif = Image.Exif()
    if orientation != 1:
        exif[0x0112] = orientation  # Pillow writes it as irot/imir
    buffer = io.BytesIO()
    image.save(buffer, "AVIF", quality=75, exif=exif.tobytes(), **options)
    return buffer.getvalue()


def _with_nclx(data: bytes, matrix: int | None = None, full_range: bool | None = None) -> bytes:
    """The file with its colr box's matrix_coefficients or full_range_flag rewritten (the AV1 planes unchanged)."""
    at = data.index(NCLX) + len(NCLX)
    patched = bytearray(data)
    if matrix is not None:
        patched[at + 4 : at + 6] = matrix.to_bytes(2, "big")
    if full_range is not None:
        patched[at + 6] = 0x80 if full_range else 0
    return bytes(patched)


def _rgba_of(image: Image.Image) -> Image.Image:
    rgba = image.convert("RGBA")
    rgba.putalpha(image.convert("L"))
    return rgba


def _libvips_grey(data: bytes) -> bytes:
    return to_grey(libvips.load(data, AVIF)).write_to_memory()


def _fast_grey(data: bytes) -> pyvips.Image | None:
    return avif.pixels(data, libvips.load(data, AVIF))


def _assert_fast_and_equal(data: bytes) -> None:
    fast = _fast_grey(data)
    assert fast is not None, "left to libvips"
    assert fast.write_to_memory() == _libvips_grey(data)


@pytest.mark.parametrize(("height", "width"), SHAPES)
@pytest.mark.parametrize("alpha", [False, True], ids=["rgb", "rgba"])
def test_grey_equals_libheif_decode_at_every_size(height: int, width: int, alpha: bool):
    _assert_fast_and_equal(_avif(_photo_like(height, width, seed=height * width, alpha=alpha)))


@pytest.mark.parametrize("orientation", range(1, 9))
def test_rotated_and_mirrored_pictures_turn_as_libheif_turns_them(orientation: int):
    data = _avif(_photo_like(64, 90, seed=orientation), orientation)
    _assert_fast_and_equal(data)


@pytest.mark.parametrize("orientation", [2, 3, 6])
def test_a_turned_picture_with_an_odd_side_is_left_to_libvips(orientation: int):
    # libheif turns the chroma plane on its own; with an odd side it no longer lines up with the luma blocks.
    data = _avif(_photo_like(37, 52, seed=orientation), orientation)
    assert _fast_grey(data) is None


@pytest.mark.parametrize("matrix", sorted(avif.MATRICES))
def test_every_matrix_converts_with_libheifs_coefficients(matrix: int):
    _assert_fast_and_equal(_with_nclx(_avif(_photo_like(48, 64, seed=matrix)), matrix=matrix))


@pytest.mark.parametrize(
    "variant",
    [
        pytest.param(lambda image: _avif(image, subsampling="4:4:4"), id="4:4:4"),
        pytest.param(lambda image: _avif(image, subsampling="4:4:4", range="limited"), id="4:4:4 limited range"),
        pytest.param(lambda image: _avif(image, subsampling="4:2:2"), id="4:2:2"),
        pytest.param(lambda image: _avif(image, range="limited"), id="4:2:0 limited range"),
        pytest.param(lambda image: _with_nclx(_avif(image), full_range=False), id="4:2:0 declared limited"),
        pytest.param(lambda image: _with_nclx(_avif(image, subsampling="4:4:4"), matrix=1), id="4:4:4 BT.709"),
        pytest.param(lambda image: _with_nclx(_avif(image, range="limited"), matrix=9), id="limited BT.2020"),
        pytest.param(lambda image: _avif(_rgba_of(image), subsampling="4:4:4", range="limited"), id="alpha, float"),
    ],
)
@pytest.mark.parametrize("shape", [(48, 64), (37, 51)], ids=["even", "odd"])
def test_libheifs_float_conversion_is_reproduced_too(variant, shape: tuple[int, int]):
    _assert_fast_and_equal(variant(_photo_like(*shape, seed=sum(shape))))


@pytest.mark.parametrize(("subsampling", "orientation"),
                         [("4:4:4", 3), ("4:4:4", 6), ("4:4:4", 7), ("4:2:2", 2), ("4:2:2", 3), ("4:2:2", 4)])
def test_float_converted_pictures_turn_as_libheif_turns_them(subsampling: str, orientation: int):
    _assert_fast_and_equal(_avif(_photo_like(50, 64, seed=orientation), orientation, subsampling=subsampling))


@pytest.mark.parametrize(
    "variant",
    [
        pytest.param(lambda image: _with_nclx(_avif(image), matrix=0), id="identity matrix"),
        pytest.param(lambda image: _with_nclx(_avif(image), matrix=10), id="constant luminance"),
        pytest.param(lambda image: _with_nclx(_avif(image, subsampling="4:4:4"), matrix=8), id="YCgCo"),
        pytest.param(lambda image: _avif(image.convert("L")), id="monochrome"),
        pytest.param(lambda image: _avif(image, subsampling="4:4:4", icc_profile=_display_p3_profile()),
                     id="float path with a profile"),
        pytest.param(lambda image: _avif(_photo_like(48, 64, seed=8, alpha=True), alpha_premultiplied=True),
                     id="premultiplied alpha"),
        pytest.param(lambda image: _avif(_photo_like(50, 64, seed=6), orientation=6, subsampling="4:2:2"),
                     id="4:2:2 turned a quarter"),
        pytest.param(lambda image: _avif(image, orientation=2, subsampling="4:2:2"), id="4:2:2 mirrored, odd width"),
    ],
)
def test_pictures_libheif_converts_otherwise_are_left_to_libvips(variant):
    data = variant(_photo_like(48, 63, seed=7))
    assert _fast_grey(data) is None
    assert extract(data)["pHash"] == _libvips_phash(data)


@pytest.mark.parametrize(("orientation", "alpha"), [(1, False), (6, False), (1, True), (7, True)])
def test_a_picture_with_a_profile_gives_libheifs_rgb_tagged_with_it(orientation: int, alpha: bool):
    # The grey comes after the profile's transform: the sample pipeline takes the RGB as libvips loads it.
    profile = _display_p3_profile()
    data = _avif(_photo_like(58, 84, seed=orientation, alpha=alpha), orientation, icc_profile=profile)
    loaded = libvips.load(data, AVIF)
    fast = avif.pixels(data, loaded)
    assert fast is not None
    assert (fast.bands, fast.interpretation) == (loaded.bands, "srgb")
    assert libvips.profile(fast) == libvips.profile(loaded) == profile
    assert fast.write_to_memory() == loaded.write_to_memory()
    assert extract(data)["pHash"] == _libvips_phash(data)


def test_what_libavif_cannot_read_is_left_to_libvips():
    data = _avif(_photo_like(48, 64, seed=9))
    header = libvips.load(data, AVIF)
    assert avif.pixels(data[:-40], header) is None  # the picture's last bytes gone
    assert avif.pixels(data.replace(b"av01", b"hvc1"), header) is None  # the primary item no longer AV1


def test_extract_takes_the_fast_path_and_hashes_as_libvips_pixels_do():
    data = _avif(_photo_like(300, 200, seed=11), orientation=6)
    assert _fast_grey(data) is not None
    assert extract(data)["pHash"] == _libvips_phash(data)


def test_the_grey_table_is_libvips_grey_of_libheifs_rgb():
    r_cr, g_cb, g_cr, b_cb = coefficients = avif._coefficients(6)
    assert coefficients == (359, -88, -183, 454)  # libheif's BT.601 integers: 1.402, -0.344136, -0.714136, 1.772
    table = avif._grey_table(avif._Conversion(integer=True, matrix=6, full_range=True))
    rng = np.random.default_rng(5)
    luma, cb, cr = (rng.integers(0, 256, 4096) for _ in range(3))
    rgb = np.stack([luma + ((r_cr * (cr - 128) + 128) >> 8), luma + ((g_cb * (cb - 128) + g_cr * (cr - 128) + 128) >> 8),
                    luma + ((b_cb * (cb - 128) + 128) >> 8)], axis=-1)
    pixels = np.clip(rgb, 0, 255).astype(np.uint8)
    image = _srgb_image(pixels.reshape(64, 64, 3))
    assert table[(cb << 16) | (cr << 8) | luma].tobytes() == to_grey(image).write_to_memory()


def _srgb_image(pixels: np.ndarray) -> pyvips.Image:
    height, width, bands = pixels.shape
    return pyvips.Image.new_from_memory(pixels.tobytes(), width, height, bands, "uchar").copy(interpretation="srgb")


def _libvips_phash(data: bytes) -> str:
    header = libvips.load(data, AVIF)
    return dct_hash(grey_sample(libvips.load(data, AVIF), libvips.orientation(header)))


def _display_p3_profile() -> bytes:
    """libvips' own Display P3 profile: its transform to sRGB changes the pixels."""
    return pyvips.Operation.call("profile_load", "p3")
