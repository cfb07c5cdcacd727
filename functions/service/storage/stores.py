"""One deployment's storage: its bucket and table, and the stores over them, each made on first use.

A handler's build() makes one Stores from its settings and the process's clients (handlers/clients.py) and
hands it to the routes or the ingest; a function pays only for the stores its code touches.
"""
from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Protocol

from .library_pages import Pages
from .listings import Listings
from .overflow import OverflowStore
from .records import RecordStore
from .seeds import Seeds
from .similar_index import SimilarIndex
from .thumbnails import ThumbnailStore

if TYPE_CHECKING:
    from types_boto3_dynamodb import DynamoDBClient
    from types_boto3_s3 import S3Client


class StorageClients(Protocol):
    """The AWS clients storage needs (handlers.clients.AwsClients, or moto's in tests)."""

    @property
    def s3(self) -> S3Client: ...

    @property
    def dynamodb(self) -> DynamoDBClient: ...



class Stores:
    """The stores over one bucket and table."""

    def __init__(self, clients: StorageClients, bucket: str, table: str, *, search_max_records: int = 0,
                 similar_bands: bool = False) -> None:
        self.clients = clients
        self.bucket = bucket
        self.table = table
        self._search_max_records = search_max_records
        self._similar_bands = similar_bands

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
    def similar(self) -> SimilarIndex:
        return SimilarIndex(self.clients.dynamodb, self.table, bands=self._similar_bands)
