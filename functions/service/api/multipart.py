"""multipart/form-data bodies (RFC 7578), as the hosted API's SDKs send uploads: parts by name, bounded."""
from __future__ import annotations

import re
from dataclasses import dataclass

from imagemeta.errors import BadParameter, echo

MAX_PARTS = 64
MAX_PART_HEADER_BYTES = 8192
_BOUNDARY = re.compile(r'boundary=(?:"([^"]{1,200})"|([^;,\s]{1,200}))', re.IGNORECASE)
_PARAMETER = re.compile(r';\s*([A-Za-z*]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]*))')


@dataclass(frozen=True)
class Part:
    """One form field: its bytes, and the file name and type a file part declares."""

    data: bytes
    filename: str | None = None
    content_type: str | None = None

    def text(self, name: str) -> str:
        """The field as UTF-8 text; BadParameter naming it otherwise."""
        try:
            return self.data.decode()
        except UnicodeDecodeError:
            raise BadParameter(f"Parameter `{name}` must be UTF-8 text.") from None


def parse_form(body: bytes, content_type: str) -> dict[str, Part]:
    """The fields of a multipart/form-data body, by name; BadParameter for anything malformed."""
    if not content_type.lower().startswith("multipart/form-data"):
        raise BadParameter(f"The upload must be multipart/form-data, as the SDKs send it; got {echo(content_type)}.")
    found = _BOUNDARY.search(content_type)
    if not found:
        raise BadParameter("The multipart/form-data Content-Type names no boundary.")
    delimiter = b"--" + (found.group(1) or found.group(2)).encode()
    chunks = body.split(b"\r\n" + delimiter)
    if not chunks[0].startswith(delimiter):
        raise BadParameter("The multipart body does not start with its boundary.")
    chunks[0] = chunks[0][len(delimiter) :]
    if not chunks[-1].startswith(b"--"):
        raise BadParameter("The multipart body does not end with its closing boundary.")
    if len(chunks) - 1 > MAX_PARTS:
        raise BadParameter(f"The multipart body has more than {MAX_PARTS} parts.")
    parts: dict[str, Part] = {}
    for chunk in chunks[:-1]:
        name, part = _part(chunk)
        if name in parts:
            raise BadParameter(f"Parameter `{name}` is given twice.")
        parts[name] = part
    return parts


def _part(chunk: bytes) -> tuple[str, Part]:
    """One part: `\\r\\n`, its headers, a blank line, its bytes."""
    if not chunk.startswith(b"\r\n"):
        raise BadParameter("A multipart boundary is not followed by a line break.")
    end = chunk.find(b"\r\n\r\n", 0, MAX_PART_HEADER_BYTES)
    if end < 0:
        raise BadParameter("A multipart part has no end to its headers (or headers over 8 KB).")
    headers: dict[str, str] = {}
    for line in chunk[2:end].decode("utf-8", "replace").split("\r\n"):
        header, colon, value = line.partition(":")
        if colon:
            headers[header.strip().lower()] = value.strip()
    disposition = headers.get("content-disposition", "")
    if not disposition.lower().startswith("form-data"):
        raise BadParameter("A multipart part is not form-data.")
    parameters = {key.lower(): quoted or bare for key, quoted, bare in _PARAMETER.findall(disposition)}
    if not parameters.get("name"):
        raise BadParameter("A multipart part has no name.")
    name = re.sub(r"\\(.)", r"\1", parameters["name"])
    return name, Part(chunk[end + 4 :], parameters.get("filename"), headers.get("content-type"))
