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
    args = parser.parse_args(argv)
    succeeded = True
    for source in args.sources:
        result, ok = _result(source)
        succeeded = succeeded and ok
        print(json.dumps(result, separators=(",", ":"), ensure_ascii=False), flush=True)
    return 0 if succeeded else 1


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
