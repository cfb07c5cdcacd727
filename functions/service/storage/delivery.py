"""Where files are served from (the deployment's Delivery), and what may be shown in place: the settings and rules
file_urls.py makes a file's and a thumbnail's URLs by, and the local stack's distributions answer by.

With the stack's CloudFront distributions (template.yaml, docs/deploy.md "Delivery"):

- a public file's `url` is `https://<public distribution>/<key>`: stable, no expiry, cached at the edge;
- a private file (its object tagged `imagemeta-private`, which the bucket policy refuses to the public
  distribution) gets a CloudFront signed URL of the signed distribution, expiring FILE_URL_SECONDS from now,
  rounded up to EXPIRY_STEP_SECONDS so that a page listed again gives the same URLs (a browser's cache holds,
  and the signature is computed once a step);
- thumbnails likewise, at their key under `_imagemeta/thumbnails/`.

Without a distribution every URL is a presigned S3 GET of the file's version, as without a signing key the
private files' are; a presigned GET of a type a browser must not render (anything but INLINE_CONTENT_TYPES)
asks S3 for `Content-Disposition: attachment`, as the distributions' edge function does for every response.
FILE_URL_SECONDS 0 answers null wherever a URL would need a signature.

Every function reads its settings through this module (handlers/settings.py), so it imports nothing but the
standard library.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote

# Media types a browser may show in place: pictures, sound and video, and text it will not run (the delivery
# answers `X-Content-Type-Options: nosniff`). Anything else (HTML, SVG, XML, PDF, scripts, an unknown or
# missing type) is answered `Content-Disposition: attachment`. template.yaml's InlineContentTypes default.
DEFAULT_INLINE_TYPES = frozenset({
    "image/jpeg", "image/png", "image/gif", "image/webp", "image/avif", "image/bmp", "image/tiff", "image/heic",
    "image/heif", "image/vnd.microsoft.icon", "image/x-icon", "video/mp4", "video/webm", "video/quicktime",
    "audio/mpeg", "audio/mp4", "audio/ogg", "audio/wav", "audio/webm", "text/plain",
})


def shown_inline(content_type: str, inline_types: frozenset[str]) -> bool:
    """Whether a response of this Content-Type may be displayed in place (else it is made an attachment)."""
    return content_type.split(";", 1)[0].strip().lower() in inline_types


def parse_inline_types(text: str) -> frozenset[str]:
    """INLINE_CONTENT_TYPES (comma-separated media types) as the set shown_inline reads."""
    return frozenset(part.strip().lower() for part in text.split(",") if part.strip())


def url_path(key: str) -> str:
    """The URL path of an object key, as S3 (behind CloudFront) decodes it back to the key: every byte but
    unreserved characters and "/" percent-encoded, and "." and ".." segments too, which a client would resolve."""
    return "/" + "/".join(quote(segment, safe="") if segment not in (".", "..") else segment.replace(".", "%2E")
                          for segment in key.split("/"))


@dataclass(frozen=True)
class Delivery:
    """The deployment's delivery: base URLs of its distributions, the signing key, the types shown in place."""

    public_url: str = ""  # "https://d111111abcdef8.cloudfront.net"; "" without a distribution
    signed_url: str = ""  # the signed distribution's; "" without a signing key
    signing_key_id: str = ""  # the CloudFront public key's id
    signing_key_parameter: str = ""  # the SSM SecureString holding the private key (PEM)
    inline_types: frozenset[str] = field(default=DEFAULT_INLINE_TYPES)

    @property
    def signs(self) -> bool:
        return bool(self.signed_url and self.signing_key_id and self.signing_key_parameter)
