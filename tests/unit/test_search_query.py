"""The searchQuery language: every operator and field, precedence, values, relative dates, and its errors.

Expectations are written from the hosted API's documented examples (docs/files-api.md quotes them) and this
service's documented choices for what the hosted documentation leaves open. (Property tests over the whole
language: test_search_query_properties.py.)
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
    Span,
    UnknownCustomField,
    bounds,
    legacy_filters,
    matches,
    mentions,
    parse,
    scope,
)

from ..search_queries import CUSTOM  # the deployment's custom metadata fields: one of each type

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
    return matches(parse(query, NOW, CUSTOM), entry(**fields))


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


def instant(at: str) -> Span:
    return Span(ms(at), ms(at) + 1)


def test_a_relative_month_is_a_calendar_month_clamped_to_its_last_day() -> None:
    # 31 March minus one month is 28 February (2026 is not a leap year), 00:00 difference kept.
    (condition,) = [parse("createdAt > 1m", NOW)]
    assert isinstance(condition, Condition)
    assert condition.values == (instant("2026-02-28T12:00:00"),)
    assert parse("createdAt > 1y", NOW).values == (instant("2025-03-31T12:00:00"),)  # type: ignore[union-attr]
    assert parse("createdAt > 2w", NOW).values == (instant("2026-03-17T12:00:00"),)  # type: ignore[union-attr]
    assert parse("createdAt > 3h", NOW).values == (instant("2026-03-31T09:00:00"),)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # = and IN take a date as its whole day, a time as its minute or second, as precisely as it is written.
        ("createdAt = 2026-03-30", True),
        ('createdAt = "2026-03-30T00:00"', True),
        ('createdAt = "2026-03-30T00:00:00.001"', False),
        ("createdAt = 2026-03-29", False),
        ('createdAt IN ["2026-01-01", "2026-03-30"]', True),
        ("createdAt NOT = 2026-03-30", False),
        ("createdAt NOT IN [2026-03-29]", True),
    ],
)
def test_dates_equal_their_written_precision(query: str, expected: bool) -> None:
    assert check(query, createdAt=ms("2026-03-30T00:00:00.500")) is expected


@pytest.mark.parametrize(
    "query",
    [
        'createdAt > "9999-12-31T23:59:59-23:59"',  # the year 10000 in UTC
        'createdAt < "0001-01-01T00:00:00+23:59"',  # the year 0 in UTC
        "createdAt > 999999d",
        "createdAt > 999999w",
        "createdAt > 999999h" + "0",  # seven digits: no age
        "createdAt > 999999y",
        "createdAt > 99999m",
        "updatedAt < 0000-01-01",
        '"customMetadata.launch" > "10000-01-01"',
    ],
)
def test_dates_past_the_calendars_ends_are_400s_naming_the_parameter(query: str) -> None:
    with pytest.raises(BadParameter) as raised:
        parse(query, NOW, CUSTOM)
    assert raised.value.message.startswith("searchQuery:")


def test_dates_at_the_calendars_ends_are_instants() -> None:
    assert check('createdAt > "0001-01-01T00:00:00Z"')
    assert not check('createdAt > "9999-12-31T23:59:59.999Z"')
    assert check("createdAt < 9999-12-31")


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
    query = '(size < "1mb" AND width > 500) OR (tags IN ["summer-sale","banner"])'
    assert check(query)
    assert check(query, size=2_000_000, tags=("banner",))
    assert not check(query, size=2_000_000, tags=("winter",))


def test_keywords_are_case_insensitive() -> None:
    assert check('name : "red" and size > 1 or name = "x"')
    assert check('name not in ["x"]')


# ------------------------------------------------------------------ tags, flags, custom and embedded metadata


@pytest.mark.parametrize(
    ("query", "tags", "expected"),
    [
        ('tags IN ["sale"]', ("sale", "red"), True),
        ('"tags" IN ["sale", "blue"]', ("red",), False),  # a quoted field name
        ('tags IN ["Sale"]', ("sale",), False),  # tags match exactly
        ('tags NOT IN ["sale"]', ("red",), True),
        ('tags NOT IN ["sale"]', (), True),
        ("tags EXISTS", ("red",), True),
        ("tags EXISTS", (), False),
        ("tags NOT EXISTS", (), True),
    ],
)
def test_tags(query: str, tags: tuple[str, ...], expected: bool) -> None:
    assert check(query, tags=tags) is expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("private = true", True),
        ("private = TRUE", True),
        ('private = "true"', True),
        ("published = false", True),
        ("published = true", False),
        ("transparency = false", False),  # a non-image has no transparency: it matches neither
        ("transparency NOT = true", True),
    ],
)
def test_private_published_and_transparency(query: str, expected: bool) -> None:
    assert check(query, private=True, published=False, transparency=None) is expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ('"customMetadata.brand" = "Nike"', True),
        ('"customMetadata.brand" : "Ni"', True),
        ('customMetadata.brand = "nike"', False),  # unquoted works too; text matches exactly
        ('"customMetadata.brand" IN ["Adidas", "Nike"]', True),
        ('"customMetadata.notes" : "a lo"', True),
        ('"customMetadata.price" < 100', True),
        ('"customMetadata.price" >= 99.5', True),
        ('"customMetadata.price" = "99.5"', True),  # a quoted number is the number
        ('"customMetadata.price" IN [1, 2]', False),
        ('"customMetadata.price" NOT IN [1, 2]', True),
        ('"customMetadata.launch" > "2026-01-01"', True),
        ('"customMetadata.launch" > "7d"', False),
        ('"customMetadata.launch" = 2026-02-01', True),
        ('"customMetadata.sale" = true', True),
        ('"customMetadata.sale" = false', False),
        ('"customMetadata.fit" = "M"', True),
        ('"customMetadata.fit" IN [40, "M"]', True),
        ('"customMetadata.colours" IN ["blue"]', True),
        ('"customMetadata.colours" IN [5]', False),
        ('"customMetadata.colours" IN ["red", false]', True),
        ('"customMetadata.colours" NOT IN ["green"]', True),
        ('"customMetadata.brand" EXISTS', True),
        ('"customMetadata.price" NOT EXISTS', False),
        ('"customMetadata.sale" NOT EXISTS AND "customMetadata.brand" EXISTS', False),
    ],
)
def test_custom_metadata_compares_by_its_fields_type(query: str, expected: bool) -> None:
    custom = {"customMetadata.brand": "Nike", "customMetadata.notes": "a long text", "customMetadata.price": 99.5,
              "customMetadata.launch": "2026-02-01T10:00:00Z", "customMetadata.sale": True,
              "customMetadata.fit": "M", "customMetadata.colours": ["blue", False]}
    assert check(query, **custom) is expected


@pytest.mark.parametrize(
    ("query", "value", "expected"),
    [
        ('"customMetadata.fit" = 42', 42, True),
        ('"customMetadata.fit" = "42"', 42, True),  # written as its option is
        ('"customMetadata.fit" > 40', 42, True),  # order comparisons for numeric options
        ('"customMetadata.fit" > 40', "M", False),
        ('"customMetadata.fit" = true', True, True),
        ('"customMetadata.fit" = 1', True, False),  # true is no number
        # A value of another type than the field's (a direct upload's text that fit no field) matches nothing.
        ('"customMetadata.price" > 1', "5", False),
        ('"customMetadata.price" NOT = 1', "5", True),
    ],
)
def test_values_of_other_types_never_compare(query: str, value: object, expected: bool) -> None:
    assert check(query, **{"customMetadata.fit": value, "customMetadata.price": value}) is expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ('"embeddedMetadata.DateTimeOriginal" > "2024-01-01"', True),
        ('"embeddedMetadata.DateTimeOriginal" = 2024-01-16', True),
        ('"embeddedMetadata.DateTimeOriginal" > 2y', False),
        ('"embeddedMetadata.Keywords" IN ["Paris"]', True),
        ('"embeddedMetadata.Keywords" NOT IN ["London"]', True),
        ('"embeddedMetadata.Make" = "Canon"', True),
        ('"embeddedMetadata.Make" : "Can"', True),
        ('"embeddedMetadata.ISO" >= 200', True),
        ('"embeddedMetadata.ISO" > 200', False),
        ('"embeddedMetadata.Artist" EXISTS', False),
        ('"embeddedMetadata.LocationTaken" = "48.8584,2.2945 1km"', True),  # the Eiffel tower, 20 m away
        ('"embeddedMetadata.LocationTaken" = "48.87,2.29 1km"', False),  # 1.3 km away
        ('"embeddedMetadata.LocationTaken" = "48.8,2.2|48.9,2.4"', True),  # a box from its diagonal
        ('"embeddedMetadata.LocationTaken" = "48.9,2.2|48.8,2.2|48.8,2.4|48.9,2.4"', True),  # four vertices
        ('"embeddedMetadata.LocationTaken" = "40,-74|41,-73"', False),
    ],
)
def test_embedded_metadata(query: str, expected: bool) -> None:
    embedded = {"embeddedMetadata.DateTimeOriginal": "2024-01-16T19:01:03.000Z",
                "embeddedMetadata.Keywords": ["Paris", "Tower"], "embeddedMetadata.Make": "Canon",
                "embeddedMetadata.ISO": 200, "embeddedMetadata.LocationTaken": (48.85837, 2.294481)}
    assert check(query, **embedded) is expected


def test_a_single_keyword_is_a_list_of_one() -> None:
    assert check('"embeddedMetadata.Keywords" IN ["Paris"]', **{"embeddedMetadata.Keywords": "Paris"})


def test_id_names_a_file_or_folder() -> None:
    assert check('id = "aaaabbbbccccddddeeeeffff"', id="aaaabbbbccccddddeeeeffff")
    assert check('id NOT IN ["aaaabbbbccccddddeeeeffff"]', id="000000000000000000000000")


def test_an_unknown_custom_field_says_so_for_a_second_look() -> None:
    with pytest.raises(UnknownCustomField) as raised:
        parse('"customMetadata.colour" = "red"', NOW, CUSTOM)
    assert raised.value.name == "colour"
    assert "`customMetadata.colour`" in raised.value.message


def test_the_older_parameters_are_a_query() -> None:
    legacy = legacy_filters(("sale", "new"), "a.jpg")
    assert legacy is not None
    assert matches(legacy, entry(name="a.jpg", tags=("new",)))
    assert not matches(legacy, entry(name="a.jpg", tags=()))
    assert legacy_filters((), None) is None


# ------------------------------------------------------------------ errors name what was wrong


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ('"customMetadata.brand" < "x"', "`<`"),
        ('"customMetadata.colours" = "red"', "`=`"),  # a MultiSelect takes IN only
        ('"customMetadata.price" : 5', "`:`"),
        ('"customMetadata.price" = "cheap"', "'cheap'"),
        ('"customMetadata.sale" = "yes"', "'yes'"),
        ('"embeddedMetadata.Flash" = 1', "'embeddedMetadata.Flash'"),
        ('"embeddedMetadata.LocationTaken" = "48.8,2.2"', "LocationTaken"),
        ('"embeddedMetadata.LocationTaken" = "91,0 5km"', "'91,0'"),
        ('"embeddedMetadata.LocationTaken" = "1,1 5 miles"', "radius"),
        ('"embeddedMetadata.LocationTaken" : "1,1"', "`:`"),
        ('tags = "sale"', "`=`"),
        ('private = "maybe"', "'maybe'"),
        ("published > true", "`>`"),
        ('name < "b"', "`<`"),
        ("size NOT > 5", "`NOT >`"),
        ('format : "jp"', "`:`"),
        ('type = "files"', "'files'"),
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
        ('"name = "a"', "'name = '"),
        ("", "empty"),
        ("   ", "empty"),
        ("AND", "a field name"),
        ('= "a"', "a field name"),
        ('name = "a" AND', "a field name"),
        ('colour = "red"', "'colour'"),
    ],
)
def test_errors_name_the_unsupported_part(query: str, named: str) -> None:
    with pytest.raises(BadParameter) as raised:
        parse(query, NOW, CUSTOM)
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


def test_bounds_intersect_the_top_level_conditions_on_a_date() -> None:
    query = parse('createdAt > "2026-03-01" AND createdAt <= "2026-03-20" AND createdAt >= 2026-03-02', NOW)
    assert bounds(query, "createdAt") == Bounds(low=ms("2026-03-02T00:00:00"), high=ms("2026-03-20T00:00:00"))
    assert bounds(query, "updatedAt") is None
    assert bounds(parse("createdAt = 2026-03-05", NOW), "createdAt") == Bounds(
        low=ms("2026-03-05T00:00:00"), high=ms("2026-03-06T00:00:00") - 1)
    assert bounds(parse("createdAt < 2026-01-01 OR createdAt > 2026-02-01", NOW), "createdAt") is None
    assert bounds(parse("createdAt NOT IN [2026-01-01]", NOW), "createdAt") is None
    assert bounds(parse('createdAt > "2026-03-30"', NOW), "createdAt") == Bounds(low=ms("2026-03-30T00:00:00") + 1)


def test_mentions_sees_every_condition() -> None:
    query = parse('size > 1 OR (name = "a" AND type = "folder")', NOW)
    assert mentions(query, "type") and mentions(query, "size") and not mentions(query, "format")
