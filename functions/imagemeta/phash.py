"""The contract's perceptual hash: sharp-phash's DCT of the 32x32 sample (sample.py), on numpy; hash text and distances: phash_text.py."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

SAMPLE_SIZE = 32
LOW_SIZE = 8
# COS[i][u] = cos((2i+1) u pi / 64) exactly as V8 computes it for sharp-phash (scripts/phash_cos.js):
# glibc's cos differs in the last bit for a few entries, which flips bits of flat images' hashes.
COS = np.array(json.loads((Path(__file__).parent / "data" / "phash_cos.json").read_text())["cos"])
_LOW = COS[:, 1 : LOW_SIZE + 1]
# WEIGHTS[u][v][i][j] = COS[i][u+1] * COS[j][v+1]: the 64 used basis images (C(u) = 1 there).
_WEIGHTS = _LOW.T[:, None, :, None] * _LOW.T[None, :, None, :]


def dct_hash(grey: np.ndarray) -> str:
    """The hash of a 32x32 greyscale array indexed [row][column]."""
    signal = grey.astype(np.float64).T  # s[x][y]: column x, row y
    # Summed one term at a time in sharp-phash's order (cumsum is sequential): on flat images the
    # coefficients are rounding noise, and only the same additions give the same bits.
    terms = (_WEIGHTS * signal).reshape(LOW_SIZE * LOW_SIZE, -1)
    low = np.cumsum(terms, axis=1)[:, -1] / 4
    mean = np.cumsum(low)[-1] / (LOW_SIZE * LOW_SIZE)
    bits = low > mean  # x outer, y inner; first bit most significant
    return f"{int(''.join('1' if bit else '0' for bit in bits), 2):016x}"
