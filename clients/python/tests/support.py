"""What the tests share: the server they run against (from the environment), unique names, and a
TCP proxy that cuts connections on demand, to test the client's retries without stopping the
server."""
import http.client
import http.server
import os
import random
import socket
import threading
import time
import unittest
import urllib.parse
import uuid
from typing import List, Optional, Tuple

import indelible

_HOW = ("the tests run against a real `indelible serve`: set INDELIBLE_URL (e.g. http://127.0.0.1:7171), "
        "INDELIBLE_TOKEN (a token for streams '*', verbs append,read,query,status,admin) and "
        "INDELIBLE_NARROW_TOKEN (streams 'selfies-*', verbs append,read), and INDELIBLE_PARTITIONED_URL, a "
        "server of the same tokens over a journal of 3 partitions (a stream ending in a number n in partition n % 3); "
        "server/src/test/java/dev/indelible/server/PythonClientTest.java does all of it")


def setting(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise AssertionError(f"{name} is not set: {_HOW}")
    return value


def url() -> str:
    return setting("INDELIBLE_URL")


def token() -> str:
    return setting("INDELIBLE_TOKEN")


def narrow_token() -> str:
    return setting("INDELIBLE_NARROW_TOKEN")


def partitioned_url() -> str:
    return setting("INDELIBLE_PARTITIONED_URL")


def client(**options) -> indelible.Client:
    return indelible.Client(url(), token(), **options)


def unique(prefix: str = "") -> str:
    return prefix + uuid.uuid4().hex[:12]


def user_id() -> int:
    """A user id no other run used (selfie streams are selfies-user-<id>).

    Below 10^14, so a test may append a digit and stay under 2^53, where JSON numbers stay exact.
    """
    return random.randint(10 ** 9, 10 ** 14)


NOW = "2024-05-01T12:00:00Z"


class ServerTestCase(unittest.TestCase):
    """Fails (does not skip) when the server is not configured or not answering."""
    client: indelible.Client

    @classmethod
    def setUpClass(cls) -> None:
        cls.client = client()
        if not cls.client.live():
            raise AssertionError(f"no server answers GET {url()}/health/live: {_HOW}")

    @classmethod
    def tearDownClass(cls) -> None:
        cls.client.close()

    def head(self) -> int:
        return self.client.read(0, 1).head

    def events_since(self, start: int) -> List[indelible.Event]:
        return list(self.client.read_all(start))


class Proxy:
    """A TCP proxy in front of the server. ``cut()`` closes every open connection; ``down(s)``
    refuses connections for s seconds; ``swallow(n)`` lets the next n answers reach the client
    only as a closed connection: the server did the work, the client never hears of it."""

    def __init__(self) -> None:
        target = urllib.parse.urlsplit(url())
        self.target: Tuple[str, int] = (target.hostname or "127.0.0.1", target.port or 80)
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self._lock = threading.Lock()
        self._open: List[socket.socket] = []
        self._down_until = 0.0
        self._swallow = 0
        self.swallowed = 0
        self.cuts = 0
        self._closed = False
        threading.Thread(target=self._accept, daemon=True, name="test-proxy").start()

    def cut(self) -> None:
        with self._lock:
            sockets, self._open = self._open, []
            self.cuts += 1
        for s in sockets:
            _close(s)

    def down(self, seconds: float) -> None:
        with self._lock:
            self._down_until = time.monotonic() + seconds
        self.cut()

    def swallow(self, answers: int) -> None:
        with self._lock:
            self._swallow += answers

    def close(self) -> None:
        self._closed = True
        _close(self._listener)
        self.cut()

    def _accept(self) -> None:
        while not self._closed:
            try:
                downstream, _ = self._listener.accept()
            except OSError:
                return
            if time.monotonic() < self._down_until:
                _close(downstream)
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=10)
                upstream.settimeout(None)
            except OSError:
                _close(downstream)
                continue
            with self._lock:
                self._open += [downstream, upstream]
            threading.Thread(target=self._pump, args=(downstream, upstream, False), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, downstream, True), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, answers: bool) -> None:
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                if answers and self._take_swallow():
                    break  # the answer is dropped and the connection closed
                sink.sendall(data)
        except OSError:
            pass
        finally:
            _close(source)
            _close(sink)

    def _take_swallow(self) -> bool:
        with self._lock:
            if self._swallow > 0:
                self._swallow -= 1
                self.swallowed += 1
                return True
            return False


class BufferingProxy:
    """An HTTP proxy that reads a whole request body before it forwards it and a whole answer before
    it passes it on, as nginx does by default (proxy_request_buffering, proxy_buffering); with
    ``refuse_chunked`` it answers a chunked request body 411 Length Required, as some proxies do.
    One request per connection."""

    def __init__(self, refuse_chunked: bool = False) -> None:
        target = urllib.parse.urlsplit(url())
        self._target = (target.hostname or "127.0.0.1", target.port or 80)
        self._refuse_chunked = refuse_chunked
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                proxy._forward(self)

            do_POST = do_PUT = do_DELETE = do_GET  # noqa: N815

            def log_message(self, *args) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True, name="test-buffering-proxy").start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _forward(self, h: http.server.BaseHTTPRequestHandler) -> None:
        h.close_connection = True
        chunked = h.headers.get("Transfer-Encoding", "").lower() == "chunked"
        if chunked and self._refuse_chunked:
            self._answer(h, 411, [], b"")
            return
        body = _chunked_body(h.rfile) if chunked else h.rfile.read(int(h.headers.get("Content-Length", "0")))
        headers = {k: v for k, v in h.headers.items() if k.lower() not in _HOP_BY_HOP}
        upstream = http.client.HTTPConnection(*self._target, timeout=60)
        try:
            upstream.request(h.command, h.path, body=body, headers=headers)
            answer = upstream.getresponse()
            self._answer(h, answer.status, answer.getheaders(), answer.read())
        finally:
            upstream.close()

    @staticmethod
    def _answer(h: http.server.BaseHTTPRequestHandler, status: int, headers, body: bytes) -> None:
        h.send_response(status)
        for name, value in headers:
            if name.lower() not in _HOP_BY_HOP:
                h.send_header(name, value)
        h.send_header("Content-Length", str(len(body)))
        h.send_header("Connection", "close")
        h.end_headers()
        h.wfile.write(body)


_HOP_BY_HOP = ("transfer-encoding", "connection", "content-length", "host", "keep-alive")


def _chunked_body(stream) -> bytes:
    body = b""
    while True:
        size = int(stream.readline().split(b";")[0], 16)
        if size == 0:
            while stream.readline() not in (b"\r\n", b"\n", b""):
                pass  # trailers
            return body
        body += stream.read(size)
        stream.readline()


def _close(s: Optional[socket.socket]) -> None:
    if s is None:
        return
    try:
        s.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    try:
        s.close()
    except OSError:
        pass
