"""The hosted API's paths for bucket keys: filePath is "/" + key, folders are key prefixes ending in "/".

The mapping is exact, so every S3 key has one path and every path one key (docs/contract.md, "Paths"):
a path given by a caller loses one leading "/" and nothing else; `album/x.jpg` and `/album/x.jpg` name the
key `album/x.jpg`, and `/album//x.jpg` the different key `album//x.jpg` (S3 keeps empty segments).
Uploads build their keys from `folder` and `fileName` and never make empty segments.
"""
from __future__ import annotations

import re
import secrets
import string
import unicodedata

from imagemeta.errors import BadParameter, echo

# S3's limit on a key, in UTF-8 bytes.
MAX_KEY_BYTES = 1024
# What an uploaded file name keeps; every other character becomes "_" (the hosted upload API's rule).
_FILE_NAME_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")
_SUFFIX_ALPHABET = string.ascii_letters + string.digits
UNIQUE_SUFFIX_LENGTH = 8


def file_path(key: str) -> str:
    """A key's filePath: "/" + the key."""
    return "/" + key


def key_of(path: str, parameter: str) -> str:
    """The key a caller's file path names: one leading "/" removed, nothing else changed."""
    key = path[1:] if path.startswith("/") else path
    if not key or key.endswith("/"):
        raise BadParameter(f"Parameter `{parameter}` must name a file, such as /folder/photo.jpg; got {echo(path)}.")
    return key


def folder_prefix(path: str) -> str:
    """The key prefix of a caller's folder path ("" for the root): leading and trailing "/" optional."""
    prefix = path[1:] if path.startswith("/") else path
    return prefix if not prefix or prefix.endswith("/") else prefix + "/"


def folder_path(prefix: str) -> str:
    """The canonical folder path of a key prefix: "/" for the root, else "/" + prefix (trailing "/" kept)."""
    return "/" + prefix


def parent_prefix(key: str) -> str:
    """The prefix of the folder holding a key (up to its last "/"; "" at the root)."""
    return key[: key.rfind("/") + 1]


def name_of(key: str) -> str:
    """A file's name: the last segment of its key."""
    return key.rsplit("/", 1)[-1]


def folder_name(prefix: str) -> str:
    """A folder's name: the last segment of its prefix ("album/sub/" -> "sub")."""
    return prefix[:-1].rsplit("/", 1)[-1]


def ancestor_prefixes(key: str) -> list[str]:
    """Every folder prefix above a key, outermost first, the root ("") excluded: a/b/c.jpg -> [a/, a/b/]."""
    parts = key.split("/")[:-1]
    return ["/".join(parts[: depth + 1]) + "/" for depth in range(len(parts))]


# What each hosted call keeps of a new name; every other character becomes "_" (Unicode letters, marks and
# digits are always kept): POST /v1/folder's folderName, renameFolder's newFolderName, rename's newFileName.
FOLDER_NAME_KEEPS = ""
RENAMED_FOLDER_KEEPS = "-"
RENAMED_FILE_KEEPS = "._-"


def sanitized_name(name: str, keeps: str) -> str:
    """A new file or folder name as the hosted API stores it: letters, marks, digits and `keeps` kept, the rest "_"."""
    return "".join(c if unicodedata.category(c)[0] in "LMN" or c in keeps else "_" for c in name)


def inside(prefix: str, outer: str) -> bool:
    """Whether a key or folder prefix lies in the folder `outer` (a prefix; "" is the root) or is that folder."""
    return prefix.startswith(outer)


def moved_key(key: str, source: str, destination: str) -> str:
    """Where a key under the folder prefix `source` goes when that folder becomes `destination`."""
    return destination + key[len(source):]


def upload_key(folder: str, file_name: str, unique: bool) -> str:
    """The key an upload writes: the folder's segments (empty ones dropped), then the sanitized file name.

    With `unique`, "_" and eight random letters and digits go before the extension, as the hosted API does.
    """
    segments = [segment for segment in folder.split("/") if segment]
    for segment in segments:
        if segment in (".", "..") or _FILE_NAME_UNSAFE.search(segment):
            raise BadParameter(
                f"Parameter `folder` may hold letters, digits, '.', '_', '-' and '/' only; got {echo(folder)}."
            )
    name = _FILE_NAME_UNSAFE.sub("_", file_name.strip())
    if not name or name in (".", ".."):
        raise BadParameter("Parameter `fileName` must be a non-empty file name.")
    if unique:
        stem, dot, extension = name.rpartition(".")
        suffix = "".join(secrets.choice(_SUFFIX_ALPHABET) for _ in range(UNIQUE_SUFFIX_LENGTH))
        name = f"{stem}_{suffix}.{extension}" if dot and stem else f"{name}_{suffix}"
    key = "".join(segment + "/" for segment in segments) + name
    if len(key.encode()) > MAX_KEY_BYTES:
        raise BadParameter(
            f"The file's path is longer than S3's {MAX_KEY_BYTES} bytes: shorten `folder` or `fileName`.")
    return key
