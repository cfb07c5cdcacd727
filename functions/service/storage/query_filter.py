"""A searchQuery as a DynamoDB FilterExpression over the folder index's rows, so a Query returns only the rows
that may match instead of every row it reads.

DynamoDB still reads (and bills) every row of the key range; what the filter saves is what it sends back and
what the function decodes and evaluates (docs/files-api.md, "What a search reads"). The filter is a superset
of the matches: a condition it cannot state exactly (a custom Date, whose stored texts are ISO 8601 of any
form; a location, a box around its shape) becomes its bounding condition or no condition, and only exact
conditions are negated. The rows it returns are evaluated by library.query.matches, which alone decides.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from library.fields import same_value
from library.instants import instant_from_ms
from library.paths import folder_path
from library.query import AllOf, Condition, Node, Span
from library.search_fields import (
    BOOLEAN,
    CUSTOM_PREFIX,
    DATE,
    EMBEDDED_PREFIX,
    FOLDER,
    GEO,
    LIST,
    MULTI,
    NUMBER,
    SELECT,
    TEXT,
)

from .items import TAKEN_TAG, typed

# DynamoDB's bound on an expression's text; a longer filter is not sent (every row then comes back).
MAX_EXPRESSION_CHARACTERS = 4000
_PLACEHOLDER = re.compile(r"[#:][nv]\d+")
# Built-in fields by the index attribute that holds them (createdAt is the sort key's instant: `ckey`).
ATTRIBUTES = {"name": "name", "path": "folder", "format": "format", "id": "pk", "size": "size", "height": "height",
              "width": "width", "createdAt": "ckey", "updatedAt": "updatedAt", "tags": "tags", "private": "private",
              "published": "published", "transparency": "hasAlpha"}
# Attributes every record carries (items.py): a file the filter finds without one is no record of this layout,
# so the search's own default (not private, published) holds for it.
DEFAULT_FALSE = ("private",)
DEFAULT_TRUE = ("published",)


@dataclass(frozen=True)
class Filter:
    """A Query's FilterExpression with its placeholders."""

    expression: str
    names: dict[str, str]
    values: dict[str, Any]


@dataclass(frozen=True)
class _Part:
    """A compiled condition: an expression, or a constant (every row passes, or none); `exact` when it selects
    exactly the rows the condition matches (only those may be negated). A constant False is always exact."""

    expression: str | None = None
    exact: bool = True
    constant: bool | None = None


# What a condition the filter cannot state becomes: every row may match, decided row by row.
UNKNOWN = _Part(None, exact=False, constant=True)


@dataclass
class _Compiler:
    names: dict[str, str] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)

    def node(self, node: Node) -> _Part:
        if isinstance(node, Condition):
            part = self.condition(node)
            return _negated(part) if node.negated else part
        parts = [self.node(each) for each in node.parts]
        if isinstance(node, AllOf):
            if any(part.constant is False for part in parts):
                return _Part(constant=False)
            kept = [part for part in parts if part.constant is None]
        else:
            always = [part for part in parts if part.constant is True]
            if always:
                return _Part(exact=any(part.exact for part in always), constant=True)
            kept = [part for part in parts if part.constant is None]
            if not kept:
                return _Part(constant=False)
        exact = all(part.exact for part in parts)
        if not kept:
            return _Part(exact=exact, constant=True)
        return _Part(_joined([part.expression for part in kept if part.expression is not None],
                             " AND " if isinstance(node, AllOf) else " OR "), exact)

    def condition(self, condition: Condition) -> _Part:
        name, kind, operator = condition.field, condition.kind, condition.operator
        if name == "type":  # an index row is always a file
            return _Part(constant=any(value == "file" for value in condition.values))
        if name.startswith(CUSTOM_PREFIX):
            path = f"custom.{self.name(name[len(CUSTOM_PREFIX):])}"
        elif name.startswith(EMBEDDED_PREFIX):
            tag = name[len(EMBEDDED_PREFIX):]
            if kind == GEO:
                return self.location(condition)
            # DateTimeOriginal is the record's `taken`, not kept again in `em` (items.py).
            path = self.name("taken") if tag == TAKEN_TAG else f"em.{self.name(tag)}"
        else:
            path = self.name(ATTRIBUTES[name])
        if operator == "EXISTS":
            # An empty list is kept by none of these attributes but a MultiSelect's.
            return _Part(f"attribute_exists({path})", kind != MULTI)
        if name == "createdAt":
            return self.created(condition, path)
        if name == "updatedAt":
            return self.updated(condition, path)
        if kind == DATE:
            return self.instants(condition, path) if not name.startswith(CUSTOM_PREFIX) else UNKNOWN
        if kind in (NUMBER, BOOLEAN):
            return self.scalar(condition, path)
        if kind == FOLDER:
            return self.text(condition, path, [folder_path(prefix) for prefix in condition.values], exact=True)
        if kind in (LIST, MULTI) or (kind == TEXT and name.startswith(EMBEDDED_PREFIX)):
            return self.members(condition, path)
        if kind == SELECT:
            return self.scalar(condition, path) if operator != ":" else UNKNOWN
        return self.text(condition, path, list(condition.values), exact=True)

    def text(self, condition: Condition, path: str, values: list[Any], exact: bool) -> _Part:
        if any(value == "" for value in values):  # DynamoDB takes no empty text: decided row by row
            return UNKNOWN
        if condition.operator == ":":
            return _Part(f"begins_with({path}, {self.value(values[0])})", exact)
        return _Part(self.equal(path, values), exact)

    def scalar(self, condition: Condition, path: str) -> _Part:
        operator, values = condition.operator, condition.values
        if condition.kind == BOOLEAN:
            (wanted,) = values
            expression = f"{path} = {self.value(wanted)}"
            attribute = ATTRIBUTES.get(condition.field)
            if (attribute in DEFAULT_FALSE and wanted is False) or (attribute in DEFAULT_TRUE and wanted is True):
                expression = f"{expression} OR attribute_not_exists({path})"
            return _Part(expression, True)
        if operator in ("=", "IN"):
            return _Part(self.equal(path, list(values)), True)
        return _Part(f"{self.of_type(condition, path, 'N')}{path} {operator} {self.value(values[0])}", True)

    def members(self, condition: Condition, path: str) -> _Part:
        """Tags (always a list): contains. A MultiSelect's value, or a tag that may be a list or a text
        (Keywords): equal to the value, or a list holding it."""
        if condition.operator == ":" or any(value == "" for value in condition.values):
            return UNKNOWN
        if condition.field == "tags":
            return _Part(_joined([f"contains({path}, {self.value(value)})" for value in condition.values], " OR "))
        is_list = f"attribute_type({path}, {self.value('L')})"
        return _Part(_joined([f"{path} = {p} OR ({is_list} AND contains({path}, {p}))"
                              for p in map(self.value, condition.values)], " OR "))

    def created(self, condition: Condition, path: str) -> _Part:
        """createdAt against `ckey` ("<instant>/<name>"): "/" sorts below every digit, so "<instant>/" is the
        first key of an instant and "<instant>0" lies past all of its keys."""
        spans: tuple[Span, ...] = condition.values
        operator = condition.operator
        if operator in ("=", "IN"):
            ranges = [f"{path} BETWEEN {self.value(_at(span.start) + '/')} AND {self.value(_at(span.end - 1) + '0')}"
                      for span in spans]
            return _Part(_joined(ranges, " OR "), True)
        at = _at(spans[0].start)
        bound = {"<": at, "<=": at + "0", ">": at + "0", ">=": at}[operator]
        comparison = {"<": "<", "<=": "<", ">": ">=", ">=": ">="}[operator]
        return _Part(f"{path} {comparison} {self.value(bound)}", True)

    def updated(self, condition: Condition, path: str) -> _Part:
        """updatedAt: a record keeps it only when it differs from the creation instant (items.py), which `ckey`
        holds otherwise."""
        own = self.instants(condition, path)
        created = self.created(condition, self.name(ATTRIBUTES["createdAt"]))
        return _Part(f"({own.expression}) OR (attribute_not_exists({path}) AND ({created.expression}))", True)

    def instants(self, condition: Condition, path: str) -> _Part:
        """A stored instant (fixed width, so text order is time order) against the spans."""
        spans: tuple[Span, ...] = condition.values
        text = self.of_type(condition, path, "S")
        if condition.operator in ("=", "IN"):
            ranges = [f"{text}{path} BETWEEN {self.value(_at(span.start))} AND {self.value(_at(span.end - 1))}"
                      for span in spans]
            return _Part(_joined(ranges, " OR "), True)
        return _Part(f"{text}{path} {condition.operator} {self.value(_at(spans[0].start))}", True)

    def location(self, condition: Condition) -> _Part:
        """A location's bounding box, over the GPS position the record keeps (the shape itself is the query's)."""
        box = condition.values[0].box()
        if box is None:
            return UNKNOWN
        south, north, west, east = box
        latitude, longitude = (f"em.{self.name(tag)}" for tag in ("GPSLatitude", "GPSLongitude"))
        return _Part(f"{self.of_type(condition, latitude, 'N')}{latitude} BETWEEN {self.value(south)} AND "
                     f"{self.value(north)} AND {self.of_type(condition, longitude, 'N')}{longitude} BETWEEN "
                     f"{self.value(west)} AND {self.value(east)}", False)

    def of_type(self, condition: Condition, path: str, kind: str) -> str:
        """For a value callers or files set (custom or embedded metadata), which may be of any type: the check of
        its type that an order comparison must come after (DynamoDB compares no other; moto fails on one)."""
        if not condition.field.startswith((CUSTOM_PREFIX, EMBEDDED_PREFIX)):
            return ""
        return f"attribute_type({path}, {self.value(kind)}) AND "

    def equal(self, path: str, values: list[Any]) -> str:
        distinct: list[Any] = []
        for value in values:
            if not any(same_value(value, seen) for seen in distinct):
                distinct.append(value)
        if len(distinct) == 1:
            return f"{path} = {self.value(distinct[0])}"
        return f"{path} IN ({', '.join(self.value(value) for value in distinct)})"

    def name(self, attribute: str) -> str:
        for placeholder, known in self.names.items():
            if known == attribute:
                return placeholder
        placeholder = f"#n{len(self.names)}"
        self.names[placeholder] = attribute
        return placeholder

    def value(self, value: Any) -> str:
        placeholder = f":v{len(self.values)}"
        self.values[placeholder] = typed(value)
        return placeholder


def _negated(part: _Part) -> _Part:
    if not part.exact:
        return UNKNOWN
    if part.constant is not None:
        return _Part(constant=not part.constant)
    return _Part(f"NOT {_grouped(part.expression or '')}")


def _joined(expressions: list[str], joiner: str) -> str:
    """Expressions joined, each grouped (one alone as it is: DynamoDB refuses redundant parentheses)."""
    if len(expressions) == 1:
        return expressions[0]
    return joiner.join(_grouped(expression) for expression in expressions)


def _grouped(expression: str) -> str:
    """The expression in parentheses, unless its own already enclose it whole."""
    if expression.startswith("(") and expression.endswith(")"):
        depth = 0
        for index, character in enumerate(expression):
            depth += {"(": 1, ")": -1}.get(character, 0)
            if depth == 0:
                if index == len(expression) - 1:
                    return expression
                break
    return f"({expression})"


def _at(ms: int) -> str:
    return instant_from_ms(ms)


def compiled(query: Node) -> Filter | None:
    """The filter that prunes rows for this query, or None when it prunes nothing (every row may match).

    A query no file can match compiles to a filter no row passes (`attribute_not_exists(pk)`: every row has
    its table's key)."""
    compiler = _Compiler()
    part = compiler.node(query)
    if part.constant is False:
        return Filter("attribute_not_exists(#n0)", {"#n0": "pk"}, {})
    if part.constant is True or part.expression is None or len(part.expression) > MAX_EXPRESSION_CHARACTERS:
        return None
    # Conditions dropped from the filter leave placeholders DynamoDB would refuse as unused.
    used = set(_PLACEHOLDER.findall(part.expression))
    return Filter(part.expression, {name: attribute for name, attribute in compiler.names.items() if name in used},
                  {name: value for name, value in compiler.values.items() if name in used})
