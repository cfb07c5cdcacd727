"""library/annotations.py: tags a request gives, trimmed exactly as the OpenAPI description's Tag pattern says."""
from __future__ import annotations

import re

import pytest
import yaml

from imagemeta.errors import BadParameter
from library.annotations import checked_tags

from ..paths import ROOT

TAG_PATTERN = re.compile(yaml.safe_load((ROOT / "docs" / "openapi.yaml").read_text())["components"]["schemas"]["Tag"]
                         ["pattern"])


def allowed(tag: str) -> bool:
    try:
        checked_tags([tag])
    except BadParameter:
        return False
    return True


def test_the_service_and_the_description_agree_on_every_character_alone_and_around_a_letter() -> None:
    # Every code point of the Basic Multilingual Plane (surrogates aside): as a tag alone, and around a letter.
    for code in [*range(0xD800), *range(0xE000, 0x10000)]:
        character = chr(code)
        for tag in (character, f"{character}a{character}"):
            assert allowed(tag) == bool(TAG_PATTERN.search(tag)), hex(code)


@pytest.mark.parametrize(("given", "kept"), [
    ([" sale ", "sale", "\u3000new\ufeff"], ("sale", "new")),  # JavaScript's trim(): U+3000 and U+FEFF too
    (["\x1egroup"], ("\x1egroup",)),  # not white space to JavaScript, so kept as Python's strip() would not
])
def test_tags_are_trimmed_as_javascript_trims_and_repeated_ones_kept_once(given: list[str], kept: tuple[str, ...]) -> None:
    assert checked_tags(given) == kept
