"""pHash values as text: parsing and the Hamming distance (no numpy, so lookups import it cheaply)."""
from __future__ import annotations

import re

from .errors import BadParameter, echo

_HEX = re.compile(r"[0-9a-fA-F]{16}")


def parse_phash(value: str, name: str = "pHash") -> str:
    """A hash given by a caller, lower-cased; BadParameter naming `name` unless exactly 16 hex digits."""
    if not isinstance(value, str) or not _HEX.fullmatch(value):
        raise BadParameter(f"Parameter `{name}` must be exactly 16 hexadecimal digits, not {echo(value)}.")
    return value.lower()


def phash_distance(a: str, b: str) -> int:
    """The Hamming distance of two 16-hex-digit hashes (any case)."""
    return (int(parse_phash(a, "a"), 16) ^ int(parse_phash(b, "b"), 16)).bit_count()
