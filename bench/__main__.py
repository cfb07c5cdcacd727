"""`python -m bench` (`make bench`): run every benchmark, print the report and write docs/benchmarks.md."""
from __future__ import annotations

import os
import subprocess
import sys

# Both engines on one libvips thread, as the hosted engine is measured (sharp.concurrency(1)).
os.environ.setdefault("VIPS_CONCURRENCY", "1")

from .coldstart import heif_loading, measure_cold_start
from .embedded import embedded_section
from .cost import Cost
from .extraction import DJPEG_INSTALL_HINT, djpeg_path, measure_image, one_thread_decoders
from .ingest import measure_ingest
from .hosted import HostedEngine
from .inputs import CAMERA_12MP, HAS_CORPUS, HEIC, ROOT, extraction_images
from .lambdas import template_functions
from .machine import load_average, machine_facts
from .memory import measure_memory
from .memory_bound import bound_section, measure_bound
from .report import URL_MODULE, Results, markdown
from .robustness import robustness_section
from .similar_hook import listing_section, similar_section

REPORT = ROOT / "docs" / "benchmarks.md"
INGEST_MODULE = "handlers.ingest"


def progress(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def main() -> None:
    djpeg = djpeg_path()
    if not djpeg:
        progress(f"djpeg not found; the floor is not measured. Install it with: {DJPEG_INSTALL_HINT}")
    machine = machine_facts(djpeg)
    progress("generating inputs")
    images = extraction_images()
    hosted = HostedEngine() if HostedEngine.available() else None
    extraction = []
    with one_thread_decoders():
        for image in images:
            progress(f"extraction: {image.label} (ours, obvious{', hosted engine' if hosted else ''}: interleaved)")
            extraction.append(measure_image(image, hosted))
    if hosted is not None:
        hosted.close()
    progress("peak memory")
    memory = [measure_memory(image) for image in images]
    progress("memory bound: every test image and the extreme shapes, through the CLI")
    bound = bound_section(measure_bound())
    functions = template_functions()
    progress("cold start")
    cold_starts = [measure_cold_start(function) for function in functions]
    heif_loaded = heif_loading(functions, CAMERA_12MP, HEIC)
    progress("ingest throughput (local stack)")
    try:
        ingest = measure_ingest()
    except subprocess.CalledProcessError as error:
        ingest = f"`python -m bench.ingest` exited with {error.returncode} (its error is printed above)."
    memory_of = {function.module: function.memory_mb for function in functions}
    costs = [Cost(f"{r.image.label}, extraction", memory_of[INGEST_MODULE], r.ours.wall, 10) for r in extraction]
    camera = extraction[0]
    costs.insert(0, Cost("URL route, 12 MP camera JPEG (fetch excluded)", memory_of[URL_MODULE], camera.ours.wall, 1))
    if not isinstance(ingest, str):
        costs.insert(0, Cost("ingest, the measured batch (S3 read, extract, DynamoDB write)",
                             memory_of[INGEST_MODULE], ingest.per_message_s, ingest.messages))
    progress("robustness: the corpus and hostile inputs")
    robustness = robustness_section()
    progress("near-duplicate search")
    report = markdown(Results(machine, extraction, memory, cold_starts, heif_loaded, ingest, costs,
                              similar_section(), robustness, djpeg_missing=djpeg is None,
                              load_at_end=load_average(), bound=bound, has_corpus=HAS_CORPUS,
                              hosted_missing=hosted is None))
    progress("embeddedMetadata")
    report += "\n" + embedded_section()
    progress("listing a folder of 100,000 files")
    report += "\n" + listing_section()
    REPORT.write_text(report, encoding="utf-8")
    print(report)
    progress(f"written to {REPORT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
