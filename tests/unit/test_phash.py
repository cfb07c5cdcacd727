"""The contract's pHash: published vectors, distances, orientation invariance, and sharp-phash parity.

Expectations: tests/data/expected/sharp.json holds sharp-phash 2.2.0's hash of every test image
(scripts/expect_sharp.js on sharp 0.35.5 / libvips 8.18, `make golden`); the vectors and distance
pairs are the published ones quoted in the contract.
"""
import json
import math
import random
from pathlib import Path

import pytest

import imagemeta
from imagemeta import BadParameter, extract, phash_distance
from imagemeta.phash import dct_hash
from tests.paths import IMAGES
from tests.unit.sharp_expected import READABLE, SHARP, image_path

VECTORS = IMAGES / "phash-vectors"
ORIENTATION = IMAGES / "exif-samples/jpg/orientation"


def test_first_vector_is_exact() -> None:
    assert extract(VECTORS / "first.jpg")["pHash"] == "63433b3ccf8e1ebe"


@pytest.mark.parametrize(
    ("name", "published", "bound"),
    [("second.jpg", "f5d2226cd9d32b16", 4), ("first-slightly-different.jpg", "61433b3fcf8f9faf", 2)],
)
def test_other_vectors_are_near_published(name: str, published: str, bound: int) -> None:
    assert phash_distance(extract(VECTORS / name)["pHash"], published) <= bound


@pytest.mark.parametrize("picture", ["landscape", "portrait"])
def test_orientations_hash_alike(picture: str) -> None:
    # The test images hold landscape_1..4 and portrait_5..8: two pictures, four orientations each.
    hashes = [extract(path)["pHash"] for path in sorted(ORIENTATION.glob(f"{picture}_[1-8].jpg"))]
    assert len(hashes) == 4
    assert max(phash_distance(a, b) for a in hashes for b in hashes) <= 2


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [
        ("f06830ca9f1e3e90", "f06830ca9f1e3e90", 0),
        ("2d5ad3936d2e015b", "2d6ed293db36a4fb", 17),
        ("a4a65595ac94518b", "7838873e791f8400", 37),
        ("33699c96619cc69e", "968e978414fe04ea", 30),
        ("63433b3ccf8e1ebe", "f5d2226cd9d32b16", 27),
        ("63433B3CCF8E1EBE", "61433b3fcf8f9faf", 8),
    ],
)
def test_published_distances(a: str, b: str, distance: int) -> None:
    assert phash_distance(a, b) == distance


@pytest.mark.parametrize("bad", ["", "63433b3ccf8e1eb", "63433b3ccf8e1ebe0", "63433b3ccf8e1ebg", " 63433b3ccf8e1eb", None])
def test_distance_refuses_anything_but_16_hex_digits(bad: object) -> None:
    with pytest.raises(BadParameter, match="16 hexadecimal digits"):
        phash_distance("63433b3ccf8e1ebe", bad)  # type: ignore[arg-type]  # refusing what the type forbids is the point


def test_a_long_bad_value_is_echoed_cut_short() -> None:
    with pytest.raises(BadParameter) as raised:
        phash_distance("63433b3ccf8e1ebe", "f" * 10_000)
    assert len(raised.value.message) < 120
    assert "fff…" in raised.value.message


def reference_hash(grey: bytes) -> str:
    """sharp-phash 2.2.0's loops transcribed (index.js), on V8's cosines (phash_cos.json): term by term, x outer."""
    cos = json.loads((Path(imagemeta.__file__).parent / "data" / "phash_cos.json").read_text())["cos"]
    low = []
    for u in range(1, 9):
        for v in range(1, 9):
            total = 0.0
            for x in range(32):
                for y in range(32):
                    total += cos[x][u] * cos[y][v] * grey[y * 32 + x]
            low.append(total / 4)
    mean = 0.0
    for value in low:
        mean += value
    mean /= 64
    return f"{int(''.join('1' if value > mean else '0' for value in low), 2):016x}"


@pytest.mark.parametrize("seed", range(6))
def test_hash_adds_the_terms_in_sharp_phash_order(seed: int) -> None:
    # Flat and nearly flat samples: every coefficient is rounding noise, so any other order of the
    # additions (a compensated sum, a tree, a fused multiply-add) changes bits.
    rng = random.Random(seed)
    level = rng.randrange(256)
    flat = bytes([level]) * 1024
    noisy = bytes(min(255, max(0, level + rng.choice((-1, 0, 0, 1)))) for _ in range(1024))
    random_sample = bytes(rng.randrange(256) for _ in range(1024))
    for grey in (flat, noisy, random_sample):
        assert dct_hash(grey) == reference_hash(grey)


def test_flat_image_hashes_like_sharp_phash() -> None:
    # All coefficients of a flat image are rounding noise; sharp-phash's summation order fixes the bits.
    assert extract(image_path("exif-samples/jpg/tests/67-0_length_string.jpg"))["pHash"] == SHARP[
        "exif-samples/jpg/tests/67-0_length_string.jpg"
    ]["pHash"]


@pytest.mark.parametrize(("u", "v", "expected"), [(1, 1, "8000000000000000"), (2, 1, "0080000000000000"), (1, 2, "4000000000000000")])
def test_bit_order_is_x_outer_first_bit_most_significant(u: int, v: int, expected: str) -> None:
    # A pure basis image (frequency u along columns x, v along rows y) sets the one bit of F[u][v].
    def wave(k: int, i: int) -> float:
        return math.cos((2 * i + 1) * k * math.pi / 64)

    grey = bytes(round(wave(v, y) * wave(u, x) * 100 + 128) for y in range(32) for x in range(32))  # row by row
    assert dct_hash(grey) == expected


def test_test_image_hashes_equal_sharp_phash() -> None:
    # Bit for bit on every test image sharp decodes: the same pipeline on the same libvips (sample.py).
    differing = {key: (extract(image_path(key))["pHash"], SHARP[key]["pHash"]) for key in READABLE}
    assert {key: pair for key, pair in differing.items() if pair[0] != pair[1]} == {}
