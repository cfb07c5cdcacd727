"""GET a URL with urllib3, dialling only addresses the policy checked; every redirect is checked again."""
from __future__ import annotations

import contextlib
import queue
import socket
import threading
import time
from dataclasses import dataclass
from http.client import HTTPException
from urllib.parse import urljoin

import urllib3.exceptions
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.response import BaseHTTPResponse

from ..errors import BadParameter, ImageMetaError, UpstreamError, UpstreamTimeout
from ..limits import Limits
from .policy import FetchSettings, IPAddress, Resolver, Target, check_target, checked_addresses, parse_url

_CHUNK_BYTES = 64 * 1024
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_REQUEST_HEADERS = {
    "User-Agent": "imagemeta (self-hosted image metadata service)",
    "Accept": "image/*, */*;q=0.5",
    "Accept-Encoding": "identity",  # the byte cap must count the bytes as stored, not a decompressed bomb
}

DEFAULT_FETCH_SETTINGS = FetchSettings()


@dataclass(frozen=True)
class Deadlines:
    """Monotonic times by which the whole fetch, redirects included, must have its final head and body."""

    head: float
    body: float

    @classmethod
    def starting_now(cls, settings: FetchSettings) -> Deadlines:
        started = time.monotonic()
        return cls(started + settings.header_timeout_s, started + settings.header_timeout_s + settings.body_timeout_s)


def fetch(url: str, settings: FetchSettings = DEFAULT_FETCH_SETTINGS, resolver: Resolver | None = None) -> bytearray:
    """The body at `url`, in one bytearray; raises only the `imagemeta.errors` family.

    The time limits are totals for the whole request: every hop's lookup, connection and head share the
    head deadline, and the body must be in by the head and body budgets together.
    """
    deadlines = Deadlines.starting_now(settings)
    target = parse_url(url)
    for _ in range(settings.max_redirects + 1):
        check_target(target, settings)
        addresses = checked_addresses(target, settings, _bounded(resolver or resolve_host, deadlines.head))
        outcome = _get(target, addresses, settings, deadlines)
        if isinstance(outcome, bytearray):
            return outcome
        target = _redirect_target(target, outcome)
    raise UpstreamError(f"The remote server redirected more than {settings.max_redirects} times.")


def resolve_host(host: str, port: int) -> list[str]:
    """The default resolver: every address getaddrinfo gives, in its order, without repeats."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise UpstreamError("The remote host name could not be resolved.", detail=f"{host}: {error}") from None
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _bounded(resolver: Resolver, deadline: float) -> Resolver:
    """The resolver, answering UpstreamTimeout at the deadline (getaddrinfo itself takes no timeout).

    A lookup still running then is left to finish on its daemon thread; its answer is discarded.
    """

    def resolve(host: str, port: int) -> list[str]:
        answers: queue.Queue[tuple[list[str] | None, BaseException | None]] = queue.Queue(maxsize=1)

        def lookup() -> None:
            try:
                answers.put((resolver(host, port), None))
            except BaseException as error:  # noqa: BLE001 - handed to the caller's thread, raised there
                answers.put((None, error))

        threading.Thread(target=lookup, name=f"resolve {host}", daemon=True).start()
        try:
            names, error = answers.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise UpstreamTimeout(detail=f"resolving {host}") from None
        if error is not None:
            raise error
        return names or []

    return resolve


def connect_socket(address: str, port: int, timeout: float) -> socket.socket:
    """The only place a socket is opened (tests replace it to route test addresses to loopback)."""
    return socket.create_connection((address, port), timeout=timeout)


class _Watchdog:
    """Bounds a phase's total time: on expiry it shuts the socket down, which ends any blocked read."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        self._socket: socket.socket | None = None
        self._deadline = 0.0
        self.expired = False

    def arm(self, deadline: float) -> None:
        """Expire at a monotonic time (at once if it has passed)."""
        if self._timer is not None:
            self._timer.cancel()
        self._deadline = deadline
        self._timer = threading.Timer(max(0.0, deadline - time.monotonic()), self._expire)
        self._timer.daemon = True
        self._timer.start()

    def remaining(self) -> float:
        return self._deadline - time.monotonic()

    def watch(self, sock: socket.socket) -> None:
        # A duplicate descriptor still names the connection after TLS wrapping detaches `sock`.
        with self._lock:
            self._socket = sock.dup()

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        with self._lock:
            if self._socket is not None:
                self._socket.close()
                self._socket = None

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            if self._socket is not None:
                with contextlib.suppress(OSError):  # already closed by the peer: nothing left to interrupt
                    self._socket.shutdown(socket.SHUT_RDWR)


class _PinnedMixin:
    """Dials the checked addresses instead of resolving `host` again; Host, SNI and certificate use `host`."""

    port: int

    def __init__(self, target: Target, addresses: list[IPAddress], watchdog: _Watchdog, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)  # type: ignore[call-arg]  # a mixin: the connection class after it takes these
        self.addresses = addresses
        self.watchdog = watchdog

    def _new_conn(self) -> socket.socket:
        error: OSError = ConnectionError("no address to dial")
        for address in self.addresses:
            if self.watchdog.remaining() <= 0:
                raise TimeoutError("no time left to connect")
            try:
                sock = connect_socket(str(address), self.port, self.watchdog.remaining())
            except OSError as failure:
                error = failure
                continue
            self.watchdog.watch(sock)
            return sock
        raise error


class _PinnedHTTPConnection(_PinnedMixin, HTTPConnection):
    """Plain HTTP to a checked address."""


class _PinnedHTTPSConnection(_PinnedMixin, HTTPSConnection):
    """HTTPS to a checked address, verified against the URL's host name."""


def _get(target: Target, addresses: list[IPAddress], settings: FetchSettings, deadlines: Deadlines) -> bytearray | str:
    """One request: the body, or the absolute URL a redirect points to."""
    connection_class = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    watchdog = _Watchdog()
    # The socket timeout is only a backstop: the watchdog enforces the deadlines.
    connection = connection_class(target, addresses, watchdog, settings.header_timeout_s + settings.body_timeout_s)
    watchdog.arm(deadlines.head)
    try:
        connection.request("GET", target.path, headers=_REQUEST_HEADERS, preload_content=False, decode_content=False)
        response = connection.getresponse()
        if response.status in _REDIRECT_STATUSES:
            return _location(target, response)
        if response.status != 200:
            raise UpstreamError(f"The remote server answered with HTTP status {response.status}.")
        watchdog.arm(deadlines.body)
        body = _read_body(response, settings.max_bytes)
        if watchdog.expired:  # the watchdog's shutdown can look like the normal end of a body
            raise UpstreamTimeout(detail="body")
        return body
    except (OSError, HTTPException, urllib3.exceptions.HTTPError) as error:
        raise _transport_error(error, watchdog.expired) from None
    finally:
        watchdog.close()
        connection.close()


def _read_body(response: BaseHTTPResponse, max_bytes: int) -> bytearray:
    """Stream into one bytearray, preallocated from Content-Length, cut off at `max_bytes` whatever it says."""
    declared = response.length_remaining
    limits = Limits(max_bytes=max_bytes)
    if declared is not None:
        limits.check_bytes(declared)
    body = bytearray(declared or 0)
    size = 0
    for chunk in response.stream(_CHUNK_BYTES, decode_content=False):
        end = size + len(chunk)
        limits.check_bytes(end)
        body[size:end] = chunk  # fills the preallocation in place, grows past it
        size = end
    return body


def _location(target: Target, response: BaseHTTPResponse) -> str:
    location = response.headers.get("Location")
    if not location:
        raise UpstreamError(f"The remote server answered with HTTP status {response.status} and no Location.")
    return urljoin(target.url, location)


def _redirect_target(source: Target, location: str) -> Target:
    try:
        return parse_url(location)
    except BadParameter as error:
        detail = f"{source.url} -> {location}: {error}"
        raise UpstreamError("The remote server redirected to an invalid URL.", detail=detail) from None


def _transport_error(error: Exception, expired: bool) -> ImageMetaError:
    if expired or isinstance(error, (TimeoutError, urllib3.exceptions.TimeoutError)):
        return UpstreamTimeout(detail=repr(error))
    return UpstreamError("The connection to the remote server failed.", detail=repr(error))
