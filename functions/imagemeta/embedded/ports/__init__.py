"""ExifTool's conversions written as Perl, ported: the registry by expression text (docs/embedded-metadata.md).

The tag tables (scripts/gen_embedded_tags.py) give each tag's RawConv, ValueConv and PrintConv as the Perl
expression ExifTool evaluates (or "sub Table:Name" for a code reference). Every tag that shares an
expression shares its port, so EXIF's ExposureTime and XMP-exif's use one function.
"""
from __future__ import annotations

from collections.abc import Callable

from ..values import BINARY, Context
from . import common, exif_pm, gps

# Perl expression (as the tables carry it, whitespace collapsed) -> port.
CONVERSIONS: dict[str, common.Conversion] = {
    r"$val =~ s/\s+$//; $$self{Make} = $val": common.strip_trailing_space,
    r"$val =~ s/\s+$//; $$self{Model} = $val": common.strip_trailing_space,
    r"$val =~ s/\s+$//; $$self{Software} = $val": common.strip_trailing_space,
    r"$val =~ s/\s+$//; $val": common.strip_trailing_space,
    r"$val=~s/\0+$//; $val": common.strip_trailing_nulls,
    r"$val =~ s/\0+$//; $val": common.strip_trailing_nulls,
    r"$val=~s/ +$//; $val": common.strip_trailing_blanks,
    r"$val=~s/^.*: //;$val": common.after_label,
    "sub Exif::Main:Copyright": exif_pm.copyright_lines,
    "Image::ExifTool::Exif::ConvertExifText($self,$val,1,$tag)": exif_pm.exif_text,
    '$self->Decode($val,"UCS2","II")': exif_pm.ucs2_le,
    '$self->Decode($val, "UTF8")': common.unchanged,
    r"length($val) > 32 ? \$val : $val": common.binary_over(32),
    r"length($val) > 64 ? \$val : $val": common.binary_over(64),
    r"length($val) <= 64 ? $val : \$val": common.binary_over(64),
    "Image::ExifTool::Exif::DecodeCFAPattern($self, $val)": exif_pm.cfa_pattern,
    "Image::ExifTool::Exif::PrintCFAPattern($val)": exif_pm.print_cfa_pattern,
    "Image::ExifTool::Exif::PrintExposureTime($val)": exif_pm.exposure_time,
    "Image::ExifTool::Exif::PrintFNumber($val)": exif_pm.f_number,
    "Image::ExifTool::Exif::PrintFraction($val)": exif_pm.fraction,
    "2 ** ($val / 2)": exif_pm.apex_aperture,
    "IsFloat($val) && abs($val)<100 ? 2**(-$val) : 0": exif_pm.apex_shutter,
    'sprintf("%.1f",$val)': common.sprintf("%.1f"),
    'sprintf("%.1f mm",$val)': common.sprintf("%.1f mm"),
    '"$val mm"': common.suffix("mm"),
    '"$val m"': common.suffix("m"),
    '"$val C"': common.suffix("C"),
    '$val =~ /^(inf|undef)$/ ? $val : "$val m"': common.suffix("m", keep_invalid=True),
    '$val =~ /^(inf|undef)$/ ? $val : "${val} m"': common.suffix("m", keep_invalid=True),
    "$val =~ tr/ /./; $val": common.spaces_to_dots,
    r"$val=~s/\s+/, /g; $val": common.spaces_to_commas,
    "sub Exif::Main:LensInfo": exif_pm.lens_info,
    "Image::ExifTool::GPS::ToDegrees($val)": gps.to_degrees(signed=False),
    "Image::ExifTool::GPS::ToDegrees($val, 1)": gps.to_degrees(signed=True),
    "Image::ExifTool::GPS::ToDMS($self, $val, 1)": gps.to_dms(None),
    'Image::ExifTool::GPS::ToDMS($self, $val, 1, "N")': gps.to_dms("N"),
    'Image::ExifTool::GPS::ToDMS($self, $val, 1, "E")': gps.to_dms("E"),
    "Image::ExifTool::GPS::ConvertTimeStamp($val)": gps.gps_time_stamp,
    "Image::ExifTool::GPS::PrintTimeStamp($val)": gps.print_time_stamp,
    "Image::ExifTool::Exif::ExifDate($val)": exif_pm.exif_date,
    "Image::ExifTool::Exif::ExifTime($val)": exif_pm.exif_time,
    "Image::ExifTool::XMP::ConvertXMPDate($val)": common.convert_xmp_date,
    "require Image::ExifTool::XMP; return Image::ExifTool::XMP::ConvertXMPDate($val);": common.convert_xmp_date,
    "$self->ConvertDateTime($val)": common.date_time,
    '$self->Options("DateFormat") ? $self->ConvertDateTime("$val 00:00:00") : $val': common.date_only,
    '$self->Options("DateFormat") ? $self->ConvertDateTime("1970:01:01 $val") : $val': common.unchanged,
    'unpack("H*", $val)': common.hex_digits(upper=False),
    'uc(unpack("H*",$val))': common.hex_digits(upper=True),
    "length($val) ? $val : undef": common.empty_is_missing,
    r"$val =~ s[\s*(\d+):\s*(\d+):\s*(\d+):\s*(\S*)] [Tagged:$1, ColorClass:$2, Rating:$3, FrameNum:$4]; "
    "return $val;": common.photo_mechanic_prefs,
    "Image::ExifTool::XMP::DecodeBase64($val)": lambda value, ctx: BINARY,
    # RawConvs kept only for their side effects in ExifTool (state for later tags): the value is unchanged.
    "if ($val == ($val & 0x02)) { $self->SetPriorityDir() if $val == 0; $$self{PageCount} = ($$self{PageCount} "
    "|| 0) + 1; $$self{MultiPage} = 1 if $val == 2 or $$self{PageCount} > 1; } "
    "$$self{SubfileType} = $val;": common.unchanged,
    "Image::ExifTool::Exif::IdentifyRawFile($self, $val); return $$self{Compression} = $val;": common.unchanged,
    "$$self{DNGVersion} = $val": common.unchanged,
}

# PrintConv hashes with an OTHER function that acts when reading (the others only convert when writing).
OTHER: dict[str, Callable[[object, Context, dict], str]] = {
    "sub Exif::Main:ComponentsConfiguration": exif_pm.components,
}
