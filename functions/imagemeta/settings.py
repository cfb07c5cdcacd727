"""Every setting, read from an environment mapping in one place: one frozen, typed object per consumer.

template.yaml sets each Lambda function's variables; the `imagemeta` command reads the same names. A
missing or malformed variable is a fault of the deployment, not of a request: ConfigError, raised while
the function starts, so its cold start fails loudly instead of answering callers with a 400.
This module imports neither numpy, Pillow nor urllib3: the authorizer and the backfill read it too.
The readers of the variables come first; each consumer's settings class, at the end, names its readers.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Self

from .errors import BadParameter
from .fetch.policy import FetchSettings, parse_url
from .limits import DEFAULT_MAX_BYTES, DEFAULT_MAX_DECODE_BYTES, DEFAULT_MAX_PIXELS, Limits

# A search beyond one folder reads at most this many records (a 10,000-file library searches in one go).
DEFAULT_SEARCH_MAX_RECORDS = 10_000
# A File object's url works for an hour (at most as long as the function's own credentials).
DEFAULT_FILE_URL_SECONDS = 3600
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}


class ConfigError(Exception):
    """A setting is missing or malformed; the message names the variable, its value and what was expected."""

    def __init__(self, name: str, value: str | None, expected: str) -> None:
        self.name, self.value, self.expected = name, value, expected
        found = "is not set" if value is None else f"is {value!r}"
        super().__init__(f"Environment variable {name} {found}; expected {expected}.")


def _bucket(env: Mapping[str, str]) -> str:
    return _required(env, "BUCKET_NAME", "the name of the upload bucket")


def _table(env: Mapping[str, str]) -> str:
    return _required(env, "TABLE_NAME", "the name of the files table")


def _ingest_queue_url(env: Mapping[str, str]) -> str:
    return _required(env, "INGEST_QUEUE_URL", "the URL of the ingest queue")


def _larger_ingest_queue_url(env: Mapping[str, str]) -> str | None:
    """The queue of the ingest function with more memory; unset in that function, which has the last word."""
    value = env.get("LARGER_INGEST_QUEUE_URL", "").strip()
    if value and not value.startswith(("https://", "http://")):
        raise ConfigError("LARGER_INGEST_QUEUE_URL", value, "the URL of the larger ingest function's queue, or unset")
    return value or None


def _keys_table(env: Mapping[str, str]) -> str:
    return _required(env, "KEYS_TABLE_NAME", "the name of the API keys table")


def _search_max_records(env: Mapping[str, str]) -> int:
    """SEARCH_MAX_RECORDS: index rows and folders a files search may read before it asks for a narrower path."""
    return _number(env, "SEARCH_MAX_RECORDS", DEFAULT_SEARCH_MAX_RECORDS)


def _file_url_seconds(env: Mapping[str, str]) -> int:
    """FILE_URL_SECONDS: how long a File object's presigned `url` works; 0 answers `url: null`."""
    return _number(env, "FILE_URL_SECONDS", DEFAULT_FILE_URL_SECONDS, minimum=0)


def _limits(env: Mapping[str, str]) -> Limits:
    """MAX_IMAGE_BYTES, MAX_IMAGE_PIXELS and MAX_DECODE_BYTES, with the contract's defaults."""
    return Limits(
        max_bytes=_number(env, "MAX_IMAGE_BYTES", DEFAULT_MAX_BYTES),
        max_pixels=_number(env, "MAX_IMAGE_PIXELS", DEFAULT_MAX_PIXELS),
        max_decode_bytes=_number(env, "MAX_DECODE_BYTES", DEFAULT_MAX_DECODE_BYTES),
    )


def _fetch(env: Mapping[str, str]) -> FetchSettings:
    """The FETCH_* limits, ALLOWED_URL_PREFIXES and ALLOW_LOOPBACK_URLS; the byte cap is MAX_IMAGE_BYTES."""
    defaults = FetchSettings()
    return FetchSettings(
        header_timeout_s=_number(env, "FETCH_HEADER_TIMEOUT_S", defaults.header_timeout_s, float, 0.001),
        body_timeout_s=_number(env, "FETCH_BODY_TIMEOUT_S", defaults.body_timeout_s, float, 0.001),
        max_bytes=_number(env, "MAX_IMAGE_BYTES", DEFAULT_MAX_BYTES),
        max_redirects=_number(env, "FETCH_MAX_REDIRECTS", defaults.max_redirects, minimum=0),
        allowed_ports=_ports(env, "FETCH_ALLOWED_PORTS", defaults.allowed_ports),
        allowed_url_prefixes=_url_prefixes(env, "ALLOWED_URL_PREFIXES"),
        allow_loopback=_bool(env, "ALLOW_LOOPBACK_URLS"),
    )


def _required(env: Mapping[str, str], name: str, expected: str) -> str:
    """A variable template.yaml always sets; unset or empty means the deployment is broken."""
    value = env.get(name)
    if not value:
        raise ConfigError(name, value, f"{expected} (template.yaml sets it)")
    return value


def _number(env: Mapping[str, str], name: str, default: float, kind: type = int, minimum: float = 1) -> Any:
    """A numeric setting of `kind` (int or float), at least `minimum`; the default when unset or empty."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    expected = f"{'an integer' if kind is int else 'a number'} of at least {minimum}"
    try:
        value = kind(raw)
    except ValueError:
        raise ConfigError(name, raw, expected) from None
    if value < minimum:
        raise ConfigError(name, raw, expected)
    return value


def _bool(env: Mapping[str, str], name: str) -> bool:
    raw = env.get(name, "").strip().lower()
    if raw not in _TRUE | _FALSE:
        raise ConfigError(name, env[name], "true or false (or 1/0, yes/no, on/off), or unset")
    return raw in _TRUE


def _list(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    return tuple(env.get(name, "").replace(",", " ").split())


def _ports(env: Mapping[str, str], name: str, default: tuple[int, ...]) -> tuple[int, ...]:
    raw = _list(env, name)
    if not raw:
        return default
    if not all(part.isascii() and part.isdigit() and 0 < int(part) < 65536 for part in raw):
        raise ConfigError(name, env[name], "port numbers (1-65535) separated by commas")
    return tuple(int(part) for part in raw)


def _url_prefixes(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    prefixes = _list(env, name)
    for prefix in prefixes:
        try:
            parse_url(prefix)
        except BadParameter:
            raise ConfigError(name, env[name], f"http(s) URLs separated by commas ({prefix!r} is not one)") from None
    return prefixes


def read_by(reader: Callable[[Mapping[str, str]], Any], **default: Any) -> Any:
    """A settings field whose value `reader` takes from the environment (`default=` for code that builds one)."""
    return field(metadata={"reader": reader}, **default)


@dataclass(frozen=True)
class FromEnvironment:
    """Settings whose every field is declared with read_by."""

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Self:
        """Each field read from the mapping; ConfigError for the first one missing or malformed."""
        return cls(**{each.name: each.metadata["reader"](env) for each in fields(cls)})


@dataclass(frozen=True)
class RemoteImageSettings(FromEnvironment):
    """What reading images from URLs needs: the byte and pixel limits and the fetcher's policy."""

    limits: Limits = read_by(_limits)
    fetch: FetchSettings = read_by(_fetch)


class CliSettings(RemoteImageSettings):
    """The `imagemeta` command's: the URL route's own, so a URL answers the same from both."""


class MetadataUrlSettings(RemoteImageSettings):
    """MetadataUrlFunction's (GET /v1/metadata?url=)."""


@dataclass(frozen=True)
class FilesSettings(FromEnvironment):
    """FilesFunction's: where the records live (lookups, listings and the similar search), how far a search
    may read, and how long a File object's url works."""

    bucket: str = read_by(_bucket)
    table: str = read_by(_table)
    search_max_records: int = read_by(_search_max_records)
    file_url_seconds: int = read_by(_file_url_seconds)


@dataclass(frozen=True)
class UploadSettings(FromEnvironment):
    """UploadFunction's (POST /api/v1/files/upload, POST /v1/files/upload-url): the bucket it writes, the table
    of the extractions it hands to the ingest, the limits and fetch policy of the URL route (a `file` given as
    a URL is fetched as that route fetches), and how long its answer's url works."""

    bucket: str = read_by(_bucket)
    table: str = read_by(_table)
    limits: Limits = read_by(_limits)
    fetch: FetchSettings = read_by(_fetch)
    file_url_seconds: int = read_by(_file_url_seconds)


@dataclass(frozen=True)
class DeleteSettings(FromEnvironment):
    """FileDeleteFunction's (DELETE /v1/files/{fileId}, POST /v1/files/batch/deleteByFileIds): the records it
    looks keys up in, and the bucket it deletes from."""

    bucket: str = read_by(_bucket)
    table: str = read_by(_table)


@dataclass(frozen=True)
class IngestSettings(FromEnvironment):
    """IngestFunction's and IngestLargeFunction's: where uploads and records live, how large an upload may be,
    and where an image goes that needs more memory than this function's decoding budget (None: nowhere)."""

    bucket: str = read_by(_bucket)
    table: str = read_by(_table)
    limits: Limits = read_by(_limits)
    larger_ingest_queue_url: str | None = read_by(_larger_ingest_queue_url, default=None)


@dataclass(frozen=True)
class BackfillSettings(FromEnvironment):
    """BackfillFunction's: the bucket it lists, the table of its checkpoint, the queue it feeds."""

    bucket: str = read_by(_bucket)
    table: str = read_by(_table)
    ingest_queue_url: str = read_by(_ingest_queue_url)


@dataclass(frozen=True)
class AuthorizerSettings(FromEnvironment):
    """AuthorizerFunction's: the table of hashed keys it checks credentials against."""

    keys_table: str = read_by(_keys_table)
