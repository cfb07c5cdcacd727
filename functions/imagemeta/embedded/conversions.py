"""Applying ExifTool's conversions to one value: RawConv, ValueConv, then PrintConv (ExifTool.pm GetValue).

Lookup tables (PrintConv hashes, bit masks) come from the tag tables; conversions written as Perl come
from their ports (imagemeta.embedded.ports), keyed by the expression text. An expression with no port
leaves the value as the previous step made it.
"""
from __future__ import annotations

import re

from .ports import CONVERSIONS, OTHER
from .values import BINARY, Context, as_text, perl_num, perl_str, round_float

__all__ = ["BINARY", "Context", "CONVERSIONS", "lookup", "run", "printed", "perl_number", "round_rational"]


def lookup(entry: dict, value: object, ctx: Context) -> object:
    """A PrintConv hash: the table's text, a bit mask's names, or "Unknown (value)"."""
    key = as_text(value)
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


def printed(entry: dict, value: object, ctx: Context) -> object:
    """ValueConv then PrintConv of one value (RawConv already applied); BINARY or None to leave it out."""
    value = run(entry.get("value"), value, ctx)
    if value is None or value is BINARY:
        return value
    if "print_list" in entry:
        tables = entry["print_list"]
        parts = as_text(value).split()
        return "; ".join(tables[min(i, len(tables) - 1)].get(part, f"Unknown ({part})") for i, part in enumerate(parts))
    if "values" in entry:
        return lookup(entry, value, ctx)
    return run(entry.get("print"), value, ctx)


def perl_number(value: object) -> float:
    """A converted value as the number `exiftool -n` prints (Perl's 15 significant digits)."""
    return float(perl_str(value if isinstance(value, float) else perl_num(as_text(value))))


def round_rational(numerator: int, denominator: int, digits: int = 10) -> str:
    """ExifTool's GetRational64u/s: x/0 is 'inf' or 'undef', others rounded to `digits` significant figures."""
    if denominator == 0:
        return "inf" if numerator else "undef"
    return round_float(numerator / denominator, digits)
