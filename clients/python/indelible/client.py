"""The client: blocking appends, reads, subscriptions, a batching producer and domain helpers."""
import json
from typing import Any, Dict, Iterable, List, Optional, Sequence, Union

from ._transport import Transport, quote_segment
from ._events import ExpectedVersion, checked_event, expected_text
from .errors import InvalidEvent, NotFound
from .values import Appended, Committed, Event, Page, Position

__all__ = ["Client"]


class Client:
    """A connection to ``indelible serve`` over HTTP/JSON.

    >>> client = Client("http://127.0.0.1:7171", token)
    >>> client.append("selfies-user-7", {"type": "selfie.submitted", "data": {...}})

    Thread-safe: each thread keeps its own kept-alive connection, reopened after a failure.
    Requests that are safe to repeat (reads, and appends, whose every event carries an id) are
    retried after connection errors and 503 with backoff: at most ``max_attempts`` attempts within
    ``retry_seconds``; then :class:`~indelible.errors.Unavailable` is raised.
    """

    def __init__(self, url: str, token: str, timeout: float = 30, max_attempts: int = 15,
                 retry_seconds: float = 30.0):
        self._transport = Transport(url, token, timeout, max_attempts, retry_seconds)
        self.url = url
        from .domain import Accounts, Community, Messages, Selfies, Videos
        self.selfies = Selfies(self)
        self.accounts = Accounts(self)
        self.community = Community(self)
        self.videos = Videos(self)
        self.messages = Messages(self)

    # -- writing ----------------------------------------------------------------------------

    def append(self, stream: str, events: Union[Dict[str, Any], Sequence[Dict[str, Any]]],
               expected_version: ExpectedVersion = "any") -> Appended:
        """Appends one event or a batch (all or nothing) to ``stream``, answered once durable.

        ``events``: a dict ``{"type": T, "data": {...}, "event_id": "uuid"?}`` or a list of them.
        Raises :class:`~indelible.errors.WrongExpectedVersion`, ``RuleViolated``,
        ``EventIdConflict``, ``InvalidEvent``, ``PermissionDenied``, ``Unauthenticated``,
        ``Unavailable``, ...; nothing was appended then (for ``Unavailable``: retry with the same
        dicts, which now carry their event ids).
        """
        if not isinstance(stream, str) or not stream:
            raise InvalidEvent("invalid_argument", "is required (a non-empty string)", "stream")
        single = isinstance(events, dict)
        batch: List[Dict[str, Any]] = [events] if single else list(events)  # type: ignore[list-item]
        if not batch:
            raise InvalidEvent("invalid_argument", "at least one event is required", "events")
        for i, event in enumerate(batch):
            checked_event(event, "" if single else f"events[{i}].")
        expected = expected_text(expected_version)
        # One event is posted alone, so that the server names its fields as data.<field>.
        payload: Any = batch[0] if single else batch
        body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        path = self._transport.path("/streams/" + quote_segment(stream),
                                    {"expected_version": None if expected == "any" else expected})
        answer = self._transport.call("POST", path, body, "application/json", append=True)
        return Appended.from_json(answer)

    def append_transaction(self, parts: Sequence[Dict[str, Any]],
                           conditions: Sequence[Dict[str, Any]] = ()) -> Committed:
        """``POST /transactions``: appends to several streams as one step, all or nothing, if every
        part's stream is at its expected version and every condition holds; answered once durable.

        ``parts``: dicts ``{"stream", "events": [event dicts], "expected_version"?}``;
        ``conditions``: dicts ``{"stream", "expected_version"}`` on streams it does not write.
        Each event gets an ``event_id`` written into its dict, so a retry of the same dicts is
        answered as a duplicate with the original positions. Raises the errors of :meth:`append`;
        a :class:`~indelible.errors.Conflict`'s ``.part`` or ``.condition`` says which failed, and
        ``.field`` names it (``parts[1].expected_version``, ``conditions[0].expected_version``).
        """
        wire_parts = []
        for i, part in enumerate(parts):
            where = f"parts[{i}]"
            if not isinstance(part, dict) or not isinstance(part.get("stream"), str) or not part["stream"]:
                raise InvalidEvent("invalid_argument", "is required (a non-empty string)", where + ".stream")
            events = part.get("events")
            if not isinstance(events, (list, tuple)) or not events:
                raise InvalidEvent("invalid_argument", "at least one event is required", where + ".events")
            wire_parts.append({"stream": part["stream"],
                               "expected_version": expected_text(part.get("expected_version", "any")),
                               "events": [checked_event(e, f"{where}.events[{k}].") for k, e in enumerate(events)]})
        wire_conditions = []
        for i, condition in enumerate(conditions):
            if not isinstance(condition, dict) or "expected_version" not in condition:
                raise InvalidEvent("invalid_argument", "is required: new, exists or a version",
                                   f"conditions[{i}].expected_version")
            wire_conditions.append({"stream": condition.get("stream"),
                                    "expected_version": expected_text(condition["expected_version"])})
        body = json.dumps({"parts": wire_parts, "conditions": wire_conditions}, separators=(",", ":"),
                          ensure_ascii=False).encode("utf-8")
        answer = self._transport.call("POST", self._transport.path("/transactions"), body, "application/json",
                                      append=True)
        return Committed.from_json(answer)

    def producer(self, linger_ms: float = 5, max_batch: int = 1000, max_pending: int = 100_000,
                 transport: str = "auto") -> "Producer":
        """A :class:`~indelible.producer.Producer`: appends from any thread, batched by one sender
        thread, each answered by a ``Future`` of an :class:`~indelible.values.Ack`."""
        from .producer import Producer
        return Producer(self, linger_ms=linger_ms, max_batch=max_batch, max_pending=max_pending,
                        transport=transport)

    # -- reading ----------------------------------------------------------------------------

    def read(self, from_seq: Position = 0, limit: int = 100) -> Page:
        """``GET /events``: up to ``limit`` (1 to 1,000) events from ``from_seq``, only those of
        streams this token may read; ``Page.next`` is where to read on. Over a journal of several
        partitions positions are text (``"12,0,7"``; 0 is the start): pass ``Page.next`` or an
        event's ``next`` back as it is. Each partition comes in its order, with no order across
        them."""
        return self._read_page(from_seq, limit)

    def _read_page(self, from_seq: Position, limit: int, retry: bool = True) -> Page:
        answer = self._transport.call("GET", self._transport.path("/events", {"from": from_seq, "limit": limit}),
                                      retry=retry)
        return Page([Event.from_json(e) for e in answer["events"]], answer["next"], answer["head"])

    def read_all(self, from_seq: Position = 0, until: Optional[int] = None) -> Iterable[Event]:
        """Every readable event from ``from_seq`` up to the head when called (or ``until``, exclusive).
        Over several partitions (text positions) it reads until it reaches the head as it then is,
        so events appended meanwhile may come too; ``until`` is for one partition only."""
        position = from_seq
        end = until
        while True:
            page = self.read(position, 1000)
            if isinstance(page.next, str):
                yield from page.events
                if page.next == page.head or page.next == position:
                    return
                position = page.next
                continue
            if end is None:
                end = page.head
            for e in page.events:
                if e.global_seq >= end:
                    return
                yield e
            if page.next >= end or page.next == position:
                return
            position = page.next

    def read_stream(self, stream: str, from_version: int = 0, limit: int = 100) -> List[Event]:
        """``GET /streams/{stream}``: up to ``limit`` events from ``from_version``; empty when the
        stream has none."""
        path = self._transport.path("/streams/" + quote_segment(stream), {"from_version": from_version, "limit": limit})
        try:
            answer = self._transport.call("GET", path)
        except NotFound as e:
            if e.field == "stream":
                return []
            raise
        return [Event.from_json(e) for e in answer["events"]]

    def subscribe(self, from_seq: Position = 0, stream_prefix: Optional[str] = None,
                  types: Optional[Iterable[str]] = None, poll_interval: float = 0.2,
                  wait: float = 10.0) -> "Subscription":
        """Follows the journal from ``from_seq``: an iterator of :class:`~indelible.values.Event`
        that catches up, then waits for new events: a long poll of ``GET /events?wait=`` (at most
        ``wait`` s, the server filtering by ``stream_prefix`` and ``types``), or on a server without
        it a poll every ``poll_interval`` s (``wait=0`` asks for that). Resumes by itself after
        connection errors and server restarts from the last global_seq + 1; never yields an event
        twice. ``close()`` ends it (from any thread); ``.position`` is the global_seq to resume from
        (over several partitions, the positions as text: pass them back as they are)."""
        from .subscription import Subscription
        return Subscription(self, from_seq, stream_prefix, types, poll_interval, wait)

    def query(self, projection: str, **params: Any) -> List[Dict[str, Any]]:
        """``GET /projections/{name}?...``: the rows of a reference query (verb ``query``)."""
        answer = self._transport.call("GET", self._transport.path("/projections/" + quote_segment(projection), params))
        return answer["rows"]

    def erase(self, subject: str) -> bool:
        """``POST /admin/erase?subject=`` (verb ``admin``): crypto-shredding of a data subject, e.g.
        ``account-<account_id>``. The server appends ``ops.erase`` and destroys the subject's key,
        so its personal fields read ``[erased]`` in every read and every copy of the journal; the
        events stay, and a reserved address stays taken. True when this call erased it, False when
        it had been erased before (a retry after a lost answer reads False). :class:`NotFound`
        (``.field`` ``subject``) when nothing of the subject was sealed, :class:`InvalidArgument`
        for an empty one; nothing is written then. Any node of a cluster takes it."""
        answer = self._transport.call("POST", self._transport.path("/admin/erase", {"subject": subject}))
        return not answer["already_erased"]

    def status(self) -> Dict[str, Any]:
        """``GET /status`` (verb ``status``): head, durability and each projection's state."""
        return self._transport.call("GET", self._transport.path("/status"))

    def live(self) -> bool:
        """``GET /health/live`` (no token needed): whether the server answers."""
        try:
            status, _ = self._transport.once("GET", self._transport.path("/health/live"), None, None)
        except Exception:  # noqa: BLE001 - any failure means not live
            return False
        return status == 200

    def close(self) -> None:
        """Closes the kept-alive connections."""
        self._transport.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Client({self.url!r})"


from .producer import Producer  # noqa: E402  (for the annotations above)
from .subscription import Subscription  # noqa: E402
