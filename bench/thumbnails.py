"""What a thumbnail adds to the ingest: its time per format (the extraction with and without it, in turns) and
its cost per million images (that time on IngestFunction, the S3 PUT, the PUT's own S3 event, its storage)."""
from __future__ import annotations

from dataclasses import dataclass
from unittest import mock

from imagemeta import extract_with_embedded, thumbnail
from imagemeta.thumbnail import Thumbnail, extract_with_thumbnail

from .cost import PRICE_DATE, PRICE_PER_GB_SECOND, PRICE_PER_MILLION_REQUESTS, lambda_seconds
from .extraction import one_thread_decoders
from .ingest_cost import BATCH, SQS_PER_MILLION_REQUESTS
from .inputs import BenchImage, extraction_images
from .lambdas import template_functions
from .timing import Timing, in_process, interleaved

FUNCTION = "IngestFunction"
MILLION = 1_000_000
# us-east-1, S3 Standard, the published prices as of PRICE_DATE (check the S3 pricing page).
S3_PUT_PER_1000 = 0.005
S3_STORAGE_PER_GB_MONTH = 0.023
# A thumbnail's PUT is an S3 event too, which the ingest skips: S3's SendMessage, and its share of the poller's
# receive and delete and of one invocation, per batch.
EVENT_SQS_REQUESTS = 1 + 2 / BATCH


@dataclass(frozen=True)
class ThumbnailCost:
    image: BenchImage
    without: Timing
    with_thumbnail: Timing
    webp_bytes: int
    size: tuple[int, int]
    reused: bool  # made from the pHash's decode (a JPEG), not a decode of its own

    @property
    def added_cpu_ms(self) -> float:
        return max(0.0, self.with_thumbnail.cpu - self.without.cpu) * 1000

    @property
    def added_wall_ms(self) -> float:
        return max(0.0, self.with_thumbnail.wall - self.without.wall) * 1000


def measure(image: BenchImage) -> ThumbnailCost:
    data = image.path.read_bytes()
    decodes = mock.Mock(wraps=thumbnail._decode)
    with mock.patch.object(thumbnail, "_decode", decodes):
        made = extract_with_thumbnail(data)[2]
    assert isinstance(made, Thumbnail), made
    timings = interleaved({"without": in_process(lambda: extract_with_embedded(data)),
                           "with": in_process(lambda: extract_with_thumbnail(data))})
    without, with_thumbnail = timings["without"], timings["with"]
    assert isinstance(without, Timing) and isinstance(with_thumbnail, Timing)
    return ThumbnailCost(image, without, with_thumbnail, len(made.webp), (made.width, made.height),
                         reused=not decodes.called)


def thumbnails_section() -> str:
    memory_mb = next(f.memory_mb for f in template_functions() if f.logical_id == FUNCTION)
    with one_thread_decoders():
        rows = [measure(image) for image in extraction_images()]
    lines = [
        "## Thumbnails: what each adds to the ingest",
        "",
        "`extract_with_embedded` (the ingest's extraction before thumbnails) against `extract_with_thumbnail` on the",
        "same bytes, in turns (one run of each per round, medians), one libvips thread: the thumbnail's added CPU",
        "and wall time, the WebP it gives, and whether it was made from the pixels the pHash decoded (a JPEG whose",
        "DCT-scaled decode has 200 pixels to give) or from a decode of its own. Its Lambda cost is that time on",
        f"{FUNCTION} ({memory_mb} MB, the CPU scaled by Lambda's share of a vCPU), per million images, at the",
        f"prices of {PRICE_DATE} (us-east-1, arm64).",
        "",
        "| image | extraction ms (CPU) | + thumbnail ms CPU (wall) | thumbnail | WebP bytes | from | Lambda $ per million |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        seconds = lambda_seconds(row.added_cpu_ms / 1000, row.added_wall_ms / 1000, memory_mb)
        dollars = MILLION * seconds * memory_mb / 1024 * PRICE_PER_GB_SECOND
        lines.append(f"| {row.image.label} | {row.without.cpu * 1000:.0f} | {row.added_cpu_ms:.1f} "
                     f"({row.added_wall_ms:.1f}) | {row.size[0]} x {row.size[1]} | {row.webp_bytes:,} | "
                     f"{'the pHash decode' if row.reused else 'its own decode'} | {dollars:.2f} |")
    camera = rows[0]
    seconds = lambda_seconds(camera.added_cpu_ms / 1000, camera.added_wall_ms / 1000, memory_mb)
    compute = MILLION * seconds * memory_mb / 1024 * PRICE_PER_GB_SECOND
    put = MILLION / 1000 * S3_PUT_PER_1000
    event = EVENT_SQS_REQUESTS * SQS_PER_MILLION_REQUESTS + PRICE_PER_MILLION_REQUESTS / BATCH
    storage = camera.webp_bytes * MILLION / 1e9 * S3_STORAGE_PER_GB_MONTH
    lines += [
        "",
        f"Added to the ingest of a million {camera.image.label}s:",
        "",
        "| charge | arithmetic, per image | per million images |",
        "|---|---|---|",
        f"| Lambda compute | {memory_mb / 1024:g} GB x {seconds * 1000:.1f} ms x ${PRICE_PER_GB_SECOND:g} | ${compute:.2f} |",
        f"| S3 PUT of the thumbnail | 1 x ${S3_PUT_PER_1000}/1000 | ${put:.2f} |",
        f"| the PUT's S3 event, skipped by the ingest | {EVENT_SQS_REQUESTS:g} SQS requests x ${SQS_PER_MILLION_REQUESTS}/M "
        f"+ 1/{BATCH} invocation | ${event:.2f} |",
        f"| **once per image** | | **${compute + put + event:.2f}** |",
        f"| S3 storage, every month | {camera.webp_bytes:,} bytes x ${S3_STORAGE_PER_GB_MONTH}/GB-month | "
        f"${storage:.2f} a month |",
        "",
        "An upload through the API makes the thumbnail in the request instead (UploadFunction, one full vCPU: the CPU",
        "time above), and the ingest none. Deleting or replacing the file deletes its thumbnail: an S3 DELETE is free,",
        "its event costs as the PUT's. Why a PUT, and what else was weighed: docs/deploy.md, \"Delivery costs\".",
        "",
    ]
    return "\n".join(lines)
