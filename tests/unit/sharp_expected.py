"""The committed sharp/sharp-phash/ImageMagick view of the corpus (scripts/expect_sharp.js, `make golden`)."""
import json

from tests.paths import CORPUS, ROOT

SHARP = {
    key: value
    for key, value in json.loads((ROOT / "tests/data/expected/sharp.json").read_text()).items()
    if not key.startswith("_")
}
# Files sharp reads; it cannot decode the corpus HEIC files or corrupted.jpg (`error` recorded).
READABLE = sorted(key for key, value in SHARP.items() if "error" not in value)
ALL_FILES = sorted(SHARP)


def corpus_path(key: str) -> str:
    """The corpus file behind an expectation key."""
    return str(CORPUS / key)
