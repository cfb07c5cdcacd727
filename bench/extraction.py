"""Per-image extraction: ours against the obvious implementation and the hosted engine (runs interleaved), and against djpeg's scaled decode."""
from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pillow_heif
from PIL import AvifImagePlugin

from imagemeta import extract

from .hosted import HostedEngine
from .inputs import BenchImage
from .obvious import obvious_metadata
from .timing import Runner, Timing, in_process, interleaved, time_command

DJPEG_INSTALL_HINT = "apt-get install -y libjpeg-turbo-progs"


@dataclass(frozen=True)
class ExtractionResult:
    image: BenchImage
    size_bytes: int
    width: int
    height: int
    ours: Timing
    obvious: Timing
    floor: Timing | None  # djpeg -scale 1/8; None for non-JPEGs or without djpeg
    hosted: Timing | str | None = None  # sharp + sharp-phash + node-exif; why not, or None without node

    @property
    def speedup(self) -> float:
        """How many times faster than the obvious implementation (wall medians)."""
        return self.obvious.wall / self.ours.wall

    @property
    def hosted_timing(self) -> Timing | None:
        """The hosted engine's timing; None when it was not measured."""
        return self.hosted if isinstance(self.hosted, Timing) else None

    @property
    def over_floor(self) -> float | None:
        """Our process time over djpeg's, or None when the floor was not measured."""
        return self.ours.cpu / self.floor.cpu if self.floor else None


@contextmanager
def one_thread_decoders() -> Iterator[None]:
    """Pillow's AVIF and pillow-heif's decoders on one thread while the engines are compared (both use them)."""
    avif_threads, heif_threads = AvifImagePlugin.DEFAULT_MAX_THREADS, pillow_heif.options.DECODE_THREADS
    AvifImagePlugin.DEFAULT_MAX_THREADS = pillow_heif.options.DECODE_THREADS = 1
    try:
        yield
    finally:
        AvifImagePlugin.DEFAULT_MAX_THREADS, pillow_heif.options.DECODE_THREADS = avif_threads, heif_threads


def djpeg_path() -> str | None:
    return shutil.which("djpeg")


def measure_image(image: BenchImage, hosted: HostedEngine | None = None) -> ExtractionResult:
    """Ours, the obvious implementation and the hosted engine on one file, their runs interleaved."""
    data = image.path.read_bytes()
    metadata = extract(data)
    djpeg = djpeg_path()
    floor = None
    if image.is_jpeg and djpeg:
        floor = time_command([djpeg, "-scale", "1/8", "-outfile", "/dev/null", str(image.path)])
    runners: dict[str, Runner] = {"ours": in_process(lambda: extract(data)),
                                  "obvious": in_process(lambda: obvious_metadata(data))}
    if hosted is not None:
        runners["hosted"] = lambda: hosted.run(image.path)
    timings = interleaved(runners)
    ours, obvious = timings["ours"], timings["obvious"]
    assert isinstance(ours, Timing) and isinstance(obvious, Timing), "in-process runners always run"
    return ExtractionResult(
        image=image,
        size_bytes=len(data),
        width=metadata["width"],
        height=metadata["height"],
        ours=ours,
        obvious=obvious,
        floor=floor,
        hosted=timings.get("hosted"),
    )
