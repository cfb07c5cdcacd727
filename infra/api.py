"""The template's API on loopback: API Gateway's routing, Lambda authorizer, usage plan key check and proxy event.

Like `sam local start-api`, with the authorizer run as API Gateway runs it: before the route's function,
with a 401 gateway response when it fails with "Unauthorized", and its context and usage identifier handed
to the function's event. No authorizer cache (as with the template's TTL of 0), no throttling or quotas.
"""
from __future__ import annotations

import base64
import json
import re
import socket
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from fnmatch import fnmatchcase
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote, urlsplit

from samcli.local.apigw.authorizers.lambda_authorizer import IdentitySource
from samcli.local.apigw.authorizers.lambda_authorizer import LambdaAuthorizer as SamLambdaAuthorizer

from .functions import LocalFunction
from .ports import http_server
from .template import ACCOUNT_ID, REGION, LocalTemplate

if TYPE_CHECKING:
    from types_boto3_apigateway import APIGatewayClient

API_TYPE = "AWS::Serverless::Api"

# API Gateway's status for each gateway response type it can raise here, before any template override.
GATEWAY_RESPONSE_STATUS = {
    "MISSING_AUTHENTICATION_TOKEN": 403,
    "UNAUTHORIZED": 401,
    "ACCESS_DENIED": 403,
    "INVALID_API_KEY": 403,
    "BAD_REQUEST_PARAMETERS": 400,
    "REQUEST_TOO_LARGE": 413,
    "AUTHORIZER_FAILURE": 500,
    "AUTHORIZER_CONFIGURATION_ERROR": 500,
    "DEFAULT_5XX": 502,
}
# API Gateway's own messages for those types ($context.error.message).
GATEWAY_RESPONSE_MESSAGE = {
    "MISSING_AUTHENTICATION_TOKEN": "Missing Authentication Token",
    "UNAUTHORIZED": "Unauthorized",
    "ACCESS_DENIED": "User is not authorized to access this resource",
    "INVALID_API_KEY": "Forbidden",
    "BAD_REQUEST_PARAMETERS": "Missing required request parameters",
    "REQUEST_TOO_LARGE": "Request Too Long",
    "AUTHORIZER_FAILURE": "Internal server error",
    "AUTHORIZER_CONFIGURATION_ERROR": "Internal server error",
    "DEFAULT_5XX": "Internal server error",
}
# A synchronous Lambda invocation carries at most this many bytes of event (the body in base64 included);
# API Gateway answers a larger request 413 itself, as it does past its own 10 MB.
LAMBDA_PAYLOAD_BYTES = 6 * 1024 * 1024
# The error message with which an authorizer asks API Gateway for a 401.
UNAUTHORIZED_MESSAGE = "Unauthorized"
CONTEXT_VARIABLE = re.compile(r"\$context\.([A-Za-z]+(?:\.[A-Za-z]+)*)")


@dataclass(frozen=True)
class LambdaAuthorizer:
    """A Lambda REQUEST authorizer of the API: its function and the identity sources every request must carry."""

    name: str
    function: LocalFunction
    identity_sources: tuple[IdentitySource, ...]


class AuthorizerRefused(Exception):
    """The authorizer stopped the request; `response_type` names the gateway response API Gateway gives."""

    def __init__(self, response_type: str) -> None:
        super().__init__(response_type)
        self.response_type = response_type


@dataclass(frozen=True)
class Route:
    """One Api event of a function: method and path template, compiled to a matcher."""

    method: str
    resource: str
    pattern: re.Pattern[str]
    function: LocalFunction
    authorizer: LambdaAuthorizer | None
    api_key_required: bool
    required_query: tuple[str, ...]
    required_headers: tuple[str, ...]
    any_method: bool = False  # declared with Method ANY: a method the resource declares itself wins over it

    def match(self, path: str) -> dict[str, str] | None:
        """Path parameters when the path is this route's resource, else None."""
        found = self.pattern.fullmatch(path)
        return {name: unquote(value) for name, value in found.groupdict().items()} if found else None

    def takes(self, method: str) -> bool:
        return self.method in ("ANY", method)


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


def specificity(resource: str) -> tuple[int, ...]:
    """Sort key of API Gateway's route choice: a literal segment before `{name}`, and that before `{name+}`."""
    return tuple(2 if part.endswith("+}") else 1 if part.startswith("{") else 0 for part in resource.split("/"))


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


def policy_allows(policy: Mapping[str, Any], method_arn: str) -> bool:
    """IAM's evaluation of an authorizer's policy for one method ARN: an explicit Deny wins over any Allow."""
    allowed = False
    for statement in policy.get("Statement", []):
        actions = statement.get("Action", [])
        resources = statement.get("Resource", [])
        actions = [actions] if isinstance(actions, str) else actions
        resources = [resources] if isinstance(resources, str) else resources
        if not any(fnmatchcase("execute-api:Invoke", action) for action in actions):
            continue
        if not any(fnmatchcase(method_arn, resource) for resource in resources):
            continue
        if statement.get("Effect") == "Deny":
            return False
        allowed = allowed or statement.get("Effect") == "Allow"
    return allowed


class LocalApi:
    """The routes, authorizers, gateway responses and usage plan of the template's one SAM Api."""

    def __init__(
        self,
        template: LocalTemplate,
        functions: Mapping[str, LocalFunction],
        apigateway: APIGatewayClient,
        usage_plan_id: str,
    ) -> None:
        api = template.only(API_TYPE)
        properties = api.properties  # SAM's plugins merged the Api Globals in
        refuse_iam_authorization(properties, functions.values())
        self.api_id = api.logical_id  # the API's id in method ARNs, as in `sam local`
        self.stage = template.api.stage_name or "Prod"
        self.gateway_responses: dict[str, Any] = properties.get("GatewayResponses") or {}
        self.api_key_source = str(properties.get("ApiKeySourceType", "HEADER"))
        # SAM writes "/" as "~1" in binary media types.
        self.binary_media_types = tuple(
            str(media_type).replace("~1", "/") for media_type in properties.get("BinaryMediaTypes") or []
        )
        self.apigateway = apigateway
        self.usage_plan_id = usage_plan_id
        api_key_required = bool((properties.get("Auth") or {}).get("ApiKeyRequired", False))
        by_name = {function.name: function for function in functions.values()}
        self.routes = []
        for route in template.api.routes:
            function = functions[route.function_name]
            for method in route.methods:
                event = api_event(function, route.path, method)
                self.routes.append(
                    Route(
                        method=method,
                        resource=route.path,
                        pattern=path_pattern(route.path),
                        function=function,
                        authorizer=lambda_authorizer(route.authorizer_object, by_name),
                        api_key_required=bool((event.get("Auth") or {}).get("ApiKeyRequired", api_key_required)),
                        required_query=required_parameters(event, "querystring"),
                        required_headers=required_parameters(event, "header"),
                        any_method=str(event.get("Method", "")).upper() == "ANY",
                    )
                )
        self.routes.sort(key=lambda r: specificity(r.resource))

    def route(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        """The route of a request, as API Gateway picks it: the most specific resource whose path matches, then
        its method; None when that resource does not take the method (API Gateway does not look further, so a
        method a route lacks never reaches the catch-all `{proxy+}`)."""
        for route in self.routes:
            parameters = route.match(path)
            if parameters is not None:
                taking = [other for other in self.routes if other.resource == route.resource and other.takes(method)]
                taking.sort(key=lambda other: other.any_method)
                return (taking[0], parameters) if taking else None
        return None

    def method_arn(self, method: str, path: str) -> str:
        """The ARN an authorizer's policy must allow for a request (`$context.methodArn`)."""
        return f"arn:aws:execute-api:{REGION}:{ACCOUNT_ID}:{self.api_id}/{self.stage}/{method}{path}"

    def usage_key_id(self, value: str | None) -> str | None:
        """The id of the usage plan's enabled API key with this value, None when there is none."""
        if not value:
            return None
        for key in self.apigateway.get_usage_plan_keys(usagePlanId=self.usage_plan_id, limit=500)["items"]:
            if key["value"] != value:
                continue
            try:
                return key["id"] if self.apigateway.get_api_key(apiKey=key["id"])["enabled"] else None
            except self.apigateway.exceptions.NotFoundException:
                return None  # deleted: moto keeps the plan's link to it, API Gateway does not
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
        request = self.request_fields(route, path, path_parameters, query, request_id, started)
        try:
            authorization = self.authorize(route.authorizer, request) if route.authorizer else None
            identity = self.usage_identity(route, authorization)
        except AuthorizerRefused as refused:
            self.send(*self.api.gateway_response(refused.response_type, context), request_id)
            return
        query_names = {name for name, _ in query}
        missing = [name for name in route.required_query if name not in query_names]
        missing += [name for name in route.required_headers if name not in self.headers]
        if missing:
            message = f"[Missing required request parameters: [{', '.join(missing)}]]"
            self.send(*self.api.gateway_response("BAD_REQUEST_PARAMETERS", context, message), request_id)
            return

        binary = any(fnmatchcase((self.headers.get("Content-Type") or "").split(";")[0].strip().lower(), media_type)
                     for media_type in self.api.binary_media_types)
        event = proxy_event(request, body, authorization, identity, binary)
        if len(json.dumps(event)) > LAMBDA_PAYLOAD_BYTES:
            self.send(*self.api.gateway_response("REQUEST_TOO_LARGE", context), request_id)
            return
        try:
            result = route.function.invoke(event)
            status, headers, payload = proxy_response(result)
        except Exception as error:  # noqa: BLE001 - API Gateway turns any function error into a 502
            self.log_error("%s failed: %r", route.function.logical_id, error)
            self.send(*self.api.gateway_response("DEFAULT_5XX", context), request_id)
            return
        self.send(status, headers, payload, request_id)

    def request_fields(
        self,
        route: Route,
        path: str,
        path_parameters: dict[str, str],
        query: list[tuple[str, str]],
        request_id: str,
        started: float,
    ) -> dict[str, Any]:
        """What the authorizer's REQUEST event and the proxy event share (`sam local generate-event apigateway`)."""
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
                "requestTime": datetime.fromtimestamp(started, UTC).strftime("%d/%b/%Y:%H:%M:%S +0000"),
                "requestTimeEpoch": int(started * 1000),
                "path": f"/{self.api.stage}{path}",
                "httpMethod": self.command,
                "protocol": self.request_version,
                "domainName": self.headers.get("Host", ""),
                "identity": {
                    "sourceIp": self.client_address[0],
                    "userAgent": self.headers.get("User-Agent"),
                    "apiKey": None,
                    "apiKeyId": None,
                },
            },
        }

    def authorize(self, authorizer: LambdaAuthorizer, request: dict[str, Any]) -> dict[str, Any]:
        """Run a route's authorizer as API Gateway does: its answer when it allows the method, else refused."""
        query = urlsplit(self.path).query
        if not all(source.is_valid(headers=self.headers, querystring=query) for source in authorizer.identity_sources):
            raise AuthorizerRefused("UNAUTHORIZED")  # API Gateway does not call the function then
        method_arn = self.api.method_arn(self.command, request["path"])
        started = time.monotonic()
        try:
            result = authorizer.function.invoke({"type": "REQUEST", "methodArn": method_arn, **request})
        except Exception as error:  # noqa: BLE001 - API Gateway turns any authorizer error into a gateway response
            if str(error) == UNAUTHORIZED_MESSAGE:
                raise AuthorizerRefused("UNAUTHORIZED") from None
            self.log_error("authorizer %s failed: %r", authorizer.name, error)
            raise AuthorizerRefused("AUTHORIZER_FAILURE") from None
        if not isinstance(result, dict) or "principalId" not in result or "policyDocument" not in result:
            self.log_error("authorizer %s answered %r", authorizer.name, result)
            raise AuthorizerRefused("AUTHORIZER_CONFIGURATION_ERROR")
        if not policy_allows(result["policyDocument"], method_arn):
            raise AuthorizerRefused("ACCESS_DENIED")
        return {**result, "latencyMillis": int((time.monotonic() - started) * 1000)}

    def usage_identity(self, route: Route, authorization: dict[str, Any] | None) -> dict[str, str | None]:
        """The usage plan key metering the request (`identity.apiKey`/`apiKeyId`), from its configured source."""
        if not route.api_key_required:
            return {"apiKey": None, "apiKeyId": None}
        if self.api.api_key_source == "AUTHORIZER":
            value = (authorization or {}).get("usageIdentifierKey")
        else:
            value = self.headers.get("x-api-key")
        key_id = self.api.usage_key_id(value)
        if key_id is None:
            raise AuthorizerRefused("INVALID_API_KEY")
        return {"apiKey": value, "apiKeyId": key_id}

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


def proxy_event(
    request: dict[str, Any],
    body: bytes,
    authorization: dict[str, Any] | None,
    identity: dict[str, str | None],
    binary: bool = False,
) -> dict[str, Any]:
    """The REST proxy event: the request, its body (base64 when its type is a binary media type of the API, or
    it is not text), and what the authorizer and the usage plan found."""
    context = {**request["requestContext"], "identity": {**request["requestContext"]["identity"], **identity}}
    if authorization is not None:
        # API Gateway flattens the authorizer's context beside its principal id.
        context["authorizer"] = {
            "principalId": authorization["principalId"],
            **(authorization.get("context") or {}),
            "integrationLatency": authorization["latencyMillis"],
        }
    is_text = not body or (not binary and _is_utf8(body))
    return {
        **request,
        "requestContext": context,
        "body": (body.decode() if is_text else base64.b64encode(body).decode()) if body else None,
        "isBase64Encoded": not is_text,
    }


def api_event(function: LocalFunction, path: str, method: str) -> dict[str, Any]:
    """The properties of the function's Api event for a route (its request parameters and auth)."""
    for event in function.events.values():
        properties = event.get("Properties") or {}
        declared = (properties.get("Path"), properties.get("Method", "").upper())
        if event.get("Type") == "Api" and declared in ((path, method), (path, "ANY")):
            return dict(properties)
    raise ValueError(f"{function.logical_id} has no Api event for {method} {path}")


def lambda_authorizer(authorizer: Any, functions: Mapping[str, LocalFunction]) -> LambdaAuthorizer | None:
    """SAM's authorizer of a route bound to its function; None for a route without one."""
    if authorizer is None:
        return None
    if authorizer.type != SamLambdaAuthorizer.REQUEST:
        raise ValueError(f"authorizer {authorizer.authorizer_name}: the local stack runs REQUEST authorizers only")
    return LambdaAuthorizer(
        name=authorizer.authorizer_name,
        function=functions[authorizer.lambda_name],
        identity_sources=tuple(authorizer.identity_sources),
    )


def refuse_iam_authorization(api_properties: Mapping[str, Any], functions: Iterable[LocalFunction]) -> None:
    """Refuse, at start, an API whose routes would need SigV4 checks (SAM's provider would silently skip them)."""
    names = [(api_properties.get("Auth") or {}).get("DefaultAuthorizer")]
    for function in functions:
        names += [((e.get("Properties") or {}).get("Auth") or {}).get("Authorizer") for e in function.events.values()]
    if "AWS_IAM" in names:
        raise ValueError("the local stack cannot check SigV4 (AuthMode=AWS_IAM); run it with AuthMode=BasicAuthorizer")


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


def serve_api(api: LocalApi, held: socket.socket) -> ThreadingHTTPServer:
    """A threaded HTTP server for the API on its reserved port (the caller runs serve_forever)."""
    return http_server(held, type("BoundApiRequestHandler", (ApiRequestHandler,), {"api": api}))
