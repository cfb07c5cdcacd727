"""The benchmark's images: real ones from the team's corpus ($CORPUS), large ones generated here (never committed)."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
# The larger corpus of camera and phone files: an input of `make bench` only (`make bench CORPUS=...`);
# the tests read their own copies in tests/data/images.
CORPUS = Path(os.environ.get("CORPUS") or ROOT.parent / "shared" / "corpus").resolve()
TEST_IMAGES = ROOT / "tests" / "data" / "images"
# Regenerated when missing; `make clean` removes .local/ and with it these.
GENERATED = ROOT / ".local" / "bench-inputs"

CORPUS_CAMERA_12MP = CORPUS / "exif-samples" / "jpg" / "tests" / "42_IndexError.jpg"  # Olympus E-P3, 4032x3024
CORPUS_PHOTO_3MP = CORPUS / "exif-samples" / "jpg" / "hdr" / "canon_hdr_NO.jpg"  # Canon, 2048x1536
# Without the corpus, stand-ins are generated from a test photo (the camera's EXIF kept): same sizes.
HAS_CORPUS = CORPUS_CAMERA_12MP.is_file() and CORPUS_PHOTO_3MP.is_file()
TEST_PHOTO = TEST_IMAGES / "phash-vectors" / "second.jpg"  # 2430x3038 JPEG
PROGRESSIVE = TEST_IMAGES / "phash-vectors" / "first.jpg"  # 2624x3936, progressive
HEIC = TEST_IMAGES / "exif-samples" / "heic" / "IMG_5195.HEIC"  # iPhone, 2566x3313

CAMERA_12MP = CORPUS_CAMERA_12MP if HAS_CORPUS else GENERATED / "camera-12mp.jpg"
PHOTO_3MP = CORPUS_PHOTO_3MP if HAS_CORPUS else GENERATED / "photo-3mp.jpg"

# Sensor-like grain so that upscaled photos keep a camera's entropy (a smooth upscale decodes unrealistically fast).
GRAIN_TILE = 512
GRAIN_LEVEL = 6
SEED = 20261125


@dataclass(frozen=True)
class BenchImage:
    """One input: a short key, what it is, and its file."""

    key: str
    label: str
    path: Path

    @property
    def is_jpeg(self) -> bool:
        return self.path.suffix.lower() in {".jpg", ".jpeg"}


def _with_grain(image: Image.Image) -> Image.Image:
    rng = np.random.default_rng(SEED)
    tile = rng.integers(-GRAIN_LEVEL, GRAIN_LEVEL + 1, (GRAIN_TILE, GRAIN_TILE, 1), dtype=np.int16)
    pixels = np.asarray(image, dtype=np.int16)
    reps = (-(-pixels.shape[0] // GRAIN_TILE), -(-pixels.shape[1] // GRAIN_TILE), 1)
    grain = np.tile(tile, reps)[: pixels.shape[0], : pixels.shape[1]]
    return Image.fromarray(np.clip(pixels + grain, 0, 255).astype(np.uint8))


def _resized_photo(path: Path, size: tuple[int, int], source_path: Path) -> None:
    """A stand-in for a corpus photo: a test photo resized with grain, with a test camera's EXIF."""
    with Image.open(source_path) as source, Image.open(TEST_IMAGES / "exif-samples" / "jpg" / "Canon_40D.jpg") as camera:
        _with_grain(source.convert("RGB").resize(size, Image.Resampling.BILINEAR)).save(
            path, "JPEG", quality=90, exif=camera.info.get("exif", b""))


def _upscaled_camera_jpeg(path: Path, size: tuple[int, int]) -> None:
    """The 12 MP camera photo upscaled with grain, saved with the camera's EXIF as a camera would."""
    with Image.open(CAMERA_12MP) as source:
        exif = source.info.get("exif", b"")
        large = _with_grain(source.convert("RGB").resize(size, Image.Resampling.BILINEAR))
    large.save(path, "JPEG", quality=90, exif=exif)


def _png_with_alpha(path: Path) -> None:
    """A cut-out: the 3 MP photo with an elliptical alpha mask fading to transparent."""
    with Image.open(PHOTO_3MP) as source:
        rgb = source.convert("RGB")
    height, width = rgb.height, rgb.width
    y, x = np.ogrid[:height, :width]
    distance = ((x - width / 2) / (width / 2)) ** 2 + ((y - height / 2) / (height / 2)) ** 2
    alpha = np.clip((1.0 - distance) * 400, 0, 255).astype(np.uint8)
    rgba = rgb.copy()
    rgba.putalpha(Image.fromarray(alpha))
    rgba.save(path, "PNG")


def _webp(path: Path) -> None:
    with Image.open(PHOTO_3MP) as source:
        source.convert("RGB").save(path, "WEBP", quality=80, exif=source.info.get("exif", b""))


def _gif(path: Path) -> None:
    with Image.open(PHOTO_3MP) as source:
        source.convert("RGB").convert("P", palette=Image.Palette.ADAPTIVE).save(path, "GIF")


def _avif(path: Path, subsampling: str = "4:2:0") -> None:
    with Image.open(PHOTO_3MP) as source:
        source.convert("RGB").save(path, "AVIF", quality=70, subsampling=subsampling, exif=source.info.get("exif", b""))


GENERATORS = {
    "camera-12mp.jpg": lambda path: _resized_photo(path, (4032, 3024), TEST_PHOTO),
    "photo-3mp.jpg": lambda path: _resized_photo(path, (2048, 1536), TEST_PHOTO),
    "photo-3mp.gif": _gif,
    "photo-3mp.avif": _avif,
    # sharp's and avifenc's default: libheif converts it by its float path.
    "photo-3mp-444.avif": lambda path: _avif(path, "4:4:4"),
    "jpeg-24mp.jpg": lambda path: _upscaled_camera_jpeg(path, (6000, 4000)),
    # 12240 x 8160 = 99.9 MP: the largest 3:2 frame within the default 100 MP pixel limit.
    "jpeg-100mp.jpg": lambda path: _upscaled_camera_jpeg(path, (12240, 8160)),
    "alpha-3mp.png": _png_with_alpha,
    "photo-3mp.webp": _webp,
}


def generated(name: str) -> Path:
    """The generated file `name`, made on first use."""
    path = GENERATED / name
    if not path.exists():
        GENERATED.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{name}.partial")
        GENERATORS[name](partial)
        partial.replace(path)
    return path


def extraction_images() -> list[BenchImage]:
    """The images of the per-image table, in the order the issue lists them."""
    camera = "12 MP camera JPEG (Olympus E-P3)" if HAS_CORPUS else "12 MP JPEG (generated: corpus missing)"
    if not HAS_CORPUS:
        generated("photo-3mp.jpg")
        generated("camera-12mp.jpg")
    return [
        BenchImage("jpeg-12mp", camera, CAMERA_12MP),
        BenchImage("jpeg-24mp", "24 MP JPEG (generated)", generated("jpeg-24mp.jpg")),
        BenchImage("jpeg-progressive", "progressive JPEG, 10 MP", PROGRESSIVE),
        BenchImage("png-alpha", "PNG with alpha, 3 MP (generated)", generated("alpha-3mp.png")),
        BenchImage("webp", "WebP, 3 MP (generated)", generated("photo-3mp.webp")),
        BenchImage("gif", "GIF, 3 MP (generated)", generated("photo-3mp.gif")),
        BenchImage("avif", "AVIF, 3 MP (generated)", generated("photo-3mp.avif")),
        BenchImage("avif-444", "AVIF 4:4:4, 3 MP (generated)", generated("photo-3mp-444.avif")),
        BenchImage("heic", "HEIC, 8.5 MP (iPhone)", HEIC),
        BenchImage("jpeg-100mp", "100 MP JPEG (generated)", generated("jpeg-100mp.jpg")),
    ]


def ingest_batch() -> list[Path]:
    """Ten real phone and camera photos of the corpus (3 to 16 MP, two HEIF): one batch of messages."""
    jpg = CORPUS / "exif-samples" / "jpg"
    return [
        CAMERA_12MP,
        jpg / "hdr" / "iphone_hdr_YES.jpg",
        jpg / "hdr" / "canon_hdr_NO.jpg",
        jpg / "mobile" / "HMD_Nokia_8.3_5G.jpg",
        jpg / "tests" / "28-hex_value.jpg",
        jpg / "tests" / "35-empty.jpg",
        PROGRESSIVE,
        TEST_IMAGES / "phash-vectors" / "second.jpg",
        HEIC,
        CORPUS / "exif-samples" / "heic" / "mobile" / "HMD_Nokia_8.3_5G.heif",
    ]
