"""The searchQuery language: every operator and field, precedence, values, relative dates, and its errors.

Expectations are written from the hosted API's documented examples (docs/files-api.md quotes them) and this
service's documented choices for what the hosted documentation leaves open.
"""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from imagemeta.errors import BadParameter
from library.query import (
    MAX_CONDITIONS,
    MAX_DEPTH,
    MAX_QUERY_CHARACTERS,
    AllOf,
    AnyOf,
    Bounds,
    Condition,
    Scope,
    bounds,
    matches,
    mentions,
    parse,
    scope,
)

NOW = datetime(2026, 3, 31, 12, 0, 0, tzinfo=UTC)


def ms(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp() * 1000)


def entry(**fields: object) -> dict[str, object]:
    """A file as the search sees it; unspecified fields take a plain JPEG's values."""
    base: dict[str, object] = {
        "name": "red-dress-summer.jpg",
        "path": "album/",
        "format": "jpg",
        "type": "file",
        "size": 500_000,
        "height": 600,
        "width": 800,
        "createdAt": ms("2026-03-30T00:00:00"),
        "updatedAt": ms("2026-03-30T00:00:00"),
    }
    return {**base, **fields}


def check(query: str, **fields: object) -> bool:
    return matches(parse(query, NOW), entry(**fields))


# ------------------------------------------------------------------ operators, field by field


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ('name = "red-dress-summer.jpg"', True),
        ('name = "red-dress"', False),  # = is the whole name
        ('name : "red-dress"', True),  # : begins with
        ('name : "Red"', False),  # the hosted API: name matches are case-sensitive
        ('name:"red"', True),  # spaces are optional
        ('name IN ["a.jpg", "red-dress-summer.jpg"]', True),
        ('name NOT IN ["a.jpg", "red-dress-summer.jpg"]', False),
        ('name NOT = "a.jpg"', True),
        ('name NOT : "red"', False),
        ("name = 'red-dress-summer.jpg'", True),  # single quotes too
        ('name = "say \\"hi\\""', False),  # escaped quotes are part of the value
    ],
)
def test_name(query: str, expected: bool) -> None:
    assert check(query) is expected


def test_escaped_quote_is_in_the_value() -> None:
    assert check('name = "say \\"hi\\".jpg"', name='say "hi".jpg')


@pytest.mark.parametrize(
    ("query", "path", "expected"),
    [
        ('path = "/album/"', "album/", True),
        ('path = "album"', "album/", True),  # leading and trailing "/" optional
        ('path = "/album/"', "album/2024/", False),  # = is that folder only
        ('path : "/album/"', "album/2024/", True),  # : is the folder and everything under it
        ('path : "/album/"', "albums/", False),
        ('path = "/"', "", True),  # the root
        ('path : "/"', "deep/down/", True),
        ('path IN ["/a/", "/album/"]', "album/", True),
        ('path NOT : "/album/"', "album/x/", False),
    ],
)
def test_path(query: str, path: str, expected: bool) -> None:
    assert check(query, path=path) is expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ('format = "jpg"', True),
        ("format = JPEG", True),  # case-insensitive, jpeg is jpg
        ('format IN ["png", "webp"]', False),
        ('format NOT IN ["png", "webp"]', True),
        ('type = "file"', True),
        ('type = "folder"', False),
        ('type IN ["file", "folder"]', True),
    ],
)
def test_format_and_type(query: str, expected: bool) -> None:
    assert check(query) is expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("size = 500000", True),
        ("size < 500000", False),
        ("size <= 500000", True),
        ("size > 499999", True),
        ("size >= 500001", False),
        ('size < "1mb"', True),  # units: 1 kb = 1024 bytes
        ("size > 488kb", True),
        ("size > 489kb", False),
        ('size < "0.5MB"', True),
        ("size IN [1, 500000]", True),
        ("size NOT IN [1, 500000]", False),
        ("height > 500 AND width >= 800", True),
        ("width < 800", False),
    ],
)
def test_numbers(query: str, expected: bool) -> None:
    assert check(query) is expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ('createdAt > "7d"', True),  # the hosted example: created in the last 7 days
        ("createdAt > 2d", True),  # 36 hours before NOW: within the last 2 days ...
        ("createdAt > 1d", False),  # ... but not within the last day
        ("createdAt > 12h", False),
        ("createdAt < 2w", False),
        ("createdAt < 2026-03-31", True),  # a date alone is its 00:00:00 UTC
        ('createdAt < "2026-03-30T00:00:00"', False),
        ('createdAt <= "2026-03-30T00:00:00"', True),
        ('createdAt >= "2026-03-30T01:00:00+01:00"', True),  # an explicit offset is honoured
        ("createdAt > 1m", True),  # a calendar month
        ("createdAt < 1y", False),
        ("updatedAt > 2026-01-01", True),
    ],
)
def test_dates(query: str, expected: bool) -> None:
    assert check(query) is expected


def test_a_relative_month_is_a_calendar_month_clamped_to_its_last_day() -> None:
    # 31 March minus one month is 28 February (2026 is not a leap year), 00:00 difference kept.
    (condition,) = [parse("createdAt > 1m", NOW)]
    assert isinstance(condition, Condition)
    assert condition.values == (ms("2026-02-28T12:00:00"),)
    for query, expected in [("createdAt > 1y", "2025-03-31T12:00:00"), ("createdAt > 2w", "2026-03-17T12:00:00"),
                            ("createdAt > 3h", "2026-03-31T09:00:00")]:
        condition = parse(query, NOW)
        assert isinstance(condition, Condition)
        assert condition.values == (ms(expected),)


def test_a_missing_field_fails_its_condition_and_not_negates_that() -> None:
    folder = {"name": "album", "path": "", "type": "folder", "createdAt": 0, "updatedAt": 0}
    assert not matches(parse("size > 0", NOW), folder)
    assert matches(parse('format NOT = "jpg"', NOW), folder)


# ------------------------------------------------------------------ precedence and grouping


def test_and_binds_tighter_than_or() -> None:
    tree = parse('name = "a" OR name = "b" AND size > 1', NOW)
    assert isinstance(tree, AnyOf)
    assert isinstance(tree.parts[1], AllOf)
    # a OR (b AND size > 1): the first alone suffices.
    assert matches(tree, entry(name="a", size=0))
    assert not matches(tree, entry(name="b", size=0))


def test_parentheses_group() -> None:
    query = '(name = "a" OR name = "b") AND size > 1'
    assert not check(query, name="a", size=0)
    assert check(query, name="b", size=2)


def test_the_hosted_documentations_grouped_example_parses() -> None:
    # Its `tags` part is a field this service does not keep: the example with a kept field instead.
    query = '(size < "1mb" AND width > 500) OR (format IN ["png","webp"])'
    assert check(query)
    assert check(query, size=2_000_000, format="png")
    assert not check(query, size=2_000_000)


def test_keywords_are_case_insensitive() -> None:
    assert check('name : "red" and size > 1 or name = "x"')
    assert check('name not in ["x"]')


# ------------------------------------------------------------------ errors name what was wrong


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ('tags IN ["sale"]', "`tags`"),
        ('customMetadata.brand = "x"', "`customMetadata.brand`"),
        ('private = "true"', "`private`"),
        ('name < "b"', "`<`"),
        ('createdAt = "7d"', "`=`"),
        ("size NOT > 5", "`NOT >`"),
        ('format : "jp"', "`:`"),
        ('type = "file-version"', "'file-version'"),
        ("size > big", "'big'"),
        ("width > 1.5", "'1.5'"),
        ('createdAt > "7q"', "'7q'"),
        ("createdAt > 2026-13-01", "'2026-13-01'"),
        ('name = "a" XOR name = "b"', "'XOR'"),
        ('name = "a")', "')'"),
        ('(name = "a"', "`)`"),
        ("name", "operator"),
        ('name ~ "a"', "'~'"),
        ("name =", "a value"),
        ('name IN "a"', "`[`"),
        ('name IN ["a" "b"]', "`,` or `]`"),
        ('name = "open', "not closed"),
        ("", "empty"),
        ("   ", "empty"),
        ("AND", "a field name"),
        ('= "a"', "a field name"),
        ('name = "a" AND', "a field name"),
    ],
)
def test_errors_name_the_unsupported_part(query: str, named: str) -> None:
    with pytest.raises(BadParameter) as raised:
        parse(query, NOW)
    assert named in raised.value.message


def test_errors_say_where() -> None:
    with pytest.raises(BadParameter, match="position 11"):
        parse('name = "a" ) AND', NOW)


def test_limits_bound_the_work() -> None:
    with pytest.raises(BadParameter, match=str(MAX_QUERY_CHARACTERS)):
        parse("x" * (MAX_QUERY_CHARACTERS + 1), NOW)
    with pytest.raises(BadParameter, match=str(MAX_CONDITIONS)):
        parse(" OR ".join(["size > 1"] * (MAX_CONDITIONS + 1)), NOW)
    with pytest.raises(BadParameter, match=str(MAX_DEPTH)):
        parse("(" * (MAX_DEPTH + 1) + "size > 1" + ")" * (MAX_DEPTH + 1), NOW)
    assert check("(" * MAX_DEPTH + "size > 1" + ")" * MAX_DEPTH)


# ------------------------------------------------------------------ what the storage can read by key


def test_scope_comes_from_a_top_level_path_condition() -> None:
    assert scope(parse('path = "/album/" AND size > 1', NOW)) == Scope("album/", recursive=False)
    assert scope(parse('path : "/album/" AND size > 1', NOW)) == Scope("album/", recursive=True)
    assert scope(parse('path : "/a/" AND path : "/a/b/"', NOW)) == Scope("a/b/", recursive=True)
    assert scope(parse('path : "/a/" AND path = "/a/b/"', NOW)) == Scope("a/b/", recursive=False)
    # Under OR or NOT a path bounds nothing.
    assert scope(parse('path = "/a/" OR size > 1', NOW)) is None
    assert scope(parse('path NOT = "/a/"', NOW)) is None
    assert scope(parse("size > 1", NOW)) is None


def test_bounds_intersect_the_top_level_conditions() -> None:
    query = parse("size > 100 AND size <= 2kb AND size >= 50 AND width = 800", NOW)
    assert bounds(query, "size") == Bounds(low=101, high=2048)
    assert bounds(query, "width") == Bounds(low=800, high=800)
    assert bounds(query, "height") is None
    assert bounds(parse("size IN [5, 1, 9]", NOW), "size") == Bounds(low=1, high=9)
    assert bounds(parse("size < 10 OR size > 20", NOW), "size") is None
    assert bounds(parse("size NOT IN [1]", NOW), "size") is None
    assert bounds(parse('createdAt > "2026-03-30"', NOW), "createdAt") == Bounds(low=ms("2026-03-30T00:00:00") + 1)
    assert bounds(parse('name : "red" AND name : "red-d"', NOW), "name") == Bounds(prefix="red-d")
    assert bounds(parse('name = "a.jpg"', NOW), "name") == Bounds(prefix="a.jpg")
    assert bounds(parse('name IN ["a", "b"]', NOW), "name") is None


def test_mentions_sees_every_condition() -> None:
    query = parse('size > 1 OR (name = "a" AND type = "folder")', NOW)
    assert mentions(query, "type") and mentions(query, "size") and not mentions(query, "format")
