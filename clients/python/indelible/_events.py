"""Checks of the events and expected versions a caller passes."""
from typing import Any, Dict, Union

from .errors import InvalidEvent
from .ids import new_event_id

ExpectedVersion = Union[str, int]
_EXPECTED_WORDS = ("any", "new", "exists")
_EVENT_KEYS = ("type", "data", "event_id")


def expected_text(expected_version: ExpectedVersion) -> str:
    """``any``, ``new``, ``exists`` or a stream version >= 0, as the API spells it."""
    if isinstance(expected_version, bool):
        raise ValueError(f"expected_version: must be any, new, exists or a version >= 0, was {expected_version!r}")
    if isinstance(expected_version, int):
        if expected_version < 0:
            raise ValueError(f"expected_version: must be any, new, exists or a version >= 0, was {expected_version}")
        return str(expected_version)
    if isinstance(expected_version, str) and expected_version.lower() in _EXPECTED_WORDS:
        return expected_version.lower()
    if isinstance(expected_version, str) and expected_version.isdigit():
        return str(int(expected_version))
    raise ValueError(f"expected_version: must be any, new, exists or a version >= 0, was {expected_version!r}")


def checked_event(event: Dict[str, Any], where: str = "") -> Dict[str, Any]:
    """Checks an event dict ``{"type", "data", "event_id"?}`` and gives it an ``event_id`` when it
    has none: the id is written into the dict, so a retry of the same dict by the caller repeats it
    (and is answered as a duplicate) instead of appending again."""
    if not isinstance(event, dict):
        raise InvalidEvent("invalid_argument", "must be a dict {\"type\", \"data\", \"event_id\"?}", where or "event")
    unknown = [k for k in event if k not in _EVENT_KEYS]
    if unknown:
        raise InvalidEvent("invalid_argument", f"unknown keys {unknown} (an event has type, data and event_id)",
                           where + unknown[0])
    if not isinstance(event.get("type"), str) or not event["type"]:
        raise InvalidEvent("invalid_argument", "is required (a non-empty string)", where + "type")
    if not isinstance(event.get("data"), dict):
        raise InvalidEvent("invalid_argument", "is required (a dict)", where + "data")
    if event.get("event_id") is None:
        event["event_id"] = new_event_id()
    elif not isinstance(event["event_id"], str):
        event["event_id"] = str(event["event_id"])  # a uuid.UUID
    return event
