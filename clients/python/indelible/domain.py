"""Helpers for the reference domain types (projections/README.md, "Domain events").

Each builds the event, names its stream as the type's rule does and appends it; the server checks
the payload and the rule. The rule's refusals that mean something to the caller are raised as
domain errors (``EmailTaken``, ``UsernameTaken``, ``UnknownMember``, ``UnknownPrayer``,
``UnknownVideo``), each a ``Conflict`` carrying the server's error as ``__cause__``.
"""
import datetime
import unicodedata
import uuid
from typing import Any, Dict, Optional, Union

from .errors import (EmailTaken, InvalidEvent, RuleViolated, UnknownMember, UnknownPrayer, UnknownVideo,
                     UsernameTaken, WrongExpectedVersion)
from .ids import derived_event_id
from .values import Appended

__all__ = ["Selfies", "Accounts", "Community", "Videos", "Messages", "rfc3339", "normalize_email",
           "normalize_username", "SELFIE_SUBMITTED", "ACCOUNT_REGISTERED", "MEMBER_JOINED",
           "PRAYER_SUBMITTED", "PRAYER_MARKED", "VIDEO_PROCESSED", "VIDEO_REMOVED", "MESSAGE_POSTED"]

SELFIE_SUBMITTED = "selfie.submitted"
ACCOUNT_REGISTERED = "account.registered"
MEMBER_JOINED = "member.joined"
PRAYER_SUBMITTED = "prayer.submitted"
PRAYER_MARKED = "prayer.marked"
VIDEO_PROCESSED = "video.processed"
VIDEO_REMOVED = "video.removed"
MESSAGE_POSTED = "message.posted"

Timestamp = Union[datetime.datetime, str]


def rfc3339(at: Timestamp, field: str) -> str:
    """An RFC 3339 timestamp: a ``datetime`` (naive ones are taken as UTC) or text passed as is."""
    if isinstance(at, str):
        if not at:
            raise InvalidEvent("invalid_argument", "is required (RFC 3339, e.g. 2024-05-01T12:00:00Z)", f"data.{field}")
        return at
    if isinstance(at, datetime.datetime):
        if at.tzinfo is None:
            at = at.replace(tzinfo=datetime.timezone.utc)
        return at.astimezone(datetime.timezone.utc).isoformat().replace("+00:00", "Z")
    raise InvalidEvent("invalid_argument", f"must be a datetime or RFC 3339 text, was {type(at).__name__}",
                       f"data.{field}")


def normalize_email(email: str) -> str:
    """Trimmed and lower-cased, as the server requires (``Names.email``)."""
    if not isinstance(email, str):
        raise InvalidEvent("invalid_argument", "must be a string", "data.email")
    return email.strip().lower()


def normalize_username(username: str, field: str = "username") -> str:
    """NFKC, trimmed and lower-cased, as the server requires (``Names.username``): "Max" and
    "max" are one member."""
    if not isinstance(username, str):
        raise InvalidEvent("invalid_argument", "must be a string", f"data.{field}")
    return unicodedata.normalize("NFKC", username).strip().lower()


def _text(value: Any, field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidEvent("invalid_argument", "is required (a non-empty string)", f"data.{field}")
    return value


class _Domain:
    def __init__(self, client: Any) -> None:
        self._client = client

    def _append(self, stream: str, event_type: str, data: Dict[str, Any], event_id: Optional[str] = None) -> Appended:
        event: Dict[str, Any] = {"type": event_type, "data": data}
        if event_id is not None:
            event["event_id"] = event_id
        return self._client.append(stream, event)


class Selfies(_Domain):
    """``selfie.submitted`` on ``selfies-user-<user_id>``."""

    @staticmethod
    def stream(user_id: int) -> str:
        return f"selfies-user-{user_id}"

    @staticmethod
    def event_id(user_id: int, file_id: str) -> str:
        """Derived from user and file (as the Java client derives it): a resubmission of a file is
        answered as a duplicate with its original position, never stored twice."""
        return derived_event_id(SELFIE_SUBMITTED, f"{user_id}/{file_id}")

    @staticmethod
    def event(user_id: int, media_type: str, file_id: str, submitted_at: Timestamp) -> Dict[str, Any]:
        """The event dict, with its derived id (for ``Producer.append(Selfies.stream(u), ...)``)."""
        if isinstance(user_id, bool) or not isinstance(user_id, int):
            raise InvalidEvent("invalid_argument", f"must be an int, was {type(user_id).__name__}", "data.user_id")
        return {"type": SELFIE_SUBMITTED, "event_id": Selfies.event_id(user_id, file_id),
                "data": {"user_id": user_id, "media_type": _text(media_type, "media_type"),
                         "file_id": _text(file_id, "file_id"), "submitted_at": rfc3339(submitted_at, "submitted_at")}}

    def submit(self, user_id: int, media_type: str, file_id: str, submitted_at: Timestamp) -> Appended:
        """Records a selfie; ``Appended.duplicate`` is True when this file was submitted before.
        A user_id <= 0 is refused by the server: ``InvalidEvent`` on ``data.user_id``."""
        return self._client.append(self.stream(user_id), self.event(user_id, media_type, file_id, submitted_at))


class Accounts(_Domain):
    """``account.registered`` on ``email-<email>``: an address has one account."""

    @staticmethod
    def stream(email: str) -> str:
        return "email-" + normalize_email(email)

    def register(self, email: str, display_name: str = "") -> str:
        """Registers a new account under the normalised address; returns its account_id. Raises
        ``EmailTaken`` when the address belongs to an account already (closed ones included)."""
        address = normalize_email(email)
        account_id = str(uuid.uuid4())
        stream = "email-" + address
        try:
            self._append(stream, ACCOUNT_REGISTERED, {"account_id": account_id, "email": address,
                                                      "display_name": (display_name or "").strip()})
        except (RuleViolated, WrongExpectedVersion) as e:
            # The ledger names the reservation by a keyed hash of the address, never the address:
            # a refusal checked on the event's own stream is the address being taken.
            if e.stream == stream or getattr(e, "checked_stream", None) in (stream, e.stream):
                raise EmailTaken.of(e, email=address) from e
            raise
        return account_id


class Community(_Domain):
    """``member.joined`` on ``member-<username>``, ``prayer.submitted`` and ``prayer.marked`` on
    ``prayer-<prayer_id>``; every reference is checked by the server's rules."""

    def join(self, username: str, invited_by: Optional[str] = None) -> str:
        """Adds a member (``invited_by`` None or empty: a founder); returns the normalised username.
        Raises ``UsernameTaken`` or ``UnknownMember`` (the inviter)."""
        name = normalize_username(username)
        inviter = normalize_username(invited_by, "invited_by") if invited_by and invited_by.strip() else ""
        try:
            self._append("member-" + name, MEMBER_JOINED, {"username": name, "invited_by": inviter})
        except RuleViolated as e:
            if e.checked_stream == "member-" + name:
                raise UsernameTaken.of(e, username=name) from e
            raise UnknownMember.of(e, username=inviter) from e
        return name

    def submit_prayer(self, author: str, text: str, prayer_id: Optional[str] = None) -> str:
        """Records a prayer by a member; returns its prayer_id. Raises ``UnknownMember``."""
        name = normalize_username(author, "author")
        prayer_id = prayer_id or str(uuid.uuid4())
        try:
            self._append("prayer-" + prayer_id, PRAYER_SUBMITTED,
                         {"prayer_id": prayer_id, "author": name, "text": _text(text, "text")})
        except RuleViolated as e:
            if e.checked_stream == "member-" + name:
                raise UnknownMember.of(e, username=name) from e
            raise
        return prayer_id

    def mark_prayed(self, prayer_id: str, username: str) -> Appended:
        """Records that a member prayed for a prayer. Raises ``UnknownPrayer`` or ``UnknownMember``."""
        name = normalize_username(username)
        try:
            return self._append("prayer-" + _text(prayer_id, "prayer_id"), PRAYER_MARKED,
                                {"prayer_id": prayer_id, "username": name})
        except RuleViolated as e:
            if e.checked_stream == "prayer-" + prayer_id:
                raise UnknownPrayer.of(e, prayer_id=prayer_id) from e
            if e.checked_stream == "member-" + name:
                raise UnknownMember.of(e, username=name) from e
            raise


class Videos(_Domain):
    """``video.processed`` and ``video.removed`` on ``video-<video_id>``."""

    def record_processed(self, video_id: str, url: str, title: str, results: Dict[str, Any]) -> Appended:
        """Records a processing run (``results``: any JSON object; numbers come back as the
        server's Protobuf ``Struct`` holds them: doubles)."""
        if not isinstance(results, dict):
            raise InvalidEvent("invalid_argument", "must be a dict (a JSON object)", "data.results")
        return self._append("video-" + _text(video_id, "video_id"), VIDEO_PROCESSED,
                            {"video_id": video_id, "url": url or "", "title": title or "", "results": results})

    def remove(self, video_id: str) -> Appended:
        """Records a removal; raises ``UnknownVideo`` when the video was never processed."""
        stream = "video-" + _text(video_id, "video_id")
        try:
            return self._append(stream, VIDEO_REMOVED, {"video_id": video_id})
        except RuleViolated as e:
            if e.checked_stream == stream:
                raise UnknownVideo.of(e, video_id=video_id) from e
            raise


class Messages(_Domain):
    """``message.posted`` on ``messages-<project>``."""

    @staticmethod
    def event_id(message_id: str) -> str:
        """Derived from the message id (as the Java client derives it): a repost is a duplicate."""
        return derived_event_id(MESSAGE_POSTED, message_id)

    def post(self, message_id: str, project: str, channel: str, user: str, posted_at: Timestamp) -> Appended:
        """Records a message; the message id is the idempotency key (``duplicate`` on a repost)."""
        return self._append("messages-" + _text(project, "project"), MESSAGE_POSTED,
                            {"message_id": _text(message_id, "message_id"), "project": project,
                             "channel": _text(channel, "channel"), "user": _text(user, "user"),
                             "posted_at": rfc3339(posted_at, "posted_at")},
                            event_id=self.event_id(message_id))
