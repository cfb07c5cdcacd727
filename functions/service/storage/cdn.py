"""Cache purges: a CloudFront invalidation when the deployment has a distribution in front of the bucket.

POST /v1/files/purge, a rename's `purgeCache` and a folder rename's purge ask for one; GET /v1/files/purge/{id}
follows it. Without a distribution (DISTRIBUTION_ID empty, the template's default) nothing caches the files,
so a purge has nothing to do: it answers a request id of its own whose status is Completed at once, which is
the truth. Paths are the bucket's keys, as a distribution with the bucket as its origin serves them.
"""
from __future__ import annotations

import secrets
import uuid
from typing import Any
from urllib.parse import quote

from library.errors import PurgeNotFound
from library.jobs import COMPLETED, PENDING

# The request ids a deployment without a distribution hands out: nothing was cached, so each is Completed.
UNCACHED_PREFIX = "uncached-"


def key_paths(prefix_or_key: str) -> list[str]:
    """The distribution paths of a key, or of every key under a folder prefix, and whatever the distribution
    derives from them (a trailing wildcard: CloudFront allows one at the end)."""
    return ["/" + quote(prefix_or_key, safe="/") + "*"]


class Purges:
    """Asks the distribution (when there is one) to drop cached copies; the CloudFront client is passed in (None
    without a distribution)."""

    def __init__(self, cloudfront: Any, distribution_id: str):
        self._cloudfront = cloudfront
        self._distribution_id = distribution_id

    def purge(self, paths: list[str]) -> str:
        """Invalidate these paths; the request id to follow it by."""
        if not self._distribution_id:
            return UNCACHED_PREFIX + secrets.token_hex(12)
        created = self._cloudfront.create_invalidation(
            DistributionId=self._distribution_id,
            InvalidationBatch={"Paths": {"Quantity": len(paths), "Items": paths}, "CallerReference": uuid.uuid4().hex},
        )
        return str(created["Invalidation"]["Id"])

    def status(self, request_id: str) -> str:
        """Pending or Completed; PurgeNotFound for an id no purge answered."""
        if request_id.startswith(UNCACHED_PREFIX):
            return COMPLETED
        if not self._distribution_id:
            raise PurgeNotFound()
        try:
            found = self._cloudfront.get_invalidation(DistributionId=self._distribution_id, Id=request_id)
        except self._cloudfront.exceptions.NoSuchInvalidation:
            raise PurgeNotFound() from None
        return COMPLETED if found["Invalidation"]["Status"].lower() == "completed" else PENDING  # else InProgress
