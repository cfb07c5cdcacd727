"""AVIF's pixels from dav1d: byte for byte what sharp's libheif decodes (or its grey), three times sooner.

libvips' wheel (like sharp's) decodes AV1 with libaom; the libavif that Pillow's wheel ships decodes it with
dav1d, about four times faster. AV1 decoding is exact, so both give the same Y, Cb and Cr samples; what can
differ is the conversion to RGB, and that is libheif's to reproduce. Each RGB pixel is a function of its Y and
its chroma sample's Cb and Cr, nearest-neighbour (libheif's upsampling when it converts to interleaved RGB):

- 8-bit 4:2:0 at full range: the integer path (Op_YCbCr420_to_RGB24/32), each 2x2 block's chroma giving
  offsets `(lround(256 k) * C' + 128) >> 8` that are added to its luma samples and clipped;
- 8-bit 4:4:4, 4:2:2, or 4:2:0 at limited range: the float path (Op_YCbCr_to_RGB<uint8>), IEEE single
  precision, `(long)(Y' + k * C' + 0.5f)` clipped, with libheif's scaling of limited range.

The grey of such a pixel (libvips' sRGB to B_W, `sample.to_grey`) is then a function of (Y, Cb, Cr) alone: a
16 MB table per path and matrix, built once by libvips itself, turns the planes into the grey image in one
lookup. With an ICC profile the grey comes after the profile's transform, so the integer path's RGB is built
instead, from the same offsets (the float path's is left to libvips).

Everything else goes back to libvips: other depths, monochrome, a clean aperture, a grid or any primary item
that is not one AV1 picture, premultiplied alpha, a matrix libheif converts another way, or anything libavif
refuses. The bytes are checked against libvips' own decode for every case taken (tests/unit/test_avif.py).
"""
from __future__ import annotations

import math
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyvips

from . import libvips
from .formats.heif import primary_item_type
from .formats.walking import Budget, WalkStopped
from .sample import to_grey

if TYPE_CHECKING:
    import numpy as np

# The leading fields of libavif 1.x's avifDecoder and avifImage (its ABI is stable within the major version);
# only pointers to them are used, libavif allocates both.
_DECLARATIONS = """
typedef struct avifImage {
    uint32_t width, height, depth;
    int yuvFormat, yuvRange, yuvChromaSamplePosition;
    uint8_t * yuvPlanes[3];
    uint32_t yuvRowBytes[3];
    int imageOwnsYUVPlanes;
    uint8_t * alphaPlane;
    uint32_t alphaRowBytes;
    int imageOwnsAlphaPlane, alphaPremultiplied;
    uint8_t * iccData;
    size_t iccSize;
    uint16_t colorPrimaries, transferCharacteristics, matrixCoefficients, maxCLL, maxPALL;
    uint32_t transformFlags;
    uint32_t pasp[2];
    uint32_t clap[8];
    uint8_t irotAngle, imirAxis;
} avifImage;
typedef struct avifDecoder {
    int codecChoice, maxThreads, requestedSource, allowProgressive, allowIncremental, ignoreExif, ignoreXMP;
    uint32_t imageSizeLimit, imageDimensionLimit, imageCountLimit, strictFlags;
    avifImage * image;
} avifDecoder;
avifDecoder * avifDecoderCreate(void);
void avifDecoderDestroy(avifDecoder * decoder);
int avifDecoderSetSource(avifDecoder * decoder, int source);
int avifDecoderSetIOMemory(avifDecoder * decoder, const uint8_t * data, size_t size);
int avifDecoderParse(avifDecoder * decoder);
int avifDecoderNextImage(avifDecoder * decoder);
"""
LIBAVIF_SONAME = 16  # libavif 1.x, whose struct prefixes are declared above
_SOURCE_PRIMARY_ITEM = 1
_FULL_RANGE = 1
_TRANSFORM_CLAP, _TRANSFORM_IROT, _TRANSFORM_IMIR = 2, 4, 8
# avifPixelFormat -> the luma rows and columns one chroma sample covers (4:0:0 has none: libvips decodes it).
_BLOCKS = {1: (1, 1), 2: (1, 2), 3: (2, 2)}
_YUV420 = 3
# libheif's Kr and Kb by matrix_coefficients (nclx.cc get_Kr_Kb). 2 (unspecified) takes its defaults,
# BT.601's coefficients; the matrices it converts another way (identity, YCgCo, constant luminance) are not here.
_KR_KB = {1: (0.2126, 0.0722), 4: (0.30, 0.11), 5: (0.299, 0.114), 6: (0.299, 0.114), 7: (0.212, 0.087),
          9: (0.2627, 0.0593)}
_DEFAULT_COEFFICIENTS = (1.402, -0.344136, -0.714136, 1.772)
MATRICES = frozenset(_KR_KB) | {2}
# libheif's limited-range scaling (Op_YCbCr_to_RGB): luma from 16, and both factors, in single precision.
_LIMITED_OFFSET, _LIMITED_LUMA, _LIMITED_CHROMA = 16.0, 1.1689, 1.1429
# Rows of chroma samples down a strip looked up at once: its index array stays in the CPU's cache, and a turned
# strip is written across the plane in short runs that fill each cache line before it leaves.
_STRIP_SAMPLES = 8
# Offsets stay within this of zero (the largest, BT.2020's b_cb, 482/256 x 128, is 241).
_OFFSET_BIAS = 256
# The grey table: one byte per (Cb, Cr, Y), built in slices of this many Cb values; one per path and matrix met,
# two kept.
_TABLE_CB_SLICE = 16
TABLE_BYTES = 1 << 24
# What the first AVIF adds to a process beside its pixels: a table, and numpy's import (11 MB RSS measured).
FIXED_BYTES = TABLE_BYTES + (12 << 20)


@dataclass(frozen=True)
class _Conversion:
    """libheif's conversion of one picture: the integer or the float path, its matrix, its range."""

    integer: bool
    matrix: int
    full_range: bool

    @classmethod
    def of(cls, image: Any) -> _Conversion:
        integer = image.yuvFormat == _YUV420 and image.yuvRange == _FULL_RANGE
        return cls(integer, image.matrixCoefficients, image.yuvRange == _FULL_RANGE)


@cache
def _libavif() -> Any:
    """Pillow's own libavif (its wheel's .libs folder), through cffi; None when this Pillow has none."""
    import cffi
    import PIL

    libs = Path(PIL.__file__).parent.parent / "pillow.libs"
    found = sorted(libs.glob(f"libavif*.so.{LIBAVIF_SONAME}*"))  # another ABI: libvips decodes
    if not found:
        return None
    ffi = cffi.FFI()
    ffi.cdef(_DECLARATIONS)
    return ffi, ffi.dlopen(str(found[0]))


def pixels(data: bytes | bytearray | memoryview, header: pyvips.Image) -> pyvips.Image | None:
    """The picture as libvips loads it (transforms applied): grey, or RGB tagged with its ICC profile when it
    has one; None when libvips must decode it."""
    if not _one_av1_picture(data):
        return None
    library = _libavif()
    if library is None:
        return None
    ffi, lib = library
    decoder = lib.avifDecoderCreate()
    if decoder == ffi.NULL:
        return None
    try:
        decoder.maxThreads = 1
        decoder.strictFlags = 0  # as lenient as libheif: what libvips opened, libavif should decode
        decoder.ignoreExif = decoder.ignoreXMP = 1
        # No larger picture than the one the budget approved from libvips' header.
        decoder.imageSizeLimit = max(1, header.width * header.height)
        decoder.imageDimensionLimit = max(header.width, header.height)
        if (lib.avifDecoderSetSource(decoder, _SOURCE_PRIMARY_ITEM)
                or lib.avifDecoderSetIOMemory(decoder, ffi.from_buffer(data), len(data))
                or lib.avifDecoderParse(decoder) or lib.avifDecoderNextImage(decoder)):
            return None
        image = decoder.image
        profile = libvips.profile(header)
        if (image.width, image.height) != _untransformed_size(header, image) or not _reproduced(image, profile):
            return None
        return libvips.with_profile(_rgb(ffi, image) if profile else _grey(ffi, image), profile)
    finally:
        lib.avifDecoderDestroy(decoder)


def _one_av1_picture(data: bytes | bytearray | memoryview) -> bool:
    """Whether the primary item is one AV1 picture (not a grid, an overlay or a tone-mapped derivation)."""
    try:
        return primary_item_type(memoryview(data).cast("B"), Budget()) == b"av01"
    except (WalkStopped, struct.error, IndexError):
        return False


def _untransformed_size(header: pyvips.Image, image: Any) -> tuple[int, int]:
    """libvips' width and height before the rotation libheif applied (so a mismatch means another picture)."""
    return (header.height, header.width) if _turns(image) % 2 else (header.width, header.height)


def _turns(image: Any) -> int:
    """irot's anticlockwise quarter turns, 0 without one."""
    return image.irotAngle % 4 if image.transformFlags & _TRANSFORM_IROT else 0


def _reproduced(image: Any, profile: bytes | None) -> bool:
    """Whether libheif's conversion of this picture, and its transforms, are reproduced here.

    libheif rotates and mirrors the Y, Cb and Cr planes before converting; when a side is not whole chroma
    samples, a turned chroma plane no longer lines up with the luma it had, and a quarter turn makes 4:2:2's
    samples tall instead of wide, so such pictures are left to libvips.
    """
    if image.depth != 8 or image.yuvFormat not in _BLOCKS or image.matrixCoefficients not in MATRICES:
        return False
    block_rows, block_columns = _BLOCKS[image.yuvFormat]
    transformed = image.transformFlags & (_TRANSFORM_IROT | _TRANSFORM_IMIR)
    return (not image.transformFlags & _TRANSFORM_CLAP
            and not (transformed and (image.height % block_rows or image.width % block_columns))
            and not (_turns(image) % 2 and block_rows != block_columns)
            and not (image.alphaPlane and image.alphaPremultiplied)
            and (not profile or _Conversion.of(image).integer))


def _plane(ffi: Any, pointer: Any, row_bytes: int, width: int, height: int) -> np.ndarray:
    """A plane of libavif's memory as a (height, width) view; valid until the decoder is destroyed."""
    import numpy as np

    return np.frombuffer(ffi.buffer(pointer, row_bytes * height), np.uint8).reshape(height, row_bytes)[:, :width]


def _padded_size(image: Any) -> tuple[int, int]:
    """Height and width in whole chroma samples: an odd side's extra row or column is cut off at the end."""
    block_rows, block_columns = _BLOCKS[image.yuvFormat]
    return -(-image.height // block_rows) * block_rows, -(-image.width // block_columns) * block_columns


def _strips(ffi: Any, image: Any) -> Iterator[tuple[slice, np.ndarray, np.ndarray, np.ndarray]]:
    """The picture in strips of whole chroma samples: (its rows, luma as (samples down, rows per sample,
    width), Cb and Cr)."""
    import numpy as np

    block_rows, block_columns = _BLOCKS[image.yuvFormat]
    height, width = _padded_size(image)
    chroma_height, chroma_width = height // block_rows, width // block_columns
    luma = _plane(ffi, image.yuvPlanes[0], image.yuvRowBytes[0], image.width, image.height)
    cb = _plane(ffi, image.yuvPlanes[1], image.yuvRowBytes[1], chroma_width, chroma_height)
    cr = _plane(ffi, image.yuvPlanes[2], image.yuvRowBytes[2], chroma_width, chroma_height)
    if (height, width) != luma.shape:  # the last column and row repeat, then are cut off
        luma = np.pad(luma, ((0, height - image.height), (0, width - image.width)), mode="edge")
    for top in range(0, chroma_height, _STRIP_SAMPLES):
        samples = slice(top, top + _STRIP_SAMPLES)
        rows = slice(top * block_rows, min(top + _STRIP_SAMPLES, chroma_height) * block_rows)
        yield rows, luma[rows].reshape(-1, block_rows, width), cb[samples], cr[samples]


def _lookup(table: np.ndarray, by_sample: np.ndarray, luma: np.ndarray, out: np.ndarray) -> None:
    """out = table[by_sample + Y], each chroma sample's value added to the luma samples it covers.

    Native-width indices (numpy's take is fastest with them); `clip` skips a bounds check they never need.
    """
    import numpy as np

    across = by_sample if by_sample.shape[1] == luma.shape[2] else np.repeat(by_sample, 2, axis=1)
    index = across[:, None, :] + luma
    np.take(table, index, out=out.reshape(index.shape), mode="clip")


def _grey(ffi: Any, image: Any) -> pyvips.Image:
    """The grey image (with alpha when the picture has it), turned and mirrored as libheif does."""
    import numpy as np

    table = _grey_table(_Conversion.of(image))
    grey, decoded = _oriented(image)
    strip = np.empty((_STRIP_SAMPLES * 2, decoded.shape[1]), np.uint8)
    for rows, luma, cb, cr in _strips(ffi, image):
        out = strip[: rows.stop - rows.start]
        _lookup(table, (cb.astype(np.intp) << 16) | (cr.astype(np.intp) << 8), luma, out)
        decoded[rows] = out
    return _with_alpha(ffi, image, _vips(grey, image).copy(interpretation="b-w"))


def _rgb(ffi: Any, image: Any) -> pyvips.Image:
    """libheif's RGB by its integer path (with alpha when the picture has it), turned and mirrored likewise."""
    import numpy as np

    red, green, blue = _offsets(_coefficients(image.matrixCoefficients))
    clipped = np.clip(np.arange(-_OFFSET_BIAS, 256 + _OFFSET_BIAS), 0, 255).astype(np.uint8)  # at Y + offset + bias
    planes = [_oriented(image) for _ in "RGB"]
    strip = np.empty((_STRIP_SAMPLES * 2, planes[0][1].shape[1]), np.uint8)
    for rows, luma, cb, cr in _strips(ffi, image):
        out = strip[: rows.stop - rows.start]
        for (_, decoded), offset in zip(planes, (red[cr], green[cb, cr], blue[cb]), strict=True):
            _lookup(clipped, offset.astype(np.intp) + _OFFSET_BIAS, luma, out)
            decoded[rows] = out
    rgb = _vips(planes[0][0], image).bandjoin([_vips(plane, image) for plane, _ in planes[1:]])
    return _with_alpha(ffi, image, rgb.copy(interpretation="srgb"))


def _oriented(image: Any) -> tuple[np.ndarray, np.ndarray]:
    """A plane as libvips shows the picture (libheif's irot, then imir, as MIAF orders them), and a view of it
    in the decoded orientation, to write the decoded rows into."""
    import numpy as np

    height, width = _padded_size(image)  # a turned picture's sides are whole samples already (`_reproduced`)
    turns = _turns(image)
    shown = np.empty((width, height) if turns % 2 else (height, width), np.uint8)
    mirrored = np.flip(shown, 0 if image.imirAxis == 0 else 1) if image.transformFlags & _TRANSFORM_IMIR else shown
    return shown, np.rot90(mirrored, -turns)


def _with_alpha(ffi: Any, image: Any, colour: pyvips.Image) -> pyvips.Image:
    """The picture's alpha, turned and mirrored likewise, joined (copied: libavif's planes go with the decoder)."""
    if not image.alphaPlane:
        return colour
    alpha, decoded = _oriented(image)
    decoded[: image.height, : image.width] = _plane(ffi, image.alphaPlane, image.alphaRowBytes, image.width,
                                                    image.height)
    return colour.bandjoin(_vips(alpha, image))


def _vips(plane: np.ndarray, image: Any) -> pyvips.Image:
    """One band as libvips shows the picture (padding to whole samples cut off); libvips keeps the array alive."""
    import numpy as np

    height, width = (image.width, image.height) if _turns(image) % 2 else (image.height, image.width)
    packed = np.ascontiguousarray(plane[:height, :width])
    return pyvips.Image.new_from_memory(packed.data, width, height, 1, "uchar")


def _float_coefficients(matrix: int) -> tuple[np.float32, np.float32, np.float32, np.float32]:
    """libheif's r_cr, g_cb, g_cr, b_cb (get_YCbCr_to_RGB_coefficients), in single precision as it computes them."""
    import numpy as np

    if matrix not in _KR_KB:
        r_cr, g_cb, g_cr, b_cb = (np.float32(value) for value in _DEFAULT_COEFFICIENTS)
        return r_cr, g_cb, g_cr, b_cb
    kr, kb = (np.float32(k) for k in _KR_KB[matrix])
    one, two = np.float32(1), np.float32(2)
    return (two * (-kr + one), two * kb * (-kb + one) / (kb + kr - one), two * kr * (-kr + one) / (kb + kr - one),
            two * (-kb + one))


def _coefficients(matrix: int) -> tuple[int, int, int, int]:
    """The integer path's coefficients, in 256ths: C's lround of 256 times the float ones."""
    import numpy as np

    r_cr, g_cb, g_cr, b_cb = (_lround(float(np.float32(256) * value)) for value in _float_coefficients(matrix))
    return r_cr, g_cb, g_cr, b_cb


def _lround(value: float) -> int:
    """C's lround: halves away from zero (Python's round() takes them to even)."""
    return int(math.copysign(math.floor(abs(value) + 0.5), value))


def _offsets(coefficients: tuple[int, int, int, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The integer path's offsets added to Y: red by Cr, green by (Cb, Cr), blue by Cb."""
    import numpy as np

    r_cr, g_cb, g_cr, b_cb = coefficients
    chroma = np.arange(256, dtype=np.int32) - 128
    return ((r_cr * chroma + 128) >> 8, (g_cb * chroma[:, None] + g_cr * chroma[None, :] + 128) >> 8,
            (b_cb * chroma + 128) >> 8)


def _rgb_of_triples(conversion: _Conversion, cbs: slice) -> np.ndarray:
    """libheif's RGB of every (Cb, Cr, Y) with Cb in `cbs`, as a (Cb, Cr, Y, band) array."""
    import numpy as np

    rgb = np.empty((cbs.stop - cbs.start, 256, 256, 3), np.uint8)
    unclipped = _integer_sums(conversion, cbs) if conversion.integer else _float_sums(conversion, cbs)
    for band, value in enumerate(unclipped):
        rgb[..., band] = np.clip(value, 0, 255)
    return rgb


def _integer_sums(conversion: _Conversion, cbs: slice) -> tuple[np.ndarray, ...]:
    """Y + each offset, by (Cb, Cr, Y), before the clip."""
    import numpy as np

    red, green, blue = _offsets(_coefficients(conversion.matrix))
    luma = np.arange(256, dtype=np.int32)
    return luma + red[None, :, None], luma + green[cbs, :, None], luma + blue[cbs, None, None]


def _float_sums(conversion: _Conversion, cbs: slice) -> tuple[np.ndarray, ...]:
    """(long)(Y' + k C' + 0.5f) by (Cb, Cr, Y), before the clip: each operation rounded to single precision,
    in the C expression's order (a compiler that fuses the multiply-adds, as on arm64, may differ by one level
    on a few triples in a million)."""
    import numpy as np

    r_cr, g_cb, g_cr, b_cb = _float_coefficients(conversion.matrix)
    luma = np.arange(256, dtype=np.float32)
    cb = (np.arange(cbs.start, cbs.stop, dtype=np.float32) - 128)[:, None, None]
    cr = (np.arange(256, dtype=np.float32) - 128)[None, :, None]
    if not conversion.full_range:
        luma = (luma - np.float32(_LIMITED_OFFSET)) * np.float32(_LIMITED_LUMA)
        cb, cr = cb * np.float32(_LIMITED_CHROMA), cr * np.float32(_LIMITED_CHROMA)
    half = np.float32(0.5)
    return (np.trunc(luma + r_cr * cr + half), np.trunc(luma + g_cb * cb + g_cr * cr + half),
            np.trunc(luma + b_cb * cb + half))


@lru_cache(maxsize=2)
def _grey_table(conversion: _Conversion) -> np.ndarray:
    """grey[(Cb << 16) | (Cr << 8) | Y]: libvips' grey of libheif's RGB for every 8-bit sample triple."""
    import numpy as np

    table = np.empty(TABLE_BYTES, np.uint8)
    for cb in range(0, 256, _TABLE_CB_SLICE):
        rgb = _rgb_of_triples(conversion, slice(cb, cb + _TABLE_CB_SLICE))
        slab = pyvips.Image.new_from_memory(rgb.data, 256, _TABLE_CB_SLICE * 256, 3, "uchar")
        grey = to_grey(slab.copy(interpretation="srgb")).write_to_memory()
        table[cb << 16 : (cb + _TABLE_CB_SLICE) << 16] = np.frombuffer(grey, np.uint8)
    return table
