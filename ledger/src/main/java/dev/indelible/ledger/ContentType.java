package dev.indelible.ledger;

/** What an event's payload bytes are: the ledger stores both, and validates what it can. */
public enum ContentType {
    /** The bytes of a Protobuf message named by the event's type. */
    PROTOBUF,
    /** A UTF-8 JSON object. */
    JSON
}
