"""The record each format module fills: what the core knows about one image format, as data and pure functions.

Nothing here imports an imaging library: the media library's domain reads the registry (a format's mime) and
embeddedMetadata the walk, and neither may load Pillow, pyvips or numpy (tests/unit/test_purity.py). A format
names the decode paths that serve it (`Decoder`); probe.py runs them, from the modules that decode.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from .walking import Block, Budget, Walk

# A format's container walk: the metadata blocks of the file in `view`, each unit counted against `budget`,
# what it leaves out noted in the walk's `skipped`.
BlockFinder = Callable[[memoryview, "Budget", "Walk"], Iterator["Block"]]
_EXIF_BLOB = "exif-data"


@dataclass(frozen=True)
class HeaderFacts:
    """What libvips' header-only open (with sharp's options) says of an image, as the formats' parts read it."""

    width: int
    height: int
    bands: int
    sample_bytes: int  # of one band of one pixel
    has_alpha: bool
    field: Callable[[str, object], object]  # a named header field, or the default given when libvips set none


@dataclass(frozen=True)
class DecoderCost:
    """What a format's decoder holds and spends beside the pipeline's streamed lines (budget.py adds those)."""

    frame_bytes: int = 0  # held whatever the scale: coefficients, a canvas, a strip, a whole picture
    loaded_pixel_bytes: int = 0  # per pixel of the image as loaded (after shrink-on-load): a scaled frame
    pixel_seconds: float = 0.0  # per pixel of the image as stored


@dataclass(frozen=True)
class LoadShrink:
    """sharp's shrink-on-load: what the decoder divides each side by, and the loader options asking for it."""

    factor: float = 1.0
    options: Mapping[str, float] = field(default_factory=dict)


class Decoder(Enum):
    """A decode path tried before libvips' own; each gives libvips' pixels or hands the image back (probe.py)."""

    PILLOW_JPEG = "Pillow's libjpeg-turbo at a DCT scale (pillow_jpeg.py)"
    PALETTE = "a palette's grey through the indices Pillow decodes (palette.py)"
    PILLOW_HEIF = "pillow-heif's libheif, for HEVC, which libvips' wheel cannot decode (hevc.py)"
    DAV1D = "dav1d through Pillow's libavif, libheif's conversion reproduced (avif.py)"


def no_blocks(view: memoryview, budget: Budget, found: Walk) -> Iterator[Block]:
    """A format whose container holds no metadata block the core reads."""
    return iter(())


def no_shrink(shrink: float) -> LoadShrink:
    """A decoder that decodes every pixel, whatever the sample's shrink."""
    return LoadShrink()


def no_decoder_cost(facts: HeaderFacts, data: bytes) -> DecoderCost:
    """A decoder that holds nothing beside the pipeline's lines."""
    return DecoderCost()


def libvips_exif(data: bytes, found: Walk, facts: HeaderFacts) -> tuple[int, bytes]:
    """No quality (the hosted API's 0); the EXIF block libvips read, as sharp hands it to node-exif."""
    return 0, cast(bytes, facts.field(_EXIF_BLOB, b""))


@dataclass(frozen=True)
class ImageFormat:
    """One image format: its names, its signature, how libvips or Pillow reads it, its walk and its costs."""

    name: str  # the metadata object's `format`
    title: str  # how people, and the contract's help text, name it
    mime: str
    # Whether the file's first bytes (HEAD_SIZE) bear its signature; a string: they bear its family's, but name no
    # format read here (Pillow's plugins answer so too), so no other signature is tried.
    accepts: Callable[[bytes], bool | str]
    aliases: tuple[str, ...] = ()  # other names for it, as file extensions spell them
    loader: str | None = None  # the libvips loader that reads it, as sharp does; None: only Pillow reads it here
    paged: bool = False  # the loader reads pages: sharp asks for the first (n=1, page=0)
    pillow_name: str = ""  # Pillow's plugin, where Pillow decodes it here
    blocks: BlockFinder = no_blocks
    frames_are_units: bool = False  # its frames are walked (image data, not metadata): WalkLimits.max_gif_units
    shrink_on_load: Callable[[float], LoadShrink] = no_shrink  # from the shrink to sharp's 32x32 sample
    decoding_cost: Callable[[HeaderFacts, bytes], DecoderCost] = no_decoder_cost
    decoders: tuple[Decoder, ...] = ()  # tried in order; libvips decodes what they hand back
    # The metadata object's `quality` and node-exif's EXIF block.
    quality_and_exif: Callable[[bytes, Walk, HeaderFacts], tuple[int, bytes]] = libvips_exif
    # ExifTool's reading of its metadata (docs/embedded-metadata.md): IFD1's tags rank below the others' (JPEG),
    # and where IPTC is standard (IPTC.pm IsStandardIPTC; None: the first block, wherever it stands).
    ifd1_low_priority: bool = False
    standard_iptc_place: str | None = None
