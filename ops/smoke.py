"""`python -m ops.smoke` (`make smoke`): a short end-to-end check of a stack with the hosted API's official Python SDK.

Against the running local stack (its outputs file and first key), or a deployed stack (`--stack NAME --key KEY`:
its CloudFormation outputs with the usual AWS credentials, a key from `make keys`). The SDK is given only the
stack's base URL and the private key, as the contract promises. In order, each step timed on one line:

- upload: `files.upload` of the test image Canon_40D.jpg into /smoke/<random>/, asking for its metadata,
  which must equal what imagemeta extracts from the same bytes;
- by id: `files.metadata.get(fileId)` until the ingest has written the record, the same metadata;
- by URL: `files.metadata.get_from_url` of the File object's `url` (`files.get`: the stack's distribution, or a
  presigned GET), the same again;
- similar: `GET /v1/similar?pHash=` (the SDK's own client; the hosted API has no such route) finds the upload;
- wrong key: a key the stack does not know gets the SDK's AuthenticationError (401);
- delete: `files.delete(fileId)`, then `files.metadata.get` answers 404 once the ingest has seen it.

The upload is deleted at the end whatever happened (through S3 when the API's delete did not run or failed).
Exit status 0 when every step passed, 1 at the first failure.
"""
from __future__ import annotations

import argparse
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from imagekitio import AuthenticationError, ImageKit, NotFoundError

from imagemeta import extract
from service.storage.records import file_id

from .keys import new_private_key
from .stack import Stack, deployed_stack, local_stack

REPO_ROOT = Path(__file__).resolve().parent.parent
IMAGE = REPO_ROOT / "tests" / "data" / "images" / "exif-samples" / "jpg" / "Canon_40D.jpg"


class SmokeFailure(Exception):
    """A step found the stack answering otherwise than the contract says."""


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise SmokeFailure(message)


class Smoke:
    """The steps, run in order against one stack with one key."""

    def __init__(self, stack: Stack, private_key: str, wait_seconds: float) -> None:
        self.stack = stack
        self.s3 = stack.s3
        self.bucket = stack.output("bucket")
        self.client = ImageKit(base_url=stack.output("apiUrl"), private_key=private_key)
        self.wrong_client = ImageKit(base_url=stack.output("apiUrl"), private_key=new_private_key())
        self.wait_seconds = wait_seconds
        self.folder = f"/smoke/{uuid.uuid4().hex}"
        self.key = f"{self.folder[1:]}/{IMAGE.name}"
        self.file_id = file_id(self.bucket, self.key)
        self.image = IMAGE.read_bytes()
        self.metadata: dict[str, Any] = {}
        self.deleted = False

    def upload(self) -> str:
        uploaded = self.client.files.upload(file=self.image, file_name=IMAGE.name, folder=self.folder,
                                            use_unique_file_name=False, response_fields=["metadata"])
        expect(uploaded.file_id == self.file_id, f"the upload answered fileId {uploaded.file_id}, not {self.file_id}")
        self.metadata = uploaded.metadata.to_dict() if uploaded.metadata else {}
        expect(self.metadata == extract(self.image), f"the upload's metadata differs from the image's: {self.metadata}")
        return f"{uploaded.file_path} ({len(self.image)} bytes): {self.file_id}"

    def by_id(self) -> str:
        stored = self._until(lambda metadata: metadata is not None, "no record")
        expect(stored == self.metadata, f"metadata of {self.file_id} differs from the upload's: {stored}")
        return f"{self.metadata['width']}x{self.metadata['height']} {self.metadata['format']}, as uploaded"

    def by_url(self) -> str:
        url = self.client.files.get(self.file_id).url
        if not url:
            raise SmokeFailure(f"the File object of {self.file_id} has no url (FileUrlSeconds is 0?)")
        fetched = self.client.files.metadata.get_from_url(url=url).to_dict()
        expect(fetched == self.metadata, f"metadata by URL differs from by id: {fetched}")
        return "the File object's url: the same metadata"

    def similar(self) -> str:
        found = self.client.get(
            "/v1/similar", cast_to=object, options={"params": {"pHash": self.metadata["pHash"], "maxDistance": 0}}
        )
        matches = [item["fileId"] for item in found["items"]] if isinstance(found, dict) else []
        expect(self.file_id in matches, f"/v1/similar?pHash={self.metadata['pHash']} did not find the upload: {found}")
        return f"pHash {self.metadata['pHash']}: {len(matches)} match(es), the upload among them"

    def wrong_key(self) -> str:
        try:
            self.wrong_client.files.metadata.get(self.file_id)
        except AuthenticationError as error:
            return f"refused with {error.status_code}"
        raise SmokeFailure("a key the stack does not know was accepted")

    def delete(self) -> str:
        self.client.files.delete(self.file_id)
        self.deleted = True
        self._until(lambda metadata: metadata is None, "still a record")
        return "204, then 404 from files.metadata.get"

    def _metadata_or_none(self) -> dict[str, Any] | None:
        try:
            return self.client.files.metadata.get(self.file_id).to_dict()
        except NotFoundError:
            return None

    def _until(self, done: Callable[[dict[str, Any] | None], bool], failure: str) -> dict[str, Any] | None:
        """The upload's stored metadata (None: no record) once `done` says so, within the ingest's wait."""
        deadline = time.monotonic() + self.wait_seconds
        while not done(metadata := self._metadata_or_none()):
            if time.monotonic() > deadline:
                raise SmokeFailure(f"{failure} for {self.file_id} within {self.wait_seconds:.0f} s of the change")
            time.sleep(0.5)
        return metadata

    def clean_up(self) -> None:
        if not self.deleted:
            self.s3.delete_object(Bucket=self.bucket, Key=self.key)

    def run(self) -> bool:
        steps: list[tuple[str, Callable[[], str]]] = [
            ("upload", self.upload),
            ("by id", self.by_id),
            ("by URL", self.by_url),
            ("similar", self.similar),
            ("wrong key", self.wrong_key),
            ("delete", self.delete),
        ]
        try:
            for name, step in steps:
                started = time.monotonic()
                try:
                    detail = step()
                except Exception as error:  # noqa: BLE001 - any failure of a step is the report, not a traceback
                    print(f"FAIL {name:<10} {type(error).__name__}: {error}", flush=True)
                    return False
                print(f"ok   {name:<10} {time.monotonic() - started:6.2f} s  {detail}", flush=True)
            return True
        finally:
            self.clean_up()


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m ops.smoke", description=__doc__.split("\n\n")[0])
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--stack", help="a deployed stack's name (uses the usual AWS credentials and region)")
    where.add_argument("--local", type=Path, help="the local stack's outputs file (default: the running one)")
    parser.add_argument("--key", help="the private key to call with (default: the local stack's first key)")
    parser.add_argument("--wait-seconds", type=float, default=60, help="how long the upload may take to be ingested")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.stack and not args.key:
        raise SystemExit('a deployed stack needs --key: make keys STACK=<name> KEYS="create --name smoke" makes one')
    stack = deployed_stack(args.stack) if args.stack else local_stack(args.local)
    private_key = args.key or stack.output("privateKey")
    print(f"smoke test of {stack.name} at {stack.output('apiUrl')}", flush=True)
    return 0 if Smoke(stack, private_key, args.wait_seconds).run() else 1


if __name__ == "__main__":
    sys.exit(main())
