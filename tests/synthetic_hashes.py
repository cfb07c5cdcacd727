"""Synthetic pHashes for the similar-image tests and benchmark: uniform noise plus planted near-duplicates."""
from __future__ import annotations

import random
from dataclasses import dataclass

from imagemeta.similar import BAND_BITS, BAND_COUNT, HASH_BITS, MAX_DISTANCE, matches
from service.storage.records import file_id

SYNTHETIC_BUCKET = "imagemeta-uploads-123456789012"


@dataclass(frozen=True)
class HashSet:
    """Files (object key and pHash, keyed by fileId) and the query hashes planted among them."""

    paths: dict[str, str]
    files: list[tuple[str, str]]  # (fileId, pHash)
    queries: list[str]

    def brute_force(self, query: str, max_distance: int, exclude: str | None = None) -> list[tuple[int, str]]:
        """The exact answer, (distance, fileId) nearest first, by comparing the query with every file."""
        return [(m.distance, m.key) for m in matches(query, self.files, max_distance, exclude)]


def planted_hashes(total: int, queries: int, seed: int = 0, bucket: str = SYNTHETIC_BUCKET) -> HashSet:
    """`total` files: each query hash stored once, with three near-duplicates at every distance 0..MAX_DISTANCE
    (bits flipped at random, packed into as few bands as possible, spread as evenly as possible over the
    bands: the last is the pigeonhole's worst case), and uniform random hashes for the rest."""
    rng = random.Random(seed)
    hashes: list[int] = []
    query_hashes = [rng.getrandbits(HASH_BITS) for _ in range(queries)]
    for query in query_hashes:
        hashes.append(query)
        for d in range(MAX_DISTANCE + 1):
            for positions in (_random_bits(rng, d), _packed_bits(rng, d), _even_bits(rng, d)):
                hashes.append(query ^ sum(1 << bit for bit in positions))
    if len(hashes) > total:
        raise ValueError(f"{queries} queries plant {len(hashes)} hashes, more than {total}")
    hashes.extend(rng.getrandbits(HASH_BITS) for _ in range(total - len(hashes)))
    paths = {file_id(bucket, key): key for key in (f"synthetic/{seed}/{n:06d}.jpg" for n in range(total))}
    files = [(fid, f"{h:016x}") for fid, h in zip(paths, hashes, strict=True)]
    return HashSet(paths, files, [f"{q:016x}" for q in query_hashes])


def _random_bits(rng: random.Random, d: int) -> list[int]:
    return rng.sample(range(HASH_BITS), d)


def _packed_bits(rng: random.Random, d: int) -> list[int]:
    """d bits filling whole bands from a random one on: most bands untouched."""
    start = rng.randrange(BAND_COUNT) * BAND_BITS
    return [(start + n) % HASH_BITS for n in range(d)]


def _even_bits(rng: random.Random, d: int) -> list[int]:
    """d bits shared out as evenly as possible among the bands, in a random band order."""
    order = rng.sample(range(BAND_COUNT), BAND_COUNT)
    per_band = [d // BAND_COUNT + (1 if k < d % BAND_COUNT else 0) for k in range(BAND_COUNT)]
    return [order[k] * BAND_BITS + bit for k in range(BAND_COUNT) for bit in rng.sample(range(BAND_BITS), per_band[k])]

