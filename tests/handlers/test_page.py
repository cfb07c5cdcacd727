"""PageFunction with events/page.json: the page and each file it loads, under their security headers."""
from __future__ import annotations

import json
import re

import pytest

from handlers import page
from handlers.settings import PageSettings
from imagemeta.settings import ConfigError

from .conftest import lambda_context, load_event

ORIGINS = "https://uploads.s3.us-east-1.amazonaws.com https://uploads.s3.amazonaws.com"
HANDLER = page.build(PageSettings.from_env({"FILE_URL_ORIGINS": ORIGINS}))


def get(path: str, stage_path: str | None = None) -> dict:
    """events/page.json asking for another path of the page (`stage_path`: the path the browser asked for)."""
    event = load_event("page.json")
    resource = "/web/{name}" if path.startswith("/web/") else "/"
    event.update(path=path, resource=resource, pathParameters={"name": path[5:]} if resource != "/" else None)
    event["requestContext"].update(path=stage_path or f"/api{path}", resourcePath=resource)
    return HANDLER(event, lambda_context())


def header(response: dict, name: str) -> str:
    (value,) = response["multiValueHeaders"][name]
    return value


def directives(response: dict) -> dict[str, list[str]]:
    policy = header(response, "Content-Security-Policy")
    return {name: sources for name, *sources in (part.split() for part in policy.split(";"))}


def test_the_page_is_served_without_a_key_under_a_strict_policy() -> None:
    response = HANDLER(load_event("page.json"), lambda_context())

    assert response["statusCode"] == 200
    assert header(response, "Content-Type") == "text/html; charset=utf-8"
    assert response["body"].startswith("<!doctype html>") and "<title>Media library</title>" in response["body"]
    policy = directives(response)
    assert policy["default-src"] == ["'none'"]
    assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
    assert policy["connect-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:", "blob:", *ORIGINS.split()]
    assert policy["frame-ancestors"] == ["'none'"] and policy["base-uri"] == ["'none'"]
    assert policy["require-trusted-types-for"] == ["'script'"]
    assert header(response, "X-Content-Type-Options") == "nosniff"
    assert header(response, "X-Frame-Options") == "DENY"
    assert header(response, "Referrer-Policy") == "no-referrer"
    # No inline script or style for the policy to refuse: every script and style is a file of the page.
    assert not re.search(r"<script(?![^>]*\bsrc=)", response["body"]) and "<style" not in response["body"]
    assert " style=" not in response["body"] and not re.search(r"\son[a-z]+=", response["body"])


def referenced_files() -> set[str]:
    """Every file the page names: in its HTML (href, src) and in its scripts (imports, icons)."""
    html = get("/")["body"]
    names = set(re.findall(r'(?:href|src)="web/([^"]+)"', html))
    pending = [name for name in names if name.endswith(".js")]
    while pending:
        script = get(f"/web/{pending.pop()}")["body"]
        for name in set(re.findall(r'from "\./([^"]+)"', script)) | set(re.findall(r'"web/([^"]+)"', script)):
            if name not in names:
                names.add(name)
                pending += [name] if name.endswith(".js") else []
    return names


def test_every_file_the_page_names_is_served_with_its_type_and_policy() -> None:
    names = referenced_files()

    assert {"main.js", "api.js", "style.css", "icon.svg", "file.svg"} <= names
    for name in names:
        response = get(f"/web/{name}")
        assert response["statusCode"] == 200, name
        expected = {"js": "text/javascript; charset=utf-8", "css": "text/css; charset=utf-8", "svg": "image/svg+xml"}
        assert header(response, "Content-Type") == expected[name.rsplit(".", 1)[1]], name
        assert header(response, "X-Content-Type-Options") == "nosniff"
        assert "default-src 'none'" in header(response, "Content-Security-Policy")


@pytest.mark.parametrize("name", ["nope.js", "index.html", "..%2Fhandlers%2Fpage.py"])
def test_a_file_the_page_does_not_have_is_a_404_in_the_contract_s_body(name: str) -> None:
    response = get(f"/web/{name}")

    assert response["statusCode"] == 404
    assert header(response, "Content-Type") == "application/json"
    assert set(json.loads(response["body"])) == {"message", "help"}


def test_the_stage_without_a_slash_is_sent_to_the_page_s_own_path() -> None:
    # API Gateway routes https://host/api to the page too, where its relative files would miss the stage.
    response = get("/", stage_path="/api")

    assert response["statusCode"] == 301
    assert header(response, "Location") == "/api/"


def test_file_url_origins_are_checked_and_the_endpoint_of_a_stand_in_for_aws_joins_them() -> None:
    local = PageSettings.from_env({"FILE_URL_ORIGINS": ORIGINS, "AWS_ENDPOINT_URL": "http://127.0.0.1:4566"})
    assert local.file_url_origins == (*ORIGINS.split(), "http://127.0.0.1:4566")
    for malformed in ("https://x.example; script-src *", "https://*.amazonaws.com", "https://x.example/path", ""):
        with pytest.raises(ConfigError, match="FILE_URL_ORIGINS"):
            PageSettings.from_env({"FILE_URL_ORIGINS": malformed})
