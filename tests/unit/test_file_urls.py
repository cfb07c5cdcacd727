"""The urls of files and thumbnails: stable public ones, CloudFront signed ones for private files, presigned S3 GETs
without a distribution; and which types a browser may show in place."""
from __future__ import annotations

import base64
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
from botocore.config import Config
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from handlers.settings import FilesSettings, PageSettings
from imagemeta.settings import ConfigError
from service.storage.delivery import DEFAULT_INLINE_TYPES, Delivery, shown_inline, url_path
from service.storage.file_urls import EXPIRY_STEP_SECONDS, FileUrls

BUCKET = "uploads"
KEY = "photos/Canon 40D.jpg"
PARAMETER = "/imagemeta/stack/signing-keys/k1/private"
PRIVATE_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
PEM = PRIVATE_KEY.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
SIGNING = Delivery(public_url="https://dpublic.cloudfront.net", signed_url="https://dsigned.cloudfront.net",
                   signing_key_id="K2JCJMDEHXQW5F", signing_key_parameter=PARAMETER)
NOW = 1_800_000_000.0


@pytest.fixture()
def s3(monkeypatch: pytest.MonkeyPatch):
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(name, value)
    return boto3.client("s3", config=Config(signature_version="s3v4"))


def urls(s3, delivery: Delivery, seconds: int = 3600, read: list[str] | None = None) -> FileUrls:
    def parameter(name: str) -> str:
        (read if read is not None else []).append(name)
        return PEM

    return FileUrls(s3, BUCKET, seconds, delivery, parameter, clock=lambda: NOW)


def test_a_public_file_has_a_stable_url_at_its_path(s3) -> None:
    found = urls(s3, SIGNING).of(KEY, "v1", "image/jpeg", private=False)
    assert found == "https://dpublic.cloudfront.net/photos/Canon%2040D.jpg"
    # It needs no signature, so FILE_URL_SECONDS 0 keeps it; the edge makes an HTML file an attachment.
    assert urls(s3, SIGNING, seconds=0).of(KEY, None, "text/html", private=False) == found


def test_a_private_file_has_a_cloudfront_signed_url_that_verifies_with_the_public_key(s3) -> None:
    read: list[str] = []
    found = urls(s3, SIGNING, read=read).of(KEY, "v1", "image/jpeg", private=True)
    parts = urlsplit(found)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "dsigned.cloudfront.net", "/photos/Canon%2040D.jpg")
    query = {name: values[0] for name, values in parse_qs(parts.query).items()}
    assert set(query) == {"Expires", "Signature", "Key-Pair-Id"} and read == [PARAMETER]
    assert query["Key-Pair-Id"] == "K2JCJMDEHXQW5F"
    expires = int(query["Expires"])
    # FILE_URL_SECONDS from now, rounded up to the grid, so a page listed again within the step gives the same URLs.
    assert NOW + 3600 <= expires < NOW + 3600 + EXPIRY_STEP_SECONDS and expires % EXPIRY_STEP_SECONDS == 0
    policy = ('{"Statement":[{"Resource":"https://dsigned.cloudfront.net/photos/Canon%2040D.jpg",'
              f'"Condition":{{"DateLessThan":{{"AWS:EpochTime":{expires}}}}}}}]}}')
    signature = base64.b64decode(query["Signature"].translate(str.maketrans("-_~", "+=/")))
    PRIVATE_KEY.public_key().verify(signature, policy.encode(), padding.PKCS1v15(), hashes.SHA1())  # noqa: S303


def test_signatures_are_computed_once_a_step_and_the_key_read_once(s3) -> None:
    read: list[str] = []
    made = urls(s3, SIGNING, read=read)
    first = made.of(KEY, None, "image/jpeg", private=True)
    assert made.of(KEY, None, "image/jpeg", private=True) == first
    assert made.thumbnail("_imagemeta/thumbnails/abc/e-1.webp", private=True) != first
    assert read == [PARAMETER]


def test_without_a_signing_key_a_private_file_gets_a_presigned_get_of_its_version(s3) -> None:
    public_only = Delivery(public_url="https://dpublic.cloudfront.net")
    found = urlsplit(urls(s3, public_only).of(KEY, "v7", "image/jpeg", private=True))
    query = parse_qs(found.query)
    assert found.netloc == f"{BUCKET}.s3.amazonaws.com" and query["versionId"] == ["v7"]
    assert query["X-Amz-Expires"] == ["3600"] and "response-content-disposition" not in query
    assert urls(s3, public_only, seconds=0).of(KEY, "v7", "image/jpeg", private=True) is None


@pytest.mark.parametrize("content_type", ["text/html", "image/svg+xml", "application/xhtml+xml", "text/xml",
                                          "application/javascript", "application/pdf", "", "Text/HTML; charset=utf-8"])
def test_a_presigned_get_of_a_type_a_browser_would_run_is_an_attachment(s3, content_type: str) -> None:
    query = parse_qs(urlsplit(urls(s3, Delivery()).of(KEY, None, content_type, private=False)).query)
    assert query["response-content-disposition"] == ["attachment"]


@pytest.mark.parametrize(("content_type", "inline"), [
    ("image/jpeg", True), ("IMAGE/PNG; q=1", True), ("video/mp4", True), ("text/plain; charset=utf-8", True),
    ("image/svg+xml", False), ("text/html", False), ("application/octet-stream", False), ("", False),
    ("text/plain+html", False),
])
def test_only_pictures_sound_video_and_plain_text_are_shown_in_place(content_type: str, inline: bool) -> None:
    assert shown_inline(content_type, DEFAULT_INLINE_TYPES) is inline


@pytest.mark.parametrize(("key", "path"), [
    ("a b/ü+%?#.jpg", "/a%20b/%C3%BC%2B%25%3F%23.jpg"), ("a//b", "/a//b"), ("a/../b/./c", "/a/%2E%2E/b/%2E/c"),
    ("_imagemeta/thumbnails/f/e-1.webp", "/_imagemeta/thumbnails/f/e-1.webp"),
])
def test_a_url_path_names_exactly_its_key(key: str, path: str) -> None:
    assert url_path(key) == path


def test_the_delivery_settings_come_from_the_template_variables() -> None:
    env = {"BUCKET_NAME": "b", "TABLE_NAME": "t", "DELIVERY_DOMAIN": "dpublic.cloudfront.net",
           "SIGNED_DELIVERY_DOMAIN": "dsigned.cloudfront.net", "SIGNING_KEY_ID": "K1",
           "SIGNING_KEY_PARAMETER": PARAMETER, "INLINE_CONTENT_TYPES": "image/jpeg, Video/MP4"}
    delivery = FilesSettings.from_env(env).delivery
    assert delivery == Delivery("https://dpublic.cloudfront.net", "https://dsigned.cloudfront.net", "K1", PARAMETER,
                                frozenset({"image/jpeg", "video/mp4"}))
    assert FilesSettings.from_env({**env, "DELIVERY_SCHEME": "http"}).delivery.public_url.startswith("http://")
    # No distribution: every variable empty, as the template sets them with FileDelivery=PresignedS3.
    empty = {**env, "DELIVERY_DOMAIN": "", "SIGNED_DELIVERY_DOMAIN": "", "SIGNING_KEY_ID": "", "SIGNING_KEY_PARAMETER": ""}
    assert FilesSettings.from_env(empty).delivery.public_url == ""
    with pytest.raises(ConfigError, match="SIGNED_DELIVERY_DOMAIN"):
        FilesSettings.from_env({**env, "SIGNING_KEY_PARAMETER": ""})
    # The page shows pictures from both distributions.
    page = PageSettings.from_env({"FILE_URL_ORIGINS": "https://b.s3.amazonaws.com", **env})
    assert page.file_url_origins == ("https://b.s3.amazonaws.com", "https://dpublic.cloudfront.net",
                                     "https://dsigned.cloudfront.net")
