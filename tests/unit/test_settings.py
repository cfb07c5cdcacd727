"""The settings of every consumer, read from an environment mapping: defaults, overrides, and ConfigError."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from handlers.settings import (
    DEFAULT_SEARCH_MAX_RECORDS,
    AuthorizerSettings,
    BackfillSettings,
    FilesSettings,
    IngestSettings,
    MetadataUrlSettings,
)
from imagemeta.fetch.policy import FetchSettings
from imagemeta.limits import DEFAULT_LIMITS, Limits
from imagemeta.settings import CliSettings, ConfigError

# What template.yaml sets, with values of the shape it gives them.
STORAGE = {"BUCKET_NAME": "uploads", "TABLE_NAME": "files"}
QUEUE = {"INGEST_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/123456789012/ingest"}


def test_the_url_route_and_the_command_default_to_the_contracts_limits() -> None:
    for settings_type in (MetadataUrlSettings, CliSettings):
        assert settings_type.from_env({}) == settings_type(limits=DEFAULT_LIMITS, fetch=FetchSettings())


def test_every_fetch_and_limit_variable_is_read() -> None:
    settings = MetadataUrlSettings.from_env(
        {
            "FETCH_HEADER_TIMEOUT_S": "0.5",
            "FETCH_BODY_TIMEOUT_S": "2",
            "FETCH_MAX_REDIRECTS": "2",
            "FETCH_ALLOWED_PORTS": "80, 8080",
            "ALLOWED_URL_PREFIXES": "https://a.test/x/, https://b.test",
            "ALLOW_LOOPBACK_URLS": "true",
            "MAX_IMAGE_BYTES": "1000",
            "MAX_IMAGE_PIXELS": "5000",
            "MAX_DECODE_BYTES": "300000000",
        }
    )
    assert settings.limits == Limits(max_bytes=1000, max_pixels=5000, max_decode_bytes=300_000_000)
    assert settings.fetch == FetchSettings(0.5, 2.0, 1000, 2, (80, 8080), ("https://a.test/x/", "https://b.test"), True)


def test_zero_redirects_and_an_explicit_false_are_valid() -> None:
    settings = CliSettings.from_env({"FETCH_MAX_REDIRECTS": "0", "ALLOW_LOOPBACK_URLS": "off"})
    assert (settings.fetch.max_redirects, settings.fetch.allow_loopback) == (0, False)


@pytest.mark.parametrize(
    ("name", "value"),
    [("FETCH_ALLOWED_PORTS", "80,http"), ("FETCH_ALLOWED_PORTS", "0"), ("FETCH_ALLOWED_PORTS", "８０"),
     ("ALLOWED_URL_PREFIXES", "ftp://a.test/"), ("FETCH_HEADER_TIMEOUT_S", "soon"), ("FETCH_HEADER_TIMEOUT_S", "0"),
     ("FETCH_MAX_REDIRECTS", "-1"), ("MAX_IMAGE_BYTES", "0"), ("MAX_IMAGE_PIXELS", "1.5"),
     ("MAX_DECODE_BYTES", "lots"), ("ALLOW_LOOPBACK_URLS", "maybe")],
)
def test_a_malformed_variable_is_a_config_error_naming_it_and_its_value(name: str, value: str) -> None:
    with pytest.raises(ConfigError) as raised:
        MetadataUrlSettings.from_env({name: value})
    assert (raised.value.name, raised.value.value) == (name, value)
    assert str(raised.value).startswith(f"Environment variable {name} is {value!r}; expected ")


def test_a_config_error_is_not_an_error_of_the_api() -> None:
    # The API maps ImageMetaError to 4xx answers; a broken deployment must fail its cold start instead.
    from imagemeta.errors import ImageMetaError

    assert not issubclass(ConfigError, ImageMetaError)


def test_each_function_holds_only_the_settings_it_needs() -> None:
    env = {**STORAGE, **QUEUE, "KEYS_TABLE_NAME": "keys", "MAX_IMAGE_BYTES": "1000"}
    assert FilesSettings.from_env(env) == FilesSettings(
        bucket="uploads", table="files", search_max_records=DEFAULT_SEARCH_MAX_RECORDS, file_url_seconds=3600
    )
    tuned = {**env, "SEARCH_MAX_RECORDS": "500", "FILE_URL_SECONDS": "0"}
    assert (FilesSettings.from_env(tuned).search_max_records, FilesSettings.from_env(tuned).file_url_seconds) == (500, 0)
    assert IngestSettings.from_env(env) == IngestSettings("uploads", "files", Limits(max_bytes=1000))
    assert BackfillSettings.from_env(env) == BackfillSettings("uploads", "files", QUEUE["INGEST_QUEUE_URL"])
    assert AuthorizerSettings.from_env(env) == AuthorizerSettings(keys_table="keys")


@pytest.mark.parametrize(
    ("settings_type", "env", "missing"),
    [
        (FilesSettings, {"TABLE_NAME": "files"}, "BUCKET_NAME"),
        (FilesSettings, {"BUCKET_NAME": "uploads", "TABLE_NAME": ""}, "TABLE_NAME"),
        (IngestSettings, {"BUCKET_NAME": "uploads"}, "TABLE_NAME"),
        (BackfillSettings, STORAGE, "INGEST_QUEUE_URL"),
        (AuthorizerSettings, STORAGE, "KEYS_TABLE_NAME"),
    ],
)
def test_a_missing_variable_is_a_config_error_naming_it(settings_type: type, env: dict[str, str], missing: str) -> None:
    with pytest.raises(ConfigError) as raised:
        settings_type.from_env(env)
    assert raised.value.name == missing
    assert str(raised.value).startswith(f"Environment variable {missing} is ")
    assert "template.yaml sets it" in str(raised.value)


def test_the_ingest_checks_its_limits_too() -> None:
    with pytest.raises(ConfigError, match="MAX_IMAGE_PIXELS"):
        IngestSettings.from_env({**STORAGE, "MAX_IMAGE_PIXELS": "many"})


def test_only_the_default_sized_ingest_names_a_larger_function_to_hand_images_over_to() -> None:
    queue = "https://sqs.us-east-1.amazonaws.com/123456789012/imagemeta-IngestLargeQueue"
    default_sized = IngestSettings.from_env({**STORAGE, "MAX_DECODE_BYTES": "268435456", "LARGER_INGEST_QUEUE_URL": queue})
    assert (default_sized.limits.max_decode_bytes, default_sized.larger_ingest_queue_url) == (268435456, queue)
    assert IngestSettings.from_env({**STORAGE, "LARGER_INGEST_QUEUE_URL": ""}).larger_ingest_queue_url is None
    with pytest.raises(ConfigError, match="LARGER_INGEST_QUEUE_URL is 'IngestLargeQueue'"):
        IngestSettings.from_env({**STORAGE, "LARGER_INGEST_QUEUE_URL": "IngestLargeQueue"})


def test_a_bad_setting_fails_the_handler_lookup_lambda_makes_at_init_not_the_import() -> None:
    # Lambda's runtime imports the module, then looks `handler` up (awslambdaric's _get_handler): the
    # lookup builds it, so a ConfigError there is an init error. The import alone reads nothing.
    script = (
        "import handlers.files as module\n"
        "try:\n"
        "    module.handler\n"
        "except Exception as error:\n"
        "    print(type(error).__name__, error)\n"
    )
    env = {name: value for name, value in os.environ.items() if name not in ("BUCKET_NAME", "TABLE_NAME")}
    out = subprocess.run([sys.executable, "-c", script],
                         env={**env, "TABLE_NAME": "files"},
                         capture_output=True, text=True, check=True).stdout
    assert out.startswith("ConfigError Environment variable BUCKET_NAME is not set; expected the name of the upload bucket")
