package dev.indelible.ledger.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.indelible.ledger.InvalidEventException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The name check every append runs on its stream and types: the printable-ASCII fast path and what it hands on. */
class AppendChecksTest {

    @ParameterizedTest
    @ValueSource(strings = {"a", " ", "~", "u-1", "abcd", "é", "a€", "\u00a0x"})
    void shouldAcceptNamesWithinTheLimit(String name) {
        AppendChecks.checkName("stream", name, 4);
    }

    @Test
    void shouldRejectAControlCharacterNamingItsIndex() {
        for (char control : new char[] {0, 0x1F, 0x7F, 0x80, 0x9F}) {
            InvalidEventException e = assertThrows(InvalidEventException.class,
                () -> AppendChecks.checkName("type", "ab" + control, 10));
            assertEquals("type", e.field());
            assertEquals("must not contain control characters (at index 2)", e.reason());
        }
    }

    @Test
    void shouldCountUtf8BytesAgainstTheLimit() {
        assertReason("is 5 UTF-8 bytes, over the limit of 4", "abcde");
        assertReason("is 5 UTF-8 bytes, over the limit of 4", "abcé"); // four characters, five bytes
        assertReason("is 6 UTF-8 bytes, over the limit of 4", "€€");
        assertReason("must not be empty", "");
    }

    private static void assertReason(String reason, String name) {
        InvalidEventException e = assertThrows(InvalidEventException.class,
            () -> AppendChecks.checkName("stream", name, 4));
        assertEquals(reason, e.reason());
    }
}
