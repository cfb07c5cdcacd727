"""The committed sharp/sharp-phash/ImageMagick view of the test images (scripts/expect_sharp.js, `make golden`)."""
import json

from tests.paths import EXPECTED, IMAGES

SHARP = {
    key: value
    for key, value in json.loads((EXPECTED / "sharp.json").read_text()).items()
    if not key.startswith("_")
}
# Files sharp reads; it cannot decode HEIC (its prebuilt libvips has no HEVC decoder: `error` recorded).
READABLE = sorted(key for key, value in SHARP.items() if "error" not in value)
ALL_FILES = sorted(SHARP)


def image_path(key: str) -> str:
    """The test image behind an expectation key."""
    return str(IMAGES / key)
