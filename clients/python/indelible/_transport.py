"""HTTP/1.1 with kept-alive connections (one per thread), retries and error mapping."""
import http.client
import json
import random
import socket
import threading
import time
import urllib.parse
import weakref
from typing import Any, Dict, Optional, Tuple

from .errors import IndelibleError, ProtocolError, Unavailable, error_from_answer

USER_AGENT = "indelible-python/0.1"

# What a lost, refused, reset or timed-out connection raises: retried when the request is safe.
CONNECTION_ERRORS: Tuple[type, ...] = (OSError, http.client.HTTPException)

# Statuses retried with the same request: the server (or a proxy in front) is stopping or unreachable.
RETRY_STATUSES = (502, 503, 504)
# What a proxy that takes no chunked request body answers one: Length Required, Not Implemented.
CHUNKED_REFUSED = (411, 501)


class Backoff:
    """Bounded attempts with exponential backoff and jitter, within a total time."""

    def __init__(self, max_attempts: int, total_seconds: float, first: float = 0.05, cap: float = 2.0):
        self.max_attempts = max_attempts
        self.deadline = time.monotonic() + total_seconds
        self.first = first
        self.cap = cap
        self.attempts = 0

    def reset(self, total_seconds: float) -> None:
        """Progress was made: the budget starts again."""
        self.attempts = 0
        self.deadline = time.monotonic() + total_seconds

    def wait(self, stop: Optional[threading.Event] = None) -> bool:
        """Sleeps before the next attempt; False when the budget is spent or ``stop`` is set (do
        not retry)."""
        if stop is not None and stop.is_set():
            return False
        self.attempts += 1
        if self.attempts >= self.max_attempts:
            return False
        delay = min(self.cap, self.first * 2 ** (self.attempts - 1)) * (0.5 + random.random() / 2)
        if time.monotonic() + delay > self.deadline:
            return False
        if stop is not None:
            return not stop.wait(delay)
        time.sleep(delay)
        return True


class Transport:
    def __init__(self, url: str, token: str, timeout: float, max_attempts: int, retry_seconds: float):
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"url: must be http://HOST[:PORT] or https://..., was {url!r}")
        if not token:
            raise ValueError("token: is required (indelible token create ...)")
        self.scheme = parts.scheme
        self.host = parts.hostname
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        self.prefix = parts.path.rstrip("/")
        self.timeout = timeout
        self.max_attempts = max(1, max_attempts)
        self.retry_seconds = retry_seconds
        self._headers = {"Authorization": f"Bearer {token}", "User-Agent": USER_AGENT,
                         "Accept": "application/json"}
        self._local = threading.local()
        # Weak: the connection of a thread that ended is closed and goes with the thread's locals.
        self._all: "weakref.WeakSet[http.client.HTTPConnection]" = weakref.WeakSet()
        self._lock = threading.Lock()
        self._closed = False

    # -- connections ------------------------------------------------------------------------

    def connection(self) -> Tuple[http.client.HTTPConnection, bool]:
        """This thread's connection and whether it was used before (then it may have gone stale)."""
        holder = getattr(self._local, "holder", None)
        if holder is not None:
            return holder.conn, True
        if self._closed:
            from .errors import ClosedError
            raise ClosedError("closed", "the client is closed")
        if self.scheme == "https":
            conn = http.client.HTTPSConnection(self.host, self.port, timeout=self.timeout)
        else:
            conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        self._local.holder = _Holder(conn)
        with self._lock:
            self._all.add(conn)
        return conn, False

    def drop(self) -> None:
        """Closes this thread's connection; the next request opens a new one."""
        holder = getattr(self._local, "holder", None)
        self._local.holder = None
        if holder is not None:
            holder.close()

    def close(self) -> None:
        self._closed = True
        with self._lock:
            conns = list(self._all)
            self._all.clear()
        for conn in conns:
            try:
                conn.close()
            except Exception:  # noqa: BLE001
                pass

    def headers(self, content_type: Optional[str] = None) -> Dict[str, str]:
        headers = dict(self._headers)
        if content_type:
            headers["Content-Type"] = content_type
        return headers

    def path(self, path: str, query: Optional[Dict[str, Any]] = None) -> str:
        if query:
            pairs = [(k, _param(v)) for k, v in query.items() if v is not None]
            if pairs:
                path += "?" + urllib.parse.urlencode(pairs)
        return self.prefix + path

    # -- requests ---------------------------------------------------------------------------

    def once(self, method: str, path: str, body: Any, content_type: Optional[str]
             ) -> Tuple[int, bytes]:
        """One request on this thread's connection; a failure drops the connection and raises.
        ``body``: bytes, or an iterable of them sent as a chunked body."""
        conn, reused = self.connection()
        try:
            conn.request(method, path, body=body, headers=self.headers(content_type))
            response = conn.getresponse()
            data = response.read()
        except BaseException as e:
            self.drop()
            if reused and isinstance(e, CONNECTION_ERRORS) and not isinstance(e, (socket.timeout, TimeoutError)):
                raise _Stale(e) from e
            raise
        if response.will_close:
            self.drop()
        return response.status, data

    def call(self, method: str, path: str, body: Optional[bytes] = None,
             content_type: Optional[str] = None, append: bool = False, retry: bool = True,
             stop: Optional[threading.Event] = None) -> Any:
        """The decoded JSON answer of a 2xx; an :class:`IndelibleError` otherwise. Connection
        errors and 502/503/504 are retried (bounded) when ``retry``: only for requests that are
        safe to repeat (reads, and appends whose every event has an id)."""
        backoff = Backoff(self.max_attempts, self.retry_seconds)
        stale_retried = False
        while True:
            try:
                status, data = self.once(method, path, body, content_type)
            except _Stale as e:
                if not stale_retried and not (stop is not None and stop.is_set()):
                    # a kept-alive connection the server closed: once more at once
                    stale_retried = True
                    continue
                failure: IndelibleError = unreachable(e.cause)
                cause: BaseException = e.cause
            except CONNECTION_ERRORS as e:
                failure, cause = unreachable(e), e
            else:
                answer = decode(data, status)
                if 200 <= status < 300:
                    return answer
                failure = error_from_answer(answer, status, append)
                cause = failure
                if status not in RETRY_STATUSES:
                    raise failure
            if not retry or (stop is not None and stop.is_set()) or not backoff.wait(stop):
                if failure is cause:
                    raise failure
                raise failure from cause


class _Holder:
    """A thread's connection, closed when the thread ends (its locals go) or it is dropped."""
    __slots__ = ("conn", "__weakref__")

    def __init__(self, conn: http.client.HTTPConnection):
        self.conn = conn

    def close(self) -> None:
        try:
            self.conn.close()
        except Exception:  # noqa: BLE001 - closing a broken connection
            pass

    def __del__(self) -> None:
        self.close()


class _Stale(Exception):
    def __init__(self, cause: BaseException):
        super().__init__(str(cause))
        self.cause = cause


def unreachable(e: BaseException) -> Unavailable:
    return Unavailable("unreachable", f"the server could not be reached: {type(e).__name__}: {e}")


def decode(data: bytes, status: int) -> Any:
    try:
        return json.loads(data) if data else {}
    except ValueError:
        if 200 <= status < 300:
            raise ProtocolError(f"http_{status}", f"the answer is not JSON: {data[:200]!r}", status=status)
        return {"error": f"http_{status}", "message": data[:300].decode("utf-8", "replace")}


def _param(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def quote_segment(name: str) -> str:
    """A stream name as one path segment."""
    return urllib.parse.quote(name, safe="")

