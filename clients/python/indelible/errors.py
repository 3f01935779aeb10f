"""The errors of the Indelible HTTP API as Python exceptions.

Every error the server answers is ``{"error": CODE, "field": FIELD, "message": WHY, ...}``; each
becomes an :class:`IndelibleError` subclass carrying ``.code``, ``.field``, ``.message``,
``.details`` (every other key of the answer) and ``.status`` (the HTTP status, or ``None`` when no
answer was received).
"""
from typing import Any, Dict, Optional

__all__ = [
    "IndelibleError", "InvalidArgument", "InvalidEvent", "Unauthenticated", "PermissionDenied",
    "NotFound", "Conflict", "WrongExpectedVersion", "EventIdConflict", "RuleViolated", "TooLarge",
    "TooManyRequests", "Unavailable", "ProtocolError", "ClosedError", "DomainError", "EmailTaken",
    "UsernameTaken", "UnknownMember", "UnknownPrayer", "UnknownVideo", "error_from_answer",
]


class IndelibleError(Exception):
    """An error answered by the server (or a failure to reach it)."""

    def __init__(self, code: str, message: str, field: Optional[str] = None,
                 details: Optional[Dict[str, Any]] = None, status: Optional[int] = None):
        super().__init__(f"{code}: {field}: {message}" if field else f"{code}: {message}")
        self.code = code
        self.field = field
        self.message = message
        self.details: Dict[str, Any] = dict(details or {})
        self.status = status

    def __reduce__(self):  # picklable (e.g. across a process pool) despite the keyword arguments
        return (_rebuild, (type(self), self.code, self.message, self.field, self.details, self.status))


def _rebuild(cls, code, message, field, details, status):
    error = cls.__new__(cls)
    IndelibleError.__init__(error, code, message, field, details, status)
    return error


class InvalidArgument(IndelibleError):
    """400 ``invalid_argument``: a malformed request (a query parameter, a limit, ...)."""


class InvalidEvent(InvalidArgument):
    """400 ``invalid_argument`` on an append: ``.field`` names the field (``data.user_id``,
    ``events[3].data.file_id``, ``stream``, ...) and ``.reason`` says what is wrong with it.
    Nothing was appended."""

    @property
    def reason(self) -> str:
        return self.message


class Unauthenticated(IndelibleError):
    """401 ``unauthenticated``: no token, or an unknown or revoked one."""


class PermissionDenied(IndelibleError):
    """403 ``permission_denied``: the token's streams or verbs do not cover the request."""


class NotFound(IndelibleError):
    """404 ``not_found``: a stream with no events, an unknown projection or path."""


class Conflict(IndelibleError):
    """409: the append was refused as a whole; nothing was appended. For a transaction, ``.part``
    or ``.condition`` is the index of the part or condition that failed (the other is None)."""

    @property
    def stream(self) -> Optional[str]:
        return self.details.get("stream")

    @property
    def part(self) -> Optional[int]:
        return self.details.get("part")

    @property
    def condition(self) -> Optional[int]:
        return self.details.get("condition")


class WrongExpectedVersion(Conflict):
    """409 ``wrong_expected_version``: the stream is not at the expected version.
    ``.actual_version`` is -1 when the stream does not exist."""

    @property
    def expected_version(self) -> Optional[int]:
        return self.details.get("expected_version")

    @property
    def actual_version(self) -> Optional[int]:
        return self.details.get("actual_version")


class EventIdConflict(Conflict):
    """409 ``event_id_conflict``: the event id is stored with other content (a retry must repeat
    the original append exactly)."""

    @property
    def event_id(self) -> Optional[str]:
        return self.details.get("event_id")

    @property
    def existing_global_seq(self) -> Optional[int]:
        return self.details.get("existing_global_seq")


class RuleViolated(Conflict):
    """409 ``rule_violated``: the event type's rule does not hold (``.rule``, ``.why``): its
    ``.checked_stream`` is at ``.actual_version``, not ``.required_version``; ``.event_index`` is the
    refused event's index in the batch."""

    @property
    def rule(self) -> Optional[str]:
        return self.details.get("rule")

    @property
    def checked_stream(self) -> Optional[str]:
        return self.details.get("checked_stream")

    @property
    def required_version(self) -> Optional[int]:
        return self.details.get("required_version")

    @property
    def actual_version(self) -> Optional[int]:
        return self.details.get("actual_version")

    @property
    def event_index(self) -> Optional[int]:
        return self.details.get("event_index")

    @property
    def why(self) -> Optional[str]:
        return self.details.get("why")


class TooLarge(IndelibleError):
    """413 ``request_too_large`` or ``too_many_events``."""


class TooManyRequests(IndelibleError):
    """429 ``too_many_requests``: too many failed authentications from this address."""


class Unavailable(IndelibleError):
    """503 ``unavailable`` (the server is stopping, the ledger failed), or the server could not be
    reached within the retry budget. An append may or may not have happened: retry it with the same
    event ids."""


class ProtocolError(IndelibleError):
    """An answer this client does not understand (not JSON, an unknown status, ...)."""


class ClosedError(IndelibleError):
    """The producer or client is closed."""


class DomainError(RuleViolated):
    """A domain helper's refusal: the type's rule (or the expected version) the server reported,
    kept as ``__cause__``; ``.code``, ``.field``, ``.details`` and the ``RuleViolated`` properties
    (``.rule``, ``.checked_stream``, ...) are the server's."""

    def __init__(self, code: str, message: str, field: Optional[str] = None,
                 details: Optional[Dict[str, Any]] = None, status: Optional[int] = None):
        super().__init__(code, message, field, details, status)

    @classmethod
    def of(cls, cause: IndelibleError, **attributes: Any) -> "DomainError":
        error = cls(cause.code, cause.message, cause.field, cause.details, cause.status)
        for name, value in attributes.items():
            setattr(error, name, value)
        error.__cause__ = cause
        return error


class EmailTaken(DomainError):
    """``accounts.register``: the address already belongs to an account (``.email``)."""
    email: str = ""


class UsernameTaken(DomainError):
    """``community.join``: the username names a member already (``.username``)."""
    username: str = ""


class UnknownMember(DomainError):
    """The inviter, author or marking member is not a member (``.username``)."""
    username: str = ""


class UnknownPrayer(DomainError):
    """``community.mark_prayed``: no such prayer (``.prayer_id``)."""
    prayer_id: str = ""


class UnknownVideo(DomainError):
    """``videos.remove``: the video was never processed (``.video_id``)."""
    video_id: str = ""


_BY_CODE = {
    "unauthenticated": Unauthenticated,
    "permission_denied": PermissionDenied,
    "not_found": NotFound,
    "wrong_expected_version": WrongExpectedVersion,
    "event_id_conflict": EventIdConflict,
    "rule_violated": RuleViolated,
    "request_too_large": TooLarge,
    "too_many_events": TooLarge,
    "too_many_requests": TooManyRequests,
    "unavailable": Unavailable,
}

_BY_STATUS = {400: InvalidArgument, 401: Unauthenticated, 403: PermissionDenied, 404: NotFound,
              409: Conflict, 413: TooLarge, 429: TooManyRequests, 503: Unavailable}


def error_from_answer(answer: Any, status: Optional[int], append: bool = False) -> IndelibleError:
    """The exception for an error answer (a decoded JSON object); ``append`` makes a 400 an
    :class:`InvalidEvent`."""
    if not isinstance(answer, dict) or not isinstance(answer.get("error"), str):
        return ProtocolError(f"http_{status}", f"unexpected answer: {str(answer)[:300]}", status=status)
    code = answer["error"]
    details = {k: v for k, v in answer.items() if k not in ("error", "field", "message", "line")}
    if code == "invalid_argument":
        cls = InvalidEvent if append else InvalidArgument
    else:
        cls = _BY_CODE.get(code) or _BY_STATUS.get(status or 0, IndelibleError)
    return cls(code, str(answer.get("message", "")), answer.get("field"), details, status)
