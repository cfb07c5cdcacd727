"""The `url` of a file and of its thumbnail, as the deployment's Delivery says (delivery.py): public, CloudFront
signed, or presigned S3.

Loaded by the functions that hand out urls (the files and upload functions) only: signing imports botocore's
CloudFrontSigner and cryptography's RSA, the first time a private file is served.
"""
from __future__ import annotations

import math
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .delivery import Delivery, shown_inline, url_path

if TYPE_CHECKING:
    from botocore.signers import CloudFrontSigner

# Signed URLs expire on a grid: the same file listed twice within a step gets the same URL.
EXPIRY_STEP_SECONDS = 300
# Signatures kept per process (RSA signing costs about 1 ms; a page of 1,000 private files, 1 s).
SIGNATURES_KEPT = 4096


class FileUrls:
    """The `url` of a file and of its thumbnail, as `Delivery` says; `read_parameter` reads the signing key (SSM)."""

    def __init__(self, s3: Any, bucket: str, seconds: int, delivery: Delivery,
                 read_parameter: Callable[[str], str], clock: Callable[[], float] = time.time) -> None:
        self._s3, self._bucket, self._seconds, self._delivery = s3, bucket, seconds, delivery
        self._read_parameter, self._clock = read_parameter, clock
        self._signer: CloudFrontSigner | None = None
        self._signed = lru_cache(maxsize=SIGNATURES_KEPT)(self._sign)

    def of(self, key: str, version_id: str | None, content_type: str, private: bool) -> str | None:
        """The file's URL: public, signed, or presigned (pinned to `version_id`); None when it would need a
        signature and FILE_URL_SECONDS is 0."""
        delivery = self._delivery
        if delivery.public_url and not private:
            return delivery.public_url + url_path(key)
        if not self._seconds:
            return None
        if delivery.public_url and delivery.signs:
            return self._signed(delivery.signed_url + url_path(key), self._expiry())
        return self._presigned(key, version_id, content_type)

    def thumbnail(self, key: str | None, private: bool) -> str | None:
        """The URL of a thumbnail's key (None for none), served as its file is."""
        return self.of(key, None, "image/webp", private) if key else None

    def _presigned(self, key: str, version_id: str | None, content_type: str) -> str:
        params: dict[str, Any] = {"Bucket": self._bucket, "Key": key}
        if version_id:
            params["VersionId"] = version_id
        if not shown_inline(content_type, self._delivery.inline_types):
            params["ResponseContentDisposition"] = "attachment"
        return str(self._s3.generate_presigned_url("get_object", Params=params, ExpiresIn=self._seconds))

    def _expiry(self) -> int:
        """FILE_URL_SECONDS from now, rounded up to the step."""
        return math.ceil((self._clock() + self._seconds) / EXPIRY_STEP_SECONDS) * EXPIRY_STEP_SECONDS

    def _sign(self, url: str, expires: int) -> str:
        """A CloudFront signed URL (canned policy) of `url` until `expires` (epoch seconds)."""
        if self._signer is None:
            from botocore.signers import CloudFrontSigner  # with the first private file

            self._signer = CloudFrontSigner(self._delivery.signing_key_id,
                                            rsa_signer(self._read_parameter(self._delivery.signing_key_parameter)))
        return str(self._signer.generate_presigned_url(url, date_less_than=datetime.fromtimestamp(expires, UTC)))


def rsa_signer(private_key_pem: str) -> Callable[[bytes], bytes]:
    """CloudFront's signature of a policy: RSA PKCS#1 v1.5 over SHA-1, with the key group's private key."""
    from cryptography.hazmat.primitives import hashes, serialization  # only when a private file is served
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    key = serialization.load_pem_private_key(private_key_pem.encode(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("the signing key is not an RSA private key")
    return lambda message: key.sign(message, padding.PKCS1v15(), hashes.SHA1())  # noqa: S303 - CloudFront's algorithm


def secure_parameter(ssm: Any, name: str) -> str:
    """An SSM SecureString's value (the signing key: read once, when the first private file is served)."""
    return str(ssm.get_parameter(Name=name, WithDecryption=True)["Parameter"]["Value"])
