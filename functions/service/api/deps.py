"""What the routes use, in one typed object that each handler's build() makes once per process.

Every route module exposes `router(deps) -> Router`, and a handler includes the routers of its function
(handlers/*.py). A function that has no storage (the URL function) leaves `stores` unset; a route that needs
it asks through `deps.storage`, which names the wiring mistake instead of failing on None.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from aws_lambda_powertools import Logger

from imagemeta.fetch.policy import FetchSettings
from imagemeta.limits import DEFAULT_LIMITS, Limits

if TYPE_CHECKING:  # the URL function has no storage: it does not import it
    from ..storage.file_urls import FileUrls
    from ..storage.stores import Stores


class SignatureCheck(Protocol):
    """The key a client-side upload's public key names, able to check its signature (service.auth.keys)."""

    @property
    def key_id(self) -> str: ...

    def verifies(self, message: str, claimed: str) -> bool: ...


class SigningKeys(Protocol):
    """Where the upload route finds the key of a public key (service.auth.keys.KeyStore; the API room never
    imports the auth room: handlers wire it in)."""

    def signing_key(self, public_key: str) -> SignatureCheck | None: ...


@dataclass(frozen=True)
class ApiDeps:
    """The logger, the deployment's stores, the urls of its files (the routes that hand them out), the image limits
    and fetch policy of routes that read images, and the keys that sign client-side uploads (the upload function
    only)."""

    logger: Logger
    stores: Stores | None = None
    limits: Limits = DEFAULT_LIMITS
    fetch: FetchSettings = field(default_factory=FetchSettings)
    signing_keys: SigningKeys | None = None
    urls: FileUrls | None = None
    make_thumbnails: bool = True  # the upload's: Thumbnails=Off makes none

    @property
    def storage(self) -> Stores:
        if self.stores is None:
            raise RuntimeError("a route that reads or writes the library was wired into a function without storage")
        return self.stores

    @property
    def file_urls(self) -> FileUrls:
        if self.urls is None:
            raise RuntimeError("a route that hands out file urls was wired into a function that makes none")
        return self.urls
