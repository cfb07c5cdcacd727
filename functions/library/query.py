"""The hosted API's searchQuery language, for the fields this service keeps: parsed, checked and evaluated.

    createdAt > "7d" AND (name : "red-" OR format IN ["png", "webp"]) AND path : "/album/"

Conditions are `field operator value`; AND binds tighter than OR; parentheses group. Operators: `=`, `:`
(begins with), `<`, `<=`, `>`, `>=`, `IN [...]`, and `NOT =`, `NOT :`, `NOT IN [...]`. Which operator
applies to which field, the value forms and the relative dates are in docs/files-api.md. Anything else
is a BadParameter naming the field, operator or token. Pure: the storage turns the plan into reads.
"""
from __future__ import annotations

import calendar
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from imagemeta.errors import BadParameter, echo

from .paths import folder_prefix

MAX_QUERY_CHARACTERS = 2000
MAX_CONDITIONS = 50
MAX_DEPTH = 10
MAX_LIST_VALUES = 100

TEXT_OPERATORS = ("=", ":", "IN")
EQUALITY_OPERATORS = ("=", "IN")
RANGE_OPERATORS = ("<", "<=", ">", ">=")
NUMBER_OPERATORS = ("=", "IN") + RANGE_OPERATORS
# Which operators each field takes (NOT goes before =, : and IN) and what kind of value it compares.
FIELD_OPERATORS: dict[str, tuple[str, ...]] = {
    "name": TEXT_OPERATORS,
    "path": TEXT_OPERATORS,
    "format": EQUALITY_OPERATORS,
    "type": EQUALITY_OPERATORS,
    "size": NUMBER_OPERATORS,
    "height": NUMBER_OPERATORS,
    "width": NUMBER_OPERATORS,
    "createdAt": RANGE_OPERATORS,
    "updatedAt": RANGE_OPERATORS,
}
NUMBER_FIELDS = ("size", "height", "width")
DATE_FIELDS = ("createdAt", "updatedAt")
TYPES = ("file", "folder")
FORMAT_ALIASES = {"jpeg": "jpg", "tif": "tiff"}
SIZE_UNITS = {"": 1, "b": 1, "kb": 1024, "mb": 1024**2, "gb": 1024**3}
_KEYWORDS = {"AND", "OR", "NOT", "IN"}
_OPERATOR = re.compile(r"<=|>=|=|:|<|>")
_BARE = re.compile(r"[^\s()\[\],\"']+")
_FIELD = re.compile(r"[A-Za-z][A-Za-z0-9_.-]*")
_RELATIVE = re.compile(r"(\d{1,6})([hdwmy])")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?)?")
_SIZE = re.compile(r"(\d{1,15}(?:\.\d{1,6})?)\s*([kmg]?b)?", re.IGNORECASE)
_NUMBER = re.compile(r"\d{1,15}")


@dataclass(frozen=True)
class Condition:
    """`field op values`, negated by NOT; values are normalized (ints, epoch milliseconds, prefixes)."""

    field: str
    operator: str
    values: tuple[Any, ...]
    negated: bool = False


@dataclass(frozen=True)
class AllOf:
    parts: tuple[Node, ...]


@dataclass(frozen=True)
class AnyOf:
    parts: tuple[Node, ...]


Node = Condition | AllOf | AnyOf


def parse(text: str, now: datetime) -> Node:
    """The query as a tree; relative dates ("7d") count back from `now`. BadParameter for anything unsupported."""
    if len(text) > MAX_QUERY_CHARACTERS:
        raise BadParameter(f"Parameter `searchQuery` is longer than {MAX_QUERY_CHARACTERS} characters.")
    return _Parser(text, now).query()


def matches(node: Node, entry: Mapping[str, Any]) -> bool:
    """Whether an entry (name, path prefix, format, type, size, height, width, createdAt/updatedAt in ms) matches.

    A field the entry lacks (a folder's size, a non-image's height) fails every condition; NOT negates that.
    """
    if isinstance(node, AllOf):
        return all(matches(part, entry) for part in node.parts)
    if isinstance(node, AnyOf):
        return any(matches(part, entry) for part in node.parts)
    return _holds(node, entry.get(node.field)) != node.negated


def _holds(condition: Condition, value: Any) -> bool:
    if value is None:
        return False
    operator, values = condition.operator, condition.values
    if operator == ":":
        return value.startswith(values[0])
    if operator in ("=", "IN"):
        return value in values
    bound = values[0]
    return {"<": value < bound, "<=": value <= bound, ">": value > bound, ">=": value >= bound}[operator]


# ---------------------------------------------------------------- what the storage can read by key


def conjuncts(node: Node) -> tuple[Node, ...]:
    """The conditions every match must meet: the parts of a top-level AND (or the node itself)."""
    return node.parts if isinstance(node, AllOf) else (node,)


@dataclass(frozen=True)
class Scope:
    """Where matches can be: one folder's prefix, or (recursive) everything under it."""

    prefix: str
    recursive: bool


def scope(node: Node) -> Scope | None:
    """The folder every match lies in, from a top-level `path =` (preferred) or `path :`; None when unbounded."""
    found = [c for c in conjuncts(node) if isinstance(c, Condition) and c.field == "path" and not c.negated]
    exact = [c for c in found if c.operator == "=" and len(c.values) == 1]
    if exact:
        return Scope(exact[0].values[0], recursive=False)
    prefixes = [c.values[0] for c in found if c.operator == ":"]
    return Scope(max(prefixes, key=len), recursive=True) if prefixes else None


@dataclass(frozen=True)
class Bounds:
    """Inclusive bounds on a numeric or date field (None: open), or a prefix of `name`."""

    low: int | None = None
    high: int | None = None
    prefix: str | None = None


def bounds(node: Node, field: str) -> Bounds | None:
    """What the top-level conditions on `field` say about its value, as key ranges; None when nothing."""
    found = [c for c in conjuncts(node) if isinstance(c, Condition) and c.field == field and not c.negated]
    if field == "name":
        prefixes = [c.values[0] for c in found if c.operator in (":", "=") and len(c.values) == 1]
        return Bounds(prefix=max(prefixes, key=len)) if prefixes else None
    low: int | None = None
    high: int | None = None
    for condition in found:
        values = condition.values
        lowest, highest = min(values), max(values)
        if condition.operator in ("=", "IN"):
            low, high = _tighter(low, lowest, max), _tighter(high, highest, min)
        elif condition.operator in (">", ">="):
            low = _tighter(low, lowest + (condition.operator == ">"), max)
        else:
            high = _tighter(high, highest - (condition.operator == "<"), min)
    return Bounds(low, high) if low is not None or high is not None else None


def _tighter(current: int | None, candidate: int, pick: Any) -> int:
    return candidate if current is None else pick(current, candidate)


def mentions(node: Node, field: str) -> bool:
    """Whether any condition of the query is on `field`."""
    if isinstance(node, Condition):
        return node.field == field
    return any(mentions(part, field) for part in node.parts)


# ---------------------------------------------------------------- parser


class _Parser:
    """Recursive descent over the text; every error names what it found and where."""

    def __init__(self, text: str, now: datetime):
        self.text, self.now, self.position, self.conditions = text, now, 0, 0

    def query(self) -> Node:
        self._space()
        if self.position == len(self.text):
            raise BadParameter("Parameter `searchQuery` is empty.")
        node = self._any_of(depth=0)
        self._space()
        if self.position < len(self.text):
            raise self._unexpected("AND, OR or the end of the query")
        return node

    def _any_of(self, depth: int) -> Node:
        parts = [self._all_of(depth)]
        while self._keyword("OR"):
            parts.append(self._all_of(depth))
        return parts[0] if len(parts) == 1 else AnyOf(tuple(parts))

    def _all_of(self, depth: int) -> Node:
        parts = [self._term(depth)]
        while self._keyword("AND"):
            parts.append(self._term(depth))
        return parts[0] if len(parts) == 1 else AllOf(tuple(parts))

    def _term(self, depth: int) -> Node:
        self._space()
        if self._peek("("):
            if depth == MAX_DEPTH:
                raise BadParameter(f"Parameter `searchQuery` nests parentheses deeper than {MAX_DEPTH}.")
            self.position += 1
            node = self._any_of(depth + 1)
            self._space()
            if not self._peek(")"):
                raise self._unexpected("`)`")
            self.position += 1
            return node
        return self._condition()

    def _condition(self) -> Condition:
        self.conditions += 1
        if self.conditions > MAX_CONDITIONS:
            raise BadParameter(f"Parameter `searchQuery` has more than {MAX_CONDITIONS} conditions.")
        found = _FIELD.match(self.text, self.position)
        if not found or found.group().upper() in _KEYWORDS:
            raise self._unexpected("a field name")
        field = found.group()
        if field not in FIELD_OPERATORS:
            raise BadParameter(
                f"searchQuery: the field `{field}` is not supported; the fields are {', '.join(FIELD_OPERATORS)}."
            )
        self.position = found.end()
        negated = self._keyword("NOT")
        operator = "IN" if self._keyword("IN") else self._operator()
        allowed = FIELD_OPERATORS[field]
        if operator not in allowed or (negated and operator in RANGE_OPERATORS):
            written = f"NOT {operator}" if negated else operator
            usable = ", ".join([*allowed, *(f"NOT {op}" for op in allowed if op not in RANGE_OPERATORS)])
            raise BadParameter(f"searchQuery: the operator `{written}` does not apply to `{field}`; use {usable}.")
        raw = self._list() if operator == "IN" else [self._value()]
        return Condition(field, operator, tuple(self._normalized(field, value) for value in raw), negated)

    def _operator(self) -> str:
        self._space()
        found = _OPERATOR.match(self.text, self.position)
        if not found:
            raise self._unexpected("an operator (=, :, <, <=, >, >=, IN, NOT)")
        self.position = found.end()
        return found.group()

    def _list(self) -> list[str]:
        self._space()
        if not self._peek("["):
            raise self._unexpected("`[` opening the list after IN")
        self.position += 1
        values = [self._value()]
        while True:
            self._space()
            if self._peek("]"):
                self.position += 1
                return values
            if not self._peek(","):
                raise self._unexpected("`,` or `]`")
            self.position += 1
            values.append(self._value())
            if len(values) > MAX_LIST_VALUES:
                raise BadParameter(f"searchQuery: a list holds at most {MAX_LIST_VALUES} values.")

    def _value(self) -> str:
        self._space()
        quote = self.text[self.position : self.position + 1]
        if quote in ('"', "'"):
            return self._quoted(quote)
        found = _BARE.match(self.text, self.position)
        if not found or found.group().upper() in ("AND", "OR"):
            raise self._unexpected("a value")
        self.position = found.end()
        return found.group()

    def _quoted(self, quote: str) -> str:
        start = self.position
        characters = []
        self.position += 1
        while self.position < len(self.text):
            character = self.text[self.position]
            self.position += 1
            if character == "\\" and self.position < len(self.text):
                characters.append(self.text[self.position])
                self.position += 1
            elif character == quote:
                return "".join(characters)
            else:
                characters.append(character)
        raise BadParameter(f"searchQuery: the string opened at position {start} is not closed.")

    def _normalized(self, field: str, value: str) -> Any:
        if field in NUMBER_FIELDS:
            return _size(value) if field == "size" else _number(field, value)
        if field in DATE_FIELDS:
            return _instant(field, value, self.now)
        if field == "path":
            return folder_prefix(value)
        if field == "format":
            lowered = value.lower()
            return FORMAT_ALIASES.get(lowered, lowered)
        if field == "type" and value not in TYPES:
            raise BadParameter(f"searchQuery: `type` is {' or '.join(TYPES)}; {echo(value)} is not supported.")
        return value

    def _keyword(self, word: str) -> bool:
        self._space()
        end = self.position + len(word)
        following = self.text[end : end + 1]
        if self.text[self.position : end].upper() == word and (not following or not following.isalnum()):
            self.position = end
            return True
        return False

    def _peek(self, character: str) -> bool:
        return self.text.startswith(character, self.position)

    def _space(self) -> None:
        while self.position < len(self.text) and self.text[self.position].isspace():
            self.position += 1

    def _unexpected(self, expected: str) -> BadParameter:
        if self.position >= len(self.text):
            return BadParameter(f"searchQuery: expected {expected} at the end of the query.")
        found = _BARE.match(self.text, self.position)
        token = found.group() if found else self.text[self.position]
        return BadParameter(f"searchQuery: expected {expected} at position {self.position}, found {echo(token)}.")


def _number(field: str, value: str) -> int:
    if not _NUMBER.fullmatch(value):
        raise BadParameter(f"searchQuery: `{field}` compares with a whole number of pixels; got {echo(value)}.")
    return int(value)


def _size(value: str) -> int:
    found = _SIZE.fullmatch(value.strip())
    if not found:
        raise BadParameter(f"searchQuery: `size` is a number of bytes, or with a unit (kb, mb, gb); got {echo(value)}.")
    number, unit = found.groups()
    return round(float(number) * SIZE_UNITS[(unit or "").lower()])


def _instant(field: str, value: str, now: datetime) -> int:
    """Epoch milliseconds of an ISO 8601 date or date-time (UTC unless it says), or of a relative age ("7d")."""
    relative = _RELATIVE.fullmatch(value)
    if relative:
        return _epoch_ms(_ago(now, int(relative.group(1)), relative.group(2)))
    if not _DATE.fullmatch(value):
        raise BadParameter(
            f"searchQuery: `{field}` compares with an ISO 8601 date (2024-05-01, 2024-05-01T12:00:00) or an age "
            f"(1h, 7d, 2w, 3m, 1y); got {echo(value)}."
        )
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise BadParameter(f"searchQuery: {echo(value)} is not a valid date.") from None
    return _epoch_ms(parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC))


def _ago(now: datetime, count: int, unit: str) -> datetime:
    """`count` hours, days, weeks, calendar months or calendar years before `now`."""
    if unit in "hdw":
        return now - timedelta(hours=count) * {"h": 1, "d": 24, "w": 168}[unit]
    months = now.year * 12 + now.month - 1 - count * (12 if unit == "y" else 1)
    year, month = divmod(months, 12)
    if year < 1:
        raise BadParameter(f"searchQuery: {count}{unit} reaches before the year 1.")
    day = min(now.day, calendar.monthrange(year, month + 1)[1])
    return now.replace(year=year, month=month + 1, day=day)


def _epoch_ms(instant: datetime) -> int:
    return int(instant.timestamp() * 1000)
