"""Generate functions/service/storage/data/doc_dictionary_<N>.bin: the preset dictionary of record documents.

A record's document (service/storage/docs.py) is the metadata object and embeddedMetadata of one file as
compact JSON, deflated with this dictionary. Deflate finds repeats within 32 KB behind the cursor, and a
preset dictionary is what stands behind it at the start: the tag names and values most files share. This
script reads every committed test image (tests/data/images), makes its document, and counts in how many
files each `"name":value` pair and each `"name":` occurs; it writes the pairs seen in at least two files and
every name, rarest first (deflate codes nearer distances in fewer bits), up to 32 KB. Measured on the corpus's
46 camera JPEGs (none of them a test image): 2,246 bytes of JSON on average, 926 deflated, 512 with this.

A written dictionary is part of the stored format: records keep the number of the one they used (`dz`), so
never regenerate an existing file; write the next number and raise docs.DICTIONARY.
Usage: python scripts/gen_doc_dictionary.py N
"""
import json
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "functions"))

from imagemeta import ImageMetaError, extract_with_embedded  # noqa: E402 - the path above makes it importable

IMAGES = ROOT / "tests" / "data" / "images"
OUTPUT = ROOT / "functions" / "service" / "storage" / "data"
DICTIONARY_BYTES = 32 * 1024
# A name with its value (a short string, a number, a boolean, an empty group), or a name alone.
PAIR = re.compile(r'"[^"\\]{1,48}":(?:"[^"\\]{0,40}"|[-0-9.]{1,12}|true|false|\{\}),?')
NAME = re.compile(r'"[^"\\]{1,48}":')


def documents() -> list[str]:
    found = []
    for path in sorted(IMAGES.rglob("*")):
        if not path.is_file() or path.suffix.lower() in (".md", ".rst", "") or path.name == "README":
            continue
        try:
            metadata, embedded = extract_with_embedded(path.read_bytes())
        except ImageMetaError:
            continue
        found.append(json.dumps({"metadata": metadata, "embeddedMetadata": embedded}, ensure_ascii=False,
                                separators=(",", ":")))
    return found


def main() -> None:
    number = int(sys.argv[1])
    target = OUTPUT / f"doc_dictionary_{number}.bin"
    if target.exists():
        sys.exit(f"{target} exists: a written dictionary is never changed; use the next number")
    texts = documents()
    pairs = Counter(pair for text in texts for pair in set(PAIR.findall(text)))
    names = Counter(name for text in texts for name in set(NAME.findall(text)))
    files_with = {pair: count for pair, count in pairs.items() if count >= 2} | dict(names)
    # Rarest first, so the most frequent end nearest the data; ties in text order, so the output is stable.
    fragments = sorted(files_with, key=lambda fragment: (files_with[fragment], fragment))
    data = "".join(fragments).encode()[-DICTIONARY_BYTES:]
    target.write_bytes(data)
    print(f"{target}: {len(data)} bytes from {len(texts)} documents, {len(fragments)} fragments")


if __name__ == "__main__":
    main()
