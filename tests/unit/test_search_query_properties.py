"""Properties of the whole searchQuery language: any text is a query or a BadParameter (a 400), never another
error; a query evaluates on any file or folder, and compiles to a DynamoDB filter DynamoDB can take."""
from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from imagemeta.errors import BadParameter
from library.query import Node, bounds, matches, parse, scope
from service.storage.query_filter import MAX_EXPRESSION_CHARACTERS, compiled

from ..search_queries import CUSTOM, query

NOW = datetime(2026, 3, 31, 12, 0, 0, tzinfo=UTC)
FILE = {
    "name": "a.jpg", "path": "album/", "format": "jpg", "type": "file", "id": "0" * 24, "size": 10, "height": 5,
    "width": 5, "createdAt": 0, "updatedAt": 10**12, "tags": ("red", "sale"), "private": False, "published": True,
    "transparency": False, "customMetadata.brand": "Nike", "customMetadata.price": 4.5,
    "customMetadata.launch": "2026-01-01", "customMetadata.sale": True, "customMetadata.fit": 40,
    "customMetadata.colours": ["red", 5], "embeddedMetadata.Keywords": "one", "embeddedMetadata.ISO": 100,
    "embeddedMetadata.DateTimeOriginal": "2020-01-01T00:00:00.000Z", "embeddedMetadata.LocationTaken": (1.5, 1.5),
}
# A file whose values are of other types than their fields' (what a direct upload's text that fit no field is).
ODD_FILE = {**FILE, "customMetadata.price": "cheap", "customMetadata.sale": "yes", "customMetadata.colours": "red",
            "customMetadata.launch": "soon", "embeddedMetadata.ISO": "high", "height": None, "size": None}
FOLDER = {"name": "album", "path": "", "type": "folder", "id": "1" * 24, "createdAt": 0, "updatedAt": 0}


def parsed(text: str) -> Node | None:
    try:
        return parse(text, NOW, CUSTOM)
    except BadParameter:
        return None


@given(st.text(max_size=200))
@settings(max_examples=400)
def test_any_text_is_a_query_or_a_bad_parameter(text: str) -> None:
    parsed(text)


@given(query())
@settings(max_examples=600, suppress_health_check=[HealthCheck.too_slow])
def test_any_query_evaluates_and_compiles(text: str) -> None:
    node = parsed(text)
    if node is None:
        return
    for entry in (FILE, ODD_FILE, FOLDER):
        assert matches(node, entry) in (True, False)
    scope(node)
    bounds(node, "createdAt")
    found = compiled(node)
    assert found is None or len(found.expression) <= MAX_EXPRESSION_CHARACTERS
