"""The Perl and exiftool behaviours the embeddedMetadata values rest on, at their edges.

Expected values are ExifTool 12.57's: its Perl functions called on the same inputs (PrintFraction,
ToDMS, ...; ConvertDateTime with DateFormat %Y-%m-%dT%H:%M:%S%3f%z and TZ=UTC, then converted to UTC as
scripts/expect_embedded.py does).
"""
from __future__ import annotations

import pytest

from imagemeta.embedded.conversions import CONVERSIONS, Context
from imagemeta.embedded.tables import exif_tables, iptc_table, xmp_tables
from imagemeta.embedded.values import instant_from_exiftool_date, json_scalar, latin_text, utf8_text


@pytest.mark.parametrize(("exiftool", "instant"), [
    ("2024:01:16 19:01:03", "2024-01-16T19:01:03.000Z"),
    ("2024:01:16 19:01:03.25+02:00", "2024-01-16T17:01:03.250Z"),
    ("2024:01:16 19:01:03.9996Z", "2024-01-16T19:01:04.000Z"),
    ("2024:01:16", "2024-01-16T00:00:00.000Z"),
    ("2024:12:31 23:30:00-01:00", "2025-01-01T00:30:00.000Z"),
    ("0000:00:00 00:00:00", "0000:00:00 00:00:00"),
    ("    :  :     :  :  ", "    :  :     :  :  "),
])
def test_dates_become_utc_instants_as_exiftool_reads_them(exiftool: str, instant: str) -> None:
    assert instant_from_exiftool_date(exiftool) == instant


@pytest.mark.parametrize(("printed", "typed"), [
    ("72", 72), ("5.6", 5.6), ("-0.7", -0.7), ("11.0", 11.0), ("1e+20", 1e20), ("0232", "0232"),
    ("1/160", "1/160"), ("True", True), ("false", False), ("1234567890123456", "1234567890123456"),
    ("a\x00b", "ab"),
])
def test_printed_values_get_exiftool_json_types(printed: str, typed: object) -> None:
    assert json_scalar(printed) == typed and type(json_scalar(printed)) is type(typed)


def test_invalid_utf8_bytes_print_as_question_marks_and_latin_is_cp1252() -> None:
    assert utf8_text(b"caf\xe9 \xc3\xa9") == "caf? é"
    assert latin_text(b"\x80uro \xe9\x81") == "€uro é\x81"


@pytest.mark.parametrize(("expression", "value", "printed"), [
    ("Image::ExifTool::Exif::PrintExposureTime($val)", "0.00625", "1/160"),
    ("Image::ExifTool::Exif::PrintExposureTime($val)", "2.5", "2.5"),
    ("Image::ExifTool::Exif::PrintExposureTime($val)", "30", "30"),
    ("Image::ExifTool::Exif::PrintFNumber($val)", "0.95", "0.95"),
    ("Image::ExifTool::Exif::PrintFraction($val)", "-0.6666666667", "-2/3"),
    ("Image::ExifTool::Exif::PrintFraction($val)", "0.33", "+0.33"),
    ("sub Exif::Main:LensInfo", "24 70 2.8 undef", "24-70mm f/2.8-?"),
    ('Image::ExifTool::GPS::ToDMS($self, $val, 1, "N")', "-10.5", "10 deg 30' 0.00\" S"),
    ("Image::ExifTool::GPS::ConvertTimeStamp($val)", "12 34 56.789", "12:34:56.789"),
    ("Image::ExifTool::Exif::PrintCFAPattern($val)", "2 2 0 1 1 2", "[Red,Green][Green,Blue]"),
])
def test_ported_conversions_print_as_exiftool(expression: str, value: str, printed: str) -> None:
    assert CONVERSIONS[expression](value, Context()) == printed


def test_every_port_matches_an_expression_of_the_generated_tables() -> None:
    # A port keyed by a mistyped expression would never run: each key must be one the tables carry.
    tables = [exif_tables()["exif"], exif_tables()["gps"], iptc_table()]
    tables += [namespace["tags"] for namespace in xmp_tables()["namespaces"].values()]
    carried = {entry[kind] for table in tables for entry in table.values() for kind in ("raw", "value", "print")
               if kind in entry}
    assert set(CONVERSIONS) <= carried
