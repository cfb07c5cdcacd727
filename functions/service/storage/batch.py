"""BatchGetItem by key, in chunks of 100, retrying the keys DynamoDB leaves unprocessed."""
from __future__ import annotations

import time
from typing import Any

# BatchGetItem takes at most 100 keys.
BATCH_GET_KEYS = 100
UNPROCESSED_RETRIES = 5

Key = dict[str, Any]


def batch_get(
    dynamodb: Any,
    table: str,
    keys: list[Key],
    projection: str | None = None,
    names: dict[str, str] | None = None,
    consistent: bool = False,
) -> tuple[list[dict[str, Any]], int]:
    """The items of these keys that exist (in no particular order), and the BatchGetItem calls it took."""
    wanted = list({(key["pk"]["S"], key["sk"]["S"]): key for key in keys}.values())
    items: list[dict[str, Any]] = []
    calls = 0
    for start in range(0, len(wanted), BATCH_GET_KEYS):
        request: dict[str, Any] = {"Keys": wanted[start : start + BATCH_GET_KEYS], "ConsistentRead": consistent}
        if projection:
            request["ProjectionExpression"] = projection
        if names:
            request["ExpressionAttributeNames"] = names
        for attempt in range(UNPROCESSED_RETRIES + 1):
            response = dynamodb.batch_get_item(RequestItems={table: request})
            calls += 1
            items.extend(response["Responses"].get(table, []))
            unprocessed = response.get("UnprocessedKeys", {}).get(table)
            if not unprocessed:
                break
            if attempt == UNPROCESSED_RETRIES:
                raise RuntimeError(f"BatchGetItem left keys unprocessed after {UNPROCESSED_RETRIES} retries")
            request["Keys"] = unprocessed["Keys"]
            time.sleep(0.05 * 2**attempt)  # throttled: back off before asking for the rest
    return items, calls
