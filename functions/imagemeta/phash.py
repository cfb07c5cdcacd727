"""The contract's perceptual hash: sharp-phash's DCT of the 32x32 sample (sample.py); hash text and distances: phash_text.py.

No numpy (its import costs a cold start about 150 ms): the 64 products per pixel are one libvips multiply,
and the sums are libvips' `stats`, which adds a one-row image's values left to right in double, as
sharp-phash's loop does.
"""
from __future__ import annotations

import json
import struct
from array import array
from functools import cache
from pathlib import Path

import pyvips

SAMPLE_SIZE = 32
LOW_SIZE = 8
_COEFFICIENTS = LOW_SIZE * LOW_SIZE
_TERMS = SAMPLE_SIZE * SAMPLE_SIZE
# Each sample value repeated once per coefficient: pixel k of the signal image holds s[k] in all 64 bands.
_REPEATED = [bytes([value]) * _COEFFICIENTS for value in range(256)]
_STATS_SUM = 2  # vips_stats' columns: min, max, sum, ...


@cache
def _weights() -> pyvips.Image:
    """W[u][v] at pixel x*32+y, band u*8+v: COS[x][u+1] * COS[y][v+1], the 64 used basis images (C(u) = 1 there).

    COS[i][u] = cos((2i+1) u pi / 64) exactly as V8 computes it for sharp-phash (scripts/phash_cos.js):
    glibc's cos differs in the last bit for a few entries, which flips bits of flat images' hashes.
    """
    cos = json.loads((Path(__file__).parent / "data" / "phash_cos.json").read_text())["cos"]
    low = [row[1 : LOW_SIZE + 1] for row in cos]
    products = array("d", (cx * cy for x in range(SAMPLE_SIZE) for y in range(SAMPLE_SIZE)
                           for cx in low[x] for cy in low[y]))
    return pyvips.Image.new_from_memory(products.tobytes(), _TERMS, 1, _COEFFICIENTS, "double")  # keeps the bytes alive


def dct_hash(grey: bytes) -> str:
    """The hash of a 32x32 greyscale sample given as 1,024 bytes, row by row."""
    # sharp-phash sums over x (column) outer, y (row) inner: the sample transposed.
    signal = b"".join(grey[x::SAMPLE_SIZE] for x in range(SAMPLE_SIZE))
    repeated = pyvips.Image.new_from_memory(b"".join(map(_REPEATED.__getitem__, signal)), _TERMS, 1,
                                            _COEFFICIENTS, "uchar")
    # Summed one term at a time in sharp-phash's order: on flat images the coefficients are rounding noise,
    # and only the same additions give the same bits.
    stats = (_weights() * repeated).stats()
    columns = stats.width  # one row for all bands, then one a band
    values = struct.unpack(f"{columns * stats.height}d", stats.write_to_memory())
    low = [values[(band + 1) * columns + _STATS_SUM] / 4 for band in range(_COEFFICIENTS)]
    total = 0.0
    for value in low:  # sequential, as sharp-phash; sum() of floats compensates from Python 3.12 on
        total += value
    mean = total / _COEFFICIENTS
    bits = "".join("1" if value > mean else "0" for value in low)  # x outer, y inner; first bit most significant
    return f"{int(bits, 2):016x}"
