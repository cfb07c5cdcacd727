"""The media-library page: GET / (its HTML) and GET /web/{name} (its scripts, style and icons).

Served to anyone: the page holds no secret, it asks for a private key and calls the API with it, like the
SDKs. Every answer carries a strict Content-Security-Policy: scripts and styles from this origin only (no
inline code), requests to this origin only, images from here and from the origins of the files' urls, and
no framing.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from imagemeta.errors import ImageMetaError

from .error_map import error_body
from .resolver import JSON

PAGE = "index.html"
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
}


@dataclass(frozen=True)
class Asset:
    """One file of the page, read at cold start."""

    content_type: str
    body: str


def load_assets(folder: Path) -> dict[str, Asset]:
    """Every file of the page's folder by name; the only names the routes answer (no path reaches the disk)."""
    return {
        path.name: Asset(CONTENT_TYPES[path.suffix], path.read_text(encoding="utf-8"))
        for path in sorted(folder.iterdir())
        if path.suffix in CONTENT_TYPES
    }


def content_security_policy(image_origins: Iterable[str]) -> str:
    """The policy of every answer. Trusted Types with no policy forbid HTML strings in the DOM (innerHTML and
    the like): the page builds its elements one by one, so text from the API can never become markup."""
    directives = {
        "default-src": ["'none'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:", *image_origins],
        "connect-src": ["'self'"],
        "base-uri": ["'none'"],
        "form-action": ["'none'"],
        "frame-ancestors": ["'none'"],
        "require-trusted-types-for": ["'script'"],
        "trusted-types": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


def security_headers(policy: str) -> dict[str, str]:
    return {
        "Content-Security-Policy": policy,
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",  # frame-ancestors for browsers that predate it
        "Referrer-Policy": "no-referrer",  # a file's presigned url never reaches another site
        "Cross-Origin-Opener-Policy": "same-origin",
        # Always revalidated: a deployment's page and its scripts never mix with an older one's.
        "Cache-Control": "no-cache",
    }


def router(assets: Mapping[str, Asset], policy: str) -> Router:
    """GET / and GET /web/{name}: the page's files (load_assets) under the policy (content_security_policy).

    Unlike the API's route modules it takes no ApiDeps: the page reads no library and no image."""
    routes = Router()
    headers = security_headers(policy)

    def serve(asset: Asset) -> Response:
        return Response(status_code=200, content_type=asset.content_type, body=asset.body, headers=headers)

    @routes.get("/")
    def page() -> Response:
        # The page's assets are relative to it ("web/app.js"), so it must be read from a path ending in "/":
        # API Gateway routes https://host/api (the stage, no slash) here too, where they would miss the stage.
        requested = routes.current_event.raw_event.get("requestContext", {}).get("path")
        if requested and not requested.endswith("/"):
            return Response(status_code=301, headers={**headers, "Location": requested + "/"})
        return serve(assets[PAGE])

    @routes.get("/web/<name>")
    def asset(name: str) -> Response:
        found = assets.get(name) if name != PAGE else None
        if found is None:
            error = ImageMetaError(f"The page has no file {name!r}.", help="Open the page at the API's base URL.")
            return Response(status_code=404, content_type=JSON, body=error_body(error), headers=headers)
        return serve(found)

    return routes
