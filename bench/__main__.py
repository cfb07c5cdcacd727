"""`python -m bench` (`make bench`): run every benchmark, print the report and write docs/benchmarks.md.

`python -m bench SECTION...` runs only those sections (see SECTIONS) and replaces them in docs/benchmarks.md.
"""
from __future__ import annotations

import os
import subprocess
import sys

# Both engines on one libvips thread, as the hosted engine is measured (sharp.concurrency(1)).
os.environ.setdefault("VIPS_CONCURRENCY", "1")

from .artifacts import artifacts_section, measure_artifacts
from .coldstart import heif_loading, measure_cold_start
from .cost import Cost, lambda_seconds
from .embedded import embedded_section
from .extraction import DJPEG_INSTALL_HINT, djpeg_path, measure_image, one_thread_decoders
from .hosted import HostedEngine
from .hostile import hostile_section
from .ingest import IngestResult, measure_ingest
from .ingest_cost import ingest_cost_section, measure_ingest_cost
from .inputs import CAMERA_12MP, HAS_CORPUS, HEIC, ROOT, extraction_images
from .lambdas import template_functions
from .machine import load_average, machine_facts
from .memory import measure_memory
from .memory_bound import bound_section, measure_bound
from .report import Results, cold_start_section, markdown
from .robustness import robustness_section
from .similar_hook import listing_section, similar_section
from .thumbnails import thumbnails_section

REPORT = ROOT / "docs" / "benchmarks.md"
INGEST_FUNCTION = "IngestFunction"
URL_FUNCTION = "MetadataUrlFunction"


def ingest_cost() -> str:
    try:
        return ingest_cost_section(measure_ingest_cost())
    except subprocess.CalledProcessError as error:
        return ingest_cost_section(f"`{' '.join(map(str, error.cmd))}` exited with {error.returncode} (its error is above).")


# The sections that can be run alone, each producing its own "## " section of the report.
SECTIONS = {
    "artifacts": lambda: artifacts_section(measure_artifacts()),
    "ingest-cost": ingest_cost,
    "listing": listing_section,  # a folder of 100,000 files
    "hostile": hostile_section,  # issue 23's classes, each refused naming its bound
    "cold-start": lambda: cold_start_section([measure_cold_start(function) for function in template_functions()]),
    "similar": similar_section,  # 100,000 files, both SimilarIndex modes
    "thumbnails": thumbnails_section,  # what a thumbnail adds to the ingest, per format
}
# Sections the full report holds in their own place (the cold starts feed its targets too) rather than at its end.
IN_REPORT = {"cold-start", "similar"}


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
    ingest: IngestResult | str
    try:
        ingest = measure_ingest()
    except subprocess.CalledProcessError as error:
        ingest = f"`python -m bench.ingest` exited with {error.returncode} (its error is printed above)."
    memory_of = {function.logical_id: function.memory_mb for function in functions}
    ingest_mb, url_mb = memory_of[INGEST_FUNCTION], memory_of[URL_FUNCTION]
    costs = [Cost(f"{r.image.label}, extraction", ingest_mb, lambda_seconds(r.ours.cpu, r.ours.wall, ingest_mb), 10)
             for r in extraction]
    camera = extraction[0]
    costs.insert(0, Cost("URL route, 12 MP camera JPEG (fetch excluded)", url_mb,
                         lambda_seconds(camera.ours.cpu, camera.ours.wall, url_mb), 1))
    sections = {}
    for name, run in SECTIONS.items():
        if name not in IN_REPORT:
            progress(name)
            sections[name] = run()
    progress("robustness: the corpus and hostile inputs")
    robustness = robustness_section()
    progress("near-duplicate search")
    report = markdown(Results(machine, extraction, memory, cold_starts, heif_loaded, ingest, costs,
                              similar_section(), robustness, djpeg_missing=djpeg is None,
                              load_at_end=load_average(), bound=bound, has_corpus=HAS_CORPUS,
                              hosted_missing=hosted is None))
    progress("embeddedMetadata")
    report += "\n" + embedded_section() + "".join("\n" + section for section in sections.values())
    REPORT.write_text(report, encoding="utf-8")
    print(report)
    progress(f"written to {REPORT.relative_to(ROOT)}")


def replace_section(report: str, section: str) -> str:
    """The report with its section of the same "## " heading replaced by `section` (appended when absent)."""
    heading = section.splitlines()[0] + "\n"
    if heading not in report:
        return report.rstrip("\n") + "\n\n" + section
    before, after = report.split(heading, 1)
    rest = after[after.index("\n## "):] if "\n## " in after else ""
    return before + section + rest


def main_sections(names: list[str]) -> None:
    unknown = sorted(set(names) - set(SECTIONS))
    if unknown:
        sys.exit(f"unknown section {', '.join(unknown)}; the sections: {', '.join(SECTIONS)}")
    report = REPORT.read_text(encoding="utf-8")
    for name in names:
        progress(name)
        section = SECTIONS[name]()
        print(section)
        report = replace_section(report, section)
    REPORT.write_text(report, encoding="utf-8")
    progress(f"{', '.join(names)} replaced in {REPORT.relative_to(ROOT)}")


if __name__ == "__main__":
    if sys.argv[1:]:
        main_sections(sys.argv[1:])
    else:
        main()
