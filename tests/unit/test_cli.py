"""The `imagemeta` command: one JSON line per argument, exit status 0, 1 or 2 (a bad setting), never a traceback."""
from __future__ import annotations

import functools
import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

import imagemeta.cli
from imagemeta.cli import main

from ..paths import IMAGES


@pytest.fixture
def image_dir(tmp_path: Path) -> Path:
    Image.new("RGBA", (30, 20), (255, 0, 0, 128)).save(tmp_path / "red.png")
    (tmp_path / "page.html").write_text("<html><body>not an image</body></html>")
    return tmp_path


@pytest.fixture
def base_url(image_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A loopback file server for `image_dir`, with the local stack's loopback allowance on."""
    handler = functools.partial(QuietHandler, directory=str(image_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    monkeypatch.setenv("ALLOW_LOOPBACK_URLS", "true")
    monkeypatch.setenv("FETCH_ALLOWED_PORTS", str(server.server_address[1]))
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files without logging each request to stderr."""

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's signature
        pass


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[dict], str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, [json.loads(line) for line in out.splitlines()], err


def test_paths_and_urls_print_one_line_each_in_order(
    image_dir: Path, base_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, lines, err = run(capsys, str(image_dir / "red.png"), f"{base_url}/red.png")
    assert status == 0 and err == ""
    for line in lines:
        assert (line["width"], line["height"], line["format"], line["hasTransparency"]) == (30, 20, "png", True)
        assert line["size"] == (image_dir / "red.png").stat().st_size
    assert lines[0] == lines[1]


def test_any_rejected_argument_prints_its_error_body_and_exits_1(
    image_dir: Path, base_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, lines, err = run(
        capsys,
        str(image_dir / "missing.png"),
        "ftp://example.com/a.jpg",
        base_url.replace("127.0.0.1", "169.254.169.254") + "/red.png",
        f"{base_url}/page.html",
        f"{base_url}/absent.png",
        str(image_dir / "red.png"),
    )
    assert status == 1 and err == ""
    assert [line.get("message") for line in lines[:5]] == [
        "The requested file does not exist or is inaccessible at this time.",
        "The url parameter must be an http or https URL.",
        "The URL is not allowed: its host is or resolves to an address that is not public (loopback, private,"
        " link-local, reserved or the metadata service).",
        "The requested file is corrupt or invalid.",
        "The remote server answered with HTTP status 404.",
    ]
    assert all(set(line) == {"message", "help"} for line in lines[:5])
    assert lines[5]["format"] == "png"


@pytest.mark.parametrize("similar", [False, True])
def test_an_invalid_setting_stops_the_command_before_any_argument(
    image_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], similar: bool
) -> None:
    monkeypatch.setenv("FETCH_ALLOWED_PORTS", "web")
    arguments = ["--similar-to", str(image_dir / "red.png"), str(image_dir)] if similar else [str(image_dir / "red.png")]
    status, lines, err = run(capsys, *arguments)
    assert (status, lines) == (2, [])
    assert err == "imagemeta: Environment variable FETCH_ALLOWED_PORTS is 'web'; expected port numbers (1-65535) separated by commas.\n"


def test_unexpected_exception_prints_a_generic_body_not_a_traceback(
    image_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken_extract(source: object, limits: object) -> dict:
        raise RuntimeError("bug")

    monkeypatch.setattr(imagemeta.cli, "extract", broken_extract)
    status, lines, err = run(capsys, str(image_dir / "red.png"))
    assert status == 1
    assert [line["message"] for line in lines] == ["An unexpected error occurred."]
    assert "Traceback" not in err and "RuntimeError" in err


def test_help_describes_the_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--help"])
    assert exited.value.code == 0
    assert "PATH_OR_URL" in capsys.readouterr().out


def test_similar_mode_answers_json_for_an_unexpected_fault(
    image_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken_search(*arguments: object) -> list[dict]:
        raise ZeroDivisionError("a bug of ours")

    monkeypatch.setattr("imagemeta.cli.search_folder", broken_search)
    status, lines, err = run(capsys, "--similar-to", str(image_dir / "red.png"), str(image_dir))
    assert status == 1
    assert lines == [{"message": "An unexpected error occurred.", "help": "Please report this with the input that caused it."}]
    assert "ZeroDivisionError" in err


def test_embedded_prints_each_images_embedded_metadata_and_errors_in_the_same_shape(
    image_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    photo = IMAGES / "metadata" / "iptc-latin1.jpg"
    status, lines, _ = run(capsys, "--embedded", str(photo), str(image_dir / "page.html"), str(image_dir / "red.png"))
    assert status == 1 and len(lines) == 3
    assert lines[0]["ObjectName"] == "Café Münster" and "width" not in lines[0]
    assert set(lines[1]) == {"message", "help"}
    assert lines[2] == {}
