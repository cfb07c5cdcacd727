"""The service's settings, read from the environment (set by template.yaml) once per process."""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class StorageSettings:
    """Where the records live: the upload bucket and the table."""

    bucket: str
    table: str


def storage_from_env(env: Mapping[str, str] = os.environ) -> StorageSettings:
    """BUCKET_NAME and TABLE_NAME; missing ones are a deployment fault, so fail at cold start."""
    missing = [name for name in ("BUCKET_NAME", "TABLE_NAME") if not env.get(name)]
    if missing:
        raise RuntimeError(f"missing environment variables: {', '.join(missing)}")
    return StorageSettings(bucket=env["BUCKET_NAME"], table=env["TABLE_NAME"])


def ingest_queue_url(env: Mapping[str, str] = os.environ) -> str:
    """INGEST_QUEUE_URL: where the backfill enqueues its events (the ingest's own queue)."""
    if not env.get("INGEST_QUEUE_URL"):
        raise RuntimeError("missing environment variable: INGEST_QUEUE_URL")
    return env["INGEST_QUEUE_URL"]


def keys_table_from_env(env: Mapping[str, str] = os.environ) -> str:
    """KEYS_TABLE_NAME: the table of hashed API keys the authorizer checks credentials against."""
    if not env.get("KEYS_TABLE_NAME"):
        raise RuntimeError("missing environment variable: KEYS_TABLE_NAME")
    return env["KEYS_TABLE_NAME"]
