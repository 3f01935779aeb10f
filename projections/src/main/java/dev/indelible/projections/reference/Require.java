package dev.indelible.projections.reference;

import dev.indelible.ledger.InvalidEventException;

/** Argument checks of the client classes: each names the field and the reason. */
final class Require {
    private Require() {
    }

    static String text(String field, String value) {
        if (value == null || value.isBlank()) {
            throw new InvalidEventException(field, "is required");
        }
        if (value.indexOf('\0') >= 0) {
            throw new InvalidEventException(field, "must not contain U+0000");
        }
        return value;
    }

    static <T> T present(String field, T value) {
        if (value == null) {
            throw new InvalidEventException(field, "is required");
        }
        return value;
    }
}
