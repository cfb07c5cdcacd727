"""Hypothesis strategies for searchQuery texts: every field, operator and value form of the language, its edges
(the calendar's ends, long numbers, empty and odd strings), and text that is nearly a query, for the property
tests (tests/unit/test_search_query_properties.py, tests/handlers/test_search_properties.py)."""
from __future__ import annotations

import json

from hypothesis import strategies as st

from library.fields import Schema
from library.search_fields import (
    BOOLEAN,
    BUILT_IN,
    DATE,
    EMBEDDED,
    FOLDER,
    GEO,
    NEGATABLE,
    NUMBER,
    field_spec,
)

# The custom metadata fields the property tests define, one of each type.
CUSTOM = {
    "brand": Schema("Text"),
    "notes": Schema("Textarea"),
    "price": Schema("Number"),
    "launch": Schema("Date"),
    "sale": Schema("Boolean"),
    "fit": Schema("SingleSelect", select_options=("S", "M", 40, 42, True)),
    "colours": Schema("MultiSelect", select_options=("red", "blue", 5, False)),
}
FIELDS = ["name", "path", "format", "type", "id", "size", "height", "width", "createdAt", "updatedAt", "tags",
          "private", "published", "transparency", *(f'"customMetadata.{name}"' for name in CUSTOM),
          '"customMetadata.unknown"', '"embeddedMetadata.DateTimeOriginal"', '"embeddedMetadata.Keywords"',
          '"embeddedMetadata.Make"', '"embeddedMetadata.ISO"', '"embeddedMetadata.LocationTaken"',
          '"embeddedMetadata.Flash"', "colour", '"tags"']
OPERATORS = ["=", ":", "<", "<=", ">", ">=", "IN", "NOT =", "NOT :", "NOT IN", "EXISTS", "NOT EXISTS", "NOT >", "~"]
EDGE_VALUES = [
    '"9999-12-31T23:59:59-23:59"', '"0001-01-01T00:00:00+23:59"', "999999d", "999999y", "99999m", "0d", "7d",
    "2026-02-29", "2024-02-29", '"2024-05-01T12:00"', "0001-01-01", "9999-12-31", '"9999-12-31T23:59:59.999Z"',
    '""', '"a"', '"red"', "true", "false", "TRUE", "0", "-1", "1.5", "99999999999999999999999999999999999999",
    "1e5", '"1mb"', "500kb", '"0.5GB"', '"/"', '"/album/"', '"album"', "jpg", '"JPEG"', '"file"', '"folder"',
    '"file-version"', '"48.85,2.29 1km"', '"48.8,2.2|48.9,2.4"', '"1,1|1,2|2,2|2,1"', '"91,0 5km"', '"0,0 0m"',
    "'single'", '"es\\"caped"', '"ünïcødé"', '"\\u0000"', '"M"', "40", '"S"', '"blue"', "5",
]


@st.composite
def value(draw: st.DrawFn) -> str:
    if draw(st.booleans()):
        return draw(st.sampled_from(EDGE_VALUES))
    return json.dumps(draw(st.text(max_size=12)))


@st.composite
def condition(draw: st.DrawFn) -> str:
    field = draw(st.sampled_from(FIELDS))
    operator = draw(st.sampled_from(OPERATORS))
    if operator.endswith("EXISTS"):
        return f"{field} {operator}"
    if operator.endswith("IN"):
        values = draw(st.lists(value(), min_size=0, max_size=4))
        return f"{field} {operator} [{', '.join(values)}]"
    return f"{field} {operator} {draw(value())}"


# Values each kind of field takes (and their edges), for conditions the parser accepts.
KIND_VALUES = {
    NUMBER: ["0", "1", "-1", "2.5", '"3"', "999999999999999", '"1mb"', "10kb", "99999999999999999999999999999"],
    DATE: ['"9999-12-31T23:59:59.999Z"', '"0001-01-01T00:00:00Z"', "0001-01-01", "9999-12-31", "7d", "0h", "999999d",
           "99999m", '"2024-05-01T12:00"', '"2026-03-30T00:00:00.5+05:30"', "2020-02-29"],
    BOOLEAN: ["true", "false", '"TRUE"'],
    FOLDER: ['"/"', '"/album/"', '"album"', '"//"', '""'],
    GEO: ['"48.85,2.29 1km"', '"48.8,2.2|48.9,2.4"', '"1,1|1,2|2,2|2,1"', '"0,0 0m"', '"89.9,179.9 20000km"',
          '"-89,-179|89,179"'],
}
TEXT_VALUES = ['""', '"a"', '"red"', '"a.jpg"', '"ünïcødé"', '"M"', "40", "true", "5", '"file"', '"folder"', '"jpg"',
               '"S"', '"blue"', '"file-version"', "'x'"]


@st.composite
def valid_condition(draw: st.DrawFn) -> str:
    """A condition of a known field with one of its operators and a value of its kind (or a text)."""
    names = [*BUILT_IN, *(f"customMetadata.{name}" for name in CUSTOM), *(f"embeddedMetadata.{tag}" for tag in EMBEDDED)]
    name = draw(st.sampled_from(names))
    spec = field_spec(name, CUSTOM)
    operator = draw(st.sampled_from(spec.operators))
    if operator in NEGATABLE and draw(st.booleans()):
        operator = f"NOT {operator}"
    field = f'"{name}"' if "." in name else name
    if operator.endswith("EXISTS"):
        return f"{field} {operator}"
    choose = st.sampled_from(KIND_VALUES.get(spec.kind, TEXT_VALUES))
    if operator.endswith("IN"):
        return f"{field} {operator} [{', '.join(draw(st.lists(choose, min_size=1, max_size=3)))}]"
    return f"{field} {operator} {draw(choose)}"


def combined(leaf: st.SearchStrategy[str], leaves: int) -> st.SearchStrategy[str]:
    """Conditions joined by AND and OR (any case), and grouped."""
    return st.recursive(
        leaf,
        lambda inner: st.one_of(
            st.tuples(inner, st.sampled_from([" AND ", " OR ", " and ", " or "]), inner).map("".join),
            inner.map(lambda text: f"({text})"),
        ),
        max_leaves=leaves,
    )


def query(leaves: int = 8) -> st.SearchStrategy[str]:
    """Queries the parser accepts, mostly; and ones it refuses: unknown fields and operators, cut short, with a
    token too many."""
    valid = combined(valid_condition(), leaves)
    anything = combined(st.one_of(valid_condition(), condition()), leaves)
    return st.one_of(
        valid,
        valid,
        anything,
        anything.map(lambda text: text[: len(text) // 2]),
        st.tuples(anything, st.sampled_from([")", "(", " AND", "]", "'", '"', " XOR x = 1"])).map("".join),
    )
