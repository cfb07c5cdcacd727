"""The distributions' edge function (template.yaml's DeliveryEdgeFunction, CloudFront Functions' JavaScript) run in
node on CloudFront's event shapes, beside the local stack's restatement of it (infra/delivery.py), request by
request: what is refused, and what becomes an attachment."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from infra.delivery import refused_path
from infra.template import LocalTemplate
from service.storage.delivery import parse_inline_types, shown_inline
from tests.local_template import local_template

URIS = [
    "/photos/a.jpg", "/photos/Canon%2040D.jpg", "/_imagemeta/records/f/1.json.z", "/_imagemeta/thumbnails/f/e-1.webp",
    "/%5Fimagemeta/records/f/1.json.z", "/_imagemeta%2Frecords/x", "/_imagemeta/", "/_imagemeta", "/_imagemetas/x",
    "/album/_imagemeta/records/x", "/%E0%A4%A/x", "/_imagemeta/%E0%A4%A", "/%5Fimagemeta%2Fthumbnails%2Ff%2Fe.webp",
]
CONTENT_TYPES = [
    "image/jpeg", "image/webp", "IMAGE/PNG; q=1", "video/mp4", "text/plain; charset=utf-8", "text/html",
    "text/html; charset=utf-8", "image/svg+xml", "application/xhtml+xml", "application/pdf", "text/xml",
    "application/javascript", "application/octet-stream", "binary/octet-stream", "", None,
]
HARNESS = """
var events = JSON.parse(require('fs').readFileSync(0, 'utf8'));
console.log(JSON.stringify(events.map(function (event) { return handler(event); })));
"""


def edge_function(tmp_path: Path, events: list[dict], template: LocalTemplate) -> list[dict]:
    """The template's edge function (its parameters substituted) on each event, in node."""
    assert shutil.which("node"), "node is needed: it runs the edge function's JavaScript"
    code = template.resource("DeliveryEdgeFunction").properties["FunctionCode"]
    script = tmp_path / "edge.js"
    script.write_text(code + HARNESS, encoding="utf-8")
    run = subprocess.run(["node", str(script)], input=json.dumps(events), capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    return list(json.loads(run.stdout))


def test_the_viewer_request_refuses_what_the_local_stack_refuses(tmp_path: Path) -> None:
    events = [{"context": {"eventType": "viewer-request"}, "request": {"method": "GET", "uri": uri, "headers": {}}}
              for uri in URIS]
    answers = edge_function(tmp_path, events, local_template())
    refused = {uri: answer.get("statusCode") == 404 for uri, answer in zip(URIS, answers, strict=True)}
    assert refused == {uri: refused_path(uri) for uri in URIS}
    assert [uri for uri, is_refused in refused.items() if is_refused] == [
        "/_imagemeta/records/f/1.json.z", "/%5Fimagemeta/records/f/1.json.z", "/_imagemeta%2Frecords/x", "/_imagemeta/",
        "/_imagemeta/%E0%A4%A"]
    kept = next(answer for uri, answer in zip(URIS, answers, strict=True) if uri == "/photos/a.jpg")
    assert kept["uri"] == "/photos/a.jpg"  # the request goes on unchanged


@pytest.mark.parametrize("parameters", [{}, {"InlineContentTypes": "image/jpeg,text/plain"}])
def test_the_viewer_response_makes_attachments_of_what_the_local_stack_does(tmp_path: Path,
                                                                             parameters: dict[str, str]) -> None:
    template = local_template(**parameters)
    events = [{"context": {"eventType": "viewer-response"}, "request": {"uri": "/x", "headers": {}},
               "response": {"statusCode": 200, "headers": {} if kind is None else {"content-type": {"value": kind}}}}
              for kind in CONTENT_TYPES]
    answers = edge_function(tmp_path, events, template)
    inline = parse_inline_types(template.parameters["InlineContentTypes"])
    for kind, answer in zip(CONTENT_TYPES, answers, strict=True):
        attached = answer["headers"].get("content-disposition") == {"value": "attachment"}
        assert attached == (not shown_inline(kind or "", inline)), kind
