"""moto's band-index Queries without its whole-table scan, for the similar-search tests and benchmark.

moto answers each index Query by sorting every item of the table and testing each against the key condition:
a 12-bit search is 1,108 Queries, so at 600 records that is most of a test's 20 s, at 20,000 records minutes.
While no record changes, the lookup hands moto's own query code only the items of the queried band bucket, so
each Query is answered by the same code, over the only items that could match.
"""
from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest.mock import patch

from moto.core import DEFAULT_ACCOUNT_ID
from moto.dynamodb.models import dynamodb_backends
from moto.dynamodb.models.table import Table

from service.storage.similar_index import BAND_ATTRIBUTES

REGION = "us-east-1"


def moto_table(name: str) -> Table:
    """The running mock's table of that name (moto's own object)."""
    return dynamodb_backends[DEFAULT_ACCOUNT_ID][REGION].tables[name]


def replace_moto_table(name: str, table: Table) -> None:
    """Put a table kept from an earlier mock in place of the running mock's table of that name."""
    dynamodb_backends[DEFAULT_ACCOUNT_ID][REGION].tables[name] = table


@contextmanager
def band_lookup_for_moto(table_name: str) -> Iterator[None]:
    """While no record changes: moto's band-index Queries on this table see only the queried bucket's items.

    Fails on leaving if the table was written meanwhile, since the buckets would then have been stale.
    """
    table = moto_table(table_name)
    before = [item.to_json() for item in table.all_items()]
    buckets: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for item in table.all_items():
        for name in BAND_ATTRIBUTES:
            if name in item.attrs:  # folder items are in no band index
                buckets[name, item.attrs[name].value].append(item)
    current = threading.local()  # the similar search queries from a thread pool: each thread its own bucket
    original_query, original_all_items = Table.query, Table.all_items

    def query(self: Table, *args: Any, **kwargs: Any) -> Any:
        keys = dict(kwargs.get("hash_key_conditions") or [])
        band = next((name for name in keys if name in BAND_ATTRIBUTES), None)  # a band index's key is its band
        if self is table and band:
            current.bucket = buckets.get((band, keys[band].value), [])
        try:
            return original_query(self, *args, **kwargs)
        finally:
            current.bucket = None

    def all_items(self: Table) -> list[Any]:
        bucket = getattr(current, "bucket", None)
        return list(bucket) if bucket is not None else original_all_items(self)

    with patch.object(Table, "query", query), patch.object(Table, "all_items", all_items):
        yield
    assert [item.to_json() for item in table.all_items()] == before, f"{table_name} was written during the band lookup"
