"""Write tests/data/expected/embedded_exiftool.json: what `exiftool -j` says of every test image's EXIF, IPTC and XMP.

Usage: .venv/bin/python scripts/expect_embedded.py [IMAGES] [OUTPUT]   (`make golden-embedded`; exiftool 12.57)

exiftool runs four times over the folder, with TZ=UTC, each with `-EXIF:All -IPTC:All -XMP:All`:
1. `-j`: the merged object (no group prefixes, so ExifTool's own precedence picks one value per name),
   print-converted;
2. the same with `-d %Y-%m-%dT%H:%M:%S%3f%z`: the values ExifTool formats as dates, with their zone (+0000
   when they have none);
3. the same as 1 with `-G0`: which group (EXIF, IPTC, XMP) each name's value comes from;
4. `-j -n -GPSLatitude -GPSLongitude -GPSAltitude` alone: the signed decimal degrees and metres (ExifTool's
   Composite tags, which apply the Ref tags) that replace the print-converted GPS values.
Then, as docs/embedded-metadata.md defines the shape: hyphens leave the names (By-line -> Byline); a value
that -d changed becomes the UTC instant `YYYY-MM-DDTHH:MM:SS.sssZ`, except times of day (IPTC TimeCreated),
which keep ExifTool's print as the hosted API's sample does; binary values ("(Binary data N bytes, use -b
...)") are left out. Each file maps each name to {"group", "value"}.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IMAGES = ROOT / "tests" / "data" / "images"
OUTPUT = ROOT / "tests" / "data" / "expected" / "embedded_exiftool.json"
DATE_FORMAT = "%Y-%m-%dT%H:%M:%S%3f%z"
GROUPS = ["-EXIF:All", "-IPTC:All", "-XMP:All"]
SIGNED_GPS = ["-GPSLatitude", "-GPSLongitude", "-GPSAltitude"]
COMMANDS = {
    "merged": ["-j", "-q", "-q", *GROUPS],
    "dates": ["-j", "-q", "-q", "-d", DATE_FORMAT, *GROUPS],
    "groups": ["-j", "-q", "-q", "-G0", *GROUPS],
    "gps": ["-j", "-q", "-q", "-n", *SIGNED_GPS],
}
EXTENSIONS = ["jpg", "jpeg", "png", "gif", "webp", "tif", "tiff", "heic", "heif", "avif", "bmp", "ico"]
ISO_WITH_ZONE = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3})([+-]\d{4})$")
TIME_OF_DAY = re.compile(r"^\d\d:\d\d(:\d\d)?(\.\d+)?([+-]\d\d:?\d\d|Z)?$")
BINARY = re.compile(r"^\(Binary data \d+ bytes, use -b option to extract\)$")


def run(images: Path, arguments: list[str]) -> dict[str, dict]:
    """One exiftool run over the folder: {relative path: tags}."""
    extensions = [flag for ext in EXTENSIONS for flag in ("-ext", ext)]
    command = ["exiftool", *arguments, *extensions, "-r", "."]
    output = subprocess.run(command, cwd=images, env={**os.environ, "TZ": "UTC"},
                            capture_output=True, check=False, text=True).stdout
    return {entry.pop("SourceFile").removeprefix("./"): entry for entry in json.loads(output or "[]")}


def utc_instant(value: object) -> object:
    """A date exiftool formatted as ISO with a zone -> the UTC instant the hosted API prints; others unchanged."""
    if not isinstance(value, str) or not (match := ISO_WITH_ZONE.match(value)):
        return value
    try:
        moment = datetime.strptime(match[1] + match[2], "%Y-%m-%dT%H:%M:%S.%f%z")
    except ValueError:
        return value
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def dated(plain: object, formatted: object) -> object:
    """The value with its dates as UTC instants: where -d changed it, unless it is a time of day."""
    if isinstance(plain, list) and isinstance(formatted, list):
        return [dated(a, b) for a, b in zip(plain, formatted, strict=True)]
    if formatted == plain or (isinstance(plain, str) and TIME_OF_DAY.match(plain)):
        return plain
    return utc_instant(formatted)


def group_of(name: str, value: object, grouped: dict) -> str:
    """The family-0 group whose value of `name` is the merged one (the first that matches)."""
    candidates = [key.split(":", 1)[0] for key in grouped if key.split(":", 1)[1] == name]
    for group in candidates:
        if grouped[f"{group}:{name}"] == value:
            return group
    return candidates[0]


def expectation(merged: dict, dates: dict, grouped: dict, gps: dict) -> dict:
    """One file's {name without hyphens: {group, value}}."""
    tags = {}
    for name, value in merged.items():
        if isinstance(value, str) and BINARY.match(value):
            continue
        group = group_of(name, value, grouped)
        value = gps[name] if name in gps else dated(value, dates.get(name, value))
        tags[name.replace("-", "")] = {"group": group, "value": value}
    return tags


def main() -> None:
    images = Path(sys.argv[1]) if len(sys.argv) > 1 else IMAGES
    output = Path(sys.argv[2]) if len(sys.argv) > 2 else OUTPUT
    runs = {key: run(images, arguments) for key, arguments in COMMANDS.items()}
    version = subprocess.run(["exiftool", "-ver"], check=True, capture_output=True, text=True).stdout.strip()
    document: dict = {"_generator": {"exiftool": version, "TZ": "UTC",
                                     "commands": {key: " ".join(["exiftool", *args]) for key, args in COMMANDS.items()}}}
    for path in sorted(runs["merged"]):
        tags = expectation(runs["merged"][path], runs["dates"].get(path, {}), runs["groups"].get(path, {}),
                           runs["gps"].get(path, {}))
        if tags:
            document[path] = tags
    output.write_text(json.dumps(document, indent=1, ensure_ascii=False, sort_keys=False) + "\n", encoding="utf-8")
    print(f"wrote {output} ({len(document) - 1} files)")


if __name__ == "__main__":
    main()
