"""ExifTool's one-line conversions (string clean-ups, units, formats) and its date handling."""
from __future__ import annotations

import re
from collections.abc import Callable

from ..values import BINARY, Context, as_bytes, as_text, instant_from_exiftool_date, perl_num

Conversion = Callable[[object, Context], object]
_XMP_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})[T ](\d{2}:\d{2})(:\d{2})?\s*(\S*)")
_XMP_DATE_PART = re.compile(r"\d{4}(-\d{2}){0,2}")


def strip_trailing_space(value: object, ctx: Context) -> object:
    r"""Exif.pm Make/Model/Software/Artist: $val =~ s/\s+$//"""
    return re.sub(r"[ \t\n\r\f\v]+\Z", "", value) if isinstance(value, str) else value


def strip_trailing_nulls(value: object, ctx: Context) -> object:
    r"""Exif.pm ExifVersion, FlashpixVersion, InteropVersion, GPSDateStamp: $val =~ s/\0+$//"""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).rstrip(b"\x00")
    return value.rstrip("\x00") if isinstance(value, str) else value


def strip_trailing_blanks(value: object, ctx: Context) -> object:
    """Exif.pm SubSecTime*: $val=~s/ +$//"""
    return as_text(value).rstrip(" ")


def after_label(value: object, ctx: Context) -> object:
    """Exif.pm 0xfde8.. (Photoshop camera-raw tags): $val=~s/^.*: //"""
    return re.sub(r"^[^\n]*: ", "", as_text(value), count=1)


def binary_over(limit: int) -> Conversion:
    r"""'length($val) > N ? \$val : $val': long values become binary data"""
    return lambda value, ctx: BINARY if len(as_text(value)) > limit else value


def sprintf(pattern: str) -> Conversion:
    """Sprintf("%.1f",$val), sprintf("%.1f mm",$val)"""
    return lambda value, ctx: pattern % perl_num(as_text(value))


def suffix(unit: str, keep_invalid: bool = False) -> Conversion:
    """A unit after the value ("$val m", "$val mm", "$val C"); with keep_invalid, inf and undef stay bare."""
    def convert(value: object, ctx: Context) -> object:
        text = as_text(value)
        return text if keep_invalid and text in ("inf", "undef") else f"{text} {unit}"
    return convert


def spaces_to_dots(value: object, ctx: Context) -> object:
    """GPSVersionID, DNGVersion: $val =~ tr/ /./"""
    return as_text(value).replace(" ", ".")


def spaces_to_commas(value: object, ctx: Context) -> object:
    r"""ISO: $val=~s/\s+/, /g"""
    return re.sub(r"\s+", ", ", as_text(value))


def xmp_date(text: str, unsure: bool = False) -> str:
    """XMP.pm ConvertXMPDate: ISO date/time -> EXIF form (2024-01-16T19:01:03+00:00 -> 2024:01:16 19:01:03+00:00);
    a bare date only when the property is known to be a date (`unsure` for unknown properties)."""
    match = _XMP_DATE.fullmatch(text)
    if match:
        return f"{match[1]}:{match[2]}:{match[3]} {match[4]}{match[5] or ''}{match[6]}"
    if not unsure and _XMP_DATE_PART.match(text):
        return text.replace("-", ":")
    return text


def convert_xmp_date(value: object, ctx: Context) -> object:
    return xmp_date(as_text(value))


def date_time(value: object, ctx: Context) -> object:
    """ExifTool.pm ConvertDateTime with the documented date format: the UTC instant"""
    return instant_from_exiftool_date(as_text(value))


def date_only(value: object, ctx: Context) -> object:
    """IPTC.pm DateCreated etc.: $self->ConvertDateTime("$val 00:00:00") when a date format is set"""
    return instant_from_exiftool_date(as_text(value) + " 00:00:00")


def unchanged(value: object, ctx: Context) -> object:
    return value


def hex_digits(upper: bool) -> Conversion:
    """Unpack("H*", $val), uc(unpack("H*",$val))"""
    def convert(value: object, ctx: Context) -> object:
        raw = as_bytes(value)
        return raw.hex().upper() if upper else raw.hex()
    return convert


def empty_is_missing(value: object, ctx: Context) -> object:
    """Length($val) ? $val : undef"""
    return value if len(as_text(value)) else None


def photo_mechanic_prefs(value: object, ctx: Context) -> object:
    """IPTC.pm Prefs (Photo Mechanic): "1:2:3:4" becomes "Tagged:1, ColorClass:2, Rating:3, FrameNum:4"."""
    return re.sub(r"\s*(\d+):\s*(\d+):\s*(\d+):\s*(\S*)", r"Tagged:\1, ColorClass:\2, Rating:\3, FrameNum:\4",
                  as_text(value), count=1)
