"""Loopback ports for the local stack: held from the start, and chosen where no outgoing connection lands.

A port found free and bound seconds later can be taken in between: every outgoing TCP connection gets a local
port from the kernel's ephemeral range, and the stack makes hundreds (its functions call moto) before its HTTP
servers start. CI lost a run to this (a distribution's bind failed with EADDRINUSE). So the stack binds each
listening socket the moment it starts, and serves from that socket later; and the ports tools pick for a
stack come from below the ephemeral range, where the kernel never places a connection.
"""
from __future__ import annotations

import contextlib
import random
import socket
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

LOOPBACK = "127.0.0.1"
# Linux's default ephemeral range starts here; /proc says what this machine uses.
EPHEMERAL_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")
DEFAULT_EPHEMERAL_START = 32768
# Well above the registered services people run locally (databases, dev servers on 3000, 5432, 8080, ...).
LOWEST_PICKED = 20000
# Not the random module's shared generator, which a test or plugin may seed alike in every worker.
PICKER = random.SystemRandom()


def reserve(port: int, variable: str) -> socket.socket:
    """The port bound and listening now, for a server made later (http_server); fails clearly if it is taken.

    Listening, not only bound: Linux lets a second SO_REUSEADDR socket bind a port nobody listens on yet.
    A caller that connects early waits in the backlog until the server runs.
    """
    held = socket.socket()
    # As servers bind: a port a stopped stack's connections still hold (TIME_WAIT) is free to reuse.
    held.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        held.bind((LOOPBACK, port))
    except OSError:
        held.close()
        raise SystemExit(f"port {port} on {LOOPBACK} is in use; choose another with {variable}") from None
    held.listen()
    return held


def http_server(held: socket.socket, handler: type[BaseHTTPRequestHandler]) -> ThreadingHTTPServer:
    """A threaded HTTP server listening on a reserved socket (the caller runs serve_forever)."""
    server = ThreadingHTTPServer(held.getsockname(), handler, bind_and_activate=False)
    server.socket.close()
    server.socket = held  # already listening (reserve)
    server.daemon_threads = True
    return server


def ephemeral_start() -> int:
    try:
        return int(EPHEMERAL_RANGE.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return DEFAULT_EPHEMERAL_START


def free_port_run(count: int = 1) -> int:
    """The first of `count` consecutive ports free on loopback now, below the ephemeral range (see above).

    Random, so that stacks started at once (pytest-xdist workers) rarely try the same ports; the one that loses
    a race anyway fails at once with the port's name (reserve), never later.
    """
    highest = max(LOWEST_PICKED + 1000, ephemeral_start()) - count
    while True:
        first = PICKER.randrange(LOWEST_PICKED, highest)
        try:
            with contextlib.ExitStack() as held:
                for port in range(first, first + count):
                    probe = held.enter_context(socket.socket())
                    probe.bind((LOOPBACK, port))
        except OSError:
            continue
        return first


def free_port() -> int:
    return free_port_run(1)
