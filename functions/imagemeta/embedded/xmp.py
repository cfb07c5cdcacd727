"""XMP packets -> facts, named and printed as ExifTool does (XMP.pm ParseXMPElement and FoundXMP).

XMP is XML from strangers, so it is parsed by expat configured by hand: a packet that declares a DTD
(where entities, and with them billion-laughs and quadratic-blowup expansions and external entities,
would be declared) is refused outright, parameter entities are never read, and the packet's bytes,
element count and depth are bounded. A refused or malformed packet loses that block only. Elements and
attributes also count against the file's ReadBudget, attributes before expat builds them (it spends about
2 us and 300 bytes on each before a handler sees the element): past it the file is refused.

Naming follows ExifTool: a property's path of namespaced element names (RDF containers left out) is
flattened into one tag ID (`Iptc4xmpCore:CreatorContactInfo/CiAdrCity` -> CreatorContactInfoCiAdrCity),
looked up in the namespace's table (-> CreatorCity); an unknown property is named after its ID with a
capital, at priority 0. Namespaces are recognised by URI. List items gather into one list (1,000 at most,
as ExifTool reads by default); language alternatives other than x-default get the language in the name.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NoReturn
from xml.parsers import expat

from .conversions import BINARY, Context, perl_number, printed, run
from .facts import Fact
from .ports.common import xmp_date
from .read_budget import ReadBudget
from .tables import xmp_tables
from .values import perl_str

MAX_XMP_BYTES = 8 << 20
MAX_ELEMENTS = 10_000
MAX_DEPTH = 64
MAX_LIST_ITEMS = 1_000  # ExifTool's own default ("Extracted only 1000 items")
MAX_UNKNOWN_TEXT = 65_536  # ExifTool treats a longer value of an unknown property as binary data
EXTENDED_XMP_HEADER = 32 + 4 + 4  # GUID, full length, offset
_IGNORED_NAMESPACES = {"x", "rdf", "xmlns", "xml", "svg", "et", "office"}
_LOWER = re.compile(r"[a-z]")
_UNDERSCORE_LETTER = re.compile(r"_([a-z])")
_RATIONAL = re.compile(r"(-?\d+)/(-?\d+)")
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_XML = "http://www.w3.org/XML/1998/namespace"


class _Truncated(Exception):
    """The packet has more elements, or deeper ones, than are read."""


class XmpRefused(Exception):
    """The packet breaks a safety rule or is not well-formed XML: the block is left out."""


class _Element:
    """One XML element: "prefix:local" (ExifTool's standard prefix for a known namespace URI), attributes,
    child elements and text."""

    __slots__ = ("name", "attributes", "children", "text")

    def __init__(self, name: str, attributes: list[tuple[str, str]]) -> None:
        self.name, self.attributes = name, attributes
        self.children: list[_Element] = []
        self.text: list[str] = []


def parse_packet(data: bytes | memoryview, budget: ReadBudget | None = None) -> _Element:
    """The packet's element tree, parsed safely; XmpRefused for a DTD, an oversized packet or bad XML.

    Past MAX_ELEMENTS elements (or below MAX_DEPTH) the rest of the packet is not read; the tree keeps
    what came before. Its elements and attributes count against `budget` (TooLarge past it).
    """
    if len(data) > MAX_XMP_BYTES:
        raise XmpRefused(f"packet of {len(data)} bytes (at most {MAX_XMP_BYTES})")
    data = bytes(data)
    budget = budget or ReadBudget()
    # Each attribute has one "=" outside its value: an upper bound, counted in C before expat builds any.
    budget.spend("max_xmp_nodes", data.count(b"="))
    uris = xmp_tables()["uris"]
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.namespace_prefixes = True
    parser.buffer_text = True
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    root = _Element("", [])
    stack = [root]
    names: dict[str, str] = {}
    count = 0

    def refuse(*_: object) -> NoReturn:
        raise XmpRefused("the packet declares a DTD or entities")

    def start(name: str, attributes: dict[str, str]) -> None:
        nonlocal count
        count += 1
        if count > MAX_ELEMENTS or len(stack) > MAX_DEPTH:
            raise _Truncated
        budget.spend("max_xmp_nodes")
        prop = names.get(name) or names.setdefault(name, _prop(name, uris))
        named = [(names.get(k) or names.setdefault(k, _prop(k, uris)), v) for k, v in attributes.items()]
        element = _Element(prop, named)
        stack[-1].children.append(element)
        stack.append(element)

    def end(name: str) -> None:
        stack.pop()

    def text(data: str) -> None:
        stack[-1].text.append(data)

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    try:
        parser.Parse(data, True)
    except _Truncated:
        pass
    except expat.ExpatError as error:
        # Padding or junk (NULs) after the packet's root element is common; anything earlier breaks the packet.
        if not (root.children and len(stack) == 1):
            raise XmpRefused(f"not well-formed XML: {error}") from None
    return root


def _prop(name: str, uris: dict[str, str]) -> str:
    """expat's "uri local prefix" -> ExifTool's "prefix:local", with the standard prefix of a known URI."""
    parts = name.split(" ")
    if len(parts) == 1:
        return parts[0]
    uri, local = parts[0], parts[1]
    prefix = uris.get(uri) or uris.get(uri[:-1] if uri.endswith("/") else uri + "/")
    if prefix is None:
        prefix = {_RDF: "rdf", _XML: "xml"}.get(uri, parts[2] if len(parts) > 2 else "")
    return f"{prefix}:{local}"


def xmp_facts(data: bytes | memoryview, budget: ReadBudget | None = None) -> list[Fact]:
    """One packet's facts; XmpRefused when it is left out, TooLarge past the file's `budget`."""
    reader = _Reader()
    reader.walk(parse_packet(data, budget).children, [])
    return reader.facts()


def extended_packet(main_facts: list[Fact], chunks: list[bytes | memoryview]) -> bytes | None:
    """The Extended XMP whose GUID the main packet names (xmpNote:HasExtendedXMP), when all of it is there."""
    guid = next((f.value for f in reversed(main_facts) if f.name == "HasExtendedXMP"), None)
    if not isinstance(guid, str):
        return None
    parts: dict[int, bytes] = {}
    total = None
    for chunk in chunks:
        if len(chunk) < EXTENDED_XMP_HEADER or bytes(chunk[:32]).decode("latin-1") != guid:
            continue
        total = int.from_bytes(chunk[32:36], "big")
        parts[int.from_bytes(chunk[36:40], "big")] = bytes(chunk[EXTENDED_XMP_HEADER:])
    if total is None or total > MAX_XMP_BYTES:
        return None
    assembled, position = bytearray(), 0
    while position < total and position in parts:  # every piece, contiguous, as ExifTool requires
        assembled += parts[position]
        position += len(parts[position])
    return bytes(assembled) if position == total else None


@dataclass
class _Found:
    """A tag seen in the packet: its table entry, values so far, and whether it gathers a list."""

    entry: dict
    name: str
    priority: int
    values: list[object]
    is_list: bool


class _Reader:
    """ExifTool's ParseXMPElement and FoundXMP over a parsed tree."""

    def __init__(self) -> None:
        tables = xmp_tables()
        self.namespaces = tables["namespaces"]
        self.found: list[_Found] = []
        self.lists: dict[tuple, _Found] = {}
        self.naming: dict[tuple, tuple | None] = {}  # property path (list items as one) -> its naming
        self.ctx = Context()

    def walk(self, elements: list[_Element], path: list[str]) -> int:
        """ParseXMPElement: each element's attributes and contents; returns how many elements there were."""
        items = 0
        for element in elements:
            name, resource = element.name, False
            if name == "rdf:li":
                if items == MAX_LIST_ITEMS:
                    break
                if items == 0 and not any(p.startswith("rdf:li ") for p in path):
                    self.lists = {}  # a new outermost list: lists gather afresh
                name = f"rdf:li {len(str(items))}{items}"
                items += 1
            elif name == "rdf:Description" and "rdf:Description" in path:
                resource = True  # a nested Description is a structure, left out of the path
            if not resource:
                path.append(name)
            shorthand = self._attributes(element, path)
            if not element.children or not self.walk(element.children, path):
                self._content(element, path, shorthand)
            if not resource:
                path.pop()
        return len(elements)

    def _attributes(self, element: _Element, path: list[str]) -> bool:
        """Properties written as attributes (RDF shorthand); True when there were any."""
        shorthand = False
        for attribute, value in element.attributes:
            prefix, _, local = attribute.rpartition(":")
            if not prefix:
                parent = element.name.rpartition(":")[0]
                prefix, attribute = parent, f"{parent}:{attribute}"
            if prefix in _IGNORED_NAMESPACES:
                if attribute in ("rdf:about", "x:xmptk", "x:xaptk") and value:
                    table, tag = ("rdf", "about") if attribute == "rdf:about" else ("x", "xmptk")
                    self._store(self.namespaces[table]["tags"][tag], value, 1, False, ("special", tag))
                continue
            path.append(attribute)
            self._found(path, value, {})
            path.pop()
            shorthand = True
        return shorthand

    def _content(self, element: _Element, path: list[str], shorthand: bool) -> None:
        """A simple property's value: its text, else its rdf:value, rdf:resource or rdf:about."""
        value = "".join(element.text)
        if element.name == "rdf:Description":
            value = value.strip()
        attributes = dict(element.attributes)
        was_empty = False
        if value == "":
            for key in ("rdf:value", "rdf:resource", "rdf:about"):
                if key in attributes:
                    value, was_empty = attributes[key], True
                    break
        if not value and shorthand:
            return
        if path and path[-1] == "rdf:type" and was_empty:
            return
        self._found(path, value, attributes)

    def _tag_id(self, path: tuple[str, ...]) -> tuple[str | None, str]:
        """GetXMPTagID: the flattened ID and the namespace of its first part."""
        tag, namespace = None, ""
        for prop in path:
            ns, _, name = prop.partition(":") if ":" in prop else ("", "", prop)
            if ns in _IGNORED_NAMESPACES:
                continue
            if not _LOWER.search(name):
                table = self.namespaces.get(ns, {}).get("tags", {})
                if name not in table:
                    name = _UNDERSCORE_LETTER.sub(lambda m: m[1].upper(), name.lower())
            tag = name if tag is None else tag + name[:1].upper() + name[1:]
            namespace = namespace or ns
        return tag, namespace

    def _found(self, path: list[str], value: str, attributes: dict[str, str]) -> None:
        """FoundXMP: name the property by its table, convert its value, gather lists."""
        if "base64" in attributes.get("rdf:datatype", ""):
            return  # decoded to binary data by ExifTool
        key = (tuple("rdf:li" if p.startswith("rdf:li ") else p for p in path), attributes.get("xml:lang"))
        naming = self.naming.get(key) or self.naming.setdefault(key, self._naming(*key))
        if naming is None:
            return
        entry, name, priority, is_list, known = naming
        typed = self._typed(entry, value, known)
        if typed is not BINARY:
            self._store(entry, typed, priority, is_list, key, name)

    def _naming(self, path: tuple[str, ...], lang: str | None) -> tuple[dict, str, int, bool, bool] | None:
        """A property path's table entry, name, priority, whether it gathers a list, and whether it is known."""
        tag, namespace = self._tag_id(path)
        if not tag:
            return None
        table = self.namespaces.get(namespace)
        entry = table["tags"].get(tag) if table else None
        known = entry is not None
        if entry is None:
            entry = {"name": self._unknown_name(table, path, tag)}
        name = entry["name"]
        if lang and lang.lower() != "x-default":
            name = f"{name}-{_standard_language(lang)}"
        is_list = bool(entry.get("list")) or (
            len(path) > 2 and path[-1] == "rdf:li" and path[-2] in ("rdf:Bag", "rdf:Seq", "rdf:Alt")
            and not (lang and path[-2] == "rdf:Alt"))
        priority = entry.get("priority", table.get("priority", 1) if known and table else 0)
        if entry.get("avoid") and "priority" not in entry:
            priority = 0
        return entry, name, priority, is_list, known

    def _unknown_name(self, table: dict | None, path: tuple[str, ...], tag: str) -> str:
        """An unknown property: inside a known structure, the structure's flat name and the field; else the ID."""
        if table:
            ids: list[str] = []
            names: list[str] = []
            for prop in path:
                ns, _, local = prop.partition(":")
                if ns in _IGNORED_NAMESPACES:
                    continue
                names.append(local)
                ids.append(local if not ids else ids[-1] + local[:1].upper() + local[1:])
            for i in range(len(ids) - 2, -1, -1):
                struct = table["tags"].get(ids[i])
                if struct and struct.get("struct"):
                    rest = "".join(n[:1].upper() + n[1:] for n in names[i + 1 :])
                    return struct.get("flat", struct["name"]) + rest
        return tag[:1].upper() + tag[1:]

    def _typed(self, entry: dict, value: str, known: bool) -> object:
        """Rationals as numbers and dates in EXIF form (FoundXMP); long unknown values are binary."""
        kind = entry.get("type")
        if not known or kind == "rational":
            match = _RATIONAL.fullmatch(value)
            if match:
                numerator, denominator = int(match[1]), int(match[2])
                if denominator:
                    return perl_str(numerator / denominator)
                return "inf" if numerator else "undef"
        if kind == "date" or not known:
            value = xmp_date(value, unsure=not known)
        if not known and len(value) > MAX_UNKNOWN_TEXT:
            return BINARY
        return value

    def _store(self, entry: dict, value: object, priority: int, is_list: bool, key: tuple,
               name: str | None = None) -> None:
        """FoundTag: add to the open list of this tag, or record a new value."""
        if is_list and key in self.lists:
            if len(self.lists[key].values) < MAX_LIST_ITEMS:
                self.lists[key].values.append(value)
            return
        found = _Found(entry, name or entry["name"], priority, [value], is_list)
        self.found.append(found)
        if is_list:
            self.lists[key] = found

    def facts(self) -> list[Fact]:
        """Every value printed, in the order first seen."""
        facts = []
        for found in self.found:
            values = [self._printed(found, value) for value in found.values]
            values = [v for v in values if v is not None and v is not BINARY]
            if values:
                facts.append(Fact(found.name, "XMP", values if found.is_list else values[0], found.priority))
        return facts

    def _printed(self, found: _Found, value: object) -> object:
        entry = found.entry
        value = run(entry.get("raw"), value, self.ctx)
        if value is None or value is BINARY:
            return value
        if entry["name"] in ("GPSLatitude", "GPSLongitude", "GPSAltitude"):
            return _signed(entry, value, self.ctx)
        return printed(entry, value, self.ctx)


def _signed(entry: dict, value: object, ctx: Context) -> object:
    """XMP-exif GPS coordinates in signed decimal degrees (their ValueConv), altitude as a number."""
    number = run(entry.get("value"), value, ctx)
    return number if number in ("", None) else perl_number(number)


def _standard_language(lang: str) -> str:
    """XMP.pm StandardLangCase: language lower case, region upper case (en-us -> en-US)."""
    parts = lang.split("-")
    return "-".join([parts[0].lower()] + [p.upper() if len(p) == 2 else p for p in parts[1:]])


def gps_altitude_sign(facts: list[Fact]) -> Iterator[Fact]:
    """XMP GPSAltitude made negative below sea level by its GPSAltitudeRef (ExifTool's Composite)."""
    below = any(f.name == "GPSAltitudeRef" and str(f.value).startswith("Below") for f in facts)
    for fact in facts:
        if fact.name == "GPSAltitude" and below and isinstance(fact.value, float):
            yield Fact(fact.name, fact.group, -abs(fact.value), fact.priority)
        else:
            yield fact

