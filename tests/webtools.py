"""A classroom server on a free local port and a browser-like client (cookies kept), for
the tests that talk to the class game over HTTP."""

from __future__ import annotations

import http.cookiejar
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

from sim.play import classroom


@contextmanager
def serving(**options) -> Iterator[tuple[object, str]]:
    """`classroom.serve(...)` on 127.0.0.1 and a free port, in a thread: (server, base URL)."""
    srv = classroom.serve("127.0.0.1", 0, **options)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    try:
        yield srv, f"http://127.0.0.1:{srv.server_address[1]}"
    finally:
        srv.shutdown()
        srv.server_close()


def client():
    """A client that keeps its cookies, as a browser does."""
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))


def call(opener, url: str, data: dict | None = None, timeout: float = 30):
    """GET (or POST `data`): (status, body, headers, final URL); an HTTP error is a result."""
    try:
        r = opener.open(url, urllib.parse.urlencode(data).encode() if data is not None else None, timeout=timeout)
        return r.status, r.read().decode(), r.headers, r.geturl()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode(), err.headers, url
