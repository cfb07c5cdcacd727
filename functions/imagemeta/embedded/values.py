"""Values as ExifTool handles them: Perl's numbers and strings, `exiftool -j`'s JSON types, ISO instants."""
from __future__ import annotations

import codecs
import math
import re
from datetime import UTC, datetime, timedelta
from typing import cast

BINARY = object()  # ExifTool keeps the value as binary data (printed "(Binary data N bytes...)"): left out


class Context:
    """What reading a value may need beyond it: the EXIF block's byte order and its place in the file."""

    def __init__(self, byte_order: str = ">", base: int = 0) -> None:
        self.byte_order = byte_order
        self.base = base


# exiftool's EscapeJSON: a printed value that looks like this is a JSON number, true/false a boolean.
_JSON_NUMBER = re.compile(r"-?(?:\d|[1-9]\d{1,14})(?:\.\d{1,16})?(?:[eE][-+]?\d{1,3})?")
_JSON_BOOLEAN = {"true": True, "false": False}
# ExifTool's IsFloat.
_FLOAT = re.compile(r"[+-]?(?=\d|\.\d)\d*(?:\.\d*)?(?:[Ee][+-]?\d+)?")
# Perl's numification reads the longest numeric prefix (after leading whitespace).
_NUMERIC_PREFIX = re.compile(r"\s*([+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|inf(?:inity)?|nan))",
                             re.IGNORECASE)


def json_scalar(text: str) -> str | int | float | bool:
    """One printed value as `exiftool -j` types it: number, boolean, or string (NUL characters removed)."""
    core = text[:-1] if text.endswith("\n") else text  # Perl's `$` also matches before a final newline
    lowered = core.lower()
    if lowered in _JSON_BOOLEAN:
        return _JSON_BOOLEAN[lowered]
    if _JSON_NUMBER.fullmatch(core):
        return float(core) if any(c in core for c in ".eE") else int(core)
    return text.replace("\x00", "")


def json_value(value: object) -> object:
    """A printed value or list of them; a list of one prints as its item, as exiftool -j does."""
    if isinstance(value, list):
        items = [json_value(item) for item in value]
        return items[0] if len(items) == 1 else items
    if isinstance(value, str):
        return json_scalar(value)
    return value


def perl_str(number: float) -> str:
    """Perl's stringification of a number (%.15g, integers without a decimal point)."""
    if isinstance(number, int):
        return str(number)
    if math.isinf(number):
        return "Inf" if number > 0 else "-Inf"
    if math.isnan(number):
        return "NaN"
    text = f"{number:.15g}"
    return "0" if text == "-0" else text


def perl_num(text: object) -> float:
    """Perl's numification of a string: its numeric prefix, else 0."""
    if isinstance(text, (int, float)):
        return float(text)
    match = _NUMERIC_PREFIX.match(str(text))
    return float(match[1]) if match else 0.0


def is_float(text: object) -> bool:
    """ExifTool's IsFloat: a plain decimal or exponent number."""
    return isinstance(text, (int, float)) or bool(_FLOAT.fullmatch(str(text)))


def as_text(value: object) -> str:
    """A value as the Perl string a conversion sees (binary data byte for byte)."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).decode("latin-1")
    return value if isinstance(value, str) else perl_str(cast(float, value))  # the readers yield no other types


def as_bytes(value: object) -> bytes:
    """A value as the bytes a conversion of binary data sees."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    return as_text(value).encode("utf-8", "surrogateescape")


def round_float(number: float, digits: int) -> str:
    """ExifTool's RoundFloat: sprintf("%.Ng")."""
    return f"{number:.{digits}g}"


def _question_marks(error: UnicodeError) -> tuple[str, int]:
    """ExifTool's FixUTF8: each byte that is not part of valid UTF-8 becomes '?'."""
    return "?", cast(UnicodeDecodeError, error).start + 1


codecs.register_error("imagemeta-exiftool", _question_marks)


def utf8_text(raw: bytes | bytearray | memoryview) -> str:
    """Bytes as exiftool -j prints them: UTF-8, invalid bytes as '?'."""
    return bytes(raw).decode("utf-8", "imagemeta-exiftool")


def _latin1_for_undefined(error: UnicodeError) -> tuple[str, int]:
    """cp1252 leaves five codes undefined; ExifTool's Latin table passes them through as Latin-1."""
    undefined = cast(UnicodeDecodeError, error)  # registered for decoding only
    return chr(undefined.object[undefined.start]), undefined.start + 1


codecs.register_error("imagemeta-latin", _latin1_for_undefined)


def latin_text(raw: bytes) -> str:
    """ExifTool's "Latin" character set: Windows cp1252."""
    return bytes(raw).decode("cp1252", "imagemeta-latin")


# ExifTool's ConvertDateTime with `-d %Y-%m-%dT%H:%M:%S%3f%z`, then the instant in UTC: see
# docs/embedded-metadata.md. A trailing zone is kept; digits are read flexibly; years 1000-2999 only.
_ZONE = re.compile(r"([-+]\d{2}:\d{2}|Z)$")


def instant_from_exiftool_date(date: str) -> str:
    """An ExifTool date/time as the UTC instant `YYYY-MM-DDTHH:MM:SS.sssZ`; unrecognisable values unchanged."""
    zone_match = _ZONE.search(date)
    body = date[: zone_match.start()] if zone_match else date
    fields = [int(d) for d in re.findall(r"\d+", body)][:6]
    if not fields or not 1000 <= fields[0] < 3000:
        return date
    fields += [1] * (3 - len(fields)) + [0] * (6 - max(3, len(fields)))
    year, month, day, hour, minute, second = fields
    fraction = re.search(r"\.\d+", body)
    millis = round(float(fraction[0]), 3) if fraction else 0.0
    zone = zone_match[1] if zone_match else "Z"
    offset = 0 if zone == "Z" else (1 if zone[0] == "+" else -1) * (int(zone[1:3]) * 60 + int(zone[4:6]))
    try:
        # POSIX::strftime normalises out-of-range fields (day 0, hour 24) as mktime does.
        local = datetime(year + (month - 1) // 12, (month - 1) % 12 + 1, 1) + timedelta(
            days=day - 1, hours=hour, minutes=minute, seconds=second + millis)
    except (ValueError, OverflowError):
        return date
    instant = local - timedelta(minutes=offset)
    return instant.replace(tzinfo=UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
