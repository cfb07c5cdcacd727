"""Ports of Image::ExifTool::Exif (Exif.pm) conversions, each named after its ExifTool source."""
from __future__ import annotations

import math
import re
from typing import Literal

from ..values import Context, as_bytes, as_text, is_float, perl_num, perl_str


def copyright_lines(value: object, ctx: Context) -> object:
    r"""Exif.pm Copyright RawConv: photographer\0editor -> two lines; the rest after a second NUL dropped."""
    # Kept as bytes: they print as UTF-8, as ExifTool prints them.
    raw = re.sub(rb" *\x00", b"\n", as_bytes(value), count=1)
    raw = re.sub(rb" *\x00.*", b"", raw, count=1, flags=re.S)
    return raw[:-1] if raw.endswith(b"\n") else raw


def exif_text(value: object, ctx: Context) -> object:
    """Exif.pm ConvertExifText (UserComment): an 8-byte character code, then the text"""
    raw = as_bytes(value)
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


def ucs2_le(value: object, ctx: Context) -> object:
    """Exif.pm XPTitle/XPComment/XPAuthor/...: $self->Decode($val,"UCS2","II")"""
    raw = as_bytes(value)
    return raw[: len(raw) // 2 * 2].decode("utf-16-le", "replace")


def cfa_pattern(value: object, ctx: Context) -> object:
    """Exif.pm DecodeCFAPattern: repeat width and height (16-bit, EXIF byte order), then the colours"""
    raw = as_bytes(value)
    if re.fullmatch(rb"[0-6]+", raw):
        raw = bytes(b - 0x30 for b in raw)
    if len(raw) < 4:
        return raw
    order: Literal["little", "big"] = "little" if ctx.byte_order == "<" else "big"
    width, height = int.from_bytes(raw[:2], order), int.from_bytes(raw[2:4], order)
    colours = list(raw[4:])
    if 2 + width * height > 2 + len(colours):
        swapped: Literal["little", "big"] = "big" if order == "little" else "little"
        x, y = int.from_bytes(raw[:2], swapped), int.from_bytes(raw[2:4], swapped)
        if len(colours) >= x * y:
            width, height = x, y
    return " ".join(str(n) for n in [width, height, *colours])


def print_cfa_pattern(value: object, ctx: Context) -> object:
    """Exif.pm PrintCFAPattern"""
    numbers = as_text(value).split()
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


def exposure_time(value: object, ctx: Context) -> object:
    """Exif.pm PrintExposureTime"""
    text = as_text(value)
    if not is_float(text):
        return text
    seconds = perl_num(text)
    if 0 < seconds < 0.25001:
        return f"1/{int(0.5 + 1 / seconds)}"
    return re.sub(r"\.0$", "", f"{seconds:.1f}")


def f_number(value: object, ctx: Context) -> object:
    """Exif.pm PrintFNumber"""
    text = as_text(value)
    if is_float(text) and perl_num(text) > 0:
        number = perl_num(text)
        return f"{number:.2f}" if number < 1 else f"{number:.1f}"
    return text


def fraction(value: object, ctx: Context) -> object:
    """Exif.pm PrintFraction (exposure compensation)"""
    number = perl_num(as_text(value)) * 1.00001
    if not number:
        return "0"
    for denominator in (1, 2, 3):
        scaled = number * denominator
        if math.trunc(scaled) / scaled > 0.999:
            whole = math.trunc(scaled)
            return f"{whole:+d}" if denominator == 1 else f"{whole:+d}/{denominator}"
    return perl_g(number, 3, signed=True)


def perl_g(number: float, digits: int, signed: bool = False) -> str:
    """sprintf("%+.Ng") / ("%.Ng")."""
    return f"{number:+.{digits}g}" if signed else f"{number:.{digits}g}"


def apex_aperture(value: object, ctx: Context) -> object:
    """Exif.pm ApertureValue/MaxApertureValue ValueConv: 2 ** ($val / 2)"""
    return perl_str(2 ** (perl_num(as_text(value)) / 2))


def apex_shutter(value: object, ctx: Context) -> object:
    """Exif.pm ShutterSpeedValue ValueConv: IsFloat($val) && abs($val)<100 ? 2**(-$val) : 0"""
    text = as_text(value)
    return perl_str(2 ** (-perl_num(text))) if is_float(text) and abs(perl_num(text)) < 100 else "0"


def lens_info(value: object, ctx: Context) -> object:
    """Exif.pm PrintLensInfo: "24 70 2.8 2.8" prints as "24-70mm f/2.8"."""
    text = as_text(value)
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


def exif_date(value: object, ctx: Context) -> object:
    """Exif.pm ExifDate"""
    text = re.sub(r"\x00$", "", as_text(value))
    return re.sub(r"(\d{4})[^\d]*(\d{2})[^\d]*(\d{2})$", r"\1:\2:\3", text)


def exif_time(value: object, ctx: Context) -> object:
    """Exif.pm ExifTime"""
    text = re.sub(r"\x00$", "", as_text(value).replace(" ", ":"))
    text = re.sub(r"^(\d{2})(\d{2})(\d{2})", r"\1:\2:\3", text)
    return re.sub(r"([+-]\d{2})(\d{2})\s*$", r"\1:\2", text)


def components(value: object, ctx: Context, lookup: dict[str, str]) -> str:
    """Exif.pm ComponentsConfiguration OTHER: each byte through the table, joined by commas ("Y, Cb, Cr, -")."""
    return ", ".join(lookup.get(part, f"Err ({part})") for part in re.split(r",?\s+", as_text(value)) if part)
