"""BatchGetItem by fileId, in chunks of 100, retrying the keys DynamoDB leaves unprocessed."""
from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

# BatchGetItem takes at most 100 keys.
BATCH_GET_KEYS = 100
UNPROCESSED_RETRIES = 5


def batch_get(
    dynamodb: Any,
    table: str,
    file_ids: Iterable[str],
    projection: str | None = None,
    names: dict[str, str] | None = None,
    consistent: bool = False,
) -> tuple[dict[str, dict[str, Any]], int]:
    """The items of these fileIds that exist (by fileId), and the BatchGetItem calls it took."""
    wanted = list(dict.fromkeys(file_ids))
    items: dict[str, dict[str, Any]] = {}
    calls = 0
    for start in range(0, len(wanted), BATCH_GET_KEYS):
        request: dict[str, Any] = {
            "Keys": [{"fileId": {"S": fid}} for fid in wanted[start : start + BATCH_GET_KEYS]],
            "ConsistentRead": consistent,
        }
        if projection:
            request["ProjectionExpression"] = projection
        if names:
            request["ExpressionAttributeNames"] = names
        for attempt in range(UNPROCESSED_RETRIES + 1):
            response = dynamodb.batch_get_item(RequestItems={table: request})
            calls += 1
            items.update((item["fileId"]["S"], item) for item in response["Responses"].get(table, []))
            unprocessed = response.get("UnprocessedKeys", {}).get(table)
            if not unprocessed:
                break
            if attempt == UNPROCESSED_RETRIES:
                raise RuntimeError(f"BatchGetItem left keys unprocessed after {UNPROCESSED_RETRIES} retries")
            request["Keys"] = unprocessed["Keys"]
            time.sleep(0.05 * 2**attempt)  # throttled: back off before asking for the rest
    return items, calls
