"""The similar-image routes over HTTP on the local stack, against brute force on a smaller synthetic set."""
from __future__ import annotations

from typing import Any

import boto3
import pytest

from imagemeta.similar import MAX_DISTANCE
from service.storage.library_pages import Pages

from ..records import image_metadata, record_store, write_record
from ..synthetic_hashes import HashSet, planted_hashes
from .local_stack import LocalStack

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def local_stack(own_local_stack: LocalStack) -> LocalStack:
    """This module's own stack: its 300 records would slow every later index search on the shared one."""
    return own_local_stack


@pytest.fixture(scope="module")
def hash_set(local_stack: LocalStack) -> HashSet:
    """300 records (120 of them planted near the queries) written with the ingest's own conditional put, and
    their library pages (the local stack runs SimilarIndex=scan, the default: the search compares them all)."""
    hashes = planted_hashes(total=300, queries=3, seed=11, bucket=local_stack.bucket)
    dynamodb = boto3.client(
        "dynamodb",
        endpoint_url=local_stack.aws_endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    store = record_store(dynamodb, local_stack.s3(), local_stack.table, local_stack.bucket)
    pages = Pages(dynamodb, local_stack.table)
    for n, (fid, phash) in enumerate(hashes.files):
        assert write_record(store, pages, hashes.paths[fid], n + 1, metadata=image_metadata(1, 1, 1, phash))
    return hashes


def search(stack: LocalStack, params: dict[str, str]) -> dict[str, Any]:
    response = stack.get("/v1/similar", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_search_at_the_maximum_distance_is_the_brute_force_answer(local_stack: LocalStack, hash_set: HashSet) -> None:
    for query in hash_set.queries[:2]:
        body = search(local_stack, {"pHash": query, "maxDistance": str(MAX_DISTANCE), "limit": "100"})
        assert body["next"] is None
        assert [(i["distance"], i["fileId"]) for i in body["items"]] == hash_set.brute_force(query, MAX_DISTANCE)


def test_pages_of_the_default_search_join_into_the_brute_force_answer(local_stack: LocalStack, hash_set: HashSet) -> None:
    query = hash_set.queries[2]
    items: list[dict[str, Any]] = []
    params = {"pHash": query, "limit": "10"}
    while True:
        body = search(local_stack, params)
        items.extend(body["items"])
        if body["next"] is None:
            break
        params["cursor"] = body["next"]
    assert [(i["distance"], i["fileId"]) for i in items] == hash_set.brute_force(query, 8)
    assert {i["path"] for i in items} == {hash_set.paths[i["fileId"]] for i in items}


def test_a_file_that_does_not_exist_is_404(local_stack: LocalStack) -> None:
    response = local_stack.get(f"/v1/files/{'0' * 24}/similar")
    assert response.status_code == 404
    assert response.json()["message"] == "The requested file does not exist or is inaccessible at this time."
