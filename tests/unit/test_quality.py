"""JPEG quality: ImageMagick's %Q estimate, checked on Pillow-written JPEGs and the test images.

Expectations: tests/data/expected/sharp.json holds `identify -format %Q` (ImageMagick 6.9.11) for
every test JPEG (scripts/expect_sharp.js, `make golden`).
"""
import io

import pytest
from PIL import Image

from imagemeta import extract
from imagemeta.quality import jpeg_quality
from tests.unit.sharp_expected import READABLE, SHARP, image_path

JPEGS = [key for key in READABLE if "quality" in SHARP[key]]


def _jpeg(quality: int, mode: str = "RGB") -> bytes:
    buffer = io.BytesIO()
    Image.linear_gradient("L").convert(mode).save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


@pytest.mark.parametrize("quality", [1, 10, 50, 65, 75, 90, 95, 100])
def test_ijg_tables_give_their_quality(quality: int) -> None:
    assert extract(_jpeg(quality))["quality"] == quality


def test_greyscale_jpeg_uses_the_one_table_estimate() -> None:
    assert extract(_jpeg(80, "L"))["quality"] == 80


def test_no_luminance_table_is_imagemagicks_default() -> None:
    assert jpeg_quality({}) == 92


def test_image_quality_matches_identify() -> None:
    ours = {key: extract(image_path(key))["quality"] for key in JPEGS}
    agree = sum(ours[key] == SHARP[key]["quality"] for key in JPEGS)
    assert len(JPEGS) >= 30
    assert agree >= 0.95 * len(JPEGS)
    assert all(abs(ours[key] - SHARP[key]["quality"]) <= 2 for key in JPEGS)


def test_non_jpeg_quality_is_zero() -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, "PNG")
    assert extract(buffer.getvalue())["quality"] == 0
