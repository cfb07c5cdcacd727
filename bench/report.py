"""The run's results as Markdown: the table printed by `make bench` and docs/benchmarks.md."""
from __future__ import annotations

from dataclasses import dataclass

from .coldstart import IMPORT_MS_TARGET, IMPORTTIME_RUNS, URL_IMPORT_MS_TARGET, ColdStart
from .cost import FULL_VCPU_MB, PRICE_DATE, PRICE_PER_GB_SECOND, PRICE_PER_MILLION_REQUESTS, Cost
from .extraction import DJPEG_INSTALL_HINT, ExtractionResult
from .ingest import IngestResult
from .memory import MemoryResult

# The targets: reported, never failing the build.
SPEEDUP_TARGET = 4.0
FLOOR_TARGET = 1.3
PEAK_MB_TARGET = 150
# Rows that must beat the hosted engine and the obvious implementation; rows that must beat the obvious one.
HOSTED_ROWS = ("jpeg-12mp", "jpeg-progressive", "png-alpha", "webp", "gif", "avif", "avif-444")
OBVIOUS_ONLY_ROWS = ("heic",)  # sharp cannot read HEVC


@dataclass(frozen=True)
class Results:
    machine: list[tuple[str, str]]
    extraction: list[ExtractionResult]
    memory: list[MemoryResult]
    cold_starts: list[ColdStart]
    heif_loaded: dict[str, bool]
    ingest: IngestResult | str  # the reason when not measured
    costs: list[Cost]
    similar: str
    robustness: str
    djpeg_missing: bool
    load_at_end: str
    bound: str = ""
    has_corpus: bool = True
    hosted_missing: bool = False


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}" if seconds < 0.01 else f"{seconds * 1000:.0f}"


def verdict(met: bool, shortfall: str) -> str:
    return "met" if met else f"**missed** by {shortfall}"


def target_rows(results: Results) -> list[list[str]]:
    by_key = {r.image.key: r for r in results.extraction}
    rows = []
    camera = by_key["jpeg-12mp"]
    rows.append([f"12 MP JPEG ≥ {SPEEDUP_TARGET:g}x faster than the obvious implementation", f"{camera.speedup:.2f}x",
                 verdict(camera.speedup >= SPEEDUP_TARGET, f"{SPEEDUP_TARGET / camera.speedup:.2f}x "
                         f"({ms(camera.ours.wall)} ms, needs ≤ {ms(camera.obvious.wall / SPEEDUP_TARGET)} ms)")])
    floor, over_floor = camera.floor, camera.over_floor
    if floor is None or over_floor is None:
        rows.append([f"12 MP JPEG within {FLOOR_TARGET}x of djpeg -scale 1/8", "not measured",
                     f"djpeg missing: {DJPEG_INSTALL_HINT}"])
    else:
        rows.append([f"12 MP JPEG within {FLOOR_TARGET}x of djpeg -scale 1/8 (process time)",
                     f"{over_floor:.2f}x",
                     verdict(over_floor <= FLOOR_TARGET, f"{over_floor / FLOOR_TARGET:.2f}x "
                             f"({ms(camera.ours.cpu)} ms CPU, needs ≤ {ms(floor.cpu * FLOOR_TARGET)} ms)")])
    for r in results.extraction:
        hosted = r.hosted_timing
        if r.image.key in HOSTED_ROWS and hosted is not None:
            rows.append([f"{r.image.label}: faster than the hosted engine", f"{ms(r.ours.wall)} vs {ms(hosted.wall)} ms",
                         verdict(r.ours.wall < hosted.wall, f"{r.ours.wall / hosted.wall:.2f}x")])
        if r.image.key in HOSTED_ROWS or r.image.key in OBVIOUS_ONLY_ROWS:
            rows.append([f"{r.image.label}: faster than the obvious implementation",
                         f"{ms(r.ours.wall)} vs {ms(r.obvious.wall)} ms", verdict(r.speedup > 1, f"{1 / r.speedup:.2f}x")])
    huge = next(m for m in results.memory if m.image.key == "jpeg-100mp")
    rows.append([f"100 MP JPEG peak RSS < {PEAK_MB_TARGET} MB", f"{huge.ours.peak_mb:.0f} MB",
                 verdict(huge.ours.peak_mb < PEAK_MB_TARGET, f"{huge.ours.peak_mb - PEAK_MB_TARGET:.0f} MB")])
    for cold in results.cold_starts:
        rows.append([f"{cold.function.logical_id}: `from {cold.function.module} import handler` < {cold.target_ms} ms",
                     f"{cold.import_ms:.0f} ms",
                     verdict(cold.margin_ms > 0, f"{-cold.margin_ms:.0f} ms")])
    lazy = results.heif_loaded
    lazy_ok = not lazy["after_import"] and not lazy["after_jpeg"] and lazy["after_heic"]
    rows.append(["pillow-heif loaded only when a HEIC arrives",
                 f"after importing every handler: {yes(lazy['after_import'])}; after a JPEG: "
                 f"{yes(lazy['after_jpeg'])}; after a HEIC: {yes(lazy['after_heic'])}",
                 verdict(lazy_ok, "loading it too early")])
    return rows


def yes(flag: bool) -> str:
    return "loaded" if flag else "not loaded"


def extraction_table(results: Results) -> str:
    rows = []
    for r in results.extraction:
        floor = (f"{ms(r.floor.cpu)}" if r.floor else
                 ("not measured" if r.image.is_jpeg and results.djpeg_missing else "—"))
        timing = r.hosted_timing
        hosted = (f"{ms(timing.wall)}" if timing is not None else
                  (r.hosted if isinstance(r.hosted, str) else "not measured"))
        hosted_cpu = ms(timing.cpu) if timing is not None else "—"
        rows.append([
            r.image.label, f"{r.width}x{r.height}", f"{r.size_bytes / 1e6:.1f} MB",
            ms(r.ours.wall), ms(r.ours.cpu), hosted, hosted_cpu, ms(r.obvious.wall), ms(r.obvious.cpu),
            f"{r.speedup:.2f}x", floor, f"{r.over_floor:.2f}x" if r.over_floor else "—", str(r.ours.runs),
        ])
    return table(["image", "pixels", "file", "ours ms", "ours CPU ms", "hosted engine ms", "hosted CPU ms", "obvious ms",
                  "obvious CPU ms", "speed-up (obvious)", "djpeg 1/8 CPU ms", "ours CPU / djpeg", "runs"], rows)


def memory_table(results: Results) -> str:
    rows = [[m.image.label, f"{m.ours.peak_mb:.0f}", f"{m.ours.peak_mb - m.ours.baseline_mb:.0f}",
             f"{m.obvious.peak_mb:.0f}", f"{m.obvious.peak_mb - m.obvious.baseline_mb:.0f}"]
            for m in results.memory]
    return table(["image", "ours peak MB", "ours above baseline MB", "obvious peak MB", "obvious above baseline MB"],
                 rows)


def cold_start_section(cold_starts: list[ColdStart]) -> str:
    rows = [[c.function.logical_id, f"`{c.function.module}`", f"{c.function.memory_mb}", f"{c.import_ms:.0f}",
             f"{c.target_ms}", f"{c.margin_ms:+.0f}", f"{c.process_cpu_ms:.0f}",
             ", ".join(f"{name} {value:.0f}" for name, value in c.top)]
            for c in cold_starts]
    return f"""## Cold start

Lambda's init, as near as this machine gets: `from handlers.X import handler` (the imports, then the handler
built from the settings with its clients) by a clean interpreter (`python -I -S -B`: the standard library and
the artifact only, no bytecode written, as in Lambda's read-only /var/task) inside the function's own artifact,
built by `functions/Makefile` for this machine's interpreter, with the function's environment from
`template.yaml`; the median of {cold_starts[0].runs if cold_starts else 0} runs after one that warms the page cache.
**import + build ms** is that statement's wall time, against the issue's **target** (the URL route's caller
waits for its start: {URL_IMPORT_MS_TARGET} ms; the others {IMPORT_MS_TARGET} ms) with the **margin** left;
**interpreter + import CPU** is the whole process's user + system time, which other load on the machine inflates
less. **largest imports** are the outside packages the project's modules import directly, by cumulative import
time: the median of {IMPORTTIME_RUNS} runs of their own under `-X importtime`, which slows imports down and so
is kept out of the timed runs. Measured on this machine's CPU, not on Lambda's Graviton.
This section alone: `python -m bench cold-start`.

{table(["function", "handler", "memory MB", "import + build ms", "target ms", "margin ms",
        "interpreter + import CPU ms", "largest imports (cumulative ms)"], rows)}

Where an AWS-calling function's init goes (FilesFunction, stage by stage, this machine): importing botocore
160 to 230 ms (urllib3, http.client and email, and its own docs machinery, which its client module imports);
the project's modules 70 to 100 ms, mostly making their 68 dataclasses (1 to 1.4 ms each on CPython 3.11 and
3.12, which compile every generated method apart); making the S3 and DynamoDB clients 70 to 100 ms, half of it
parsing their JSON models; Powertools' event handler 40 to 50 ms. What was cut: the functions make botocore
clients, not boto3's (boto3 adds its session layer and s3transfer), and their artifacts keep the models of the
five services they call, not all 450 (botocore's loader lists every one the first time a client is made, twice:
about 60 ms). Whole process, the artifact before and after, paired runs:
`farm-bench -n 20 --vs OLD -- NEW` with each command `python -I -S -B -c "from handlers.files import handler"`
in its artifact: median 574 ms before, 550 ms after (ratio 0.91). Left: trimming the models' documentation
strings and endpoints.json to the five services would save about 25 ms more, but by rewriting botocore's data
files, a risk taken again at every botocore upgrade: not done."""


def ingest_section(ingest: IngestResult | str) -> str:
    if isinstance(ingest, str):
        return f"Not measured: {ingest}\n"
    rows = [[ingest.backend, str(ingest.messages), f"{ingest.total_mb:.1f} MB", ms(ingest.batch_s),
             ms(ingest.per_message_s), f"{ingest.images_per_second:.1f}", ms(ingest.extract_s),
             ms(ingest.first_batch_s), str(ingest.failures)]]
    return table(["against", "messages", "bytes", "batch ms (median)", "ms / message", "images / s",
                  "extract() alone ms", "first batch ms", "failed messages"], rows)


def cost_table(costs: list[Cost]) -> str:
    rows = [[c.workload, str(c.memory_mb), ms(c.seconds_per_image), f"{c.images_per_invocation}",
             f"${c.compute_usd:.2f}", f"${c.requests_usd:.2f}", f"**${c.total_usd:.2f}**"] for c in costs]
    return table(["workload", "memory MB", "ms / image", "images / invocation", "compute", "requests", "total"],
                 rows)


def markdown(results: Results) -> str:
    machine = table(["", ""], [[name, value] for name, value in results.machine]
                    + [["load average at end", results.load_at_end]])
    corpus_note = ("" if results.has_corpus else "**The corpus was missing**: the 12 MP and 3 MP photos are "
                   "generated from a test photo (`tests/data/images/phash-vectors/second.jpg`), same sizes, with grain; "
                   "the ingest batch needs the corpus.")
    djpeg_note = (f"\n`djpeg` is not installed, so the floor was not measured: `{DJPEG_INSTALL_HINT}`.\n"
                  if results.djpeg_missing else "")
    return f"""# Benchmarks

Written by `make bench` (`python -m bench`); do not edit by hand. Every number below comes from the
one run described here; rerun it to reproduce on your machine. A load average above the number of
cores means other processes competed for the CPU: wall times are then inflated, process (CPU)
times much less.

{machine}
## Targets

Reported, not enforced: a missed target does not fail the build.

{table(["target", "measured", "verdict"], target_rows(results))}
## Per-image extraction

The whole metadata object (probe, pHash, EXIF, quality), `extract(bytes)` in process, warm.
**hosted engine** is the hosted API's own: `sharp(buf).metadata()` + `sharp-phash` + node-exif on
the same bytes, `sharp.concurrency(1)`, in one node process (`scripts/bench_sharp.js`, npm versions
pinned in `scripts/package-lock.json`; "not measured" without node). **obvious** is what a
straightforward service does with the same bytes: `exifread.process_file`, Pillow's full decode,
`imagehash.phash`. All three run on one thread (libvips `VIPS_CONCURRENCY=1`, sharp's concurrency 1,
Pillow's AVIF and pillow-heif's decoders one thread) and in turns: one run of each per round, after a
warm-up round, 9 to 31 rounds (about 8 s a case), so other load on the machine falls on all three alike; each column is
the median of its runs, wall time and process (CPU) time. **speed-up** is
obvious / ours in wall time. **djpeg 1/8** is libjpeg-turbo's own scaled decode of the same file
(`djpeg -scale 1/8 -outfile /dev/null`), the least work any JPEG reader can do: its process time
(user + system of the child) against ours. The 24 MP and 100 MP JPEGs, the PNG and the WebP are
generated from corpus photos (upscaled with sensor-like grain, the camera's EXIF kept) into
`.local/bench-inputs/`; the others are the corpus's own files. {corpus_note}
{djpeg_note}
{extraction_table(results)}
## Peak memory

Per format and size: peak RSS (VmHWM) of a fresh interpreter that imports the implementation, reads
the file and extracts it once; **above baseline** subtracts the peak before decoding (interpreter,
imports and the file's bytes, which the Lambda holds too). These drive the functions' memory sizes.

{memory_table(results)}
{cold_start_section(results.cold_starts)}
## Ingest throughput

`handlers.ingest.handler` called in this process with one SQS event of 10 messages, each an S3
`ObjectCreated` record for an object uploaded to the bucket: it reads each object from S3,
extracts it and writes its DynamoDB record. The batch is 10 real phone and camera photos from the
corpus (3 to 16 MP, two of them HEIF). The median of 5 invocations after a first one (shown apart:
it pays the handler's one-time set-up, e.g. loading pillow-heif). **extract() alone** is one warm
pass of `extract` over the same bytes, without S3, DynamoDB or logging.

{ingest_section(results.ingest)}
## Cost of one million images on Lambda arm64

Compute is the modelled Lambda duration per image times the function's `MemorySize` from `template.yaml`,
at ${PRICE_PER_GB_SECOND} per GB-second; requests at ${PRICE_PER_MILLION_REQUESTS:.2f} per million invocations
(us-east-1, arm64: the published price as of {PRICE_DATE}, check the AWS Lambda pricing page). The duration
is the measured CPU time scaled by Lambda's CPU share (one vCPU at {FULL_VCPU_MB} MB, in proportion below),
plus the rest of the wall time; measured on this machine, not on Graviton. S3, DynamoDB, SQS and API Gateway
charges are not included here: the ingest's are in "Ingest cost per million 12 MP camera JPEGs" below. The
first row is the URL route; the others are extraction only, at IngestFunction's size, in batches of 10.

{cost_table(results.costs)}
{results.bound}
{results.robustness}
{results.similar}"""
