"""The decoding budget: accept or refuse from the header alone, before any pixel is decoded.

Inputs are generated here: PNG headers whose data is absent or tiny (a refused image is never decoded,
so it need not hold its pixels), and small real images. Memory and time themselves are measured by
`make bench` ("Memory bound"), not here.
"""
import io

import pytest
from PIL import Image

from bench.extremes import gif, png
from imagemeta import Limits, TooLarge, extract
from imagemeta.budget import Layout
from imagemeta.limits import DEFAULT_MAX_DECODE_BYTES


@pytest.mark.parametrize(
    ("label", "data"),
    [
        ("1 x 100,000,000 grey, no data (the 69-byte attack)", png(1, 100_000_000, rows=0)),
        ("100,000,000 x 1 RGBA 16-bit", png(100_000_000, 1, 16, 6, rows=0)),
        ("10000 x 10000 RGBA 16-bit, interlaced: a whole frame", png(10_000, 10_000, 16, 6, rows=0, interlace=True)),
        ("10000 x 10000 grey+alpha 16-bit: float premultiply, seconds", png(10_000, 10_000, 16, 4, rows=0)),
        ("1 x 30,000,000: libvips walks every row", png(1, 30_000_000, rows=0)),
    ],
)
def test_costly_shapes_are_refused_before_decoding(label: str, data: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("imagemeta.extraction.grey_sample", never_decoded)
    with pytest.raises(TooLarge):
        extract(data)  # refused from the header: the sample (the decode) is never asked for


def test_a_gif_canvas_at_the_dimension_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    # GIF decoders hold the RGBA canvas and the previous one: 65535 x 1525 is 800 MB before any line.
    monkeypatch.setattr("imagemeta.extraction.grey_sample", never_decoded)
    with pytest.raises(TooLarge, match="limit of"):
        extract(gif(65535, 1525, transparent=True))


def never_decoded(*_: object) -> None:
    raise AssertionError("an image over the budget was handed to the decoder")


@pytest.mark.parametrize(
    ("data", "shape"),
    [(png(2000, 1500, 8, 6), (2000, 1500)), (png(1, 200_000, 8, 0), (1, 200_000)), (png(200_000, 1, 8, 2), (200_000, 1))],
    ids=["rgba-3mp", "tall", "wide"],
)
def test_ordinary_and_moderately_extreme_shapes_are_accepted(data: bytes, shape: tuple[int, int]) -> None:
    result = extract(data)
    assert (result["width"], result["height"]) == shape


def test_the_memory_limit_is_a_setting() -> None:
    data = png(2000, 1500, 8, 6)
    assert extract(data, Limits(max_decode_bytes=DEFAULT_MAX_DECODE_BYTES))["width"] == 2000
    with pytest.raises(TooLarge, match="MB"):
        extract(data, Limits(max_decode_bytes=20 * 2**20))


def test_memory_grows_with_the_loaded_width_not_the_height() -> None:
    tall = Layout("png", 1000, 100_000, 4).memory_bytes()
    assert Layout("png", 1000, 1_000, 4).memory_bytes() == tall
    assert Layout("png", 2000, 1_000, 4).memory_bytes() > tall
    # A JPEG decoded at 1/8 scale streams lines an eighth as wide.
    assert Layout("jpg", 8000, 1_000, 3, loaded_width=1000).memory_bytes() < Layout("jpg", 8000, 1_000, 3).memory_bytes()


def test_bit_depth_alpha_and_rows_cost_time() -> None:
    plain = Layout("png", 5000, 5000, 3).seconds()
    assert Layout("png", 5000, 5000, 3, sample_bytes=2).seconds() > plain
    assert Layout("png", 5000, 5000, 4, has_alpha=True).seconds() > plain
    assert Layout("png", 1, 25_000_000, 3).seconds() > plain  # same pixels, 5,000 times the rows


def test_a_progressive_jpeg_counts_its_coefficients() -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (4000, 3000), (90, 120, 200)).save(buffer, "JPEG", progressive=True)
    progressive = extract(buffer.getvalue())
    assert progressive["width"] == 4000
    with pytest.raises(TooLarge):  # 4000 x 3000 x 1.5 x 2 bytes of coefficients: 36 MB
        extract(buffer.getvalue(), Limits(max_decode_bytes=40 * 2**20))
