"""The import rule between the rooms, checked on the source; and what the core and each function load."""
from __future__ import annotations

import ast
import json
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import imagemeta
import library

from ..paths import IMAGES, ROOT

FORBIDDEN = ("boto3", "botocore", "aws_lambda_powertools")
IMAGING_AND_HTTP = {"numpy", "PIL", "pillow_heif", "urllib3"}
# Which rooms each room may import (its own included): data flows event -> handler -> domain -> storage.
ALLOWED_IMPORTS = {
    "imagemeta": {"imagemeta"},
    # The media library's domain: pure, like the core, which it may use (a format's kind, pHash text).
    "library": {"imagemeta", "library"},
    "service": {"service"},
    "service.storage": {"imagemeta", "library", "service.storage"},
    "service.ingest": {"imagemeta", "library", "service.storage", "service.ingest"},
    "service.api": {"imagemeta", "library", "service.storage", "service.api"},
    # The folder jobs worker: like the ingest, a caller of storage that no route calls.
    "service.jobs": {"imagemeta", "library", "service.storage", "service.jobs"},
    "service.auth": {"imagemeta", "service.auth"},
    "handlers": {"imagemeta", "library", "service.storage", "service.ingest", "service.api", "service.auth",
                 "service.jobs", "handlers"},
    # The operator's tools run outside Lambda and reach the local stack through its stack.json only.
    "ops": {"imagemeta", "library", "service.storage", "service.ingest", "service.auth", "ops"},
}
PROJECT_PACKAGES = {"imagemeta", "library", "service", "handlers", "ops", "infra", "bench", "tests"}


def module_files() -> dict[str, Path]:
    """Every module of the shipped packages (functions/) and of ops/, by dotted name."""
    roots = [(ROOT / "functions", name) for name in ("imagemeta", "library", "service", "handlers")] + [(ROOT, "ops")]
    modules = {}
    for base, package in roots:
        for path in sorted((base / package).rglob("*.py")):
            parts = path.relative_to(base).with_suffix("").parts
            modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return modules


def room(module: str) -> str:
    """The room a module lives in: a top-level package, or one of service/'s rooms."""
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "service" and len(parts) > 1 else parts[0]


def project_imports(module: str, path: Path, known: set[str]) -> set[str]:
    """The project modules a module imports anywhere in its body (lazy imports in functions included)."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([node.module] if node.module else []))
            # `from package import module` imports that module; `from module import name`, the module.
            found |= {f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names}
    return {name for name in found if name.split(".")[0] in PROJECT_PACKAGES}


def test_each_room_imports_only_the_rooms_below_it() -> None:
    modules = module_files()
    imports = {module: project_imports(module, path, set(modules)) for module, path in modules.items()}
    # The resolution sees real edges: relative, absolute and `from package import module` forms.
    assert "service.storage.records" in imports["service.api.files_routes"]
    assert "handlers.clients" in imports["handlers.files"]
    assert "service.auth.keys" in imports["ops.keys"] and "ops.stack" in imports["ops.keys"]
    refused = sorted(
        (module, target)
        for module, targets in imports.items()
        for target in targets
        if room(target) not in ALLOWED_IMPORTS[room(module)] | {room(module)}
    )
    assert refused == []


def modules_after(code: str, environment: dict[str, str] | None = None, whole: bool = False) -> set[str]:
    """The top-level modules (every module, with `whole`) a fresh interpreter has loaded after running code."""
    names = "sys.modules" if whole else "{m.split('.')[0] for m in sys.modules}"
    script = code + f"\nimport sys, json; print(json.dumps(sorted({names})))"
    env = {**os.environ, "AWS_DEFAULT_REGION": "us-east-1", **(environment or {})}
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, env=env).stdout
    return set(json.loads(out.splitlines()[-1]))


def test_no_module_of_the_core_or_the_library_domain_imports_aws_code() -> None:
    names = [m.name for package in (imagemeta, library)
             for m in pkgutil.walk_packages(package.__path__, f"{package.__name__}.")]
    assert "imagemeta.fetch.http" in names and "imagemeta.cli" in names and "library.query" in names
    loaded = modules_after("\n".join(f"import {name}" for name in names))
    assert not loaded & set(FORBIDDEN)


def test_pillow_heif_loads_only_for_a_heif_file() -> None:
    jpeg = IMAGES / "exif-samples/jpg/Canon_40D.jpg"
    heic = IMAGES / "exif-samples/heic/IMG_5195.HEIC"
    assert "pillow_heif" not in modules_after(f"import imagemeta; imagemeta.extract({str(jpeg)!r})")
    assert "pillow_heif" in modules_after(f"import imagemeta; imagemeta.extract({str(heic)!r})")


def test_reading_any_functions_settings_loads_no_imaging_or_http_library() -> None:
    # The authorizer and the backfill read their settings here and will ship without these libraries.
    environment = {"BUCKET_NAME": "b", "TABLE_NAME": "t", "INGEST_QUEUE_URL": "https://q", "KEYS_TABLE_NAME": "k",
                   "JOBS_QUEUE_URL": "https://j"}
    loaded = modules_after(
        "import os\nfrom handlers import settings\nfrom imagemeta.settings import CliSettings\n"
        "for kind in (settings.AuthorizerSettings, settings.BackfillSettings, settings.FilesSettings,\n"
        "             settings.IngestSettings, settings.MetadataUrlSettings, CliSettings,\n"
        "             settings.UploadSettings, settings.DeleteSettings, settings.OrganizeSettings,\n"
        "             settings.FolderJobsSettings):\n"
        "    kind.from_env(os.environ)",
        environment,
    )
    assert "imagemeta" in loaded
    assert not loaded & IMAGING_AND_HTTP


def test_the_not_supported_handler_loads_neither_the_aws_sdk_nor_the_image_stack() -> None:
    loaded = modules_after("from handlers.not_supported import handler")
    # Not botocore either, but Powertools imports that when it is installed (its user agent), as here; the
    # function's artifact ships none (tests/unit/test_artifacts.py).
    assert "aws_lambda_powertools" in loaded and not loaded & {"boto3", "numpy", "PIL", "pyvips", "cffi"}


def test_the_remote_url_handler_does_not_load_the_aws_sdk() -> None:
    loaded = modules_after("from handlers.metadata_url import handler")
    assert "aws_lambda_powertools" in loaded and "urllib3" in loaded
    assert "boto3" not in loaded  # and no botocore in its artifact (see the test above)


def test_the_record_functions_do_not_load_the_image_stack() -> None:
    # They only read and write records: Pillow and libvips (pyvips loading it through cffi) would add
    # ~100 ms to every cold start for nothing.
    environment = {"BUCKET_NAME": "b", "TABLE_NAME": "t", "INGEST_QUEUE_URL": "https://q", "KEYS_TABLE_NAME": "k",
                   "JOBS_QUEUE_URL": "https://j"}
    for function in ("files", "file_delete", "authorizer", "backfill", "edit", "organize", "folder_jobs"):
        loaded = modules_after(f"from handlers.{function} import handler", environment, whole=True)
        # botocore's clients, without boto3's session layer and s3transfer (handlers/clients.py).
        assert "botocore" in loaded and "boto3" not in loaded, function
        assert not loaded & {"numpy", "PIL", "pyvips", "cffi"}, function
        # Nor the format registry: what a File object needs of a file's kind is in its record.
        assert "imagemeta.formats" not in loaded, function


def test_the_upload_function_loads_the_image_stack_only_for_an_upload() -> None:
    # Its cold start serves upload URLs too; the extraction loads numpy and Pillow on the first upload.
    environment = {"BUCKET_NAME": "b", "TABLE_NAME": "t", "KEYS_TABLE_NAME": "k"}
    loaded = modules_after("from handlers.upload import handler", environment)
    assert "botocore" in loaded and not loaded & {"boto3", "numpy", "PIL"}


def test_only_an_avif_loads_numpy() -> None:
    # numpy's import costs a cold start about 150 ms: avif.py's grey lookup is its only user.
    for name, expected in (("formats/png-rgba.png", False), ("formats/webp-lossy.webp", False), ("formats/avif.avif", True)):
        loaded = modules_after(f"import imagemeta; imagemeta.extract({str(IMAGES / name)!r})")
        assert "pyvips" in loaded and ("numpy" in loaded) == expected, name


def test_the_format_registry_loads_no_imaging_library() -> None:
    # The media library's domain reads it (a format's mime type) in functions that must not load them.
    assert not modules_after("import imagemeta.formats") & {"numpy", "PIL", "pyvips", "cffi", "pillow_heif"}


def test_embedded_metadata_needs_neither_numpy_nor_pillow_for_a_jpeg() -> None:
    jpeg = IMAGES / "metadata/iptc-reference.jpg"
    loaded = modules_after(f"import imagemeta; imagemeta.embedded_metadata({str(jpeg)!r})")
    assert not loaded & {"numpy", "PIL"}


def test_the_core_s_exported_functions_stay_functions_whatever_was_imported_first() -> None:
    # A submodule named like an exported function replaces it on the package once anything imports it.
    names = [m.name for m in pkgutil.walk_packages(imagemeta.__path__, "imagemeta.")]
    code = "\n".join(f"import {name}" for name in names) + (
        "\nimport inspect, imagemeta"
        f"\nassert all(inspect.isfunction(getattr(imagemeta, n)) for n in {sorted(imagemeta._LAZY)!r})"
    )
    subprocess.run([sys.executable, "-c", code], check=True,
                   env={**os.environ, "AWS_DEFAULT_REGION": "us-east-1"})
