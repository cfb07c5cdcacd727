"""ExifTool's value and print conversions, ported from its Perl, keyed by the expression text of its tables.

The tag tables (scripts/gen_embedded_tags.py) give each tag's RawConv, ValueConv and PrintConv as the Perl
expression ExifTool evaluates (or "sub Table:Name" for a code reference). Every tag that shares an
expression shares its port here, so EXIF's ExposureTime and XMP-exif's use one function. Lookup tables
(PrintConv hashes, bit masks) come from the tables themselves. An expression with no port leaves the
value as the previous step made it; docs/embedded-metadata.md lists the ported sources.
"""
from __future__ import annotations

import math
import re
from collections.abc import Callable

from .values import is_float, iso_instant, perl_num, perl_str, round_float

BINARY = object()  # ExifTool keeps the value as binary data (printed "(Binary data N bytes...)"): left out


class Context:
    """What reading a value may need beyond it: the EXIF block's byte order and its place in the file."""

    def __init__(self, byte_order: str = ">", base: int = 0) -> None:
        self.byte_order = byte_order
        self.base = base


Conversion = Callable[[object, Context], object]


def _text(value: object) -> str:
    """A value as the Perl string a conversion sees."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).decode("latin-1")
    return value if isinstance(value, str) else perl_str(value)


def _bytes(value: object) -> bytes:
    """A value as the bytes a conversion of binary data sees."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    return _text(value).encode("utf-8", "surrogateescape")


def _strip_trailing_space(value: object, ctx: Context) -> object:
    # Exif.pm Make/Model/Software/Artist: $val =~ s/\s+$//
    return re.sub(r"[ \t\n\r\f\v]+\Z", "", value) if isinstance(value, str) else value


def _strip_trailing_nulls(value: object, ctx: Context) -> object:
    # Exif.pm ExifVersion, FlashpixVersion, InteropVersion, GPSDateStamp: $val =~ s/\0+$//
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).rstrip(b"\x00")
    return value.rstrip("\x00") if isinstance(value, str) else value


def _strip_trailing_blanks(value: object, ctx: Context) -> object:
    # Exif.pm SubSecTime*: $val=~s/ +$//
    return _text(value).rstrip(" ")


def _after_label(value: object, ctx: Context) -> object:
    # Exif.pm 0xfde8.. (Photoshop camera-raw tags): $val=~s/^.*: //
    return re.sub(r"^[^\n]*: ", "", _text(value), count=1)


def _copyright(value: object, ctx: Context) -> object:
    # Exif.pm Copyright RawConv: photographer\0editor -> two lines; the rest after a second NUL dropped.
    # Kept as bytes: they print as UTF-8, as ExifTool prints them.
    raw = re.sub(rb" *\x00", b"\n", _bytes(value), count=1)
    raw = re.sub(rb" *\x00.*", b"", raw, count=1, flags=re.S)
    return raw[:-1] if raw.endswith(b"\n") else raw


def _exif_text(value: object, ctx: Context) -> object:
    # Exif.pm ConvertExifText (UserComment): an 8-byte character code, then the text
    raw = _bytes(value)
    if len(raw) < 8:
        return raw
    code, text = raw[:8], raw[8:]
    if re.match(rb"(ASCII)?(\x00|[\x00 ]+$)", code):
        text = text.split(b"\x00", 1)[0]
    elif re.fullmatch(rb"UNICODE[\x00 ]", code):
        order = "be" if ctx.byte_order == ">" else "le"
        # ExifTool guesses the order of UTF-16 text: MicrosoftPhoto writes little-endian in big-endian EXIF.
        if len(text) >= 2 and text[0] != 0 and text[1] == 0:
            order = "le"
        elif len(text) >= 2 and text[0] == 0 and text[1] != 0:
            order = "be"
        return text.decode(f"utf-16-{order}", "replace").rstrip(" ")
    elif re.fullmatch(rb"JIS[\x00 ]{5}", code):
        return text.decode("iso2022_jp", "replace").rstrip(" ")
    else:
        text = raw
    return text.rstrip(b" ")


def _ucs2_le(value: object, ctx: Context) -> object:
    # Exif.pm XPTitle/XPComment/XPAuthor/...: $self->Decode($val,"UCS2","II")
    raw = _bytes(value)
    return raw[: len(raw) // 2 * 2].decode("utf-16-le", "replace")


def _binary_over(limit: int) -> Conversion:
    # 'length($val) > N ? \$val : $val': long values become binary data
    return lambda value, ctx: BINARY if len(_text(value)) > limit else value


def _cfa_pattern(value: object, ctx: Context) -> object:
    # Exif.pm DecodeCFAPattern: repeat width and height (16-bit, EXIF byte order), then the colours
    raw = _bytes(value)
    if re.fullmatch(rb"[0-6]+", raw):
        raw = bytes(b - 0x30 for b in raw)
    if len(raw) < 4:
        return raw
    order = "little" if ctx.byte_order == "<" else "big"
    width, height = int.from_bytes(raw[:2], order), int.from_bytes(raw[2:4], order)
    colours = list(raw[4:])
    if 2 + width * height > 2 + len(colours):
        swapped = "big" if order == "little" else "little"
        x, y = int.from_bytes(raw[:2], swapped), int.from_bytes(raw[2:4], swapped)
        if len(colours) >= x * y:
            width, height = x, y
    return " ".join(str(n) for n in [width, height, *colours])


def _print_cfa_pattern(value: object, ctx: Context) -> object:
    # Exif.pm PrintCFAPattern
    numbers = _text(value).split()
    if len(numbers) < 2:
        return "<truncated data>"
    width, height = int(perl_num(numbers[0])), int(perl_num(numbers[1]))
    if not width or not height:
        return "<zero pattern size>"
    end = 2 + width * height
    if end > len(numbers):
        return "<invalid pattern size>"
    colours = ["Red", "Green", "Blue", "Cyan", "Magenta", "Yellow", "White"]
    text = "["
    for position in range(2, end):
        index = int(perl_num(numbers[position]))
        text += colours[index] if 0 <= index < len(colours) else "Unknown"
        if position + 1 < end:
            text += "," if (position + 1 - 2) % width else "]["
    return text + "]"


def _exposure_time(value: object, ctx: Context) -> object:
    # Exif.pm PrintExposureTime
    text = _text(value)
    if not is_float(text):
        return text
    seconds = perl_num(text)
    if 0 < seconds < 0.25001:
        return f"1/{int(0.5 + 1 / seconds)}"
    return re.sub(r"\.0$", "", f"{seconds:.1f}")


def _f_number(value: object, ctx: Context) -> object:
    # Exif.pm PrintFNumber
    text = _text(value)
    if is_float(text) and perl_num(text) > 0:
        number = perl_num(text)
        return f"{number:.2f}" if number < 1 else f"{number:.1f}"
    return text


def _fraction(value: object, ctx: Context) -> object:
    # Exif.pm PrintFraction (exposure compensation)
    number = perl_num(_text(value)) * 1.00001
    if not number:
        return "0"
    for denominator in (1, 2, 3):
        scaled = number * denominator
        if math.trunc(scaled) / scaled > 0.999:
            whole = math.trunc(scaled)
            return f"{whole:+d}" if denominator == 1 else f"{whole:+d}/{denominator}"
    return _perl_g(number, 3, signed=True)


def _perl_g(number: float, digits: int, signed: bool = False) -> str:
    """sprintf("%+.Ng") / ("%.Ng")."""
    return f"{number:+.{digits}g}" if signed else f"{number:.{digits}g}"


def _apex_aperture(value: object, ctx: Context) -> object:
    # Exif.pm ApertureValue/MaxApertureValue ValueConv: 2 ** ($val / 2)
    return perl_str(2 ** (perl_num(_text(value)) / 2))


def _apex_shutter(value: object, ctx: Context) -> object:
    # Exif.pm ShutterSpeedValue ValueConv: IsFloat($val) && abs($val)<100 ? 2**(-$val) : 0
    text = _text(value)
    return perl_str(2 ** (-perl_num(text))) if is_float(text) and abs(perl_num(text)) < 100 else "0"


def _sprintf(pattern: str) -> Conversion:
    # sprintf("%.1f",$val), sprintf("%.1f mm",$val)
    return lambda value, ctx: pattern % perl_num(_text(value))


def _suffix(unit: str, keep_invalid: bool = False) -> Conversion:
    # "$val m", "$val mm", "$val C"; with keep_invalid: $val =~ /^(inf|undef)$/ ? $val : "$val m"
    def convert(value: object, ctx: Context) -> object:
        text = _text(value)
        return text if keep_invalid and text in ("inf", "undef") else f"{text} {unit}"
    return convert


def _spaces_to_dots(value: object, ctx: Context) -> object:
    # GPSVersionID, DNGVersion: $val =~ tr/ /./
    return _text(value).replace(" ", ".")


def _spaces_to_commas(value: object, ctx: Context) -> object:
    # ISO: $val=~s/\s+/, /g
    return re.sub(r"\s+", ", ", _text(value))


def _lens_info(value: object, ctx: Context) -> object:
    # Exif.pm PrintLensInfo: "24-70mm f/2.8"
    text = _text(value)
    parts = text.split()
    if len(parts) != 4:
        return text
    for i, part in enumerate(parts):
        if part in ("inf", "undef"):
            parts[i] = "?"
        elif not is_float(part):
            return text
    out = parts[0]
    if parts[1] not in ("0", "?") and parts[1] != parts[0] and perl_num(parts[1]):
        out += f"-{parts[1]}"
    out += f"mm f/{parts[2]}"
    if parts[3] not in ("0",) and parts[3] != parts[2] and (parts[3] == "?" or perl_num(parts[3])):
        out += f"-{parts[3]}"
    return out


def _to_degrees(signed: bool) -> Conversion:
    # GPS.pm ToDegrees: decimal degrees from "d m s" (and an S/W suffix when signed)
    def convert(value: object, ctx: Context) -> object:
        text = _text(value)
        if re.search(r"\b(inf|undef)\b", text):
            return ""
        numbers = re.findall(r"[+-]?(?=\d|\.\d)\d*(?:\.\d*)?(?:[Ee][+-]\d+)?", text)
        if not numbers:
            return ""
        d, m, s = (float(n) for n in (numbers + ["0", "0"])[:3])
        degrees = d + (m + s / 60) / 60
        negative = bool(re.search(r"[^A-Z](S(outh)?|W(est)?)\s*$", text, re.I)) if signed else degrees < 0
        return -degrees if negative and signed else degrees
    return convert


def _to_dms(reference: str | None) -> Conversion:
    # GPS.pm ToDMS($self, $val, 1[, "N"|"E"]): 48 deg 51' 30.13" [N]
    def convert(value: object, ctx: Context) -> object:
        text = _text(value) if not isinstance(value, float) else value
        if text == "":
            return ""
        number = perl_num(text) if not isinstance(text, float) else text
        suffix = ""
        if reference:
            suffix = " " + ({"N": "S", "E": "W"}[reference] if number < 0 else reference)
        number = abs(number)
        degrees = int(number)
        minutes_full = (number - degrees) * 60
        minutes = int(minutes_full)
        seconds = float(f"{(number - degrees - minutes / 60) * 3600:.2f}")
        if seconds >= 60:
            seconds -= 60
            minutes += 1
            if minutes >= 60:
                minutes -= 60
                degrees += 1
        return f"{degrees} deg {minutes}' {seconds:.2f}\"{suffix}"
    return convert


def _gps_time_stamp(value: object, ctx: Context) -> object:
    # GPS.pm ConvertTimeStamp: "h m s" rationals -> HH:MM:SS(.fraction)
    parts = [perl_num(p) for p in _text(value).split()] + [0.0, 0.0, 0.0]
    total = (parts[0] * 60 + parts[1]) * 60 + parts[2]
    hours = int(total / 3600)
    total -= hours * 3600
    minutes = int(total / 60)
    total -= minutes * 60
    seconds = f"{total:012.9f}"
    if float(seconds) >= 60:
        seconds = "00"
        minutes += 1
        if minutes >= 60:
            minutes -= 60
            hours += 1
    else:
        seconds = re.sub(r"\.?0+$", "", seconds)
    return f"{hours:02d}:{minutes:02d}:{seconds}"


def _print_time_stamp(value: object, ctx: Context) -> object:
    # GPS.pm PrintTimeStamp: seconds rounded to the microsecond
    text = _text(value)
    match = re.search(r":(\d{2}\.\d+)$", text)
    if not match:
        return text
    seconds = int(float(match[1]) * 1_000_000 + 0.5) / 1_000_000
    shown = perl_str(seconds)
    return f"{text[: match.start()]}:{'0' + shown if seconds < 10 else shown}"


def _exif_date(value: object, ctx: Context) -> object:
    # Exif.pm ExifDate
    text = re.sub(r"\x00$", "", _text(value))
    return re.sub(r"(\d{4})[^\d]*(\d{2})[^\d]*(\d{2})$", r"\1:\2:\3", text)


def _exif_time(value: object, ctx: Context) -> object:
    # Exif.pm ExifTime
    text = re.sub(r"\x00$", "", _text(value).replace(" ", ":"))
    text = re.sub(r"^(\d{2})(\d{2})(\d{2})", r"\1:\2:\3", text)
    return re.sub(r"([+-]\d{2})(\d{2})\s*$", r"\1:\2", text)


def xmp_date(text: str, unsure: bool = False) -> str:
    """XMP.pm ConvertXMPDate: ISO date/time -> EXIF form (2024-01-16T19:01:03+00:00 -> 2024:01:16 19:01:03+00:00);
    a bare date only when the property is known to be a date (`unsure` for unknown properties)."""
    match = _XMP_DATE.fullmatch(text)
    if match:
        return f"{match[1]}:{match[2]}:{match[3]} {match[4]}{match[5] or ''}{match[6]}"
    if not unsure and _XMP_DATE_PART.match(text):
        return text.replace("-", ":")
    return text


_XMP_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})[T ](\d{2}:\d{2})(:\d{2})?\s*(\S*)")
_XMP_DATE_PART = re.compile(r"\d{4}(-\d{2}){0,2}")


def _xmp_date(value: object, ctx: Context) -> object:
    return xmp_date(_text(value))


def _date_time(value: object, ctx: Context) -> object:
    # ExifTool.pm ConvertDateTime with the documented date format: the UTC instant
    return iso_instant(_text(value))


def _date_only(value: object, ctx: Context) -> object:
    # IPTC.pm DateCreated etc.: $self->ConvertDateTime("$val 00:00:00") when a date format is set
    return iso_instant(_text(value) + " 00:00:00")


def _unchanged(value: object, ctx: Context) -> object:
    return value


def _hex(upper: bool) -> Conversion:
    # unpack("H*", $val), uc(unpack("H*",$val))
    def convert(value: object, ctx: Context) -> object:
        raw = _bytes(value)
        return raw.hex().upper() if upper else raw.hex()
    return convert


def _empty_is_missing(value: object, ctx: Context) -> object:
    # length($val) ? $val : undef
    return value if len(_text(value)) else None


def _photo_mechanic_prefs(value: object, ctx: Context) -> object:
    # IPTC.pm Prefs (Photo Mechanic): "1:2:3:4" -> "Tagged:1, ColorClass:2, Rating:3, FrameNum:4"
    return re.sub(r"\s*(\d+):\s*(\d+):\s*(\d+):\s*(\S*)", r"Tagged:\1, ColorClass:\2, Rating:\3, FrameNum:\4",
                  _text(value), count=1)


def _components(value: object, ctx: Context, lookup: dict[str, str]) -> str:
    # Exif.pm ComponentsConfiguration OTHER: each byte through the table, joined with ", "
    return ", ".join(lookup.get(part, f"Err ({part})") for part in re.split(r",?\s+", _text(value)) if part)


# Perl expression (as the tables carry it, whitespace collapsed) -> port.
CONVERSIONS: dict[str, Conversion] = {
    r"$val =~ s/\s+$//; $$self{Make} = $val": _strip_trailing_space,
    r"$val =~ s/\s+$//; $$self{Model} = $val": _strip_trailing_space,
    r"$val =~ s/\s+$//; $$self{Software} = $val": _strip_trailing_space,
    r"$val =~ s/\s+$//; $val": _strip_trailing_space,
    r"$val=~s/\0+$//; $val": _strip_trailing_nulls,
    r"$val =~ s/\0+$//; $val": _strip_trailing_nulls,
    r"$val=~s/ +$//; $val": _strip_trailing_blanks,
    r"$val=~s/^.*: //;$val": _after_label,
    "sub Exif::Main:Copyright": _copyright,
    "Image::ExifTool::Exif::ConvertExifText($self,$val,1,$tag)": _exif_text,
    '$self->Decode($val,"UCS2","II")': _ucs2_le,
    '$self->Decode($val, "UTF8")': _unchanged,
    r"length($val) > 32 ? \$val : $val": _binary_over(32),
    r"length($val) > 64 ? \$val : $val": _binary_over(64),
    r"length($val) <= 64 ? $val : \$val": _binary_over(64),
    "Image::ExifTool::Exif::DecodeCFAPattern($self, $val)": _cfa_pattern,
    "Image::ExifTool::Exif::PrintCFAPattern($val)": _print_cfa_pattern,
    "Image::ExifTool::Exif::PrintExposureTime($val)": _exposure_time,
    "Image::ExifTool::Exif::PrintFNumber($val)": _f_number,
    "Image::ExifTool::Exif::PrintFraction($val)": _fraction,
    "2 ** ($val / 2)": _apex_aperture,
    "IsFloat($val) && abs($val)<100 ? 2**(-$val) : 0": _apex_shutter,
    'sprintf("%.1f",$val)': _sprintf("%.1f"),
    'sprintf("%.1f mm",$val)': _sprintf("%.1f mm"),
    '"$val mm"': _suffix("mm"),
    '"$val m"': _suffix("m"),
    '"$val C"': _suffix("C"),
    '$val =~ /^(inf|undef)$/ ? $val : "$val m"': _suffix("m", keep_invalid=True),
    '$val =~ /^(inf|undef)$/ ? $val : "${val} m"': _suffix("m", keep_invalid=True),
    "$val =~ tr/ /./; $val": _spaces_to_dots,
    r"$val=~s/\s+/, /g; $val": _spaces_to_commas,
    "sub Exif::Main:LensInfo": _lens_info,
    "Image::ExifTool::GPS::ToDegrees($val)": _to_degrees(signed=False),
    "Image::ExifTool::GPS::ToDegrees($val, 1)": _to_degrees(signed=True),
    "Image::ExifTool::GPS::ToDMS($self, $val, 1)": _to_dms(None),
    'Image::ExifTool::GPS::ToDMS($self, $val, 1, "N")': _to_dms("N"),
    'Image::ExifTool::GPS::ToDMS($self, $val, 1, "E")': _to_dms("E"),
    "Image::ExifTool::GPS::ConvertTimeStamp($val)": _gps_time_stamp,
    "Image::ExifTool::GPS::PrintTimeStamp($val)": _print_time_stamp,
    "Image::ExifTool::Exif::ExifDate($val)": _exif_date,
    "Image::ExifTool::Exif::ExifTime($val)": _exif_time,
    "Image::ExifTool::XMP::ConvertXMPDate($val)": _xmp_date,
    "require Image::ExifTool::XMP; return Image::ExifTool::XMP::ConvertXMPDate($val);": _xmp_date,
    "$self->ConvertDateTime($val)": _date_time,
    '$self->Options("DateFormat") ? $self->ConvertDateTime("$val 00:00:00") : $val': _date_only,
    '$self->Options("DateFormat") ? $self->ConvertDateTime("1970:01:01 $val") : $val': _unchanged,
    'unpack("H*", $val)': _hex(upper=False),
    'uc(unpack("H*",$val))': _hex(upper=True),
    "length($val) ? $val : undef": _empty_is_missing,
    r"$val =~ s[\s*(\d+):\s*(\d+):\s*(\d+):\s*(\S*)] [Tagged:$1, ColorClass:$2, Rating:$3, FrameNum:$4]; "
    "return $val;": _photo_mechanic_prefs,
    "Image::ExifTool::XMP::DecodeBase64($val)": lambda value, ctx: BINARY,
    # RawConvs kept only for their side effects in ExifTool (state for later tags): the value is unchanged.
    "if ($val == ($val & 0x02)) { $self->SetPriorityDir() if $val == 0; $$self{PageCount} = ($$self{PageCount} "
    "|| 0) + 1; $$self{MultiPage} = 1 if $val == 2 or $$self{PageCount} > 1; } $$self{SubfileType} = $val;": _unchanged,
    "Image::ExifTool::Exif::IdentifyRawFile($self, $val); return $$self{Compression} = $val;": _unchanged,
    "$$self{DNGVersion} = $val": _unchanged,
}

# PrintConv hashes with an OTHER function that acts when reading (the others only convert when writing).
OTHER: dict[str, Callable[[object, Context, dict], str]] = {
    "sub Exif::Main:ComponentsConfiguration": _components,
}


def lookup(entry: dict, value: object, ctx: Context) -> object:
    """A PrintConv hash: the table's text, a bit mask's names, or "Unknown (value)"."""
    key = _text(value)
    table = entry["values"]
    if key in table:
        return table[key]
    if "bitmask" in entry and re.fullmatch(r"[\d ]+", key):
        return _decode_bits(key, entry["bitmask"])
    if entry.get("other") in OTHER:
        return OTHER[entry["other"]](value, ctx, table)
    if entry.get("hex") and re.fullmatch(r"-?\d+", key) and int(key):
        return f"Unknown (0x{int(key):x})"
    return f"Unknown ({key})"


def _decode_bits(values: str, names: dict[str, str], bits: int = 32) -> str:
    # ExifTool.pm DecodeBits
    found = []
    for word, value in enumerate(values.split()):
        number = int(value)
        found += [names.get(str(word * bits + i), f"[{word * bits + i}]") for i in range(bits) if number >> i & 1]
    return ", ".join(found) if found else "(none)"


def run(expression: str | None, value: object, ctx: Context) -> object:
    """Apply a Perl conversion's port; an expression without one leaves the value unchanged, and a value
    the port cannot convert (hostile bytes) is left out (None), losing that tag only."""
    if expression is None:
        return value
    port = CONVERSIONS.get(expression)
    if port is None:
        return value
    try:
        return port(value, ctx)
    except (ArithmeticError, LookupError, TypeError, ValueError):
        return None


def is_ported(expression: str) -> bool:
    """Whether this ExifTool expression has a port here."""
    return expression in CONVERSIONS


def printed(entry: dict, value: object, ctx: Context) -> object:
    """ValueConv then PrintConv of one value (RawConv already applied); BINARY or None to leave it out."""
    value = run(entry.get("value"), value, ctx)
    if value is None or value is BINARY:
        return value
    if "print_list" in entry:
        tables = entry["print_list"]
        parts = _text(value).split()
        return "; ".join(tables[min(i, len(tables) - 1)].get(part, f"Unknown ({part})") for i, part in enumerate(parts))
    if "values" in entry:
        return lookup(entry, value, ctx)
    return run(entry.get("print"), value, ctx)


def perl_number(value: object) -> float:
    """A converted value as the number `exiftool -n` prints (Perl's 15 significant digits)."""
    return float(perl_str(value if isinstance(value, float) else perl_num(_text(value))))


def round_rational(numerator: int, denominator: int, digits: int = 10) -> str:
    """ExifTool's GetRational64u/s: x/0 is 'inf' or 'undef', others rounded to `digits` significant figures."""
    if denominator == 0:
        return "inf" if numerator else "undef"
    return round_float(numerator / denominator, digits)
