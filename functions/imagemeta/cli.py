"""The `imagemeta` command: one line of compact JSON per file or URL, in order."""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Sequence

from . import extract
from .errors import ImageMetaError, NotFound
from .fetch import FetchSettings, fetch
from .limits import Limits
from .settings import fetch_settings_from_env, limits_from_env
from .folder_search import search_folder
from .similar import DEFAULT_MAX_DISTANCE, MAX_DISTANCE

_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
_UNEXPECTED = {"message": "An unexpected error occurred.", "help": "Please report this with the input that caused it."}
_DESCRIPTION = (
    "Print the metadata object of each image (a file path or an http(s) URL) as one line of JSON, "
    "or its error body {message, help}. Exit status 0 when all succeed, 1 when any fails. "
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
        help=f"with --similar-to: the most bits two hashes may differ in (0..{MAX_DISTANCE}, default {DEFAULT_MAX_DISTANCE})",
    )
    args = parser.parse_args(argv)
    if args.similar_to:
        return _similar(args.similar_to, args.sources, args.max_distance)
    succeeded = True
    for source in args.sources:
        result, ok = _result(source)
        succeeded = succeeded and ok
        print(json.dumps(result, separators=(",", ":"), ensure_ascii=False), flush=True)
    return 0 if succeeded else 1


def _similar(query: str, folders: Sequence[str], max_distance: int) -> int:
    """One line per near-duplicate under the folders, nearest first; the error body and 1 on failure."""
    try:
        limits = limits_from_env(os.environ)
        found = [item for folder in folders for item in search_folder(query, folder, max_distance, limits)]
    except ImageMetaError as error:
        print(json.dumps(error.body(), separators=(",", ":"), ensure_ascii=False), flush=True)
        return 1
    except OSError as error:  # the query image is missing or unreadable
        print(json.dumps(NotFound(detail=str(error)).body(), separators=(",", ":")), flush=True)
        return 1
    for item in sorted(found, key=lambda item: (item["distance"], item["path"])):
        print(json.dumps(item, separators=(",", ":"), ensure_ascii=False))
    return 0


def _result(source: str) -> tuple[dict, bool]:
    """The metadata object and True, or the error body and False."""
    try:
        return _metadata(source, limits_from_env(os.environ), fetch_settings_from_env(os.environ)), True
    except ImageMetaError as error:
        return error.body(), False
    except Exception as error:  # noqa: BLE001 - the command promises JSON, never a traceback
        print(f"imagemeta: unexpected {type(error).__name__}: {error}", file=sys.stderr)
        return dict(_UNEXPECTED), False


def _metadata(source: str, limits: Limits, settings: FetchSettings) -> dict:
    if _URL.match(source):
        return extract(fetch(source, settings), limits)
    try:
        return extract(source, limits)
    except OSError as error:  # missing, unreadable or a directory
        raise NotFound(detail=str(error)) from None
