package dev.indelible.ledger.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The append path's check that a JSON payload is one object, without allocating (a Jackson
 * parser costs about 640 bytes per payload). Deliberately stricter than Jackson: well-formed UTF-8
 * only, no BOM, at most 64 levels, short numbers and names. It answers only "certainly valid";
 * anything else goes to Jackson, which decides and words the error, so this never accepts what
 * Jackson refuses ({@code JsonSyntaxTest} checks that on mutated documents).
 *
 * <p>Stateless.
 */
final class JsonSyntax {
    private static final int MAX_DEPTH = 64;
    private static final int MAX_DIGITS = 100;
    private static final int MAX_STRING = 1 << 20;
    private static final int MAX_NAME = 1_000;
    private static final int FAIL = -1;
    /** The bytes a run of plain string bytes ends at: the quote, a backslash, control bytes and non-ASCII. */
    private static final boolean[] STOPS_STRING_RUN = new boolean[256];
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;

    static {
        for (int c = 0; c < 256; c++) {
            STOPS_STRING_RUN[c] = c == '"' || c == '\\' || c < 0x20 || c >= 0x80;
        }
    }

    private JsonSyntax() {
    }

    /** True when {@code b} is certainly one JSON object with nothing but whitespace around it. */
    static boolean isObject(byte[] b) {
        int i = skipSpace(b, 0);
        if (i >= b.length || b[i] != '{') {
            return false;
        }
        i = value(b, i, 0);
        return i != FAIL && skipSpace(b, i) == b.length;
    }

    /** Parses the value at {@code i} (no leading space); returns the index after it, or FAIL. */
    private static int value(byte[] b, int i, int depth) {
        switch (b[i]) {
            case '{':
                return depth >= MAX_DEPTH ? FAIL : container(b, i + 1, depth + 1, '}');
            case '[':
                return depth >= MAX_DEPTH ? FAIL : container(b, i + 1, depth + 1, ']');
            case '"':
                return string(b, i + 1, MAX_STRING);
            case 't':
                return literal(b, i, "true");
            case 'f':
                return literal(b, i, "false");
            case 'n':
                return literal(b, i, "null");
            default:
                return number(b, i);
        }
    }

    /** The members of an object ({@code close} '}') or the elements of an array (']'), after the bracket. */
    private static int container(byte[] b, int i, int depth, char close) {
        i = skipSpace(b, i);
        if (i < b.length && b[i] == close) {
            return i + 1;
        }
        while (true) {
            if (close == '}') {
                if (i >= b.length || b[i] != '"') {
                    return FAIL;
                }
                i = skipSpace(b, string(b, i + 1, MAX_NAME));
                if (i == FAIL || i >= b.length || b[i] != ':') {
                    return FAIL;
                }
                i = skipSpace(b, i + 1);
            }
            if (i >= b.length || (i = value(b, i, depth)) == FAIL) {
                return FAIL;
            }
            i = skipSpace(b, i);
            if (i >= b.length) {
                return FAIL;
            }
            if (b[i] == close) {
                return i + 1;
            }
            if (b[i] != ',') {
                return FAIL;
            }
            i = skipSpace(b, i + 1);
        }
    }

    /** After the opening quote: escapes, no control characters, well-formed UTF-8. */
    private static int string(byte[] b, int i, int maxBytes) {
        int end = Math.min(b.length, i + maxBytes);
        while (i < end) {
            // Most string bytes are plain ASCII: eight at a time, then one table look-up each, until one
            // needs a closer look.
            while (i + Long.BYTES <= end && !stopsStringRun((long) LONG.get(b, i))) {
                i += Long.BYTES;
            }
            while (i < end && !STOPS_STRING_RUN[b[i] & 0xFF]) {
                i++;
            }
            if (i >= end) {
                break;
            }
            int c = b[i] & 0xFF;
            if (c == '"') {
                return i + 1;
            } else if (c == '\\') {
                i = escape(b, i + 1);
            } else if (c < 0x20) {
                return FAIL;
            } else {
                i = utf8(b, i, c);
            }
            if (i == FAIL) {
                return FAIL;
            }
        }
        return FAIL;
    }

    /**
     * Whether any of the eight bytes in {@code word} is one {@link #STOPS_STRING_RUN} stops at:
     * exact, by the "has a byte below n" and "has a zero byte" bit tricks. A byte at or above 0x80
     * has its high bit set; subtracting sets it in the lowest byte below 0x20, or equal to the
     * quote or the backslash once XORed with it.
     */
    static boolean stopsStringRun(long word) {
        long quote = word ^ (ONES * '"');
        long backslash = word ^ (ONES * '\\');
        long below = (word - ONES * 0x20) | (quote - ONES) | (backslash - ONES);
        return (((below & ~word) | word) & HIGHS) != 0;
    }

    private static int escape(byte[] b, int i) {
        if (i >= b.length) {
            return FAIL;
        }
        switch (b[i]) {
            case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
                return i + 1;
            case 'u':
                int unit = hex4(b, i + 1);
                if (unit >= 0xDC00 && unit <= 0xDFFF) {
                    return FAIL;
                }
                if (unit < 0xD800 || unit > 0xDBFF) {
                    return unit < 0 ? FAIL : i + 5;
                }
                // A high surrogate only as the first half of a pair: Jackson refuses a lone one in names.
                if (i + 6 >= b.length || b[i + 5] != '\\' || b[i + 6] != 'u') {
                    return FAIL;
                }
                int low = hex4(b, i + 7);
                return low >= 0xDC00 && low <= 0xDFFF ? i + 11 : FAIL;
            default:
                return FAIL;
        }
    }

    /** The four hex digits at {@code i} as a UTF-16 unit, or -1. */
    private static int hex4(byte[] b, int i) {
        if (i + 4 > b.length) {
            return -1;
        }
        int unit = 0;
        for (int k = 0; k < 4; k++) {
            int digit = Character.digit(b[i + k], 16);
            if (digit < 0) {
                return -1;
            }
            unit = unit << 4 | digit;
        }
        return unit;
    }

    /** A multi-byte UTF-8 sequence (RFC 3629: no overlongs, no surrogates, at most U+10FFFF). */
    private static int utf8(byte[] b, int i, int c) {
        int n;
        int min;
        if (c >= 0xC2 && c <= 0xDF) {
            n = 1;
            min = 0x80;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 2;
            min = 0x800;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 3;
            min = 0x10000;
        } else {
            return FAIL;
        }
        if (i + n >= b.length) {
            return FAIL;
        }
        int cp = c & (0x3F >> n);
        for (int k = 1; k <= n; k++) {
            int cont = b[i + k] & 0xFF;
            if ((cont & 0xC0) != 0x80) {
                return FAIL;
            }
            cp = cp << 6 | cont & 0x3F;
        }
        boolean surrogate = cp >= 0xD800 && cp <= 0xDFFF;
        return cp < min || surrogate || cp > 0x10FFFF ? FAIL : i + n + 1;
    }

    private static int literal(byte[] b, int i, String word) {
        if (i + word.length() > b.length) {
            return FAIL;
        }
        for (int k = 0; k < word.length(); k++) {
            if (b[i + k] != word.charAt(k)) {
                return FAIL;
            }
        }
        return ended(b, i + word.length());
    }

    /** -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? with at most MAX_DIGITS digits per part. */
    private static int number(byte[] b, int i) {
        if (b[i] == '-') {
            i++;
        }
        if (i >= b.length) {
            return FAIL;
        }
        if (b[i] == '0') {
            i++;
        } else if ((i = digits(b, i)) == FAIL) {
            return FAIL;
        }
        if (i < b.length && b[i] == '.' && (i = digits(b, i + 1)) == FAIL) {
            return FAIL;
        }
        if (i < b.length && (b[i] == 'e' || b[i] == 'E')) {
            i++;
            if (i < b.length && (b[i] == '+' || b[i] == '-')) {
                i++;
            }
            if ((i = digits(b, i)) == FAIL) {
                return FAIL;
            }
        }
        return ended(b, i);
    }

    /** One or more digits, at most MAX_DIGITS. */
    private static int digits(byte[] b, int i) {
        int start = i;
        while (i < b.length && b[i] >= '0' && b[i] <= '9') {
            i++;
        }
        return i == start || i - start > MAX_DIGITS ? FAIL : i;
    }

    /** A number or literal must be followed by a separator, as Jackson requires. */
    private static int ended(byte[] b, int i) {
        if (i >= b.length) {
            return i;
        }
        byte c = b[i];
        boolean separator = c == ',' || c == '}' || c == ']' || c == ' ' || c == '\t' || c == '\n' || c == '\r';
        return separator ? i : FAIL;
    }

    private static int skipSpace(byte[] b, int i) {
        if (i == FAIL) {
            return FAIL;
        }
        while (i < b.length && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r')) {
            i++;
        }
        return i;
    }
}
