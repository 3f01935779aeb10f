"""The producer's path over ``POST /append``: one request kept open, its body written as chunks of
NDJSON lines while a reader thread reads the outcomes, in order, from the streamed answer.

Many batches are in flight at once (the server appends each line as it reads it and answers it
once durable, so one sync covers them all), and the order of the lines is the order of the
producer's queue. When the request fails (connection error, 503, an answer cut short or ended by
a bad line, or a line answered ``unavailable``), the lines without an outcome are sent again,
first, on a new request with the same event ids: a line that had been stored is answered as a
duplicate with its original position.
"""
import collections
import http.client
import json
import re
import socket
import threading
import time
from typing import Any, List, Optional

from ._transport import CHUNKED_REFUSED, CONNECTION_ERRORS, RETRY_STATUSES, Backoff, decode, unreachable
from .errors import IndelibleError, ProtocolError, Unavailable, error_from_answer

__all__ = ["StreamedSender"]

_STATUS_OF = {"invalid_argument": 400, "unauthenticated": 401, "permission_denied": 403,
              "wrong_expected_version": 409, "event_id_conflict": 409, "rule_violated": 409,
              "request_too_large": 413, "too_many_events": 413, "unavailable": 503}
# An acknowledgement as the server writes it (StreamedAppends); any other line is read as JSON.
_ACK = re.compile(rb'\{"line":(\d+),"stream":"([^"\\]*)","global_seq":(\d+),"stream_version":(\d+),'
                  rb'"event_id":"[^"\\]*","duplicate":(true|false)\}')
# Lines of a request whose answer is read only once it is sent (over TLS): the server reads up
# to 4,096 lines ahead of their acknowledgements, so it reads all of these while no one reads its answer.
_UNREAD_LINES = 1000
_TLS_CONNECTION = getattr(http.client, "HTTPSConnection", ())  # absent from a Python built without ssl
# Refusals of one line after which the server goes on with the next (the others end the answer).
_CONFLICTS = ("wrong_expected_version", "event_id_conflict", "rule_violated")
# A request takes lines for this long, then is ended (and the next opened): a server that is
# stopping waits for the requests in flight, and a quiet one holds a server thread.
REQUEST_SECONDS = 1.0


class _Session:
    """One ``POST /append`` request: the sender thread writes lines as body chunks; a reader
    thread resolves their outcomes in order. ``sent`` holds the lines written and not answered.

    Over TLS the reader starts once the body has ended, so the request carries one batch: an
    ``SSLSocket`` (one OpenSSL connection) must not be read and written from two threads at once."""

    def __init__(self, producer: Any, conn: Any) -> None:
        self._p = producer
        self.sent: "collections.deque[Any]" = collections.deque()
        self.lock = threading.Lock()
        self.writable = True         # False once ended, broken or answered: no more lines go out
        self.write_failed = False
        self.error: Optional[IndelibleError] = None  # why the lines left in sent were not answered
        self.reusable = False        # the connection may carry the next request
        self.resolved = 0
        self.ends_at = time.monotonic() + REQUEST_SECONDS
        t = producer._t
        conn.putrequest("POST", t.path("/append"), skip_accept_encoding=True)
        for name, value in t.headers("application/x-ndjson").items():
            conn.putheader(name, value)
        conn.putheader("Transfer-Encoding", "chunked")
        conn.endheaders()
        # Written through the socket itself: http.client drops its socket when an answer says
        # Connection: close, and its send() would then open a new connection for a body chunk.
        self._sock: socket.socket = conn.sock
        self._conn = conn
        self.pipelined = not isinstance(conn, _TLS_CONNECTION)
        self.reader = threading.Thread(target=self._read, name="indelible-producer-acks", daemon=True)
        self._reading = False
        if self.pipelined:
            self._start_reading()

    def _start_reading(self) -> None:
        if not self._reading:
            self._reading = True
            self.reader.start()

    def write(self, items: List[Any]) -> bool:
        """Sends ``items`` as one chunk; False (nothing taken) when the request takes no more lines.
        A failed write leaves them in ``sent``, to be sent again."""
        body = "".join([item.line() for item in items]).encode("utf-8")
        with self.lock:
            if not self.writable:
                return False
            self.sent.extend(items)
        try:
            self._sock.sendall(b"%x\r\n%b\r\n" % (len(body), body))
        except CONNECTION_ERRORS:
            self.abort()  # the reader, cut off, says why
        return True

    def end(self) -> None:
        """Ends the body; the server answers the lines in flight, then ends its answer."""
        with self.lock:
            if not self.writable:
                return
            self.writable = False
        try:
            self._sock.sendall(b"0\r\n\r\n")
        except CONNECTION_ERRORS:
            self.abort()
        self._start_reading()

    def abort(self) -> None:
        with self.lock:
            self.writable = False
            self.write_failed = True
        try:
            self._sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._start_reading()  # it says why

    def done(self) -> bool:
        """The request takes no more lines: it broke, was ended, or its answer ended."""
        return not self.writable or (self._reading and not self.reader.is_alive())

    # -- the reader thread ------------------------------------------------------------------

    def _read(self) -> None:
        error: Optional[IndelibleError] = None
        reusable = False
        try:
            response = self._conn.getresponse()
            if response.status != 200:
                error = self._refused(response)
            else:
                error, reusable = self._outcomes(response)
        except CONNECTION_ERRORS as e:
            error = unreachable(e)
        except ValueError as e:  # a line that is not JSON
            error = ProtocolError("protocol", f"an answer line is not JSON: {e}")
        except BaseException as e:  # noqa: BLE001 - a bug must fail the futures, not hang them
            self._fail_all(e if isinstance(e, IndelibleError) else ProtocolError(
                "client_error", f"{type(e).__name__}: {e}"))
        finally:
            with self.lock:
                self.writable = False
                self.error = error
                self.reusable = reusable and not self.write_failed
            self._p._poke()

    def _refused(self, response: Any) -> Optional[IndelibleError]:
        """A refusal of the whole request (the server read at most its first line)."""
        status = response.status
        error = error_from_answer(decode(response.read(), status), status, append=True)
        if status in CHUNKED_REFUSED:
            error = ProtocolError(f"http_{status}", "the request's chunked body was refused, by a proxy on the way "
                                  "most likely: POST /append streams its body; let the proxy pass chunked request "
                                  "bodies unbuffered, or use transport='streams'", status=status)
        if status in RETRY_STATUSES:
            return error
        if status in (400, 403):  # the first line is bad: it alone is refused, the rest go again
            with self.lock:
                self.writable = False
                first = self.sent.popleft() if self.sent else None
            if first is not None:
                self.resolved += 1
                self._p._fail(first, error)
            return None
        self._fail_all(error)  # unauthenticated, too many requests, ...: every line of it
        return None

    def _outcomes(self, response: Any) -> "tuple[Optional[IndelibleError], bool]":
        """Resolves the lines as their outcomes come; returns why the rest were not answered
        (None: they go again at once) and whether the connection may be used again."""
        producer = self._p
        for raw in _lines(response):
            ack = _ACK.fullmatch(raw)
            if ack is not None:  # the common line, read without building a dict
                item = self._next(int(ack[1]))
                if item is None:
                    return ProtocolError("protocol", f"answer for line {ack[1]}, expected {self.resolved + 1}"), False
                producer._ack(item, ack[2].decode("utf-8"), int(ack[3]), int(ack[4]), ack[5] == b"true")
                continue
            outcome = json.loads(raw)
            number = outcome.get("line")
            code = outcome.get("error")
            if number is None:  # the ledger failed mid-answer: retry the rest
                return error_from_answer(outcome, _STATUS_OF.get(code, 503), append=True), False
            item = self._next(number)
            if item is None:
                return ProtocolError("protocol", f"answer for line {number}, expected {self.resolved + 1}"), False
            if code is None:
                producer._ack(item, outcome["stream"], outcome["global_seq"], outcome["stream_version"],
                              bool(outcome.get("duplicate")))
                continue
            if code == "unavailable":  # not taken (the ledger failed, the writer changed): it goes again
                with self.lock:
                    self.sent.appendleft(item)
                    self.resolved -= 1
                return error_from_answer(outcome, 503, append=True), False
            producer._fail(item, error_from_answer(outcome, _STATUS_OF.get(code), append=True))
            if code not in _CONFLICTS:
                return None, False  # a bad line: the server read no further, the rest go again
        with self.lock:
            unanswered = len(self.sent)
        if unanswered:
            return Unavailable("cut", f"the answer ended with {unanswered} lines unanswered"), False
        return None, not response.will_close

    def _next(self, number: int) -> Optional[Any]:
        """The line the answer's line ``number`` is about: the first not answered, or None."""
        with self.lock:
            if not self.sent or number != self.resolved + 1:
                return None
            self.resolved += 1
            return self.sent.popleft()

    def _fail_all(self, error: BaseException) -> None:
        with self.lock:
            self.writable = False
            failing = list(self.sent)
            self.sent.clear()
        for item in failing:
            self._p._fail(item, error)


class StreamedSender:
    """Runs on the producer's sender thread: writes each batch to the open request (opening one
    when needed) without waiting for its outcomes, and sends again what a failed request left."""

    def __init__(self, producer: Any) -> None:
        self._p = producer
        self._t = producer._t
        self._session: Optional[_Session] = None
        self._backoff: Optional[Backoff] = None

    def idle_at(self) -> Optional[float]:
        """When the open request, if any, is to be ended (monotonic seconds)."""
        s = self._session
        return None if s is None else s.ends_at

    def send(self, items: List[Any]) -> None:
        pending = list(items)
        while True:
            s = self._session
            if s is not None and (s.done() or time.monotonic() >= s.ends_at):
                s.end()
                pending = self._recover() + pending
            if not pending:
                return
            if self._session is None and not self._open(pending):
                return
            s = self._session
            assert s is not None
            take = len(pending) if s.pipelined else _UNREAD_LINES
            if s.write(pending[:take]):
                pending = pending[take:]
                if not s.pipelined:
                    s.end()

    def idle(self) -> None:
        """Nothing to send: a failed request's lines go again; one past its time is ended."""
        s = self._session
        if s is None:
            return
        if not s.done() and time.monotonic() < s.ends_at:
            return
        s.end()
        pending = self._recover()
        if pending:
            self.send(pending)

    def finish(self) -> None:
        """Ends the request and waits for every line's outcome, sending again what needs it."""
        while self._session is not None:
            self._session.end()
            pending = self._recover()
            if pending:
                self.send(pending)

    def abandon(self, error: BaseException) -> None:
        """After a bug in the sender: fails the lines in flight rather than leave them hanging."""
        s, self._session = self._session, None
        if s is not None:
            s.abort()
            s.reader.join(5)
            self._t.drop()
            s._fail_all(error)

    def _open(self, pending: List[Any]) -> bool:
        while True:
            conn, _ = self._t.connection()
            self._p.stats.requests += 1
            try:
                self._session = _Session(self._p, conn)
                return True
            except CONNECTION_ERRORS as e:
                self._t.drop()
                if not self._retry_wait():
                    self._fail(pending, unreachable(e))
                    return False

    def _recover(self) -> List[Any]:
        """Closes the request; returns its lines without an outcome, to send again (after the
        backoff when it failed; failed themselves when the backoff runs out)."""
        s = self._session
        assert s is not None
        self._session = None
        while s.reader.is_alive():
            s.reader.join(0.1)
            if self._p._stop.is_set():
                s.abort()
        if not s.reusable:
            self._t.drop()
        if s.resolved:
            self._backoff = None  # progress: the retry budget starts again
        with s.lock:
            left = list(s.sent)
        if not left or s.error is None:
            return left
        if not self._retry_wait():
            self._fail(left, s.error)
            return []
        return left

    def _retry_wait(self) -> bool:
        if self._backoff is None:
            self._backoff = Backoff(self._t.max_attempts, self._t.retry_seconds)
        self._p.stats.retries += 1
        return self._backoff.wait(self._p._stop)

    def _fail(self, items: List[Any], error: BaseException) -> None:
        for item in items:
            self._p._fail(item, error)


def _lines(response: Any):
    """The lines of a streamed (chunked) answer as they arrive."""
    rest = b""
    while True:
        chunk = response.read1(65536)
        if not chunk:
            if rest.strip():
                yield rest
            return
        lines = (rest + chunk).split(b"\n")
        rest = lines.pop()
        for line in lines:
            if line.strip():
                yield line
