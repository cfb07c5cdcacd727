"""The band scheme against brute force, its pigeonhole guarantee, and the folder search."""
from __future__ import annotations

import json
from collections import defaultdict
from itertools import product
from math import comb
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from imagemeta import BadParameter, NotFound, extract, phash_distance
from imagemeta.cli import main
from imagemeta.folder_search import search_folder
from imagemeta.phash_text import parse_phash
from imagemeta.similar import (
    BAND_BITS,
    BAND_COUNT,
    MAX_DISTANCE,
    band_radii,
    bands,
    matches,
    probes,
)
from infra.resources import table_parameters
from service.storage.similar_index import BAND_ATTRIBUTES, PHASH_ATTRIBUTE

from ..local_template import local_template
from ..synthetic_hashes import HashSet, planted_hashes

PLANTS_PER_DISTANCE = 3  # the generator plants three near-duplicates at each distance


@pytest.fixture(scope="module")
def hash_set() -> HashSet:
    return planted_hashes(total=20_000, queries=40, seed=7)


def banded(files: list[tuple[str, str]]) -> dict[tuple[int, str], list[tuple[str, str]]]:
    """An in-memory band index: the buckets the DynamoDB indexes hold."""
    buckets: dict[tuple[int, str], list[tuple[str, str]]] = defaultdict(list)
    for fid, phash in files:
        for band, value in enumerate(bands(phash)):
            buckets[band, value].append((fid, phash))
    return buckets


def test_the_generator_plants_near_duplicates_at_every_distance(hash_set: HashSet) -> None:
    for query in hash_set.queries:
        found = hash_set.brute_force(query, MAX_DISTANCE)
        per_distance = [sum(1 for d, _ in found if d == distance) for distance in range(MAX_DISTANCE + 1)]
        # The query's own file, the three plants per distance; uniform noise lands within 12 bits ~never.
        assert per_distance[0] >= 1 + PLANTS_PER_DISTANCE
        assert all(count >= PLANTS_PER_DISTANCE for count in per_distance[1:])


def test_probing_the_bands_finds_exactly_the_brute_force_answer(hash_set: HashSet) -> None:
    buckets = banded(hash_set.files)
    for query in hash_set.queries:
        # One pass over the 20,000 files per query, not one per radius (13 times the work): the brute-force answer
        # within a radius is the answer within the largest one cut at that distance, as it is sorted by distance.
        widest = hash_set.brute_force(query, MAX_DISTANCE)
        for max_distance in range(MAX_DISTANCE + 1):
            candidates = [entry for probe in probes(query, max_distance) for entry in buckets.get(probe, [])]
            found = [(m.distance, m.key) for m in matches(query, candidates, max_distance)]
            assert found == [(d, fid) for d, fid in widest if d <= max_distance], (query, max_distance)


def test_every_split_of_the_flipped_bits_over_the_bands_meets_a_probed_radius() -> None:
    for max_distance in range(MAX_DISTANCE + 1):
        radii = band_radii(max_distance)
        for split in product(range(max_distance + 1), repeat=BAND_COUNT):
            if sum(split) <= max_distance:
                assert any(flipped <= radius for flipped, radius in zip(split, radii, strict=True)), (max_distance, split)


def test_no_band_is_probed_wider_than_the_guarantee_needs() -> None:
    """Each band's radius is needed: the split with that band at its radius and every other band one bit
    beyond its own is within the maximum distance, and only that band's probes catch it."""
    radii = band_radii(MAX_DISTANCE)
    for band in range(BAND_COUNT):
        split = [r if k == band else r + 1 for k, r in enumerate(radii)]
        assert sum(split) <= MAX_DISTANCE, (band, split)


def test_the_probes_are_distinct_and_as_many_as_the_values_within_each_bands_radius() -> None:
    query = "63433b3ccf8e1ebe"
    counts = {}
    for max_distance in range(MAX_DISTANCE + 1):
        listed = list(probes(query, max_distance))
        assert len(set(listed)) == len(listed)
        within_radius = [sum(comb(BAND_BITS, flips) for flips in range(r + 1)) for r in band_radii(max_distance)]
        assert len(listed) == sum(within_radius)
        counts[max_distance] = len(listed)
    # C(16,<=3) + 3 * C(16,<=2) at the maximum, C(16,<=2) + 3 * C(16,<=1) at the default.
    assert (counts[12], counts[8]) == (697 + 3 * 137, 137 + 3 * 17)


def test_a_probe_of_radius_r_differs_from_the_query_band_in_at_most_r_bits() -> None:
    query = "f5d2226cd9d32b16"
    radii = band_radii(MAX_DISTANCE)
    for band, value in probes(query, MAX_DISTANCE):
        assert (int(value, 16) ^ int(bands(query)[band], 16)).bit_count() <= radii[band]


def test_parse_phash_lowercases_and_refuses_anything_but_16_hex_digits() -> None:
    assert parse_phash("63433B3CCF8E1EBE") == "63433b3ccf8e1ebe"
    for bad in ("63433b3ccf8e1eb", "63433b3ccf8e1ebe0", "63433b3ccf8e1ebg", "", " 63433b3ccf8e1eb"):
        with pytest.raises(BadParameter, match="pHash"):
            parse_phash(bad)


def gradient(path: Path, noise: float, seed: int, flip: bool = False) -> None:
    rng = np.random.default_rng(seed)
    ramp = np.linspace(0, 255, 96)[None, :] * np.linspace(0.2, 1, 64)[:, None]
    pixels = np.clip(ramp + rng.normal(0, noise, ramp.shape), 0, 255).astype(np.uint8)
    Image.fromarray(pixels[:, ::-1] if flip else pixels).save(path)


def test_search_folder_answers_as_brute_force_over_extract_and_skips_non_images(tmp_path: Path) -> None:
    folder = tmp_path / "photos"
    (folder / "nested").mkdir(parents=True)
    query = folder / "query.png"
    gradient(query, noise=0, seed=0)
    gradient(folder / "copy.png", noise=0, seed=0)
    gradient(folder / "nested" / "noisy.png", noise=12, seed=1)
    gradient(folder / "mirrored.png", noise=0, seed=0, flip=True)
    (folder / "notes.txt").write_text("not an image")

    found = search_folder(query, folder, max_distance=MAX_DISTANCE)

    query_hash = extract(query)["pHash"]
    expected = sorted(
        (phash_distance(query_hash, extract(p)["pHash"]), str(p.resolve()))
        for p in folder.rglob("*.png")
        if p != query and phash_distance(query_hash, extract(p)["pHash"]) <= MAX_DISTANCE
    )
    assert [(item["distance"], item["path"]) for item in found] == expected
    assert str((folder / "copy.png").resolve()) in {item["path"] for item in found}
    assert str(query.resolve()) not in {item["path"] for item in found}
    assert all(item["pHash"] == extract(item["path"])["pHash"] for item in found)


def test_search_folder_refuses_a_distance_the_index_does_not_guarantee(tmp_path: Path) -> None:
    gradient(tmp_path / "query.png", noise=0, seed=0)
    with pytest.raises(BadParameter, match="0 to 12"):
        search_folder(tmp_path / "query.png", tmp_path, max_distance=MAX_DISTANCE + 1)


def test_the_command_prints_the_folder_search_one_line_per_match(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gradient(tmp_path / "query.png", noise=0, seed=0)
    gradient(tmp_path / "copy.png", noise=0, seed=0)
    gradient(tmp_path / "mirrored.png", noise=0, seed=0, flip=True)

    assert main(["--similar-to", str(tmp_path / "query.png"), "--max-distance", "12", str(tmp_path)]) == 0

    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert lines == search_folder(tmp_path / "query.png", tmp_path, max_distance=12)
    assert str((tmp_path / "copy.png").resolve()) in {line["path"] for line in lines}


def test_the_command_refuses_a_distance_beyond_12_with_the_error_body(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gradient(tmp_path / "query.png", noise=0, seed=0)
    assert main(["--similar-to", str(tmp_path / "query.png"), "--max-distance", "13", str(tmp_path)]) == 1
    assert "0 to 12" in json.loads(capsys.readouterr().out)["message"]


@pytest.mark.parametrize("missing", ["query", "folder"])
def test_the_command_answers_404s_body_for_a_missing_query_or_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], missing: str
) -> None:
    gradient(tmp_path / "query.png", noise=0, seed=0)
    query = tmp_path / ("absent.png" if missing == "query" else "query.png")
    folder = tmp_path / ("absent" if missing == "folder" else "")
    assert main(["--similar-to", str(query), str(folder)]) == 1
    assert json.loads(capsys.readouterr().out) == NotFound().body()


def test_the_template_declares_the_band_indexes_the_code_queries() -> None:
    """template.yaml is the one declaration of the indexes; SimilarIndex queries each band's by its attribute name."""
    table = table_parameters(local_template(), "FilesTable")
    indexes = {index["IndexName"]: index for index in table["GlobalSecondaryIndexes"]}
    assert set(BAND_ATTRIBUTES) <= set(indexes)
    for band in BAND_ATTRIBUTES:
        assert indexes[band]["KeySchema"] == [
            {"AttributeName": band, "KeyType": "HASH"},
            {"AttributeName": PHASH_ATTRIBUTE, "KeyType": "RANGE"},
        ]
        # A search reads fileId and pHash from the index entries: the keys hold both.
        assert indexes[band]["Projection"] == {"ProjectionType": "KEYS_ONLY"}
    declared = {a["AttributeName"]: a["AttributeType"] for a in table["AttributeDefinitions"]}
    assert all(declared[name] == "S" for name in (PHASH_ATTRIBUTE, *BAND_ATTRIBUTES))
