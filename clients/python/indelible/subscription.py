"""Following the journal over ``GET /events``: a long poll, or polling on older servers."""
import collections
import socket
import threading
import time
from typing import Any, Deque, Dict, FrozenSet, Iterable, Optional

from ._transport import CONNECTION_ERRORS, RETRY_STATUSES, Backoff
from .errors import IndelibleError, Unavailable
from .values import Event, Page, Position

__all__ = ["Subscription"]

_PAGE = 1000
_MAX_BACKOFF = 2.0
_FOLLOW_PARAMS = ("wait", "stream_prefix", "type")


class Subscription:
    """An iterator of :class:`Event` from a global_seq on, in order, each once: it catches up, then
    follows new events. It long-polls ``GET /events?wait=`` (the server holds the request until an
    event matches, at most ``wait`` s, and filters by ``stream_prefix`` and ``types``); on a server
    without those parameters (400 naming one) it polls every ``poll_interval`` s and filters here.
    It filters here in both cases. Connection errors and 503 (a server restarting) are waited out,
    retrying with backoff (at most 2 s apart) for as long as it takes, from the last global_seq seen
    + 1. Other errors (an unknown token, a token that may not read) are raised from the iteration.

    ``types``: type names; one ending in ``*`` matches a prefix (``ops.*``).
    ``close()`` (from any thread, or leaving a ``with`` block) ends the iteration, cutting a held poll.
    ``position`` is the global_seq to resume from: the one after the last event yielded, or past
    everything read when none is waiting. ``reconnects`` counts the failed reads waited out.

    Over a journal of several partitions positions are text, one global_seq per partition
    (``"12,0,7"``): ``from_seq`` and ``position`` are such text, passed back as the server gave it,
    and the events come in each partition's order, with no order across partitions.
    """

    def __init__(self, client: Any, from_seq: Position = 0, stream_prefix: Optional[str] = None,
                 types: Optional[Iterable[str]] = None, poll_interval: float = 0.2, wait: float = 10.0) -> None:
        if isinstance(from_seq, int) and from_seq < 0:
            raise ValueError(f"from_seq: must be >= 0, was {from_seq}")
        self._client = client
        self._transport = client._transport
        self._fetch_from = from_seq
        self._prefix = stream_prefix or None
        if isinstance(types, str):
            types = [types]
        self._types: Optional[FrozenSet[str]] = frozenset(types) if types is not None else None
        if self._types is not None and (not self._types or any("," in t or not t for t in self._types)):
            raise ValueError(f"types: must be non-empty type names without commas, was {sorted(self._types)}")
        self._poll = max(0.0, poll_interval)
        # A held poll must end before the socket's timeout does.
        self._wait = max(0.0, min(wait, 60.0, self._transport.timeout - 2.0))
        self.long_poll = self._wait >= 0.001
        self._buffer: Deque[Event] = collections.deque()
        self._closed = threading.Event()
        self._conn: Any = None
        self._last_yielded = from_seq - 1 if isinstance(from_seq, int) else -1
        # Over several partitions: the last global_seq yielded per partition, and where to resume.
        self._last_in: Dict[int, int] = {}
        self._resume: Position = from_seq
        self.reconnects = 0

    @property
    def position(self) -> Position:
        if self._buffer:
            return self._buffer[0].global_seq if self._buffer[0].next is None else self._resume
        return self._fetch_from

    def __iter__(self) -> "Subscription":
        return self

    def __next__(self) -> Event:
        while not self._buffer:
            if self._closed.is_set():
                raise StopIteration
            self._fill()
        if self._closed.is_set():
            raise StopIteration
        event = self._buffer.popleft()
        if event.partition is not None:
            self._last_in[event.partition] = event.global_seq
            self._resume = event.next if event.next is not None else self._resume
        else:
            self._last_yielded = event.global_seq
        return event

    def _wanted(self, event: Event) -> bool:
        if event.partition is not None:  # never twice in its partition, whatever the server sends
            if event.global_seq <= self._last_in.get(event.partition, -1):
                return False
        elif event.global_seq < self._fetch_from or event.global_seq <= self._last_yielded:
            return False  # never twice, whatever the server sends
        if self._prefix is not None and not event.stream.startswith(self._prefix):
            return False
        if self._types is not None and event.type not in self._types:
            return any(t.endswith("*") and event.type.startswith(t[:-1]) for t in self._types)
        return True

    def _fill(self) -> None:
        asked = time.monotonic()
        page = self._read()
        if page is None:  # closed while waiting
            return
        if not self._buffer:
            self._resume = self._fetch_from  # nothing waits: resume where this page starts
        self._buffer.extend(e for e in page.events if self._wanted(e))
        if isinstance(page.next, str):  # positions over several partitions: the server's, as they are
            self._fetch_from = page.next
            caught_up = page.next == page.head
        else:
            last = page.events[-1].global_seq + 1 if page.events else self._fetch_from
            self._fetch_from = max(self._fetch_from, page.next, last)
            caught_up = self._fetch_from >= page.head
        if self._buffer or not caught_up:
            return  # more to read at once
        if not self.long_poll or time.monotonic() - asked < self._wait / 2:
            self._closed.wait(self._poll)  # at the head and not held by the server: wait here

    def _read(self) -> Optional[Page]:
        backoff: Optional[Backoff] = None
        while not self._closed.is_set():
            try:
                return self._request()
            except IndelibleError as e:
                if self.long_poll and e.status == 400 and e.field in _FOLLOW_PARAMS:
                    self.long_poll = False  # a server from before the long poll: poll, filter here
                    continue
                if not isinstance(e, Unavailable) and e.status not in RETRY_STATUSES:
                    raise
            except CONNECTION_ERRORS:
                pass
            if self._closed.is_set():
                break
            # unreachable or restarting: wait it out, as long as it takes
            self.reconnects += 1
            if backoff is None or backoff.attempts >= 20:
                backoff = Backoff(1 << 30, float("inf"), first=0.1, cap=_MAX_BACKOFF)
            backoff.wait(self._closed)
        return None

    def _request(self) -> Page:
        query: dict = {"from": self._fetch_from, "limit": _PAGE}
        if self.long_poll:
            query["wait"] = f"{int(self._wait * 1000)}ms"
            if self._prefix is not None:
                query["stream_prefix"] = self._prefix
            if self._types is not None:
                query["type"] = ",".join(sorted(self._types))
        self._conn, _ = self._transport.connection()
        if self._closed.is_set():
            return Page([], self._fetch_from, self._fetch_from)
        answer = self._transport.call("GET", self._transport.path("/events", query), retry=False, stop=self._closed)
        return Page([Event.from_json(e) for e in answer["events"]], answer["next"], answer["head"])

    def close(self) -> None:
        """Ends the iteration: a blocked ``next`` returns at once (a held poll is cut)."""
        self._closed.set()
        conn = self._conn
        sock = getattr(conn, "sock", None)
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def __enter__(self) -> "Subscription":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
