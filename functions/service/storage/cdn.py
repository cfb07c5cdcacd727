"""Cache purges: a CloudFront invalidation in each of the stack's distributions in front of the bucket.

POST /v1/files/purge, a rename's `purgeCache` and a folder rename's purge ask for one; GET /v1/files/purge/{id}
follows it. A purge invalidates the paths in every distribution (the public one, and the signed one that
serves private files); its request id names each invalidation, and it is Completed when all are. Without a
distribution (FileDelivery=PresignedS3: DISTRIBUTION_IDS empty) nothing caches the files, so a purge has
nothing to do: it answers a request id of its own whose status is Completed at once, which is the truth.
Paths are the bucket's keys, as the distributions serve them (file_urls.py).
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
# Between the invalidation ids of one purge's request id (CloudFront's ids are capitals and digits).
ID_SEPARATOR = "."


def key_paths(prefix_or_key: str) -> list[str]:
    """The distribution paths of a key, or of every key under a folder prefix, and whatever the distribution
    derives from them (a trailing wildcard: CloudFront allows one at the end)."""
    return ["/" + quote(prefix_or_key, safe="/") + "*"]


class Purges:
    """Asks the distributions (when there are any) to drop cached copies; the CloudFront client is passed in (None
    without a distribution)."""

    def __init__(self, cloudfront: Any, distribution_ids: tuple[str, ...]):
        self._cloudfront = cloudfront
        self._distribution_ids = distribution_ids

    def purge(self, paths: list[str]) -> str:
        """Invalidate these paths in every distribution; the request id to follow them by."""
        if not self._distribution_ids:
            return UNCACHED_PREFIX + secrets.token_hex(12)
        return ID_SEPARATOR.join(
            str(self._cloudfront.create_invalidation(
                DistributionId=distribution,
                InvalidationBatch={"Paths": {"Quantity": len(paths), "Items": paths},
                                   "CallerReference": uuid.uuid4().hex},
            )["Invalidation"]["Id"])
            for distribution in self._distribution_ids
        )

    def status(self, request_id: str) -> str:
        """Completed when every invalidation is, else Pending; PurgeNotFound for an id no purge answered."""
        if request_id.startswith(UNCACHED_PREFIX):
            return COMPLETED
        ids = request_id.split(ID_SEPARATOR)
        if not self._distribution_ids or len(ids) != len(self._distribution_ids):
            raise PurgeNotFound()
        statuses = []
        for distribution, invalidation in zip(self._distribution_ids, ids, strict=True):
            try:
                found = self._cloudfront.get_invalidation(DistributionId=distribution, Id=invalidation)
            except self._cloudfront.exceptions.NoSuchInvalidation:
                raise PurgeNotFound() from None
            statuses.append(found["Invalidation"]["Status"].lower())  # InProgress, or Completed
        return COMPLETED if all(status == "completed" for status in statuses) else PENDING
