"""The `imagemeta` command: one line of compact JSON per file or URL, in order."""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TypeVar

from . import embedded_metadata, extract
from .errors import ImageMetaError, NotFound
from .fetch import fetch
from .folder_search import search_folder
from .settings import CliSettings, ConfigError
from .similar import DEFAULT_MAX_DISTANCE, MAX_DISTANCE

T = TypeVar("T")

_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
_UNEXPECTED = {"message": "An unexpected error occurred.", "help": "Please report this with the input that caused it."}
_DESCRIPTION = (
    "Print the metadata object of each image (a file path or an http(s) URL) as one line of JSON, "
    "or its error body {message, help}. Exit status 0 when all succeed, 1 when any fails, 2 for a bad setting. "
    "Settings come from the environment as for the service: MAX_IMAGE_BYTES, MAX_IMAGE_PIXELS, "
    "FETCH_HEADER_TIMEOUT_S, FETCH_BODY_TIMEOUT_S, FETCH_MAX_REDIRECTS, FETCH_ALLOWED_PORTS, "
    "ALLOWED_URL_PREFIXES, ALLOW_LOOPBACK_URLS."
)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; returns the exit status."""
    parser = argparse.ArgumentParser(prog="imagemeta", description=_DESCRIPTION)
    parser.add_argument("sources", nargs="+", metavar="PATH_OR_URL", help="an image file or an http(s) URL")
    parser.add_argument(
        "--similar-to",
        metavar="IMAGE",
        help="instead, print {path, pHash, distance} for each image under the PATH folders whose pHash is "
        "within --max-distance bits of IMAGE's, nearest first",
    )
    parser.add_argument(
        "--max-distance",
        type=int,
        default=DEFAULT_MAX_DISTANCE,
        metavar="N",
        help=f"with --similar-to: the most bits two hashes may differ in "
        f"(0..{MAX_DISTANCE}, default {DEFAULT_MAX_DISTANCE})",
    )
    parser.add_argument(
        "--embedded",
        action="store_true",
        help="instead, print each image's embeddedMetadata object: EXIF, IPTC and XMP merged, with ExifTool's "
        "names and printed values (docs/embedded-metadata.md)",
    )
    args = parser.parse_args(argv)
    try:
        settings = CliSettings.from_env(os.environ)
    except ConfigError as error:
        print(f"imagemeta: {error}", file=sys.stderr)
        return 2
    if args.similar_to:
        return _similar(args.similar_to, args.sources, args.max_distance, settings)
    read = embedded_metadata if args.embedded else extract
    failures = 0
    for source in args.sources:
        metadata = _attempt(partial(_metadata, source, read, settings))
        failures += isinstance(metadata, Failed)
        _print(metadata.body if isinstance(metadata, Failed) else metadata)
    return 1 if failures else 0


def _similar(query: str, folders: Sequence[str], max_distance: int, settings: CliSettings) -> int:
    """One line per near-duplicate under the folders, nearest first; the error body and 1 on failure."""
    found = _attempt(partial(_search, query, folders, max_distance, settings))
    if isinstance(found, Failed):
        _print(found.body)
        return 1
    for item in sorted(found, key=lambda item: (item["distance"], item["path"])):
        _print(item)
    return 0


def _search(query: str, folders: Sequence[str], max_distance: int, settings: CliSettings) -> list[dict]:
    return [item for folder in folders for item in search_folder(query, folder, max_distance, settings.limits)]


@dataclass(frozen=True)
class Failed:
    """An action that ended with an error: the body the command prints for it."""

    body: dict


def _attempt(action: Callable[[], T]) -> T | Failed:
    """The action's result, or the error body it ended with: the command prints JSON, never a traceback."""
    try:
        return action()
    except ImageMetaError as error:
        return Failed(error.body())
    except OSError as error:  # a path that is missing, unreadable or a directory
        return Failed(NotFound(detail=str(error)).body())
    except Exception as error:  # noqa: BLE001 - a fault of ours still answers in the command's shape
        print(f"imagemeta: unexpected {type(error).__name__}: {error}", file=sys.stderr)
        return Failed(dict(_UNEXPECTED))


def _metadata(source: str, read: Callable[..., dict], settings: CliSettings) -> dict:
    """A path's or a URL's object as `read` makes it (the metadata object, or embeddedMetadata)."""
    return read(fetch(source, settings.fetch) if _URL.match(source) else source, settings.limits)


def _print(body: dict) -> None:
    print(json.dumps(body, separators=(",", ":"), ensure_ascii=False), flush=True)
