"""The template's CloudFront distributions on loopback: each on its own port, answering as deployed.

What each request meets, in CloudFront's order: the distribution's trusted key groups (a canned-policy signed URL,
checked against the public keys the key group's PublicKey resources name, read from Parameter Store as
CloudFormation reads them), the edge function's viewer request (a path under the service's prefix refused,
thumbnails aside), the bucket policy's word on the distribution's origin access (what `s3:GetObject` it may not
have: record bodies, and objects tagged private for a distribution the policy names), the object from S3, then the
response headers policy and the edge function's viewer response (an attachment unless the type may be shown in
place). The edge function's logic is template.yaml's JavaScript, restated here; tests/unit/test_edge_function.py
runs both on the same requests. No caching, no compression, no ranges; invalidations are made and followed on
moto (register_distribution), where they are Completed at once.
"""
from __future__ import annotations

import base64
import json
import re
import socket
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from service.storage.delivery import parse_inline_types, shown_inline

from .ports import http_server
from .template import ACCOUNT_ID, DISTRIBUTION, LocalTemplate, cloudfront_id

RESERVED, SERVED = "/_imagemeta/", "/_imagemeta/thumbnails/"
SIGNED_URL_PARAMETERS = ("Expires", "Signature", "Key-Pair-Id")
RESOLVE_SSM = re.compile(r"\{\{resolve:ssm:([^}:]+)\}\}")
# The response headers policy's security headers, by the config that sets each, and how its value is written.
SECURITY_HEADERS = {
    "ContentTypeOptions": ("X-Content-Type-Options", lambda config: "nosniff"),
    "ContentSecurityPolicy": ("Content-Security-Policy", lambda config: config["ContentSecurityPolicy"]),
    "ReferrerPolicy": ("Referrer-Policy", lambda config: config["ReferrerPolicy"]),
    "StrictTransportSecurity": ("Strict-Transport-Security", lambda config: "; ".join(
        [f"max-age={config['AccessControlMaxAgeSec']}"] + (["includeSubDomains"] if config.get("IncludeSubdomains")
                                                            else []) + (["preload"] if config.get("Preload") else []))),
    "FrameOptions": ("X-Frame-Options", lambda config: config["FrameOption"]),
}
# The object's headers CloudFront passes on from S3.
PASSED_ON = ("Content-Type", "Content-Length", "ETag", "Last-Modified", "Cache-Control", "Content-Disposition",
             "Content-Encoding", "Content-Language", "Expires")


def reserved(path: str) -> bool:
    """The edge function's viewer request: a path under the service's prefix, thumbnails aside."""
    return path.startswith(RESERVED) and not path.startswith(SERVED)


def refused_path(uri: str) -> bool:
    """Refused as sent or decoded (the edge function sees the path as the viewer spelt it; S3 decodes it)."""
    return reserved(uri) or reserved(unquote(uri))


@dataclass(frozen=True)
class LocalDistribution:
    """One distribution of the template as the local stack serves it."""

    logical_id: str
    arn: str
    port: int
    bucket: str
    trusted_keys: Mapping[str, rsa.RSAPublicKey]  # Key-Pair-Id -> public key; empty: no signature asked
    response_headers: Mapping[str, str]
    inline_types: frozenset[str]
    # (object key pattern, tags): what the bucket policy denies this distribution's reads of
    denied: tuple[tuple[str, Mapping[str, str]], ...] = field(default=())

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def signature_refusal(self, path: str, query: list[tuple[str, str]]) -> str | None:
        """Why a request lacks a valid signature of the key group's (None: it has one, or none is asked)."""
        if not self.trusted_keys:
            return None
        values = dict(query)
        if not all(name in values for name in SIGNED_URL_PARAMETERS):
            return "MissingKey"
        key = self.trusted_keys.get(values["Key-Pair-Id"])
        if key is None:
            return "InvalidKey"
        others = [(name, value) for name, value in query if name not in SIGNED_URL_PARAMETERS]
        resource = self.base_url + path + (f"?{urlencode(others)}" if others else "")
        expires = values["Expires"]
        if not expires.isdigit():
            return "AccessDenied"
        condition = {"DateLessThan": {"AWS:EpochTime": int(expires)}}
        policy = json.dumps({"Statement": [{"Resource": resource, "Condition": condition}]}, separators=(",", ":"))
        try:
            signature = base64.b64decode(values["Signature"].translate(str.maketrans("-_~", "+=/")), validate=True)
            key.verify(signature, policy.encode(), padding.PKCS1v15(), hashes.SHA1())  # noqa: S303 - CloudFront's
        except (ValueError, InvalidSignature):
            return "AccessDenied"
        return "AccessDenied" if int(expires) <= time.time() else None

    def denies(self, key: str, tags: Mapping[str, str]) -> bool:
        """The bucket policy's refusal of this distribution's read."""
        return any(re.fullmatch(pattern, key) and all(tags.get(name) == value for name, value in wanted.items())
                   for pattern, wanted in self.denied)


# The bucket the distributions serve, and the policy that says what they may read of it (template.yaml).
UPLOAD_BUCKET = "UploadBucket"
UPLOAD_BUCKET_POLICY = "UploadBucketPolicy"


def local_distributions(template: LocalTemplate, ssm: Any) -> Iterator[LocalDistribution]:
    """The distributions the template creates (conditions evaluated), with what their requests meet."""
    bucket_name = template.physical_name(UPLOAD_BUCKET)
    statements = template.resource(UPLOAD_BUCKET_POLICY).properties["PolicyDocument"]["Statement"]
    inline_types = parse_inline_types(str(template.parameters["InlineContentTypes"]))
    for distribution in template.resources(DISTRIBUTION):
        behaviour = distribution.properties["DistributionConfig"]["DefaultCacheBehavior"]
        arn = f"arn:aws:cloudfront::{ACCOUNT_ID}:distribution/{cloudfront_id(distribution.logical_id)}"
        yield LocalDistribution(
            logical_id=distribution.logical_id,
            arn=arn,
            port=template.delivery_ports[distribution.logical_id],
            bucket=bucket_name,
            trusted_keys=trusted_keys(template, behaviour.get("TrustedKeyGroups", []), ssm),
            response_headers=policy_headers(template, behaviour.get("ResponseHeadersPolicyId")),
            inline_types=inline_types,
            denied=tuple(denied_reads(statements, bucket_name, arn)),
        )


def trusted_keys(template: LocalTemplate, key_group_ids: list[str], ssm: Any) -> dict[str, rsa.RSAPublicKey]:
    """The public keys of the key groups a behaviour trusts, by id, from the parameters their EncodedKey resolves."""
    groups = {cloudfront_id(group.logical_id): group for group in template.resources("AWS::CloudFront::KeyGroup")}
    keys = {cloudfront_id(key.logical_id): key for key in template.resources("AWS::CloudFront::PublicKey")}
    found = {}
    for group_id in key_group_ids:
        for key_id in groups[group_id].properties["KeyGroupConfig"]["Items"]:
            encoded = keys[key_id].properties["PublicKeyConfig"]["EncodedKey"]
            reference = RESOLVE_SSM.fullmatch(encoded)
            pem = ssm.get_parameter(Name=reference.group(1))["Parameter"]["Value"] if reference else encoded
            public = serialization.load_pem_public_key(pem.encode())
            if not isinstance(public, rsa.RSAPublicKey):
                raise ValueError(f"{key_id} is not an RSA public key")
            found[key_id] = public
    return found


def policy_headers(template: LocalTemplate, policy_id: str | None) -> dict[str, str]:
    """The headers a response headers policy adds; a config this stack does not know stops it at start."""
    if policy_id is None:
        return {}
    (policy,) = [p for p in template.resources("AWS::CloudFront::ResponseHeadersPolicy")
                 if cloudfront_id(p.logical_id) == policy_id]
    config = policy.properties["ResponseHeadersPolicyConfig"]
    headers = {}
    for name, settings in config.get("SecurityHeadersConfig", {}).items():
        if name not in SECURITY_HEADERS:
            raise ValueError(f"the local delivery does not know {policy.logical_id}'s {name}")
        header, value = SECURITY_HEADERS[name]
        headers[header] = value(settings)
    for item in config.get("CustomHeadersConfig", {}).get("Items", []):
        headers[item["Header"]] = item["Value"]
    unknown = set(config) - {"Name", "Comment", "SecurityHeadersConfig", "CustomHeadersConfig"}
    if unknown:
        raise ValueError(f"the local delivery does not know {policy.logical_id}'s {sorted(unknown)}")
    return headers


def denied_reads(statements: list[dict[str, Any]], bucket: str, arn: str) -> Iterator[tuple[str, dict[str, str]]]:
    """The bucket policy's Deny statements on CloudFront's s3:GetObject that hold for this distribution, as
    (object key pattern, the tags an object must have for the statement to hold)."""
    for statement in statements:
        if statement["Effect"] != "Deny" or statement.get("Principal") != {"Service": "cloudfront.amazonaws.com"}:
            continue
        equals = dict(statement.get("Condition", {}).get("StringEquals", {}))
        if equals.pop("AWS:SourceArn", arn) != arn:
            continue
        tags = {name.removeprefix("s3:ExistingObjectTag/"): value for name, value in equals.items()}
        resource = str(statement["Resource"]).removeprefix(f"arn:aws:s3:::{bucket}/")
        yield re.escape(resource).replace(r"\*", ".*"), tags


class DeliveryRequestHandler(BaseHTTPRequestHandler):
    """One distribution's requests (GET and HEAD; CloudFront answers any other method 403)."""

    distribution: LocalDistribution  # set on the subclass serve_distribution makes
    s3: Any

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self.deliver(body=True)

    def do_HEAD(self) -> None:  # noqa: N802 - http.server's name
        self.deliver(body=False)

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        self.answer(403, {"Content-Type": "text/plain"}, b"This distribution is not configured to allow the method.")

    do_PUT = do_DELETE = do_POST  # noqa: N815 - http.server's names

    def deliver(self, body: bool) -> None:
        distribution = self.distribution
        parts = urlsplit(self.path)
        refusal = distribution.signature_refusal(parts.path, parse_qsl(parts.query, keep_blank_values=True))
        if refusal is not None:
            self.answer(403, {"Content-Type": "text/xml"}, error_xml(refusal), body)
            return
        if refused_path(parts.path):
            self.answer(404, {}, b"", body)
            return
        key = unquote(parts.path[1:])
        try:
            tagging = self.s3.get_object_tagging(Bucket=distribution.bucket, Key=key)["TagSet"]
            if distribution.denies(key, {tag["Key"]: tag["Value"] for tag in tagging}):
                raise LookupError(key)
            found = self.s3.get_object(Bucket=distribution.bucket, Key=key)
        except (LookupError, self.s3.exceptions.ClientError):  # OAC without s3:ListBucket: a missing key is 403 too
            self.answer(403, {"Content-Type": "application/xml"}, error_xml("AccessDenied"), body)
            return
        sent = {name: str(value) for name, value in found["ResponseMetadata"]["HTTPHeaders"].items()
                if name.title() in PASSED_ON}
        with found["Body"] as stream:
            self.answer(200, sent, stream.read(), body)

    def answer(self, status: int, headers: Mapping[str, str], payload: bytes, body: bool = True) -> None:
        """The response as the viewer gets it: the policy's headers, then the edge function's viewer response."""
        headers = {name.lower(): value for name, value in headers.items()}
        headers.update({name.lower(): value for name, value in self.distribution.response_headers.items()})
        if not shown_inline(headers.get("content-type", ""), self.distribution.inline_types):
            headers["content-disposition"] = "attachment"
        headers["content-length"] = str(len(payload))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if body:
            self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's signature
        """Quiet: the stack's own log says what matters."""


def error_xml(code: str) -> bytes:
    return f"<?xml version='1.0' encoding='UTF-8'?><Error><Code>{code}</Code></Error>".encode()


def serve_distribution(distribution: LocalDistribution, s3: Any, held: socket.socket) -> ThreadingHTTPServer:
    """A threaded HTTP server for one distribution on its reserved port (the caller runs serve_forever)."""
    return http_server(held, type(f"{distribution.logical_id}Handler", (DeliveryRequestHandler,),
                                  {"distribution": distribution, "s3": s3}))


def register_distribution(logical_id: str, cloudfront: Any) -> None:
    """The distribution known to CloudFront's API on moto under the id the functions are given (its Ref), so a
    purge creates and follows invalidations as in AWS. moto picks ids of its own, so the distribution it makes is
    filed again under ours: moto serves from this process (ThreadedMotoServer), its backend is at hand."""
    from moto.cloudfront.models import cloudfront_backends

    made = cloudfront.create_distribution(DistributionConfig={
        "CallerReference": logical_id, "Comment": logical_id, "Enabled": True,
        "Origins": {"Quantity": 1, "Items": [{"Id": "bucket", "DomainName": "bucket.s3.amazonaws.com",
                                             "S3OriginConfig": {"OriginAccessIdentity": ""}}]},
        "DefaultCacheBehavior": {"TargetOriginId": "bucket", "ViewerProtocolPolicy": "https-only"},
    })["Distribution"]
    distributions = cloudfront_backends[ACCOUNT_ID]["aws"].distributions
    local = distributions.pop(made["Id"])
    local.distribution_id = local.id = cloudfront_id(logical_id)
    distributions[local.id] = local


def start_distributions(template: LocalTemplate, session: Any,
                        held: Mapping[str, socket.socket]) -> list[ThreadingHTTPServer]:
    """Every distribution served from its reserved socket (by logical id), each on a thread of its own, and known
    to moto's CloudFront."""
    servers = []
    for distribution in local_distributions(template, session.client("ssm")):
        register_distribution(distribution.logical_id, session.client("cloudfront"))
        server = serve_distribution(distribution, session.client("s3"), held[distribution.logical_id])
        threading.Thread(target=server.serve_forever, name=distribution.logical_id, daemon=True).start()
        servers.append(server)
    return servers
