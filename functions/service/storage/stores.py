"""One deployment's storage: its bucket and table, and the stores over them, each made on first use.

A handler's build() makes one Stores from its settings and the process's clients (handlers/clients.py) and
hands it to the routes or the ingest; a function pays only for the stores its code touches.
"""
from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any, Protocol

from .cdn import Purges
from .fields import FieldCache, FieldStore
from .folders import FolderItems
from .jobs import JobQueue, JobStore
from .library_pages import Pages
from .listings import Listings
from .overflow import OverflowStore
from .records import RecordStore
from .seeds import Seeds
from .similar_index import SimilarIndex
from .thumbnails import ThumbnailStore
from .tokens import UsedTokens
from .transfers import Transfers

if TYPE_CHECKING:
    from types_boto3_dynamodb import DynamoDBClient
    from types_boto3_s3 import S3Client
    from types_boto3_sqs import SQSClient


class StorageClients(Protocol):
    """The AWS clients storage needs (handlers.clients.AwsClients, or moto's in tests)."""

    @property
    def s3(self) -> S3Client: ...

    @property
    def dynamodb(self) -> DynamoDBClient: ...

    @property
    def sqs(self) -> SQSClient: ...

    @property
    def cloudfront(self) -> Any: ...  # no stubs installed for CloudFront: its two calls are in cdn.py


class Stores:
    """The stores over one bucket and table."""

    def __init__(self, clients: StorageClients, bucket: str, table: str, *, search_max_records: int = 0,
                 similar_bands: bool = False, jobs_queue_url: str = "",
                 distribution_ids: tuple[str, ...] = ()) -> None:
        self.clients = clients
        self.bucket = bucket
        self.table = table
        self._search_max_records = search_max_records
        self._similar_bands = similar_bands
        self._jobs_queue_url = jobs_queue_url
        self._distribution_ids = distribution_ids

    @cached_property
    def records(self) -> RecordStore:
        overflow = OverflowStore(self.clients.s3, self.bucket)
        return RecordStore(self.clients.dynamodb, self.table, self.bucket, overflow, thumbnails=self.thumbnails,
                           bands=self._similar_bands)

    @cached_property
    def thumbnails(self) -> ThumbnailStore:
        return ThumbnailStore(self.clients.s3, self.bucket)

    @cached_property
    def listings(self) -> Listings:
        return Listings(self.clients.dynamodb, self.table, self.bucket, self._search_max_records, self.records)

    @cached_property
    def seeds(self) -> Seeds:
        return Seeds(self.clients.dynamodb, self.table)

    @cached_property
    def pages(self) -> Pages:
        return Pages(self.clients.dynamodb, self.table)

    @cached_property
    def fields(self) -> FieldStore:
        return FieldStore(self.clients.dynamodb, self.table)

    @cached_property
    def field_cache(self) -> FieldCache:
        """The custom metadata fields as this process keeps them (a short TTL: storage/fields.py)."""
        return FieldCache(self.fields)

    @cached_property
    def tokens(self) -> UsedTokens:
        return UsedTokens(self.clients.dynamodb, self.table)

    @cached_property
    def similar(self) -> SimilarIndex:
        return SimilarIndex(self.clients.dynamodb, self.table, bands=self._similar_bands)

    @cached_property
    def folders(self) -> FolderItems:
        return FolderItems(self.clients.dynamodb, self.table, self.bucket)

    @cached_property
    def jobs(self) -> JobStore:
        return JobStore(self.clients.dynamodb, self.table)

    @cached_property
    def job_queue(self) -> JobQueue:
        if not self._jobs_queue_url:
            raise RuntimeError("a folder job was started in a function without the jobs queue")
        return JobQueue(self.clients.sqs, self._jobs_queue_url)

    @cached_property
    def purges(self) -> Purges:
        return Purges(self.clients.cloudfront if self._distribution_ids else None, self._distribution_ids)

    @cached_property
    def transfers(self) -> Transfers:
        return Transfers(self.clients.s3, self.bucket, self.records, self.seeds)
