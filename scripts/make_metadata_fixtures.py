"""Write tests/data/images/metadata/: small images of every format carrying EXIF, IPTC and XMP.

Run: .venv/bin/python scripts/make_metadata_fixtures.py   (needs exiftool 12.57; Pillow and pillow-heif from
requirements.txt). Pillow and pillow-heif make the pixels (a fixed gradient), exiftool writes the metadata
blocks with the arguments below, and a few files are then rearranged here byte by byte (segment order).
Re-running on the same versions writes the same bytes; tests/data/images/README.md describes each file.
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pillow_heif
from PIL import Image

OUTPUT = Path(__file__).resolve().parent.parent / "tests" / "data" / "images" / "metadata"
SIZE = (32, 24)

# The hosted API's published sample is for the IPTC photo-metadata reference image: these carry the same kind
# of values (EXIF, IPTC-IIM in UTF-8, XMP with IPTC Core and Extension structures) under our own texts.
REFERENCE_EXIF = [
    "-EXIF:ImageDescription=The description aka caption (ref2024.1)",
    "-EXIF:Make=Reference Camera Co.",
    "-EXIF:Model=Model R 24",
    "-EXIF:Artist=Creator1 (ref2024.1)",
    "-EXIF:Copyright=Copyright (Notice) 2024.1 IPTC - www.iptc.org (ref2024.1)",
    "-EXIF:XResolution=72",
    "-EXIF:YResolution=72",
    "-EXIF:ResolutionUnit=inches",
    "-EXIF:Software=Fixture writer 1.0",
    "-EXIF:ModifyDate=2024:01:17 08:30:00",
    "-EXIF:DateTimeOriginal=2024:01:16 19:01:03",
    "-EXIF:CreateDate=2024:01:16 19:01:03",
    "-EXIF:OffsetTimeOriginal=+00:00",
    "-EXIF:SubSecTimeOriginal=25",
    "-EXIF:ExifVersion=0232",
    "-EXIF:FlashpixVersion=0100",
    "-EXIF:ComponentsConfiguration#=1 2 3 0",
    "-EXIF:ColorSpace=Uncalibrated",
    "-EXIF:ExposureTime=1/160",
    "-EXIF:FNumber=5.6",
    "-EXIF:ExposureProgram=Aperture-priority AE",
    "-EXIF:ISO=200",
    "-EXIF:ExposureCompensation=-0.7",
    "-EXIF:MeteringMode=Multi-segment",
    "-EXIF:Flash#=16",
    "-EXIF:FocalLength=50",
    "-EXIF:FocalLengthIn35mmFormat=75",
    "-EXIF:ShutterSpeedValue=1/160",
    "-EXIF:ApertureValue=5.6",
    "-EXIF:MaxApertureValue=2.8",
    "-EXIF:WhiteBalance=Auto",
    "-EXIF:ExposureMode=Auto",
    "-EXIF:SceneCaptureType=Standard",
    "-EXIF:LensModel=Fixture Lens 24-70mm F2.8",
    "-EXIF:LensInfo=24 70 2.8 2.8",
    "-EXIF:BodySerialNumber=0123456789",
    "-EXIF:GPSVersionID=2.3.0.0",
    "-EXIF:GPSLatitude=48.858370",
    "-EXIF:GPSLatitudeRef=N",
    "-EXIF:GPSLongitude=2.294481",
    "-EXIF:GPSLongitudeRef=E",
    "-EXIF:GPSAltitude=35.5",
    "-EXIF:GPSAltitudeRef=Above Sea Level",
    "-EXIF:GPSTimeStamp=19:01:03",
    "-EXIF:GPSDateStamp=2024:01:16",
    "-EXIF:GPSMapDatum=WGS-84",
]
REFERENCE_IPTC = [
    "-IPTC:CodedCharacterSet=UTF8",
    "-IPTC:ObjectName=The Title (ref2024.1)",
    "-IPTC:ObjectAttributeReference=A Genre (ref2024.1)",
    "-IPTC:SubjectReference=IPTC:1ref2024.1",
    "-IPTC:SubjectReference=IPTC:2ref2024.1",
    "-IPTC:SubjectReference=IPTC:3ref2024.1",
    "-IPTC:Keywords=Keyword1ref2024.1",
    "-IPTC:Keywords=Keyword2ref2024.1",
    "-IPTC:Keywords=Schlüsselwort3 (ref2024.1)",
    "-IPTC:SpecialInstructions=An Instruction (ref2024.1)",
    "-IPTC:DateCreated=2024:01:16",
    "-IPTC:TimeCreated=19:01:03+00:00",
    "-IPTC:DigitalCreationDate=2024:01:16",
    "-IPTC:DigitalCreationTime=19:01:03+00:00",
    "-IPTC:Urgency=5",
    "-IPTC:By-line=Creator1 (ref2024.1)",
    "-IPTC:By-lineTitle=Creator's Job Title (ref2024.1)",
    "-IPTC:City=City (Core) (ref2024.1)",
    "-IPTC:Sub-location=Sublocation (Core) Zürich–東京 (ref2024.1)",
    "-IPTC:Province-State=Province/State(Core)(ref2024.1)",
    "-IPTC:Country-PrimaryLocationCode=R24",
    "-IPTC:Country-PrimaryLocationName=Country (Core) (ref2024.1)",
    "-IPTC:OriginalTransmissionReference=Job Id (ref2024.1)",
    "-IPTC:Headline=The Headline (ref2024.1)",
    "-IPTC:Credit=Credit Line (ref2024.1)",
    "-IPTC:Source=Source (ref2024.1)",
    "-IPTC:CopyrightNotice=Copyright (Notice) 2024.1 IPTC - www.iptc.org (ref2024.1)",
    "-IPTC:Caption-Abstract=The description aka caption (ref2024.1)",
    "-IPTC:Writer-Editor=Description Writer (ref2024.1)",
]
REFERENCE_XMP = [
    "-XMP-dc:Creator=Creator1 (ref2024.1)",
    "-XMP-dc:Creator=Creator2 (ref2024.1)",
    "-XMP-dc:Rights=Copyright (Notice) 2024.1 IPTC - www.iptc.org (ref2024.1)",
    "-XMP-dc:Title=The Title (ref2024.1)",
    "-XMP-dc:Title-de=Der Titel (ref2024.1)",
    "-XMP-dc:Description=The description aka caption (ref2024.1)",
    "-XMP-dc:Subject=Keyword1ref2024.1",
    "-XMP-dc:Subject=Keyword2ref2024.1",
    "-XMP-dc:Subject=Schlüsselwort3 (ref2024.1)",
    "-XMP-photoshop:AuthorsPosition=Creator's Job Title (ref2024.1)",
    "-XMP-photoshop:CaptionWriter=Description Writer (ref2024.1)",
    "-XMP-photoshop:City=City (Core) (ref2024.1)",
    "-XMP-photoshop:Country=Country (Core) (ref2024.1)",
    "-XMP-photoshop:State=Province/State(Core)(ref2024.1)",
    "-XMP-photoshop:Credit=Credit Line (ref2024.1)",
    "-XMP-photoshop:Source=Source (ref2024.1)",
    "-XMP-photoshop:Headline=The Headline (ref2024.1)",
    "-XMP-photoshop:Instructions=An Instruction (ref2024.1)",
    "-XMP-photoshop:TransmissionReference=Job Id (ref2024.1)",
    "-XMP-photoshop:DateCreated=2024:01:16 19:01:03+00:00",
    "-XMP-photoshop:Urgency=5",
    "-XMP-iptcCore:CreatorCity=Creator's CI: City (ref2024.1)",
    "-XMP-iptcCore:CreatorCountry=Creator's CI: Country (ref2024.1)",
    "-XMP-iptcCore:CreatorAddress=Creator's CI: Address, line 1 (ref2024.1)",
    "-XMP-iptcCore:CreatorPostalCode=Creator's CI: Postcode (ref2024.1)",
    "-XMP-iptcCore:CreatorRegion=Creator's CI: State/Province (ref2024.1)",
    "-XMP-iptcCore:CreatorWorkEmail=Creator's CI: Email@1, Email@2 (ref2024.1)",
    "-XMP-iptcCore:CreatorWorkTelephone=Creator's CI: Phone # 1, Phone # 2 (ref2024.1)",
    "-XMP-iptcCore:CreatorWorkURL=http://www.Creators.CI/WebAddress/ref2024.1",
    "-XMP-iptcCore:CountryCode=R24",
    "-XMP-iptcCore:IntellectualGenre=A Genre (ref2024.1)",
    "-XMP-iptcCore:Location=Sublocation (Core) Zürich–東京 (ref2024.1)",
    "-XMP-iptcCore:Scene=IPTC-Scene-Code1 (ref2024.1)",
    "-XMP-iptcCore:Scene=IPTC-Scene-Code2 (ref2024.1)",
    "-XMP-iptcCore:SubjectCode=IPTC:1ref2024.1",
    "-XMP-iptcCore:SubjectCode=IPTC:2ref2024.1",
    "-XMP-iptcCore:AltTextAccessibility=This is the Alt Text description (ref2024.1)",
    "-XMP-iptcExt:Event=An Event (ref2024.1)",
    "-XMP-iptcExt:PersonInImage=Person Shown 1 (ref2024.1)",
    "-XMP-iptcExt:PersonInImage=Person Shown 2 (ref2024.1)",
    "-XMP-iptcExt:DigitalSourceType=http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture",
    "-XMP-iptcExt:LocationShown={City=Location Shown 1 City,CountryName=Country 1,Sublocation=Sub 1}",
    "-XMP-iptcExt:LocationShown={City=Location Shown 2 City,CountryName=Country 2,Sublocation=Sub 2}",
    "-XMP-iptcExt:ArtworkOrObject={AOTitle=Artwork Title 1,AOCreator=[Artwork Creator 1],AODateCreated=1919:10:16}",
    "-XMP-xmpRights:Marked=True",
    "-XMP-xmpRights:WebStatement=http://www.WebStatementOfRights.org/2024.1",
    "-XMP-xmpRights:UsageTerms=Rights Usage Terms (ref2024.1)",
    "-XMP-xmp:Rating=4",
    "-XMP-xmp:Label=Green",
    "-XMP-xmp:CreatorTool=Fixture writer 1.0",
    "-XMP-xmp:CreateDate=2024:01:16 19:01:03.25+02:00",
    "-XMP-xmp:ModifyDate=2024:01:17 08:30:00Z",
    "-XMP-xmpMM:DocumentID=xmp.did:0123456789abcdef",
    "-XMP-xmpMM:InstanceID=xmp.iid:fedcba9876543210",
    "-XMP-xmpMM:History={Action=created,When=2024:01:16 19:05:00+00:00,SoftwareAgent=Fixture writer 1.0}",
    "-XMP-xmpMM:History={Action=saved,When=2024:01:17 08:30:00+00:00,SoftwareAgent=Fixture writer 1.0,Changed=/metadata}",
    "-XMP-lr:HierarchicalSubject=Places|Europe|France",
    "-XMP-lr:HierarchicalSubject=Things|Tower",
    "-XMP-exif:GPSLatitude=48.858370",
    "-XMP-exif:GPSLongitude=2.294481",
]
# IPTC written in Latin-1 with no CodedCharacterSet (as older Windows and Photoshop did), the cp1252 range too.
LATIN1_IPTC = [
    "-charset", "iptc=Latin",
    "-IPTC:ObjectName=Café Münster",
    "-IPTC:Keywords=Ärger",
    "-IPTC:Keywords=Öl",
    "-IPTC:Keywords=5 €uro",
    "-IPTC:Caption-Abstract=Grüße aus Köln – «très» bien",
    "-IPTC:By-line=José Ñúñez",
    "-IPTC:City=Köln",
]
# Conflicting values under the same names in EXIF, IPTC and XMP (see docs/embedded-metadata.md, precedence).
CONFLICTS = [
    "-EXIF:Make=EXIF make",
    "-XMP-tiff:Make=XMP make",
    "-EXIF:DateTimeOriginal=2020:01:01 10:00:00",
    "-XMP-exif:DateTimeOriginal=2021:02:02 11:00:00+01:00",
    "-IPTC:City=IPTC city",
    "-XMP-photoshop:City=XMP city",
    "-IPTC:Headline=IPTC headline",
    "-XMP-photoshop:Headline=XMP headline",
    "-IPTC:Keywords=iptc-keyword",
    "-XMP-dc:Subject=xmp-subject",
    "-IPTC:DateCreated=2020:01:01",
    "-XMP-photoshop:DateCreated=2021:02:02",
]
# Per-format files: a little of each block the format can hold, GPS south-west and below sea level in one.
FORMAT_EXIF = [
    "-EXIF:Make=Fixture",
    "-EXIF:Model={fmt} writer",
    "-EXIF:Artist=Format Fixture",
    "-EXIF:DateTimeOriginal=2023:06:30 23:59:59",
    "-EXIF:ExposureTime=0.5",
    "-EXIF:FNumber=8",
    "-EXIF:Orientation=Rotate 90 CW",
    "-EXIF:GPSLatitude=33.856784",
    "-EXIF:GPSLatitudeRef=S",
    "-EXIF:GPSLongitude=151.215297",
    "-EXIF:GPSLongitudeRef=W",
    "-EXIF:GPSAltitude=12.25",
    "-EXIF:GPSAltitudeRef=Below Sea Level",
]
FORMAT_XMP = [
    "-XMP-dc:Title={fmt} title",
    "-XMP-dc:Subject=alpha",
    "-XMP-dc:Subject=beta",
    "-XMP-photoshop:City=Sydney",
    "-XMP-xmp:Rating=3",
    "-XMP-iptcCore:CreatorCity=Creator City",
]
FORMAT_IPTC = ["-IPTC:CodedCharacterSet=UTF8", "-IPTC:ObjectName={fmt} object", "-IPTC:Keywords=iptc {fmt}"]


def gradient() -> Image.Image:
    """The fixed pixels every fixture starts from."""
    return Image.linear_gradient("L").resize(SIZE).convert("RGB")


def exiftool(path: Path, arguments: list[str]) -> None:
    """Write metadata in place with exiftool (UTF-8 arguments, no backup file)."""
    subprocess.run(["exiftool", "-q", "-q", "-overwrite_original", *arguments, str(path)], check=True)


def jpeg_segments(data: bytes) -> tuple[list[bytes], bytes]:
    """The marker segments before the first SOS (each with its marker) and the rest of the file."""
    segments, position = [], 2
    while data[position + 1] != 0xDA:
        length = int.from_bytes(data[position + 2 : position + 4], "big")
        segments.append(data[position : position + 2 + length])
        position += 2 + length
    return segments, data[position:]


def move_iptc_last(path: Path) -> None:
    """Put the APP13 (Photoshop/IPTC) segment after every APP1, as some editors write it."""
    segments, rest = jpeg_segments(path.read_bytes())
    app13 = [segment for segment in segments if segment[1] == 0xED]
    others = [segment for segment in segments if segment[1] != 0xED]
    last_app1 = max(i for i, segment in enumerate(others) if segment[1] == 0xE1)
    ordered = others[: last_app1 + 1] + app13 + others[last_app1 + 1 :]
    path.write_bytes(b"\xff\xd8" + b"".join(ordered) + rest)


def base_image(path: Path) -> None:
    """The gradient saved in the format the suffix names."""
    image = gradient()
    if path.suffix == ".heic":
        pillow_heif.from_pillow(image).save(path, quality=50)
    elif path.suffix == ".gif":
        image.convert("P").save(path)
    elif path.suffix == ".tif":
        image.save(path, compression="tiff_deflate")
    else:
        image.save(path, quality=80)


def fill(template: list[str], fmt: str) -> list[str]:
    return [argument.replace("{fmt}", fmt) for argument in template]


def main() -> None:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        jobs: dict[str, list[str]] = {
            "iptc-reference.jpg": REFERENCE_EXIF + REFERENCE_IPTC + REFERENCE_XMP,
            "iptc-latin1.jpg": ["-EXIF:Artist=Latin-1 fixture", *LATIN1_IPTC],
            "conflicts.jpg": CONFLICTS,
            "conflicts-iptc-last.jpg": CONFLICTS,
            # 71,750 characters: more than one APP1 holds, so exiftool moves it into Extended XMP segments.
            "xmp-extended.jpg": ["-EXIF:Artist=Extended fixture", "-XMP-dc:Title=Extended XMP",
                                 "-XMP-dc:Description=" + "Extended XMP split across APP1 segments. " * 1750],
            "metadata.png": fill(FORMAT_EXIF + FORMAT_XMP + FORMAT_IPTC, "PNG"),
            # -z: exiftool stores the XMP in a compressed iTXt chunk.
            "metadata-compressed.png": ["-z", *fill(FORMAT_EXIF + FORMAT_XMP, "compressed PNG")],
            "metadata.webp": fill(FORMAT_EXIF + FORMAT_XMP, "WebP"),
            "metadata.tif": fill(FORMAT_EXIF + FORMAT_XMP + FORMAT_IPTC, "TIFF"),
            "metadata.gif": fill(FORMAT_XMP, "GIF"),
            "metadata.heic": fill(FORMAT_EXIF + FORMAT_XMP, "HEIC"),
            "metadata.avif": fill(FORMAT_EXIF + FORMAT_XMP, "AVIF"),
        }
        for name, arguments in jobs.items():
            path = work / name
            base_image(path)
            exiftool(path, arguments)
            if name == "conflicts-iptc-last.jpg":
                move_iptc_last(path)
            shutil.copyfile(path, OUTPUT / name)
            print(f"wrote {OUTPUT / name} ({path.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
