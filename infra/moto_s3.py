"""moto's S3 made to do what S3 does where the service relies on it: a versioned bucket's notifications, and
listings while other requests write.

moto notifies a versioned bucket's events as an unversioned bucket's: no `versionId` in the records, nothing when a
delete creates a delete marker, and `ObjectRemoved:Delete` only when a key's last version goes. S3 names the
version in every record of a versioned bucket, sends `ObjectRemoved:DeleteMarkerCreated` for a delete marker and
`ObjectRemoved:Delete` for every version deleted for good. And moto's ListObjectVersions copies every object of
the bucket, bytes included, whatever the prefix (a folder job listing one key's versions for each of thousands of
files took minutes), and fails (a TypeError, a 500) when another request deletes a key's last version while it
lists, which the folder jobs' parallel copies and deletes do. The local stack runs moto's server in its own
process, so `s3_as_aws()` patches moto's S3 backend there (and the handler tests' moto): the notifications of a
versioned bucket, and listings that copy only the prefix's keys and skip one deleted meanwhile. (docs/local-stack.md,
"Where the local stack differs from AWS".)
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from moto.s3 import models, notifications, utils

_PATCHED = "_imagemeta_as_aws"
# The prefix a ListObjectVersions of this thread lists (its key store yields only those keys meanwhile).
_listing = threading.local()


def s3_as_aws() -> None:
    """Patch moto's S3 backend in this process (once): versionId in records, S3's removal events, and listings of
    versions that skip a key deleted meanwhile."""
    if getattr(models.S3Backend, _PATCHED, False):
        return
    store_type = utils._VersionedKeyStore
    listing: Any = store_type._iterlists

    def present_lists(store: Any) -> Any:
        prefix = getattr(_listing, "prefix", "")
        return ((key, versions) for key, versions in listing(store) if versions is not None and key.startswith(prefix))

    for name in ("_iterlists", "iterlists", "lists"):  # moto binds the two others to _iterlists by assignment
        setattr(store_type, name, present_lists)
    list_object_versions: Any = models.S3Backend.list_object_versions

    def prefix_versions(backend: Any, bucket_name: str, **kwargs: Any) -> Any:
        _listing.prefix = kwargs.get("prefix") or ""
        try:
            return list_object_versions(backend, bucket_name, **kwargs)
        finally:
            _listing.prefix = ""

    setattr(models.S3Backend, "list_object_versions", prefix_versions)  # noqa: B010 - a method mypy types as fixed
    event_of = notifications._get_s3_event

    def versioned_event(event_name: str, bucket: Any, key: Any, notification_id: str) -> dict[str, Any]:
        # A delete marker has no ETag or size (moto's own event for a key's last version, a marker, would fail).
        shown = SimpleNamespace(name=key.name, etag=getattr(key, "etag", "") or "", size=getattr(key, "size", 0))
        event = event_of(event_name, bucket, shown, notification_id)
        version = getattr(key, "version_id", None)
        if bucket.is_versioned and version and version != "null":
            for record in event["Records"]:
                record["s3"]["object"]["versionId"] = version
        return event

    setattr(notifications, "_get_s3_event", versioned_event)  # noqa: B010 - as above
    setattr(models.S3Backend, "delete_object", removal_events(models.S3Backend.delete_object))  # noqa: B010
    setattr(models.S3Backend, _PATCHED, True)


Deletion = Callable[..., tuple[bool, dict[str, Any]]]


def removal_events(delete_object: Deletion) -> Deletion:
    """moto's delete_object, then the events S3 sends that moto does not, for a versioned bucket."""

    def delete(backend: Any, bucket_name: str, key_name: str, version_id: str | None = None,
               *args: Any, **kwargs: Any) -> tuple[bool, dict[str, Any]]:
        bucket = backend.get_bucket(bucket_name)
        versioned = bucket.is_versioned
        deleted, meta = delete_object(backend, bucket_name, key_name, version_id, *args, **kwargs)
        if not versioned or not deleted:
            return deleted, meta
        if version_id is None:
            name = notifications.S3NotificationEvent.OBJECT_REMOVED_DELETE_MARKER_CREATED_EVENT
        elif key_name in bucket.keys:  # moto notified only if the key's last version went
            name = notifications.S3NotificationEvent.OBJECT_REMOVED_DELETE_EVENT
        else:
            return deleted, meta
        gone = SimpleNamespace(name=key_name, etag="", size=0, version_id=meta.get("version-id") or version_id)
        notifications.send_event(backend.account_id, name, bucket, gone)
        return deleted, meta

    return delete
