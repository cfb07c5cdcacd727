"""The template's API on loopback: API Gateway's routing, API-key check and proxy event, as `sam local start-api`."""
from __future__ import annotations

import base64
import json
import re
import secrets
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from .functions import LocalFunction
from .template import ACCOUNT_ID, LocalTemplate

API_TYPE = "AWS::Serverless::Api"

# API Gateway's status for each gateway response type it can raise here, before any template override.
GATEWAY_RESPONSE_STATUS = {
    "MISSING_AUTHENTICATION_TOKEN": 403,
    "INVALID_API_KEY": 403,
    "BAD_REQUEST_PARAMETERS": 400,
    "DEFAULT_5XX": 502,
}
# API Gateway's own messages for those types ($context.error.message).
GATEWAY_RESPONSE_MESSAGE = {
    "MISSING_AUTHENTICATION_TOKEN": "Missing Authentication Token",
    "INVALID_API_KEY": "Forbidden",
    "BAD_REQUEST_PARAMETERS": "Missing required request parameters",
    "DEFAULT_5XX": "Internal server error",
}
CONTEXT_VARIABLE = re.compile(r"\$context\.([A-Za-z]+(?:\.[A-Za-z]+)*)")


@dataclass(frozen=True)
class Route:
    """One Api event of a function: method and path template, compiled to a matcher."""

    method: str
    resource: str
    pattern: re.Pattern[str]
    function: LocalFunction
    api_key_required: bool
    required_query: tuple[str, ...]
    required_headers: tuple[str, ...]

    def match(self, method: str, path: str) -> dict[str, str] | None:
        """Path parameters when the request is for this route, else None."""
        if self.method not in ("ANY", method):
            return None
        found = self.pattern.fullmatch(path)
        return {name: unquote(value) for name, value in found.groupdict().items()} if found else None


def path_pattern(resource: str) -> re.Pattern[str]:
    """`/v1/files/{fileId}` -> a regex; `{name+}` (greedy) spans slashes as in API Gateway."""
    parts = []
    for segment in re.split(r"(\{[^}]+\})", resource):
        if segment.startswith("{") and segment.endswith("+}"):
            parts.append(f"(?P<{segment[1:-2]}>.+)")
        elif segment.startswith("{"):
            parts.append(f"(?P<{segment[1:-1]}>[^/]+)")
        else:
            parts.append(re.escape(segment))
    return re.compile("".join(parts))


def required_parameters(event_properties: Mapping[str, Any], location: str) -> tuple[str, ...]:
    """Names of `method.request.<location>.<name>` marked Required in a SAM Api event."""
    names = []
    prefix = f"method.request.{location}."
    for parameter in event_properties.get("RequestParameters", []):
        entries = parameter.items() if isinstance(parameter, dict) else [(parameter, {})]
        for name, options in entries:
            if name.startswith(prefix) and (options or {}).get("Required"):
                names.append(name[len(prefix):])
    return tuple(names)


class LocalApi:
    """The routes, gateway responses and API key of the template's one SAM Api."""

    def __init__(self, template: LocalTemplate, functions: Mapping[str, LocalFunction]) -> None:
        api = template.only(API_TYPE)
        properties = {**template.globals_for("Api"), **api.properties}
        self.api_id = template.physical_name(api.logical_id)
        self.stage = str(template.resolve(properties.get("StageName", "Prod")))
        self.gateway_responses: dict[str, Any] = template.resolve(properties.get("GatewayResponses") or {})
        self.api_key = secrets.token_urlsafe(30)
        self.api_key_id = secrets.token_hex(5)
        api_key_required = bool((properties.get("Auth") or {}).get("ApiKeyRequired", False))
        self.routes = []
        for function in functions.values():
            for event in function.events.values():
                if event.get("Type") != "Api":
                    continue
                event_properties = template.resolve(event["Properties"])
                self.routes.append(
                    Route(
                        method=event_properties["Method"].upper(),
                        resource=event_properties["Path"],
                        pattern=path_pattern(event_properties["Path"]),
                        function=function,
                        api_key_required=bool(
                            (event_properties.get("Auth") or {}).get("ApiKeyRequired", api_key_required)
                        ),
                        required_query=required_parameters(event_properties, "querystring"),
                        required_headers=required_parameters(event_properties, "header"),
                    )
                )

    def route(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        for route in self.routes:
            parameters = route.match(method, path)
            if parameters is not None:
                return route, parameters
        return None

    def gateway_response(
        self, response_type: str, context: Mapping[str, str], message: str | None = None
    ) -> tuple[int, dict[str, str], str]:
        """An answer API Gateway itself gives, shaped by the template's GatewayResponses when it has them."""
        status = GATEWAY_RESPONSE_STATUS[response_type]
        default_type = "DEFAULT_5XX" if status >= 500 else "DEFAULT_4XX"
        specific = self.gateway_responses.get(response_type) or {}
        fallback = self.gateway_responses.get(default_type) or {}
        status = int(specific.get("StatusCode", fallback.get("StatusCode", status)))
        error_message = message or GATEWAY_RESPONSE_MESSAGE[response_type]
        variables = {
            **context,
            "error.message": error_message,
            "error.messageString": json.dumps(error_message),
            "error.validationErrorString": error_message,
            "error.responseType": response_type,
        }
        templates = specific.get("ResponseTemplates") or fallback.get("ResponseTemplates") or {}
        body_template = templates.get("application/json", '{"message":$context.error.messageString}')
        body = CONTEXT_VARIABLE.sub(lambda m: variables.get(m.group(1), ""), body_template)
        header_templates = {
            **((fallback.get("ResponseParameters") or {}).get("Headers") or {}),
            **((specific.get("ResponseParameters") or {}).get("Headers") or {}),
        }
        headers = {"Content-Type": "application/json"}
        for name, value in header_templates.items():
            # 'literal' is a static value; context.x maps a context variable, as in API Gateway.
            if value.startswith("'") and value.endswith("'"):
                headers[name] = value[1:-1]
            elif value.startswith("context."):
                headers[name] = variables.get(value[len("context."):], "")
        return status, headers, body


class ApiRequestHandler(BaseHTTPRequestHandler):
    """Turns each HTTP request into an API Gateway REST proxy event and the handler's answer back."""

    api: LocalApi  # set on the subclass made by serve_api
    protocol_version = "HTTP/1.1"

    def __getattr__(self, name: str) -> Any:
        """http.server calls do_<METHOD>; every method goes through the routes, as in API Gateway."""
        if name.startswith("do_"):
            return self.handle_any
        raise AttributeError(name)

    def handle_any(self) -> None:
        started = time.time()
        request_id = str(uuid.uuid4())
        split = urlsplit(self.path)
        path = unquote(split.path)
        query = parse_qsl(split.query, keep_blank_values=True)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        context = {
            "requestId": request_id,
            "path": f"/{self.api.stage}{path}",
            "httpMethod": self.command,
            "identity.sourceIp": self.client_address[0],
            "stage": self.api.stage,
        }

        found = self.api.route(self.command, path)
        if found is None:
            self.send(*self.api.gateway_response("MISSING_AUTHENTICATION_TOKEN", context), request_id)
            return
        route, path_parameters = found
        if route.api_key_required and not secrets.compare_digest(
            self.headers.get("x-api-key", ""), self.api.api_key
        ):
            self.send(*self.api.gateway_response("INVALID_API_KEY", context), request_id)
            return
        query_names = {name for name, _ in query}
        missing = [name for name in route.required_query if name not in query_names]
        missing += [name for name in route.required_headers if name not in self.headers]
        if missing:
            message = f"[Missing required request parameters: [{', '.join(missing)}]]"
            self.send(*self.api.gateway_response("BAD_REQUEST_PARAMETERS", context, message), request_id)
            return

        event = self.proxy_event(route, path, path_parameters, query, body, request_id, started)
        try:
            result = route.function.invoke(event)
            status, headers, payload = proxy_response(result)
        except Exception as error:  # noqa: BLE001 - API Gateway turns any function error into a 502
            self.log_error("%s failed: %r", route.function.logical_id, error)
            self.send(*self.api.gateway_response("DEFAULT_5XX", context), request_id)
            return
        self.send(status, headers, payload, request_id)

    def proxy_event(
        self,
        route: Route,
        path: str,
        path_parameters: dict[str, str],
        query: list[tuple[str, str]],
        body: bytes,
        request_id: str,
        started: float,
    ) -> dict[str, Any]:
        """The event `sam local generate-event apigateway aws-proxy` describes."""
        headers: dict[str, str] = {}
        multi_headers: dict[str, list[str]] = {}
        for name, value in self.headers.items():
            headers[name] = value
            multi_headers.setdefault(name, []).append(value)
        single_query: dict[str, str] = {}
        multi_query: dict[str, list[str]] = {}
        for name, value in query:
            single_query[name] = value  # API Gateway keeps the last value of a repeated parameter
            multi_query.setdefault(name, []).append(value)
        is_text = not body or _is_utf8(body)
        return {
            "resource": route.resource,
            "path": path,
            "httpMethod": self.command,
            "headers": headers or None,
            "multiValueHeaders": multi_headers or None,
            "queryStringParameters": single_query or None,
            "multiValueQueryStringParameters": multi_query or None,
            "pathParameters": path_parameters or None,
            "stageVariables": None,
            "requestContext": {
                "accountId": ACCOUNT_ID,
                "apiId": self.api.api_id,
                "resourceId": route.resource,
                "resourcePath": route.resource,
                "stage": self.api.stage,
                "requestId": request_id,
                "extendedRequestId": request_id,
                "requestTime": datetime.fromtimestamp(started, timezone.utc).strftime("%d/%b/%Y:%H:%M:%S +0000"),
                "requestTimeEpoch": int(started * 1000),
                "path": f"/{self.api.stage}{path}",
                "httpMethod": self.command,
                "protocol": self.request_version,
                "domainName": self.headers.get("Host", ""),
                "identity": {
                    "sourceIp": self.client_address[0],
                    "userAgent": self.headers.get("User-Agent"),
                    "apiKey": self.headers.get("x-api-key") if route.api_key_required else None,
                    "apiKeyId": self.api.api_key_id if route.api_key_required else None,
                },
            },
            "body": (body.decode() if is_text else base64.b64encode(body).decode()) if body else None,
            "isBase64Encoded": not is_text,
        }

    def send(self, status: int, headers: Mapping[str, str | list[str]], body: bytes | str, request_id: str) -> None:
        payload = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("x-amzn-RequestId", request_id)
        for name, value in headers.items():
            for item in value if isinstance(value, list) else [value]:
                self.send_header(name, item)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)


def proxy_response(result: Any) -> tuple[int, dict[str, str | list[str]], bytes]:
    """The HTTP answer a Lambda proxy integration makes of the handler's return value."""
    if not isinstance(result, dict) or not isinstance(result.get("statusCode"), int):
        raise ValueError(f"malformed Lambda proxy response: {result!r:.200}")
    headers: dict[str, str | list[str]] = {name: str(value) for name, value in (result.get("headers") or {}).items()}
    for name, values in (result.get("multiValueHeaders") or {}).items():
        headers[name] = [str(value) for value in values]
    body = result.get("body") or ""
    payload = base64.b64decode(body) if result.get("isBase64Encoded") else str(body).encode()
    return result["statusCode"], headers, payload


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode()
    except UnicodeDecodeError:
        return False
    return True


def serve_api(api: LocalApi, port: int) -> ThreadingHTTPServer:
    """A threaded HTTP server for the API on 127.0.0.1 (the caller runs serve_forever)."""
    handler = type("BoundApiRequestHandler", (ApiRequestHandler,), {"api": api})
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    return server
