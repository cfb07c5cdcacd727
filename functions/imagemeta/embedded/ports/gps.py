"""Ports of Image::ExifTool::GPS (GPS.pm) conversions: degrees, DMS text, time stamps."""
from __future__ import annotations

import re

from ..values import Context, as_text, perl_num, perl_str
from .common import Conversion


def to_degrees(signed: bool) -> Conversion:
    """GPS.pm ToDegrees: decimal degrees from "d m s" (and an S/W suffix when signed)"""
    def convert(value: object, ctx: Context) -> object:
        text = as_text(value)
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


def to_dms(reference: str | None) -> Conversion:
    """GPS.pm ToDMS($self, $val, 1[, "N"|"E"]): 48 deg 51' 30.13" [N]"""
    def convert(value: object, ctx: Context) -> object:
        text = as_text(value) if not isinstance(value, float) else value
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


def gps_time_stamp(value: object, ctx: Context) -> object:
    """GPS.pm ConvertTimeStamp: "h m s" rationals -> HH:MM:SS(.fraction)"""
    parts = [perl_num(p) for p in as_text(value).split()] + [0.0, 0.0, 0.0]
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


def print_time_stamp(value: object, ctx: Context) -> object:
    """GPS.pm PrintTimeStamp: seconds rounded to the microsecond"""
    text = as_text(value)
    match = re.search(r":(\d{2}\.\d+)$", text)
    if not match:
        return text
    seconds = int(float(match[1]) * 1_000_000 + 0.5) / 1_000_000
    shown = perl_str(seconds)
    return f"{text[: match.start()]}:{'0' + shown if seconds < 10 else shown}"
