"""The registry of formats (imagemeta/formats/): each format found alike by its signature and by libvips' loader,
and the places outside the core that name formats agreeing with it."""
from __future__ import annotations

from pathlib import Path

import pytest

from imagemeta import NotAnImage, libvips
from imagemeta.formats import FORMATS, ImageFormat, sniff
from imagemeta.formats.bmp_ico import BMP, ICO
from imagemeta.formats.gif import GIF
from imagemeta.formats.heif import AVIF, HEIC, HEIF
from imagemeta.formats.jpeg import JPEG
from imagemeta.formats.png import PNG
from imagemeta.formats.tiff import TIFF
from imagemeta.formats.webp import WEBP
from library.kinds import file_kind
from library.query import FORMAT_ALIASES

from ..paths import IMAGES

SAMPLES = {
    JPEG: "exif-samples/jpg/Canon_40D.jpg",
    PNG: "formats/png-rgba.png",
    GIF: "formats/gif-animated.gif",
    WEBP: "formats/webp-lossy.webp",
    TIFF: "metadata/metadata.tif",
    HEIC: "exif-samples/heic/IMG_5195.HEIC",
    AVIF: "formats/avif.avif",
    BMP: "formats/bmp.bmp",
    ICO: "formats/ico.ico",
}


def sample(image_format: ImageFormat) -> bytes:
    if image_format is HEIF:  # a HEIC whose brands name no specific format: any HEIF file's
        data = bytearray(Path(IMAGES / SAMPLES[HEIC]).read_bytes())
        size = int.from_bytes(data[:4], "big")
        data[8:size] = data[8:size].replace(b"heic", b"mif1")
        return bytes(data)
    return Path(IMAGES / SAMPLES[image_format]).read_bytes()


def test_every_format_has_a_sample() -> None:
    assert set(SAMPLES) | {HEIF} == set(FORMATS)


@pytest.mark.parametrize("image_format", FORMATS, ids=lambda image_format: image_format.name)
def test_the_signature_and_libvips_loader_name_the_same_format(image_format: ImageFormat) -> None:
    data = sample(image_format)
    assert sniff(data) is image_format
    # What sharp's libvips cannot read, only Pillow opens here.
    assert libvips.find_format(data) is (image_format if image_format.loader else None)


def test_the_contract_s_help_names_every_format() -> None:
    assert all(image_format.title in NotAnImage.help for image_format in FORMATS)


def test_the_search_language_s_aliases_are_the_formats_own() -> None:
    assert {alias: image_format.name for image_format in FORMATS for alias in image_format.aliases} == FORMAT_ALIASES


def test_an_image_s_mime_type_is_its_format_s_whatever_the_upload_claimed() -> None:
    assert [file_kind("a.bin", "text/plain", image_format.name).mime for image_format in FORMATS] == [
        image_format.mime for image_format in FORMATS]
