"""How far embedded_metadata agrees with `exiftool -j` over the test images, per group (EXIF, IPTC, XMP).

Expectations: tests/data/expected/embedded_exiftool.json, written by scripts/expect_embedded.py (`make golden`).
A (file, tag) pair agrees when both sides have the tag with equal values (numbers within 1e-12 relative,
booleans and strings exactly). A tag only one side has is a disagreement, counted in the group that
carries it. Run `.venv/bin/python -m tests.unit.embedded_agreement` to print the figures and the pairs
that disagree (docs/embedded-metadata.md lists them with their reasons).
"""
from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from imagemeta.containers import walk
from imagemeta.embedded.facts import merge
from imagemeta.embedded.read_budget import ReadBudget
from imagemeta.embedded.reader import collect, from_walk

from ..paths import EXPECTED, IMAGES

EXPECTATIONS = json.loads((EXPECTED / "embedded_exiftool.json").read_text(encoding="utf-8"))
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".gif", ".webp", ".tif", ".tiff", ".heic", ".heif", ".avif", ".bmp", ".ico"}


@dataclass
class Agreement:
    """Pairs per group, pairs that agree, and the ones that do not: (file, group, tag, ours, exiftool's)."""

    pairs: Counter = field(default_factory=Counter)
    agreeing: Counter = field(default_factory=Counter)
    disagreements: list[tuple[str, str, str, object, object]] = field(default_factory=list)

    def share(self, group: str) -> float:
        return self.agreeing[group] / self.pairs[group]


def same(ours: object, theirs: object) -> bool:
    """Equal values: lists element-wise, numbers within a tiny relative tolerance, the rest exactly."""
    if isinstance(ours, list) and isinstance(theirs, list):
        return len(ours) == len(theirs) and all(same(a, b) for a, b in zip(ours, theirs, strict=True))
    if isinstance(ours, bool) or isinstance(theirs, bool):
        return ours is theirs
    if isinstance(ours, (int, float)) and isinstance(theirs, (int, float)):
        return math.isclose(ours, theirs, rel_tol=1e-12)
    return type(ours) is type(theirs) and ours == theirs


def image_files() -> list[Path]:
    return sorted(p for p in IMAGES.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES)


def agreement() -> Agreement:
    """Compare every test image's embeddedMetadata with exiftool's."""
    result = Agreement()
    for path in image_files():
        name = path.relative_to(IMAGES).as_posix()
        expected = EXPECTATIONS.get(name, {})
        found = walk(path.read_bytes())
        ours = from_walk(found)
        groups = {tag.replace("-", ""): fact.group for tag, fact in merge(list(collect(found, ReadBudget()))).items()}
        for tag in sorted(set(expected) | set(ours)):
            group = expected[tag]["group"] if tag in expected else groups[tag]
            result.pairs[group] += 1
            theirs = expected[tag]["value"] if tag in expected else "(absent)"
            if tag in expected and tag in ours and same(ours[tag], theirs):
                result.agreeing[group] += 1
            else:
                result.disagreements.append((name, group, tag, ours.get(tag, "(absent)"), theirs))
    return result


def main() -> None:
    result = agreement()
    for group in sorted(result.pairs):
        print(f"{group}: {result.agreeing[group]} of {result.pairs[group]} (file, tag) pairs agree "
              f"({result.share(group):.2%})")
    for name, group, tag, ours, theirs in result.disagreements:
        print(f"disagree: {name} {group}:{tag} ours={ours!r} exiftool={theirs!r}")


if __name__ == "__main__":
    main()
