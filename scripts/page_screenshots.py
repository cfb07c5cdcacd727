"""`make screenshots`: docs/page-desktop.png and docs/page-phone.png, the media-library page on the running local stack.

Puts a few of the test images under examples/ in the stack's bucket (a near-duplicate pair, a photo with GPS,
one with tags and custom metadata), waits for the ingest, signs in with the stack's first key as a person
would, and photographs the page: on a desktop with a photo's details open, on a phone with a folder's files.
The examples are deleted again at the end. Start the stack first (make run).
"""
from __future__ import annotations

import hashlib
import time
from pathlib import Path

import requests

from ops.stack import local_stack, local_state_path
from tests.browser import DESKTOP, PHONE, chromium

ROOT = Path(__file__).resolve().parent.parent
IMAGES = ROOT / "tests" / "data" / "images"
DOCS = ROOT / "docs"
EXAMPLES = {
    "examples/holiday/beach.jpg": (IMAGES / "phash-vectors" / "first.jpg", {}),
    "examples/holiday/beach-copy.jpg": (IMAGES / "phash-vectors" / "first-slightly-different.jpg", {}),
    "examples/holiday/tuscany.jpg": (IMAGES / "exif-samples" / "jpg" / "gps" / "DSCN0010.jpg", {}),
    "examples/cameras/Canon 40D.jpg": (IMAGES / "exif-samples" / "jpg" / "Canon_40D.jpg",
                                       {"Tagging": "camera=canon&favourite", "Metadata": {"photographer": "Ada"}}),
    "examples/cameras/reference.jpg": (IMAGES / "metadata" / "iptc-reference.jpg", {}),
}
INGEST_SECONDS = 30


def main() -> None:
    stack = local_stack(local_state_path())
    api, key, bucket = stack.output("apiUrl"), stack.output("privateKey"), stack.output("bucket")
    s3 = stack.client("s3")
    try:
        for object_key, (path, extra) in EXAMPLES.items():
            s3.put_object(Bucket=bucket, Key=object_key, Body=path.read_bytes(), **extra)
        for object_key in EXAMPLES:
            wait_for_record(api, key, hashlib.sha256(f"{bucket}/{object_key}".encode()).hexdigest()[:24])
        photograph(api, key)
    finally:
        s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": object_key} for object_key in EXAMPLES]})


def wait_for_record(api: str, key: str, file_id: str) -> None:
    deadline = time.monotonic() + INGEST_SECONDS
    while requests.get(f"{api}/v1/files/{file_id}/details", auth=(key, ""), timeout=30).status_code != 200:
        if time.monotonic() > deadline:
            raise SystemExit(f"the stack did not ingest the examples within {INGEST_SECONDS} s")
        time.sleep(0.2)


def photograph(api: str, key: str) -> None:
    with chromium() as browser:
        for device, shot in ((DESKTOP, "page-desktop.png"), (PHONE, "page-phone.png")):
            context = browser.new_context(**device)
            page = context.new_page()
            page.goto(f"{api}/")
            page.get_by_label("Private key").fill(key)
            page.get_by_label("Private key").press("Enter")
            page.get_by_role("button", name="Show the folders in examples", exact=True).click()
            page.get_by_role("button", name="holiday", exact=True).click()
            page.locator(".tile img").nth(2).wait_for()
            page.wait_for_function("[...document.querySelectorAll('.tile img')].every((image) => image.complete)")
            if device is DESKTOP:
                page.locator(".tile", has_text="beach.jpg").first.click()
                page.get_by_text("distance").wait_for()  # the near-duplicates, the last part to arrive
            page.screenshot(path=str(DOCS / shot))
            context.close()
            print(f"wrote docs/{shot}")


if __name__ == "__main__":
    main()
