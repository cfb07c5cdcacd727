"""moto's server made to route a request without reading its own package directory.

To find the backend of each request, moto's server lists the directories of its package (`os.listdir` and an
`isdir` for each of its ~150 services) while it holds the one lock every request takes. When a folder job copies
a page of objects with parallel requests, the other requests wait on that lock: py-spy found most of the stack's
request threads there during a 2,000-file move. The listing never changes while the process runs, so
`routing_listed_once()` keeps the first one.
"""
from __future__ import annotations

import functools

from moto import backends

_PATCHED = "_imagemeta_listed_once"


def routing_listed_once() -> None:
    """Patch moto's backend lookup in this process (once): its package's modules listed once."""
    if getattr(backends, _PATCHED, False):
        return
    modules = tuple(backends.list_of_moto_modules())
    setattr(backends, "list_of_moto_modules", functools.partial(iter, modules))  # noqa: B010
    setattr(backends, _PATCHED, True)
