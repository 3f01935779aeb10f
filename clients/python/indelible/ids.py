"""Event ids: random ones for retries, and the derived ones of the domain types."""
import hashlib
import uuid

__all__ = ["new_event_id", "derived_event_id"]


def new_event_id() -> str:
    """A random event id (UUID 4): sent with every attempt of one append, so a retry is a duplicate."""
    return str(uuid.uuid4())


def derived_event_id(event_type: str, natural_key: str) -> str:
    """The event id the Java client derives for a domain event (``DomainEvents.eventId``): the
    name-based UUID (version 3, MD5, Java's ``UUID.nameUUIDFromBytes``) of
    ``type + "\\0" + natural_key``. Python and Java producers of one selfie therefore send the same
    id, and a resubmission from either is answered as a duplicate."""
    digest = hashlib.md5((event_type + "\0" + natural_key).encode("utf-8")).digest()
    return str(uuid.UUID(bytes=digest, version=3))
