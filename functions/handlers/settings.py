"""The Lambda functions' settings: one frozen, typed object per function, holding only what it reads.

template.yaml sets each function's variables; `from_env` reads them once, at cold start (handlers/__init__.py),
and a missing or malformed one is a ConfigError that fails the cold start. Readers of the AWS resources' names
live here, beside the functions that use them; the image limits and the fetch policy are the core's
(imagemeta.settings), which the `imagemeta` command reads too. Importing this module loads no imaging or
HTTP library: the authorizer and the backfill read it.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from imagemeta.fetch.policy import FetchSettings
from imagemeta.limits import Limits
from imagemeta.settings import (
    ConfigError,
    FromEnvironment,
    RemoteImageSettings,
    number,
    read_by,
    read_fetch,
    read_limits,
    required,
)
from service.storage.delivery import DEFAULT_INLINE_TYPES, Delivery, parse_inline_types

# What a listing that reads folders whole (a search, a sort other than creation order) may read: index rows,
# folder items and checks; about 30 MB of rows, well within the files function's memory and time.
DEFAULT_SEARCH_MAX_RECORDS = 100_000
# A File object's url works for an hour (at most as long as the function's own credentials).
DEFAULT_FILE_URL_SECONDS = 3600


def _bucket(env: Mapping[str, str]) -> str:
    return required(env, "BUCKET_NAME", "the name of the upload bucket")


def _table(env: Mapping[str, str]) -> str:
    return required(env, "TABLE_NAME", "the name of the files table")


def _ingest_queue_url(env: Mapping[str, str]) -> str:
    return required(env, "INGEST_QUEUE_URL", "the URL of the ingest queue")


def _larger_ingest_queue_url(env: Mapping[str, str]) -> str | None:
    """The queue of the ingest function with more memory; unset in that function, which has the last word."""
    value = env.get("LARGER_INGEST_QUEUE_URL", "").strip()
    if value and not value.startswith(("https://", "http://")):
        raise ConfigError("LARGER_INGEST_QUEUE_URL", value, "the URL of the larger ingest function's queue, or unset")
    return value or None


def _jobs_queue_url(env: Mapping[str, str]) -> str:
    return required(env, "JOBS_QUEUE_URL", "the URL of the folder jobs queue")


def _distribution_ids(env: Mapping[str, str]) -> tuple[str, ...]:
    """DISTRIBUTION_IDS: the stack's CloudFront distributions in front of the bucket (comma-separated), whose caches
    a purge invalidates; empty when files are served presigned (FileDelivery=PresignedS3), and a purge is
    Completed at once."""
    value = env.get("DISTRIBUTION_IDS", "").strip()
    found = tuple(part.strip() for part in value.split(",")) if value else ()
    if any(not (part.isalnum() and part.isupper()) for part in found):
        raise ConfigError("DISTRIBUTION_IDS", value,
                          "CloudFront distribution ids (capitals and digits), comma-separated")
    return found


def _thumbnails(env: Mapping[str, str]) -> bool:
    """THUMBNAILS: `Stored` (the default) makes and keeps every image's thumbnail; `Off` makes none."""
    value = env.get("THUMBNAILS", "Stored").strip() or "Stored"
    if value not in ("Stored", "Off"):
        raise ConfigError("THUMBNAILS", env["THUMBNAILS"], "Stored or Off")
    return value == "Stored"


def _similar_bands(env: Mapping[str, str]) -> bool:
    """SIMILAR_INDEX: `bands` puts every image in the band indexes (four write units an upload, sub-linear
    searches); `scan` (the default) compares against the library pages (docs/similar.md)."""
    value = env.get("SIMILAR_INDEX", "scan").strip().lower() or "scan"
    if value not in ("scan", "bands"):
        raise ConfigError("SIMILAR_INDEX", env["SIMILAR_INDEX"], "scan or bands")
    return value == "bands"


def _keys_table(env: Mapping[str, str]) -> str:
    return required(env, "KEYS_TABLE_NAME", "the name of the API keys table")


def _client_upload_usage_key(env: Mapping[str, str]) -> str | None:
    """CLIENT_UPLOAD_USAGE_KEY: the usage plan key that meters uploads signed for browsers (they carry no key the
    authorizer could check); unset, such uploads are refused like any request without credentials."""
    return env.get("CLIENT_UPLOAD_USAGE_KEY", "").strip() or None


def _search_max_records(env: Mapping[str, str]) -> int:
    """SEARCH_MAX_RECORDS: index rows and folders a files search may read before it asks for a narrower path."""
    return number(env, "SEARCH_MAX_RECORDS", DEFAULT_SEARCH_MAX_RECORDS)


def _file_url_seconds(env: Mapping[str, str]) -> int:
    """FILE_URL_SECONDS: how long a File object's presigned `url` works; 0 answers `url: null`."""
    return number(env, "FILE_URL_SECONDS", DEFAULT_FILE_URL_SECONDS, minimum=0)


def _delivery(env: Mapping[str, str]) -> Delivery:
    """How files are served (docs/deploy.md, "Delivery"): DELIVERY_DOMAIN (the public distribution's domain, empty
    without one), SIGNED_DELIVERY_DOMAIN, SIGNING_KEY_ID and SIGNING_KEY_PARAMETER (the signed distribution, its
    key group's key and the SSM parameter of its private key; all empty without a signing key), and
    INLINE_CONTENT_TYPES. DELIVERY_SCHEME (https) is the local stack's own: it serves plain http on loopback."""
    public_url, signed_url = _delivery_urls(env)
    key_id, parameter = env.get("SIGNING_KEY_ID", "").strip(), env.get("SIGNING_KEY_PARAMETER", "").strip()
    if signed_url and not (public_url and key_id and parameter.startswith("/")):
        raise ConfigError("SIGNED_DELIVERY_DOMAIN", env["SIGNED_DELIVERY_DOMAIN"],
                          "unset, or set with DELIVERY_DOMAIN, SIGNING_KEY_ID and SIGNING_KEY_PARAMETER (an SSM name)")
    types = env.get("INLINE_CONTENT_TYPES")
    return Delivery(
        public_url=public_url,
        signed_url=signed_url,
        signing_key_id=key_id if signed_url else "",
        signing_key_parameter=parameter if signed_url else "",
        inline_types=parse_inline_types(types) if types is not None else DEFAULT_INLINE_TYPES,
    )


def _delivery_urls(env: Mapping[str, str]) -> tuple[str, str]:
    """The base URLs of the public and the signed distribution ("" for one the deployment has not)."""
    scheme = env.get("DELIVERY_SCHEME", "").strip() or "https"
    if scheme not in ("https", "http"):
        raise ConfigError("DELIVERY_SCHEME", scheme, "https or http, or unset")
    domains = (env.get("DELIVERY_DOMAIN", "").strip(), env.get("SIGNED_DELIVERY_DOMAIN", "").strip())
    public, signed = (f"{scheme}://{domain}" if domain else "" for domain in domains)
    return public, signed


class MetadataUrlSettings(RemoteImageSettings):
    """MetadataUrlFunction's (GET /v1/metadata?url=)."""


@dataclass(frozen=True)
class FilesSettings(FromEnvironment):
    """FilesFunction's: where the records live (lookups, listings and the similar search), how far a search
    may read, and how File objects' urls are made (the delivery, how long a signed one works)."""

    bucket: str = read_by(_bucket)
    table: str = read_by(_table)
    search_max_records: int = read_by(_search_max_records)
    file_url_seconds: int = read_by(_file_url_seconds)
    similar_bands: bool = read_by(_similar_bands, default=False)
    delivery: Delivery = read_by(_delivery, default=Delivery())


@dataclass(frozen=True)
class UploadSettings(FromEnvironment):
    """UploadFunction's (POST /api/v1/files/upload, POST /v1/files/upload-url): the bucket it writes, the table
    of the extractions it hands to the ingest (and of the custom metadata fields and one-time tokens), the limits
    and fetch policy of the URL route (a `file` given as a URL is fetched as that route fetches), how its
    answer's urls are made, and the keys table whose public keys name the signers of client-side uploads."""

    bucket: str = read_by(_bucket)
    table: str = read_by(_table)
    limits: Limits = read_by(read_limits)
    fetch: FetchSettings = read_by(read_fetch)
    file_url_seconds: int = read_by(_file_url_seconds)
    keys_table: str = read_by(_keys_table)
    delivery: Delivery = read_by(_delivery, default=Delivery())
    thumbnails: bool = read_by(_thumbnails, default=True)


@dataclass(frozen=True)
class EditSettings(FromEnvironment):
    """EditFunction's (PATCH /v1/files/{fileId}/details, the bulk tag routes, /v1/customMetadataFields): the
    records it edits and the fields it keeps, and how the File objects it answers make their urls."""

    bucket: str = read_by(_bucket)
    table: str = read_by(_table)
    file_url_seconds: int = read_by(_file_url_seconds)
    delivery: Delivery = read_by(_delivery, default=Delivery())


@dataclass(frozen=True)
class DeleteSettings(FromEnvironment):
    """FileDeleteFunction's (DELETE /v1/files/{fileId}, POST /v1/files/batch/deleteByFileIds): the records it
    looks keys up in, and the bucket it deletes from."""

    bucket: str = read_by(_bucket)
    table: str = read_by(_table)


@dataclass(frozen=True)
class OrganizeSettings(FromEnvironment):
    """OrganizeFunction's (folders, copy, move, rename, restore, folder jobs' submission, purges): the bucket it
    copies in, the records it reads and the seeds and jobs it writes, the jobs queue, the CDN it purges, and how
    the File object's url a restore answers is made."""

    bucket: str = read_by(_bucket)
    table: str = read_by(_table)
    jobs_queue_url: str = read_by(_jobs_queue_url)
    distribution_ids: tuple[str, ...] = read_by(_distribution_ids)
    file_url_seconds: int = read_by(_file_url_seconds)
    delivery: Delivery = read_by(_delivery, default=Delivery())


@dataclass(frozen=True)
class FolderJobsSettings(FromEnvironment):
    """FolderJobsFunction's: the bucket whose folders it copies, moves and deletes, the records and folder items,
    the jobs queue it sends each next step to, and the CDN a folder rename purges."""

    bucket: str = read_by(_bucket)
    table: str = read_by(_table)
    jobs_queue_url: str = read_by(_jobs_queue_url)
    distribution_ids: tuple[str, ...] = read_by(_distribution_ids)


@dataclass(frozen=True)
class IngestSettings(FromEnvironment):
    """IngestFunction's and IngestLargeFunction's: where uploads and records live, how large an upload may be,
    and where an image goes that needs more memory than this function's decoding budget (None: nowhere)."""

    bucket: str = read_by(_bucket)
    table: str = read_by(_table)
    limits: Limits = read_by(read_limits)
    larger_ingest_queue_url: str | None = read_by(_larger_ingest_queue_url, default=None)
    similar_bands: bool = read_by(_similar_bands, default=False)
    thumbnails: bool = read_by(_thumbnails, default=True)


@dataclass(frozen=True)
class BackfillSettings(FromEnvironment):
    """BackfillFunction's: the bucket it lists, the table of its checkpoint, the queue it feeds."""

    bucket: str = read_by(_bucket)
    table: str = read_by(_table)
    ingest_queue_url: str = read_by(_ingest_queue_url)


@dataclass(frozen=True)
class BackfillBatchSettings(FromEnvironment):
    """BackfillBatchFunction's: the ingest's (the bucket, the table, the limits, the larger function's queue) and
    the ingest queue, which takes what a batch leaves over."""

    bucket: str = read_by(_bucket)
    table: str = read_by(_table)
    limits: Limits = read_by(read_limits)
    ingest_queue_url: str = read_by(_ingest_queue_url)
    larger_ingest_queue_url: str | None = read_by(_larger_ingest_queue_url, default=None)
    similar_bands: bool = read_by(_similar_bands, default=False)
    thumbnails: bool = read_by(_thumbnails, default=True)


@dataclass(frozen=True)
class AuthorizerSettings(FromEnvironment):
    """AuthorizerFunction's: the table of hashed keys it checks credentials against, and the usage key that
    meters client-side uploads."""

    keys_table: str = read_by(_keys_table)
    client_upload_usage_key: str | None = read_by(_client_upload_usage_key, default=None)


# A web origin as a Content-Security-Policy source: scheme, host and optional port, nothing that could end the
# directive (a space or ";") or widen it (a path, a wildcard).
_ORIGIN = re.compile(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?")


def _file_url_origins(env: Mapping[str, str]) -> tuple[str, ...]:
    """FILE_URL_ORIGINS: the origins of File objects' presigned urls (space-separated), which the page may show
    as images, and the delivery's distributions (DELIVERY_DOMAIN, SIGNED_DELIVERY_DOMAIN), which serve the other
    urls and the thumbnails. Under AWS_ENDPOINT_URL (the local stack, or any stand-in for AWS) the functions that
    sign those urls sign them for that endpoint, so its origin is one of them too."""
    origins = tuple(env.get("FILE_URL_ORIGINS", "").split()) + tuple(url for url in _delivery_urls(env) if url)
    endpoint = env.get("AWS_ENDPOINT_URL", "").strip()
    if endpoint:
        parts = urlsplit(endpoint)
        origins += (f"{parts.scheme}://{parts.netloc}",)
    for origin in origins:
        if not _ORIGIN.fullmatch(origin):
            raise ConfigError("FILE_URL_ORIGINS", env.get("FILE_URL_ORIGINS"),
                              f"http(s) origins (scheme://host[:port]) separated by spaces ({origin!r} is not one)")
    if not origins:
        raise ConfigError("FILE_URL_ORIGINS", None, "the upload bucket's origins (template.yaml sets it)")
    return origins


@dataclass(frozen=True)
class PageSettings(FromEnvironment):
    """PageFunction's (GET / and its assets): where the files it shows come from, for its Content-Security-Policy."""

    file_url_origins: tuple[str, ...] = read_by(_file_url_origins)
