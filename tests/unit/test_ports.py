"""The local stack's ports: held from the moment it starts, and picked where no outgoing connection lands."""
from __future__ import annotations

import threading
import urllib.request
from http.server import BaseHTTPRequestHandler

import pytest

from infra.ports import ephemeral_start, free_port_run, http_server, reserve


class Hello(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self.send_response(200)
        self.send_header("Content-Length", "5")
        self.end_headers()
        self.wfile.write(b"hello")

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - http.server's signature
        pass


def test_a_reserved_port_is_refused_to_others_by_name_and_served_from_later() -> None:
    port = free_port_run()
    held = reserve(port, "LOCAL_API_PORT")
    with pytest.raises(SystemExit, match=f"port {port} .* in use; choose another with LOCAL_API_PORT"):
        reserve(port, "LOCAL_API_PORT")
    server = http_server(held, Hello)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as answer:
            assert answer.read() == b"hello"
    finally:
        server.shutdown()
        server.server_close()
    reserve(port, "LOCAL_API_PORT").close()  # free again once the server is closed


def test_picked_runs_are_free_and_below_the_ephemeral_range() -> None:
    for _ in range(20):
        first = free_port_run(3)
        assert first + 3 <= ephemeral_start()
        for port in range(first, first + 3):
            reserve(port, "LOCAL_DELIVERY_PORT").close()
