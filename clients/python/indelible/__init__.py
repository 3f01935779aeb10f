"""Indelible: a client for the append-only event ledger's HTTP/JSON API (``indelible serve``).

Standard library only. See README.md::

    import indelible
    client = indelible.Client("http://127.0.0.1:7171", token)
    client.selfies.submit(7, "photo", "file-1", "2024-05-01T12:00:00Z")
"""
from .client import Client
from .domain import Accounts, Community, Messages, Selfies, Videos
from .errors import (ClosedError, Conflict, DomainError, EmailTaken, EventIdConflict, IndelibleError,
                     InvalidArgument, InvalidEvent, NotFound, PermissionDenied, ProtocolError, RuleViolated,
                     TooLarge, TooManyRequests, Unauthenticated, Unavailable, UnknownMember, UnknownPrayer,
                     UnknownVideo, UsernameTaken, WrongExpectedVersion)
from .ids import derived_event_id, new_event_id
from .producer import Producer, ProducerStats
from .subscription import Subscription
from .values import Ack, Appended, Committed, Event, Page

__version__ = "0.1.0"

__all__ = [
    "Client", "Producer", "ProducerStats", "Subscription", "Appended", "Ack", "Event", "Page", "Committed",
    "IndelibleError", "InvalidArgument", "InvalidEvent", "Unauthenticated", "PermissionDenied", "NotFound",
    "Conflict", "WrongExpectedVersion", "EventIdConflict", "RuleViolated", "TooLarge", "TooManyRequests",
    "Unavailable", "ProtocolError", "ClosedError", "DomainError", "EmailTaken", "UsernameTaken",
    "UnknownMember", "UnknownPrayer", "UnknownVideo", "Selfies", "Accounts", "Community", "Videos",
    "Messages", "derived_event_id", "new_event_id",
]
