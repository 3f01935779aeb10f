"""A batching producer: appends from any number of threads, sent by one background thread.

Over ``POST /append`` (NDJSON, one append per line, each line answered once durable) when the
server has it, else over ``POST /streams/{stream}`` batches. Every event carries an event id, so
the lines not yet acknowledged when a connection fails or the server answers 503 are sent again
as they were: a line that had been stored is answered as a duplicate with its original position.
"""
import atexit
import bisect
import collections
import functools
import json
import re
import threading
import time
import weakref
from concurrent.futures import Future, wait
from typing import Any, Dict, List, Optional, Tuple

from ._append_stream import StreamedSender
from ._events import ExpectedVersion, checked_event, expected_text
from ._transport import (CHUNKED_REFUSED, CONNECTION_ERRORS, RETRY_STATUSES, Backoff, _Stale, decode,
                         quote_segment, unreachable)
from .errors import (ClosedError, IndelibleError, InvalidEvent, ProtocolError, Unavailable,
                     error_from_answer)
from .values import Ack

__all__ = ["Producer", "ProducerStats"]

_JSON = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
_STR = json.encoder.encode_basestring  # what _JSON does for a str, without its checks: once per field per line
_EVENT_INDEX = re.compile(r"events\[(\d+)\]")
_STREAMS_BATCH_BYTES = 512 * 1024
_STREAMS_BATCH_EVENTS = 1000


class ProducerStats:
    """Counters of a producer (read them any time; updated by the sender thread)."""

    def __init__(self) -> None:
        self.requests = 0     # HTTP requests sent
        self.acked = 0        # futures resolved with an Ack
        self.duplicates = 0   # of which the server had stored before (a retry's)
        self.failed = 0       # futures failed
        self.retries = 0      # requests repeated after a connection error, a 503 or a cut answer

    def __repr__(self) -> str:
        return (f"ProducerStats(requests={self.requests}, acked={self.acked}, duplicates={self.duplicates}, "
                f"failed={self.failed}, retries={self.retries})")


class _Item:
    __slots__ = ("stream", "type", "event_id", "data_json", "expected", "future", "thread", "enqueued")

    def __init__(self, stream: str, event: Dict[str, Any], expected: str) -> None:
        self.stream = stream
        self.type = event["type"]
        self.event_id = event["event_id"]
        self.data_json = _JSON(event["data"])  # in the caller's thread: a bad payload raises there
        self.expected = expected
        self.future: Future = Future()
        self.future.set_running_or_notify_cancel()  # queued: no longer cancellable
        self.thread = threading.get_ident()
        self.enqueued = time.monotonic()

    def line(self) -> str:
        expect = "" if self.expected == "any" else ',"expect":"' + self.expected + '"'
        return ('{"stream":' + _STR(self.stream) + ',"type":' + _STR(self.type) + ',"event_id":'
                + _STR(self.event_id) + expect + ',"data":' + self.data_json + "}\n")

    def event(self) -> str:
        return '{"type":' + _STR(self.type) + ',"event_id":' + _STR(self.event_id) + ',"data":' + self.data_json + "}"


class Producer:
    """Appends from any thread, batched by one background sender thread.

    ``append`` returns at once with a ``concurrent.futures.Future`` of an :class:`Ack` (or of the
    typed error that refused that one event). The appends of one thread are stored in the order it
    made them. ``flush()`` waits for every append made so far; ``close()`` flushes and stops the
    sender (also on leaving a ``with`` block).

    ``linger_ms``: how long the oldest waiting append may wait for others to share its request.
    ``max_batch``: most appends per request. ``max_pending``: appends waiting before ``append``
    blocks (back-pressure). ``transport``: ``"auto"`` (``POST /append`` when the server has it,
    else ``POST /streams/{stream}``), ``"ndjson"`` or ``"streams"``.
    """

    def __init__(self, client: Any, linger_ms: float = 5, max_batch: int = 1000, max_pending: int = 100_000,
                 transport: str = "auto") -> None:
        if transport not in ("auto", "ndjson", "streams"):
            raise ValueError(f"transport: must be auto, ndjson or streams, was {transport!r}")
        if max_batch < 1 or max_pending < 1:
            raise ValueError("max_batch and max_pending: must be >= 1")
        self._t = client._transport
        self._linger = max(0.0, linger_ms / 1000.0)
        self._max_batch = max_batch
        self._max_pending = max_pending
        self._mode: Optional[str] = None if transport == "auto" else transport
        self._queue: "collections.deque[_Item]" = collections.deque()
        self._lock = threading.Lock()
        self._ready = threading.Condition(self._lock)   # the sender waits for appends
        self._space = threading.Condition(self._lock)   # appenders wait for room
        self._unresolved: set = set()
        self._streamed: Optional[StreamedSender] = None  # the POST /append path, once chosen
        self._poked = False
        self._closing = False
        self._stop = threading.Event()                  # set by close(timeout) when it gives up
        self.stats = ProducerStats()
        self._thread = threading.Thread(target=self._run, name="indelible-producer", daemon=True)
        self._thread.start()
        # A producer that is never closed still sends what it holds before the interpreter exits.
        self._at_exit = functools.partial(_close_at_exit, weakref.ref(self))
        atexit.register(self._at_exit)

    @property
    def transport(self) -> Optional[str]:
        """``"ndjson"`` or ``"streams"`` once known (``None`` before the first send in auto mode)."""
        return self._mode

    # -- the callers' side ------------------------------------------------------------------

    def append(self, stream: str, event: Dict[str, Any], expected_version: ExpectedVersion = "any") -> Future:
        """Queues one event for ``stream``; returns a Future of its :class:`Ack`. The event gets an
        ``event_id`` if it has none (written into the dict). Blocks while ``max_pending`` appends
        wait. Raises ``InvalidEvent`` at once for a malformed event, ``ClosedError`` once closed."""
        if not isinstance(stream, str) or not stream:
            raise InvalidEvent("invalid_argument", "is required (a non-empty string)", "stream")
        item = _Item(stream, checked_event(event), expected_text(expected_version))
        with self._lock:
            while len(self._queue) >= self._max_pending and not self._closing:
                self._space.wait()
            if self._closing:
                raise ClosedError("closed", "the producer is closed")
            self._queue.append(item)
            self._unresolved.add(item.future)
            if len(self._queue) == 1 or len(self._queue) >= self._max_batch:
                self._ready.notify()
        return item.future

    def flush(self, timeout: Optional[float] = None) -> bool:
        """Waits until every append made before the call is acknowledged or failed; False on timeout."""
        with self._lock:
            waiting = list(self._unresolved)
        if not waiting:
            return True
        done, not_done = wait(waiting, timeout)
        return not not_done

    def close(self, timeout: Optional[float] = None) -> bool:
        """Flushes (at most ``timeout`` s) and stops the sender; later appends raise ``ClosedError``.
        On timeout the sender gives up its retries: the appends not yet acknowledged fail (with
        ``ClosedError`` if they were never sent, else with the error that was being retried), and
        it returns False. A producer left open is closed when the interpreter exits."""
        atexit.unregister(self._at_exit)
        with self._lock:
            self._closing = True
            self._ready.notify_all()
            self._space.notify_all()
        self._thread.join(timeout)
        if self._thread.is_alive():
            self._stop.set()
            self._thread.join(5)
            with self._lock:
                left = list(self._queue)
                self._queue.clear()
            for item in left:
                self._fail(item, ClosedError("closed", "the producer was closed before this append was sent"))
            return False
        return True

    def __enter__(self) -> "Producer":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # -- the sender thread ------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            batch = self._take()
            try:
                if batch is None:  # closing, nothing queued: wait for the lines in flight
                    if self._streamed is not None:
                        self._streamed.finish()
                    if self._queue_empty():
                        return
                elif batch:
                    self._send(batch)
                elif self._streamed is not None:  # a quiet or finished request
                    self._streamed.idle()
            except BaseException as e:  # noqa: BLE001 - a bug must fail the futures, not hang them
                failure = e if isinstance(e, IndelibleError) else ProtocolError(
                    "client_error", f"{type(e).__name__}: {e}")
                if self._streamed is not None:
                    self._streamed.abandon(failure)
                for item in batch or ():
                    self._fail(item, failure)

    def _queue_empty(self) -> bool:
        with self._lock:
            return not self._queue

    def _poke(self) -> None:
        """Wakes the sender thread: a request it had open has ended."""
        with self._lock:
            self._poked = True
            self._ready.notify()

    def _take(self) -> Optional[List[_Item]]:
        """The next batch; ``[]`` when an open request has ended or gone quiet; None when closing
        with nothing queued."""
        with self._lock:
            while not self._queue:
                if self._poked:
                    self._poked = False
                    return []
                if self._closing:
                    return None
                idle_at = self._streamed.idle_at() if self._streamed is not None else None
                if idle_at is None:
                    self._ready.wait()
                elif not self._ready.wait(idle_at - time.monotonic()):
                    return []
            # Linger from the oldest append's arrival: under load it has waited long enough already.
            while len(self._queue) < self._max_batch and not self._closing:
                left = self._queue[0].enqueued + self._linger - time.monotonic()
                if left <= 0:
                    break
                self._ready.wait(left)
            batch = [self._queue.popleft() for _ in range(min(self._max_batch, len(self._queue)))]
            self._space.notify_all()
        return batch

    def _send(self, batch: List[_Item]) -> None:
        if self._mode is None:
            try:
                self._mode = self._detect()
            except IndelibleError as e:
                for item in batch:
                    self._fail(item, e)
                return
        if self._mode == "ndjson":
            if self._streamed is None:
                self._streamed = StreamedSender(self)
            self._streamed.send(batch)
        else:
            self._send_streams(batch)

    def _detect(self) -> str:
        """``ndjson`` when the server answers an empty ``POST /append`` (200, nothing appended),
        ``streams`` when it has no such route (404/405) or the request's chunked body is refused
        (411/501: a proxy on the way that takes only bodies of a known length). The probe's body
        is chunked, as the appends' are, so such a proxy is found here and not by every append."""
        backoff = Backoff(self._t.max_attempts, self._t.retry_seconds)
        while True:
            try:
                status, data = self._t.once("POST", self._t.path("/append"), iter(()), "application/x-ndjson")
            except CONNECTION_ERRORS as e:
                failure: IndelibleError = unreachable(e)
            else:
                self.stats.requests += 1
                if status == 200:
                    return "ndjson"
                if status in (404, 405) + CHUNKED_REFUSED:
                    return "streams"
                failure = error_from_answer(decode(data, status), status, append=True)
                if status not in RETRY_STATUSES:
                    raise failure
            self.stats.retries += 1
            if not backoff.wait(self._stop):
                raise failure

    def _ack(self, item: _Item, stream: str, global_seq: int, stream_version: int, duplicate: bool) -> None:
        self.stats.acked += 1
        if duplicate:
            self.stats.duplicates += 1
        item.future.set_result(Ack(stream, global_seq, stream_version, item.event_id, duplicate))
        self._unresolved.discard(item.future)  # a set's discard is atomic: no lock per event

    def _fail(self, item: _Item, error: BaseException) -> None:
        if item.future.done():
            return
        self.stats.failed += 1
        item.future.set_exception(error)
        self._unresolved.discard(item.future)

    # -- POST /streams/{stream} batches -----------------------------------------------------

    def _send_streams(self, items: List[_Item]) -> None:
        for group in _groups(items):
            self._send_group(group)

    def _send_group(self, group: List[_Item]) -> None:
        """One all-or-nothing batch; repeated exactly (same events, same ids) after a connection
        error or 503, so that a batch stored before is answered as a duplicate."""
        backoff = Backoff(self._t.max_attempts, self._t.retry_seconds)
        while group:
            stream = group[0].stream
            body = ('{"expected_version":"' + group[0].expected + '","events":['
                    + ",".join(item.event() for item in group) + "]}").encode("utf-8")
            self.stats.requests += 1
            try:
                status, data = self._t.once("POST", self._t.path("/streams/" + quote_segment(stream)), body,
                                            "application/json")
            except _Stale as e:  # a kept-alive connection the server closed (it restarted): the batch goes again
                error: IndelibleError = unreachable(e.cause)
            except CONNECTION_ERRORS as e:
                error = unreachable(e)
            else:
                answer = decode(data, status)
                if status == 200:
                    for i, item in enumerate(group):
                        self._ack(item, answer["stream"], answer["first_global_seq"] + i,
                                  answer["first_stream_version"] + i, bool(answer["duplicate"]))
                    return
                error = error_from_answer(answer, status, append=True)
                if status not in RETRY_STATUSES:
                    self._refused(group, error)
                    return
            self.stats.retries += 1
            if not backoff.wait(self._stop):
                for item in group:
                    self._fail(item, error)
                return

    def _refused(self, group: List[_Item], error: IndelibleError) -> None:
        """Nothing of the batch was stored: fail the event at fault and send the others again."""
        index = _index_of(group, error)
        if error.status == 413 and len(group) > 1:
            half = len(group) // 2
            self._send_group(group[:half])
            self._send_group(group[half:])
        elif index is not None and len(group) > 1:
            self._fail(group[index], error)
            self._send_group(group[:index] + group[index + 1:])
        elif len(group) > 1 and error.status in (400, 409):  # the event at fault is not named: one by one
            for item in group:
                self._send_group([item])
        else:
            for item in group:
                self._fail(item, error)


def _close_at_exit(producer_ref: Any) -> None:
    producer = producer_ref()
    if producer is not None:
        producer.close(timeout=30)


def _index_of(group: List[_Item], error: IndelibleError) -> Optional[int]:
    if error.status not in (400, 409):
        return None
    if error.code == "event_id_conflict":
        for i, item in enumerate(group):
            if item.event_id == error.details.get("event_id"):
                return i
        return None
    if error.code == "rule_violated" and isinstance(error.details.get("event_index"), int):
        index = error.details["event_index"]
        return index if 0 <= index < len(group) else None
    for text in (error.field or "", error.message or ""):
        match = _EVENT_INDEX.match(text) or _EVENT_INDEX.search(text)
        if match and int(match.group(1)) < len(group):
            return int(match.group(1))
    return None


def _groups(items: List[_Item]) -> List[List[_Item]]:
    """Batches per stream such that each thread's appends stay in order when the batches are sent
    one after the other: an append joins the first batch of its stream that comes no earlier than
    the batch holding its thread's previous append (and has room), else starts a new one. An
    expected version other than ``any`` is a batch of its own (a batch has one expected version)."""
    groups: List[List[_Item]] = []
    sizes: List[int] = []
    open_of_stream: Dict[str, List[int]] = {}   # the stream's batches that take more, ascending
    last_of_thread: Dict[int, int] = {}
    for item in items:
        floor = last_of_thread.get(item.thread, 0)
        size = len(item.data_json) + 120
        index = None
        if item.expected == "any":
            candidates = open_of_stream.setdefault(item.stream, [])
            for k in range(bisect.bisect_left(candidates, floor), len(candidates)):
                c = candidates[k]
                if len(groups[c]) < _STREAMS_BATCH_EVENTS and sizes[c] + size <= _STREAMS_BATCH_BYTES:
                    index = c
                    break
        if index is None:
            index = len(groups)
            groups.append([])
            sizes.append(0)
            if item.expected == "any":
                open_of_stream[item.stream].append(index)
        groups[index].append(item)
        sizes[index] += size
        last_of_thread[item.thread] = index
    return groups
