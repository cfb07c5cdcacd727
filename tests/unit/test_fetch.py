"""The fetcher against scripted servers on loopback; a stub resolver stands in for DNS."""
from __future__ import annotations

import datetime
import socket
import socketserver
import ssl
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote, unquote

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

import imagemeta.fetch.http as fetch_http
from imagemeta import extract
from imagemeta.errors import FetchRefused, NotAnImage, TooLarge, UpstreamError, UpstreamTimeout
from imagemeta.fetch import FetchSettings, fetch

PUBLIC = "1.2.3.4"  # what the stub resolver answers for allowed hosts; dialling it reaches the loopback server
NAMES = {
    "public.test": [PUBLIC],
    "images.test": [PUBLIC],
    "loopback.test": ["127.0.0.1"],
    "metadata.test": ["169.254.169.254"],
    "mixed.test": [PUBLIC, "127.0.0.1"],
}
SMALL_LIMIT = 64 * 1024
HOP_PAUSE_S = 0.3
BLOCK = b"x" * 0x10000  # large bodies are sent block by block, so the server's memory stays out of the peak
Route = Callable[[socket.socket, str], None]


def respond(sock: socket.socket, status: str, headers: dict[str, str], body: bytes = b"") -> None:
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    sock.sendall(f"HTTP/1.1 {status}\r\n{head}Connection: close\r\n\r\n".encode() + body)


def trickle(sock: socket.socket, data: bytes, pause_s: float = 0.05) -> None:
    """Send forever in small pieces (until the client hangs up), so no single read ever times out."""
    while True:
        sock.sendall(data)
        time.sleep(pause_s)


def routes() -> dict[str, Route]:
    return {
        "/image": lambda sock, query: respond(sock, "200 OK", {"Content-Length": "5"}, b"bytes"),
        "/html": lambda sock, query: respond(  # claims to be a PNG: only the bytes may decide
            sock, "200 OK", {"Content-Type": "image/png", "Content-Length": "31"}, b"<html><body>hello</body></html>"
        ),
        "/missing": lambda sock, query: respond(sock, "404 Not Found", {"Content-Length": "0"}),
        "/redirect": lambda sock, query: respond(sock, "302 Found", {"Location": unquote(query)}),
        "/loop": lambda sock, query: respond(sock, "302 Found", {"Location": "/loop", "Content-Length": "0"}),
        # Each hop answers after HOP_PAUSE_S, well within one hop's share of the head budget.
        "/slow-hop": lambda sock, query: (
            time.sleep(HOP_PAUSE_S),
            respond(sock, "302 Found", {"Location": f"/slow-hop?{int(query) - 1}" if int(query) else "/image",
                                        "Content-Length": "0"}),
        ),
        "/slow-headers": lambda sock, query: trickle(sock, b"H"),
        "/endless": lambda sock, query: (respond(sock, "200 OK", {}), trickle(sock, b"x" * 100)),
        "/declared-too-large": lambda sock, query: respond(sock, "200 OK", {"Content-Length": str(SMALL_LIMIT + 1)}),
        # Chunked framing wins over the (lying) Content-Length, as HTTP/1.1 requires.
        "/lying-length": lambda sock, query: (
            respond(sock, "200 OK", {"Content-Length": "10", "Transfer-Encoding": "chunked"}),
            trickle(sock, b"1000\r\n" + b"x" * 0x1000 + b"\r\n", 0.001),
        ),
        "/unframed-too-large": lambda sock, query: respond(sock, "200 OK", {}, b"x" * (SMALL_LIMIT * 3)),
        "/broken": lambda sock, query: respond(sock, "200 OK", {"Content-Length": "1000"}, b"only ten b"),
        "/big": lambda sock, query: (
            respond(sock, "200 OK", {"Content-Length": str(int(query))}),
            [sock.sendall(BLOCK) for _ in range(int(query) // len(BLOCK))],
        ),
        "/big-chunked": lambda sock, query: (
            respond(sock, "200 OK", {"Transfer-Encoding": "chunked"}),
            [sock.sendall(b"10000\r\n" + BLOCK + b"\r\n") for _ in range(int(query) // len(BLOCK))],
            sock.sendall(b"0\r\n\r\n"),
        ),
    }


class Upstream(socketserver.ThreadingTCPServer):
    """A loopback HTTP(S) server that runs scripted routes and records every connection and request."""

    daemon_threads = True
    block_on_close = False

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        super().__init__(("127.0.0.1", 0), UpstreamHandler)
        self.tls = tls
        self.connections = 0
        self.requests: list[tuple[str, str]] = []
        self.server_names: list[str | None] = []
        self.routes = routes()
        self.port = self.server_address[1]

    def url(self, path: str, host: str = "public.test") -> str:
        return f"http://{host}:{self.port}{path}"


class UpstreamHandler(socketserver.BaseRequestHandler):
    """Reads one request head and runs its route; a client hanging up simply ends the route."""

    server: Upstream

    def handle(self) -> None:
        self.server.connections += 1
        sock = self.request
        try:
            if self.server.tls is not None:
                sock = self.server.tls.wrap_socket(sock, server_side=True)
            head = b""
            while b"\r\n\r\n" not in head:
                data = sock.recv(4096)
                if not data:
                    return
                head += data
            target = head.split(b" ")[1].decode()
            host = next(line[6:] for line in head.decode().split("\r\n") if line.lower().startswith("host: "))
            self.server.requests.append((target, host))
            path, _, query = target.partition("?")
            self.server.routes[path](sock, query)
        except (OSError, ssl.SSLError):
            pass  # the client hung up or refused our certificate


@pytest.fixture
def upstream() -> Iterator[Upstream]:
    server = Upstream()
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def dialled(monkeypatch: pytest.MonkeyPatch, upstream: Upstream) -> list[str]:
    """Every address the fetcher dials; PUBLIC is routed to the upstream, anything but loopback fails the test."""
    addresses: list[str] = []

    def connect(address: str, port: int, timeout: float) -> socket.socket:
        addresses.append(address)
        assert address == PUBLIC or address in {"127.0.0.1", "::1"}, f"dialled {address}"
        return socket.create_connection(("127.0.0.1", port), timeout=timeout)

    monkeypatch.setattr(fetch_http, "connect_socket", connect)
    return addresses


# The deadlines of the tests that run into them: short, so those tests are quick.
SHORT_DEADLINES = {"header_timeout_s": 0.5, "body_timeout_s": 1.0}


def settings_for(upstream: Upstream, **overrides: object) -> FetchSettings:
    """Settings for fetching from the test server; deadlines far above its answers, so that a machine busy with
    other tests (they run on every core) never turns an answer into a timeout. Timeout tests pass SHORT_DEADLINES."""
    values: dict = {"header_timeout_s": 10.0, "body_timeout_s": 10.0, "max_bytes": SMALL_LIMIT, "max_redirects": 3,
                    "allowed_ports": (upstream.port,)}
    return FetchSettings(**(values | overrides))


def stub_resolver(host: str, port: int) -> list[str]:
    return NAMES[host]


REFUSED_HOSTS = ["2130706433", "0177.0.0.1", "0x7f.1", "127.1", "127.0.0.1", "[::1]", "[::ffff:127.0.0.1]",
                 "[::ffff:7f00:1]", "0.0.0.0", "loopback.test", "metadata.test", "mixed.test", "169.254.169.254"]


@pytest.mark.parametrize("host", REFUSED_HOSTS)
def test_refused_hosts_are_403_without_a_connection(upstream: Upstream, dialled: list[str], host: str) -> None:
    with pytest.raises(FetchRefused):
        fetch(upstream.url("/image", host), settings_for(upstream), stub_resolver)
    assert (dialled, upstream.connections) == ([], 0)


@pytest.mark.parametrize("host", REFUSED_HOSTS)
def test_redirects_to_refused_hosts_are_403_without_a_connection(
    upstream: Upstream, dialled: list[str], host: str
) -> None:
    redirect = "/redirect?" + quote(upstream.url("/image", host), safe="")
    with pytest.raises(FetchRefused):
        fetch(upstream.url(redirect), settings_for(upstream), stub_resolver)
    assert (dialled, upstream.connections) == ([PUBLIC], 1)
    assert [path for path, _ in upstream.requests] == [redirect]


def test_public_host_is_fetched_from_the_checked_address_with_its_own_host_header(
    upstream: Upstream, dialled: list[str]
) -> None:
    lookups: list[str] = []

    def rebinding_resolver(host: str, port: int) -> list[str]:
        """Answers loopback from the second lookup on, as a DNS-rebinding attacker would."""
        lookups.append(host)
        return [PUBLIC] if len(lookups) == 1 else ["127.0.0.1"]

    body = fetch(upstream.url("/image"), settings_for(upstream), rebinding_resolver)
    assert (body, type(body)) == (bytearray(b"bytes"), bytearray)
    assert (lookups, dialled) == (["public.test"], [PUBLIC])
    assert upstream.requests == [("/image", f"public.test:{upstream.port}")]


def test_relative_redirect_is_followed(upstream: Upstream, dialled: list[str]) -> None:
    assert fetch(upstream.url("/redirect?%2Fimage"), settings_for(upstream), stub_resolver) == b"bytes"
    assert [path for path, _ in upstream.requests] == ["/redirect?%2Fimage", "/image"]


def test_loopback_allowance_lets_the_local_stack_fetch_from_127_0_0_1(upstream: Upstream, dialled: list[str]) -> None:
    local = settings_for(upstream, allow_loopback=True)
    assert fetch(upstream.url("/image", "127.0.0.1"), local, stub_resolver) == b"bytes"
    with pytest.raises(FetchRefused):
        fetch(upstream.url("/image", "metadata.test"), local, stub_resolver)
    assert dialled == ["127.0.0.1"]


def test_redirect_loop_is_502_after_the_configured_hops(upstream: Upstream, dialled: list[str]) -> None:
    with pytest.raises(UpstreamError) as raised:
        fetch(upstream.url("/loop"), settings_for(upstream), stub_resolver)
    assert "3 times" in raised.value.message
    assert len(upstream.requests) == 4


@pytest.mark.parametrize(("path", "expected"), [("/missing", "404"), ("/broken", "failed")])
def test_error_status_and_broken_connection_are_502(
    upstream: Upstream, dialled: list[str], path: str, expected: str
) -> None:
    with pytest.raises(UpstreamError) as raised:
        fetch(upstream.url(path), settings_for(upstream), stub_resolver)
    assert expected in raised.value.message


def test_refused_connection_is_502(upstream: Upstream, dialled: list[str]) -> None:
    with socket.create_server(("127.0.0.1", 0)) as closed:
        port = closed.getsockname()[1]  # free once closed: nothing listens there
    with pytest.raises(UpstreamError) as raised:
        fetch(f"http://public.test:{port}/image", settings_for(upstream, allowed_ports=(port,)), stub_resolver)
    assert "connection" in raised.value.message
    assert dialled == [PUBLIC]


@pytest.mark.parametrize(("path", "budget_s"), [("/slow-headers", 0.5), ("/endless", 1.0)])
def test_trickling_servers_are_504_within_the_phase_budgets(
    upstream: Upstream, dialled: list[str], path: str, budget_s: float
) -> None:
    started = time.monotonic()
    with pytest.raises(UpstreamTimeout):
        fetch(upstream.url(path), settings_for(upstream, max_bytes=10**9, **SHORT_DEADLINES), stub_resolver)
    # Generous above the budget (a loaded machine), yet far below the 60 s a trickle lasts without the deadline.
    assert budget_s <= time.monotonic() - started < budget_s + 3


def test_redirect_chain_of_slow_hops_ends_within_the_total_deadline(upstream: Upstream, dialled: list[str]) -> None:
    # Five hops of 0.3 s each would all pass a per-hop head timeout of 0.5 s (1.5 s and an image in all);
    # the head deadline is one total for the whole chain, so the third hop's head is already too late.
    settings = settings_for(upstream, max_redirects=5, **SHORT_DEADLINES)
    started = time.monotonic()
    with pytest.raises(UpstreamTimeout):
        fetch(upstream.url("/slow-hop?4"), settings, stub_resolver)
    elapsed = time.monotonic() - started
    assert settings.header_timeout_s <= elapsed < settings.header_timeout_s + settings.body_timeout_s
    assert len(upstream.requests) < 5


def test_a_hanging_name_lookup_is_504_within_the_head_deadline(upstream: Upstream, dialled: list[str]) -> None:
    def hanging_resolver(host: str, port: int) -> list[str]:
        time.sleep(5)
        return [PUBLIC]

    started = time.monotonic()
    with pytest.raises(UpstreamTimeout):
        fetch(upstream.url("/image"), settings_for(upstream, **SHORT_DEADLINES), hanging_resolver)
    assert time.monotonic() - started < 3
    assert dialled == []


@pytest.mark.parametrize("path", ["/declared-too-large", "/lying-length", "/unframed-too-large"])
def test_bodies_over_the_limit_are_413_naming_it(upstream: Upstream, dialled: list[str], path: str) -> None:
    started = time.monotonic()
    with pytest.raises(TooLarge) as raised:
        fetch(upstream.url(path), settings_for(upstream), stub_resolver)
    assert str(SMALL_LIMIT) in raised.value.message
    # Refused as soon as the limit is passed (or declared), without waiting for the rest.
    assert time.monotonic() - started < 5


def test_html_page_is_fetched_and_then_refused_by_its_bytes(upstream: Upstream, dialled: list[str]) -> None:
    body = fetch(upstream.url("/html"), settings_for(upstream), stub_resolver)
    with pytest.raises(NotAnImage):
        extract(body)


@pytest.mark.parametrize("path", ["/big", "/big-chunked"])
def test_body_is_held_once(upstream: Upstream, dialled: list[str], path: str) -> None:
    size = 4 * 1024 * 1024
    tracemalloc.start()
    try:
        body = fetch(upstream.url(f"{path}?{size}"), settings_for(upstream, max_bytes=size), stub_resolver)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(body) == size
    assert peak < size * 1.3  # a body joined from chunks, or copied once, would peak at twice its size


def self_signed(tmp_path: Path, name: str) -> tuple[ssl.SSLContext, Path]:
    """A server context with a certificate for `name`, and the certificate file to trust it."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    return context, cert_file


@pytest.mark.parametrize(("certified_name", "succeeds"), [("images.test", True), ("other.test", False)])
def test_https_verifies_the_certificate_for_the_url_host_at_the_checked_address(
    upstream: Upstream, dialled: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    certified_name: str, succeeds: bool,
) -> None:
    context, cert_file = self_signed(tmp_path, certified_name)
    context.sni_callback = lambda sock, name, ctx: upstream.server_names.append(name)
    upstream.tls = context
    monkeypatch.setenv("SSL_CERT_FILE", str(cert_file))  # OpenSSL's default trust store reads it
    url = f"https://images.test:{upstream.port}/image"
    if succeeds:
        assert fetch(url, settings_for(upstream), stub_resolver) == b"bytes"
        assert upstream.requests == [("/image", f"images.test:{upstream.port}")]
    else:
        with pytest.raises(UpstreamError):
            fetch(url, settings_for(upstream), stub_resolver)
    assert (dialled, upstream.server_names) == ([PUBLIC], ["images.test"])


@pytest.mark.parametrize("location", ["/redirect/..;/image", "/redirect/%252e%252e/image", "/redirect-private/image"])
def test_a_redirect_out_of_the_allowed_prefix_is_403_without_following_it(
    upstream: Upstream, dialled: list[str], location: str
) -> None:
    # The first hop is under the prefix; the Location is not, however it is spelled: each hop is checked again.
    prefix = upstream.url("/redirect")
    redirect = "/redirect?" + quote(location, safe="")
    with pytest.raises(FetchRefused):
        fetch(upstream.url(redirect), settings_for(upstream, allowed_url_prefixes=(prefix,)), stub_resolver)
    assert [path for path, _ in upstream.requests] == [redirect]
