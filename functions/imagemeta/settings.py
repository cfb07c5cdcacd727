"""Read the core's settings from an environment mapping: one place for the CLI and the service."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .errors import BadParameter
from .fetch.policy import FetchSettings, parse_url
from .limits import DEFAULT_MAX_BYTES, DEFAULT_MAX_PIXELS, Limits


def _number(env: Mapping[str, str], name: str, default: float, kind: type = int, minimum: float = 1) -> Any:
    """A numeric setting of `kind` (int or float), at least `minimum`; the default when unset."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        noun = "an integer" if kind is int else "a number"
        raise BadParameter(f"Setting {name} must be {noun}, not {raw!r}.") from None
    if value < minimum:
        raise BadParameter(f"Setting {name} must be at least {minimum}, not {value}.")
    return value


def _bool(env: Mapping[str, str], name: str) -> bool:
    return env.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def _list(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    raw = env.get(name, "")
    return tuple(part for part in raw.replace(",", " ").split() if part)


def limits_from_env(env: Mapping[str, str]) -> Limits:
    """MAX_IMAGE_BYTES and MAX_IMAGE_PIXELS, with the contract's defaults."""
    return Limits(
        max_bytes=_number(env, "MAX_IMAGE_BYTES", DEFAULT_MAX_BYTES),
        max_pixels=_number(env, "MAX_IMAGE_PIXELS", DEFAULT_MAX_PIXELS),
    )


def _ports(env: Mapping[str, str], name: str, default: tuple[int, ...]) -> tuple[int, ...]:
    raw = _list(env, name)
    if not raw:
        return default
    if not all(part.isdigit() and 0 < int(part) < 65536 for part in raw):
        raise BadParameter(f"Setting {name} must list port numbers (1-65535), not {env[name]!r}.")
    return tuple(int(part) for part in raw)


def _url_prefixes(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    prefixes = _list(env, name)
    for prefix in prefixes:
        try:
            parse_url(prefix)
        except BadParameter:
            raise BadParameter(f"Setting {name} must list http(s) URLs, not {prefix!r}.") from None
    return prefixes


def fetch_settings_from_env(env: Mapping[str, str]) -> FetchSettings:
    """The FETCH_* limits, ALLOWED_URL_PREFIXES and ALLOW_LOOPBACK_URLS; the byte cap is MAX_IMAGE_BYTES."""
    defaults = FetchSettings()
    return FetchSettings(
        header_timeout_s=_number(env, "FETCH_HEADER_TIMEOUT_S", defaults.header_timeout_s, float, 0.001),
        body_timeout_s=_number(env, "FETCH_BODY_TIMEOUT_S", defaults.body_timeout_s, float, 0.001),
        max_bytes=limits_from_env(env).max_bytes,
        max_redirects=_number(env, "FETCH_MAX_REDIRECTS", defaults.max_redirects, minimum=0),
        allowed_ports=_ports(env, "FETCH_ALLOWED_PORTS", defaults.allowed_ports),
        allowed_url_prefixes=_url_prefixes(env, "ALLOWED_URL_PREFIXES"),
        allow_loopback=_bool(env, "ALLOW_LOOPBACK_URLS"),
    )
