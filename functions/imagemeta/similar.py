"""Near-duplicate search by pHash: the band scheme (multi-index hashing), its probes and ranking.

The 64-bit hash is cut into BAND_COUNT bands of 16 bits (four hex digits each). Pigeonhole, refined as in
Norouzi et al., "Fast Exact Search in Hamming Space with Multi-Index Hashing": write the query radius as
r = s * m + a (0 <= a < m bands); any hash within r of the query is within s of it on one of the first
a + 1 bands, or within s - 1 on one of the others. Probing exactly those band values finds every match.
docs/similar.md has the numbers behind the choice of four bands.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import combinations

from .errors import BadParameter

HASH_BITS = 64
BAND_COUNT = 4
BAND_BITS = HASH_BITS // BAND_COUNT
BAND_HEX_DIGITS = BAND_BITS // 4
MAX_DISTANCE = 12
DEFAULT_MAX_DISTANCE = 8


def check_max_distance(value: int) -> int:
    """The distance itself; BadParameter outside 0..MAX_DISTANCE, the radius the index guarantees."""
    if not 0 <= value <= MAX_DISTANCE:
        raise BadParameter(f"The maximum distance must be an integer from 0 to {MAX_DISTANCE}, not {value}.")
    return value


def distance(a: str, b: str) -> int:
    """Hamming distance of two hashes already validated (the hot loop skips phash_text.phash_distance's checks)."""
    return (int(a, 16) ^ int(b, 16)).bit_count()


def bands(phash: str) -> list[str]:
    """The hash's band values, most significant first, as hex (the index's partition keys)."""
    return [phash[k * BAND_HEX_DIGITS : (k + 1) * BAND_HEX_DIGITS] for k in range(BAND_COUNT)]


def band_radii(max_distance: int, band_count: int = BAND_COUNT) -> list[int]:
    """Per band, the radius to probe so that every hash within max_distance is found (-1: not probed)."""
    s, a = divmod(max_distance, band_count)
    return [s if k <= a else s - 1 for k in range(band_count)]


def probes(phash: str, max_distance: int) -> Iterator[tuple[int, str]]:
    """(band number, band value) for every bucket a search within max_distance must read."""
    for band, (value, radius) in enumerate(zip(bands(phash), band_radii(max_distance), strict=True)):
        centre = int(value, 16)
        for flips in range(radius + 1):
            for bits in combinations(range(BAND_BITS), flips):
                yield band, f"{centre ^ sum(1 << bit for bit in bits):0{BAND_HEX_DIGITS}x}"


@dataclass(frozen=True, order=True)
class Match:
    """One hash within the radius; ordered by distance, then key (a fileId or a path)."""

    distance: int
    key: str
    phash: str


def matches(query: str, candidates: Iterable[tuple[str, str]], max_distance: int,
            exclude: str | None = None) -> list[Match]:
    """The (key, pHash) candidates within max_distance of the query, nearest first, each key once."""
    found = {
        key: Match(d, key, phash)
        for key, phash in candidates
        if key != exclude and (d := distance(query, phash)) <= max_distance
    }
    return sorted(found.values())
