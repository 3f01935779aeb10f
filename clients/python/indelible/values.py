"""Values returned by the client."""
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Union

__all__ = ["Appended", "Ack", "Event", "Page", "Committed"]


@dataclass(frozen=True)
class Appended:
    """What ``Client.append`` stored: the positions of the batch, or with ``duplicate`` the
    positions it was stored at before (a retry; nothing was written)."""
    stream: str
    first_global_seq: int
    last_global_seq: int
    first_stream_version: int
    last_stream_version: int
    count: int
    duplicate: bool

    @classmethod
    def from_json(cls, answer: Dict[str, Any]) -> "Appended":
        return cls(answer["stream"], answer["first_global_seq"], answer["last_global_seq"],
                   answer["first_stream_version"], answer["last_stream_version"], answer["count"],
                   bool(answer["duplicate"]))


@dataclass(frozen=True)
class Ack:
    """One event a ``Producer`` had acknowledged: stored (durably) at ``global_seq``."""
    stream: str
    global_seq: int
    stream_version: int
    event_id: str
    duplicate: bool


@dataclass(frozen=True)
class Event:
    """A recorded event as the server returns it. ``data`` is the payload as JSON (for the domain
    types through their Protobuf JSON mapping: 64-bit integers such as ``user_id`` come back as
    strings, timestamps as RFC 3339 text); a payload that is not JSON has ``data`` None and
    ``data_base64`` set. ``metadata`` is empty when the event has none. From a journal of several
    partitions (``GET /events``), ``partition`` holds it (``global_seq`` counts within it) and
    ``next`` is the position to read on from past it; otherwise both are None."""
    global_seq: int
    stream: str
    stream_version: int
    event_id: str
    type: str
    recorded_at: str
    producer_id: Optional[str]
    data: Optional[Dict[str, Any]]
    metadata: Dict[str, str] = field(default_factory=dict)
    content_type: Optional[str] = None
    data_base64: Optional[str] = None
    partition: Optional[int] = None
    next: Optional[str] = None

    @classmethod
    def from_json(cls, e: Dict[str, Any]) -> "Event":
        return cls(e["global_seq"], e["stream"], e["stream_version"], e["event_id"], e["type"],
                   e.get("recorded_at", ""), e.get("producer_id"), e.get("data"),
                   dict(e.get("metadata") or {}), e.get("content_type"), e.get("data_base64"),
                   e.get("partition"), e.get("next"))


# Where a reader stands: a global_seq, or over several partitions their positions as text ("12,0,7").
Position = Union[int, str]


@dataclass(frozen=True)
class Page:
    """One ``GET /events`` answer: the readable events, where to read on (``next``, past the
    events this token may not read) and the journal's head (the next global_seq to be written).
    Over a journal of several partitions ``next`` and ``head`` are positions as text, one
    global_seq per partition (``"12,0,7"``): pass them back as they are."""
    events: List[Event]
    next: Position
    head: Position


@dataclass(frozen=True)
class Committed:
    """What ``Client.append_transaction`` stored: each part's positions (``parts[i]`` for the
    i-th part), the events of all parts consecutive from ``first_global_seq``; with ``duplicate``
    the positions they were stored at before (a retry; nothing was written)."""
    parts: List[Appended]
    first_global_seq: int
    last_global_seq: int
    duplicate: bool

    @classmethod
    def from_json(cls, answer: Dict[str, Any]) -> "Committed":
        return cls([Appended.from_json(p) for p in answer["parts"]], answer["first_global_seq"],
                   answer["last_global_seq"], bool(answer["duplicate"]))
