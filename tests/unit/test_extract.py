"""extract(): the golden file, key order, source kinds, and parity with sharp's metadata over the test images.

Expectations: tests/data/expected/sharp.json is sharp 0.35.5's metadata() for every test image
(scripts/expect_sharp.js, `make golden`): every field below equals sharp's, density included (72, libvips'
default, for a JPEG or PNG that declares none).
"""
import json

import pillow_heif
import pytest
from PIL import Image

from imagemeta import extract
from tests.paths import IMAGES
from tests.unit.sharp_expected import READABLE, SHARP, image_path

GOLDEN = IMAGES / "exif-samples/jpg/Canon_40D.jpg"
KEYS = ["height", "width", "size", "format", "hasColorProfile", "quality", "density", "hasTransparency", "pHash", "exif"]
SHARP_FORMAT = {"jpg": "jpeg", "heic": "heif", "avif": "heif"}


def test_golden_canon_40d() -> None:
    result = extract(GOLDEN)
    assert list(result) == KEYS
    assert {key: result[key] for key in KEYS[:-1]} == {
        "height": 68, "width": 100, "size": 7958, "format": "jpg", "hasColorProfile": True,
        "quality": 65, "density": 72, "hasTransparency": False, "pHash": "a56a1332cf90e299",
    }
    assert set(result["exif"]) == {"image", "thumbnail", "exif", "gps", "interoperability", "makernote"}
    assert result["exif"]["image"]["Model"] == "Canon EOS 40D"


@pytest.mark.parametrize("kind", [bytes, bytearray, memoryview, str])
def test_every_source_kind_gives_the_same_object(kind: type) -> None:
    data = GOLDEN.read_bytes()
    source = str(GOLDEN) if kind is str else kind(data)
    assert extract(source) == extract(GOLDEN)


def test_bytearray_is_not_copied_whole() -> None:
    # The reader wraps the buffer (a copy would not block resizing); it must be released afterwards.
    data = bytearray(GOLDEN.read_bytes())
    extract(data)
    data.extend(b"\0")  # raises BufferError if a memoryview of it were still held


@pytest.mark.parametrize("key", READABLE)
def test_test_images_match_sharp_metadata(key: str) -> None:
    expected, result = SHARP[key], extract(image_path(key))
    assert (result["width"], result["height"]) == (expected["width"], expected["height"])
    assert SHARP_FORMAT.get(result["format"], result["format"]) == expected["format"]
    assert result["hasColorProfile"] == expected["hasProfile"]
    assert result["hasTransparency"] == expected["hasAlpha"]
    assert result["density"] == expected["density"]


def test_heic_from_a_phone() -> None:
    result = extract(IMAGES / "exif-samples/heic/IMG_5195.HEIC")
    assert (result["format"], result["width"], result["height"]) == ("heic", 2566, 3313)
    assert result["exif"]["image"]["Model"] == "iPhone 11 Pro Max"


def test_heic_container_rotation_is_applied(tmp_path) -> None:
    # pillow-heif writes EXIF orientation 6 as the container's `irot` (270 degrees); libheif applies it
    # on decoding, and libvips reports the rotated size, so a 64x32 picture answers 32 wide, 64 high.
    pillow_heif.register_heif_opener()
    exif = Image.Exif()
    exif[0x0112] = 6
    path = tmp_path / "rotated.heic"
    Image.new("RGB", (64, 32), (200, 10, 10)).save(path, exif=exif.tobytes(), quality=50)
    result = extract(path)
    assert (result["format"], result["width"], result["height"]) == ("heic", 32, 64)


def test_result_is_json_serialisable() -> None:
    json.dumps(extract(IMAGES / "exif-samples/tiff/Arbitro.tiff"))
