"""AVIF's pixels from dav1d: byte for byte what sharp's libheif decodes (or its grey), three times sooner.

libvips' wheel (like sharp's) decodes AV1 with libaom; the libavif that Pillow's wheel ships decodes it with
dav1d, about four times faster. AV1 decoding is exact, so both give the same Y, Cb and Cr samples; what can
differ is the conversion to RGB, and that is libheif's to reproduce. For the common kind of AVIF, 8-bit 4:2:0
at full range, libheif (Op_YCbCr420_to_RGB24/32) gives each 2x2 block the offsets of its chroma sample:
R = clip(Y + ((r_cr * Cr' + 128) >> 8)), and likewise G and B, the coefficients in 256ths rounded. The grey
of such a pixel (libvips' sRGB to B_W, `sample.to_grey`) is then a function of (Y, Cb, Cr) alone: one 16 MB
table per matrix, built once by libvips itself, turns the planes into the grey image in one lookup. With an
ICC profile the grey comes after the profile's transform, so the RGB is built instead, by the same offsets.

Everything else goes back to libvips: another depth, subsampling or range, a clean aperture, a grid or any
primary item that is not one AV1 picture, premultiplied alpha, a matrix libheif converts another way, or
anything libavif refuses. The bytes are checked against libvips' own decode for every case it takes
(tests/unit/test_avif.py).
"""
from __future__ import annotations

import math
import struct
from collections.abc import Iterator
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyvips

from . import libvips
from .containers.base import Budget, WalkStopped
from .containers.bmff import primary_item_type
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
_YUV420 = 3
_FULL_RANGE = 1
_TRANSFORM_CLAP, _TRANSFORM_IROT, _TRANSFORM_IMIR = 2, 4, 8
# libheif's Kr and Kb by matrix_coefficients (nclx.cc get_Kr_Kb); the matrices its integer 4:2:0 path converts
# with them. 2 (unspecified) takes its defaults, BT.601's coefficients.
_KR_KB = {1: (0.2126, 0.0722), 4: (0.30, 0.11), 5: (0.299, 0.114), 6: (0.299, 0.114), 7: (0.212, 0.087),
          9: (0.2627, 0.0593)}
_DEFAULT_COEFFICIENTS = (1.402, -0.344136, -0.714136, 1.772)
MATRICES = frozenset(_KR_KB) | {2}
# 2x2 blocks down a strip looked up at once: its index array stays in the CPU's cache, and a turned strip is
# written across the plane in short runs that fill each cache line before it leaves.
_STRIP_BLOCKS = 8
# Offsets stay within this of zero (the largest, BT.709's b_cb 475/256 x 128, is 237).
_OFFSET_BIAS = 256
# The grey table: one byte per (Cb, Cr, Y), built in slices of this many Cb values; one per matrix met, two kept.
_TABLE_CB_SLICE = 16
TABLE_BYTES = 1 << 24


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
        if (image.width, image.height) != _untransformed_size(header, image) or not _converted_by_offsets(image):
            return None
        profile = libvips.profile(header)
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
    turned = image.transformFlags & _TRANSFORM_IROT and image.irotAngle % 2
    return (header.height, header.width) if turned else (header.width, header.height)


def _converted_by_offsets(image: Any) -> bool:
    """Whether libheif converts this picture by its integer 4:2:0 path, and its transforms are reproduced here.

    libheif rotates and mirrors the Y, Cb and Cr planes before converting; with an odd side, a turned chroma
    plane no longer lines up with the luma blocks it had, so such a picture is left to libvips.
    """
    transformed = image.transformFlags & (_TRANSFORM_IROT | _TRANSFORM_IMIR)
    return (image.depth == 8 and image.yuvFormat == _YUV420 and image.yuvRange == _FULL_RANGE
            and image.matrixCoefficients in MATRICES and not image.transformFlags & _TRANSFORM_CLAP
            and not (transformed and (image.width % 2 or image.height % 2))
            and not (image.alphaPlane and image.alphaPremultiplied))


def _plane(ffi: Any, pointer: Any, row_bytes: int, width: int, height: int) -> np.ndarray:
    """A plane of libavif's memory as a (height, width) view; valid until the decoder is destroyed."""
    import numpy as np

    return np.frombuffer(ffi.buffer(pointer, row_bytes * height), np.uint8).reshape(height, row_bytes)[:, :width]


def _strips(ffi: Any, image: Any) -> Iterator[tuple[slice, np.ndarray, np.ndarray, np.ndarray]]:
    """The picture in strips of whole 2x2 blocks: (its rows, luma as (blocks, 2, width), Cb and Cr by block)."""
    import numpy as np

    width, height = image.width, image.height
    half_width, half_height = (width + 1) // 2, (height + 1) // 2
    luma = _plane(ffi, image.yuvPlanes[0], image.yuvRowBytes[0], width, height)
    cb = _plane(ffi, image.yuvPlanes[1], image.yuvRowBytes[1], half_width, half_height)
    cr = _plane(ffi, image.yuvPlanes[2], image.yuvRowBytes[2], half_width, half_height)
    if width % 2 or height % 2:  # whole blocks: the last column and row repeat, then are cut off
        luma = np.pad(luma, ((0, height % 2), (0, width % 2)), mode="edge")
    for top in range(0, half_height, _STRIP_BLOCKS):
        rows = slice(2 * top, 2 * min(top + _STRIP_BLOCKS, half_height))
        blocks = slice(top, top + _STRIP_BLOCKS)
        yield rows, luma[rows].reshape(-1, 2, 2 * half_width), cb[blocks], cr[blocks]


def _lookup(table: np.ndarray, by_block: np.ndarray, luma: np.ndarray, out: np.ndarray) -> None:
    """out = table[by_block + Y], each block's value added to its four luma samples.

    Native-width indices (numpy's take is fastest with them); `clip` skips a bounds check they never need.
    """
    import numpy as np

    index = np.repeat(by_block, 2, axis=1)[:, None, :] + luma
    np.take(table, index, out=out.reshape(index.shape), mode="clip")


def _grey(ffi: Any, image: Any) -> pyvips.Image:
    """The grey image (with alpha when the picture has it), turned and mirrored as libheif does."""
    import numpy as np

    table = _grey_table(_coefficients(image.matrixCoefficients))
    grey, decoded = _oriented(image)
    strip = np.empty((2 * _STRIP_BLOCKS, decoded.shape[1]), np.uint8)
    for rows, luma, cb, cr in _strips(ffi, image):
        by_block = (cb.astype(np.intp) << 16) | (cr.astype(np.intp) << 8)
        _lookup(table, by_block, luma, strip[: rows.stop - rows.start])
        decoded[rows] = strip[: rows.stop - rows.start]
    return _with_alpha(ffi, image, _vips(grey, image).copy(interpretation="b-w"))


def _rgb(ffi: Any, image: Any) -> pyvips.Image:
    """libheif's RGB (with alpha when the picture has it), turned and mirrored as libheif does."""
    import numpy as np

    red, green, blue = _offsets(_coefficients(image.matrixCoefficients))
    clipped = np.clip(np.arange(-_OFFSET_BIAS, 256 + _OFFSET_BIAS), 0, 255).astype(np.uint8)  # at Y + offset + bias
    planes = [_oriented(image) for _ in "RGB"]
    strip = np.empty((2 * _STRIP_BLOCKS, planes[0][1].shape[1]), np.uint8)
    for rows, luma, cb, cr in _strips(ffi, image):
        for (_, decoded), offset in zip(planes, (red[cr], green[cb, cr], blue[cb]), strict=True):
            _lookup(clipped, offset.astype(np.intp) + _OFFSET_BIAS, luma, strip[: rows.stop - rows.start])
            decoded[rows] = strip[: rows.stop - rows.start]
    rgb = _vips(planes[0][0], image).bandjoin([_vips(plane, image) for plane, _ in planes[1:]])
    return _with_alpha(ffi, image, rgb.copy(interpretation="srgb"))


def _oriented(image: Any) -> tuple[np.ndarray, np.ndarray]:
    """A plane as libvips shows the picture (libheif's irot, then imir, as MIAF orders them), and a view of it
    in the decoded orientation, to write the decoded rows into. Whole 2x2 blocks: an odd side's extra row or
    column is cut off later (a picture with one is never turned, `_converted_by_offsets`)."""
    import numpy as np

    height, width = image.height + image.height % 2, image.width + image.width % 2
    turns = image.irotAngle % 4 if image.transformFlags & _TRANSFORM_IROT else 0
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
    """One band as libvips shows the picture (whole-block padding cut off); libvips keeps the array alive."""
    import numpy as np

    height, width = plane.shape[0] - image.height % 2, plane.shape[1] - image.width % 2
    packed = np.ascontiguousarray(plane[:height, :width])
    return pyvips.Image.new_from_memory(packed.data, width, height, 1, "uchar")


def _coefficients(matrix: int) -> tuple[int, int, int, int]:
    """libheif's r_cr, g_cb, g_cr, b_cb in 256ths: its float arithmetic, then C's lround."""
    import numpy as np

    if matrix not in _KR_KB:
        values = [np.float32(value) for value in _DEFAULT_COEFFICIENTS]
    else:
        kr, kb = (np.float32(k) for k in _KR_KB[matrix])
        one, two = np.float32(1), np.float32(2)
        values = [two * (-kr + one), two * kb * (-kb + one) / (kb + kr - one), two * kr * (-kr + one) / (kb + kr - one),
                  two * (-kb + one)]
    r_cr, g_cb, g_cr, b_cb = (_lround(float(np.float32(256) * value)) for value in values)
    return r_cr, g_cb, g_cr, b_cb


def _lround(value: float) -> int:
    """C's lround: halves away from zero (Python's round() takes them to even)."""
    return int(math.copysign(math.floor(abs(value) + 0.5), value))


def _offsets(coefficients: tuple[int, int, int, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """libheif's offsets added to Y: red by Cr, green by (Cb, Cr), blue by Cb."""
    import numpy as np

    r_cr, g_cb, g_cr, b_cb = coefficients
    chroma = np.arange(256, dtype=np.int32) - 128
    return ((r_cr * chroma + 128) >> 8, (g_cb * chroma[:, None] + g_cr * chroma[None, :] + 128) >> 8,
            (b_cb * chroma + 128) >> 8)


@lru_cache(maxsize=2)
def _grey_table(coefficients: tuple[int, int, int, int]) -> np.ndarray:
    """grey[(Cb << 16) | (Cr << 8) | Y]: libvips' grey of libheif's RGB for every 8-bit sample triple."""
    import numpy as np

    red, green, blue = _offsets(coefficients)
    luma = np.arange(256, dtype=np.int32)
    table = np.empty(TABLE_BYTES, np.uint8)
    for cb in range(0, 256, _TABLE_CB_SLICE):
        cbs = slice(cb, cb + _TABLE_CB_SLICE)
        rgb = np.empty((_TABLE_CB_SLICE, 256, 256, 3), np.uint8)  # Cb, Cr, Y, band
        rgb[..., 0] = np.clip(luma[None, None, :] + red[None, :, None], 0, 255)
        rgb[..., 1] = np.clip(luma[None, None, :] + green[cbs, :, None], 0, 255)
        rgb[..., 2] = np.clip(luma[None, None, :] + blue[cbs, None, None], 0, 255)
        slab = pyvips.Image.new_from_memory(rgb.data, 256, _TABLE_CB_SLICE * 256, 3, "uchar")
        slab = slab.copy(interpretation="srgb")
        table[cb << 16 : (cb + _TABLE_CB_SLICE) << 16] = np.frombuffer(to_grey(slab).write_to_memory(), np.uint8)
    return table
