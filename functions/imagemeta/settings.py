"""The core's settings, read from an environment mapping: the image limits and the fetch policy.

The `imagemeta` command reads them (CliSettings), and so does every Lambda function that reads images: the
functions' own settings (bucket, table, queues: handlers/settings.py) are built from the readers here. A
missing or malformed variable is a fault of the deployment, not of a request: ConfigError, raised while the
function starts, so its cold start fails loudly instead of answering callers with a 400.
This module imports neither numpy, Pillow nor urllib3: the authorizer and the backfill read settings too.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Self

from .errors import BadParameter
from .fetch.policy import FetchSettings, parse_url
from .limits import DEFAULT_MAX_BYTES, DEFAULT_MAX_DECODE_BYTES, DEFAULT_MAX_PIXELS, Limits

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}


class ConfigError(Exception):
    """A setting is missing or malformed; the message names the variable, its value and what was expected."""

    def __init__(self, name: str, value: str | None, expected: str) -> None:
        self.name, self.value, self.expected = name, value, expected
        found = "is not set" if value is None else f"is {value!r}"
        super().__init__(f"Environment variable {name} {found}; expected {expected}.")


def read_limits(env: Mapping[str, str]) -> Limits:
    """MAX_IMAGE_BYTES, MAX_IMAGE_PIXELS and MAX_DECODE_BYTES, with the contract's defaults."""
    return Limits(
        max_bytes=number(env, "MAX_IMAGE_BYTES", DEFAULT_MAX_BYTES),
        max_pixels=number(env, "MAX_IMAGE_PIXELS", DEFAULT_MAX_PIXELS),
        max_decode_bytes=number(env, "MAX_DECODE_BYTES", DEFAULT_MAX_DECODE_BYTES),
    )


def read_fetch(env: Mapping[str, str]) -> FetchSettings:
    """The FETCH_* limits, ALLOWED_URL_PREFIXES and ALLOW_LOOPBACK_URLS; the byte cap is MAX_IMAGE_BYTES."""
    defaults = FetchSettings()
    return FetchSettings(
        header_timeout_s=number(env, "FETCH_HEADER_TIMEOUT_S", defaults.header_timeout_s, float, 0.001),
        body_timeout_s=number(env, "FETCH_BODY_TIMEOUT_S", defaults.body_timeout_s, float, 0.001),
        max_bytes=number(env, "MAX_IMAGE_BYTES", DEFAULT_MAX_BYTES),
        max_redirects=number(env, "FETCH_MAX_REDIRECTS", defaults.max_redirects, minimum=0),
        allowed_ports=_ports(env, "FETCH_ALLOWED_PORTS", defaults.allowed_ports),
        allowed_url_prefixes=_url_prefixes(env, "ALLOWED_URL_PREFIXES"),
        allow_loopback=_bool(env, "ALLOW_LOOPBACK_URLS"),
    )


def required(env: Mapping[str, str], name: str, expected: str) -> str:
    """A variable template.yaml always sets; unset or empty means the deployment is broken."""
    value = env.get(name)
    if not value:
        raise ConfigError(name, value, f"{expected} (template.yaml sets it)")
    return value


def number(env: Mapping[str, str], name: str, default: float, kind: type = int, minimum: float = 1) -> Any:
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

    limits: Limits = read_by(read_limits)
    fetch: FetchSettings = read_by(read_fetch)


class CliSettings(RemoteImageSettings):
    """The `imagemeta` command's: the URL route's own, so a URL answers the same from both."""
